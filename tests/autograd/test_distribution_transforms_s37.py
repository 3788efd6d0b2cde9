"""Shape checks of the vector and matrix transforms (session 37 differential fuzz):
``CorrCholeskyTransform`` refuses non-square or too-short shapes and inputs,
``StickBreakingTransform`` refuses 0-d inputs and ``SoftmaxTransform`` 0-d shapes, each
with a ``ShapeError`` (a ValueError, as PyTorch's) that names the expected shape. Valid
shapes keep working: the outputs' shapes agree with ``forward_shape`` / ``inverse_shape``
and the bijections invert."""

import numpy as np
import pytest

import autograd as ag
from autograd.distributions import transforms as T
from autograd.errors import ShapeError


def _corr() -> T.CorrCholeskyTransform:
    return T.CorrCholeskyTransform()


@pytest.mark.parametrize("shape", [(2, 5), (3, 2), (4, 3, 2)])
def test_corr_cholesky_inverse_shape_refuses_non_square(shape) -> None:
    with pytest.raises(ShapeError, match="not square") as info:
        _corr().inverse_shape(shape)
    assert isinstance(info.value, ValueError) and str(shape) in str(info.value)


@pytest.mark.parametrize("shape", [(), (4,)])
def test_corr_cholesky_inverse_shape_refuses_too_few_axes(shape) -> None:
    with pytest.raises(ShapeError, match="too few dimensions.*at least 2 axes"):
        _corr().inverse_shape(shape)
    with pytest.raises(ShapeError, match="too few dimensions"):
        _corr().inv.forward_shape(shape)  # the inverse's forward shape is the same rule


def test_corr_cholesky_forward_shape_refuses_0d() -> None:
    with pytest.raises(ShapeError, match="too few dimensions.*at least 1 axis"):
        _corr().forward_shape(())
    with pytest.raises(ShapeError, match="too few dimensions"):
        _corr()(ag.tensor(0.5))


@pytest.mark.parametrize("batch, d", [((), 1), ((), 3), ((2,), 4), ((2, 3), 2)])
def test_corr_cholesky_shapes_match_the_values(batch, d) -> None:
    n = d * (d - 1) // 2
    x = ag.tensor(np.random.default_rng(d).normal(size=batch + (n,)))
    y = _corr()(x)
    assert y.shape == _corr().forward_shape(x.shape) == batch + (d, d)
    assert _corr().inverse_shape(y.shape) == x.shape
    np.testing.assert_allclose(_corr().inv(y).numpy(), x.numpy(), rtol=1e-10, atol=1e-12)
    rows = (y.numpy() ** 2).sum(-1)  # a correlation matrix's Cholesky rows have unit norm
    np.testing.assert_allclose(rows, np.ones(batch + (d,)), rtol=1e-12)


@pytest.mark.parametrize("value", [np.eye(3)[:2], np.eye(3)[:, :2], np.ones(3),
                                   np.array(1.0)])
def test_corr_cholesky_inv_refuses_a_non_square_value(value) -> None:
    with pytest.raises(ShapeError, match=r"square|too few dimensions") as info:
        _corr().inv(ag.tensor(value))
    assert "index" not in str(info.value)  # a shape message, not indexing internals
    assert str(value.shape) in str(info.value)


def test_corr_cholesky_log_abs_det_jacobian_refuses_a_non_square_y() -> None:
    x = ag.tensor(np.zeros(3))
    with pytest.raises(ShapeError, match="log_abs_det_jacobian.*not square"):
        _corr().log_abs_det_jacobian(x, ag.tensor(np.eye(3)[:2]))


def test_corr_cholesky_inverse_shape_refusal_reaches_compose() -> None:
    chain = T.ComposeTransform([T.AffineTransform(0.0, 2.0), _corr()])
    assert chain.inverse_shape((5, 3, 3)) == (5, 3)
    with pytest.raises(ShapeError, match="not square"):
        chain.inverse_shape((5, 2, 3))


@pytest.mark.parametrize("call", [
    lambda t: t(ag.tensor(0.5)),
    lambda t: t.inv(ag.tensor(0.5)),
    lambda t: t.log_abs_det_jacobian(ag.tensor(0.5), ag.tensor(0.5)),
    lambda t: t.forward_shape(()),
    lambda t: t.inverse_shape(()),
])
def test_stick_breaking_refuses_0d(call) -> None:
    with pytest.raises(ShapeError, match=r"StickBreakingTransform.*at least 1 axis.*\(\)"):
        call(T.StickBreakingTransform())


def test_stick_breaking_still_maps_vectors_onto_the_simplex() -> None:
    x = ag.tensor(np.array([[0.3, -1.2], [2.0, 0.1]]))
    t = T.StickBreakingTransform()
    y = t(x)
    assert y.shape == t.forward_shape(x.shape) == (2, 3)
    np.testing.assert_allclose(y.numpy().sum(-1), [1.0, 1.0], rtol=1e-12)
    np.testing.assert_allclose(t.inv(y).numpy(), x.numpy(), rtol=1e-10)
    # x = 0 is the simplex's centre (the offsets log(K - i) are there for that)
    np.testing.assert_allclose(t(ag.tensor(np.zeros(3))).numpy(), np.full(4, 0.25),
                               rtol=1e-12)


@pytest.mark.parametrize("which", ["forward_shape", "inverse_shape"])
def test_softmax_shapes_refuse_0d(which) -> None:
    with pytest.raises(ShapeError, match=r"SoftmaxTransform.*at least 1 axis") as info:
        getattr(T.SoftmaxTransform(), which)(())
    assert isinstance(info.value, ValueError)


@pytest.mark.parametrize("shape", [(1,), (4,), (2, 3)])
def test_softmax_shapes_keep_vectors(shape) -> None:
    t = T.SoftmaxTransform()
    assert t.forward_shape(shape) == shape and t.inverse_shape(shape) == shape
    assert t.inv.forward_shape(shape) == shape
    x = np.random.default_rng(1).normal(size=shape)
    want = np.exp(x) / np.exp(x).sum(-1, keepdims=True)
    np.testing.assert_allclose(t(ag.tensor(x)).numpy(), want, rtol=1e-12)
