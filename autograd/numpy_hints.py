"""The errors for NumPy ufunc calls on Tensors that have no differentiable version, each
naming what to write instead: a ufunc's method (``np.add.reduce(t, axis=1)``) names the
Tensor method with the same axis (``t.sum(axis=1)``), a comparison given keywords
(``np.equal(t, 0, dtype=bool)``) the operator without them (``t == 0``).
``autograd.interop`` raises them; the hints for NumPy *functions* are ``numpy_arrays.HINTS``.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .errors import UsageError

__all__ = ["no_ufunc_op"]

# the Tensor methods that do what a ufunc's method does along an axis
_UFUNC_METHODS = {("add", "reduce"): "sum", ("multiply", "reduce"): "prod",
                  ("logical_and", "reduce"): "all", ("logical_or", "reduce"): "any",
                  ("add", "accumulate"): "cumsum", ("multiply", "accumulate"): "cumprod"}

# the comparison ufuncs and their operators (``np.less(t, 0)`` is ``t < 0``)
_COMPARISONS = {np.equal: "==", np.not_equal: "!=", np.less: "<", np.less_equal: "<=",
                np.greater: ">", np.greater_equal: ">="}


def no_ufunc_op(ufunc: np.ufunc, method: str, kwargs: dict[str, Any]) -> UsageError:
    """The error for ``ufunc`` (``method`` ``"__call__"``) or one of its methods, called
    with keywords ``kwargs``, that has no differentiable version for Tensors."""
    if method == "__call__" and ufunc in _COMPARISONS and kwargs:
        return _comparison_with_keywords(ufunc, kwargs)
    name = ufunc.__name__ if method == "__call__" else f"{ufunc.__name__}.{method}"
    equivalent = _UFUNC_METHODS.get((ufunc.__name__, method))
    if equivalent is None:
        return UsageError(f"np.{name} has no differentiable version for Tensors. Use the "
                          f"Tensor methods or autograd functions (t.sum(), "
                          f"autograd.maximum...), or np.{name}(t.data) for an untracked "
                          f"NumPy result.")
    keywords = _axis_keywords(kwargs)
    default = "" if "axis" in kwargs else f" (np.{name} works along axis 0 by default)"
    return UsageError(f"np.{name} has no differentiable version for Tensors. Use "
                      f"t.{equivalent}({keywords}){default}, or np.{name}(t.data, "
                      f"{keywords}) for an untracked NumPy result.")


def _axis_keywords(kwargs: dict[str, Any]) -> str:
    """``"axis=1, keepdims=True"``: the axis a ufunc's method works along (NumPy's default
    0 when none was given) and its ``keepdims``, as keywords of the Tensor method."""
    keywords = f"axis={kwargs.get('axis', 0)!r}"
    return keywords + (", keepdims=True" if kwargs.get("keepdims") else "")


def _comparison_with_keywords(ufunc: np.ufunc, kwargs: dict[str, Any]) -> UsageError:
    """``np.equal(t, 0, dtype=bool)``: a Tensor comparison is already a constant bool
    Tensor and takes no keywords; the message names the operator to write."""
    name, symbol = ufunc.__name__, _COMPARISONS[ufunc]
    given = ", ".join(f"{key}=..." for key in kwargs)
    return UsageError(f"np.{name}(t, other, {given}): a comparison of Tensors takes no "
                      f"keyword arguments (its result is already a bool Tensor). Drop "
                      f"them: t {symbol} other (or np.{name}(t, other)); select "
                      f"afterwards with autograd.where(mask, t {symbol} other, False), or "
                      f"pass t.data for an untracked NumPy result.")
