"""Spectral methods as PyTorch users write them with ``torch.linalg.eigh``: spectral
clustering of a generated graph (Gaussian affinities with a learnable bandwidth, the
normalised Laplacian, its first eigenvectors row-normalised, then k-means; also with
``torch.lobpcg`` for the k smallest pairs, as large-graph code does), the bandwidth
trained on an eigengap-plus-alignment loss (gradients through eigenvalues and
eigenvectors), and Laplacian eigenmaps of a ring (the generalised problem L y = l D y
reduced by D^-1/2). Written once for a library ``T``, run step for step next to PyTorch
in float64: eigenvalues, sign-free eigenvector records, labels, losses and gradients
agree to about 1e-9 (1e-6 with lobpcg, which PyTorch iterates to a tolerance).

Nothing is written differently here.
"""

import numpy as np
import pytest

import autograd as ag
import nn


def assert_records(got, want, rtol=1e-9, atol=1e-10) -> None:
    assert len(got) == len(want)
    for i, (a, b) in enumerate(zip(got, want)):
        np.testing.assert_allclose(np.asarray(a), np.asarray(b), rtol=rtol, atol=atol,
                                   err_msg=f"record {i}")


def numpy_of(x) -> np.ndarray:
    return np.array(x.detach().numpy())


def blobs(n_per: int = 10, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Three Gaussian blobs in the plane and their labels."""
    rng = np.random.default_rng(seed)
    centres = np.array([[0.0, 0.0], [3.0, 0.5], [1.0, 3.0]])
    X = np.concatenate([c + 0.5 * rng.standard_normal((n_per, 2)) for c in centres])
    return X, np.repeat(np.arange(3), n_per)


def normalized_laplacian(T, X, log_sigma):
    sq_dists = T.cdist(X, X) ** 2
    W = T.exp(-sq_dists / (2 * T.exp(log_sigma) ** 2))
    W = W * (1 - T.eye(X.shape[0]))
    d_inv_sqrt = W.sum(dim=1).pow(-0.5)
    return T.eye(X.shape[0]) - d_inv_sqrt[:, None] * W * d_inv_sqrt[None, :]


def kmeans(T, Z, k: int, iters: int = 10):
    """Lloyd's iterations from the first point of each third (deterministic)."""
    centroids = Z[[0, Z.shape[0] // 3, 2 * Z.shape[0] // 3]]
    for _ in range(iters):
        labels = T.cdist(Z, centroids).argmin(dim=1)
        centroids = T.stack([Z[labels == j].mean(dim=0) for j in range(k)])
    return labels


def spectral_clustering(T, X, k: int = 3, log_sigma: float = 0.0, eigen_by: str = "eigh"):
    L = normalized_laplacian(T, X, T.tensor(log_sigma))
    if eigen_by == "eigh":
        evals, evecs = T.linalg.eigh(L)
    else:  # the large-graph spelling: only the k smallest pairs
        evals, evecs = T.lobpcg(L, k=k, largest=False, tol=1e-10, niter=100)
    embedding = evecs[:, :k]
    embedding = embedding / embedding.norm(dim=1, keepdim=True)
    return evals, embedding, kmeans(T, embedding, k)


@pytest.mark.parametrize("eigen_by", ["eigh", "lobpcg"])
def test_spectral_clustering_matches_torch_and_finds_the_blobs(torch, eigen_by) -> None:
    X, truth = blobs()
    records = []
    for T in (ag, torch):
        T.manual_seed(0)
        evals, embedding, labels = spectral_clustering(T, T.tensor(X), eigen_by=eigen_by)
        records.append([numpy_of(evals), numpy_of(embedding @ embedding.T),
                        numpy_of(labels)])
    # lobpcg iterates in PyTorch (to tol), solves exactly here
    tol = 1e-9 if eigen_by == "eigh" else 1e-6
    assert_records(records[0], records[1], rtol=tol, atol=tol)
    labels = records[0][2]
    assert all(len(set(labels[truth == j])) == 1 for j in range(3))
    assert len(set(labels)) == 3


def train_bandwidth(T, lib, optim, steps: int = 6) -> dict:
    """Learn the affinity bandwidth: widen the gap after the 3rd eigenvalue and align the
    spectral embedding's projector with the known same-cluster matrix."""
    X, truth = blobs(seed=1)
    X = T.tensor(X)
    same = T.tensor((truth[:, None] == truth[None, :]).astype(np.float64))
    target = same / same.sum(dim=1, keepdim=True)
    log_sigma = lib.Parameter(T.tensor(0.3))
    opt = optim.Adam([log_sigma], lr=0.05)
    losses, grads, gaps = [], [], []
    for _ in range(steps):
        opt.zero_grad()
        evals, evecs = T.linalg.eigh(normalized_laplacian(T, X, log_sigma))
        V = evecs[:, :3]
        gap = evals[3] - evals[2]
        alignment = ((V @ V.T - target) ** 2).sum()
        loss = -gap + 0.1 * alignment
        loss.backward()
        losses.append(loss.item())
        grads.append(log_sigma.grad.item())
        gaps.append(gap.item())
        opt.step()
    return {"losses": losses, "grads": grads, "gaps": gaps, "log_sigma": log_sigma.item()}


def test_bandwidth_trained_through_eigh_matches_torch(torch) -> None:
    ours = train_bandwidth(ag, nn, nn.optim)
    theirs = train_bandwidth(torch, torch.nn, torch.optim)
    assert theirs["losses"][-1] < theirs["losses"][0]
    for key in ("losses", "grads", "gaps"):
        assert_records(ours[key], theirs[key], rtol=1e-8)
    assert_records([ours["log_sigma"]], [theirs["log_sigma"]])


def laplacian_eigenmaps(T, X, knn_sigma: float = 0.7):
    """Belkin and Niyogi: heat-kernel weights, L y = l D y, the 2 smallest non-trivial
    generalised eigenvectors as coordinates (D^-1/2 V of the symmetric problem)."""
    W = T.exp(-T.cdist(X, X) ** 2 / knn_sigma)
    D = W.sum(dim=1)
    L = T.diag(D) - W
    D_inv_sqrt = T.diag(D.rsqrt())
    evals, V = T.linalg.eigh(D_inv_sqrt @ L @ D_inv_sqrt)
    Y = D_inv_sqrt @ V[:, 1:3]
    return evals, Y


def test_laplacian_eigenmaps_of_a_ring_and_its_gradient_match_torch(torch) -> None:
    angles = np.linspace(0, 2 * np.pi, 16, endpoint=False)
    rng = np.random.default_rng(2)
    ring = np.stack([np.cos(angles), np.sin(angles), 0.1 * rng.standard_normal(16)], axis=1)
    ring[:, 0] *= 1.5  # break the circle's symmetry: distinct eigenvalues
    records = []
    for T in (ag, torch):
        x = T.tensor(ring, requires_grad=True)
        evals, Y = laplacian_eigenmaps(T, x)
        # sign-free: the Gram matrix of the embedding, and the eigenvalues
        loss = (Y @ Y.T).pow(2).sum() + evals[1:4].sum()
        loss.backward()
        records.append([numpy_of(evals), numpy_of(Y @ Y.T), loss.item(), numpy_of(x.grad)])
    assert_records(records[0], records[1], rtol=1e-8)
