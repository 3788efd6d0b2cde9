"""The interop rule, checked by name: ``np.f(t)`` gives what ``t.f()`` gives for every
Tensor method that NumPy also has as a function (no such function may fall through to
"no differentiable version"), with NumPy's own argument names and order."""

from __future__ import annotations

import inspect

import numpy as np
import pytest

import autograd as ag
from autograd.errors import UsageError


def _shared_names() -> list[str]:
    """Public Tensor methods that are also NumPy functions (not classes)."""
    return sorted(name for name in dir(ag.Tensor) if not name.startswith("_")
                  and inspect.isfunction(inspect.getattr_static(ag.Tensor, name))
                  and callable(getattr(np, name, None))
                  and not isinstance(getattr(np, name), type))


# PyTorch's methods that NumPy's ndarray lacks, where NumPy's function of the name
# gives another result: the spelling decides (README, "Where NumPy and PyTorch disagree")
TORCH_ONLY_METHODS = {"median": "the lower median", "nanmedian": "the lower median"}


@pytest.mark.parametrize("name", _shared_names())
def test_numpy_function_of_a_method_name_dispatches(name: str) -> None:
    t = ag.tensor(np.arange(1.0, 7.0).reshape(2, 3))
    if name in TORCH_ONLY_METHODS:  # np.f(t) is NumPy's f (t.f(): test_order_median.py)
        np.testing.assert_array_equal(getattr(np, name)(t).data, getattr(np, name)(t.data))
        return
    try:
        via_numpy = getattr(np, name)(t)
    except UsageError as error:
        assert "no differentiable version" not in str(error), name
        return  # refused by name for a stated reason (e.g. an argument it needs)
    except (TypeError, ValueError):
        return  # the function needs more arguments than the tensor alone
    try:
        via_method = getattr(t, name)()
    except TypeError:
        return  # the method needs arguments (t.where(condition, other))
    if isinstance(via_method, ag.Tensor):
        assert isinstance(via_numpy, ag.Tensor), name
        np.testing.assert_array_equal(via_numpy.data, via_method.data)


def test_diag_takes_numpys_k_and_has_a_gradient() -> None:
    v = ag.tensor([1.0, 2.0, 3.0], requires_grad=True)
    np.testing.assert_array_equal(np.diag(v, k=1).data, np.diag(v.data, k=1))
    np.testing.assert_array_equal(np.diag(np.diag(v)).data, v.data)
    ag.gradcheck(lambda x: np.diag(x, -1), v)


def test_nan_to_num_takes_numpys_arguments_and_has_a_gradient() -> None:
    x = np.array([1.0, np.nan, np.inf, -np.inf])
    t = ag.tensor(x, requires_grad=True)
    got = np.nan_to_num(t, nan=5.0, posinf=7.0, neginf=-7.0)
    np.testing.assert_array_equal(got.data, np.nan_to_num(x, nan=5.0, posinf=7.0,
                                                          neginf=-7.0))
    got.sum().backward()
    np.testing.assert_array_equal(t.grad.data, [1.0, 0.0, 0.0, 0.0])
    with pytest.raises(UsageError, match="copy=False"):
        np.nan_to_num(t, copy=False)


def test_argsort_and_ravel_follow_numpy() -> None:
    x = np.array([[3.0, 1.0, 2.0], [0.0, 5.0, 4.0]])
    t = ag.tensor(x)
    np.testing.assert_array_equal(np.argsort(t, axis=0).data, np.argsort(x, axis=0,
                                                                        kind="stable"))
    np.testing.assert_array_equal(np.argsort(t, kind="quicksort").data,
                                  np.argsort(x, kind="stable"))
    np.testing.assert_array_equal(np.ravel(t, order="F").data, np.ravel(x, order="F"))
    with pytest.raises(UsageError, match="structured"):
        np.argsort(t, order="a")
