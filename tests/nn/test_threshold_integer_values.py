"""F.threshold of an integer tensor: the value truncated into its dtype as PyTorch's, and a
value that cannot be stored there (NaN, inf, out of range) a named DTypeError where NumPy
raised a bare ValueError or OverflowError."""

import numpy as np
import pytest

import autograd as ag
import nn
from autograd.errors import DTypeError


@pytest.mark.parametrize("value", [1.5, -7, 300, 2.0**40])
def test_a_value_in_range_is_truncated_as_torch(torch, value):
    data = [1, -2, 3, 0]
    ours = nn.functional.threshold(ag.tensor(data), 0, value)
    theirs = torch.nn.functional.threshold(torch.tensor(data), 0, value)
    assert ours.dtype == np.int64
    assert ours.tolist() == theirs.tolist()


@pytest.mark.parametrize("dtype, value", [(np.int64, float("nan")), (np.int64, float("inf")),
                                          (np.int64, 1e30), (np.uint8, 300), (np.int8, -200)])
def test_a_value_that_does_not_fit_is_a_dtype_error(dtype, value):
    x = ag.tensor(np.array([1, 2, 0], dtype))
    with pytest.raises(DTypeError, match="does not fit"):
        nn.functional.threshold(x, 0, value)
    with pytest.raises(DTypeError, match="does not fit"):
        nn.Threshold(0, value)(x)
    with pytest.raises(DTypeError, match="does not fit"):
        nn.functional.threshold(x, 0, value, inplace=True)
