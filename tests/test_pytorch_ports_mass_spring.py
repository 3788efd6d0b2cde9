"""A differentiable mass-spring simulation fitted by gradient descent, as PyTorch users
write one after DiffTaichi's ``mass_spring.py``: point masses joined by Hooke springs
(forces gathered per spring and scattered onto the masses with ``index_add_``), gravity
written into the force tensor in place, damping, a ground that pushes back where
``torch.where`` finds a mass below it, semi-implicit Euler steps stacked into a
trajectory. Two fits: the springs' stiffnesses (``nn.Parameter`` of log-stiffness) and
damping recovered from an observed trajectory with Adam, and the initial velocity that
sends the body's centre of mass to a target (shooting through the whole rollout), with
L-BFGS. Each program is written once for a library ``T`` (``autograd`` here, ``torch``
there) and runs step for step next to PyTorch's (float64): trajectories, losses,
gradients and parameters agree to 1e-10.

Nothing here starts from random numbers, so no line is written differently.

Fixed for it: ``F[:, 1] -= self.mass * self.gravity`` on the computed force tensor (Python
runs ``v = F[:, 1]; v -= ...; F[:, 1] = v``, an in-place step on a view) raised
InplaceError; a write into ``base[i]`` now goes through to the base, as PyTorch's
(``tests/autograd/test_setitem_slice_write_through.py``).
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


# a braced square: 4 masses, 4 sides and 2 diagonals, resting 0.3 above the ground
POSITIONS = [[0.0, 0.3], [1.0, 0.3], [1.0, 1.3], [0.0, 1.3]]
SPRINGS = [[0, 1], [1, 2], [2, 3], [3, 0], [0, 2], [1, 3]]


def mass_spring_class(T, lib):
    class MassSpring(lib.Module):
        def __init__(self, positions, springs, mass=1.0, gravity=9.8, ground_k=1e3):
            super().__init__()
            self.register_buffer('springs', T.tensor(springs))
            x = T.tensor(positions)
            a, b = self.springs[:, 0], self.springs[:, 1]
            self.register_buffer('rest_length', (x[b] - x[a]).norm(dim=1))
            self.log_k = lib.Parameter(T.full((len(springs),), 3.0))
            self.damping = lib.Parameter(T.tensor(0.5))
            self.mass, self.gravity, self.ground_k = mass, gravity, ground_k

        def forces(self, x, v):
            a, b = self.springs[:, 0], self.springs[:, 1]
            d = x[b] - x[a]
            length = d.norm(dim=1, keepdim=True)
            stretch = length - self.rest_length.unsqueeze(1)
            f = self.log_k.exp().unsqueeze(1) * stretch * d / length  # pulls a towards b
            F = T.zeros_like(x)
            F.index_add_(0, a, f)
            F.index_add_(0, b, -f)
            F = F - self.damping * v
            F[:, 1] -= self.mass * self.gravity
            # the ground pushes back on a mass below it
            below = x[:, 1] < 0
            F[:, 1] += T.where(below, -self.ground_k * x[:, 1], T.zeros_like(x[:, 1]))
            return F

        def forward(self, x0, v0, steps=40, dt=0.01):
            x, v = x0, v0
            trajectory = [x]
            for _ in range(steps):
                v = v + dt * self.forces(x, v) / self.mass  # semi-implicit Euler
                x = x + dt * v
                trajectory.append(x)
            return T.stack(trajectory)

    return MassSpring


def stiffness_fit_program(torch=None) -> list:
    """Recover stiffnesses and damping from a trajectory simulated with other values."""
    T, lib, F, optim = libraries(torch)
    MassSpring = mass_spring_class(T, lib)
    x0 = T.tensor(POSITIONS)
    v0 = T.tensor([[1.0, 0.0]] * 4)
    truth = MassSpring(POSITIONS, SPRINGS)
    with T.no_grad():
        truth.log_k.copy_(T.tensor([3.5, 4.0, 3.5, 4.0, 3.0, 3.2]))
        truth.damping.fill_(0.8)
        observed = truth(x0, v0)
    model = MassSpring(POSITIONS, SPRINGS)
    optimizer = optim.Adam(model.parameters(), lr=0.05)
    record = [numpy_of(observed)]
    for step in range(15):
        optimizer.zero_grad()
        loss = F.mse_loss(model(x0, v0), observed)
        loss.backward()
        optimizer.step()
        record += [loss.item(), numpy_of(model.log_k.grad), model.damping.grad.item()]
    return record + [numpy_of(model.log_k), model.damping.item()]


def test_stiffness_fit_as_torch(torch):
    want = stiffness_fit_program(torch)
    got = stiffness_fit_program()
    assert_same(got, want)
    assert got[1 + 14 * 3] < got[1] / 2
    assert np.min(got[0][:, :, 1]) < 0  # the body reached the ground


def shooting_program(torch=None) -> list:
    """The initial velocity that lands the centre of mass on a target, by L-BFGS."""
    T, lib, F, optim = libraries(torch)
    MassSpring = mass_spring_class(T, lib)
    body = MassSpring(POSITIONS, SPRINGS)
    body.requires_grad_(False)
    x0 = T.tensor(POSITIONS)
    target = T.tensor([1.5, 0.5])
    velocity = T.zeros(2, requires_grad=True)
    optimizer = optim.LBFGS([velocity], lr=1, max_iter=8, line_search_fn="strong_wolfe")
    record = []

    def closure():
        optimizer.zero_grad()
        trajectory = body(x0, velocity.expand(4, 2))
        loss = ((trajectory[-1].mean(dim=0) - target) ** 2).sum()
        loss.backward()
        record.append([loss.item(), numpy_of(velocity.grad)])
        return loss

    for _ in range(2):
        optimizer.step(closure)
    return record + [numpy_of(velocity)]


def test_shooting_for_a_target_as_torch(torch):
    want = shooting_program(torch)
    got = shooting_program()
    assert_same(got, want)
    assert got[-2][0] < 1e-3
