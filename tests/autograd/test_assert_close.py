"""``autograd.testing.assert_close``: passes and fails where ``torch.testing.assert_close``
does (the dtype's default tolerances, infinities, NaNs, structures), with a message that
says where and by how much."""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

import autograd as ag
from autograd.errors import NotCloseError, UsageError
from autograd.testing import assert_close


def _passes(check, actual, expected, **kwargs) -> bool:
    try:
        check(actual, expected, **kwargs)
    except AssertionError:
        return False
    return True


@pytest.mark.parametrize("dtype", [np.float16, np.float32, np.float64, np.int32])
@settings(suppress_health_check=[HealthCheck.function_scoped_fixture])  # torch: no state
@given(data=st.data())
def test_default_tolerances_follow_the_dtype_as_pytorch(torch, dtype, data) -> None:
    """Perturbations of a few tolerances' sizes, well inside or well outside the bound,
    pass and fail alike in both (the bound itself is left to rounding)."""
    rtol, atol = {np.float16: (1e-3, 1e-5), np.float32: (1.3e-6, 1e-5),
                  np.float64: (1e-7, 1e-7), np.int32: (0, 0)}[dtype]
    values = np.array(data.draw(st.lists(st.integers(-50, 50), min_size=1, max_size=4)))
    expected = (values / 8).astype(dtype) if dtype != np.int32 else values.astype(dtype)
    factor = data.draw(st.sampled_from([0.0, 0.25, 4.0]))
    step = np.abs(expected.astype(np.float64)) * rtol + atol
    actual = (expected + factor * step * (1 if dtype != np.int32 else 1e9)).astype(dtype)
    ours = _passes(assert_close, ag.tensor(actual), ag.tensor(expected))
    theirs = _passes(torch.testing.assert_close, torch.from_numpy(actual),
                     torch.from_numpy(expected))
    assert ours == theirs
    assert ours == (factor < 1 or not np.any(actual != expected))


@pytest.mark.parametrize("actual, expected, kwargs", [
    ([1.0, np.inf], [1.0, np.inf], {}),
    ([1.0, np.inf], [1.0, -np.inf], {}),
    ([np.nan], [np.nan], {}),
    ([np.nan], [np.nan], {"equal_nan": True}),
    ([1.0, 2.0], [1.0, 2.1], {"rtol": 0.1, "atol": 0.0}),
    ([1.0, 2.0], [1.0, 2.5], {"rtol": 0.1, "atol": 0.0}),
    ([0.0], [1e-8], {}),
])
def test_special_values_and_given_tolerances_as_pytorch(torch, actual, expected, kwargs) -> None:
    a, e = np.array(actual), np.array(expected)
    assert _passes(assert_close, ag.tensor(a), ag.tensor(e), **kwargs) == _passes(
        torch.testing.assert_close, torch.tensor(a), torch.tensor(e), **kwargs)


def test_the_message_says_how_many_where_and_by_how_much() -> None:
    with pytest.raises(NotCloseError) as caught:
        assert_close(ag.tensor([[1.0, 2.0], [3.0, 4.0]]), ag.tensor([[1.0, 2.0], [3.5, 4.0]]))
    text = str(caught.value)
    assert "Mismatched elements: 1 / 4 (25.0%)" in text
    assert "Greatest absolute difference: 0.5 at index (1, 0) (up to 1e-07 allowed)" in text
    assert "Greatest relative difference: 0.14285714285714285 at index (1, 0)" in text
    assert isinstance(caught.value, AssertionError) and isinstance(caught.value,
                                                                   ag.AutogradError)


def test_structures_shapes_and_dtypes_are_compared() -> None:
    x = ag.tensor([1.0, 2.0])
    assert_close({"a": [x, (1, 2.5)]}, {"a": [np.array([1.0, 2.0]), (1, 2.5)]})
    assert_close(x.float(), x, check_dtype=False)
    with pytest.raises(NotCloseError, match=r"at \['a'\]\[1\]\[1\]: values are not close"):
        assert_close({"a": [x, (1, 2.5)]}, {"a": [x, (1, 3.5)]})
    with pytest.raises(NotCloseError, match=r"the shapes differ: \(2,\) and \(1, 2\)"):
        assert_close(x, x.reshape(1, 2))
    with pytest.raises(NotCloseError, match="the dtypes differ: float32 and float64"):
        assert_close(x.float(), x)
    with pytest.raises(NotCloseError, match=r"the lengths differ: 2 and 1"):
        assert_close([x, x], [x])
    with pytest.raises(NotCloseError, match=r"the keys differ"):
        assert_close({"a": x}, {"b": x})
    with pytest.raises(NotCloseError, match=r"types differ: Tensor and list"):
        assert_close(x, [1.0, 2.0])


def test_msg_replaces_or_edits_the_message() -> None:
    with pytest.raises(NotCloseError, match="^weights drifted$"):
        assert_close(ag.tensor(1.0), ag.tensor(2.0), msg="weights drifted")
    with pytest.raises(NotCloseError, match=r"^step 3: values are not close!"):
        assert_close(ag.tensor(1.0), ag.tensor(2.0), msg=lambda m: f"step 3: {m}")


def test_misuse_is_a_usage_error() -> None:
    with pytest.raises(UsageError, match="give both rtol and atol, or neither"):
        assert_close(1.0, 1.0, rtol=1e-3)
    with pytest.raises(UsageError, match=r"unexpected keyword argument\(s\) \['rtoll'\]"):
        assert_close(1.0, 1.0, rtoll=1e-3)
    with pytest.raises(UsageError, match="compares Tensors, arrays, numbers"):
        assert_close("a", "a")
    assert_close(ag.tensor(1.0), ag.tensor(1.0), check_device=True, check_stride=False)


def test_autograd_testing_is_there_after_import_autograd() -> None:
    """``torch.testing.assert_close`` after ``import torch``: ``ag.testing`` likewise."""
    assert ag.testing.assert_close is assert_close
