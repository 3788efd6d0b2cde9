"""A float an integer tensor cannot hold (NaN, inf, out of range) is refused by ``fill_``
and ``t[index] = value`` with a DTypeError, as PyTorch refuses it, instead of NumPy's
cast storing garbage (NaN into int64 gave -9223372036854775808)."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

import autograd as ag
from autograd import DTypeError, Tensor

UNREPRESENTABLE = [("int64", float("nan")), ("int64", float("inf")), ("int64", 1e30),
                   ("uint8", float("nan")), ("uint8", -1.5), ("uint8", 256.0),
                   ("int8", -float("inf")), ("uint8", 255.9), ("uint8", -0.5)]


def _fill(t: Any, value: Any) -> Any:
    return t.fill_(value)


def _setitem(t: Any, value: Any) -> Any:
    t[0] = value
    return t


@pytest.mark.parametrize("write", [_fill, _setitem])
@pytest.mark.parametrize("dtype, value", UNREPRESENTABLE)
def test_a_float_an_integer_tensor_cannot_hold_is_refused(write: Any, dtype: str,
                                                          value: float) -> None:
    t = Tensor(np.array([1, 2], dtype))
    with pytest.raises(DTypeError, match=rf"cannot be stored in a {dtype} tensor, which "
                                         rf"holds integers in \[.*astype\(np.float64\)"):
        write(t, value)
    np.testing.assert_array_equal(t.data, [1, 2])  # nothing written


@pytest.mark.parametrize("write", [_fill, _setitem])
def test_a_zero_d_tensor_value_is_checked_too(write: Any) -> None:
    with pytest.raises(DTypeError, match="nan cannot be stored in a int64 tensor"):
        write(Tensor(np.array([1, 2])), ag.tensor(float("nan")))


@pytest.mark.parametrize("dtype, value", [("int64", float("nan")), ("int64", float("inf")),
                                          ("int64", 1e30), ("uint8", 256.0),
                                          ("uint8", 255.9), ("uint8", -0.5)])
def test_pytorch_refuses_them_too(dtype: str, value: float) -> None:
    torch = pytest.importorskip("torch")
    for write in (_fill, _setitem):
        with pytest.raises(RuntimeError, match="cannot be converted to type"):
            write(torch.ones(2, dtype=getattr(torch, dtype)), value)


@pytest.mark.parametrize("write", [_fill, _setitem])
@pytest.mark.parametrize("dtype, value", [("int64", 2.7), ("int64", -1.5), ("uint8", 254.9),
                                          ("bool", float("nan")), ("float32", float("nan"))])
def test_values_that_fit_are_truncated_toward_zero_as_before(write: Any, dtype: str,
                                                             value: float) -> None:
    t = write(Tensor(np.zeros(2, dtype)), value)
    assert t.data[0] == np.asarray(value).astype(dtype) or np.isnan(t.data[0])
    assert t.dtype == np.dtype(dtype)


def test_an_integer_out_of_range_in_setitem_is_a_dtype_error_not_numpys() -> None:
    t = Tensor(np.zeros(2, np.uint8))
    with pytest.raises(DTypeError, match="cannot store int in a uint8 tensor: Python "
                                         "integer 300 out of bounds"):
        t[0] = 300


@pytest.mark.parametrize("write", [_fill, _setitem])
@pytest.mark.parametrize("dtype, value", [("float16", 1e6), ("float16", -70000.0),
                                          ("float32", 1e39)])
def test_a_finite_float_beyond_a_float_dtype_is_refused(write: Any, dtype: str,
                                                        value: float) -> None:
    """It would be stored as inf (PyTorch's fill_ refuses it; its setitem stores inf)."""
    t = Tensor(np.zeros(2, dtype))
    with pytest.raises(DTypeError, match=rf"is beyond the largest {dtype} .* stored as inf"):
        write(t, value)
    np.testing.assert_array_equal(t.data, [0, 0])
    torch = pytest.importorskip("torch")
    with pytest.raises(RuntimeError, match="cannot be converted to type .* without overflow"):
        torch.zeros(2, dtype=getattr(torch, dtype)).fill_(value)


@pytest.mark.parametrize("value", [65504.0, float("inf"), float("nan"), -1e-8])
def test_the_largest_float16_inf_and_nan_are_stored_as_given(value: float) -> None:
    t = Tensor(np.zeros(2, np.float16)).fill_(value)
    np.testing.assert_array_equal(t.data, np.full(2, value, np.float16))
