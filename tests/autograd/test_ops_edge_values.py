"""Ops at edge values found by comparing with PyTorch: the origin and extreme magnitudes
of arctan2, ... Expected gradients come from finite differences at ordinary values
(scaled where the op is homogeneous) or from PyTorch (skipped without it)."""

from __future__ import annotations

import numpy as np
import pytest

import autograd as ag

Y = np.array([0.3, -1.2, 0.7, 2.0])
X = np.array([0.5, -2.0, 1.5, -0.25])


def _arctan2_grads(y: np.ndarray, x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    ty, tx = ag.Tensor(y, requires_grad=True), ag.Tensor(x, requires_grad=True)
    ag.arctan2(ty, tx).backward(np.linspace(0.5, 1.5, y.size).astype(y.dtype))
    assert ty.grad.dtype == y.dtype and tx.grad.dtype == x.dtype
    return ty.grad.data, tx.grad.data


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("scale", [1e-30, 1e-25, 1e25, 1e30])
def test_arctan2_gradient_at_tiny_and_huge_points(dtype, scale: float) -> None:
    """x^2 + y^2 underflows to 0 (or overflows) long before the gradient leaves the
    dtype's range; arctan2 is homogeneous of degree 0, so its gradient at s (y, x) is
    the one at (y, x) divided by s."""
    if dtype == np.float64:
        scale = scale ** 7  # 1e-210 ... 1e210: beyond float64's square root range
    ty, tx = ag.Tensor(Y, requires_grad=True), ag.Tensor(X, requires_grad=True)
    ag.gradcheck(ag.arctan2, [ty, tx])
    expected_y, expected_x = _arctan2_grads(Y, X)
    gy, gx = _arctan2_grads((Y * scale).astype(dtype), (X * scale).astype(dtype))
    rtol = 1e-5 if dtype == np.float32 else 1e-12
    np.testing.assert_allclose(gy, expected_y / scale, rtol=rtol)
    np.testing.assert_allclose(gx, expected_x / scale, rtol=rtol)


def test_arctan2_gradient_at_the_origin_is_zero_and_second_order_finite() -> None:
    """arctan2(0, 0) = 0 has no derivative; as PyTorch, the gradient there is 0 (not the
    NaN of 0 / 0), in float32 too; second derivatives there stay finite."""
    for dtype in (np.float32, np.float64):
        gy, gx = _arctan2_grads(np.array([0.0, -0.0, 0.0], dtype), np.array([0.0, 0.0, -0.0],
                                                                              dtype))
        np.testing.assert_array_equal(gy, 0.0)
        np.testing.assert_array_equal(gx, 0.0)
    y = ag.Tensor(np.zeros(2), requires_grad=True)
    x = ag.Tensor(np.zeros(2), requires_grad=True)
    gy, gx = ag.grad(ag.arctan2(y, x).sum(), [y, x], create_graph=True)
    second = ag.grad((gy + gx).sum(), [y, x])
    assert all(np.isfinite(s.data).all() for s in second)
