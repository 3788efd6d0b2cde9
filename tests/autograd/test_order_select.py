"""kthvalue, mode and logcumsumexp against torch: values, indices where torch fixes
them, gradients, NaN and infinities, 0-d and empty inputs, integer inputs."""

from __future__ import annotations

import numpy as np
import pytest

import autograd as ag
from autograd import ShapeError

NAN, INF = np.nan, np.inf
RNG = np.random.default_rng(11)
DISTINCT = RNG.permutation(24).reshape(2, 3, 4) / 10.0


def _torch():
    return pytest.importorskip("torch")


@pytest.mark.parametrize("dim", [0, 1, -1])
@pytest.mark.parametrize("keepdim", [False, True])
def test_kthvalue_is_torch_s(dim: int, keepdim: bool) -> None:
    torch = _torch()
    for k in range(1, DISTINCT.shape[dim] + 1):
        x = ag.tensor(DISTINCT, requires_grad=True)
        t = torch.tensor(DISTINCT, requires_grad=True)
        (values, indices), expected = x.kthvalue(k, dim, keepdim), t.kthvalue(k, dim, keepdim)
        np.testing.assert_array_equal(values.data, expected.values.detach().numpy())
        np.testing.assert_array_equal(indices.data, expected.indices.numpy())
        g = RNG.standard_normal(values.shape)
        values.backward(g)
        expected.values.backward(torch.tensor(g))
        np.testing.assert_array_equal(x.grad.data, t.grad.numpy())


@pytest.mark.parametrize("data, k", [([3.0, 1.0, 2.0, 2.0, 5.0], 2), ([2.0] * 4, 2),
                                     ([3.0, NAN, 1.0, 2.0], 4), ([3.0, NAN, 1.0, 2.0], 3),
                                     ([NAN, NAN, 1.0], 2), ([-INF, INF, 0.0], 1)])
def test_kthvalue_ties_and_nan_values_as_torch(data, k: int) -> None:
    """torch's index among equal values is unspecified (not the stable order): only the
    values are compared; ours is the stable sort's k-th (NaN last, as torch)."""
    torch = _torch()
    values, indices = ag.tensor(data).kthvalue(k)
    np.testing.assert_array_equal(values.item(), torch.tensor(data).kthvalue(k).values.item())
    assert indices.item() == np.argsort(data, kind="stable")[k - 1]


def test_kthvalue_edges() -> None:
    torch = _torch()
    assert ag.tensor(3.0).kthvalue(1).values.item() == 3.0
    assert ag.tensor(3.0).kthvalue(1, 0, True).indices.shape == ()
    integers = np.array([3, 1, 2])
    assert ag.kthvalue(integers, 2).values.item() == torch.tensor(integers).kthvalue(2)[0]
    assert ag.kthvalue(integers, 2).values.dtype == np.int64
    assert ag.zeros(0, 3).kthvalue(1, 1).values.shape == (0,)
    with pytest.raises(ShapeError, match="cannot reduce over an empty axis"):
        ag.zeros(0, 3).kthvalue(1, 0)
    for k in (0, 4, 1.0, True):
        with pytest.raises(ShapeError, match=r"k must be an int in \[1, 3\]"):
            ag.tensor([1.0, 2.0, 3.0]).kthvalue(k)


@pytest.mark.parametrize("data", [[1.0, 2.0, 2.0, 3.0, 3.0], [3.0, 3.0, 2.0, 2.0, 1.0],
                                  [1.0, 2.0, 3.0], [2.0, 1.0, 2.0, 1.0, 3.0],
                                  [0.0, -0.0, 1.0], [[1.0, 1.0, 4.0], [4.0, 4.0, 1.0]]])
def test_mode_is_torch_s(data) -> None:
    torch = _torch()
    x = ag.tensor(data, requires_grad=True)
    t = torch.tensor(data, requires_grad=True)
    (values, indices), expected = x.mode(), t.mode()
    np.testing.assert_array_equal(values.data, expected.values.detach().numpy())
    np.testing.assert_array_equal(indices.data, expected.indices.numpy())
    values.backward(np.ones(values.shape))
    expected.values.backward(torch.ones(expected.values.shape, dtype=torch.float64))
    np.testing.assert_array_equal(x.grad.data, t.grad.numpy())


def test_mode_values_of_long_rows_and_our_last_occurrence() -> None:
    """torch's index of the mode comes from an unstable sort on long rows: only the
    values are compared; ours is the value's last occurrence."""
    torch = _torch()
    data = RNG.integers(0, 4, size=(50, 40)).astype(float)
    values, indices = ag.mode(data, 1, True)
    np.testing.assert_array_equal(values.data[:, 0], torch.tensor(data).mode(1).values.numpy())
    for row, value, index in zip(data, values.data[:, 0], indices.data[:, 0]):
        assert index == np.flatnonzero(row == value)[-1]


def test_mode_edges() -> None:
    torch = _torch()
    assert ag.tensor(3.0).mode().values.item() == 3.0
    integers, flags = np.array([1, 2, 2]), np.array([True, False, True])
    for data in (integers, flags):
        ours, theirs = ag.mode(data), torch.tensor(data).mode()
        assert ours.values.item() == theirs.values.item() and ours.values.dtype == data.dtype
    assert ag.zeros(0, 2).mode(1).values.shape == (0,)
    with pytest.raises(ShapeError, match="mode: cannot reduce over an empty axis"):
        ag.zeros(0).mode()
    values, indices = ag.tensor([NAN, 1.0, NAN, 1.0, NAN]).mode()  # NaNs count together
    assert np.isnan(values.item()) and indices.item() == 4  # (torch: unspecified)


@pytest.mark.parametrize("data", [
    np.array([1000.0, 1000.0, -INF, 3.0]), np.array([-INF, -INF, 0.0, 1.0]),
    np.array([INF, 1.0, -INF, NAN, 1.0]), np.array([-INF, 1.0]), np.array([-INF, -INF]),
    np.array([1e308, 1e308, -1e308]), DISTINCT * 50 - 300])
@pytest.mark.parametrize("dim", [0, -1])
def test_logcumsumexp_is_torch_s(data: np.ndarray, dim: int) -> None:
    torch = _torch()
    x, t = ag.tensor(data, requires_grad=True), torch.tensor(data, requires_grad=True)
    ours, theirs = x.logcumsumexp(dim), torch.logcumsumexp(t, dim)
    np.testing.assert_allclose(ours.data, theirs.detach().numpy(), rtol=1e-14)
    g = RNG.standard_normal(data.shape)
    ours.backward(g)
    theirs.backward(torch.tensor(g))
    np.testing.assert_allclose(x.grad.data, t.grad.numpy(), rtol=1e-10, atol=1e-300)


def test_logcumsumexp_gradient_of_large_values_is_finite() -> None:
    x = ag.tensor([800.0, 801.0, -800.0], requires_grad=True)
    g = np.array([1.0, -2.0, 0.5])
    x.logcumsumexp(0).backward(g)
    shifted = ag.tensor(x.data - 800.0, requires_grad=True)  # the same gradient
    shifted.logcumsumexp(0).backward(g)
    assert np.isfinite(x.grad.data).all()
    np.testing.assert_allclose(x.grad.data, shifted.grad.data, rtol=1e-12)


def test_logcumsumexp_edges() -> None:
    torch = _torch()
    x = ag.tensor(2.0, requires_grad=True)
    y = ag.logcumsumexp(x, 0)
    assert y.shape == () and y.item() == 2.0
    y.backward()
    assert x.grad.item() == 1.0
    assert ag.zeros(0, 2).logcumsumexp(0).shape == (0, 2)
    x32 = ag.tensor(np.float32([1, 2, 3]), requires_grad=True)
    y32 = x32.logcumsumexp(0)
    y32.backward(np.float32([1, -1, 2]))
    assert y32.dtype == x32.grad.dtype == np.float32
    np.testing.assert_allclose(y32.data, torch.logcumsumexp(torch.tensor(x32.data), 0),
                               rtol=1e-6)
    assert ag.tensor(np.array([1, 2])).logcumsumexp(0).dtype == np.float64  # (torch refuses)


@pytest.mark.parametrize("name, args", [("median", {"dim": 1}), ("nanmedian", {"dim": 1}),
                                        ("quantile", {"q": 0.3, "dim": 0}),
                                        ("kthvalue", {"k": 2}), ("mode", {"dim": 0}),
                                        ("cummax", {"dim": 1}), ("logcumsumexp", {"dim": 0})])
def test_functions_take_torch_s_out(name: str, args: dict) -> None:
    torch = _torch()
    data = DISTINCT[0]
    expected = getattr(torch, name)(torch.tensor(data), **args)
    pair = isinstance(expected, tuple)
    out = (ag.zeros(0), ag.zeros(0, dtype=np.int64)) if pair else ag.zeros(0)
    result = getattr(ag, name)(data, **args, out=out)
    assert result is out or tuple(result) == tuple(out)
    for ours, theirs in zip(out if pair else (out,), expected if pair else (expected,)):
        np.testing.assert_allclose(ours.data, theirs.numpy(), rtol=1e-15)


def test_argsort_takes_torch_s_stable_keyword(torch) -> None:
    """Mixture-of-experts code sorts tokens by expert with ``torch.argsort(expert_index,
    stable=True)`` (a TypeError here before; our sort is always stable)."""
    data = np.array([[2, 0, 1, 0, 2, 1, 1]])
    for descending in (False, True):
        for stable in (True, False):
            np.testing.assert_array_equal(
                ag.argsort(ag.tensor(data), dim=-1, descending=descending, stable=stable).data,
                torch.argsort(torch.tensor(data), dim=-1, descending=descending,
                              stable=True).numpy())
        np.testing.assert_array_equal(ag.tensor(data).argsort(stable=True).data,
                                      torch.tensor(data).argsort(stable=True).numpy())


@pytest.mark.parametrize("shape", [(5,), (4, 3), (3, 2, 2)])
def test_msort_sorts_the_first_axis_as_torch(shape) -> None:
    """``torch.msort(x)``, the sorted rows of soft-ranking code's reference sorts, raised
    MissingNameError: the values sorted along dim 0, and their gradient."""
    torch = _torch()
    data = RNG.permutation(int(np.prod(shape))).reshape(shape) / 7.0
    x, t = ag.tensor(data, requires_grad=True), torch.tensor(data, requires_grad=True)
    got, want = ag.msort(x), torch.msort(t)
    np.testing.assert_array_equal(got.detach().numpy(), want.detach().numpy())
    upstream = RNG.normal(size=shape)
    (got * ag.tensor(upstream)).sum().backward()
    (want * torch.tensor(upstream)).sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), t.grad.numpy())
    out = ag.empty(shape)
    assert ag.msort(x.detach(), out=out) is out
