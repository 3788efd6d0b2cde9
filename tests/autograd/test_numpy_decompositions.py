"""NumPy's decompositions on Tensors (``np.linalg.svd/eigh/eigvalsh/qr/pinv/matrix_rank/
cond`` and the matrix orders of ``np.linalg.norm``): NumPy's values, result types and
tolerance rules, gradients against finite differences and PyTorch, named errors."""

from __future__ import annotations

import numpy as np
import pytest

import autograd as ag
from autograd.errors import DTypeError, NormOrderError, ShapeError, UsageError

RNG = np.random.default_rng(7)
INF = np.inf


def tensor(a: np.ndarray, grad: bool = False) -> ag.Tensor:
    return ag.Tensor(a, requires_grad=grad)


def symmetric(*shape: int) -> np.ndarray:
    """Symmetric matrices with eigenvalues about 3 apart (some negative)."""
    q, _ = np.linalg.qr(RNG.normal(size=shape))
    values = 3.0 * np.arange(shape[-1]) - 2.0 + RNG.uniform(-0.5, 0.5, shape[:-1])
    return (q * values[..., None, :]) @ np.swapaxes(q, -1, -2)


def close(ours: ag.Tensor, expected: np.ndarray) -> None:
    assert isinstance(ours, ag.Tensor)
    assert ours.shape == np.shape(expected)
    np.testing.assert_allclose(ours.data, expected, rtol=1e-9, atol=1e-12)


# ------------------------------------------------------------------ values and types
@pytest.mark.parametrize("shape", [(4, 3), (3, 4), (2, 3, 3)])
@pytest.mark.parametrize("full", [True, False])
def test_svd_is_numpys_named_triple(shape: tuple, full: bool) -> None:
    a = RNG.normal(size=shape)
    ours, expected = np.linalg.svd(tensor(a), full_matrices=full), np.linalg.svd(a, full)
    assert type(ours).__name__ == "SVDResult" and ours._fields == expected._fields
    close(ours.S, expected.S)
    close(abs(ours.U), abs(expected.U))  # vectors up to sign
    close(abs(ours.Vh), abs(expected.Vh))
    U, S, Vh = ours
    k = min(shape[-2:])
    close(U[..., :k] * S[..., None, :] @ Vh[..., :k, :], a)


def test_svd_without_vectors_gives_s_alone() -> None:
    a, s = RNG.normal(size=(3, 5)), symmetric(2, 4, 4)
    close(np.linalg.svd(tensor(a), compute_uv=False), np.linalg.svd(a, compute_uv=False))
    close(np.linalg.svd(tensor(s), compute_uv=False, hermitian=True),
          np.linalg.svd(s, compute_uv=False, hermitian=True))


@pytest.mark.parametrize("uplo", ["L", "U", "u"])
def test_eigh_and_eigvalsh_read_numpys_triangle(uplo: str) -> None:
    a = symmetric(2, 3, 3) + np.triu(RNG.normal(size=(3, 3)), 1)  # the triangles differ
    ours, expected = np.linalg.eigh(tensor(a), UPLO=uplo), np.linalg.eigh(a, UPLO=uplo)
    assert ours._fields == expected._fields == ("eigenvalues", "eigenvectors")
    close(ours.eigenvalues, expected.eigenvalues)
    close(abs(ours.eigenvectors), abs(expected.eigenvectors))
    close(np.linalg.eigvalsh(tensor(a), uplo), np.linalg.eigvalsh(a, uplo))


@pytest.mark.parametrize("shape", [(4, 3), (3, 4)])
@pytest.mark.parametrize("mode", ["reduced", "complete", "r"])
def test_qr_modes_as_numpy(shape: tuple, mode: str) -> None:
    a = RNG.normal(size=shape)
    ours, expected = np.linalg.qr(tensor(a), mode), np.linalg.qr(a, mode)
    if mode == "r":  # NumPy gives R alone
        close(ours, expected)
        return
    assert ours._fields == ("Q", "R")
    close(ours.Q, expected.Q)
    close(ours.R, expected.R)


@pytest.mark.parametrize("kwargs", [{}, {"rtol": None}, {"rtol": 1e-3}, {"rcond": 1e-3},
                                    {"rcond": 0.0}])
def test_pinv_uses_numpys_tolerances(kwargs: dict) -> None:
    # singular values 1, 1e-4, 1e-15 * 3: each default or given tolerance cuts elsewhere
    q1, _ = np.linalg.qr(RNG.normal(size=(4, 4)))
    q2, _ = np.linalg.qr(RNG.normal(size=(3, 3)))
    a = (q1[:, :3] * np.array([1.0, 1e-4, 3e-15])) @ q2.T
    close(np.linalg.pinv(tensor(a), **kwargs), np.linalg.pinv(a, **kwargs))
    b = RNG.normal(size=(2, 3, 5))
    close(np.linalg.pinv(tensor(b), **kwargs), np.linalg.pinv(b, **kwargs))


@pytest.mark.parametrize("kwargs", [{}, {"tol": 0.5}, {"rtol": 0.3}, {"hermitian": True}])
def test_matrix_rank_is_numpys_count_as_a_constant(kwargs: dict) -> None:
    a = symmetric(2, 4, 4) * np.array([1.0, 1.0, 1e-20, 1.0])[:, None]
    a = (a + np.swapaxes(a, -1, -2)) / 2  # symmetric, nearly singular
    ours = np.linalg.matrix_rank(tensor(a, grad=True), **kwargs)
    assert ours.dtype == np.int64 and not ours.requires_grad
    close(ours, np.linalg.matrix_rank(a, **kwargs))
    assert int(np.linalg.matrix_rank(tensor(np.zeros(3)))) == 0  # 1-d: NumPy's rule
    assert int(np.linalg.matrix_rank(tensor(np.arange(3.0)))) == 1


@pytest.mark.parametrize("p", [None, 2, -2, 1, -1, INF, -INF, "fro", "nuc"])
def test_cond_as_numpy(p: object) -> None:
    a = RNG.normal(size=(2, 3, 3)) + 3 * np.eye(3)
    close(np.linalg.cond(tensor(a), p), np.linalg.cond(a, p))


def test_cond_of_a_rectangular_matrix() -> None:
    a = RNG.normal(size=(3, 5))
    close(np.linalg.cond(tensor(a)), np.linalg.cond(a))


@pytest.mark.parametrize("ord", ["nuc", 2, -2, 1, -1, INF, -INF, "fro", None])
@pytest.mark.parametrize("axis, keepdims", [(None, False), (None, True), ((2, 0), True),
                                            ((-1, 1), False)])
def test_norm_matrix_orders_as_numpy(ord: object, axis: object, keepdims: bool) -> None:
    a = RNG.normal(size=(3, 4) if axis is None else (3, 2, 4))
    close(np.linalg.norm(tensor(a), ord, axis, keepdims), np.linalg.norm(a, ord, axis, keepdims))


# ------------------------------------------------------------------ gradients
@pytest.mark.parametrize("fn", [
    lambda x: np.linalg.svd(x, full_matrices=False).U ** 2,  # sign-free
    lambda x: np.linalg.svd(x).S,
    lambda x: np.linalg.svd(x, compute_uv=False),
    lambda x: np.linalg.qr(x).Q,
    lambda x: np.linalg.qr(x, "r"),
    lambda x: np.linalg.pinv(x),
    lambda x: np.linalg.cond(x),
    lambda x: np.linalg.cond(x[..., :3, :], 1),
], ids=["svd-U", "svd-S", "svd-values", "qr-Q", "qr-r", "pinv", "cond", "cond-1"])
def test_gradients_against_finite_differences(fn: object) -> None:
    x = tensor(RNG.normal(size=(2, 4, 3)) + np.eye(4, 3), grad=True)
    assert ag.gradcheck(fn, [x])


@pytest.mark.parametrize("fn", [lambda x: np.linalg.eigh(x).eigenvectors ** 2,
                                lambda x: np.linalg.eigh(x).eigenvalues,
                                lambda x: np.linalg.eigvalsh(x),
                                lambda x: np.linalg.svd(x, compute_uv=False, hermitian=True)],
                         ids=["eigh-V", "eigh-l", "eigvalsh", "svd-hermitian"])
def test_symmetric_gradients_against_finite_differences(fn: object) -> None:
    x = tensor(RNG.normal(size=(3, 3)), grad=True)
    shift = ag.Tensor(np.diag([-5.0, 1.0, 8.0]))  # eigenvalues apart, one negative
    assert ag.gradcheck(lambda x: fn(x + x.mT + shift), [x])


@pytest.mark.parametrize("ord", ["nuc", 2, -2, 1, -1, INF, -INF])
def test_norm_gradients_against_torch(ord: object) -> None:
    torch = pytest.importorskip("torch")
    a = RNG.normal(size=(3, 4))
    x, t = tensor(a, grad=True), torch.tensor(a, requires_grad=True)
    np.linalg.norm(x, ord).backward()
    torch.linalg.matrix_norm(t, ord).backward()
    np.testing.assert_allclose(x.grad, t.grad.numpy(), rtol=1e-8, atol=1e-10)


def test_pinv_and_cond_gradients_against_torch() -> None:
    torch = pytest.importorskip("torch")
    a = RNG.normal(size=(2, 3, 4))
    seed = RNG.normal(size=(2, 4, 3))
    x, t = tensor(a, grad=True), torch.tensor(a, requires_grad=True)
    (np.linalg.pinv(x) * seed).sum().backward()
    (torch.linalg.pinv(t, rtol=1e-15) * torch.tensor(seed)).sum().backward()  # NumPy's rcond
    np.testing.assert_allclose(x.grad, t.grad.numpy(), rtol=1e-8, atol=1e-10)
    x, t = tensor(a, grad=True), torch.tensor(a, requires_grad=True)
    np.linalg.cond(x).sum().backward()
    torch.linalg.cond(t).sum().backward()
    np.testing.assert_allclose(x.grad, t.grad.numpy(), rtol=1e-8, atol=1e-10)


def test_pinv_hermitian_reads_the_lower_triangle_as_numpy_and_differentiates() -> None:
    """``np.linalg.pinv(t, hermitian=True)`` raised UsageError; it is NumPy's (lower
    triangle, NumPy's rcond), with the gradient of the symmetric matrix it reads."""
    a = RNG.normal(size=(2, 4, 4))
    a[..., 0, 3] = 9.0  # the upper triangle is not read
    close(np.linalg.pinv(tensor(a), 1e-10, hermitian=True),
          np.linalg.pinv(a, 1e-10, hermitian=True))
    ag.gradcheck(lambda t: np.linalg.pinv((t + t.mT) / 2, hermitian=True),
                 [tensor(a, grad=True)])


# ------------------------------------------------------------------ errors
@pytest.mark.parametrize("call, error, match", [
    (lambda t: np.linalg.qr(t, "raw"), UsageError, "mode='raw'.*t.data"),
    (lambda t: np.linalg.qr(t, "economic"), UsageError, "'reduced', 'complete' and 'r'"),
    (lambda t: np.linalg.svd(t, hermitian=True), UsageError, "hermitian=True.*eigh"),
    (lambda t: np.linalg.pinv(t[:2], hermitian=True), ShapeError, "square"),
    (lambda t: np.linalg.pinv(t, 1e-3, rtol=1e-3), UsageError, "both"),
    (lambda t: np.linalg.pinv(t, np.array([1e-3, 1e-2])), UsageError, "one number"),
    (lambda t: np.linalg.eigh(t, UPLO="X"), UsageError, "np.linalg.eigh: UPLO"),
    (lambda t: np.linalg.eigvalsh(t[0]), ShapeError, "np.linalg.eigvalsh: needs square"),
    (lambda t: np.linalg.cond(t, 3), NormOrderError, "np.linalg.cond: p must"),
    (lambda t: np.linalg.norm(t, 3), NormOrderError, "np.linalg.norm: ord must"),
    (lambda t: np.linalg.norm(t, 1, axis=(0, 0)), ShapeError, "two different axes"),
    (lambda t: np.linalg.norm(t.reshape(1, 3, 3), "nuc"), UsageError, "Pass axis"),
    (lambda t: np.linalg.svd(t.astype(np.float16)), DTypeError, "float16"),
    (lambda t: np.linalg.matrix_rank(t.astype(np.float16)), DTypeError, "float16"),
], ids=lambda x: x if isinstance(x, str) else None)
def test_named_errors(call: object, error: type, match: str) -> None:
    with pytest.raises(error, match=match):
        call(tensor(RNG.normal(size=(3, 3))))
