"""PyTorch's shape rule for an in-place update ``x.op_(y)``: the result, the broadcast of
x and y, must have x's shape, since x keeps its shape (``check_update_shape``). A y that
does not broadcast with x is a ``ShapeError`` (the library's broadcasting check,
``numpy_stacking.common_shape``); so is one that broadcasts to a larger shape, e.g. a
(1, 2) y for a (2,) x (NumPy's ``copyto`` would take it; PyTorch's "output with shape [2]
doesn't match the broadcast shape [1, 2]"). ``store_update`` writes such a result into
x's array after the check: every in-place write of a computed result goes through it."""

from __future__ import annotations

from typing import Any

import numpy as np

from .errors import ShapeError
from .numpy_stacking import common_shape

__all__ = ["check_update_shape", "store_update"]


def check_update_shape(name: str, shape: tuple, x_shape: tuple) -> None:
    """ShapeError unless a result of ``shape`` broadcasts to x's shape ``x_shape`` itself:
    broadcast(shape, x_shape) == x_shape, as PyTorch requires of an in-place op."""
    common = common_shape((tuple(shape), tuple(x_shape)), f"in-place {name}")
    if common != tuple(x_shape):
        raise ShapeError(
            f"in-place {name}: the result has shape {common}, but x has shape "
            f"{tuple(x_shape)} and an in-place update keeps x's shape (PyTorch refuses it "
            f"too). Give an operand that broadcasts to x's shape (drop its extra leading "
            f"axes, e.g. y.squeeze(0)), or write the out-of-place form (a new tensor).")


def store_update(name: str, out: np.ndarray, result: Any) -> None:
    """``out[...] = result`` for the in-place op ``name``, after ``check_update_shape``;
    cast to out's dtype unchecked (the callers check the cast PyTorch allows)."""
    check_update_shape(name, np.shape(result), out.shape)
    np.copyto(out, result, casting="unsafe")
