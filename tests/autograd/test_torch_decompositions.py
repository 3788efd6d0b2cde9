"""PyTorch's older decomposition spellings and the statistics that PCA and whitening code
calls: ``torch.svd``/``A.svd()`` (U, S, V), ``torch.qr``/``A.qr()``, ``matrix_exp`` as a
method, ``mH``/``H``/``adjoint()``, ``torch.cov``/``corrcoef`` (with weights) and the
randomized ``svd_lowrank``/``pca_lowrank``; values and gradients against PyTorch."""

import numpy as np
import pytest

import autograd as ag
from autograd.errors import ShapeError, UsageError


def pair(torch, a):
    """The same float64 leaf here and in PyTorch."""
    return ag.tensor(a, requires_grad=True), torch.tensor(a, requires_grad=True)


def close(ours, theirs, tol=1e-10):
    np.testing.assert_allclose(np.asarray(ours.data), theirs.detach().numpy(), rtol=tol,
                               atol=tol)


@pytest.mark.parametrize("shape", [(5, 3), (3, 5), (2, 4, 3)])
@pytest.mark.parametrize("some", [True, False])
def test_svd_gives_v_and_differentiates_as_torch(torch, shape, some):
    a = np.random.default_rng(0).standard_normal(shape)
    (x, tx), g = pair(torch, a), np.random.default_rng(1).standard_normal(shape)
    results = []
    for T, A in ((ag, x), (torch, tx)):
        U, S, V = T.svd(A, some=some)
        k = S.shape[-1]
        # sign-free: the projections on the singular vectors, weighted by S
        loss = ((U[..., :k] * S[..., None, :]) @ V[..., :, :k].mT * T.tensor(g)).sum()
        loss = loss + (V[..., :, :k] @ V[..., :, :k].mT).pow(3).sum() + S.pow(2).sum()
        loss.backward()
        results.append((U.shape, V.shape, S, A.grad))
    assert tuple(results[0][0]) == tuple(results[1][0])
    assert tuple(results[0][1]) == tuple(results[1][1])
    close(results[0][2], results[1][2])
    close(results[0][3], results[1][3], 1e-9)


def test_svd_method_and_compute_uv_false_as_torch(torch):
    a = np.random.default_rng(2).standard_normal((4, 3))
    x, tx = pair(torch, a)
    U, S, V = x.svd(compute_uv=False)
    tU, tS, tV = tx.svd(compute_uv=False)
    assert U.shape == tuple(tU.shape) and V.shape == tuple(tV.shape)
    assert not U.data.any() and not V.data.any()
    S.sum().backward()
    tS.sum().backward()
    close(x.grad, tx.grad)


@pytest.mark.parametrize("some", [True, False])
def test_qr_some_as_torch(torch, some):
    a = np.random.default_rng(3).standard_normal((5, 3))
    x, tx = pair(torch, a)
    Q, R = ag.qr(x, some=some)
    tQ, tR = torch.qr(tx, some=some)
    close(Q, tQ)
    close(R, tR)
    if some:  # PyTorch has no gradient for the complete Q of a tall matrix
        g = np.random.default_rng(4).standard_normal((5, 3))
        (Q * ag.tensor(g)).sum().backward()
        (tQ * torch.tensor(g)).sum().backward()
        close(x.grad, tx.grad, 1e-9)
    Q2, R2 = x.qr()
    close(Q2, torch.linalg.qr(tx).Q)


def test_matrix_exp_method_and_conjugate_transposes(torch):
    a = np.random.default_rng(5).standard_normal((2, 3, 3))
    x, tx = pair(torch, a)
    (x.matrix_exp() * x.mH).sum().backward()
    (tx.matrix_exp() * tx.mH).sum().backward()
    close(x.grad, tx.grad, 1e-9)
    m = ag.tensor(a[0])
    close(m.H, torch.tensor(a[0]).H)
    close(m.adjoint(), torch.tensor(a[0]).adjoint())
    with pytest.raises(ShapeError, match="mH for a batch"):
        x.H


@pytest.mark.parametrize("weights", ["none", "f", "a", "fa"])
@pytest.mark.parametrize("correction", [0, 1, 2])
def test_cov_as_torch(torch, weights, correction):
    rng = np.random.default_rng(6)
    a, g = rng.standard_normal((3, 7)), rng.standard_normal((3, 3))
    f, w = rng.integers(1, 4, 7), rng.uniform(0.5, 2, 7)
    kw = lambda T: {"fweights": T.tensor(f) if "f" in weights else None,  # noqa: E731
                    "aweights": T.tensor(w) if "a" in weights else None}
    x, tx = pair(torch, a)
    c, tc = ag.cov(x, correction=correction, **kw(ag)), torch.cov(tx, correction=correction,
                                                                 **kw(torch))
    close(c, tc)
    (c * ag.tensor(g)).sum().backward()
    (tc * torch.tensor(g)).sum().backward()
    close(x.grad, tx.grad)


def test_cov_of_a_vector_and_corrcoef_as_torch(torch):
    a = np.random.default_rng(7).standard_normal((4, 9))
    x, tx = pair(torch, a)
    v = ag.cov(x[0])
    assert v.shape == tuple(torch.cov(tx[0]).shape) == ()
    close(v, torch.cov(tx[0]))
    r, tr = x.corrcoef(), torch.corrcoef(tx)
    close(r, tr)
    (r.triu(1) ** 2).sum().backward()
    (tr.triu(1) ** 2).sum().backward()
    close(x.grad, tx.grad)
    with pytest.raises(ShapeError, match="one weight per observation"):
        ag.cov(x, fweights=ag.ones(3))


@pytest.mark.parametrize("shape", [(8, 4), (4, 8)])
def test_lowrank_with_full_q_is_the_exact_svd_as_torch(torch, shape):
    a = np.random.default_rng(8).standard_normal(shape)
    x, tx = pair(torch, a)
    U, S, V = ag.svd_lowrank(x, q=4, generator=ag.Generator().manual_seed(0))
    tU, tS, tV = torch.svd_lowrank(tx, q=4)
    assert U.shape == tuple(tU.shape) and V.shape == tuple(tV.shape)
    close(S, tS, 1e-9)
    close(U @ U.mT, tU @ tU.mT, 1e-9)
    S.sum().backward()
    tS.sum().backward()
    close(x.grad, tx.grad, 1e-9)


def test_pca_lowrank_centers_and_defaults_q_as_torch(torch):
    a = np.random.default_rng(9).standard_normal((10, 5)) @ np.diag([5, 3, 2, 1, 0.5])
    x, tx = pair(torch, a)
    U, S, V = ag.pca_lowrank(x, niter=4)
    tU, tS, tV = torch.pca_lowrank(tx, niter=4)
    assert S.shape == tuple(tS.shape) == (5,)
    close(S, tS, 1e-9)
    close(V @ V.mT, tV @ tV.mT, 1e-9)
    with pytest.raises(UsageError, match="q must be an int between 0 and"):
        ag.pca_lowrank(x, q=6)
    with pytest.raises(UsageError, match="pass A - M"):
        ag.svd_lowrank(x, M=x)


@pytest.mark.parametrize("kwargs", [{}, {"rowvar": False}, {"bias": True}, {"ddof": 2},
                                    {"aweights": np.arange(1.0, 7.0)}])
def test_numpy_cov_and_corrcoef_on_tensors_are_differentiable(kwargs):
    a = np.random.default_rng(10).standard_normal((3, 6))
    x = ag.tensor(a, requires_grad=True)
    np.testing.assert_allclose(np.cov(x, **kwargs).data, np.cov(a, **kwargs), atol=1e-14)
    ag.gradcheck(lambda t: np.cov(t, **kwargs), x)
    both = {k: v for k, v in kwargs.items() if k == "rowvar"}
    y = (lambda v: v[:, :2] ** 2) if both else (lambda v: v[0] ** 2)  # NumPy's shapes
    np.testing.assert_allclose(np.corrcoef(x, y(x), **both).data,
                               np.corrcoef(a, y(a), **both), atol=1e-14)
    assert np.cov(x[0], rowvar=False).shape == np.cov(a[0], rowvar=False).shape == ()


def test_cov_weights_promote_as_torch(torch):
    a = np.random.default_rng(11).standard_normal((2, 5)).astype(np.float32)
    for w in (np.arange(1, 6), np.arange(1.0, 6.0), np.arange(1.0, 6.0, dtype=np.float32)):
        key = "fweights" if w.dtype.kind == "i" else "aweights"
        ours = ag.cov(ag.tensor(a), **{key: ag.tensor(w)})
        theirs = torch.cov(torch.tensor(a), **{key: torch.tensor(w)})
        assert str(ours.dtype) == str(theirs.dtype).replace("torch.", "")
        np.testing.assert_allclose(ours.data, theirs.numpy(), rtol=1e-5)
