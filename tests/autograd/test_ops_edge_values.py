"""Ops at edge values found by comparing with PyTorch: arctan2 at the origin and at
extreme magnitudes, cumprod where its running product overflows, ... Expected gradients
come from finite differences at ordinary values (scaled where the op is homogeneous), a
wider dtype, or PyTorch (skipped without it)."""

from __future__ import annotations

import warnings

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


def _cumprod_grad(x: np.ndarray, g: np.ndarray) -> np.ndarray:
    t = ag.Tensor(x, requires_grad=True)
    t.cumprod(axis=-1).backward(g)
    assert t.grad.dtype == x.dtype
    return t.grad.data


def test_cumprod_gradient_where_the_running_product_overflows() -> None:
    """Once the float32 running product is inf, out / x is inf / inf = NaN; the gradient
    of the first elements is still finite. Expected: the same in float64, where nothing
    overflows (and finite differences check the formula)."""
    x = np.array([[3e20, 2e20, 0.5, 4.0], [2e20, 3e20, 0.5, 5.0]])
    g = np.random.default_rng(0).uniform(0.5, 1.5, x.shape)
    with np.errstate(over="ignore"):
        grad = _cumprod_grad(x.astype(np.float32), g.astype(np.float32))
        expected = _cumprod_grad(x, g).astype(np.float32)
    assert np.isfinite(grad[:, :2]).all()
    np.testing.assert_allclose(grad, expected, rtol=1e-5)
    ag.gradcheck(lambda t: t.cumprod(axis=-1), [ag.Tensor(x / 1e20, requires_grad=True)])


def test_cumprod_overflow_against_torch() -> None:
    torch = pytest.importorskip("torch")
    x = np.array([3e20, 2e20, 0.5, 4.0, 1e-3], dtype=np.float32)
    g = np.random.default_rng(1).uniform(0.5, 1.5, x.shape).astype(np.float32)
    tx = torch.tensor(x.astype(np.float64), requires_grad=True)
    tx.cumprod(0).backward(torch.tensor(g.astype(np.float64)))
    with np.errstate(over="ignore"):
        expected = tx.grad.numpy().astype(np.float32)
        np.testing.assert_allclose(_cumprod_grad(x, g), expected, rtol=1e-5)


@pytest.mark.parametrize("name", ["argmax", "argmin"])
@pytest.mark.parametrize("shape, axis", [((0,), None), ((0, 3), 0), ((2, 0), -1), ((2, 0), None)])
def test_argmax_over_an_empty_axis_is_a_named_error(name: str, shape, axis) -> None:
    """As max: a ShapeError (NumPy raises a bare ValueError, which it still is)."""
    x = ag.zeros(shape)
    with pytest.raises(ag.ShapeError, match=f"{name}: cannot reduce over an empty axis"):
        getattr(x, name)(axis)
    with pytest.raises(ValueError):
        getattr(np, name)(x, axis)


@pytest.mark.parametrize("name", ["argmax", "argmin"])
def test_argmax_with_an_empty_result_is_empty_as_numpy(name: str) -> None:
    for shape, axis in (((0, 3), 1), ((2, 0), 0)):
        for keepdims in (False, True):
            out = getattr(ag.zeros(shape), name)(axis, keepdims)
            expected = getattr(np, name)(np.zeros(shape), axis, keepdims=keepdims)
            assert out.shape == expected.shape and out.dtype == expected.dtype


def test_pow_with_exponent_zero_has_gradient_zero_at_a_nan_base() -> None:
    """NaN ** 0 = 1 (NumPy, PyTorch), a constant in a: its da is 0, as x ** 0's and
    PyTorch's, not g * 0 * NaN ** -1 = NaN; other bases keep the formula."""
    a = ag.Tensor(np.array([np.nan, 0.0, 2.0, np.nan], np.float32), requires_grad=True)
    b = ag.Tensor(np.array([0.0, 0.0, 0.0, 2.0], np.float32), requires_grad=True)
    (a ** b).sum().backward()
    np.testing.assert_array_equal(a.grad.data[:3], 0.0)
    assert np.isnan(a.grad.data[3]) and a.grad.dtype == np.float32
    torch = pytest.importorskip("torch")
    ta = torch.tensor(a.data, requires_grad=True)
    (ta ** torch.tensor(b.data)).sum().backward()
    np.testing.assert_array_equal(a.grad.data, ta.grad.numpy())


def test_norm_of_data_with_nan_has_a_nan_gradient() -> None:
    """The 2-norm's gradient is 0 where the norm is 0; a NaN norm is not 0, and a NaN
    must not turn into a zero gradient (PyTorch's is NaN too)."""
    x = ag.Tensor(np.array([[np.nan, 1.0, 2.0], [0.0, 0.0, 0.0]]), requires_grad=True)
    x.norm(axis=1).sum().backward()
    assert np.isnan(x.grad.data[0]).all()
    np.testing.assert_array_equal(x.grad.data[1], 0.0)
    torch = pytest.importorskip("torch")
    tx = torch.tensor(x.data, requires_grad=True)
    torch.linalg.vector_norm(tx, dim=1).sum().backward()
    np.testing.assert_array_equal(x.grad.data, tx.grad.numpy())


@pytest.mark.parametrize("name", ["softmax", "log_softmax"])
def test_softmax_of_a_boolean_tensor_is_a_named_error(name: str) -> None:
    """NumPy's error (from x - max) spoke of the `-` operator; PyTorch refuses too."""
    mask = ag.Tensor(np.array([[True, False, True]]))
    with pytest.raises(ag.DTypeError, match=f"{name} of a boolean tensor.*astype"):
        getattr(mask, name)(dim=-1)
    with pytest.raises(TypeError):
        getattr(ag, name)(mask, 1)
    converted = getattr(mask.astype(float), name)(-1)
    np.testing.assert_allclose(converted.data, getattr(ag.Tensor([[1.0, 0.0, 1.0]]), name)().data)


@pytest.mark.parametrize("reduce", ["max", "min", "amax"])
def test_a_nan_maximum_gives_nan_gradients_without_a_warning(reduce: str) -> None:
    """A NaN extreme matches no entry: the gradient is NaN (as torch's amax), quietly."""
    x = ag.tensor([1.0, np.nan, 2.0], requires_grad=True)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        getattr(x, reduce)(**{"dim" if reduce == "amax" else "axis": 0}).backward()
    assert np.isnan(x.grad.data).all()


DIVISIONS = {"1 / x": lambda x, y: 1 / x, "x / 0": lambda x, y: x / 0.0,
             "x / y": lambda x, y: x / y, "x ** -1": lambda x, y: x ** -1,
             "x ** -0.5": lambda x, y: x ** -0.5, "x ** y": lambda x, y: x ** -y}


@pytest.mark.parametrize("name", DIVISIONS)
def test_division_by_zero_gives_pytorch_s_inf_and_nan_without_a_warning(torch, name) -> None:
    """pytorch/examples' GCN: ``scale_vector = 1 / scale_vector`` of a paper without
    words, then ``scale_vector[scale_vector == float('inf')] = 0``. IEEE's inf or NaN, as
    PyTorch's and as ``log(0)`` here, with no NumPy RuntimeWarning (PyTorch gives none)."""
    x, y = np.array([0.0, 2.0, 0.0, -3.0]), np.array([0.0, 0.0, 1.0, 2.0])
    g = np.array([1.0, 0.5, -1.0, 2.0])
    results = []
    for lib, catch in ((ag, True), (torch, False)):
        xs, ys = lib.tensor(x, requires_grad=True), lib.tensor(y, requires_grad=True)
        with warnings.catch_warnings():
            if catch:
                warnings.simplefilter("error")
            out = DIVISIONS[name](xs, ys)
            out.backward(lib.tensor(g))
        grads = [t.grad.numpy() if t.grad is not None else None for t in (xs, ys)]
        results.append([out.detach().numpy(), *grads])
    for ours, theirs in zip(*results):
        if theirs is None:
            assert ours is None or not ours.any()
            continue
        np.testing.assert_allclose(ours, theirs, rtol=1e-12, equal_nan=True)


@pytest.mark.parametrize("name", ["softmax", "log_softmax"])
def test_a_fully_masked_row_gives_pytorch_s_nan_without_a_warning(torch, name) -> None:
    """Attention scores filled with -inf where a query sees no key (a padding row under a
    causal mask): PyTorch's softmax / log_softmax give NaN for that row, quietly; the other
    rows and the gradients as there, and no NumPy RuntimeWarning from ``-inf - -inf``."""
    x = np.array([[-np.inf, -np.inf, -np.inf], [0.5, -np.inf, 2.0]])
    g = np.array([[0.0, 0.0, 0.0], [1.0, -2.0, 0.5]])
    results = []
    for lib, catch in ((ag, True), (torch, False)):
        xs = lib.tensor(x, requires_grad=True)
        with warnings.catch_warnings():
            if catch:
                warnings.simplefilter("error")
            out = getattr(xs, name)(dim=-1)
            out.backward(lib.tensor(g))
        results.append([out.detach().numpy(), xs.grad.numpy()])
    for ours, theirs in zip(*results):
        np.testing.assert_allclose(ours, theirs, rtol=1e-12, equal_nan=True)


def test_logsumexp_gradient_of_an_all_minus_inf_row_is_pytorch_s_nan_quietly(torch) -> None:
    """logsumexp of a fully masked row is -inf; its gradient exp(x - out) there is NaN in
    PyTorch, with no warning: the same here, without NumPy's ``-inf - -inf`` warning."""
    x = np.array([[-np.inf, -np.inf], [0.0, 1.0]])
    results = []
    for lib, catch in ((ag, True), (torch, False)):
        xs = lib.tensor(x, requires_grad=True)
        with warnings.catch_warnings():
            if catch:
                warnings.simplefilter("error")
            out = lib.logsumexp(xs, dim=-1)
            out.backward(lib.tensor([0.5, 2.0]))
        results.append([out.detach().numpy(), xs.grad.numpy()])
    for ours, theirs in zip(*results):
        np.testing.assert_allclose(ours, theirs, rtol=1e-12, equal_nan=True)
