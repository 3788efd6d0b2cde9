"""Inputs PyTorch's kernels refuse, refused here too with a ``DTypeError`` that names the op,
the dtype and what to write instead, where NumPy would compute something plausible-looking:
``relu``, ``abs``, ``floor``... of bool; ``argmax``/``argmin`` of bool; ``hypot`` and
``logaddexp`` of two integer operands; ``<<``/``>>`` of two bools; ``eq``/``ne`` with a
str; ``vdot`` of two dtypes. (The NumPy spellings, ``np.hypot(t_int, t_int)``,
``np.dot``, ``np.isin``, keep NumPy's answers: they do not come through here.)"""

from __future__ import annotations

from typing import Any

import numpy as np

from .errors import DTypeError

__all__ = ["refuse_bool_input", "require_float_result", "refuse_bool_shift",
           "require_comparable", "require_same_dtype"]


def refuse_bool_input(op: str, dtype: np.dtype, instead: str) -> None:
    """``DTypeError`` when ``dtype`` is bool: PyTorch has no bool kernel for ``op``."""
    if dtype.kind == "b":  # (the cheapest test: it runs on every relu)
        raise DTypeError(f"{op}: not defined for bool tensors (PyTorch refuses them too); "
                         f"got dtype bool. {instead}")


def require_float_result(op: str, a: Any, b: Any) -> None:
    """``DTypeError`` when the tensors ``a`` and ``b`` promote to an integer or bool dtype:
    ``op`` (hypot, logaddexp...) is a float function PyTorch computes in the promoted
    dtype, and has no integer kernel. One float operand (a Python float too) passes."""
    dtype = np.promote_types(a.dtype, b.dtype)
    if dtype.kind in "biu":
        raise DTypeError(f"{op}: needs a float operand, as PyTorch's (it has no integer "
                         f"kernel); got dtypes {a.dtype} and {b.dtype}. Convert one first: "
                         f"x.double().{op}(y)")


def refuse_bool_shift(symbol: str, a: np.ndarray, b: np.ndarray) -> None:
    """``DTypeError`` when both operands of the bit shift ``symbol`` are bool, whose result
    would be bool (PyTorch has no bool shift; NumPy's gives int8). A bool beside an integer
    is that integer, as in PyTorch, and passes."""
    if a.dtype == np.bool_ and b.dtype == np.bool_:
        raise DTypeError(f"{symbol} of two bool operands, which PyTorch refuses too (a bit "
                         f"shift works on integers); got dtypes bool and bool. Convert "
                         f"first: x.long() {symbol} y.long(); combine masks with & | ^")


def require_comparable(op: str, other: Any) -> None:
    """``DTypeError`` when ``other`` is no tensor, number or numeric data (a str, None, a
    dict...), as PyTorch's ``eq``/``ne`` raise TypeError; the operators ``==``/``!=`` keep
    NumPy's all-False / all-True."""
    if isinstance(other, (str, bytes)) or other is None or not _numeric_data(other):
        raise DTypeError(f"{op}: other must be a tensor or a number, as in PyTorch; got "
                         f"{type(other).__name__} {other!r:.40}. Convert it to a number or a "
                         f"tensor first")


def _numeric_data(value: Any) -> bool:
    """Whether NumPy makes ``value`` an array of numbers (complex ones too)."""
    try:
        return np.asarray(getattr(value, "data", value)).dtype.kind in "biufc"
    except ValueError:  # ragged lists: the comparison names them
        return True


def require_same_dtype(op: str, a: Any, b: Any) -> None:
    """``DTypeError`` unless the tensors ``a`` and ``b`` have one dtype, as PyTorch's
    ``vdot`` requires ("expected both vectors to have same dtype")."""
    if a.dtype != b.dtype:
        raise DTypeError(f"{op}: expected both vectors to have the same dtype, as PyTorch's; "
                         f"got {a.dtype} and {b.dtype}. Convert one first, e.g. "
                         f"a.to({b.dtype}) or a.double() and b.double()")
