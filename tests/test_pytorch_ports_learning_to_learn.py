""""Learning to learn by gradient descent by gradient descent" (Andrychowicz et al. 2016) as
PyTorch readers write it (the widely copied notebook port: a coordinatewise two-layer
``nn.LSTMCell`` optimizer with the paper's gradient preprocessing, trained on random
quadratics ``|W theta - y|^2`` through unrolled optimisation steps). Written once for a
library ``T`` (``autograd`` here, ``torch`` there) and run step for step next to PyTorch's
from the same weights (float64): every optimizee loss, the meta-gradients and the
optimizer net's parameters agree to 1e-10.

The loop keeps the program's habits: ``loss.backward(retain_graph=True)`` then
``p.grad`` of a non-leaf parameter kept by ``retain_grad()``; hidden states written into
zero tensors by slice assignment (``hidden_states2[i][a:b] = new_hidden[i]``), which
makes them part of the graph; the preprocessing filling ``inp2[:, 0][keep_grads]``
through a column view; ``all_losses += loss``; parameters handed to a fresh optimizee
every step, detached every ``unroll`` steps. The second-order variant takes
``torch.autograd.grad(loss, params, create_graph=True)`` (``autograd.grad`` here) and lets
the meta-gradient flow through the optimizee's gradients as well.

Lines written differently here, and why:
- ``Variable(torch.zeros(...))`` is ``T.zeros(...)``: ``Variable`` is PyTorch's pre-0.4
  wrapper (refused here with that hint) and a no-op there;
- ``detach_var`` is ``v.detach().clone().requires_grad_()`` rather than
  ``Variable(v.data, requires_grad=True)``: ``.data`` is a NumPy array here, by design;
  and there it shares ``theta.grad``'s storage without its version counter, so the
  accumulation of the next backward silently rewrites the gradient the LSTM saved
  (``detach()`` alone makes PyTorch raise the in-place error): the copy keeps both runs
  exact;
- ``loss.data.cpu().numpy()`` is ``loss.detach().cpu().numpy().copy()``: there the array
  aliases ``loss``, and at the first step of each unroll ``all_losses`` *is* ``loss``, so
  ``all_losses += loss`` rewrites the recorded value into the unroll's running sum (the
  program's plotted curve has those sums); here an in-place update recorded in a graph
  gives the tensor a new array (the rebase of ``_record_update``), so earlier views keep
  the old value. The copy records what the program means, in both;
- random quadratics come from one NumPy generator fed to both runs.
"""

import numpy as np

import autograd as ag
import nn
from test_pytorch_ports_pinn import assert_same


def libraries(torch=None) -> tuple:
    if torch is None:
        return ag, nn, nn.optim, ag.grad
    return torch, torch.nn, torch.optim, torch.autograd.grad


def build(torch, rng):
    """The program's classes and ``do_fit`` for one library; quadratics drawn from rng."""
    T, lib, optim, grad = libraries(torch)

    def randn(*size):
        return T.tensor(rng.standard_normal(size))

    class QuadraticLoss:
        def __init__(self, **kwargs):
            self.W = randn(10, 10)
            self.y = randn(10)

        def get_loss(self, theta):
            return T.sum((self.W.matmul(theta) - self.y)**2)

    class QuadOptimizee(lib.Module):
        def __init__(self, theta=None):
            super().__init__()
            if theta is None:
                self.theta = lib.Parameter(T.zeros(10))
            else:
                self.theta = theta

        def forward(self, target):
            return target.get_loss(self.theta)

        def all_named_parameters(self):
            return [('theta', self.theta)]

    class Optimizer(lib.Module):
        def __init__(self, preproc=False, hidden_sz=20, preproc_factor=10.0):
            super().__init__()
            self.hidden_sz = hidden_sz
            if preproc:
                self.recurs = lib.LSTMCell(2, hidden_sz)
            else:
                self.recurs = lib.LSTMCell(1, hidden_sz)
            self.recurs2 = lib.LSTMCell(hidden_sz, hidden_sz)
            self.output = lib.Linear(hidden_sz, 1)
            self.preproc = preproc
            self.preproc_factor = preproc_factor
            self.preproc_threshold = np.exp(-preproc_factor)

        def forward(self, inp, hidden, cell):
            if self.preproc:
                inp = inp.detach()  # ``inp.data`` there: a NumPy array here
                inp2 = T.zeros(inp.size()[0], 2)
                keep_grads = (T.abs(inp) >= self.preproc_threshold).squeeze()
                inp2[:, 0][keep_grads] = (T.log(T.abs(inp[keep_grads]) + 1e-8)
                                          / self.preproc_factor).squeeze()
                inp2[:, 1][keep_grads] = T.sign(inp[keep_grads]).squeeze()
                inp2[:, 0][~keep_grads] = -1
                inp2[:, 1][~keep_grads] = (float(np.exp(self.preproc_factor))
                                           * inp[~keep_grads]).squeeze()
                inp = inp2
            hidden0, cell0 = self.recurs(inp, (hidden[0], cell[0]))
            hidden1, cell1 = self.recurs2(hidden0, (hidden[1], cell[1]))
            return self.output(hidden1), (hidden0, hidden1), (cell0, cell1)

    def detach_var(v):
        var = v.detach().clone().requires_grad_()
        var.retain_grad()
        return var

    def do_fit(opt_net, meta_opt, target_cls, target_to_opt, unroll, optim_it, out_mul,
               should_train=True, second_order=False, record=None):
        if should_train:
            opt_net.train()
        else:
            opt_net.eval()
            unroll = 1
        target = target_cls(training=should_train)
        optimizee = target_to_opt()
        n_params = 0
        for p in optimizee.parameters():
            n_params += int(np.prod(p.size()))
        hidden_states = [T.zeros(n_params, opt_net.hidden_sz) for _ in range(2)]
        cell_states = [T.zeros(n_params, opt_net.hidden_sz) for _ in range(2)]
        all_losses_ever = []
        if should_train:
            meta_opt.zero_grad()
        all_losses = None
        for iteration in range(1, optim_it + 1):
            loss = optimizee(target)
            if all_losses is None:
                all_losses = loss
            else:
                all_losses += loss
            all_losses_ever.append(loss.detach().cpu().numpy().copy())  # see the docstring
            if second_order:
                named = optimizee.all_named_parameters()
                grads = grad(loss, [p for _, p in named], create_graph=True)
            else:
                loss.backward(retain_graph=should_train)
            offset = 0
            result_params = {}
            hidden_states2 = [T.zeros(n_params, opt_net.hidden_sz) for _ in range(2)]
            cell_states2 = [T.zeros(n_params, opt_net.hidden_sz) for _ in range(2)]
            for index, (name, p) in enumerate(optimizee.all_named_parameters()):
                cur_sz = int(np.prod(p.size()))
                if second_order:
                    gradients = grads[index].view(cur_sz, 1)
                else:
                    # disconnected from the graph, but we still get gradients from the rest
                    gradients = detach_var(p.grad.view(cur_sz, 1))
                updates, new_hidden, new_cell = opt_net(
                    gradients,
                    [h[offset:offset + cur_sz] for h in hidden_states],
                    [c[offset:offset + cur_sz] for c in cell_states])
                for i in range(len(new_hidden)):
                    hidden_states2[i][offset:offset + cur_sz] = new_hidden[i]
                    cell_states2[i][offset:offset + cur_sz] = new_cell[i]
                result_params[name] = p + updates.view(*p.size()) * out_mul
                result_params[name].retain_grad()
                offset += cur_sz
            if iteration % unroll == 0:
                if should_train:
                    meta_opt.zero_grad()
                    all_losses.backward()
                    if record is not None:
                        record.append([q.grad.numpy().copy() for q in opt_net.parameters()])
                    meta_opt.step()
                all_losses = None
                optimizee = target_to_opt(**{k: detach_var(v) for k, v in result_params.items()})
                hidden_states = [detach_var(v) for v in hidden_states2]
                cell_states = [detach_var(v) for v in cell_states2]
            else:
                optimizee = target_to_opt(**result_params)
                assert len(list(optimizee.all_named_parameters()))
                hidden_states = hidden_states2
                cell_states = cell_states2
        return all_losses_ever

    return Optimizer, QuadraticLoss, QuadOptimizee, do_fit


def state(model) -> dict:
    return {k: v.detach().numpy().copy() for k, v in model.state_dict().items()}


def run(torch, preproc: bool, second_order: bool, start=None) -> list:
    T, optim = libraries(torch)[::2]
    Optimizer, QuadraticLoss, QuadOptimizee, do_fit = build(torch, np.random.default_rng(0))
    opt_net = Optimizer(preproc=preproc)
    if start is not None:
        opt_net.load_state_dict({k: T.tensor(v) for k, v in start.items()})
    meta_opt = optim.Adam(opt_net.parameters(), lr=0.01)
    out_mul = 0.1 if preproc else 1.0
    record = [state(opt_net)]
    for _ in range(2):
        losses = do_fit(opt_net, meta_opt, QuadraticLoss, QuadOptimizee, unroll=4, optim_it=8,
                        out_mul=out_mul, second_order=second_order, record=record)
        record += [np.array(losses), state(opt_net)]
    losses = do_fit(opt_net, meta_opt, QuadraticLoss, QuadOptimizee, unroll=4, optim_it=6,
                    out_mul=out_mul, should_train=False)
    return record + [np.array(losses)]


def check_against_torch(torch, preproc: bool, second_order: bool = False) -> list:
    torch.manual_seed(0)
    want = run(torch, preproc, second_order)
    got = run(None, preproc, second_order, start=want[0])
    assert_same(got[1:], want[1:])
    return got


def test_lstm_optimizer_trains_on_quadratics_as_torch(torch):
    got = check_against_torch(torch, preproc=False)
    assert len(got) == 1 + 2 * 4 + 1


def test_lstm_optimizer_with_gradient_preprocessing_as_torch(torch):
    check_against_torch(torch, preproc=True)


def test_lstm_optimizer_second_order_meta_gradient_as_torch(torch):
    check_against_torch(torch, preproc=False, second_order=True)
