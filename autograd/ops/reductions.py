"""Reductions over axes: sum, max/min, logsumexp, softmax, log_softmax; mean/var/std
are compositions of them.

Axes follow NumPy: ``axis=None`` reduces everything, an int or a tuple of ints reduces
those axes (negative counts from the end), ``keepdims=True`` keeps them with size 1.
PyTorch's spelling is accepted too: ``dim=`` for ``axis=`` and ``keepdim=`` for
``keepdims=`` (giving both spellings of one argument is an ``AxisError``; see
``pick_axis``).
"""

from __future__ import annotations

import math
from contextlib import nullcontext
from typing import Any

import numpy as np

from .._arrays import is_int
from ..errors import AxisError, DTypeError, ShapeError, UsageError
from ..function import Function
from .generic import broadcast_to, constant, exp, where

__all__ = ["normalize_axis", "single_axis", "reduced_count", "pick_axis", "pick_keepdims",
           "pick_ddof", "accumulator", "StdSqrt", "Sum",
           "Max", "Min", "LogSumExp", "Softmax", "LogSoftmax"]


def normalize_axis(axis: Any, ndim: int, op: str, scalar: bool = False) -> tuple[int, ...]:
    """``axis`` as a sorted tuple of non-negative ints (all axes for None). ``scalar``: as
    PyTorch's reductions, a 0-d tensor's axis 0 or -1 names its one element (no axis)."""
    if axis is None:
        return tuple(range(ndim))
    axes = tuple(axis) if isinstance(axis, (tuple, list)) else (axis,)
    result, element = [], 0
    for a in axes:
        if isinstance(a, bool) or not isinstance(a, (int, np.integer)):
            raise AxisError(_not_an_axis(axis, op))
        if scalar and ndim == 0 and a in (0, -1):
            element += 1
            if element > 1:
                raise AxisError(f"{op}: repeated axis in {axis!r} (0 and -1 are the one "
                                f"axis of a 0-d tensor)")
            continue
        if not -ndim <= a < ndim:
            raise AxisError(f"{op}: axis {a} is out of range for a {ndim}-d tensor "
                            f"(valid: {-ndim}..{ndim - 1})" if ndim else
                            f"{op}: axis {a} given for a 0-d tensor, which has no axes; "
                            f"use axis=None")
        result.append(int(a) % ndim)
    if len(set(result)) != len(result):
        raise AxisError(f"{op}: repeated axis in {axis!r}")
    return tuple(sorted(result))


def single_axis(axis: Any, ndim: int, op: str) -> int:
    """``axis`` as one non-negative int, for ops that work along one axis (PyTorch's
    ``dim`` of gather, cat, topk, select...): one int, negative counting from the end.
    None, a tuple or list, a bool or a float is a ``UsageError`` (PyTorch's TypeError),
    not all axes or the first of several; out of range an ``AxisError``."""
    if not is_int(axis):
        several = isinstance(axis, (tuple, list)) or axis is None
        raise UsageError(f"{op}: dim must be one int (a single axis); got "
                         f"{type(axis).__name__} {axis!r}"
                         + (" (this op works along one axis, not several or all)"
                            if several else ""))
    return normalize_axis(axis, ndim, op)[0]


def _not_an_axis(axis: Any, op: str) -> str:
    """The message for an axis that is no int: an array or Tensor is named by its shape
    (not printed whole), and for max/min the elementwise form PyTorch spells the same way
    (``torch.max(a, b)``) is named."""
    if not hasattr(axis, "shape"):
        return f"{op}: axis must be an int or a tuple of ints; got {axis!r}"
    message = (f"{op}: axis must be an int or a tuple of ints; got a "
               f"{type(axis).__name__} of shape {tuple(axis.shape)}")
    if op in ("max", "min"):
        message += (f". The elementwise {op} of two tensors (PyTorch's {op}(a, b)) is "
                    f"autograd.{op}imum(a, b)")
    return message


def pick_axis(axis: Any, dim: Any, op: str, default: Any = None, *,
              empty_dim_is_all: bool = False) -> Any:
    """The axis given as ``axis=`` (NumPy) or ``dim=`` (PyTorch); both is an error.
    ``default`` is the value ``axis`` has when it was not given. ``empty_dim_is_all``:
    PyTorch's ``dim=()`` reduces every axis (sum, mean, std, var, norm there; NumPy's
    ``axis=()`` reduces none)."""
    if dim is None:
        return axis
    if axis is not None and not (axis is default or axis == default):
        raise AxisError(f"{op}: got both axis={axis!r} and dim={dim!r}; they are two names "
                        f"for one argument (NumPy's and PyTorch's). Pass only one.")
    if empty_dim_is_all and isinstance(dim, (tuple, list)) and not dim:
        return None
    return dim


def pick_keepdims(keepdims: bool, keepdim: bool | None, op: str) -> bool:
    """``keepdims=`` (NumPy) or ``keepdim=`` (PyTorch); both is an error, and so is a
    value that is not a bool: NumPy's second positional argument is ``dtype``, ours is
    ``keepdims``, and ``t.sum(0, np.float32)`` must not silently keep the axis."""
    if keepdim is None:
        keepdim = keepdims
    elif keepdims:
        raise AxisError(f"{op}: got both keepdims= and keepdim=; pass only one")
    if not isinstance(keepdim, (bool, np.bool_, int, np.integer)):
        raise UsageError(f"{op}: keepdims must be True or False; got {keepdim!r}. The "
                         f"argument after the axis is keepdims (NumPy's is dtype): pass "
                         f"dtype= by keyword.")
    return bool(keepdim)


def pick_ddof(ddof: int | None, correction: int | None, unbiased: bool | None, op: str,
              default: int = 0) -> int:
    """``ddof=`` (NumPy), ``correction=`` or ``unbiased=`` (PyTorch); at most one, and
    ``default`` when none is given."""
    given = [name for name, value in (("ddof", ddof), ("correction", correction),
                                      ("unbiased", unbiased)) if value is not None]
    if len(given) > 1:
        raise UsageError(f"{op}: got {' and '.join(given)}; pass only one of ddof= (NumPy), "
                         f"correction= or unbiased= (PyTorch)")
    if unbiased is not None:
        return 1 if unbiased else 0
    if correction is not None:
        return correction
    return default if ddof is None else ddof


def accumulator(dtype: np.dtype) -> Any:
    """The dtype sums and products of ``dtype`` are computed and returned in: int64 for
    bool and every integer dtype, as PyTorch's (NumPy's is uint64 for unsigned ones);
    None, NumPy's own choice (the input's dtype), for the others."""
    return np.int64 if dtype.kind in "biu" else None


def _kept_shape(shape: tuple[int, ...], axes: tuple[int, ...]) -> tuple[int, ...]:
    """``shape`` with the reduced axes set to 1 (the keepdims shape)."""
    return tuple(1 if i in axes else n for i, n in enumerate(shape))


def reduced_count(shape: tuple[int, ...], axis: Any, op: str) -> int:
    """How many elements a reduction over ``axis`` combines into each result."""
    return math.prod(shape[a] for a in normalize_axis(axis, len(shape), op, scalar=True))


class _Reduction(Function):
    """Base of reductions: remembers the input shape and the reduced axes."""
    __slots__ = ("axis", "keepdims", "shape")

    def __init__(self, axis: Any, keepdims: bool) -> None:
        self.axis, self.keepdims = axis, keepdims

    def _start(self, x: np.ndarray) -> None:
        """Read the input's shape; ``axis`` becomes a sorted tuple (AxisError if bad)."""
        self.shape = x.shape
        self.axis = normalize_axis(self.axis, x.ndim, self.name().lower(), scalar=True)

    def _expand(self, g: Any) -> Any:
        """Upstream gradient reshaped to keepdims form (broadcastable to the input)."""
        return g if self.keepdims else g.reshape(_kept_shape(self.shape, self.axis))


class Sum(_Reduction):
    """out = sum of x over axes (bool and integers in int64, see ``accumulator``);
    dx = g broadcast back over the summed axes."""
    __slots__ = ()
    save_inputs = False

    def forward(self, x: np.ndarray) -> np.ndarray:
        self._start(x)
        return x.sum(axis=self.axis, keepdims=self.keepdims, dtype=accumulator(x.dtype))

    def vjp(self, g: Any, out: Any, x: Any) -> tuple:
        return (broadcast_to(self._expand(g), self.shape),)


class Max(_Reduction):
    """out = max of x over axes;  dx = g on the maxima, split evenly between ties. Where
    out is NaN, ``nan_takes_gradient`` (PyTorch's ``max()``) splits g evenly between the
    NaN entries; without it (PyTorch's ``amax``) no entry equals out and dx is 0 / 0 = NaN."""
    __slots__ = ("nan_takes_gradient",)
    save_output = True
    reduce = staticmethod(np.maximum.reduce)

    def __init__(self, axis: Any, keepdims: bool, nan_takes_gradient: bool = False) -> None:
        super().__init__(axis, keepdims)
        self.nan_takes_gradient = nan_takes_gradient

    def forward(self, x: np.ndarray) -> np.ndarray:
        self._start(x)
        _check_not_empty(self.name().lower(), x, self.axis)
        return self.reduce(x, axis=self.axis, keepdims=self.keepdims)

    def vjp(self, g: Any, out: Any, x: Any) -> tuple:
        x, out = constant(x), self._expand(constant(out))
        hits = x == out
        if self.nan_takes_gradient and x.dtype.kind == "f":
            hits |= np.isnan(x) & np.isnan(out)
        with np.errstate(invalid="ignore"):  # a NaN maximum matches nothing: 0 / 0 gives
            share = hits / hits.sum(axis=self.axis, keepdims=True)  # NaN, as torch's amax
        return (self._expand(g) * share.astype(x.dtype, copy=False),)


class Min(Max):
    """out = min of x over axes;  dx = g on the minima, split evenly between ties."""
    __slots__ = ()
    reduce = staticmethod(np.minimum.reduce)


class LogSumExp(_Reduction):
    """out = log sum exp(x) over axes, computed as m + log sum exp(x - m), m = max x;
    dx = g exp(x - out) (= g softmax(x)). Over an empty axis the sum is 0 and out is
    -inf, as PyTorch. An integer x is computed in a float (``_float_input``)."""
    __slots__ = ()
    save_output = True

    def forward(self, x: np.ndarray) -> np.ndarray:
        self._start(x)
        x = _float_input(x)
        if x.size == 0:  # log of an empty sum, -inf (or an empty result)
            with np.errstate(divide="ignore"):
                return np.log(x.sum(axis=self.axis, keepdims=self.keepdims))
        m = x.max(axis=self.axis, keepdims=True)
        m = np.where(np.isfinite(m), m, 0)  # all -inf (or inf) rows: no shift needed
        with np.errstate(divide="ignore"):
            s = np.log(np.exp(x - m).sum(axis=self.axis, keepdims=True)) + m
        return s if self.keepdims else np.squeeze(s, axis=self.axis)

    def vjp(self, g: Any, out: Any, x: Any) -> tuple:
        with _quiet_if_not_finite(constant(out)):  # -inf - -inf: NaN, as PyTorch's
            return (self._expand(g) * exp(x - self._expand(out)),)


def _check_not_empty(op: str, x: np.ndarray, axes: tuple[int, ...]) -> None:
    """A max over an empty axis is undefined, also when the result is empty (NumPy and
    PyTorch refuse ``amax`` over axes (0, 1) of shape (3, 0, 0)); over a non-empty axis
    the result may be empty (``max`` over axis 1 of shape (0, 3) has shape (0,))."""
    if any(x.shape[a] == 0 for a in axes):
        raise ShapeError(f"{op}: cannot reduce over an empty axis (shape {x.shape}, axis "
                         f"{axes}): there is no element to take. Check the input size, or "
                         f"reduce over the other axes.")


class StdSqrt(Function):
    """out = sqrt(v), for the standard deviation and the 2-norm;  dv = g / (2 out), but 0
    where out = 0 (the std of constant data and the norm of 0 have gradient 0, as in
    PyTorch); NaN where out is NaN (the std of one element with correction 1), in both
    modes, as PyTorch's."""
    __slots__ = ()
    save_inputs = False
    save_output = True

    def forward(self, v: np.ndarray) -> np.ndarray:
        return np.sqrt(v)

    def vjp(self, g: Any, out: Any, v: Any) -> tuple:
        zero = constant(out) == 0
        safe = where(zero, 1.0, out)
        return (where(zero, 0.0, g / (safe * 2)),)


class _AlongAxis(Function):
    """Base of softmax and log_softmax: one axis as state; the VJP reads the output. An
    integer x is computed in a float (``_float_input``), a bool x refused."""
    __slots__ = ("axis",)
    save_inputs = False
    save_output = True

    def __init__(self, axis: int) -> None:
        self.axis = axis

    def _start(self, x: np.ndarray) -> None:
        """``axis`` checked against the input and made non-negative; booleans refused."""
        self.axis = _one_axis(x.ndim, self.axis, self.function_name)
        if x.dtype == np.bool_:  # NumPy would fail in x - max with a message about `-`
            raise DTypeError(f"{self.function_name} of a boolean tensor (shape {x.shape}) is "
                             f"not defined (PyTorch refuses it too); convert first: "
                             f"x.astype(float).{self.function_name}(...)")


class Softmax(_AlongAxis):
    """out_i = e^{x_i} / sum_j e^{x_j} along ``axis``;  dx = out (g - sum(g out))."""
    __slots__ = ()
    function_name = "softmax"

    def forward(self, x: np.ndarray) -> np.ndarray:
        self._start(x)
        x = _float_input(x)
        if x.size == 0:
            return x.copy()
        m = x.max(axis=self.axis, keepdims=True)
        with _quiet_if_not_finite(m):  # an all -inf row: NaN, as PyTorch's, quietly
            e = np.exp(x - m)
            return e / e.sum(axis=self.axis, keepdims=True)

    def vjp(self, g: Any, out: Any, x: Any) -> tuple:
        gs = g * out
        return (gs - out * gs.sum(axis=self.axis, keepdims=True),)


class LogSoftmax(_AlongAxis):
    """out = x - logsumexp(x) along ``axis``;  dx = g - softmax(x) sum(g)."""
    __slots__ = ()
    function_name = "log_softmax"

    def forward(self, x: np.ndarray) -> np.ndarray:
        self._start(x)
        x = _float_input(x)
        if x.size == 0:
            return x.copy()
        m = x.max(axis=self.axis, keepdims=True)
        with _quiet_if_not_finite(m):  # an all -inf row: NaN, as PyTorch's, quietly
            shifted = x - m
            return shifted - np.log(np.exp(shifted).sum(axis=self.axis, keepdims=True))

    def vjp(self, g: Any, out: Any, x: Any) -> tuple:
        return (g - exp(out) * g.sum(axis=self.axis, keepdims=True),)


def _float_input(x: np.ndarray) -> np.ndarray:
    """x, or an integer x in the float NumPy's ``exp`` gives it (int8 and uint8 float16,
    int16 float32, wider float64): the shift x - max(x) must not wrap around in the
    integer dtype (uint8 3 - 7 is 252). A bool x is left to the callers."""
    return x.astype(np.result_type(x.dtype, np.float16)) if x.dtype.kind in "iu" else x


def _quiet_if_not_finite(maxima: np.ndarray) -> Any:
    """A context in which ``x - max`` gives IEEE's NaN for a row whose max is -inf (or
    inf) without NumPy's RuntimeWarning, as PyTorch gives it: ``np.errstate`` only when
    such a row exists (the maxima are one per row, so the check is cheap)."""
    if np.isfinite(maxima).all():
        return nullcontext()
    return np.errstate(invalid="ignore")


def _one_axis(ndim: int, axis: Any, op: str) -> int | tuple:
    """The one axis softmax and log_softmax work along; () for a 0-d tensor's axis 0 or
    -1 (its one element, as PyTorch: softmax 1, log_softmax 0)."""
    if not isinstance(axis, (int, np.integer)) or isinstance(axis, bool):
        return _bad_axis(op, axis)
    if ndim == 0 and axis not in (0, -1):
        raise AxisError(f"{op}: a 0-d tensor has only the axis 0 (or -1), its one element; "
                        f"got axis {axis}")
    return normalize_axis(axis, ndim, op)[0] if ndim else ()


def _bad_axis(op: str, axis: Any) -> int:
    raise AxisError(f"{op}: axis must be a single int; got {axis!r}")
