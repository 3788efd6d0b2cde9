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
    np.testing.assert_array_equal(Tensor(data).sort(dim, descending=True).data,
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
