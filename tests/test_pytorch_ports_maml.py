"""MAML on sinusoid regression (Finn et al., 2017) as PyTorch readers write it: a
functional MLP whose weights are a list of tensors, an inner loop of
``grads = torch.autograd.grad(loss, params, create_graph=True)`` and
``fast = [p - alpha * g for p, g in zip(params, grads)]`` over several steps, the query
losses averaged over a task batch and ``meta_optimizer.step()`` with Adam; the
first-order variant (``create_graph=False``); the same with a module called through
``torch.func.functional_call(model, params_dict, (x,))``; and Reptile's update (in place
under ``no_grad``, or as ``p.grad = p.data - p_task.data`` for Adam). Written
once for a library ``T`` (``autograd`` here, ``torch`` there), each runs step for step
next to PyTorch's from the same weights (float64): losses, gradients and parameters
agree to 1e-10. Tasks (amplitude, phase, points) are drawn with NumPy and fed to both.
The MLP's weights are drawn by PyTorch (``uniform_`` as nn.Linear's bounds) and loaded
into ours. Time, this loaded 2-core machine, 2026-12-01, noted, not asserted: the
second-order run (3 steps of 4 tasks, 3 inner steps) takes about 0.13 s in each library
(PyTorch's first run in a process about 4 s more, its warm-up).
"""

import numpy as np
import pytest

import autograd as ag
import nn
from test_pytorch_ports_pinn import assert_same


def libraries(torch=None) -> tuple:
    if torch is None:
        return ag, nn, nn.functional, nn.optim, ag.func, ag.grad
    return torch, torch.nn, torch.nn.functional, torch.optim, torch.func, torch.autograd.grad


def sinusoid_tasks(rng, n_tasks: int, k: int) -> list:
    """(x_support, y_support, x_query, y_query) of sinusoids A sin(x - phase)."""
    tasks = []
    for _ in range(n_tasks):
        amplitude, phase = rng.uniform(0.1, 5.0), rng.uniform(0, np.pi)
        x = rng.uniform(-5.0, 5.0, (2 * k, 1))
        y = amplitude * np.sin(x - phase)
        tasks.append((x[:k], y[:k], x[k:], y[k:]))
    return tasks


def init_weights(T, sizes=(1, 16, 16, 1)) -> list:
    params = []
    for fan_in, fan_out in zip(sizes[:-1], sizes[1:]):
        bound = 1 / np.sqrt(fan_in)
        w = T.empty(fan_out, fan_in).uniform_(-bound, bound)
        b = T.zeros(fan_out)
        params += [w.requires_grad_(), b.requires_grad_()]
    return params


def maml(torch, tasks_per_step, start=None, first_order=False, inner_steps=3) -> list:
    T, lib, F, optim, func, grad = libraries(torch)

    def forward(x, params):
        h = F.relu(F.linear(x, params[0], params[1]))
        h = F.relu(F.linear(h, params[2], params[3]))
        return F.linear(h, params[4], params[5])

    params = init_weights(T)
    if start is not None:
        with T.no_grad():
            for p, value in zip(params, start):
                p.copy_(T.tensor(value))
    record = [[p.detach().numpy().copy() for p in params]]
    meta_optimizer = optim.Adam(params, lr=1e-3)
    alpha = 0.01
    for tasks in tasks_per_step:
        meta_optimizer.zero_grad()
        meta_loss = 0.0
        inner_losses = []
        for x_s, y_s, x_q, y_q in tasks:
            x_s, y_s, x_q, y_q = map(T.tensor, (x_s, y_s, x_q, y_q))
            fast = params
            for _ in range(inner_steps):
                loss = F.mse_loss(forward(x_s, fast), y_s)
                grads = grad(loss, fast, create_graph=not first_order)
                fast = [p - alpha * g for p, g in zip(fast, grads)]
                inner_losses.append(loss.item())
            meta_loss = meta_loss + F.mse_loss(forward(x_q, fast), y_q)
        meta_loss = meta_loss / len(tasks)
        meta_loss.backward()
        meta_optimizer.step()
        record += [meta_loss.item(), inner_losses, [p.grad.numpy().copy() for p in params]]
    return record + [[p.detach().numpy().copy() for p in params]]


def maml_functional_call(torch, tasks_per_step, start=None, inner_steps=2,
                         stateless=False) -> list:
    """The module spelling: ``params = dict(model.named_parameters())`` and the inner
    loop's fast weights a dict given to ``torch.func.functional_call`` (with
    ``stateless``, to its older path ``torch.nn.utils.stateless.functional_call``)."""
    T, lib, F, optim, func, grad = libraries(torch)
    functional_call = lib.utils.stateless.functional_call if stateless else func.functional_call
    model = lib.Sequential(lib.Linear(1, 16), lib.ReLU(), lib.Linear(16, 16), lib.ReLU(),
                           lib.Linear(16, 1))
    if start is not None:
        model.load_state_dict({k: T.tensor(v) for k, v in start.items()})
    record = [{k: v.detach().numpy().copy() for k, v in model.state_dict().items()}]
    meta_optimizer = optim.Adam(model.parameters(), lr=1e-3)
    alpha = 0.01
    for tasks in tasks_per_step:
        meta_optimizer.zero_grad()
        losses = []
        for x_s, y_s, x_q, y_q in tasks:
            x_s, y_s, x_q, y_q = map(T.tensor, (x_s, y_s, x_q, y_q))
            params = dict(model.named_parameters())
            for _ in range(inner_steps):
                loss = F.mse_loss(functional_call(model, params, (x_s,)), y_s)
                grads = grad(loss, params.values(), create_graph=True)
                params = {name: p - alpha * g
                          for (name, p), g in zip(params.items(), grads)}
            losses.append(F.mse_loss(functional_call(model, params, (x_q,)), y_q))
        meta_loss = T.stack(losses).mean()
        meta_loss.backward()
        meta_optimizer.step()
        record += [meta_loss.item(),
                   [p.grad.numpy().copy() for p in model.parameters()]]
    return record + [{k: v.detach().numpy().copy() for k, v in model.state_dict().items()}]


def reptile(torch, tasks_per_step, start=None, inner_steps=4, meta_adam=False) -> list:
    """Reptile (Nichol et al., 2018): a copy of the model trained on one task with SGD,
    then ``p += epsilon * (p_task - p)`` on the meta-model under ``no_grad``; with
    ``meta_adam`` the other common spelling, the difference given to a meta-optimizer as
    the gradient, ``p.grad = p.data - p_task.data`` and Adam's ``step()``."""
    T, lib, F, optim, func, grad = libraries(torch)
    model = lib.Sequential(lib.Linear(1, 16), lib.Tanh(), lib.Linear(16, 1))
    if start is not None:
        model.load_state_dict({k: T.tensor(v) for k, v in start.items()})
    record = [{k: v.detach().numpy().copy() for k, v in model.state_dict().items()}]
    task_model = lib.Sequential(lib.Linear(1, 16), lib.Tanh(), lib.Linear(16, 1))
    epsilon = 0.1
    meta_optimizer = optim.Adam(model.parameters(), lr=1e-2)
    for tasks in tasks_per_step:
        for x_s, y_s, x_q, y_q in tasks:
            x, y = T.tensor(np.concatenate([x_s, x_q])), T.tensor(np.concatenate([y_s, y_q]))
            task_model.load_state_dict(model.state_dict())
            inner_optimizer = optim.SGD(task_model.parameters(), lr=0.02)
            for _ in range(inner_steps):
                inner_optimizer.zero_grad()
                loss = F.mse_loss(task_model(x), y)
                loss.backward()
                inner_optimizer.step()
                record.append(loss.item())
            if meta_adam:
                meta_optimizer.zero_grad()
                for p, q in zip(model.parameters(), task_model.parameters()):
                    p.grad = p.data - q.data  # a NumPy difference here: grad takes it
                meta_optimizer.step()
                continue
            with T.no_grad():
                for p, q in zip(model.parameters(), task_model.parameters()):
                    p += epsilon * (q - p)
        record.append({k: v.detach().numpy().copy() for k, v in model.state_dict().items()})
    return record


def draw(seed=0, steps=3, tasks=4, k=5) -> list:
    rng = np.random.RandomState(seed)
    return [sinusoid_tasks(rng, tasks, k) for _ in range(steps)]


def test_maml_second_order_trains_as_torch(torch):
    torch.manual_seed(0)
    tasks = draw()
    want = maml(torch, tasks)
    got = maml(None, tasks, start=want[0])
    assert_same(got[1:], want[1:])


def test_first_order_maml_trains_as_torch(torch):
    torch.manual_seed(1)
    tasks = draw(1)
    want = maml(torch, tasks, first_order=True)
    got = maml(None, tasks, start=want[0], first_order=True)
    assert_same(got[1:], want[1:])


def test_maml_through_functional_call_trains_as_torch(torch):
    torch.manual_seed(2)
    tasks = draw(2)
    want = maml_functional_call(torch, tasks)
    got = maml_functional_call(None, tasks, start=want[0])
    assert_same(got[1:], want[1:])


@pytest.mark.filterwarnings("ignore:.*stateless.functional_call.*deprecated:FutureWarning")
def test_maml_through_stateless_functional_call_trains_as_torch(torch):
    torch.manual_seed(2)
    tasks = draw(2)
    want = maml_functional_call(torch, tasks, stateless=True)
    got = maml_functional_call(None, tasks, start=want[0], stateless=True)
    assert_same(got[1:], want[1:])


def test_reptile_trains_as_torch(torch):
    torch.manual_seed(3)
    tasks = draw(3)
    want = reptile(torch, tasks)
    got = reptile(None, tasks, start=want[0])
    assert_same(got[1:], want[1:])


def test_reptile_with_a_meta_optimizer_trains_as_torch(torch):
    torch.manual_seed(4)
    tasks = draw(4)
    want = reptile(torch, tasks, meta_adam=True)
    got = reptile(None, tasks, start=want[0], meta_adam=True)
    assert_same(got[1:], want[1:])
