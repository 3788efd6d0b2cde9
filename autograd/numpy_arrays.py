"""NumPy's array-manipulation functions on Tensors, with NumPy's arguments and results,
each a composition of differentiable ops (reshapes, gathers, joins, selections):
``np.pad`` (the modes that copy entries: constant, edge, reflect, symmetric, wrap)
``np.delete np.insert np.compress np.extract np.choose np.select np.block np.resize np.rollaxis
np.hsplit np.vsplit np.dsplit np.unstack np.trim_zeros np.partition np.argpartition
np.ediff1d np.astype np.isin``. A gather sends each output's gradient back to the entry
it copies (entries copied twice get both). ``autograd.interop`` dispatches to these
(``FUNCTIONS``); they sit below the Tensor class.
"""

from __future__ import annotations

import math
from typing import Any, Sequence

import numpy as np

from .errors import ShapeError, UsageError
from .numpy_more import numpy_split
from .numpy_series import present
from .numpy_stacking import tensors_like
from .ops.generic import constant, is_tensor
from .ops.reductions import single_axis
from .tensor_math import concatenate, stack, where

__all__ = ["numpy_pad", "numpy_delete", "numpy_insert", "numpy_compress", "numpy_extract",
           "numpy_choose", "numpy_select", "numpy_block", "numpy_resize", "numpy_rollaxis",
           "numpy_hsplit", "numpy_vsplit", "numpy_dsplit", "numpy_unstack", "numpy_trim_zeros",
           "numpy_partition", "numpy_argpartition", "numpy_ediff1d", "numpy_astype",
           "numpy_isin", "FUNCTIONS", "HINTS"]

AnyTensor = Any  # a Tensor: this module sits below the Tensor class

_COPYING_MODES = ("edge", "reflect", "symmetric", "wrap")


def _take(a: AnyTensor, index: np.ndarray, axis: int) -> AnyTensor:
    """The entries of a at the integer positions ``index`` along ``axis`` (a gather)."""
    return a[(slice(None),) * axis + (index,)]


def numpy_pad(array: AnyTensor, pad_width: Any, mode: str = "constant",
              **kwargs: Any) -> AnyTensor:
    """``np.pad``. 'constant' fills with ``constant_values`` (one number); 'edge',
    'reflect', 'symmetric' and 'wrap' copy entries of the array, axis by axis: the
    positions they copy are NumPy's own padding of ``arange(n)``, and the result gathers
    them, so the gradient of a copied entry flows back to it."""
    if mode == "constant":
        values = kwargs.pop("constant_values", 0.0)
        if kwargs or np.ndim(constant(values)) != 0:
            raise UsageError(f"np.pad(t, mode='constant') takes one number for "
                             f"constant_values here; got {values!r}"
                             + (f" and {sorted(kwargs)}" if kwargs else "")
                             + ". Pad with one value, then assign the edges: t[0] = v")
        return array.pad(pad_width, float(constant(values)))
    if mode not in _COPYING_MODES or kwargs.get("reflect_type", "even") != "even":
        raise UsageError(f"np.pad(t, mode={mode!r}{', reflect_type=...' if kwargs else ''})"
                         f" has no differentiable version: the modes that copy entries "
                         f"have one ({', '.join(('constant',) + _COPYING_MODES)}), with "
                         f"reflect_type='even'. Or call np.pad(t.data, ...) for an "
                         f"untracked NumPy result")
    widths = np.broadcast_to(np.asarray(pad_width, dtype=np.int64), (array.ndim, 2))
    out = array
    for axis, (before, after) in enumerate(widths):
        if before or after:
            positions = np.pad(np.arange(array.shape[axis]), (before, after), mode=mode)
            out = _take(out, positions, axis)
    return out


def numpy_delete(arr: AnyTensor, obj: Any, axis: Any = None) -> AnyTensor:
    """``np.delete``: arr without the entries ``obj`` names along ``axis`` (of the
    flattened arr when axis is None)."""
    if axis is None:
        arr, axis = arr.reshape(-1), 0
    axis = single_axis(axis, arr.ndim, "np.delete")
    kept = np.delete(np.arange(arr.shape[axis]), constant(obj))  # NumPy reads obj
    return _take(arr, kept, axis)


def numpy_insert(arr: AnyTensor, obj: Any, values: Any, axis: Any = None) -> AnyTensor:
    """``np.insert``: ``values`` placed before the positions ``obj`` along ``axis`` (of the
    flattened arr when None). NumPy lays the result out itself, on numbers that name the
    entries (arr's 0, 1, ..., the values' -1, -2, ..., broadcast as NumPy broadcasts
    values); the result gathers those entries, so each gradient goes back to its source
    (a value broadcast to several places gets their sum)."""
    like = arr if is_tensor(arr) else values
    arr = arr if is_tensor(arr) else like._lift(np.asarray(arr))
    values = values if is_tensor(values) else like._lift(np.asarray(values, arr.dtype))
    names = np.arange(arr.size).reshape(arr.shape)
    layout = np.insert(names, constant(obj), -1 - np.arange(values.size).reshape(values.shape),
                       axis=axis)
    joined = concatenate([arr.reshape(-1), values.astype(arr.dtype).reshape(-1)], axis=0)
    return joined[np.where(layout >= 0, layout, arr.size - 1 - layout)]


def numpy_compress(condition: Any, a: AnyTensor, axis: Any = None,
                   out: Any = None) -> AnyTensor:
    """``np.compress``: the slices of a along ``axis`` where ``condition`` is true (a
    condition shorter than the axis leaves the rest out, as NumPy)."""
    if axis is None:
        a, axis = a.reshape(-1), 0
    axis = single_axis(axis, a.ndim, "np.compress")
    keep = np.flatnonzero(np.asarray(constant(condition), dtype=bool))
    if keep.size and keep[-1] >= a.shape[axis]:
        raise ShapeError(f"np.compress: a condition true at position {keep[-1]} for an "
                         f"axis of length {a.shape[axis]}")
    return _take(a, keep, axis)


def numpy_extract(condition: Any, arr: AnyTensor) -> AnyTensor:
    """``np.extract``: the entries of the flattened arr where the flattened
    ``condition`` is true."""
    return arr.reshape(-1)[np.flatnonzero(np.ravel(constant(condition)))]


def numpy_choose(a: Any, choices: Sequence[Any], out: Any = None,
                 mode: str = "raise") -> AnyTensor:
    """``np.choose``: at each position, the entry of ``choices[a]`` (all broadcast
    together), picked from the choices stacked on a new first axis."""
    index = np.asarray(constant(a))
    if mode != "raise" or not np.issubdtype(index.dtype, np.integer):
        raise UsageError(f"np.choose(a, choices, mode={mode!r}) on Tensors takes integer "
                         f"choices a and mode='raise'")
    if index.size and (index.min() < 0 or index.max() >= len(choices)):
        raise ShapeError(f"np.choose: an index outside [0, {len(choices)}) in a")
    tensors = tensors_like(choices)
    shape = np.broadcast_shapes(index.shape, *(t.shape for t in tensors))
    stacked = stack([t.broadcast_to(shape) for t in tensors])
    picks = np.broadcast_to(index, shape)[None]
    return stacked.take_along_axis(picks, 0)[0]


def numpy_select(condlist: Sequence[Any], choicelist: Sequence[Any],
                 default: Any = 0) -> AnyTensor:
    """``np.select``: at each position the choice of the first true condition, else
    ``default``; as nested ``where``, so each choice gets the gradient where it won."""
    if len(condlist) != len(choicelist):
        raise ShapeError(f"np.select: {len(condlist)} conditions for {len(choicelist)} "
                         f"choices; give one condition per choice")
    result = default
    for condition, choice in zip(reversed(condlist), reversed(choicelist)):
        result = where(np.asarray(constant(condition), dtype=bool), choice, result)
    return result


def numpy_block(arrays: Any) -> AnyTensor:
    """``np.block``: nested lists joined from the inside out, the innermost along the
    last axis, the next along the one before...; each piece first gets leading axes of
    length 1 up to the result's number of axes."""
    def depth(x: Any) -> int:
        return 1 + depth(x[0]) if isinstance(x, list) and x else 0

    def pieces(x: Any) -> list:
        return [p for item in x for p in pieces(item)] if isinstance(x, list) else [x]

    levels = depth(arrays)
    if levels == 0:
        return arrays
    leaves = pieces(arrays)
    like = next(p for p in leaves if is_tensor(p))
    ndim = max(levels, *(np.ndim(constant(p)) for p in leaves))

    def join(x: Any, level: int) -> AnyTensor:
        if not isinstance(x, list):
            t = x if is_tensor(x) else like._lift(x)
            return t.reshape((1,) * (ndim - t.ndim) + t.shape)
        return concatenate([join(item, level + 1) for item in x], axis=level - levels)
    return join(arrays, 0)


def numpy_resize(a: AnyTensor, new_shape: Any) -> AnyTensor:
    """``np.resize``: the entries of a read again from the start as often as needed
    (an entry read twice gets both gradients)."""
    shape = (new_shape,) if isinstance(new_shape, (int, np.integer)) else tuple(new_shape)
    size = math.prod(shape)
    if a.size == 0 and size:
        raise ShapeError("np.resize: an empty array cannot fill a non-empty shape")
    return a.reshape(-1)[np.arange(size) % max(a.size, 1)].reshape(shape)


def numpy_rollaxis(a: AnyTensor, axis: int, start: int = 0) -> AnyTensor:
    """``np.rollaxis``: ``axis`` moved to just before position ``start``."""
    axis = single_axis(axis, a.ndim, "np.rollaxis")
    if not -a.ndim <= start <= a.ndim:
        raise ShapeError(f"np.rollaxis: start {start} outside [-{a.ndim}, {a.ndim}]")
    start = start + a.ndim if start < 0 else start
    return a.movedim(axis, start - 1 if start > axis else start)


def _split_along(name: str, axis: int, least: int) -> Any:
    def split(ary: AnyTensor, indices_or_sections: Any) -> list:
        if ary.ndim < least:
            raise ShapeError(f"np.{name} needs at least {least} axes; got shape "
                             f"{ary.shape}")
        along = 0 if name == "hsplit" and ary.ndim == 1 else axis
        return numpy_split(ary, indices_or_sections, along)
    split.__name__ = split.__qualname__ = f"numpy_{name}"
    split.__doc__ = f"``np.{name}``: ``np.split`` along axis {axis}."
    return split


numpy_hsplit = _split_along("hsplit", 1, 1)
numpy_vsplit = _split_along("vsplit", 0, 2)
numpy_dsplit = _split_along("dsplit", 2, 3)


def numpy_unstack(x: AnyTensor, /, *, axis: int = 0) -> tuple:
    """``np.unstack``: the slices along ``axis``, as a tuple."""
    return tuple(x.unbind(single_axis(axis, x.ndim, "np.unstack")))


def numpy_trim_zeros(filt: AnyTensor, trim: str = "fb", axis: Any = None) -> AnyTensor:
    """``np.trim_zeros`` of a 1-d array: without its leading ('f') and trailing ('b')
    zeros."""
    if filt.ndim != 1 or axis is not None:
        raise UsageError("np.trim_zeros on a Tensor takes a 1-d one without axis")
    nonzero = np.flatnonzero(filt.data)
    if not nonzero.size:
        return filt[:0]
    first = nonzero[0] if "f" in trim.lower() else 0
    last = nonzero[-1] + 1 if "b" in trim.lower() else filt.shape[0]
    return filt[first:last]


def numpy_argpartition(a: AnyTensor, kth: Any, axis: Any = -1, kind: str = "introselect",
                       order: Any = None) -> AnyTensor:
    """``np.argpartition``: NumPy's positions (a constant integer Tensor)."""
    return a._lift(np.argpartition(a.data, constant(kth), axis=axis, kind=kind, order=order))


def numpy_partition(a: AnyTensor, kth: Any, axis: Any = -1, kind: str = "introselect",
                    order: Any = None) -> AnyTensor:
    """``np.partition``: a gathered at ``np.argpartition``'s positions: the k-th entry in
    its sorted place, smaller ones before it and larger after (NumPy promises no order
    within the parts)."""
    if axis is None:
        a, axis = a.reshape(-1), 0
    positions = np.argpartition(a.data, constant(kth), axis=axis, kind=kind, order=order)
    return a.take_along_axis(positions, axis)


def numpy_ediff1d(ary: AnyTensor, to_end: Any = None, to_begin: Any = None) -> AnyTensor:
    """``np.ediff1d``: the differences of the flattened ary, with ``to_begin`` and
    ``to_end`` (flattened) joined at the ends."""
    flat = ary.reshape(-1)
    parts = [flat[1:] - flat[:-1]]
    if to_begin is not None:
        parts.insert(0, to_begin if is_tensor(to_begin) else ary._lift(
            np.ravel(to_begin).astype(ary.dtype)))
    if to_end is not None:
        parts.append(to_end if is_tensor(to_end) else ary._lift(
            np.ravel(to_end).astype(ary.dtype)))
    return concatenate([p.reshape(-1) for p in parts], axis=0)


def numpy_astype(x: AnyTensor, dtype: Any, /, *, copy: bool = True,
                 device: Any = None) -> AnyTensor:
    """``np.astype``: ``x.astype(dtype)`` (a new Tensor, differentiable between float
    dtypes)."""
    return x.astype(dtype)


def numpy_isin(element: Any, test_elements: Any, assume_unique: bool = False,
               invert: bool = False, *, kind: Any = None) -> AnyTensor:
    """``np.isin``: NumPy's answer, a constant bool Tensor."""
    like = element if is_tensor(element) else test_elements
    return like._lift(np.isin(constant(element), constant(test_elements), assume_unique,
                              invert, kind=kind))


FUNCTIONS = {np.pad: numpy_pad, np.delete: numpy_delete, np.insert: numpy_insert,
             np.compress: numpy_compress,
             np.extract: numpy_extract, np.choose: numpy_choose, np.select: numpy_select,
             np.block: numpy_block, np.resize: numpy_resize, np.rollaxis: numpy_rollaxis,
             np.hsplit: numpy_hsplit, np.vsplit: numpy_vsplit, np.dsplit: numpy_dsplit,
             np.trim_zeros: numpy_trim_zeros, np.partition: numpy_partition,
             np.argpartition: numpy_argpartition, np.ediff1d: numpy_ediff1d,
             np.isin: numpy_isin, **present({"unstack": numpy_unstack, "astype": numpy_astype})}

# NumPy functions without a differentiable version, and what to write instead (named in
# interop's UsageError)
HINTS = {np.apply_along_axis: "apply the function to the whole array (most NumPy "
                              "functions take axis=), or stack the results of a loop "
                              "over the rows with np.stack",
         np.piecewise: "use np.select(conditions, [f(x) for f in functions]) or "
                       "autograd.where",
         np.put: "write t2 = t.at[index].set(values), or assign t[index] = values",
         np.put_along_axis: "write t.scatter(axis, index, values) (a new tensor)",
         np.fill_diagonal: "add a diagonal: t + autograd.eye(n) * (value - t.diagonal())",
         np.flatnonzero: "write np.nonzero(t.ravel())[0] (the same int64 positions, as a "
                         "constant Tensor)",
         np.digitize: "for increasing bins write np.searchsorted(bins, t, side='right') "
                      "(side='left' for right=True): the same bin numbers, as a constant "
                      "int64 Tensor",
         np.iscomplex: "a Tensor holds no complex numbers, so every entry is False: "
                       "autograd.zeros(t.shape, dtype=bool) (np.iscomplexobj(t) answers "
                       "for the whole tensor)",
         np.angle: "a real t's angle is np.arctan2(0.0, t), NumPy's value (pi for a "
                   "negative t or -0.0, else 0); times 180 / np.pi for deg=True"}
