"""Orthogonal Procrustes and Kabsch alignment as PyTorch code writes them: centre both
point clouds, H = P^T Q, its SVD (``torch.linalg.svd``, or the older ``U, S, V =
torch.svd(H)`` that many Kabsch snippets use), the reflection fixed by the sign of
``torch.det``, R = V diag(1, 1, d) U^T, and the RMSD after alignment; batched over
several clouds with ``torch.diag_embed``; the aligned RMSD used as a loss to move a
point cloud (the gradient flows through the SVD's vectors). Written once for a library
``T``, run step for step next to PyTorch in float64: rotations, RMSDs, gradients and
the moved points agree to about 1e-10.

Nothing is written differently here.
"""

import numpy as np
import pytest

import autograd as ag
import nn


def assert_records(got, want, rtol=1e-10, atol=1e-11) -> None:
    assert len(got) == len(want)
    for i, (a, b) in enumerate(zip(got, want)):
        np.testing.assert_allclose(np.asarray(a), np.asarray(b), rtol=rtol, atol=atol,
                                   err_msg=f"record {i}")


def numpy_of(x) -> np.ndarray:
    return np.array(x.detach().numpy())


def clouds(batch: int = 0, n: int = 12, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """A point cloud and a rotated, shifted, noisy copy (a batch of them if batch)."""
    rng = np.random.default_rng(seed)
    shape = (batch, n, 3) if batch else (n, 3)
    P = rng.standard_normal(shape)
    angle = rng.uniform(0.3, 1.2)
    c, s = np.cos(angle), np.sin(angle)
    R = np.array([[c, -s, 0], [s, c, 0], [0, 0, 1]])
    Q = P @ R.T + rng.standard_normal(3) + 0.05 * rng.standard_normal(shape)
    return P, Q


def kabsch(T, P, Q, svd_by: str):
    """R, t minimising |R p + t - q|^2 over the rows; the RMSD after alignment."""
    p_mean, q_mean = P.mean(dim=0), Q.mean(dim=0)
    P_c, Q_c = P - p_mean, Q - q_mean
    H = P_c.T @ Q_c
    if svd_by == "linalg":
        U, S, Vt = T.linalg.svd(H)
        V = Vt.T
    else:  # the older spelling: V itself, not V^T
        U, S, V = T.svd(H)
    d = T.sign(T.det(V @ U.T))
    D = T.diag(T.stack([T.ones_like(d), T.ones_like(d), d]))
    R = V @ D @ U.T
    t = q_mean - R @ p_mean
    aligned = P @ R.T + t
    rmsd = ((aligned - Q) ** 2).sum(dim=1).mean().sqrt()
    return R, t, rmsd


@pytest.mark.parametrize("svd_by", ["linalg", "torch.svd"])
def test_kabsch_rotation_and_gradient_match_torch(torch, svd_by: str) -> None:
    P, Q = clouds()
    records = []
    for T in (ag, torch):
        p, q = T.tensor(P, requires_grad=True), T.tensor(Q, requires_grad=True)
        R, t, rmsd = kabsch(T, p, q, svd_by)
        (rmsd + (R * T.tensor(np.arange(9.0).reshape(3, 3))).sum()).backward()
        records.append([numpy_of(R), numpy_of(t), rmsd.item(), numpy_of(p.grad),
                        numpy_of(q.grad)])
    assert_records(records[0], records[1], rtol=1e-9, atol=1e-10)
    assert np.allclose(records[0][0] @ records[0][0].T, np.eye(3), atol=1e-12)
    assert np.linalg.det(records[0][0]) > 0


def batched_kabsch(T, P, Q):
    """The batched version: matrices in the last two axes, the reflection by diag_embed."""
    P_c = P - P.mean(dim=1, keepdim=True)
    Q_c = Q - Q.mean(dim=1, keepdim=True)
    H = P_c.transpose(1, 2) @ Q_c
    U, S, Vh = T.linalg.svd(H)
    d = T.det(Vh.mT @ U.mT).sign()
    ones = T.ones_like(d)
    D = T.diag_embed(T.stack([ones, ones, d], dim=-1))
    R = Vh.mT @ D @ U.mT
    return R, ((P_c @ R.transpose(-1, -2) - Q_c) ** 2).sum(-1).mean(-1).sqrt()


def test_batched_kabsch_matches_torch(torch) -> None:
    P, Q = clouds(batch=4, seed=1)
    Q[2] = Q[2] * np.array([1.0, 1.0, -1.0])  # a reflected copy: d = -1 there
    records = []
    for T in (ag, torch):
        p = T.tensor(P, requires_grad=True)
        R, rmsd = batched_kabsch(T, p, T.tensor(Q))
        rmsd.sum().backward()
        records.append([numpy_of(R), numpy_of(rmsd), numpy_of(p.grad)])
    assert_records(records[0], records[1], rtol=1e-9, atol=1e-10)
    assert np.allclose(np.linalg.det(records[0][0]), 1.0)


def move_points_onto_target(T, lib, optim, steps: int = 6) -> dict:
    """Shape matching: learn the points so that their Kabsch-aligned RMSD to the target
    falls (the loss is invariant to rotating the points, so gradients are tangent)."""
    P, Q = clouds(n=10, seed=2)
    points = lib.Parameter(T.tensor(P))
    target = T.tensor(Q * 1.1)
    opt = optim.Adam([points], lr=0.05)
    losses, grads = [], []
    for _ in range(steps):
        opt.zero_grad()
        _, _, rmsd = kabsch(T, points, target, "linalg")
        rmsd.backward()
        losses.append(rmsd.item())
        grads.append(numpy_of(points.grad))
        opt.step()
    return {"losses": losses, "grads": grads, "points": numpy_of(points)}


def test_points_moved_by_kabsch_rmsd_match_torch(torch) -> None:
    ours = move_points_onto_target(ag, nn, nn.optim)
    theirs = move_points_onto_target(torch, torch.nn, torch.optim)
    assert theirs["losses"][-1] < theirs["losses"][0]
    assert_records(ours["losses"], theirs["losses"])
    assert_records(ours["grads"], theirs["grads"], rtol=1e-8, atol=1e-10)
    assert_records([ours["points"]], [theirs["points"]])


def test_orthogonal_procrustes_of_a_weight_matrix_matches_torch(torch) -> None:
    """The nearest orthogonal matrix to W (W = U S V^T -> U V^T), used to re-orthogonalise
    embeddings (MUSE's Procrustes refinement): value and gradient."""
    rng = np.random.default_rng(3)
    X, Y = rng.standard_normal((20, 5)), rng.standard_normal((20, 5))
    records = []
    for T in (ag, torch):
        x = T.tensor(X, requires_grad=True)
        U, S, V = T.svd(T.tensor(Y).T @ x)
        W = U @ V.T
        loss = ((x @ W.T - T.tensor(Y)) ** 2).sum()
        loss.backward()
        records.append([numpy_of(W), loss.item(), numpy_of(x.grad)])
    assert_records(records[0], records[1], rtol=1e-9, atol=1e-10)
