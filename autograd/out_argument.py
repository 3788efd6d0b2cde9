"""PyTorch's ``out=`` keyword: ``autograd.add(a, b, out=c)`` writes the result into the
Tensor ``c`` and returns ``c``.

As in PyTorch, this is untracked, so it is refused while recording when an input (or
``out`` itself) requires grad: write ``c = autograd.add(a, b)`` instead, or do it under
``autograd.no_grad()``. ``out`` of another shape is resized as by PyTorch's ``resize_``
(``torch_storage.resized_array``: a view of a base keeps writing into the base), a
non-empty one with a ``UserWarning``, as PyTorch; the result is cast to ``out``'s dtype
when PyTorch's ``can_cast`` allows (float64 into float32, int32 into uint8; not float into
int: a ``DTypeError``, as PyTorch's "can't be cast to the desired output type"). A function with
several results (``max(x, dim)``, ``sort``, ``linalg.eigh``) takes a tuple and returns
its named pair of the outs (``.values``). As PyTorch, some functions cast nothing: the
indices of ``argmax``, the booleans of ``signbit`` and each result of a pair such as
``sort``'s go only into an out of exactly their dtype, ``all`` and ``any`` into a bool or
uint8 one (``_check_exact_dtype``). ``cat``, ``stack`` and the other joins refuse an out
that shares memory with an input (``_JOINS``), as PyTorch's "unsupported operation".

``out`` must be a Tensor, as in PyTorch: for plain NumPy into an array, call the NumPy
function on the tensor (``np.exp(t, out=array)``, untracked). NumPy's spellings take only
arrays (``NUMPY_OUT_ERROR``).

``accepts_out`` adds the keyword to a function: one decorator line per function;
``creation_with_out`` to one that makes a tensor from numbers (``zeros``, ``arange``).
"""

from __future__ import annotations

import functools
import inspect
import warnings
from typing import Any, Callable

import numpy as np

from ._arrays import as_dtype
from .dtypes import can_cast
from .errors import DTypeError, UsageError
from .grad_mode import STATE, no_grad
from .tensor_math import TensorMath
from .torch_storage import resized_array

__all__ = ["accepts_out", "creation_with_out", "write_out", "refuse_tensor_out"]

# PyTorch writes the result of these only into an out of exactly its dtype, without a cast
# ("Expected out tensor to have dtype long int", "signbit does not support non-boolean
# outputs"): argmax's int64 indices, signbit's bools, searchsorted's int64 (int32 with
# out_int32=True) ...
_EXACT_DTYPE_OUT = frozenset(f"autograd.{name}" for name in (
    "argmax", "argmin", "signbit", "isposinf", "isneginf", "isin", "searchsorted",
    "bucketize"))
# ... and each result of these when they give a pair, values and indices alike
# ("Expected out tensor to have dtype double"); max(x) of one result casts as usual.
_EXACT_DTYPE_PAIRS = frozenset(f"autograd.{name}" for name in (
    "max", "min", "sort", "topk", "kthvalue", "mode", "median", "nanmedian", "cummax",
    "cummin", "aminmax", "frexp"))
# all and any write into a bool or a uint8 out only ("all only supports bool tensor for
# result"), whatever their input's dtype.
_BOOLEAN_OUT = frozenset({"autograd.all", "autograd.any"})
# The joins, whose out must share no memory with an input, as PyTorch's.
_JOINS = frozenset(f"autograd.{name}" for name in (
    "cat", "concat", "concatenate", "stack", "hstack", "vstack", "row_stack", "dstack",
    "column_stack"))


def accepts_out(function: Callable[..., Any]) -> Callable[..., Any]:
    """``function`` with PyTorch's keyword ``out=`` (see the module docstring). A
    ``dtype=`` must be out's dtype, as PyTorch's (``_check_dtype``); integer or bool
    inputs are computed in a float out's dtype (``_in_out_dtype``)."""
    name = f"{function.__module__.partition('.')[0]}.{function.__name__}"  # nn's too

    @functools.wraps(function)
    def call(*args: Any, out: Any = None, **kwargs: Any) -> Any:
        if out is None:
            return function(*args, **kwargs)
        if name in _JOINS:
            _refuse_shared_memory(name, (*args, *kwargs.values()), out)
        _check_dtype(name, kwargs.get("dtype"), out)
        result = _in_out_dtype(function, args, kwargs, function(*args, **kwargs), out)
        return write_out(name, result, out)

    call.__signature__ = _with_out(inspect.signature(function))  # type: ignore[attr-defined]
    return call


def creation_with_out(function: Callable[..., Any]) -> Callable[..., Any]:
    """``accepts_out`` for a function that makes a tensor from numbers (``zeros``,
    ``arange``, ``rand``), as PyTorch's: without ``dtype`` it makes out's dtype
    (``zeros(2, out=<int64>)`` writes int64 zeros, ``linspace`` truncates), and
    ``requires_grad=True`` makes ``out`` a leaf that requires grad after the write."""
    signature = inspect.signature(function)

    @functools.wraps(function)
    def call(*args: Any, out: Any = None, **kwargs: Any) -> Any:
        if out is None:
            return function(*args, **kwargs)
        name = f"autograd.{function.__name__}"
        bound = signature.bind(*args, **kwargs)
        _check_dtype(name, bound.arguments.get("dtype"), out)
        if isinstance(out, TensorMath):
            bound.arguments["dtype"] = out.dtype
        requires_grad = bound.arguments.pop("requires_grad", False)
        result = write_out(name, function(*bound.args, **bound.kwargs), out)
        return result.requires_grad_(True) if requires_grad else result

    call.__signature__ = _with_out(signature)  # type: ignore[attr-defined]
    return call


def write_out(name: str, result: Any, out: Any) -> Any:
    """Write ``result`` (a Tensor or a tuple of them) into ``out`` and return ``out``; a
    named pair (``sort``'s values and indices) comes back as that pair of the outs."""
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
        _check_exact_dtype(name, r.dtype, o, len(results))
    for r, o in zip(results, outs):  # all's 0/1 of a uint8 input into a bool out
        _write(name, r.data.astype(o.dtype) if name in _BOOLEAN_OUT else r.data, o)
    if len(results) == 1:
        return outs[0]
    return type(result)._make(outs) if hasattr(result, "_fields") else outs


def _check_dtype(name: str, dtype: Any, out: Any) -> None:
    """A ``dtype`` given with a Tensor ``out`` must be out's dtype, as PyTorch's: a
    DTypeError otherwise (PyTorch: "Expected out tensor to have dtype ...")."""
    if dtype is None or not isinstance(out, TensorMath):
        return
    wanted = as_dtype(dtype, f"{name}: dtype")
    if wanted != out.dtype:
        raise DTypeError(f"{name}(..., dtype={wanted}, out=...): out's dtype is {out.dtype}, "
                         f"and they must match (as in PyTorch). Leave dtype out to compute "
                         f"in out's dtype, or pass an out of dtype {wanted}.")


def _check_exact_dtype(name: str, dtype: np.dtype, out: Any, count: int) -> None:
    """PyTorch's dtype rule for an out of ``name`` that takes no cast of its result of
    ``dtype`` (one of ``count`` results): exactly ``dtype`` (``_EXACT_DTYPE_OUT``, and
    ``_EXACT_DTYPE_PAIRS`` when ``count`` > 1), bool or uint8 (``_BOOLEAN_OUT``). A
    DTypeError otherwise; any other function casts by ``can_cast`` in ``_write``."""
    if name in _BOOLEAN_OUT:
        allowed = (np.dtype(np.bool_), np.dtype(np.uint8))
    elif name in _EXACT_DTYPE_OUT or (count > 1 and name in _EXACT_DTYPE_PAIRS):
        allowed = (np.dtype(dtype),)
    else:
        return
    if out.dtype in allowed:
        return
    wanted = " or ".join(str(a) for a in allowed)
    raise DTypeError(f"{name}(..., out=...): out's dtype is {out.dtype}, but PyTorch writes "
                     f"this {dtype} result only into an out of dtype {wanted} (no cast). "
                     f"Pass an out of dtype {allowed[0]}, e.g. autograd.zeros(0, "
                     f"dtype=np.{allowed[0]}), or convert afterwards (y.astype(...)).")


def _refuse_shared_memory(name: str, arguments: tuple, out: Any) -> None:
    """A UsageError when a Tensor ``out`` shares memory with an input of the join
    ``name`` (a Tensor in a list or tuple among ``arguments``), as PyTorch's "some elements
    of the input tensor and the written-to tensor refer to a single memory location".
    Disjoint parts of one base (cat([x[:2]], out=x[2:])) are fine."""
    if not isinstance(out, TensorMath):
        return
    for tensors in arguments:
        if not isinstance(tensors, (list, tuple)):
            continue
        for i, t in enumerate(tensors):
            if isinstance(t, TensorMath) and np.shares_memory(t.data, out.data):
                raise UsageError(
                    f"{name}(..., out=...): input {i} and out share memory, and PyTorch "
                    f"refuses to write a join into one of its inputs. Pass an out that is "
                    f"not an input (e.g. autograd.zeros(0)), clone that input "
                    f"(x.clone()), or write x = {name}(...).")


def _in_out_dtype(function: Callable[..., Any], args: tuple, kwargs: dict, result: Any,
                  out: Any) -> Any:
    """``result``, or ``function`` computed again from its inputs cast to out's float
    dtype when they are all integer or bool tensors that it promoted to a narrower float
    (exp of bool is float16): with a float64 out, exp(True) = e to float64's precision,
    as PyTorch computes in its float dtype (float64 by default)."""
    if not (isinstance(out, TensorMath) and isinstance(result, TensorMath)
            and out.dtype.kind == result.dtype.kind == "f"
            and out.dtype.itemsize > result.dtype.itemsize):
        return result
    tensors = [a for a in (*args, *kwargs.values()) if isinstance(a, TensorMath)]
    if not tensors or any(t.dtype.kind not in "biu" for t in tensors):
        return result

    def cast(a: Any) -> Any:
        return a.astype(out.dtype) if isinstance(a, TensorMath) else a
    return function(*map(cast, args), **{k: cast(v) for k, v in kwargs.items()})


def _write(name: str, value: np.ndarray, out: Any) -> None:
    if not can_cast(value.dtype, out.dtype):  # PyTorch's rule: int32 into uint8 wraps
        raise DTypeError(f"{name}(..., out=...): the result's {value.dtype} cannot be cast "
                         f"to out's {out.dtype}: PyTorch refuses a float result into an "
                         f"integer out and a number into a bool one. Pass an out of dtype "
                         f"{value.dtype}, or convert afterwards (y.astype(...)).")
    if out.shape != value.shape:
        if out.data.size:
            warnings.warn(f"{name}: out of shape {out.shape} was resized to {value.shape}, "
                          f"as PyTorch does (pass an empty tensor, e.g. autograd.zeros(0), to "
                          f"avoid this warning)", UserWarning, stacklevel=4)
        out._data = resized_array(out.data, value.shape, f"{name}(..., out=...)")
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
