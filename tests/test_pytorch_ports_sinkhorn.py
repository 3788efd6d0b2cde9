"""Entropic optimal transport by Sinkhorn iterations in the log domain, as PyTorch
readers write it: the ``SinkhornDistance`` module of the "Sinkhorn distances" tutorials
(cost matrix, log-domain updates with ``torch.logsumexp`` over each axis, the transport
plan and its cost), and the geomloss-style Sinkhorn divergence (``softmin`` by
``logsumexp``, epsilon scaling from the diameter down to the blur, the loop without
gradients and one last extrapolation with them, the debiased divergence) used as a loss
whose gradient moves one point cloud toward another. Each program is written once for a
library ``T`` and runs step for step next to PyTorch in float64 from the same points:
costs, plans, potentials, gradients and trajectories agree to 1e-10; gradcheck too.

Written differently here: ``.transpose(-2, -1)`` of the (possibly 2-d) log-plan is
``.mT`` (see the line); ``torch.autograd.grad`` and friends are ``autograd.grad``...
(the library is the autograd package); the tutorial's marginals ``torch.empty(...,
dtype=torch.float).fill_(1 / n)`` are float32 in both libraries, so the comparison
would stop at float32's rounding of log(mu); they take the points' dtype (float64).
"""

import math

import numpy as np
import pytest

import autograd as ag
import nn


def libraries(torch=None) -> tuple:
    """(T, lib) for this library, or for PyTorch when ``torch`` is given."""
    return (ag, nn) if torch is None else (torch, torch.nn)


def autograd_of(T):
    """``torch.autograd`` there; this library's own top level here (``autograd.grad``,
    ``autograd.set_grad_enabled``...: the library is the autograd package)."""
    return ag if T is ag else T.autograd


def numpy_of(x) -> np.ndarray:
    return np.array(x.detach().numpy())


def clouds(n: int = 12, m: int = 15, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Two 2-d point clouds: a Gaussian blob, and a ring further right (at most 25 points
    each: PyTorch's cdist switches to a matmul formula above that, rounded otherwise)."""
    rng = np.random.default_rng(seed)
    x = 0.3 * rng.standard_normal((n, 2))
    angle = rng.uniform(0, 2 * np.pi, m)
    y = np.stack([1.0 + 0.5 * np.cos(angle), 0.5 * np.sin(angle)], axis=1)
    return x, y


# ------------------------------------------------------- the "Sinkhorn distances" module
def make_sinkhorn_distance(T, lib):
    class SinkhornDistance(lib.Module):
        """Given two empirical measures of n and m points, the entropic OT cost
        min_P <C, P> - eps H(P) (uniform marginals) by log-domain Sinkhorn."""

        def __init__(self, eps, max_iter, reduction="none"):
            super().__init__()
            self.eps = eps
            self.max_iter = max_iter
            self.reduction = reduction

        def forward(self, x, y):
            C = self._cost_matrix(x, y)
            x_points = x.shape[-2]
            y_points = y.shape[-2]
            batch_size = 1 if x.dim() == 2 else x.shape[0]
            # the tutorial's dtype=torch.float: float64 here (see the module docstring)
            mu = T.empty(batch_size, x_points, dtype=x.dtype,
                         requires_grad=False).fill_(1.0 / x_points).squeeze()
            nu = T.empty(batch_size, y_points, dtype=x.dtype,
                         requires_grad=False).fill_(1.0 / y_points).squeeze()
            u = T.zeros_like(mu)
            v = T.zeros_like(nu)
            actual_nits = 0
            thresh = 1e-9
            for i in range(self.max_iter):
                u1 = u
                u = self.eps * (T.log(mu + 1e-8) - T.logsumexp(self.M(C, u, v), dim=-1)) + u
                # the tutorial's .transpose(-2, -1): .mT (a 2-d transpose(-2, -1) is a no-op
                # in NumPy, a swap in PyTorch, so it is refused here by design)
                v = self.eps * (T.log(nu + 1e-8)
                                - T.logsumexp(self.M(C, u, v).mT, dim=-1)) + v
                err = (u - u1).abs().sum(-1).mean()
                actual_nits += 1
                if err.item() < thresh:
                    break
            U, V = u, v
            pi = T.exp(self.M(C, U, V))
            cost = T.sum(pi * C, dim=(-2, -1))
            if self.reduction == "mean":
                cost = cost.mean()
            elif self.reduction == "sum":
                cost = cost.sum()
            return cost, pi, C

        def M(self, C, u, v):
            """(-C_ij + u_i + v_j) / eps: the log of the plan."""
            return (-C + u.unsqueeze(-1) + v.unsqueeze(-2)) / self.eps

        @staticmethod
        def _cost_matrix(x, y, p=2):
            x_col = x.unsqueeze(-2)
            y_lin = y.unsqueeze(-3)
            C = T.sum((T.abs(x_col - y_lin)) ** p, -1)
            return C

    return SinkhornDistance


def run_sinkhorn_distance(T, lib, batched: bool) -> list:
    x, y = clouds()
    if batched:
        x, y = np.stack([x, x[::-1] * 0.8]), np.stack([y, y + 0.2])
    x, y = T.tensor(x, requires_grad=True), T.tensor(y)
    sinkhorn = make_sinkhorn_distance(T, lib)(eps=0.1, max_iter=60, reduction="mean")
    cost, pi, C = sinkhorn(x, y)
    cost.backward()
    return [numpy_of(cost), numpy_of(pi), numpy_of(C), numpy_of(x.grad),
            numpy_of(pi.sum(-1))]


@pytest.mark.parametrize("batched", [False, True])
def test_sinkhorn_distance_matches_torch(torch, batched: bool) -> None:
    ours = run_sinkhorn_distance(*libraries(), batched)
    theirs = run_sinkhorn_distance(*libraries(torch), batched)
    for i, (got, want) in enumerate(zip(ours, theirs)):
        np.testing.assert_allclose(got, want, rtol=1e-9, atol=1e-12, err_msg=f"record {i}")
    np.testing.assert_allclose(ours[4], 1 / 12, rtol=1e-3)  # the plan's row marginal


# ---------------------------------------------------- geomloss-style Sinkhorn divergence
def softmin(T, eps, C_xy, h_y):
    """-eps log sum_j exp(h_j - C_ij / eps): the soft minimum over the second cloud."""
    return -eps * (h_y.view(1, -1) - C_xy / eps).logsumexp(dim=1)


def epsilon_schedule(diameter, blur, scaling):
    """eps from diameter^2 down to blur^2, by factors of scaling^2 (geomloss's)."""
    return ([diameter ** 2]
            + [math.exp(e) for e in np.arange(2 * math.log(diameter), 2 * math.log(blur),
                                              2 * math.log(scaling))]
            + [blur ** 2])


def sinkhorn_potentials(T, a, b, C_xy, C_yx, eps_list):
    """Symmetric log-domain Sinkhorn with epsilon scaling; the loop runs without
    gradients, the last extrapolation with them (exact by the envelope theorem)."""
    a_log, b_log = a.log(), b.log()
    with autograd_of(T).set_grad_enabled(False):
        eps = eps_list[0]
        g_ab = softmin(T, eps, C_yx, a_log)
        f_ba = softmin(T, eps, C_xy, b_log)
        for eps in eps_list:
            ft_ba = softmin(T, eps, C_xy, b_log + g_ab / eps)
            gt_ab = softmin(T, eps, C_yx, a_log + f_ba / eps)
            f_ba, g_ab = 0.5 * (f_ba + ft_ba), 0.5 * (g_ab + gt_ab)
    eps = eps_list[-1]
    f_ba, g_ab = (softmin(T, eps, C_xy, (b_log + g_ab / eps).detach()),
                  softmin(T, eps, C_yx, (a_log + f_ba / eps).detach()))
    return f_ba, g_ab


def max_diameter(T, x, y):
    """The diagonal of the box holding both clouds (geomloss's, dim= spelled out)."""
    mins = T.stack((x.min(dim=0)[0], y.min(dim=0)[0])).min(dim=0)[0]
    maxs = T.stack((x.max(dim=0)[0], y.max(dim=0)[0])).max(dim=0)[0]
    return (maxs - mins).norm().item()


def sinkhorn_divergence(T, x, y, blur=0.05, scaling=0.5, extra_steps=0):
    """S(a, b) = OT(a, b) - OT(a, a) / 2 - OT(b, b) / 2 for uniform weights, cost
    |x - y|^2 / 2."""
    a = T.ones(x.shape[0]) / x.shape[0]
    b = T.ones(y.shape[0]) / y.shape[0]
    cost = lambda p, q: T.cdist(p, q) ** 2 / 2  # noqa: E731  (geomloss's "p=2" cost)
    diameter = max_diameter(T, x, y)
    eps_list = epsilon_schedule(diameter, blur, scaling) + [blur ** 2] * extra_steps
    # geomloss's C_xy = cost(x, y.detach()), C_yx = cost(y, x.detach()): <a, f_ba> carries
    # x's gradient, <b, g_ab> y's; C_xx = cost(x, x.detach()): <a, f_aa> is OT(a, a) / 2
    f_ba, g_ab = sinkhorn_potentials(T, a, b, cost(x, y.detach()), cost(y, x.detach()),
                                     eps_list)
    C_xx, C_yy = cost(x, x.detach()), cost(y, y.detach())
    f_aa, _ = sinkhorn_potentials(T, a, a, C_xx, C_xx, eps_list)
    g_bb, _ = sinkhorn_potentials(T, b, b, C_yy, C_yy, eps_list)
    return T.dot(a, f_ba - f_aa) + T.dot(b, g_ab - g_bb)


def gradient_flow(T, steps: int = 5, learning_rate: float = 0.5) -> list:
    """geomloss's gradient-flow tutorial: x_i moves along -n * dS/dx_i."""
    x, y = clouds(seed=1)
    x_i, y_j = T.tensor(x), T.tensor(y)
    x_i.requires_grad = True
    records = []
    for _ in range(steps):
        loss = sinkhorn_divergence(T, x_i, y_j)
        [g] = autograd_of(T).grad(loss, [x_i])
        records += [loss.item(), numpy_of(g)]
        x_i.data -= learning_rate * len(x_i) * g  # an untracked NumPy update here, as there
    records.append(numpy_of(x_i))
    return records


def test_sinkhorn_divergence_gradient_flow_matches_torch(torch) -> None:
    ours, theirs = gradient_flow(ag), gradient_flow(torch)
    for i, (got, want) in enumerate(zip(ours, theirs)):
        np.testing.assert_allclose(got, want, rtol=1e-9, atol=1e-12, err_msg=f"record {i}")
    assert theirs[-3] < theirs[0]  # the clouds come closer


def test_sinkhorn_gradcheck(torch) -> None:
    """gradcheck in both libraries: the unrolled module's cost (exact), and the divergence
    once its potentials are the fixed point (its last extrapolation then gives the true
    gradient: the schedule ends with 40 more steps at the blur)."""
    x, y = clouds(n=5, m=6, seed=2)
    for T, lib in (libraries(), libraries(torch)):
        x_i, y_j = T.tensor(x, requires_grad=True), T.tensor(y)
        sinkhorn = make_sinkhorn_distance(T, lib)(eps=0.5, max_iter=8)
        assert autograd_of(T).gradcheck(lambda p: sinkhorn(p, y_j)[0], [x_i])
        divergence = lambda p: sinkhorn_divergence(T, p, y_j, blur=0.5,  # noqa: E731
                                                   extra_steps=40)
        assert autograd_of(T).gradcheck(divergence, [x_i], atol=1e-6)
