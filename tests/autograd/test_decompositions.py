"""``autograd.linalg``'s decompositions (eigh, eigvalsh): values and gradients against
PyTorch on small well-conditioned float64 inputs, batched too, with sign-free losses for
the eigenvectors (|V|^2); gradients against finite differences at first and second order
through a symmetric parametrization A = X + X^T; the errors for bad input. Inputs with
repeated eigenvalues (inf/NaN gradients in PyTorch too) are not tested."""

from __future__ import annotations

from typing import Callable

import numpy as np
import pytest

import autograd as ag
from autograd.errors import DTypeError, ShapeError, UsageError

torch = pytest.importorskip("torch")
L = ag.linalg
RNG = np.random.default_rng(0)
SHAPES = [(1, 1), (3, 3), (2, 3, 3), (2, 1, 4, 4)]


def symmetric(*shape: int) -> np.ndarray:
    """Random symmetric matrices with well-separated eigenvalues (about 3 apart)."""
    q, _ = np.linalg.qr(RNG.normal(size=shape))
    values = 3.0 * np.arange(shape[-1]) + RNG.uniform(-1, 1, shape[:-1])
    return (q * values[..., None, :]) @ np.swapaxes(q, -1, -2)


def compare(ours: Callable, theirs: Callable, *arrays: np.ndarray) -> None:
    """Same values and, for a random upstream gradient, the same input gradients."""
    xs = [ag.Tensor(a, requires_grad=True) for a in arrays]
    ts = [torch.tensor(a, requires_grad=True) for a in arrays]
    out, expected = ours(*xs), theirs(*ts)
    assert out.shape == tuple(expected.shape)
    np.testing.assert_allclose(out.data, expected.detach().numpy(), rtol=1e-9, atol=1e-12)
    seed = RNG.normal(size=out.shape)
    out.backward(seed)
    expected.backward(torch.tensor(seed))
    for x, t in zip(xs, ts):
        np.testing.assert_allclose(x.grad, t.grad.numpy(), rtol=1e-8, atol=1e-10)


def leaf(shape: tuple) -> ag.Tensor:
    return ag.Tensor(RNG.normal(size=shape), requires_grad=True)


def spread(x: ag.Tensor) -> ag.Tensor:
    """X + X^T + a diagonal that keeps the eigenvalues apart: symmetric, and every entry
    of X moves it (so finite differences see the symmetric changes the gradient means)."""
    n = x.shape[-1]
    return x + x.mT + ag.Tensor(np.diag(8.0 * np.arange(n)))


# ------------------------------------------------------------------ eigh, eigvalsh
@pytest.mark.parametrize("shape", SHAPES)
def test_eigh_values_and_vectors_against_torch(shape: tuple) -> None:
    a = symmetric(*shape)
    compare(lambda x: L.eigh(x).eigenvalues, lambda t: torch.linalg.eigh(t).eigenvalues, a)
    compare(lambda x: L.eigh(x).eigenvectors ** 2,  # sign-free
            lambda t: torch.linalg.eigh(t).eigenvectors ** 2, a)
    compare(L.eigvalsh, torch.linalg.eigvalsh, a)


@pytest.mark.parametrize("uplo", ["L", "U", "l"])
def test_only_the_uplo_triangle_is_read_and_the_gradient_is_torchs(uplo: str) -> None:
    """The other triangle is garbage: values as PyTorch's, and so is the gradient (a
    symmetric matrix, also in the triangle that is not read)."""
    a = symmetric(2, 3, 3) + np.triu(RNG.normal(size=(3, 3)) * 5, 1) * (uplo != "U")
    a = a + np.tril(RNG.normal(size=(3, 3)) * 5, -1) * (uplo == "U")

    def both(x: ag.Tensor) -> ag.Tensor:
        values, vectors = L.eigh(x, UPLO=uplo)
        return ag.concatenate([values[..., None, :], vectors ** 2], axis=-2)

    def both_torch(t: torch.Tensor) -> torch.Tensor:
        values, vectors = torch.linalg.eigh(t, UPLO=uplo)
        return torch.cat([values[..., None, :], vectors ** 2], dim=-2)
    compare(both, both_torch, a)
    compare(lambda x: L.eigvalsh(x, uplo), lambda t: torch.linalg.eigvalsh(t, uplo), a)


def test_eigh_is_the_named_pair() -> None:
    a = symmetric(3, 3)
    result = L.eigh(a)
    values, vectors = result
    assert values is result.eigenvalues and vectors is result.eigenvectors
    np.testing.assert_allclose((vectors * values[None, :]) @ vectors.mT, a, atol=1e-12)


@pytest.mark.parametrize("shape", [(1, 1), (3, 3), (2, 2, 2)])
def test_eigh_finite_differences_first_and_second_order(shape: tuple) -> None:
    for f in (lambda x: L.eigh(spread(x)).eigenvalues,
              lambda x: L.eigh(spread(x)).eigenvectors ** 2, lambda x: L.eigvalsh(spread(x))):
        assert ag.gradcheck(f, [leaf(shape)], seed=1)
        assert ag.gradgradcheck(f, [leaf(shape)], seed=2)


def test_eigh_jvp_through_the_double_backward() -> None:
    """functional.jvp differentiates the VJP at a zero upstream gradient."""
    x, v = leaf((3, 3)), RNG.normal(size=(3, 3))
    f = lambda t: L.eigh(spread(t)).eigenvectors ** 2  # noqa: E731
    _, ours = ag.functional.jvp(f, x, ag.Tensor(v))
    eps = 1e-6
    numeric = (f(x.detach() + eps * v).data - f(x.detach() - eps * v).data) / (2 * eps)
    np.testing.assert_allclose(ours.data, numeric, rtol=1e-5, atol=1e-8)


def test_eigvalsh_gradient_is_finite_at_repeated_eigenvalues() -> None:
    """eigvalsh's gradient V diag(g) V^T needs no 1 / (l_j - l_i): finite, as PyTorch's."""
    a = np.diag([1.0, 1.0, 2.0])
    compare(L.eigvalsh, torch.linalg.eigvalsh, a)


def test_float32_stays_float32() -> None:
    x = ag.Tensor(symmetric(3, 3).astype(np.float32), requires_grad=True)
    values, vectors = L.eigh(x)
    assert values.dtype == vectors.dtype == L.eigvalsh(x).dtype == np.float32
    (values.sum() + (vectors ** 2 * np.arange(3.0, dtype=np.float32)).sum()).backward()
    assert x.grad.dtype == np.float32


@pytest.mark.parametrize("name", ["eigh", "eigvalsh"])
def test_eigh_errors(name: str) -> None:
    op = getattr(L, name)
    with pytest.raises(ShapeError, match="square"):
        op(np.ones((2, 3)))
    with pytest.raises(ShapeError, match="square"):
        op(np.ones(3))
    with pytest.raises(DTypeError, match="float16"):
        op(np.eye(2, dtype=np.float16))
    with pytest.raises(UsageError, match="UPLO must be 'L' or 'U'"):
        op(np.eye(2), UPLO="X")
    with pytest.raises(RuntimeError):  # PyTorch raises RuntimeError for a bad UPLO
        op(np.eye(2), UPLO="upper")


# ------------------------------------------------------------------ svd, svdvals
def separated(*shape: int) -> np.ndarray:
    """Random matrices with singular values 1, 2.5, 4, ... (distinct, nonzero)."""
    m, n = shape[-2:]
    k = min(m, n)
    u, _ = np.linalg.qr(RNG.normal(size=shape[:-2] + (m, k)))
    v, _ = np.linalg.qr(RNG.normal(size=shape[:-2] + (n, k)))
    return (u * (1.0 + 1.5 * np.arange(k))) @ np.swapaxes(v, -1, -2)


SVD_SHAPES = [(1, 1), (3, 3), (4, 2), (2, 4), (2, 3, 2), (2, 1, 2, 3)]


def svd_parts(full_matrices: bool, added: bool = True) -> tuple[Callable, Callable]:
    """Sign-free functions of the SVD, flattened side by side: S, U S Vh, |U|^2, |Vh|^2
    (with ``added``, also the columns of U and rows of Vh that full_matrices adds)."""
    def ours(x: ag.Tensor) -> ag.Tensor:
        u, s, vh = L.svd(x, full_matrices=full_matrices)
        k = s.shape[-1]
        u, vh = (u, vh) if added else (u[..., :k], vh[..., :k, :])
        parts = [s, (u[..., :k] * s[..., None, :]) @ vh[..., :k, :], u ** 2, vh ** 2]
        return ag.concatenate([p.reshape(x.shape[:-2] + (-1,)) for p in parts], -1)

    def theirs(t: torch.Tensor) -> torch.Tensor:
        u, s, vh = torch.linalg.svd(t, full_matrices=full_matrices)
        k = s.shape[-1]
        parts = [s, (u[..., :k] * s[..., None, :]) @ vh[..., :k, :], u ** 2, vh ** 2]
        return torch.cat([p.reshape(t.shape[:-2] + (-1,)) for p in parts], -1)
    return ours, theirs


@pytest.mark.parametrize("shape", SVD_SHAPES)
@pytest.mark.parametrize("full_matrices", [False, True])
def test_svd_against_torch(shape: tuple, full_matrices: bool) -> None:
    """With full_matrices the added columns of U (rows of Vh) get no gradient, as in
    PyTorch (they are any orthonormal completion)."""
    compare(*svd_parts(full_matrices), separated(*shape))


@pytest.mark.parametrize("shape", SVD_SHAPES)
def test_svdvals_against_torch(shape: tuple) -> None:
    compare(L.svdvals, torch.linalg.svdvals, separated(*shape))


def test_svd_shapes_and_the_named_triple() -> None:
    a = separated(2, 4, 3)
    result = L.svd(a)
    u, s, vh = result
    assert (u is result.U, s is result.S, vh is result.Vh) == (True, True, True)
    assert (u.shape, s.shape, vh.shape) == ((2, 4, 4), (2, 3), (2, 3, 3))
    u, s, vh = L.svd(a, full_matrices=False)
    assert (u.shape, s.shape, vh.shape) == ((2, 4, 3), (2, 3), (2, 3, 3))
    np.testing.assert_allclose(((u * s[..., None, :]) @ vh).data, a, atol=1e-12)


@pytest.mark.parametrize("shape", [(1, 1), (3, 3), (3, 2), (2, 2, 3)])
def test_svd_finite_differences_first_and_second_order(shape: tuple) -> None:
    def spaced(x: ag.Tensor) -> ag.Tensor:  # singular values kept apart and away from 0
        m, n = x.shape[-2:]
        return 0.2 * x + ag.Tensor(np.eye(m, n) * (1.0 + np.arange(n)))
    for f in (lambda x: svd_parts(False)[0](spaced(x)),  # (the columns full_matrices
              lambda x: svd_parts(True, False)[0](spaced(x)),  # adds have no gradient)
              lambda x: L.svdvals(spaced(x))):
        assert ag.gradcheck(f, [leaf(shape)], seed=1)
        assert ag.gradgradcheck(f, [leaf(shape)], seed=2)


def test_svdvals_gradient_is_finite_at_repeated_and_zero_singular_values() -> None:
    for a in (np.eye(3), np.diag([2.0, 0.0, 0.0]), np.zeros((3, 2))):
        compare(L.svdvals, torch.linalg.svdvals, a)


@pytest.mark.parametrize("name", ["svd", "svdvals"])
def test_svd_errors(name: str) -> None:
    op = getattr(L, name)
    with pytest.raises(ShapeError, match="matrices"):
        op(np.ones(3))
    with pytest.raises(DTypeError, match="float16"):
        op(np.eye(2, dtype=np.float16))
    assert op(np.ones((2, 3), dtype=np.float32))[-1].dtype == np.float32


# ------------------------------------------------------------------ pinv, matrix_rank, cond
def rank_two(*shape: int) -> np.ndarray:
    m, n = shape[-2:]
    return RNG.normal(size=shape[:-2] + (m, 2)) @ RNG.normal(size=shape[:-2] + (2, n))


@pytest.mark.parametrize("shape", [(1, 1), (3, 3), (4, 2), (2, 4), (2, 3, 2)])
def test_pinv_against_torch_and_finite_differences(shape: tuple) -> None:
    compare(L.pinv, torch.linalg.pinv, RNG.normal(size=shape))
    assert ag.gradcheck(L.pinv, [leaf(shape)], seed=1)
    assert ag.gradgradcheck(L.pinv, [leaf(shape)], seed=2)


def test_pinv_of_a_rank_deficient_matrix_and_the_tolerances() -> None:
    """Singular values under the cut count as 0; the gradient is at a fixed rank."""
    compare(L.pinv, torch.linalg.pinv, rank_two(2, 4, 3))
    a = separated(3, 3)  # singular values 1, 2.5, 4
    compare(lambda x: L.pinv(x, atol=1.5), lambda t: torch.linalg.pinv(t, atol=1.5), a)
    compare(lambda x: L.pinv(x, rtol=0.5), lambda t: torch.linalg.pinv(t, rtol=0.5), a)


@pytest.mark.parametrize("a", [rank_two(4, 3), rank_two(2, 3, 5), np.ones((3, 3)),
                               np.zeros((2, 2)), separated(2, 3, 3)],
                         ids=["rank2", "batch", "ones", "zeros", "full"])
def test_matrix_rank_is_torchs(a: np.ndarray) -> None:
    symmetric_part = a[..., :2, :2] + np.swapaxes(a[..., :2, :2], -1, -2)
    for args, kwargs in [((a,), {}), ((a,), {"atol": 2.0}), ((a,), {"rtol": 0.3}),
                         ((symmetric_part,), {"hermitian": True})]:
        ours = L.matrix_rank(*args, **kwargs)
        expected = torch.linalg.matrix_rank(torch.tensor(args[0]), **kwargs)
        assert ours.dtype == np.int64 and not ours.requires_grad
        np.testing.assert_array_equal(ours.data, expected.numpy())


@pytest.mark.parametrize("p", [None, 2, -2])
@pytest.mark.parametrize("shape", [(3, 3), (4, 2), (2, 2, 3)])
def test_cond_from_singular_values(p: object, shape: tuple) -> None:
    compare(lambda x: L.cond(x, p), lambda t: torch.linalg.cond(t, p), separated(*shape))


@pytest.mark.parametrize("p", ["fro", "nuc", 1, -1, np.inf, -np.inf])
def test_cond_from_the_inverse(p: object) -> None:
    """Values as torch.linalg.cond's; torch 2.14's backward of these fails (an in-place
    write), so the gradient is compared with the same composition in torch."""
    a = separated(2, 3, 3)
    np.testing.assert_allclose(L.cond(a, p).data, torch.linalg.cond(torch.tensor(a), p))
    compare(lambda x: L.cond(x, p), lambda t: torch.linalg.matrix_norm(t, p) *
            torch.linalg.matrix_norm(torch.linalg.inv(t), p), a)
    with pytest.raises(ShapeError, match="square"):
        L.cond(np.ones((3, 2)), p)  # torch: an error too


def test_cond_and_pinv_errors() -> None:
    with pytest.raises(ag.errors.NormOrderError, match="p must be None or one of"):
        L.cond(np.eye(2), 3)
    with pytest.raises(ShapeError, match="matrices"):
        L.pinv(np.ones(3))
    with pytest.raises(ShapeError, match="matrices"):
        L.matrix_rank(np.ones(3))
