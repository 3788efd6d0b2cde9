"""NumPy functions on Tensors: ``np.exp(t)``, ``np.sum(t, axis=0)``, ``ndarray * t``.

NumPy hands a call that involves a Tensor to ``Tensor.__array_ufunc__`` (ufuncs such as
``np.exp``, ``np.add``) or ``Tensor.__array_function__`` (``np.sum``, ``np.concatenate``).
Both look the function up in a table and run the differentiable op, so a VJP written
with ``np.*`` also works under ``create_graph=True``. A NumPy function with no op raises
``UsageError`` naming the alternative (``np.f(t.data)`` for an untracked result).

With ``out=`` an ndarray, a NumPy function computes plain, untracked NumPy into it: the
escape hatch ``w.data -= 0.1 * w.grad`` works as in PyTorch. A few functions that only
inspect or read and have no Tensor method of their name (``np.shape``, ``np.array_equal``,
``np.save``, ``np.array2string``, ``np.may_share_memory``...) read the values, untracked,
and return plain NumPy (or str, or None); so does a NumPy call whose only Tensor is a
``where=`` mask (``arr.sum(where=mask)``). The rule: ``np.f(t)`` gives what ``t.f()``
gives, so ``np.sign(t)``, ``np.isnan(t)`` and ``np.argmax(t)`` are Tensors as
``t.sign()``, ``t.isnan()`` and ``t.argmax()`` are (``median``/``nanmedian``, which
ndarray lacks as methods, differ: ``t.median()`` is PyTorch's, ``np.median(t)`` NumPy's,
see ``order_methods``).
``np.linalg`` (``autograd.numpy_linalg``), the nan-reductions (``numpy_nan``) and the
rest of NumPy's functions (``numpy_more``, ``numpy_stacking``, ``numpy_arrays``...) take
NumPy's arguments and give NumPy's results, each a composition of differentiable ops.

To support another NumPy function, add a row: ``np.sin: TensorMath.sin``.
"""

from __future__ import annotations

import functools
import inspect
import operator
from typing import Any, Callable

import numpy as np

from .errors import UsageError
from .out_argument import refuse_tensor_out
from .numpy_hints import no_ufunc_op
from .ops.arithmetic import number
from .ops import linalg_more
from . import (numpy_arrays, numpy_float_loops, numpy_linalg, numpy_math, numpy_more,
               numpy_nan, numpy_series, numpy_stacking, order_numpy, set_numpy)
from .tensor_logic import LogicOps
from .tensor_math import TensorMath
from .tensor_methods import OpMethods
from .tensor_reductions import Reductions
from .torch_methods import TorchMethods
from .torch_shapes import TorchShapes
from .torch_spellings import TorchSpellings

__all__ = ["NumpyInterop", "UFUNCS", "FUNCTIONS", "numpy_clip", "numpy_diag",
           "numpy_nan_to_num", "numpy_repeat", "numpy_copy", "numpy_sort", "numpy_argsort",
           "numpy_squeeze"]


def numpy_clip(x: Any, a_min: Any = None, a_max: Any = None, **bounds: Any) -> Any:
    """``np.clip`` with its keywords ``a_min``/``a_max`` (and ``min``/``max``); with no
    bound at all a copy of x (``x.copy()``, the gradient passes), as NumPy 2's (the method
    ``x.clip()`` refuses that, as PyTorch's clamp)."""
    if a_min is None and a_max is None and all(b is None for b in bounds.values()):
        return x.copy()
    return x.clip(a_min, a_max, **bounds)


def numpy_diag(v: Any, k: int = 0) -> Any:
    """``np.diag(v, k)``: ``v.diag(k)`` (NumPy's keyword is ``k``)."""
    return v.diag(k)


def numpy_nan_to_num(x: Any, copy: bool = True, nan: float = 0.0, posinf: Any = None,
                     neginf: Any = None) -> Any:
    """``np.nan_to_num`` (its ``copy`` comes second): ``x.nan_to_num(nan, posinf, neginf)``.
    ``copy=False`` would ask NumPy to write into x, which a Tensor in a graph cannot do."""
    if not copy:
        raise UsageError("np.nan_to_num(t, copy=False) would replace t's values in place; on "
                         "a Tensor it gives a new one: write t = np.nan_to_num(t)")
    return x.nan_to_num(nan, posinf, neginf)


def numpy_repeat(a: Any, repeats: Any, axis: Any = None) -> Any:
    """``np.repeat``: each element repeated (``a.repeat`` spelled NumPy's way)."""
    return a.repeat(repeats=repeats, axis=axis)


def numpy_sort(a: Any, axis: Any = -1, kind: Any = None, order: Any = None, *,
               stable: bool | None = None) -> Any:
    """``np.sort``: ``a.sort(axis=axis)``, the values (stable whatever ``kind`` asks, as
    ``numpy_argsort``)."""
    if order is not None:
        raise UsageError("np.sort(t, order=...) sorts by the fields of a structured "
                         "array; a Tensor has none")
    return a.sort(axis=axis)


def numpy_copy(a: Any, order: str = "K", subok: bool = False) -> Any:
    """``np.copy``: ``a.copy()``, differentiable; ``order`` and ``subok`` change nothing
    a Tensor shows (its memory layout is not observable)."""
    return a.copy()


def numpy_squeeze(a: Any, axis: Any = None) -> Any:
    """``np.squeeze(t, axis)``: NumPy's, so a named axis longer than 1 is an error."""
    return a.squeeze(axis=axis)


def numpy_argsort(a: Any, axis: Any = -1, kind: Any = None, order: Any = None, *,
                  stable: Any = None) -> Any:
    """``np.argsort``: ``a.argsort(axis)``, which is stable whatever ``kind`` asks (a
    stable sort is one of the orders any kind may give); ``order`` (fields of a structured
    array) has no meaning for a Tensor. A 0-d tensor counts as shape (1,), as in NumPy."""
    if order is not None:
        raise UsageError("np.argsort(t, order=...) sorts by the fields of a structured "
                         "array; a Tensor has none. Drop order=")
    return (a.reshape(1) if a.ndim == 0 else a).argsort(axis)


def numpy_all(a: Any, axis: Any = None, keepdims: bool = False, *, where: Any = None) -> Any:
    """``np.all``: a bool tensor for every dtype, as NumPy's (the method gives uint8 for a
    uint8 tensor, as PyTorch's)."""
    return _numpy_truth(a.all, axis, keepdims, where, "all")


def numpy_any(a: Any, axis: Any = None, keepdims: bool = False, *, where: Any = None) -> Any:
    """``np.any``: a bool tensor, as ``numpy_all``."""
    return _numpy_truth(a.any, axis, keepdims, where, "any")


def _numpy_truth(method: Callable, axis: Any, keepdims: bool, where: Any, name: str) -> Any:
    """``method(axis, keepdims)`` as bool; NumPy's ``where=`` is refused by name."""
    if where is not None:
        raise UsageError(f"np.{name}(t, where=...) is not supported for a Tensor; index "
                         f"the elements first: np.{name}(t[mask])")
    truth = method(axis, keepdims)
    return truth if truth.dtype == np.bool_ else truth.astype(np.bool_)


UFUNCS: dict[np.ufunc, Callable[..., Any]] = {  # each called with Tensors
    np.add: operator.add, np.subtract: operator.sub, np.multiply: operator.mul,
    np.true_divide: operator.truediv, np.power: operator.pow, np.matmul: operator.matmul,
    np.negative: operator.neg, np.positive: operator.pos, np.absolute: TensorMath.abs,
    np.exp: TensorMath.exp, np.log: TensorMath.log, np.sqrt: TensorMath.sqrt,
    np.tanh: TensorMath.tanh, np.maximum: TensorMath.maximum, np.minimum: TensorMath.minimum,
    # the second set of ops (tensor_methods.OpMethods)
    np.sin: OpMethods.sin, np.cos: OpMethods.cos, np.tan: OpMethods.tan,
    np.arcsin: OpMethods.arcsin, np.arccos: OpMethods.arccos, np.arctan: OpMethods.arctan,
    np.arctan2: OpMethods.arctan2, np.sinh: OpMethods.sinh, np.cosh: OpMethods.cosh,
    np.arcsinh: TensorMath.arcsinh, np.arccosh: TensorMath.arccosh, np.arctanh: TensorMath.arctanh,
    np.log1p: OpMethods.log1p, np.expm1: OpMethods.expm1, np.log2: OpMethods.log2,
    np.log10: OpMethods.log10, np.square: OpMethods.square,
    np.reciprocal: OpMethods.reciprocal, np.floor: OpMethods.floor, np.ceil: OpMethods.ceil,
    np.floor_divide: operator.floordiv, np.remainder: operator.mod, np.divmod: divmod,
    np.sign: OpMethods.sign,
    # constants (boolean tensors), as the methods of the same names
    np.isnan: TorchSpellings.isnan, np.isinf: TorchSpellings.isinf,
    np.isfinite: TorchSpellings.isfinite,
    # masks combined, bits shifted (tensor_logic.LogicOps)
    np.bitwise_and: operator.and_, np.bitwise_or: operator.or_, np.bitwise_xor: operator.xor,
    np.invert: operator.invert, np.left_shift: operator.lshift, np.right_shift: operator.rshift,
    np.logical_and: LogicOps.logical_and, np.logical_or: LogicOps.logical_or,
    np.logical_xor: LogicOps.logical_xor, np.logical_not: LogicOps.logical_not,
    **numpy_math.UFUNCS, **numpy_more.UFUNCS, **numpy_series.UFUNCS,
}

FUNCTIONS: dict[Callable[..., Any], Callable[..., Any]] = {  # same arguments as NumPy's
    np.sum: Reductions.sum, np.mean: Reductions.mean, np.var: Reductions.var,
    np.std: Reductions.std, np.max: Reductions.max, np.amax: Reductions.max,
    np.min: Reductions.min, np.amin: Reductions.min, np.clip: numpy_clip,
    np.swapaxes: TensorMath.swapaxes, np.expand_dims: TensorMath.expand_dims,
    np.squeeze: numpy_squeeze, np.isclose: TorchMethods.isclose,
    np.moveaxis: TorchShapes.movedim, np.copy: numpy_copy, **numpy_math.FUNCTIONS,
    # the second set of ops (tensor_methods.OpMethods, ops.linalg_more)
    np.prod: Reductions.prod, np.cumsum: Reductions.cumsum, np.cumprod: Reductions.cumprod,
    np.sort: numpy_sort, np.round: OpMethods.round, np.around: OpMethods.round,
    np.dot: OpMethods.dot,
    np.diagonal: OpMethods.diagonal, np.einsum: linalg_more.einsum,
    np.tensordot: linalg_more.tensordot, np.linalg.det: OpMethods.det,
    np.linalg.inv: OpMethods.inv, np.linalg.solve: linalg_more.solve,
    np.linalg.slogdet: linalg_more.slogdet,
    **numpy_linalg.FUNCTIONS, np.flip: OpMethods.flip, np.roll: OpMethods.roll,
    np.tile: OpMethods.tile, np.repeat: numpy_repeat, np.tril: OpMethods.tril,
    np.diag: numpy_diag, np.nan_to_num: numpy_nan_to_num, np.ravel: TensorMath.ravel,
    np.triu: OpMethods.triu, np.take_along_axis: OpMethods.take_along_axis,
    # constants (integer or boolean tensors), as the methods of the same names
    np.argmax: OpMethods.argmax, np.argmin: OpMethods.argmin, np.all: numpy_all,
    np.any: numpy_any, np.argsort: numpy_argsort,
    # positions, distinct values and counts (constants), small geometry (set_numpy)
    np.nonzero: set_numpy.numpy_nonzero, np.argwhere: set_numpy.numpy_argwhere,
    np.count_nonzero: set_numpy.numpy_count_nonzero, np.unique: set_numpy.numpy_unique,
    np.searchsorted: set_numpy.numpy_searchsorted, np.bincount: set_numpy.numpy_bincount,
    np.histogram: set_numpy.numpy_histogram, np.diff: set_numpy.numpy_diff,
    np.cross: set_numpy.numpy_cross, np.kron: set_numpy.numpy_kron,
    np.trapezoid: set_numpy.numpy_trapezoid, **numpy_stacking.FUNCTIONS, **numpy_more.FUNCTIONS,
    **numpy_nan.FUNCTIONS, **numpy_arrays.FUNCTIONS, **numpy_series.FUNCTIONS,
    # order statistics (autograd.order_numpy): NumPy's arguments and values
    np.median: order_numpy.median, np.nanmedian: order_numpy.nanmedian,
    np.quantile: order_numpy.quantile, np.nanquantile: order_numpy.nanquantile,
    np.percentile: order_numpy.percentile, np.nanpercentile: order_numpy.nanpercentile,
}

# NumPy's reductions take (a, axis, dtype, out, keepdims, ...) by position, the methods
# (axis, keepdims): their arguments are matched by NumPy's own signature, then passed by
# name (``np.sum(t, 0, None, None, True)`` keeps the axis, as NumPy does)
BY_NAME = {np.sum, np.mean, np.var, np.std, np.max, np.amax, np.min, np.amin, np.prod,
           np.cumsum, np.cumprod, np.argmax, np.argmin, np.all, np.any, np.round, np.around,
           np.median, np.nanmedian, np.quantile, np.nanquantile, np.percentile,
           np.nanpercentile}

# comparisons (constant results), each with its ufunc for swapped operands: ``array < t``
# is ``t > array``
SWAPPED = {np.equal: np.equal, np.not_equal: np.not_equal, np.less: np.greater,
           np.less_equal: np.greater_equal, np.greater: np.less,
           np.greater_equal: np.less_equal}

# no gradient to carry and no Tensor method of the name: computed on the arrays (untracked
# reads), returned as plain NumPy, str or None (np.shape, np.ndim, np.size give what
# t.shape... give; np.save writes t's values, np.array2string prints them)
INSPECTING = {np.shape, np.ndim, np.size, np.allclose, np.array_equal, np.result_type,
              np.save, np.savetxt, np.array2string, np.array_repr, np.array_str,
              np.iscomplexobj, np.isrealobj, np.may_share_memory, np.shares_memory}


def _plain(x: Any) -> Any:
    """The raw array of a Tensor (recursively inside lists and tuples)."""
    if isinstance(x, TensorMath):
        return x.data
    if isinstance(x, (list, tuple)):
        return type(x)(_plain(i) for i in x)
    return x


class NumpyInterop:
    """``__array_ufunc__`` and ``__array_function__`` of ``Tensor`` (a mixin)."""

    __slots__ = ()

    def __array_ufunc__(self, ufunc: np.ufunc, method: str, *inputs: Any, **kwargs: Any) -> Any:
        if "out" in kwargs:  # the untracked escape hatch: plain NumPy into the given arrays
            if any(isinstance(o, TensorMath) for o in kwargs["out"]):
                raise refuse_tensor_out(f"np.{ufunc.__name__}")
            return getattr(ufunc, method)(*_plain(inputs), **_plain_values(kwargs))
        if isinstance(kwargs.get("where"), TensorMath) and not any(
                isinstance(x, TensorMath) for x in inputs):  # only the where= mask is one:
            return getattr(ufunc, method)(*inputs, **_plain_values(kwargs))  # no gradient
        if ufunc in SWAPPED and method == "__call__" and not kwargs:  # the tensor compares
            a, b = inputs  # (so a str array meets the same rules as in t == "a")
            return a._compare(ufunc, b) if isinstance(a, TensorMath) else \
                b._compare(SWAPPED[ufunc], a)
        function = UFUNCS.get(ufunc)
        if function is not None and method == "__call__" and kwargs:
            raise UsageError(
                f"np.{ufunc.__name__}(t, {', '.join(f'{k}=...' for k in kwargs)}): the "
                f"differentiable np.{ufunc.__name__} takes no keyword arguments. Drop them "
                f"(select afterwards: autograd.where(mask, np.{ufunc.__name__}(t), other)), "
                f"or pass t.data for an untracked NumPy result.")
        if method == "accumulate" and ufunc in order_numpy.ACCUMULATE:
            return order_numpy.ACCUMULATE[ufunc](*inputs, **kwargs)
        if function is None or method != "__call__":
            raise no_ufunc_op(ufunc, method, kwargs)
        if numpy_float_loops.computed_by_numpy(ufunc, inputs):  # integers: NumPy's floats
            return numpy_float_loops.numpy_constant(ufunc, inputs, self)
        return function(*self._as_tensors(inputs))

    def __array_function__(self, func: Callable, types: Any, args: tuple, kwargs: dict) -> Any:
        if func in INSPECTING:
            return func(*_plain(args), **_plain_values(kwargs))
        args, kwargs, out = _split_out(func, args, kwargs)
        if out is not None:  # plain NumPy into the given array, as for ufuncs
            return _untracked(func, args, kwargs, out)
        function = FUNCTIONS.get(func)
        if function is None:
            module = getattr(func, "__module__", None) or "numpy"  # np.linalg.eigh too
            name = "np" + module.removeprefix("numpy") + "." + func.__name__
            instead = numpy_arrays.HINTS.get(func, "use the Tensor methods or autograd "
                                                   "functions")
            raise UsageError(f"{name} has no differentiable version for Tensors: {instead}; "
                             f"or call {name}(t.data) for an untracked NumPy result.")
        args = tuple(self._lift_any(a) for a in args)
        if args and func not in numpy_stacking.SEQUENCES and _plain_operand(args[0]):
            args = (self._lift(args[0]),) + args[1:]  # np.dot(2.0, t), np.diff(list, ...)
        if func is np.einsum and args and isinstance(args[0], str):  # its operands too
            args = args[:1] + tuple(self._lift(a) if _plain_operand(a) else a
                                    for a in args[1:])
        if func in BY_NAME:
            return _call_by_name(func, function, args, kwargs)
        if func in numpy_stacking.SEQUENCES:
            args = ([self._lift(t) for t in args[0]],) + args[1:]
        return function(*args, **kwargs)

    def _as_tensors(self, inputs: tuple) -> tuple:
        """A ufunc's operands as Tensors; a number takes the other operand's float dtype."""
        if len(inputs) == 2:
            a, b = inputs
            return a._pair(b) if isinstance(a, TensorMath) else b._pair(a)[::-1]
        return tuple(self._lift_any(x) for x in inputs)

    def _lift_any(self, x: Any) -> Any:
        """ndarrays become Tensors, NumPy scalars Python numbers; the rest stays."""
        if isinstance(x, np.ndarray):
            return self._lift(x)
        value = number(x) if isinstance(x, np.generic) else None
        return x if value is None else value


def _plain_operand(x: Any) -> bool:
    """Whether ``x``, a NumPy function's first argument next to a Tensor, is a number or a
    list (or tuple) of numbers, which the function's Tensor version needs as a Tensor."""
    if isinstance(x, bool | int | float):
        return True
    if not isinstance(x, list | tuple):
        return False
    try:
        return np.asarray(x).dtype.kind in "biuf"  # (a Tensor inside: object, or refused)
    except (ValueError, TypeError):
        return False


def _plain_values(kwargs: dict) -> dict:
    return {k: _plain(v) for k, v in kwargs.items()}


def _untracked(func: Callable, args: tuple, kwargs: dict, out: Any) -> Any:
    """``func`` on the plain arrays, into the ``out`` array (never a Tensor)."""
    if any(isinstance(o, TensorMath) for o in (out if isinstance(out, tuple) else (out,))):
        raise refuse_tensor_out(f"np.{func.__name__}")
    return func(*_plain(args), **_plain_values(kwargs), out=out)


def _split_out(func: Callable, args: tuple, kwargs: dict) -> tuple[tuple, dict, Any]:
    """(args, kwargs, out): NumPy's ``out`` taken out of the call, given by name or by
    position (``np.clip(t, 0, 1, arr)``, ``np.sum(t, 0, None, arr)``); the arguments
    after a positional ``out`` are passed by their names instead (given both ways, NumPy's
    own dispatcher refuses the call before it reaches here)."""
    kwargs = dict(kwargs)
    out = kwargs.pop("out", None)
    position = _out_position(func)
    if position is None or len(args) <= position:
        return args, kwargs, out
    names = list(_signature(func).parameters)[position + 1:]
    kwargs.update(zip(names, args[position + 1:]))
    return args[:position], kwargs, args[position]


@functools.cache
def _out_position(func: Callable) -> int | None:
    """The position of NumPy's ``out`` parameter of ``func`` (from its signature), or
    None if it has none that can be given by position."""
    try:
        parameters = list(_signature(func).parameters.values())
    except (TypeError, ValueError):  # no signature to read
        return None
    for position, parameter in enumerate(parameters):
        if parameter.kind in (parameter.VAR_POSITIONAL, parameter.KEYWORD_ONLY):
            return None
        if parameter.name == "out":
            return position
    return None


def _call_by_name(func: Callable, method: Callable, args: tuple, kwargs: dict) -> Any:
    """``func(*args, **kwargs)`` (a NumPy reduction) as ``method``, arguments matched by
    NumPy's names (an ``out=`` array was handled before); ``np.var``/``np.std`` say NumPy's
    ``ddof=0`` (a bare ``x.var()`` is ambiguous); a ``dtype=`` the method does not take
    converts the input first."""
    named = {"ddof": 0} if func in (np.var, np.std) and "correction" not in kwargs else {}
    named.update(_signature(func).bind(*args, **kwargs).arguments)
    tensor = named.pop("a")
    accepted = _signature(method).parameters
    if "dtype" in named and "dtype" not in accepted:
        dtype = named.pop("dtype")
        tensor = tensor if dtype is None else tensor._in_dtype(dtype, func.__name__)
    unknown = [name for name in named if name not in accepted]
    if unknown:
        raise UsageError(
            f"np.{func.__name__}(..., {unknown[0]}=...) has no differentiable version for "
            f"Tensors. Leave it out, or call np.{func.__name__} on t.data for an untracked "
            f"NumPy result.")
    return method(tensor, **named)


@functools.cache
def _signature(function: Callable) -> inspect.Signature:
    return inspect.signature(function)
