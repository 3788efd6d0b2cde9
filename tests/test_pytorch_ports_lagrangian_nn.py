"""Lagrangian Neural Networks (Cranmer et al., 2020) as their PyTorch re-implementations
write them: the Euler-Lagrange equations solved for the accelerations,
q_tt = (d2L/dq_t2)^+ (dL/dq - d2L/(dq_t dq) q_t), from a learned Lagrangian, by
``torch.autograd.functional.hessian``/``jacobian`` (``create_graph=True``) and
``torch.linalg.pinv``, or by ``torch.func`` (``hessian(L, argnums=1)``, ``grad``,
``jacfwd(jacrev(L, argnums=1))`` and ``vmap`` over the batch); trained a few Adam steps
to the accelerations of a double pendulum, and first checked on its known Lagrangian
against the closed form. Each program is written once for a library ``T`` and runs step
for step next to PyTorch in float64 from the same weights: accelerations, losses,
gradients and parameters agree to 1e-10.

Written differently here: ``torch.func``/``torch.autograd.functional`` are
``autograd.func``/``autograd.functional`` (the library is the autograd package).
"""

import numpy as np
import pytest

import autograd as ag
import nn

pytestmark = pytest.mark.filterwarnings("ignore:`torch.jit.script` is deprecated")


def libraries(torch=None) -> tuple:
    """(T, lib, optim, functional, func) for this library, or for PyTorch."""
    if torch is None:
        return ag, nn, nn.optim, ag.functional, ag.func
    import torch.func  # noqa: PLC0415  (torch comes from the fixture)
    return torch, torch.nn, torch.optim, torch.autograd.functional, torch.func


def numpy_of(x) -> np.ndarray:
    return np.array(x.detach().numpy())


# ------------------------------------------------------------------- the double pendulum
def lagrangian_double_pendulum(T, q, q_t, m1=1.0, m2=1.0, l1=1.0, l2=1.0, g=9.8):
    """L = T - V of two point masses on rigid rods (angles from the vertical)."""
    t1, t2 = q[0], q[1]
    w1, w2 = q_t[0], q_t[1]
    kinetic = (0.5 * (m1 + m2) * l1 ** 2 * w1 ** 2 + 0.5 * m2 * l2 ** 2 * w2 ** 2
               + m2 * l1 * l2 * w1 * w2 * T.cos(t1 - t2))
    potential = -(m1 + m2) * g * l1 * T.cos(t1) - m2 * g * l2 * T.cos(t2)
    return kinetic - potential


def analytical_fn(state, m1=1.0, m2=1.0, l1=1.0, l2=1.0, g=9.8):
    """The closed-form accelerations (the LNN paper's, in NumPy)."""
    t1, t2, w1, w2 = state.T
    a1 = (l2 / l1) * (m2 / (m1 + m2)) * np.cos(t1 - t2)
    a2 = (l1 / l2) * np.cos(t1 - t2)
    f1 = -(l2 / l1) * (m2 / (m1 + m2)) * (w2 ** 2) * np.sin(t1 - t2) - (g / l1) * np.sin(t1)
    f2 = (l1 / l2) * (w1 ** 2) * np.sin(t1 - t2) - (g / l2) * np.sin(t2)
    g1 = (f1 - a1 * f2) / (1 - a1 * a2)
    g2 = (f2 - a2 * f1) / (1 - a1 * a2)
    return np.stack([g1, g2], axis=1)


def states(n: int = 6, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return np.concatenate([rng.uniform(-1.0, 1.0, (n, 2)), rng.uniform(-1.0, 1.0, (n, 2))],
                          axis=1)


# ------------------------------------------------- the equations of motion, two ways
def equation_of_motion_functional(T, functional, lagrangian, q, q_t):
    """q_tt for one state, with torch.autograd.functional on the joint (q, q_t)."""
    n = q.shape[0]
    xv = T.cat([q, q_t])
    L = lambda z: lagrangian(z[:n], z[n:])  # noqa: E731
    J = functional.jacobian(L, xv, create_graph=True)
    H = functional.hessian(L, xv, create_graph=True)
    A = J[:n]
    B = H[n:, n:]
    C = H[n:, :n]
    return T.linalg.pinv(B) @ (A - C @ q_t)


def equation_of_motion_func(T, func, lagrangian, q, q_t):
    """q_tt for one state with torch.func, the paper's JAX line transcribed."""
    return (T.linalg.pinv(func.hessian(lagrangian, argnums=1)(q, q_t))
            @ (func.grad(lagrangian, argnums=0)(q, q_t)
               - func.jacfwd(func.jacrev(lagrangian, argnums=1), argnums=0)(q, q_t) @ q_t))


@pytest.mark.parametrize("way", ["functional", "func"])
def test_known_lagrangian_gives_the_closed_form(torch, way: str) -> None:
    state = states()
    want = analytical_fn(state)
    for T, _, _, functional, func in (libraries(), libraries(torch)):
        L = lambda q, q_t: lagrangian_double_pendulum(T, q, q_t)  # noqa: E731
        got = []
        for row in T.tensor(state):
            if way == "functional":
                got.append(equation_of_motion_functional(T, functional, L, row[:2], row[2:]))
            else:
                got.append(equation_of_motion_func(T, func, L, row[:2], row[2:]))
        np.testing.assert_allclose(numpy_of(T.stack(got)), want, rtol=1e-9, atol=1e-10)


# ------------------------------------------------------------------- the learned Lagrangian
def train_lnn(T, lib, optim, functional, func, start: dict, way: str, steps: int = 3):
    model = lnn_model(T, lib, functional, func, way)
    model.load_state_dict({k: T.tensor(v) for k, v in start.items()})
    optimizer = optim.Adam(model.parameters(), lr=1e-2)
    x = T.tensor(states(n=5, seed=1))
    y = T.tensor(analytical_fn(states(n=5, seed=1)))
    records = []
    for _ in range(steps):
        optimizer.zero_grad()
        loss = ((model(x) - y) ** 2).mean()
        loss.backward()
        records.append(loss.item())
        # the last bias shifts L by a constant: no second derivative reads it (None in both)
        records += [None if p.grad is None else numpy_of(p.grad) for p in model.parameters()]
        optimizer.step()
    records += [numpy_of(p) for p in model.parameters()]
    return records


def lnn_model(T, lib, functional, func, way: str):
    class LNN(lib.Module):
        """A scalar Lagrangian L(q, q_t) from an MLP with softplus (smooth second
        derivatives); forward gives the accelerations of a batch of states."""

        def __init__(self, hidden: int = 16):
            super().__init__()
            self.net = lib.Sequential(lib.Linear(4, hidden), lib.Softplus(),
                                      lib.Linear(hidden, hidden), lib.Softplus(),
                                      lib.Linear(hidden, 1))

        def lagrangian(self, q, q_t):
            return self.net(T.cat([q, q_t], dim=-1)).squeeze(-1)

        def forward(self, x):
            if way == "functional":
                return T.stack([equation_of_motion_functional(
                    T, functional, self.lagrangian, s[:2], s[2:]) for s in x])
            eom = lambda s: equation_of_motion_func(  # noqa: E731
                T, func, self.lagrangian, s[:2], s[2:])
            return func.vmap(eom)(x)

    return LNN()


@pytest.mark.parametrize("way", ["functional", "func"])
def test_lnn_training_matches_torch(torch, way: str) -> None:
    torch.manual_seed(0)
    reference = lnn_model(torch, torch.nn, None, None, way)
    start = {k: v.detach().numpy().copy() for k, v in reference.state_dict().items()}
    ours = train_lnn(*libraries(), start, way)
    theirs = train_lnn(*libraries(torch), start, way)
    assert len(ours) == len(theirs)
    for i, (got, want) in enumerate(zip(ours, theirs)):
        if want is None:
            assert got is None, f"record {i}"
            continue
        np.testing.assert_allclose(got, want, rtol=1e-9, atol=1e-11, err_msg=f"record {i}")
