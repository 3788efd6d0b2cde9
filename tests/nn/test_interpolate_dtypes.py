"""F.interpolate of integer and bool input: the nearest modes copy entries and keep the dtype
(compared with torch on uint8, the one integer dtype torch's nearest kernels take); the
linear modes refuse them with a DTypeError instead of silently returning float64."""

import numpy as np
import pytest

import nn
import nn.functional as F
from autograd.errors import DTypeError

CASES = [((1, 2, 5), 2.0, "nearest"), ((1, 2, 5), 0.6, "nearest-exact"),
         ((2, 1, 3, 4), (1.5, 2.0), "nearest"), ((2, 1, 3, 4), 1.7, "nearest-exact")]


@pytest.mark.parametrize("shape, scale, mode", CASES)
def test_nearest_keeps_uint8_as_torch(shape, scale, mode):
    torch = pytest.importorskip("torch")
    x = np.random.default_rng(0).integers(0, 256, shape).astype(np.uint8)
    ours = F.interpolate(x, scale_factor=scale, mode=mode)
    theirs = torch.nn.functional.interpolate(torch.tensor(x), scale_factor=scale, mode=mode)
    assert ours.dtype == np.uint8
    np.testing.assert_array_equal(ours.data, theirs.numpy())


@pytest.mark.parametrize("dtype", [np.int64, np.int8, bool])
def test_nearest_keeps_other_integer_dtypes(dtype):
    x = np.random.default_rng(1).integers(0, 2, (1, 1, 2, 3)).astype(dtype)
    y = F.interpolate(x, scale_factor=2)
    assert y.dtype == x.dtype
    np.testing.assert_array_equal(y.data, F.interpolate(x.astype(float), scale_factor=2).data)


@pytest.mark.parametrize("dtype", [np.uint8, np.int64, bool])
@pytest.mark.parametrize("ndim, mode", [(3, "linear"), (4, "bilinear")])
def test_linear_modes_refuse_integers(dtype, ndim, mode):
    x = np.ones((1, 1) + (3,) * (ndim - 2), dtype=dtype)
    with pytest.raises(DTypeError, match=f"interpolate: mode='{mode}' weighs neighbouring "
                                         f"entries, so it needs float input"):
        F.interpolate(x, scale_factor=2, mode=mode)
    with pytest.raises(DTypeError, match="astype"):
        nn.Upsample(scale_factor=2, mode=mode)(x)
