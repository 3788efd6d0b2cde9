"""float32 and float64 through nn (session 38): hardtanh keeps the input's dtype with
NumPy-scalar bounds; "nearest" interpolation picks its sources in PyTorch's precision;
the recurrent cells warn about wider input as Linear and nn.RNN do."""
import warnings

import numpy as np
import pytest

import autograd as ag
import nn
import nn.functional as F
from nn.layers import DTypePromotionWarning


@pytest.mark.parametrize("dtype, bound", [(np.float32, np.float64), (np.float16, np.float32)])
def test_hardtanh_keeps_the_input_dtype_with_numpy_scalar_bounds(dtype, bound):
    x = ag.tensor(np.array([-2.0, 0.25, 3.0], dtype=dtype), requires_grad=True)
    y = F.hardtanh(x, bound(-1.0), bound(1.0))
    assert y.dtype == dtype
    np.testing.assert_array_equal(y.data, np.array([-1.0, 0.25, 1.0], dtype=dtype))
    y.sum().backward()
    assert x.grad.dtype == dtype
    assert nn.Hardtanh(bound(-1.0), bound(1.0))(x).dtype == dtype


def test_nearest_picks_sources_in_double_for_float64_and_single_for_float32():
    """Output 111 of 130 entries at scale 0.925 sits at 111 / 0.925 = 120 exactly: in
    double precision that is entry 120; in single precision 111 * float32(1 / 0.925)
    rounds just below 120 (PyTorch's float kernel), entry 119."""
    position = 111 * np.float32(1 / 0.925)
    assert position < 120  # the single-precision position, computed here
    entries = np.arange(130, dtype=np.float64).reshape(1, 1, 130)
    for dtype, expected in ((np.float64, 111 / 0.925), (np.float32, np.floor(position))):
        out = F.interpolate(ag.tensor(entries.astype(dtype)), scale_factor=0.925)
        assert out.data[0, 0, 111] == np.floor(expected)
    exact = F.interpolate(ag.tensor(entries), scale_factor=0.925, mode="nearest-exact")
    assert exact.data[0, 0, 111] == np.floor((111 + 0.5) / 0.925)


@pytest.mark.parametrize("cell", [nn.RNNCell, nn.LSTMCell, nn.GRUCell])
def test_a_float32_cell_warns_once_about_float64_input(cell):
    layer = cell(3, 4).float()
    x = ag.tensor(np.ones((2, 3)))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        layer(x)
        layer(x)
    promotions = [w for w in caught if issubclass(w.category, DTypePromotionWarning)]
    assert len(promotions) == 1
    assert "float32" in str(promotions[0].message)
