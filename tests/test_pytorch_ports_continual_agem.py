"""Averaged GEM ("Efficient Lifelong Learning with A-GEM", Chaudhry et al. 2019) as its
readers write it on top of ``facebookresearch/GradientEpisodicMemory``: a ring buffer of
the last ``n_memories`` samples of each task (``memory_data[t, cnt:end].copy_(x[:eff])``),
the gradients flattened into columns of a matrix by ``store_grad`` (``grads[beg:en,
tid].copy_(param.grad.view(-1))``), the current gradient projected when its dot product
with the memories' gradient is negative, ``g - (g.g_ref / g_ref.g_ref) g_ref``, and put
back by ``overwrite_grad``. A second program writes the same projection with
``parameters_to_vector`` of the gradients and ``vector_to_parameters`` back into them, as
shorter ports do. Tasks: scikit-learn's digits 0-4, then 5-9 (split digits, one head).
Each program is written once for a library ``torch`` (``autograd`` here, PyTorch there)
and runs step for step next to PyTorch's from the same weights (float64): losses,
projected gradients and accuracies agree to 1e-10.

Lines written differently here, and why:
- ``torch.Tensor(n_tasks, n_memories, n_inputs)`` and ``torch.Tensor(sum(grad_dims),
  n_tasks)`` are ``torch.zeros(...)``: ``Tensor`` takes data here (``Tensor(3, 4)`` is a
  UsageError naming ``zeros``/``empty``);
- ``param.grad.data.view(-1)``, ``param.grad.data.copy_(g)``, ``param.data.numel()``
  and ``x.data[:eff]`` drop
  ``.data``: it is NumPy's array here (by design), whose ``view(-1)`` is a dtype view;
- ``torch.optim`` is ``nn.optim`` here (``autograd`` never imports ``nn``).
"""

import numpy as np
import pytest

import autograd as ag
import nn
import nn.functional as nn_F
import nn.utils


def libraries(torch=None) -> tuple:
    """(torch, nn, F, optim) for this library, or PyTorch's when ``torch`` is given."""
    if torch is None:
        return ag, nn, nn_F, nn.optim
    return torch, torch.nn, torch.nn.functional, torch.optim


def split_digits(n: int = 400) -> list:
    """Two tasks: the digits 0-4 and the digits 5-9 of n samples, inputs in [0, 1]."""
    datasets = pytest.importorskip("sklearn.datasets")
    images, labels = datasets.load_digits(return_X_y=True)
    images, labels = images[:n] / 16.0, labels[:n]
    return [(images[labels < 5], labels[labels < 5]), (images[labels >= 5], labels[labels >= 5])]


def initial_state(torch) -> dict:
    torch.manual_seed(0)
    net = torch.nn.Sequential(torch.nn.Linear(64, 32), torch.nn.ReLU(), torch.nn.Linear(32, 10))
    return {k: v.detach().numpy().copy() for k, v in net.state_dict().items()}


def agem_program(torch, state: dict) -> list:
    """GEM's ``Net`` with A-GEM's projection, trained on the two tasks in turn."""
    T, nn, F, optim = libraries(torch)
    record = []

    def store_grad(pp, grads, grad_dims, tid):
        grads[:, tid].fill_(0.0)
        cnt = 0
        for param in pp():
            if param.grad is not None:
                beg = 0 if cnt == 0 else sum(grad_dims[:cnt])
                en = sum(grad_dims[:cnt + 1])
                grads[beg: en, tid].copy_(param.grad.view(-1))  # repository: .grad.data
            cnt += 1

    def overwrite_grad(pp, newgrad, grad_dims):
        cnt = 0
        for param in pp():
            if param.grad is not None:
                beg = 0 if cnt == 0 else sum(grad_dims[:cnt])
                en = sum(grad_dims[:cnt + 1])
                this_grad = newgrad[beg: en].contiguous().view(param.grad.size())
                param.grad.copy_(this_grad)  # repository: param.grad.data.copy_
            cnt += 1

    class Net(nn.Module):
        def __init__(self, n_inputs, n_outputs, n_tasks, args):
            super(Net, self).__init__()
            self.net = nn.Sequential(nn.Linear(n_inputs, 32), nn.ReLU(),
                                     nn.Linear(32, n_outputs))
            self.ce = nn.CrossEntropyLoss()
            self.n_outputs = n_outputs
            self.opt = optim.SGD(self.parameters(), args["lr"])
            self.n_memories = args["n_memories"]
            # repository: torch.Tensor(n_tasks, self.n_memories, n_inputs) (see the top)
            self.memory_data = T.zeros(n_tasks, self.n_memories, n_inputs)
            self.memory_labs = T.LongTensor(n_tasks, self.n_memories)
            self.grad_dims = []
            for param in self.parameters():
                self.grad_dims.append(param.numel())  # repository: param.data.numel()
            self.grads = T.zeros(sum(self.grad_dims), n_tasks)  # repository: torch.Tensor
            self.observed_tasks = []
            self.old_task = -1
            self.mem_cnt = 0

        def forward(self, x, t):
            return self.net(x)

        def observe(self, x, t, y):
            if t != self.old_task:
                self.observed_tasks.append(t)
                self.old_task = t
            bsz = y.size(0)
            endcnt = min(self.mem_cnt + bsz, self.n_memories)
            effbsz = endcnt - self.mem_cnt
            self.memory_data[t, self.mem_cnt: endcnt].copy_(x[: effbsz])
            if bsz == 1:
                self.memory_labs[t, self.mem_cnt] = y[0]
            else:
                self.memory_labs[t, self.mem_cnt: endcnt].copy_(y[: effbsz])
            self.mem_cnt += effbsz
            if self.mem_cnt == self.n_memories:
                self.mem_cnt = 0
            if len(self.observed_tasks) > 1:  # A-GEM: one averaged reference gradient
                self.zero_grad()
                past = self.observed_tasks[:-1]
                ptloss = self.ce(self.forward(self.memory_data[past].view(-1, x.size(1)), 0),
                                 self.memory_labs[past].view(-1))
                ptloss.backward()
                store_grad(self.parameters, self.grads, self.grad_dims, 0)
            self.zero_grad()
            loss = self.ce(self.forward(x, t), y)
            loss.backward()
            record.append(loss.item())
            if len(self.observed_tasks) > 1:
                store_grad(self.parameters, self.grads, self.grad_dims, 1)
                g, g_ref = self.grads[:, 1], self.grads[:, 0]
                dotp = T.dot(g, g_ref)
                if dotp.item() < 0:
                    g_tilde = g - (dotp / T.dot(g_ref, g_ref)) * g_ref
                    overwrite_grad(self.parameters, g_tilde, self.grad_dims)
                    record.append(g_tilde)
            self.opt.step()

    tasks = split_digits()
    model = Net(64, 10, 2, dict(lr=0.2, n_memories=40))
    model.net.load_state_dict({k: T.tensor(v) for k, v in state.items()})
    for t, (x, y) in enumerate(tasks):
        x, y = T.tensor(x), T.tensor(y)
        for epoch in range(3):
            for i in range(0, len(y), 20):
                model.observe(x[i:i + 20], t, y[i:i + 20])
        for (xs, ys) in tasks[:t + 1]:
            pred = model(T.tensor(xs), 0).argmax(dim=1)
            record.append((pred == T.tensor(ys)).double().mean())
    return record + [model.memory_data, model.memory_labs]


def agem_vector_program(torch, state: dict) -> list:
    """A-GEM's projection on flattened gradients: ``parameters_to_vector`` of the grads,
    ``vector_to_parameters`` of the projected one back into them."""
    T, nn, F, optim = libraries(torch)
    utils = nn.utils
    model = nn.Sequential(nn.Linear(64, 32), nn.ReLU(), nn.Linear(32, 10))
    model.load_state_dict({k: T.tensor(v) for k, v in state.items()})
    optimizer = optim.SGD(model.parameters(), lr=0.2, momentum=0.5)
    (xa, ya), (xb, yb) = [(T.tensor(x), T.tensor(y)) for x, y in split_digits()]
    memory = (xa[:30], ya[:30])
    record = []

    def flat_grad(loss):
        optimizer.zero_grad()
        loss.backward()
        return utils.parameters_to_vector([p.grad for p in model.parameters()])

    for x, y in ((xa, ya), (xb, yb)):
        for i in range(0, len(y), 25):
            g = flat_grad(F.cross_entropy(model(x[i:i + 25]), y[i:i + 25]))
            if x is xb:
                g_ref = flat_grad(F.cross_entropy(model(memory[0]), memory[1]))
                if T.dot(g, g_ref) < 0:
                    g = g - T.dot(g, g_ref) / T.dot(g_ref, g_ref) * g_ref
                    record.append(g)
                utils.vector_to_parameters(g, [p.grad for p in model.parameters()])
            optimizer.step()
            record += [p.detach().clone() for p in model.parameters()]
    return record


def assert_records(got: list, want: list) -> None:
    assert len(got) == len(want)
    for i, (a, b) in enumerate(zip(got, want)):
        a, b = (v.detach().numpy() if hasattr(v, "detach") else v for v in (a, b))
        np.testing.assert_allclose(np.asarray(a, float), np.asarray(b, float), rtol=1e-10,
                                   atol=1e-12, err_msg=f"record {i}")


def test_agem_ring_buffer_and_projected_gradients(torch):
    state = initial_state(torch)
    want = agem_program(torch, state)
    assert_records(agem_program(None, state), want)
    assert sum(1 for r in want if getattr(r, "shape", ()) == (2410,)) > 0  # projected


def test_agem_with_parameters_to_vector(torch):
    state = initial_state(torch)
    want = agem_vector_program(torch, state)
    assert_records(agem_vector_program(None, state), want)
    assert sum(1 for r in want if tuple(getattr(r, "shape", ())) == (2410,)) > 0
