"""Learning a PDE's right-hand side from data, as PyTorch users write it (a neural
version of PDE-FIND): snapshots u(t, x) of the viscous Burgers equation on a grid, their
derivatives by finite differences with ``torch.gradient(u, spacing=..., dim=...)``
(u_t along time, u_x and u_xx along space, ``edge_order=2``), and a small network
N(u, u_x, u_xx) fitted to u_t with Adam, next to a sparse linear library
(Theta = [1, u, u_x, u_xx, u u_x]) fitted by ``torch.linalg.lstsq`` and an L1-penalised
refit. Each program is written once for a library ``T`` (``autograd`` here, ``torch``
there) and runs step for step next to PyTorch's from the same weights (float64):
derivatives, losses, gradients, coefficients and parameters agree to 1e-10.

Fixed for it: ``torch.gradient`` raised MissingNameError
(``tests/autograd/test_finite_difference_gradient.py``).

Lines written differently here: the network starts from PyTorch's weights
(``load_state_dict``), the test's glue.
"""

import numpy as np

import autograd as ag
import nn

from port_records import assert_same, numpy_of


def libraries(torch=None) -> tuple:
    """(T, lib, F, optim) for this library, or PyTorch's when ``torch`` is given."""
    if torch is None:
        return ag, nn, nn.functional, nn.optim
    return torch, torch.nn, torch.nn.functional, torch.optim


NU = 0.1


def burgers_snapshots(nt: int = 40, nx: int = 32) -> tuple:
    """u_t + u u_x = nu u_xx on [-1, 1], u(0, x) = -sin(pi x), by small explicit steps
    (kept every 10th): (nt, nx) values, dt and dx of the kept grid."""
    x = np.linspace(-1, 1, nx)
    dx = x[1] - x[0]
    u = -np.sin(np.pi * x)
    dt = 0.0005
    snapshots = []
    for step in range(nt * 10):
        if step % 10 == 0:
            snapshots.append(u.copy())
        u_x = np.gradient(u, dx)
        u_xx = np.gradient(u_x, dx)
        u = u + dt * (NU * u_xx - u * u_x)
        u[0] = u[-1] = 0.0
    return np.array(snapshots), 10 * dt, dx


def discovery_program(torch=None, start=None) -> list:
    T, lib, F, optim = libraries(torch)
    data, dt, dx = burgers_snapshots()
    u = T.tensor(data)
    u_t, = T.gradient(u, spacing=dt, dim=0, edge_order=2)
    u_x, = T.gradient(u, spacing=dx, dim=1, edge_order=2)
    u_xx, = T.gradient(u_x, spacing=dx, dim=1, edge_order=2)
    inner = (slice(2, -2), slice(2, -2))  # away from the edges' one-sided differences
    features = T.stack([u[inner], u_x[inner], u_xx[inner]], dim=-1).reshape(-1, 3)
    target = u_t[inner].reshape(-1, 1)
    record = [numpy_of(u_t), numpy_of(u_xx)]

    # a sparse linear library, least squares then an L1-penalised refit
    theta = T.cat([T.ones_like(target), features[:, :1], features[:, 1:2], features[:, 2:3],
                   features[:, :1] * features[:, 1:2]], dim=1)
    xi = T.linalg.lstsq(theta, target).solution
    record.append(numpy_of(xi))
    # By symmetry the constant's and u_x's least-squares coefficients are rounding noise
    # (~1e-17), and |c|'s gradient is their sign: which LAPACK driver solved the system
    # decided it (CI's machine flipped one). The refit starts 0.5 away, where every sign
    # is the data's.
    coefficients = (xi + 0.5).requires_grad_(True)
    optimizer = optim.Adam([coefficients], lr=0.01)
    for step in range(10):
        loss = F.mse_loss(theta @ coefficients, target) + 1e-3 * coefficients.abs().sum()
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        record += [loss.item(), numpy_of(coefficients.grad), numpy_of(coefficients)]

    # a network for the right-hand side
    net = lib.Sequential(lib.Linear(3, 16), lib.Tanh(), lib.Linear(16, 1))
    if start is not None:
        net.load_state_dict(start)
    record.insert(0, {k: numpy_of(v) for k, v in net.state_dict().items()})
    optimizer = optim.Adam(net.parameters(), lr=0.01)
    for step in range(10):
        loss = F.mse_loss(net(features), target)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        record += [loss.item(), [numpy_of(p.grad) for p in net.parameters()]]
    return record


def test_pde_discovery_as_torch(torch):
    torch.manual_seed(0)
    want = discovery_program(torch)
    got = discovery_program(start=want[0])
    assert_same(got[1:], want[1:])
    xi = got[3].ravel()  # 1, u, u_x, u_xx, u u_x: Burgers' is nu u_xx - u u_x
    np.testing.assert_allclose([xi[3], xi[4]], [NU, -1.0], rtol=0.1)
    assert abs(xi[0]) + abs(xi[1]) + abs(xi[2]) < 0.05
    assert got[-2] < got[-20]  # the network's loss went down
    refit = np.array(got[6:36:3]).reshape(10, 5)  # the refit's coefficients, step by step
    assert np.abs(refit).min() > 0.1  # no sign of |c| is left to rounding
