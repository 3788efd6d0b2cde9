"""Whether a number an in-place op takes fits the dtype of the tensor it writes:
``value_fits`` for the value a fill stores (``fill_ masked_fill_ index_fill_ scatter_``:
NaN, 255.9 or -1 into uint8 refused, as ``masked_fill_`` has refused -1), and
``operand_held`` for the integer operand of an in-place op whose answer depends on
PyTorch wrapping that operand into the tensor's dtype first (uint8 ``x //= -1``)."""

from __future__ import annotations

from typing import Any

import numpy as np

from ._arrays import check_representable, numeric
from .errors import DTypeError

__all__ = ["value_fits", "operand_held", "WRAP_DEPENDENT"]

WRAP_DEPENDENT = frozenset({
    "floor_divide", "remainder", "fmod", "div", "pow", "gcd", "lcm", "bitwise_left_shift",
    "bitwise_right_shift", "logical_and", "logical_or", "logical_xor",
    "eq", "ne", "lt", "le", "gt", "ge"})
"""The in-place ops (by out-of-place name) whose result changes when an integer operand
is wrapped into self's dtype first, as PyTorch does: x // -1 is not x // 255. (Not
``add sub mul bitwise_and bitwise_or bitwise_xor``: modulo 2**bits the order of wrapping
does not matter, so those wrap, as PyTorch's.)"""


def value_fits(value: Any, dtype: np.dtype, what: str, integers: bool = False) -> None:
    """DTypeError if ``value`` (a number or an array, not a tensor) is not numbers (None,
    a string), or, one float number, cannot be stored in ``dtype``: for an integer dtype
    NaN, inf, or x outside [min, max] before truncation (255.9 and -0.5 in uint8); for a
    float dtype a finite float beyond its largest (it would become inf: 1e6 in float16).
    With ``integers``, also a Python (or NumPy) integer outside an integer dtype's range:
    -1 into uint8, which PyTorch's ``fill_`` wraps to 255, is refused, as ``masked_fill_``
    and ``t[i] = v`` refuse it (a 0-d array is cast, as PyTorch casts a 0-d tensor)."""
    number = numeric(value, what)  # None, "3", 1j: DTypeError
    if number.ndim != 0 or dtype.kind not in "iuf":
        return
    if integers and dtype.kind in "iu" and not isinstance(value, np.ndarray):
        whole = _one_integer(value)
        if whole is not None:
            _integer_fits(whole, dtype, what)
    if number.dtype.kind != "f":
        return
    try:  # the rule autograd.full and tensor(dtype=) apply; the message says "tensor"
        check_representable(number, dtype, what)
    except DTypeError:
        x = float(number)
        if dtype.kind == "f":
            raise DTypeError(f"{what}: {x} is beyond the largest {dtype} "
                             f"({float(np.finfo(dtype).max):g}) and would be stored as inf. "
                             f"Pass a smaller value, or convert the tensor first "
                             f"(t = t.astype(np.float64)).") from None
        info = np.iinfo(dtype)
        raise DTypeError(f"{what}: {x} cannot be stored in a {dtype} tensor, which holds "
                         f"integers in [{info.min}, {info.max}]. Pass a value in that range, "
                         f"or convert the tensor first (t = t.astype(np.float64)).") from None


def _integer_fits(number: int, dtype: np.dtype, what: str) -> None:
    """DTypeError unless the integer dtype ``dtype`` holds ``number``."""
    info = np.iinfo(dtype)
    if info.min <= number <= info.max:
        return
    raise DTypeError(f"{what}: {number} cannot be stored in {dtype}, which holds "
                     f"integers in [{info.min}, {info.max}]. Pass a value in that range "
                     f"({_wrapped(number, dtype)} is {number} wrapped modulo "
                     f"2**{8 * dtype.itemsize}, what PyTorch stores for some such numbers), "
                     f"or convert the tensor first (t = t.long()).")


def operand_held(name: str, operand: Any, dtype: np.dtype) -> None:
    """DTypeError when the in-place ``name``_ (one of ``WRAP_DEPENDENT``) on an integer
    tensor of ``dtype`` gets one integer (a Python int, a NumPy integer, a 0-d integer
    array: ``operand``, not a tensor) that ``dtype`` cannot hold. PyTorch wraps it into
    ``dtype`` first (uint8 ``x //= -1`` is x // 255); computing with the exact number and
    wrapping the result would give a third answer, neither PyTorch's nor the exact one."""
    dtype = np.dtype(dtype)
    number = _one_integer(operand)
    if dtype.kind not in "iu" or number is None:
        return
    info = np.iinfo(dtype)
    if info.min <= number <= info.max:
        return
    wrapped = _wrapped(number, dtype)
    raise DTypeError(
        f"in-place {name}_ with the integer {number}, which {dtype} cannot hold (it holds "
        f"integers in [{info.min}, {info.max}]): PyTorch wraps it into {dtype} first "
        f"({number} becomes {wrapped}) and computes with that, so the exact number would "
        f"give another answer. Pass the number you mean ({wrapped} gives PyTorch's answer), "
        f"or compute out of place in a wider dtype (y = x.long().{name}(...)).")


def _one_integer(operand: Any) -> int | None:
    """``operand`` as a Python int when it is one integer (not a bool): a Python int, a
    NumPy integer or a 0-d integer array; else None."""
    if isinstance(operand, (bool, np.bool_)):
        return None
    if isinstance(operand, int):
        return operand
    if isinstance(operand, (np.integer, np.ndarray)) and np.ndim(operand) == 0 \
            and operand.dtype.kind in "iu":
        return int(operand)
    return None


def _wrapped(number: int, dtype: np.dtype) -> int:
    """``number`` modulo 2**bits, in the range of the integer ``dtype`` (-1 -> 255 in
    uint8, 200 -> -56 in int8): PyTorch's cast of a number it wraps."""
    info = np.iinfo(dtype)
    return (number - int(info.min)) % (int(info.max) - int(info.min) + 1) + int(info.min)
