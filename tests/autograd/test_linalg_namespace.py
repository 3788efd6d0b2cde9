"""The matrix Tensor methods ``inverse det logdet slogdet cholesky matrix_power``:
values and gradients against PyTorch on small random float64 inputs, batched too; the
errors for bad input."""

from __future__ import annotations

from typing import Callable

import numpy as np
import pytest

import autograd as ag
from autograd.errors import DTypeError, ShapeError

torch = pytest.importorskip("torch")
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


@pytest.mark.parametrize("upper", [False, True])
def test_cholesky_method(upper: bool) -> None:
    sym = lambda f: lambda x: f((x + x.swapaxes(-1, -2)) / 2)  # noqa: E731
    # torch 2.14 removed Tensor.cholesky (old code's x.cholesky(upper)): linalg's result
    compare(sym(lambda x: x.cholesky(upper)),
            lambda t: torch.linalg.cholesky((t + t.mT) / 2, upper=upper), spd(2, 3, 3))


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


@pytest.mark.parametrize("call", [lambda x: x.inverse(), lambda x: x.det(), lambda x: x.logdet(),
                                  lambda x: x.slogdet(), lambda x: x.cholesky(),
                                  lambda x: x.matrix_power(2)])
@pytest.mark.parametrize("shape", [(3,), (3, 4), (2, 3, 4)])
def test_non_square_is_a_shape_error(call: Callable, shape: tuple) -> None:
    with pytest.raises(ShapeError, match="square"):
        call(ag.Tensor(RNG.normal(size=shape)))


def test_matrix_power_needs_an_int() -> None:
    for n in [1.5, True, "2"]:
        with pytest.raises(DTypeError, match="must be an int"):
            ag.Tensor(np.eye(2)).matrix_power(n)
