"""Ops at extreme values: float16 and float32 inputs near overflow and underflow, where
an intermediate (x^2, a product) leaves the dtype's range although the result does not.
Expected values come from PyTorch (which accumulates float16 in float32) or from the
float64 computation, whose gradients finite differences check."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import autograd as ag

VECTORS = np.array([[3.0, -4.0, 0.0, 1.0], [0.5, 2.0, -2.0, 0.25]])


def _norm_and_grad(x: np.ndarray, axis, g: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    t = ag.Tensor(x, requires_grad=True)
    out = t.norm(axis=axis)
    out.backward(g.astype(x.dtype))
    assert out.dtype == x.dtype and t.grad.dtype == x.dtype
    return out.data, t.grad.data


@pytest.mark.parametrize("axis", [None, 1])
@pytest.mark.parametrize("scale", [1e-30, 1e-20, 1e20, 1e30])
def test_float32_norm_neither_overflows_nor_underflows(axis, scale: float) -> None:
    """x^2 leaves float32's range for |x| > 1.8e19 or < 1e-19, but the norm is
    homogeneous: norm(s x) = s norm(x), and its gradient at s x is the one at x."""
    g = np.random.default_rng(0).uniform(0.5, 1.5, (2,) if axis == 1 else ())
    x = ag.Tensor(VECTORS.copy(), requires_grad=True)
    ag.gradcheck(lambda t: t.norm(axis=axis), [x])
    expected_out, expected_grad = _norm_and_grad(VECTORS, axis, g)
    out, grad = _norm_and_grad((VECTORS * scale).astype(np.float32), axis, g)
    np.testing.assert_allclose(out, expected_out * scale, rtol=1e-6)
    np.testing.assert_allclose(grad, expected_grad, rtol=1e-6)


def test_float16_norm_matches_torch_above_256() -> None:
    """In float16, x^2 overflows from |x| = 256 on; PyTorch's norm stays finite."""
    torch = pytest.importorskip("torch")
    x = np.array([[300.0, -400.0, 0.0], [1e4, 2e4, -3e4]], dtype=np.float16)
    g = np.array([0.75, 1.25], dtype=np.float16)
    out, grad = _norm_and_grad(x, 1, g)
    tx = torch.tensor(x, requires_grad=True)
    t_out = torch.linalg.vector_norm(tx, dim=1)
    t_out.backward(torch.tensor(g))
    np.testing.assert_allclose(out.astype(float), t_out.detach().numpy(), rtol=1e-3)
    np.testing.assert_allclose(grad.astype(float), tx.grad.numpy(), rtol=1e-3, atol=1e-3)


def test_norm_with_an_infinite_entry_is_infinite_and_zero_stays_zero() -> None:
    x = ag.Tensor(np.array([[np.inf, 1.0], [0.0, 0.0]], dtype=np.float32), requires_grad=True)
    out = x.norm(axis=1)
    out.sum().backward()
    np.testing.assert_array_equal(out.data, [np.inf, 0.0])
    np.testing.assert_array_equal(x.grad.data[1], [0.0, 0.0])  # the 2-norm's 0 at 0


def test_norm_second_derivatives_match_finite_differences() -> None:
    x = ag.Tensor(VECTORS.copy(), requires_grad=True)
    ag.gradgradcheck(lambda t: t.norm(axis=1), [x])
    ag.gradgradcheck(lambda t: t.norm(), [x])


@pytest.mark.parametrize("a", [
    [[1.0, 2.0], [2.0, 4.0]],                                    # rank 1
    [[0.0, 0.0], [0.0, 0.0]],                                    # rank 0
    [[1.0, 0.0, 0.0], [0.0, 0.0, 0.0], [0.0, 0.0, 2.0]],         # rank 2
    [[[1.0, 2.0], [3.0, 6.0]], [[2.0, 1.0], [1.0, 3.0]]],        # a batch, one singular
])
def test_det_gradient_at_a_singular_matrix_is_the_cofactor_matrix(a) -> None:
    """det is a polynomial: its gradient (the cofactors) exists at singular matrices,
    where A^-T does not; the backward pass raised SingularMatrixError."""
    ag.gradcheck(ag.det, [ag.Tensor(np.array(a), requires_grad=True)])
    x32 = ag.Tensor(np.array(a, dtype=np.float32), requires_grad=True)
    ag.det(x32).sum().backward()
    assert x32.grad.dtype == np.float32


@pytest.mark.parametrize("op", [ag.det, ag.inv, ag.cholesky, lambda a: ag.slogdet(a)[1],
                                lambda a: ag.solve(a, np.ones(2, dtype=np.float16)),
                                lambda a: ag.solve(a.astype(np.float32), a)])
def test_float16_linear_algebra_is_a_named_dtype_error(op) -> None:
    """NumPy's linalg raised a bare TypeError ('array type float16 is unsupported')."""
    a = ag.Tensor(np.eye(2, dtype=np.float16) * 2, requires_grad=True)
    with pytest.raises(ag.errors.DTypeError, match=r"float16 .*x\.astype\(np\.float32\)"):
        op(a)
    with pytest.raises(TypeError):  # the built-in a NumPy user catches
        op(a)
    ag.det(a.astype(np.float32)).backward()  # the advice works; the gradient is float16
    assert a.grad.dtype == np.float16


@pytest.mark.parametrize("shape, axis", [((0, 3), 0), ((0,), None), ((2, 0), 1), ((0, 3), 1)])
def test_logsumexp_over_an_empty_axis_is_minus_inf_as_torch(shape, axis) -> None:
    """The log of an empty sum: PyTorch gives -inf; this raised ShapeError."""
    torch = pytest.importorskip("torch")
    x = ag.Tensor(np.zeros(shape, dtype=np.float32), requires_grad=True)
    out = x.logsumexp(axis=axis)
    dims = tuple(range(len(shape))) if axis is None else axis
    expected = torch.logsumexp(torch.zeros(shape), dim=dims).numpy()
    assert out.dtype == np.float32 and out.shape == expected.shape
    np.testing.assert_array_equal(out.data, expected)
    out.sum().backward()
    assert x.grad.shape == shape and x.grad.dtype == np.float32


@pytest.mark.parametrize("data, axis, ddof", [
    ([1.0, 2.0], None, 3), ([2.0, 2.0], None, 2), ([], None, 1), (np.ones((0, 3)), 0, 1),
    ([[1.0, 4.0], [2.0, 8.0]], 1, 2), ([1.0, 5.0, 2.0], None, 1)])
def test_var_and_std_with_ddof_at_or_past_the_count_follow_numpy(data, axis, ddof) -> None:
    """ddof >= n gave a negative variance (or -0.0 for empty data); NumPy divides by
    max(n - ddof, 0): inf, or NaN for 0 / 0."""
    array = np.asarray(data, dtype=np.float64)
    with np.errstate(divide="ignore", invalid="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        for method in ("var", "std"):
            ours = getattr(ag.Tensor(array), method)(axis, ddof=ddof).data
            theirs = getattr(np, method)(array, axis=axis, ddof=ddof)
            np.testing.assert_array_equal(ours, theirs, err_msg=method)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_expm1_keeps_its_gradient_where_its_value_rounds_to_minus_one(dtype) -> None:
    """d/dx (e^x - 1) = e^x: computed from x, not as out + 1, which is 0 wherever out
    rounds to -1 (x below about -17 in float32, -37 in float64)."""
    x = np.array([-20.0, -40.0, -0.5, 0.0, 3.0], dtype)
    t = ag.Tensor(x, requires_grad=True)
    t.expm1().sum().backward()
    np.testing.assert_allclose(t.grad.data, np.exp(x), rtol=1e-6 if dtype == np.float32
                               else 1e-15)
    assert t.grad.dtype == dtype and (t.grad.data > 0).all()
