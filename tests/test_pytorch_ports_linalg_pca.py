"""PCA and alignment as PyTorch users write them with ``torch.linalg``: PCA of
scikit-learn's digits by ``torch.linalg.svd`` of the centred data (components,
explained variance, projection, reconstruction) and by ``torch.pca_lowrank`` of a
low-rank matrix; a nuclear-norm penalised matrix completion (the gradient of
``torch.linalg.svdvals`` / ``matrix_norm(., 'nuc')``); a differentiable PCA head whose
loss uses both singular values and vectors; orthogonal Procrustes / Kabsch alignment
(``torch.linalg.svd`` and the older ``U, S, V = torch.svd(H)``, batched, with the
reflection fix by ``torch.det``) differentiated to move a point cloud onto a target.
Each program is written once for a library ``T`` and runs step for step next to
PyTorch in float64; values, gradients and parameters agree to about 1e-10.

Lines written differently here: ``torch.pca_lowrank`` draws its random test matrix from
the global generator, whose numbers differ here; with data of rank below q both give
the exact principal directions, which is what is compared (up to the vectors' signs).
"""

import numpy as np
import pytest

import autograd as ag
import nn


def libraries(torch=None) -> tuple:
    """(T, lib, optim) for this library, or for PyTorch when ``torch`` is given."""
    return (ag, nn, nn.optim) if torch is None else (torch, torch.nn, torch.optim)


def assert_records(got, want, rtol=1e-10, atol=1e-11) -> None:
    assert len(got) == len(want)
    for i, (a, b) in enumerate(zip(got, want)):
        np.testing.assert_allclose(np.asarray(a), np.asarray(b), rtol=rtol, atol=atol,
                                   err_msg=f"record {i}")


def numpy_of(x) -> np.ndarray:
    return np.array(x.detach().numpy())


def digits(n: int = 150) -> np.ndarray:
    from sklearn.datasets import load_digits
    return load_digits().data[:n] / 16.0


def pca_by_svd(T, X, k: int) -> dict:
    """The classic: centre, SVD, keep the first k right singular vectors."""
    mean = X.mean(dim=0)
    X_c = X - mean
    U, S, Vh = T.linalg.svd(X_c, full_matrices=False)
    components = Vh[:k]
    explained_variance = S ** 2 / (X.shape[0] - 1)
    ratio = explained_variance[:k] / explained_variance.sum()
    Z = X_c @ components.T
    X_hat = Z @ components + mean
    error = ((X - X_hat) ** 2).sum(dim=1).mean()
    # sign-free records: the projector, and |Z|
    return {"ratio": numpy_of(ratio), "projector": numpy_of(components.T @ components),
            "abs_scores": numpy_of(Z.abs()), "error": error.item()}


def test_pca_of_digits_by_svd_matches_torch(torch) -> None:
    X = digits()
    ours, theirs = pca_by_svd(ag, ag.tensor(X), 10), pca_by_svd(torch, torch.tensor(X), 10)
    for key in ours:
        assert_records([ours[key]], [theirs[key]], rtol=1e-8, atol=1e-10)
    assert 0.5 < ours["ratio"].sum() < 1


def test_pca_lowrank_finds_the_components_of_low_rank_data(torch) -> None:
    rng = np.random.default_rng(0)
    A = rng.standard_normal((60, 4)) @ rng.standard_normal((4, 12)) + 3.0
    records = []
    for T in (ag, torch):
        T.manual_seed(0)
        U, S, V = T.pca_lowrank(T.tensor(A), q=6)
        exact = T.linalg.svdvals(T.tensor(A) - T.tensor(A).mean(dim=0))
        projected = T.tensor(A) @ V[:, :4]
        records.append([numpy_of(S[:4]), numpy_of(exact[:4]), numpy_of(V[:, :4] @ V[:, :4].T),
                        numpy_of(projected.var(dim=0).sum())])
    assert_records(records[0], records[1], rtol=1e-8, atol=1e-9)
    assert_records(records[0][:1], records[0][1:2], rtol=1e-8)


def complete_matrix(T, lib, optim, penalty_by: str, steps: int = 8) -> dict:
    """Low-rank matrix completion: fit the observed entries, nuclear-norm penalty."""
    rng = np.random.default_rng(1)
    truth = rng.standard_normal((9, 2)) @ rng.standard_normal((2, 7))
    mask = T.tensor((rng.uniform(size=truth.shape) < 0.6).astype(np.float64))
    Y = T.tensor(truth)
    M = lib.Parameter(T.tensor(rng.standard_normal(truth.shape) * 0.1))
    opt = optim.SGD([M], lr=0.05, momentum=0.9)
    losses, grads = [], []
    for _ in range(steps):
        opt.zero_grad()
        fit = (((M - Y) * mask) ** 2).sum()
        if penalty_by == "svdvals":
            nuclear = T.linalg.svdvals(M).sum()
        else:
            nuclear = T.linalg.matrix_norm(M, ord="nuc")
        loss = fit + 0.3 * nuclear
        loss.backward()
        losses.append(loss.item())
        grads.append(numpy_of(M.grad))
        opt.step()
    return {"losses": losses, "grads": grads, "M": numpy_of(M)}


@pytest.mark.parametrize("penalty_by", ["svdvals", "nuc"])
def test_nuclear_norm_matrix_completion_matches_torch(torch, penalty_by: str) -> None:
    ours = complete_matrix(*libraries(), penalty_by)
    theirs = complete_matrix(*libraries(torch), penalty_by)
    assert theirs["losses"][-1] < theirs["losses"][0]
    assert_records(ours["losses"], theirs["losses"])
    assert_records(ours["grads"], theirs["grads"], rtol=1e-9)
    assert_records([ours["M"]], [theirs["M"]])


def train_pca_head(T, lib, optim, steps: int = 4) -> dict:
    """A linear encoder trained so that its features' top-2 principal subspace
    reconstructs them (singular vectors, sign-free) and holds most variance (values)."""
    X = T.tensor(digits(80))
    T.manual_seed(0)
    encoder = lib.Linear(64, 6)
    with T.no_grad():  # the same weights in both libraries
        rng = np.random.default_rng(2)
        encoder.weight.copy_(T.tensor(rng.standard_normal((6, 64)) * 0.1))
        encoder.bias.copy_(T.tensor(rng.standard_normal(6) * 0.1))
    opt = optim.Adam(encoder.parameters(), lr=0.01)
    losses, grads = [], []
    for _ in range(steps):
        opt.zero_grad()
        F = encoder(X)
        F_c = F - F.mean(dim=0, keepdim=True)
        U, S, Vh = T.linalg.svd(F_c, full_matrices=False)
        P = Vh[:2].T @ Vh[:2]
        recon = ((F_c - F_c @ P) ** 2).mean()
        spread = -(S[:2] ** 2).sum() / (S ** 2).sum()
        loss = recon + spread
        loss.backward()
        losses.append(loss.item())
        grads.append([numpy_of(p.grad) for p in encoder.parameters()])
        opt.step()
    return {"losses": losses, "grads": grads}


def test_differentiable_pca_head_matches_torch(torch) -> None:
    ours, theirs = train_pca_head(*libraries()), train_pca_head(*libraries(torch))
    assert_records(ours["losses"], theirs["losses"])
    for got, want in zip(ours["grads"], theirs["grads"]):
        assert_records(got, want, rtol=1e-8, atol=1e-10)


def make_pca(T, lib):
    def svd_flip(u, v):
        """scikit-learn's sign fix: each component's largest |u| entry made positive."""
        max_abs_cols = T.argmax(T.abs(u), 0)
        i = T.arange(u.shape[1])
        signs = T.sign(u[max_abs_cols, i])
        u *= signs
        v *= signs.view(-1, 1)
        return u, v

    class PCA(lib.Module):
        """scikit-learn's PCA as an nn.Module with buffers (the torch-pca recipes)."""

        def __init__(self, n_components: int):
            super().__init__()
            self.n_components = n_components

        @T.no_grad()
        def fit(self, X):
            n, d = X.size()
            self.register_buffer("mean_", X.mean(0, keepdim=True))
            Z = X - self.mean_
            U, S, Vh = T.linalg.svd(Z, full_matrices=False)
            U, Vt = svd_flip(U, Vh)
            self.register_buffer("components_", Vt[:self.n_components])
            self.register_buffer("explained_variance_",
                                 (S ** 2 / (n - 1))[:self.n_components])
            return self

        def forward(self, X):
            return self.transform(X)

        def transform(self, X):
            return T.matmul(X - self.mean_, self.components_.t())

        def inverse_transform(self, Y):
            return T.matmul(Y, self.components_) + self.mean_

    return PCA


def test_pca_module_with_svd_flip_matches_torch_and_sklearn(torch) -> None:
    from sklearn.decomposition import PCA as SkPCA
    X = digits(100)
    records = []
    for T, lib in ((ag, nn), (torch, torch.nn)):
        pca = make_pca(T, lib)(5).fit(T.tensor(X))
        Z = pca(T.tensor(X))
        back = pca.inverse_transform(Z)
        records.append([numpy_of(pca.components_), numpy_of(pca.explained_variance_),
                        numpy_of(Z), numpy_of(back), sorted(pca.state_dict())])
    assert records[0][4] == records[1][4]
    assert_records(records[0][:4], records[1][:4], rtol=1e-8, atol=1e-10)
    reference = SkPCA(5, svd_solver="full").fit(X)
    np.testing.assert_allclose(np.abs(records[0][0]), np.abs(reference.components_),
                               atol=1e-8)
