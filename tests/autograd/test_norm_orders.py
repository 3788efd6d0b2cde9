"""``norm`` of a general order p, as ``torch.linalg.vector_norm``: any real p > 0, p = 0
(the count of nonzeros), negative p, with PyTorch's values and gradients at zeros.
Expected values come from PyTorch and from finite differences (away from zeros)."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import autograd as ag
from autograd.errors import NormOrderError, ShapeError

ORDERS = [3, 0.5, 1.5, 2.5, -1, -2, -0.5, 0]
WITH_ZEROS = [[[1.0, -2.0, 0.0], [0.0, 0.0, 0.0], [3.0, 4.0, -5.0]],
              [[-1.0, 0.5, 0.25], [2.0, 0.0, -3.0], [0.0, 1.0, 0.0]]]
AWAY_FROM_ZERO = np.array([[0.7, -1.3, 2.1, 0.9], [-0.6, 1.8, 1.1, -2.4],
                           [1.5, 0.8, -0.95, 1.2]])


def _ours(x: np.ndarray, p, dim, keepdim, g: np.ndarray) -> tuple:
    t = ag.Tensor(x, requires_grad=True)
    out = t.norm(p=p, dim=dim, keepdim=keepdim)
    out.backward(g)
    return out, t.grad


@pytest.mark.parametrize("p", ORDERS)
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("dim, keepdim", [(None, False), (1, False), (0, True),
                                          ((0, 2), False)])
def test_general_orders_match_torch_also_at_zeros(p, dtype, dim, keepdim) -> None:
    torch = pytest.importorskip("torch")
    x = np.array(WITH_ZEROS, dtype=dtype)
    tx = torch.tensor(x, requires_grad=True)
    t_out = torch.linalg.vector_norm(tx, p, dim=dim, keepdim=keepdim)
    g = np.random.default_rng(0).standard_normal(t_out.shape).astype(dtype)
    t_out.backward(torch.tensor(g))
    out, grad = _ours(x, p, dim, keepdim, g)
    expected_grad = np.zeros_like(x) if tx.grad is None else tx.grad.numpy()  # p = 0
    assert out.dtype == dtype and grad.dtype == dtype
    tolerance = 1e-5 if dtype == np.float32 else 1e-12
    np.testing.assert_allclose(out.data, t_out.detach().numpy(), rtol=tolerance)
    np.testing.assert_allclose(grad.data, expected_grad, rtol=tolerance, atol=tolerance)


def test_all_zero_rows_and_nan_rows_as_torch() -> None:
    """Norm 0 gives gradient 0 for every order; a NaN norm a NaN gradient everywhere."""
    torch = pytest.importorskip("torch")
    x = np.array([[np.nan, 1.0, 0.0], [0.0, 0.0, 0.0]])
    for p in [3, 0.5, -1]:
        out, grad = _ours(x, p, 1, False, np.ones(2))
        tx = torch.tensor(x, requires_grad=True)
        torch.linalg.vector_norm(tx, p, dim=1).sum().backward()
        np.testing.assert_array_equal(grad.data, tx.grad.numpy())


@pytest.mark.parametrize("p", [3, 0.5, 1.5, -1.5, -0.5])
@pytest.mark.parametrize("axis", [None, 1])
def test_gradients_and_second_derivatives_match_finite_differences(p, axis) -> None:
    x = ag.Tensor(AWAY_FROM_ZERO, requires_grad=True)
    assert ag.gradcheck(lambda t: t.norm(p, axis), [x])
    assert ag.gradgradcheck(lambda t: t.norm(p, axis), [x])


@pytest.mark.parametrize("p, scale", [(3, 1e200), (0.5, 1e200), (3, 1e-200),
                                      (-2, 1e-200), (-2, 1e200)])
def test_large_and_tiny_entries_neither_overflow_nor_underflow(p, scale) -> None:
    """|x|^p leaves float64's range here, but the norm is homogeneous: norm(s x) =
    s norm(x), and the gradient at s x is the one at x."""
    g = np.array([0.3, -1.2, 0.7])
    out, grad = _ours(AWAY_FROM_ZERO * scale, p, 1, False, g)
    expected_out, expected_grad = _ours(AWAY_FROM_ZERO, p, 1, False, g)
    np.testing.assert_allclose(out.data, expected_out.data * scale, rtol=1e-12)
    np.testing.assert_allclose(grad.data, expected_grad.data, rtol=1e-12)


def test_float32_large_entries_stay_finite() -> None:
    x = (AWAY_FROM_ZERO * 1e30).astype(np.float32)
    out = ag.Tensor(x).norm(3, axis=1)
    expected = ag.Tensor(AWAY_FROM_ZERO).norm(3, axis=1).data * 1e30
    assert out.dtype == np.float32
    np.testing.assert_allclose(out.data, expected, rtol=1e-5)


def test_order_zero_counts_nonzeros_and_has_gradient_zero() -> None:
    x = ag.Tensor(np.array(WITH_ZEROS[0]), requires_grad=True)
    out = x.norm(0, axis=1)
    np.testing.assert_array_equal(out.data, np.count_nonzero(x.data, axis=1))
    (grad,) = ag.grad(out.sum(), [x], create_graph=True)
    np.testing.assert_array_equal(grad.data, np.zeros((3, 3)))


def test_empty_input_as_torch() -> None:
    """Sums over nothing are 0 (p >= 0); a negative p has no value there (PyTorch
    raises too)."""
    for p in [3, 0.5, 0]:
        assert ag.norm(np.zeros(0), p).item() == 0.0
        np.testing.assert_array_equal(ag.norm(np.zeros((0, 3)), p, 0).data, np.zeros(3))
    with pytest.raises(ShapeError, match="empty axis"):
        ag.norm(np.zeros(0), -1)


@pytest.mark.parametrize("order", ["abc", float("nan"), [1, 2]])  # "nuc": test_norm_nuclear
def test_orders_it_does_not_compute_are_named(order) -> None:
    with pytest.raises(NormOrderError, match="ord must be a real number.*linalg.matrix_norm"):
        ag.norm(np.ones((2, 2)), order)


@pytest.mark.parametrize("order", [0, 1, 2, 3, 0.5, -1, np.inf, -np.inf])
@pytest.mark.parametrize("data", [np.array([True, False, True]), np.ones(300, np.int8),
                                  np.array([-128, 0, 2], np.int8), np.array([0, 200], np.uint8)])
def test_integer_and_bool_tensors_give_numpys_float_norm(order, data) -> None:
    """As np.linalg.norm: float64, no wrap (it gave True for the count of a bool tensor,
    44 for 300 nonzeros in int8, -128 for |-128| in int8)."""
    out = ag.norm(data, order)
    assert out.dtype == np.float64
    with np.errstate(divide="ignore"):
        np.testing.assert_allclose(out.data, np.linalg.norm(data, order), rtol=1e-12)


@pytest.mark.parametrize("p", [0.5, 1.5, 3, -1])
def test_an_infinite_entry_gives_torchs_gradient_without_numpy_warnings(p) -> None:
    torch = pytest.importorskip("torch")
    x = np.array([[np.inf, 1.0, -2.0], [-np.inf, np.inf, 3.0]])
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a RuntimeWarning from the backward fails
        out, grad = _ours(x, p, 1, False, np.array([0.4, -0.7]))
    tx = torch.tensor(x, requires_grad=True)
    torch.linalg.vector_norm(tx, p, dim=1).backward(torch.tensor([0.4, -0.7], dtype=torch.float64))
    np.testing.assert_allclose(grad.data, tx.grad.numpy(), rtol=1e-12)
