"""The argument rules of ``Reductions`` (``autograd/tensor_reductions.py``) that read
either library's spelling: ``var``/``std``'s axis, keepdims and divisor (NumPy's ``ddof=0``
or PyTorch's ``correction=1``) and ``cumsum``/``cumprod``'s axis by position."""

from __future__ import annotations

from typing import Any

from ._arrays import numeric
from .errors import UsageError
from .ops.reductions import pick_axis, pick_ddof, pick_keepdims

__all__ = ["spread_arguments", "one_number", "scan_axis", "one_positional_axis"]


def spread_arguments(name: str, position: tuple, axis: Any, keepdims: bool | None,
                     ddof: Any, dim: Any, keepdim: bool | None, correction: Any,
                     unbiased: bool | None) -> tuple[Any, bool, Any]:
    """(axis, keepdims, ddof) of ``var``/``std`` (``name``) called in either library's way.
    NumPy divides by n unless told (``ddof=0``), PyTorch by n - 1 (``correction=1``): a
    call spelled in neither way (no argument, or only a positional axis) raises; the
    divisor's offset must be one number (``one_number``)."""
    numpy_way = ddof is not None or keepdims is not None or axis is not None
    torch_way = (correction is not None or unbiased is not None or dim is not None
                 or keepdim is not None)
    one_positional_axis(name, position, axis, dim, "Pass the others by keyword (ddof=, "
                        "keepdims= or correction=, keepdim=).")
    if not (numpy_way or torch_way):
        args = f"{position[0]!r}, " if position else ""
        raise UsageError(
            f"x.{name}({args.rstrip(', ')}) divides by n in NumPy (ddof=0) and by n - 1 in "
            f"PyTorch (correction=1): say which, x.{name}({args}ddof=0) or "
            f"x.{name}({args}correction=1) (dim= and keepdim= are PyTorch's, so "
            f"x.{name}(dim=1) is n - 1; axis= and keepdims= NumPy's)")
    if position:
        axis, dim = (None, position[0]) if torch_way and not numpy_way else (position[0], None)
    ddof = one_number(pick_ddof(ddof, correction, unbiased, name,
                                default=1 if torch_way else 0), name)
    axis = pick_axis(axis, dim, name, empty_dim_is_all=True)
    keepdims = pick_keepdims(False if keepdims is None else keepdims, keepdim, name)
    return axis, keepdims, ddof


def one_number(ddof: Any, name: str) -> Any:
    """``ddof``/``correction`` of ``var``/``std`` (``name``) as one number (the divisor is
    n - ddof); anything else is a ``DTypeError`` or a ``UsageError`` naming it."""
    array = numeric(ddof, f"{name}: correction= (ddof= in NumPy)")
    if array.ndim:
        raise UsageError(f"{name}: correction= (ddof= in NumPy) is one number, the divisor "
                         f"being n - correction; got an array of shape {array.shape}. Pass "
                         f"e.g. correction=1 (sample) or correction=0 (population).")
    return array.item()


def scan_axis(name: str, position: tuple, axis: Any, dim: Any) -> tuple[Any, Any]:
    """(axis, dim) of ``cumsum``/``cumprod`` (``name``): an int by position is both
    libraries' spelling and read as PyTorch's dim (they differ only for a 0-d tensor,
    where PyTorch's result is 0-d); None by position is NumPy's (flatten)."""
    one_positional_axis(name, position, axis, dim, "Pass dtype= by keyword.")
    if not position:
        return axis, dim
    return (None, None) if position[0] is None else (None, position[0])


def one_positional_axis(name: str, position: tuple, axis: Any, dim: Any,
                        advice: str = "Pass the others by keyword.") -> None:
    """``UsageError`` unless ``position`` (the positional arguments after the tensor) is at
    most the axis, and that axis is not given by keyword too (``axis=`` or ``dim=``);
    ``advice`` ends the first message."""
    if len(position) > 1:
        raise UsageError(f"{name}: takes one positional argument, the axis; got "
                         f"{len(position)} ({', '.join(map(repr, position))}). {advice}")
    if position and (axis is not None or dim is not None):
        raise UsageError(f"{name}: got the axis twice, {position[0]!r} by position and "
                         f"{'axis' if axis is not None else 'dim'}= by keyword; pass one")
