"""A task-conditioned hypernetwork written the way current PyTorch readers write one with
``torch.func``: a target ``nn.Sequential`` whose parameters are only a template (names,
shapes, ``numel``), a hypernetwork mapping an ``nn.Embedding`` task code to one flat
vector of all its weights, the vector cut with ``split(sizes)`` and ``view(shape)`` into
a dict, run by ``torch.func.functional_call(target, params, (x,))`` for every task at once
under ``torch.vmap``; trained with Adam and ``clip_grad_norm_`` on random sinusoid tasks,
then adapted to a new task by fitting only a fresh code ``z`` (the hypernetwork frozen with
``requires_grad_(False)``) and checked with ``torch.func.grad`` of the task loss in z.
Written once for a library ``T`` (``autograd`` here, ``torch`` there) and run step for step
next to PyTorch's from the same weights (float64): losses, gradients and parameters agree
to 1e-10.

Lines written differently here, and why:
- ``torch.split(flat, sizes)`` is ``flat.split(sizes)``: ``np.split`` means indices where
  ``torch.split`` means sizes, so the library keeps PyTorch's meaning on the method;
- the tasks come from one NumPy generator fed to both runs.
"""

import math

import numpy as np

import autograd as ag
import nn
from test_pytorch_ports_pinn import assert_same


def libraries(torch=None) -> tuple:
    if torch is None:
        return ag, nn, nn.functional, nn.optim, ag.func
    return torch, torch.nn, torch.nn.functional, torch.optim, torch.func


def sine_tasks(rng, n_tasks, n_points):
    amplitude = rng.uniform(0.5, 2.0, (n_tasks, 1, 1))
    phase = rng.uniform(0, np.pi, (n_tasks, 1, 1))
    x = rng.uniform(-3, 3, (n_tasks, n_points, 1))
    return x, amplitude * np.sin(x + phase)


def program(torch, tasks, new_task, sync) -> list:
    T, lib, F, optim, func = libraries(torch)
    record = []

    target = lib.Sequential(lib.Linear(1, 8), lib.Tanh(), lib.Linear(8, 1))
    names = [n for n, _ in target.named_parameters()]
    shapes = [p.shape for _, p in target.named_parameters()]
    sizes = [p.numel() for p in target.parameters()]
    n_params = sum(sizes)
    assert n_params == sum(math.prod(s) for s in shapes)

    class HyperNetwork(lib.Module):
        def __init__(self, num_tasks, z_dim=3, hidden=16):
            super().__init__()
            self.embedding = lib.Embedding(num_tasks, z_dim)
            self.net = lib.Sequential(lib.Linear(z_dim, hidden), lib.ReLU(),
                                      lib.Linear(hidden, n_params))

        def forward(self, task_ids=None, z=None):
            if z is None:
                z = self.embedding(task_ids)
            return self.net(z)

    def unflatten(flat):
        chunks = flat.split(sizes)
        return {n: c.view(s) for n, c, s in zip(names, chunks, shapes)}

    def predict(flat, x):
        return func.functional_call(target, unflatten(flat), (x,))

    xs, ys = (T.tensor(a) for a in tasks)
    hyper = HyperNetwork(num_tasks=xs.shape[0])
    sync(hyper)
    optimizer = optim.Adam(hyper.parameters(), lr=0.01)
    task_ids = T.arange(xs.shape[0])
    for step in range(6):
        flat = hyper(task_ids)
        preds = T.vmap(predict)(flat, xs)
        loss = F.mse_loss(preds, ys)
        optimizer.zero_grad()
        loss.backward()
        norm = lib.utils.clip_grad_norm_(hyper.parameters(), max_norm=1.0)
        record.append([loss.item(), norm.item(), hyper.embedding.weight.grad.numpy().copy(),
                       hyper.net[2].weight.grad.numpy().copy()])
        optimizer.step()

    # a new task: fit only its code, the hypernetwork frozen
    hyper.requires_grad_(False)
    x_new, y_new = (T.tensor(a) for a in new_task)
    z = T.zeros(1, 3, requires_grad=True)
    z_opt = optim.SGD([z], lr=0.1, momentum=0.5)

    def task_loss(z):
        return F.mse_loss(predict(hyper(z=z)[0], x_new), y_new)

    for step in range(4):
        loss = task_loss(z)
        z_opt.zero_grad()
        loss.backward()
        record.append([loss.item(), z.grad.numpy().copy(),
                       func.grad(task_loss)(z.detach()).numpy().copy()])
        z_opt.step()
    assert all(p.grad is None or not p.requires_grad for p in hyper.parameters())
    record.append({k: v.detach().numpy().copy() for k, v in hyper.state_dict().items()})
    return record + [z.detach().numpy().copy()]


def test_task_conditioned_hypernetwork_with_functional_call_and_vmap_as_torch(torch):
    rng = np.random.default_rng(3)
    tasks, new_task = sine_tasks(rng, 5, 10), tuple(a[0] for a in sine_tasks(rng, 1, 10))
    starts = []
    want = program(torch, tasks, new_task,
                   lambda m: starts.append({k: v.detach().numpy().copy()
                                            for k, v in m.state_dict().items()}))
    got = program(None, tasks, new_task, lambda m: m.load_state_dict(starts.pop()))
    assert_same(got, want)
    assert got[5][0] < got[0][0] and got[9][0] < got[6][0]  # both fits lower their loss
