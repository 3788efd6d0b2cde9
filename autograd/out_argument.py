"""PyTorch's ``out=`` keyword: ``autograd.add(a, b, out=c)`` writes the result into the
Tensor ``c`` and returns ``c``.

As in PyTorch, this is untracked, so it is refused while recording when an input (or
``out`` itself) requires grad: write ``c = autograd.add(a, b)`` instead, or do it under
``autograd.no_grad()``. ``out`` of another shape is resized (a new array, as PyTorch's
``resize_``; a non-empty one with a ``UserWarning``, as PyTorch); the result is cast to
``out``'s dtype when NumPy's ``same_kind`` rule allows (float64 into float32, not float
into int: a ``DTypeError``, as PyTorch's "can't be cast to the desired output type"). A
function with several results (``max(x, dim)``, ``sort``, ``linalg.eigh``) takes a tuple.

``out`` must be a Tensor, as in PyTorch: for plain NumPy into an array, call the NumPy
function on the tensor (``np.exp(t, out=array)``, untracked). NumPy's spellings take only
arrays (``NUMPY_OUT_ERROR``).

``accepts_out`` adds the keyword to a function: one decorator line per function.
"""

from __future__ import annotations

import functools
import inspect
import warnings
from typing import Any, Callable

import numpy as np

from .errors import DTypeError, UsageError
from .grad_mode import STATE, no_grad
from .tensor_math import TensorMath

__all__ = ["accepts_out", "write_out", "refuse_tensor_out"]


def accepts_out(function: Callable[..., Any]) -> Callable[..., Any]:
    """``function`` with PyTorch's keyword ``out=`` (see the module docstring)."""
    @functools.wraps(function)
    def call(*args: Any, out: Any = None, **kwargs: Any) -> Any:
        if out is None:
            return function(*args, **kwargs)
        return write_out(f"autograd.{function.__name__}", function(*args, **kwargs), out)

    call.__signature__ = _with_out(inspect.signature(function))  # type: ignore[attr-defined]
    return call


def write_out(name: str, result: Any, out: Any) -> Any:
    """Write ``result`` (a Tensor or a tuple of them) into ``out`` and return ``out``."""
    results = tuple(result) if isinstance(result, tuple) else (result,)
    outs = tuple(out) if isinstance(out, (tuple, list)) else (out,)
    if len(outs) != len(results) or not all(isinstance(o, TensorMath) for o in outs):
        given = type(out).__name__ if len(outs) == 1 else f"{len(outs)} values"
        wanted = "a Tensor" if len(results) == 1 else f"a tuple of {len(results)} Tensors"
        raise UsageError(
            f"{name}(..., out=...) takes {wanted}, as PyTorch's; got {given}. For plain "
            f"NumPy into an array call the NumPy function on the tensor (e.g. np.exp(t, "
            f"out=array), untracked), or copy: array[...] = {name}(...).data")
    if STATE.grad_enabled and any(t._requires_grad for t in results + outs):
        which = "out" if any(o._requires_grad for o in outs) else "an input"
        raise UsageError(
            f"{name}(..., out=...): functions with out= do not support automatic "
            f"differentiation (as in PyTorch), and {which} requires grad. Write "
            f"y = {name}(...) for a tracked result, or call it under autograd.no_grad() "
            f"to write the values untracked.")
    for r, o in zip(results, outs):
        _write(name, r.data, o)
    return out if len(outs) > 1 else outs[0]


def _write(name: str, value: np.ndarray, out: Any) -> None:
    if not np.can_cast(value.dtype, out.dtype, "same_kind"):
        raise DTypeError(f"{name}(..., out=...): the result's {value.dtype} cannot be cast "
                         f"to out's {out.dtype} (as in PyTorch). Pass an out of dtype "
                         f"{value.dtype}, or convert afterwards (y.astype(...)).")
    if out.shape != value.shape:
        if out.data.size:
            warnings.warn(f"{name}: out of shape {out.shape} was resized to {value.shape}, "
                          f"as PyTorch does (pass an empty tensor, e.g. autograd.zeros(0), to "
                          f"avoid this warning)", UserWarning, stacklevel=4)
        out.data = np.empty(value.shape, out.dtype)
    with no_grad():
        out.copy_(value)


def refuse_tensor_out(spelling: str) -> UsageError:
    """The error for a Tensor given to a NumPy function's ``out=`` (``spelling`` np.f)."""
    torch_spelling = "autograd." + spelling.rpartition(".")[2]
    return UsageError(
        f"{spelling}(..., out=<Tensor>): a Tensor cannot be a NumPy output. Write into "
        f"t.data (untracked), use PyTorch's spelling where there is one "
        f"({torch_spelling}(..., out=t), untracked too), or an in-place operator (t += x) "
        f"under autograd.no_grad().")


def _with_out(signature: inspect.Signature) -> inspect.Signature:
    """``signature`` with a keyword-only ``out=None`` (before a ``**kwargs``)."""
    parameters = list(signature.parameters.values())
    keyword = inspect.Parameter("out", inspect.Parameter.KEYWORD_ONLY, default=None)
    at = len(parameters)
    if parameters and parameters[-1].kind is inspect.Parameter.VAR_KEYWORD:
        at -= 1
    return signature.replace(parameters=parameters[:at] + [keyword] + parameters[at:])
