"""``autograd.linalg`` (PyTorch's ``torch.linalg`` spellings) and the matrix Tensor
methods ``inverse det logdet slogdet cholesky matrix_power``: values and gradients
against PyTorch on small random float64 inputs, batched too; the errors for bad input."""

from __future__ import annotations

from typing import Any, Callable

import numpy as np
import pytest

import autograd as ag
from autograd.errors import DTypeError, NormOrderError, ShapeError

torch = pytest.importorskip("torch")
L = ag.linalg
RNG = np.random.default_rng(0)


def invertible(*shape: int) -> np.ndarray:
    """Random matrices kept well away from singular (diagonally dominant)."""
    n = shape[-1]
    return RNG.uniform(-1, 1, shape) + 4 * np.eye(n) * RNG.choice([-1, 1], shape[:-1])[..., None]


def spd(*shape: int) -> np.ndarray:
    """Random symmetric positive definite matrices."""
    m = RNG.normal(size=shape)
    return m @ np.swapaxes(m, -1, -2) + shape[-1] * np.eye(shape[-1])


def compare(ours: Callable, theirs: Callable, *arrays: np.ndarray) -> None:
    """Same values and, for a random upstream gradient, the same input gradients."""
    xs = [ag.Tensor(a, requires_grad=True) for a in arrays]
    ts = [torch.tensor(a, requires_grad=True) for a in arrays]
    out, expected = ours(*xs), theirs(*ts)
    assert out.shape == tuple(expected.shape)
    np.testing.assert_allclose(out.data, expected.detach().numpy(), rtol=1e-10, atol=1e-12)
    seed = RNG.normal(size=out.shape)
    out.backward(seed)
    expected.backward(torch.tensor(seed))
    for x, t in zip(xs, ts):
        np.testing.assert_allclose(x.grad, t.grad.numpy(), rtol=1e-9, atol=1e-12)


SHAPES = [(3, 3), (2, 3, 3), (2, 1, 2, 2)]


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("name", ["det", "inv"])
def test_det_inv(name: str, shape: tuple) -> None:
    compare(getattr(L, name), getattr(torch.linalg, name), invertible(*shape))


@pytest.mark.parametrize("shape", SHAPES)
def test_slogdet_is_the_named_pair(shape: tuple) -> None:
    a = invertible(*shape)
    result, expected = L.slogdet(a), torch.linalg.slogdet(torch.tensor(a))
    sign, logabsdet = result
    assert sign is result.sign and logabsdet is result.logabsdet
    np.testing.assert_array_equal(result.sign.data, expected.sign.numpy())
    compare(lambda x: L.slogdet(x).logabsdet, lambda t: torch.linalg.slogdet(t).logabsdet, a)


@pytest.mark.parametrize("b_shape", [(3,), (3, 2), (2, 3), (2, 3, 2), (4, 2, 3, 1)])
def test_solve_follows_torch_rule_for_vectors(b_shape: tuple) -> None:
    """b of shape A.shape[:-1] (here (2, 3)) is a batch of vectors, as torch's."""
    compare(L.solve, torch.linalg.solve, invertible(2, 3, 3), RNG.normal(size=b_shape))


def test_solve_unbatched_and_mismatch() -> None:
    compare(L.solve, torch.linalg.solve, invertible(3, 3), RNG.normal(size=(3,)))
    with pytest.raises(ShapeError):
        L.solve(invertible(2, 3, 3), RNG.normal(size=(5, 2, 3)))  # torch: also an error
    with pytest.raises(ShapeError):
        L.solve(RNG.normal(size=(3, 4)), RNG.normal(size=(3,)))


@pytest.mark.parametrize("shape", [(3, 3), (2, 3, 3)])
@pytest.mark.parametrize("upper", [False, True])
def test_cholesky(shape: tuple, upper: bool) -> None:
    a = spd(*shape)
    sym = lambda f: lambda x: f((x + x.swapaxes(-1, -2)) / 2)  # noqa: E731
    compare(sym(lambda x: L.cholesky(x, upper=upper)),
            lambda t: torch.linalg.cholesky((t + t.mT) / 2, upper=upper), a)
    # torch 2.14 removed Tensor.cholesky (old code's x.cholesky(upper)): linalg's result
    compare(sym(lambda x: x.cholesky(upper)),
            lambda t: torch.linalg.cholesky((t + t.mT) / 2, upper=upper), a)


@pytest.mark.parametrize("ord", [2, 1, 3, 0.5, np.inf, -np.inf])
@pytest.mark.parametrize("dim, keepdim", [(None, False), (-1, False), ((0, 2), True)])
def test_vector_norm(ord: Any, dim: Any, keepdim: bool) -> None:
    compare(lambda x: L.vector_norm(x, ord, dim, keepdim),
            lambda t: torch.linalg.vector_norm(t, ord, dim, keepdim), RNG.normal(size=(2, 3, 4)))


@pytest.mark.parametrize("ord", ["fro", "nuc", 1, -1, 2, -2, np.inf, -np.inf])
@pytest.mark.parametrize("dim", [(-2, -1), (0, 2), (2, 0)])
@pytest.mark.parametrize("keepdim", [False, True])
def test_matrix_norm(ord: Any, dim: tuple, keepdim: bool) -> None:
    compare(lambda x: L.matrix_norm(x, ord, dim, keepdim),
            lambda t: torch.linalg.matrix_norm(t, ord, dim, keepdim), RNG.normal(size=(2, 3, 4)))


@pytest.mark.parametrize("shape, ord, dim", [
    ((2, 3, 4), None, None), ((4,), 3, None), ((3, 4), 1, None), ((3, 4), "fro", None),
    ((3, 4), None, None), ((2, 3, 4), 1, 1), ((2, 3, 4), None, (0,)), ((2, 3, 4), np.inf, (0, 2)),
    ((2, 3, 4), None, (1, 2)), ((3, 4), "nuc", None), ((3, 4), 2, None), ((3, 4), -2, None),
    ((2, 3, 4), 2, (0, 2))])
def test_norm_dispatch(shape: tuple, ord: Any, dim: Any) -> None:
    compare(lambda x: L.norm(x, ord, dim), lambda t: torch.linalg.norm(t, ord, dim),
            RNG.normal(size=shape))


def test_norm_errors() -> None:
    with pytest.raises(ShapeError, match="1-d or 2-d"):
        L.norm(RNG.normal(size=(2, 3, 4)), 1)  # torch: an error too
    with pytest.raises(ShapeError, match="at least 2 axes"):
        L.matrix_norm(RNG.normal(size=3))
    with pytest.raises(ShapeError, match="two different axes"):
        L.matrix_norm(RNG.normal(size=(3, 3)), "fro", (0, 0))
    for order in ["abc", 0, 0.5]:
        with pytest.raises(NormOrderError, match="'fro', 'nuc', 1, -1, 2, -2, inf and -inf"):
            L.matrix_norm(RNG.normal(size=(3, 3)), order)
    with pytest.raises(NormOrderError, match="vector_norm"):
        L.matrix_norm(RNG.normal(size=(3, 3)), 3)
    with pytest.raises(NormOrderError, match="matrix_norm"):
        L.vector_norm(RNG.normal(size=(3, 3)), "fro")


def test_matmul_and_diagonal() -> None:
    compare(L.matmul, torch.linalg.matmul, RNG.normal(size=(2, 3, 4)), RNG.normal(size=(4, 2)))
    a = RNG.normal(size=(2, 3, 4))
    compare(L.diagonal, torch.linalg.diagonal, a)  # the last two axes, not 0 and 1
    compare(lambda x: L.diagonal(x, offset=1, dim1=0, dim2=2),
            lambda t: torch.linalg.diagonal(t, offset=1, dim1=0, dim2=2), a)


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("method", ["inverse", "det", "logdet"])
def test_tensor_methods(method: str, shape: tuple) -> None:
    a = np.abs(invertible(*shape)) + 4 * np.eye(shape[-1])  # det > 0 for logdet
    compare(lambda x: getattr(x, method)(), lambda t: getattr(t, method)(), a)


def test_logdet_is_nan_for_a_negative_determinant() -> None:
    a = np.diag([-1.0, 2.0, 3.0])
    compare(lambda x: x.logdet(), lambda t: t.logdet(), a)  # NaN; gradient 0, as torch
    with np.errstate(divide="ignore"):
        assert ag.Tensor(np.zeros((2, 2))).logdet().item() == -np.inf


def test_slogdet_method() -> None:
    a = invertible(2, 3, 3)
    sign, logabsdet = ag.Tensor(a).slogdet()
    expected = torch.tensor(a).slogdet()
    np.testing.assert_array_equal(sign.data, expected.sign.numpy())
    compare(lambda x: x.slogdet().logabsdet, lambda t: t.slogdet().logabsdet, a)


@pytest.mark.parametrize("n", [0, 1, 2, 3, -1, -3])
@pytest.mark.parametrize("shape", [(3, 3), (2, 3, 3)])
def test_matrix_power(n: int, shape: tuple) -> None:
    a = invertible(*shape) / 4
    if n == 0:  # a constant identity here (torch's gradient is 0)
        np.testing.assert_array_equal(ag.Tensor(a).matrix_power(0).data,
                                      torch.tensor(a).matrix_power(0).numpy())
        return
    compare(lambda x: x.matrix_power(n), lambda t: t.matrix_power(n), a)
    compare(lambda x: L.matrix_power(x, n), lambda t: torch.linalg.matrix_power(t, n), a)


@pytest.mark.parametrize("call", [lambda x: x.inverse(), lambda x: x.det(), lambda x: x.logdet(),
                                  lambda x: x.slogdet(), lambda x: x.cholesky(),
                                  lambda x: x.matrix_power(2), lambda x: L.det(x),
                                  lambda x: L.inv(x), lambda x: L.cholesky(x)])
@pytest.mark.parametrize("shape", [(3,), (3, 4), (2, 3, 4)])
def test_non_square_is_a_shape_error(call: Callable, shape: tuple) -> None:
    with pytest.raises(ShapeError, match="square"):
        call(ag.Tensor(RNG.normal(size=shape)))


def test_matrix_power_needs_an_int() -> None:
    for n in [1.5, True, "2"]:
        with pytest.raises(DTypeError, match="must be an int"):
            ag.Tensor(np.eye(2)).matrix_power(n)


def test_namespace_is_exported() -> None:
    assert "linalg" in ag.__all__
    assert all(hasattr(L, name) for name in L.__all__)
