"""quantile and nanquantile (PyTorch's, against torch) and np.quantile, np.nanquantile,
np.percentile, np.nanpercentile (NumPy's, against NumPy): values, gradients, NaN, the
infinite neighbours where the two libraries differ, and the named errors."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import autograd as ag
from autograd import UsageError

METHODS = ["linear", "lower", "higher", "midpoint", "nearest"]
NAN, INF = np.nan, np.inf
RNG = np.random.default_rng(7)
DISTINCT = RNG.permutation(24).reshape(2, 3, 4) / 10.0 - 1.0
WITH_NAN = np.array([[1.0, 5.0, 2.0, 8.0], [3.0, NAN, 0.0, 4.0], [NAN, NAN, NAN, NAN]])
QS = [0.0, 0.3, 0.5, 1.0, [0.1, 0.625, 0.9]]


def _torch():
    return pytest.importorskip("torch")


def _q(torch, q):
    return torch.tensor(q, dtype=torch.float64) if isinstance(q, list) else q


@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize("q", QS, ids=str)
@pytest.mark.parametrize("dim, keepdim", [(None, False), (None, True), (1, False),
                                          (-1, True)])
def test_quantile_is_torch_s_with_gradients(method: str, q, dim, keepdim: bool) -> None:
    torch = _torch()
    x, t = ag.tensor(DISTINCT, requires_grad=True), torch.tensor(DISTINCT, requires_grad=True)
    ours = x.quantile(q, dim, keepdim, interpolation=method)
    theirs = torch.quantile(t, _q(torch, q), dim, keepdim, interpolation=method)
    assert ours.shape == tuple(theirs.shape)
    np.testing.assert_allclose(ours.data, theirs.detach().numpy(), rtol=1e-15)
    g = RNG.standard_normal(ours.shape)
    ours.backward(g)
    theirs.backward(torch.tensor(g))
    np.testing.assert_allclose(x.grad.data, t.grad.numpy(), rtol=1e-14, atol=1e-15)


@pytest.mark.parametrize("name", ["quantile", "nanquantile"])
@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize("q", QS, ids=str)
def test_nan_as_torch(name: str, method: str, q) -> None:
    torch = _torch()
    x, t = ag.tensor(WITH_NAN), torch.tensor(WITH_NAN)
    ours = getattr(ag, name)(x, q, 1, interpolation=method)
    theirs = getattr(torch, name)(t, _q(torch, q), 1, interpolation=method)
    np.testing.assert_allclose(ours.data, theirs.numpy(), rtol=1e-15)


@pytest.mark.parametrize("name", ["quantile", "nanquantile", "percentile", "nanpercentile"])
@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize("axis", [None, 1, (0, 2)])
@pytest.mark.parametrize("keepdims", [False, True])
def test_numpy_functions_are_numpy_s(name: str, method: str, axis, keepdims: bool) -> None:
    scale = 100 if "percentile" in name else 1
    q = np.array([0.0, 0.3, 0.625, 1.0]) * scale
    function = getattr(np, name)
    for data in (DISTINCT, np.where(DISTINCT > 0.5, NAN, DISTINCT)):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)  # All-NaN slice
            expected = function(data, q, axis=axis, method=method, keepdims=keepdims)
        result = function(ag.tensor(data), q, axis=axis, method=method, keepdims=keepdims)
        assert isinstance(result, ag.Tensor) and result.shape == expected.shape
        np.testing.assert_allclose(result.data, expected, rtol=1e-15)


@pytest.mark.parametrize("data, q", [([1.0, INF], 0.0), ([1.0, INF], 1.0),
                                     ([-INF, 1.0], 0.0), ([1.0, 2.0, INF], 0.5),
                                     ([INF, INF], 0.3), ([-INF, INF], 0.5)])
@pytest.mark.parametrize("method", ["linear", "midpoint"])
def test_infinite_neighbours_follow_the_spelling(data, q, method: str) -> None:
    """The libraries differ where a zero weight meets an infinity (NumPy's next
    neighbour is floor(r) + 1, torch's ceil(r)): each spelling gives its library's."""
    torch = _torch()
    x = ag.tensor(data)
    torch_way = torch.quantile(torch.tensor(data), q, interpolation=method).item()
    np.testing.assert_array_equal(x.quantile(q, interpolation=method).item(), torch_way)
    np.testing.assert_array_equal(ag.quantile(x, q, interpolation=method).item(), torch_way)
    with np.errstate(invalid="ignore"):
        numpy_way = np.quantile(data, q, method=method)
    np.testing.assert_array_equal(np.quantile(x, q, method=method).item(), numpy_way)
    np.testing.assert_array_equal(x.quantile(q, method=method).item(), numpy_way)


def test_numpy_gradient_splits_between_the_neighbours() -> None:
    x = ag.tensor(DISTINCT, requires_grad=True)
    q = [0.2, 0.55]
    g = RNG.standard_normal((2, 2, 4))
    np.quantile(x, q, axis=1).backward(g)
    numeric = ag.numerical_grad(lambda t: np.quantile(t, q, axis=1), [x], [g])[0]
    np.testing.assert_allclose(x.grad.data, numeric, atol=1e-8)


def test_dtypes() -> None:
    x32 = ag.tensor(np.float32([3, 1, 2, 5]), requires_grad=True)
    for result in (x32.quantile(0.3), x32.quantile([0.3, 0.9]), np.quantile(x32, 0.3),
                   np.percentile(x32, [30])):
        assert result.dtype == np.float32
        result.sum().backward()
        assert x32.grad.dtype == np.float32
    integers = np.array([3, 1, 2, 6])
    assert np.quantile(ag.tensor(integers), 0.5).item() == np.quantile(integers, 0.5) == 2.5
    assert ag.tensor(integers).quantile(0.5).dtype == np.float64  # (torch refuses integers)


def test_zero_d_and_empty_inputs() -> None:
    torch = _torch()
    x = ag.tensor(3.0)
    assert x.quantile(0.5).item() == torch.quantile(torch.tensor(3.0), 0.5).item() == 3.0
    assert x.quantile([0.2, 0.5]).shape == (2,)
    with pytest.raises(ag.ShapeError, match="quantile: cannot reduce over an empty axis"):
        ag.zeros(0, 3).quantile(0.5)  # torch: "input tensor must be non-empty"
    assert ag.zeros(0, 3).quantile([0.5, 0.1], 1, keepdim=True).shape == (2, 0, 1)


@pytest.mark.parametrize("call, match", [
    (lambda x: x.quantile(1.5), r"quantile: q must be in \[0, 1\] \(a fraction\); got 1.5"),
    (lambda x: x.quantile([0.5, -0.1]), r"q must be in \[0, 1\].*; got -0.1"),
    (lambda x: x.nanquantile(float("nan")), r"nanquantile: q must be in \[0, 1\].*; got nan"),
    (lambda x: np.quantile(x, 2), r"quantile: q must be in \[0, 1\].*; got 2"),
    (lambda x: np.percentile(x, 101), r"percentile: q must be in \[0, 100\] \(a percentage"
                                      r"; np.quantile takes fractions in \[0, 1\]\); got 101"),
    (lambda x: np.nanpercentile(x, [50, -5]), r"q must be in \[0, 100\].*; got -5"),
    (lambda x: x.quantile("a"), "q must be a number"),
    (lambda x: x.quantile(0.5, interpolation="cubic"), "interpolation 'cubic' is not one"),
    (lambda x: np.quantile(x, 0.5, method="hazen"), "'hazen'.*np.quantile\\(t.data"),
    (lambda x: np.quantile(x, 0.5, weights=np.ones(3)), "weights"),
    (lambda x: x.quantile(0.5, interpolation="lower", method="lower"), "only one"),
])
def test_named_errors(call, match: str) -> None:
    with pytest.raises(UsageError, match=match) as error:
        call(ag.tensor([1.0, 2.0, 3.0]))
    assert isinstance(error.value, ValueError) and isinstance(error.value, RuntimeError)


def test_axis_and_dim_together_is_an_axis_error() -> None:
    with pytest.raises(ag.AxisError, match="both axis=0 and dim=0"):
        ag.tensor([1.0, 2.0]).quantile(0.5, dim=0, axis=0)


def test_out_is_plain_numpy_and_overwrite_input_is_harmless() -> None:
    data = np.array([3.0, 1.0, 2.0])
    out = np.empty(())
    result = np.median(ag.tensor(data), out=out)
    assert result is out and out == 2.0
    x = ag.tensor(data)
    assert np.quantile(x, 0.5, overwrite_input=True).item() == 2.0
    np.testing.assert_array_equal(x.data, data)
