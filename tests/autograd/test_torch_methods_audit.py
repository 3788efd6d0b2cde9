"""Audit of PyTorch's Tensor methods (topk, sort/argsort descending, lerp, ...) on the
inputs tutorials rarely show: NaN, unsigned and bool dtypes, extreme values."""

from __future__ import annotations

import numpy as np
import pytest

from autograd import Tensor


@pytest.mark.parametrize("dtype", [np.uint8, np.int8, np.int64, np.float32, np.float64, bool])
@pytest.mark.parametrize("shape, dim", [((7,), -1), ((3, 5), 0), ((3, 5), 1), ((0, 4), 1)])
def test_descending_order_is_pytorchs_stable_one(dtype: type, shape: tuple, dim: int) -> None:
    """Ties keep their order, NaN comes first, unsigned and int8's lowest do not wrap."""
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(3)
    data = rng.integers(-128 if dtype is np.int8 else 0, 4, shape).astype(dtype)
    if data.dtype.kind == "f" and data.size:
        data.flat[[0, data.size // 2]] = np.nan
    expected = torch.from_numpy(data.copy()).sort(dim=dim, descending=True, stable=True)
    order = Tensor(data).argsort(dim, descending=True)
    np.testing.assert_array_equal(order.data, expected.indices.numpy())
    np.testing.assert_array_equal(Tensor(data).sort(dim, descending=True).values.data,
                                  expected.values.numpy())


@pytest.mark.parametrize("largest", [True, False])
def test_topk_counts_nan_as_the_largest_and_reads_unsigned_right(largest: bool) -> None:
    torch = pytest.importorskip("torch")
    for data in (np.array([3.0, np.nan, 1.0, 5.0, np.nan, -np.inf]),
                 np.array([0, 1, 200, 2], dtype=np.uint8)):
        values, indices = Tensor(data).topk(3, largest=largest)
        expected = torch.from_numpy(data).topk(3, largest=largest)
        np.testing.assert_array_equal(values.data, expected.values.numpy())
        np.testing.assert_array_equal(indices.data, expected.indices.numpy())


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_lerp_reaches_its_ends_exactly_as_pytorchs(dtype: type) -> None:
    """Weight 1 gives end, weight 0 gives self, even when self dwarfs end (1e20 + 1 *
    (1 - 1e20) was 0); between them PyTorch's values, and a weight tensor on both sides
    of 0.5 keeps its gradients."""
    torch = pytest.importorskip("torch")
    start = np.array([1e20, 1.0, -3.0], dtype)
    end = np.array([1.0, 1e-20, 5.0], dtype)
    np.testing.assert_array_equal(Tensor(start).lerp(end, 1.0).data, end)
    np.testing.assert_array_equal(Tensor(end).lerp(start, 0.0).data, end)
    weight = np.array([0.0, 0.4, 0.5, 1.0], dtype)
    values = Tensor(start[:2, None]).lerp(Tensor(end[:2, None]), Tensor(weight))
    expected = torch.from_numpy(start[:2, None]).lerp(torch.from_numpy(end[:2, None]),
                                                      torch.from_numpy(weight))
    np.testing.assert_allclose(values.data, expected.numpy(), rtol=1e-6)


@pytest.mark.parametrize("dims", [(), []])
@pytest.mark.parametrize("name", ["amax", "amin"])
def test_amax_and_amin_over_no_dims_reduce_every_axis_as_pytorchs(dims, name) -> None:
    """An empty list of dims is PyTorch's "all of them" too (it reduced none)."""
    torch = pytest.importorskip("torch")
    data = np.array([[0.5, 3.0, -1.0], [2.0, 7.0, 1.5]])
    expected = getattr(torch.from_numpy(data), name)(dims, keepdim=True).numpy()
    np.testing.assert_array_equal(getattr(Tensor(data), name)(dims, keepdim=True).data,
                                  expected)
