"""DeepONet (Lu et al., "Learning nonlinear operators via DeepONet") as PyTorch users
write it after DeepXDE's PyTorch backend: fully connected branch and trunk nets
(``ModuleList`` of ``Linear`` with Glorot-normal weights and zero biases, ``torch.tanh``
between), their outputs joined by ``torch.einsum`` plus a scalar bias ``nn.Parameter``,
trained on the antiderivative operator G(u)(y) = integral_0^y u of functions u drawn
from a Gaussian random field (sensor values at m points), with Adam under DeepXDE's
"inverse time" decay as a ``LambdaLR``. Two layouts: the "cartesian product" one (every
function against every point, ``einsum("bi,ni->bn")``) fitted to data, and the aligned
one (``einsum("bi,bi->b")``) of the physics-informed DeepONet (Wang, Wang and
Perdikaris), whose loss is the residual ds/dy - u(y) through ``torch.autograd.grad(...,
create_graph=True)`` plus s(0) = 0. Each program is written once for a library ``T``
(``autograd`` here, ``torch`` there) and runs step for step next to PyTorch's from the
same weights (float64): losses, learning rates, gradients and parameters agree to 1e-10.

Lines written differently here, and why:
- the networks start from PyTorch's Glorot-normal draws (``load_state_dict``), the
  test's glue;
- ``torch.autograd.grad`` is ``autograd.grad`` (this library is the autograd package).
"""

import numpy as np

import autograd as ag
import nn

from port_records import assert_same, numpy_of


def libraries(torch=None) -> tuple:
    """(T, lib, optim, grad) for this library, or PyTorch's when ``torch`` is given."""
    if torch is None:
        return ag, nn, nn.optim, ag.grad
    return torch, torch.nn, torch.optim, torch.autograd.grad


def antiderivative_data(functions: int, m: int, points: int, seed: int) -> tuple:
    """u on m sensors in [0, 1] (a Gaussian random field, RBF kernel of length 0.2),
    the query points y and s(y) = integral_0^y u (the trapezoid rule on a fine grid)."""
    rng = np.random.default_rng(seed)
    grid = np.linspace(0, 1, 201)
    kernel = np.exp(-0.5 * (grid[:, None] - grid[None]) ** 2 / 0.2 ** 2)
    chol = np.linalg.cholesky(kernel + 1e-10 * np.eye(len(grid)))
    u_grid = (chol @ rng.standard_normal((len(grid), functions))).T
    s_grid = np.concatenate([np.zeros((functions, 1)),
                             np.cumsum((u_grid[:, 1:] + u_grid[:, :-1]) / 2 * np.diff(grid),
                                       axis=1)], axis=1)
    sensors = np.linspace(0, 1, m)
    y = np.sort(rng.uniform(0, 1, points))
    u = np.stack([np.interp(sensors, grid, row) for row in u_grid])
    s = np.stack([np.interp(y, grid, row) for row in s_grid])
    u_at_y = np.stack([np.interp(y, grid, row) for row in u_grid])
    return u, y[:, None], s, u_at_y


def deeponet_class(T, lib):
    class FNN(lib.Module):
        """Fully-connected neural network."""

        def __init__(self, layer_sizes):
            super().__init__()
            self.linears = lib.ModuleList()
            for i in range(1, len(layer_sizes)):
                self.linears.append(lib.Linear(layer_sizes[i - 1], layer_sizes[i]))
                lib.init.xavier_normal_(self.linears[-1].weight)
                lib.init.zeros_(self.linears[-1].bias)

        def forward(self, x):
            for linear in self.linears[:-1]:
                x = T.tanh(linear(x))
            return self.linears[-1](x)

    class DeepONet(lib.Module):
        def __init__(self, layer_sizes_branch, layer_sizes_trunk, aligned=False):
            super().__init__()
            self.branch = FNN(layer_sizes_branch)
            self.trunk = FNN(layer_sizes_trunk)
            self.b = lib.Parameter(T.tensor(0.0))
            self.aligned = aligned

        def forward(self, inputs):
            x_func, x_loc = inputs
            x_func = self.branch(x_func)
            x_loc = T.tanh(self.trunk(x_loc))
            if self.aligned:
                x = T.einsum("bi,bi->b", x_func, x_loc).unsqueeze(-1)
            else:
                x = T.einsum("bi,ni->bn", x_func, x_loc)
            return x + self.b

    return DeepONet


def data_program(torch=None, start=None) -> list:
    """Fit the antiderivative operator on (function, point) grids, test on new ones."""
    T, lib, optim, _ = libraries(torch)
    DeepONet = deeponet_class(T, lib)
    m = 20
    u, y, s, _ = antiderivative_data(functions=24, m=m, points=16, seed=0)
    u_test, y_test, s_test, _ = antiderivative_data(functions=8, m=m, points=16, seed=1)
    u, y, s = T.tensor(u), T.tensor(y), T.tensor(s)
    net = DeepONet([m, 32, 32], [1, 32, 32])
    if start is not None:
        net.load_state_dict(start)
    record = [{k: numpy_of(v) for k, v in net.state_dict().items()}]
    optimizer = optim.Adam(net.parameters(), lr=0.005)
    scheduler = optim.lr_scheduler.LambdaLR(optimizer, lambda step: 1 / (1 + 0.5 * step / 10))
    for step in range(30):
        optimizer.zero_grad()
        loss = lib.functional.mse_loss(net((u, y)), s)
        loss.backward()
        optimizer.step()
        scheduler.step()
        record += [loss.item(), scheduler.get_last_lr()[0]]
        if step % 10 == 0:
            record.append([numpy_of(p.grad) for p in net.parameters()])
    with T.no_grad():
        prediction = net((T.tensor(u_test), T.tensor(y_test)))
    error = (T.linalg.norm(prediction - T.tensor(s_test)) / T.linalg.norm(T.tensor(s_test)))
    return record + [[numpy_of(p) for p in net.parameters()], error.item()]


def test_deeponet_learns_the_antiderivative_as_torch(torch):
    torch.manual_seed(0)
    want = data_program(torch)
    got = data_program(start=want[0])
    assert_same(got[1:], want[1:])
    losses = [r for r in got[1:-2] if isinstance(r, float)][::2]
    assert losses[-1] < losses[0] / 3


def physics_informed_program(torch=None, start=None) -> list:
    """The aligned DeepONet trained on ds/dy = u(y) and s(0) = 0 alone: no s data."""
    T, lib, optim, grad = libraries(torch)
    DeepONet = deeponet_class(T, lib)
    m = 20
    u, y, s, u_at_y = antiderivative_data(functions=6, m=m, points=8, seed=2)
    # every (function, point) pair as one row
    u_rows = T.tensor(np.repeat(u, y.shape[0], axis=0))
    y_rows = T.tensor(np.tile(y, (u.shape[0], 1))).requires_grad_(True)
    source = T.tensor(u_at_y.reshape(-1, 1))
    net = DeepONet([m, 24, 24], [1, 24, 24], aligned=True)
    if start is not None:
        net.load_state_dict(start)
    record = [{k: numpy_of(v) for k, v in net.state_dict().items()}]
    optimizer = optim.Adam(net.parameters(), lr=0.005)
    for step in range(12):
        s_pred = net((u_rows, y_rows))
        ds_dy = grad(s_pred, y_rows, grad_outputs=T.ones_like(s_pred), create_graph=True)[0]
        loss_physics = T.mean((ds_dy - source) ** 2)
        loss_boundary = T.mean(net((T.tensor(u), T.zeros(u.shape[0], 1))) ** 2)
        loss = loss_physics + loss_boundary
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        record += [loss_physics.item(), loss_boundary.item(),
                   [numpy_of(p.grad) for p in net.parameters()]]
    return record + [[numpy_of(p) for p in net.parameters()], numpy_of(y_rows.grad)]


def test_physics_informed_deeponet_as_torch(torch):
    torch.manual_seed(1)
    want = physics_informed_program(torch)
    got = physics_informed_program(start=want[0])
    assert_same(got[1:], want[1:])
    assert got[-5] + got[-4] < got[1] + got[2]
