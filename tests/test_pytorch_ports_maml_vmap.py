"""MAML on sinusoids with function transforms, as PyTorch's functorch example
(``maml_regression/evjang_transforms.py``, after Eric Jang's JAX MAML) writes it: the
inner step ``grads = grad(inner_loss)(tuple(params), x1, y1)`` inside a per-task loss
that ``vmap`` maps over a batch of tasks, the meta-loss ``sum(inner_losses) /
len(inner_losses)`` (Python's ``sum`` over the vmapped 1-d tensor), Adam on the list of
weights; then the example's test-time adaptation, five steps of
``torch.autograd.grad(F.l1_loss(...), t_params, create_graph=True)``. Written once for a
library ``T`` (``autograd`` here, ``torch`` there) and run step for step next to
PyTorch's from the same weights (float64): losses, gradients and parameters agree to
1e-10. Tasks are drawn with NumPy and fed to both.

The example's ``torch.Tensor(40, 1).uniform_(-1.0, 1.0)`` is written
``T.empty(40, 1).uniform_(...)``: ``Tensor(3, 2)`` is a UsageError here (``Tensor`` takes
data), by design. Time, this loaded 2-core machine, 2026-12-01, noted, not asserted:
the run (4 meta-steps of 4 tasks, then the adaptation) about 0.05 s here, 0.03 s in
PyTorch.
"""

import math

import numpy as np

import autograd as ag
import nn
from test_pytorch_ports_pinn import assert_same


def libraries(torch=None) -> tuple:
    if torch is None:
        return ag, nn.functional, nn.optim, ag.func, ag.grad
    return torch, torch.nn.functional, torch.optim, torch.func, torch.autograd.grad


def sample_tasks(rng, outer_batch_size, inner_batch_size) -> tuple:
    """The example's tasks: A sin(x + b), two draws of points per task."""
    As = rng.uniform(low=0.1, high=0.5, size=outer_batch_size)
    phases = rng.uniform(low=0.0, high=np.pi, size=outer_batch_size)

    def get_batch():
        xs, ys = [], []
        for A, phase in zip(As, phases):
            x = rng.uniform(low=-5.0, high=5.0, size=(inner_batch_size, 1))
            xs.append(x)
            ys.append(A * np.sin(x + phase))
        return np.stack(xs), np.stack(ys)

    x1, y1 = get_batch()
    x2, y2 = get_batch()
    return x1, y1, x2, y2


def maml_vmap(torch, tasks_per_step, adapt_task, start=None, hidden=12) -> list:
    T, F, optim, func, autograd_grad = libraries(torch)
    grad, vmap = func.grad, func.vmap

    def net(params, x):
        x = F.linear(x, params[0], params[1])
        x = F.relu(x)
        x = F.linear(x, params[2], params[3])
        x = F.relu(x)
        x = F.linear(x, params[4], params[5])
        return x

    params = [
        T.empty(hidden, 1).uniform_(-1.0, 1.0).requires_grad_(),
        T.empty(hidden).zero_().requires_grad_(),
        T.empty(hidden, hidden)
        .uniform_(-1.0 / math.sqrt(hidden), 1.0 / math.sqrt(hidden)).requires_grad_(),
        T.empty(hidden).zero_().requires_grad_(),
        T.empty(1, hidden)
        .uniform_(-1.0 / math.sqrt(hidden), 1.0 / math.sqrt(hidden)).requires_grad_(),
        T.empty(1).zero_().requires_grad_(),
    ]
    if start is not None:
        with T.no_grad():
            for p, value in zip(params, start):
                p.copy_(T.tensor(value))
    record = [[p.detach().numpy().copy() for p in params]]

    def mse_loss(x, y):
        return T.mean((x - y) ** 2)

    opt = optim.Adam(params, lr=1e-3)
    alpha = 0.1
    for task in tasks_per_step:
        opt.zero_grad()

        def get_loss_for_task(x1, y1, x2, y2):
            def inner_loss(params, x1, y1):
                f = net(params, x1)
                loss = mse_loss(f, y1)
                return loss

            grads = grad(inner_loss)(tuple(params), x1, y1)
            new_params = [(params[i] - alpha * grads[i]) for i in range(len(params))]
            v_f = net(new_params, x2)
            return mse_loss(v_f, y2)

        inner_losses = vmap(get_loss_for_task)(*map(T.tensor, task))
        loss2 = sum(inner_losses) / len(inner_losses)
        loss2.backward()
        opt.step()
        record += [inner_losses.detach().numpy().copy(), loss2.item(),
                   [p.grad.numpy().copy() for p in params]]
    record.append([p.detach().numpy().copy() for p in params])

    t_x, t_y = map(T.tensor, adapt_task)  # the example's test-time adaptation
    opt.zero_grad()
    t_params = params
    for k in range(5):
        t_f = net(t_params, t_x)
        t_loss = F.l1_loss(t_f, t_y)
        grads = autograd_grad(t_loss, t_params, create_graph=True)
        t_params = [(t_params[i] - alpha * grads[i]) for i in range(len(params))]
        record.append(t_loss.item())
    test_x = T.arange(-2 * math.pi, 2 * math.pi, step=0.25).unsqueeze(1)
    test_f = net(t_params, test_x)
    test_f.sum().backward()  # through the five adaptation steps into the meta-weights
    return record + [test_f.detach().numpy(), [p.grad.numpy().copy() for p in params]]


def test_functorch_maml_example_trains_as_torch(torch):
    torch.manual_seed(0)
    rng = np.random.RandomState(0)
    tasks = [sample_tasks(rng, 4, 10) for _ in range(4)]
    t_x = rng.uniform(-5, 5, (4, 1))
    adapt_task = (t_x, 0.3 * np.sin(t_x + 1.0))
    want = maml_vmap(torch, tasks, adapt_task)
    got = maml_vmap(None, tasks, adapt_task, start=want[0])
    assert_same(got[1:], want[1:])
