"""Shape and indexing ops built on indexing: take_along_axis, flip (then copied), roll,
tile, repeat (each one ``x[index]`` with a computed index, so the gradient scatter-adds back
through ``GetItem``), pad (``IndexAdd`` into zeros), tril, triu (``Where``), and functional
assignment: ``IndexPut``, behind ``x.index_put(index, v)`` and ``x.at[index].set(v)``.

The functions here take Tensors (this module sits below the Tensor class); the Tensor
methods and the public functions of ``autograd`` call them.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from .._arrays import argument_ndim, check_representable, int_argument, integers, numeric
from ..errors import DTypeError, ShapeError, TensorIndexError
from ..function import Function, apply
from .elementwise import Where
from .generic import constant, is_tensor
from .index_readings import refuse_ambiguous_index
from .reductions import normalize_axis, single_axis
from .shape import Copy, GetItem, IndexAdd

T = Any  # a Tensor

__all__ = ["take_along_axis", "flip", "roll", "tile", "repeat", "pad", "triangle",
           "IndexPut", "index_put", "index_add", "target_shape", "strip_leading_ones",
           "check_source_dtype"]


def _along(axis: int, index: Any) -> tuple:
    """An index that applies ``index`` to ``axis`` and keeps every other axis."""
    return (slice(None),) * axis + (index,)


def take_along_axis(x: T, indices: Any, axis: Any) -> T:
    """out[..., i, ...] = x[..., indices[..., i, ...], ...] along ``axis`` (as NumPy's,
    indices in [-n, n) for an axis of n elements, else a TensorIndexError); the gradient
    adds g back at the picked positions (repeats accumulate)."""
    indices = np.asarray(constant(indices))
    if axis is None:
        return take_along_axis(x.reshape(-1), indices.reshape(-1), 0)
    if indices.dtype.kind not in "iu":
        raise DTypeError(f"take_along_axis: indices must be integers; got {indices.dtype}")
    axis = single_axis(axis, x.ndim, "take_along_axis")
    if indices.ndim != x.ndim:
        raise ShapeError(f"take_along_axis: indices have {indices.ndim} axes, x has "
                         f"{x.ndim} ({x.shape}); they must have the same number")
    _check_along_range(indices, x.shape, axis)
    grids = [np.arange(n).reshape((1,) * k + (n,) + (1,) * (x.ndim - k - 1))
             for k, n in enumerate(x.shape)]
    grids[axis] = indices
    return apply(GetItem(tuple(grids)), x)


def _check_along_range(indices: np.ndarray, shape: tuple, axis: int) -> None:
    """TensorIndexError naming the first index outside [-n, n) along ``axis`` (n its size)."""
    size = shape[axis]
    bad = indices[(indices >= size) | (indices < -size)]
    if bad.size:
        raise TensorIndexError(f"take_along_axis (take_along_dim): index {int(bad[0])} is out "
                               f"of range along dim {axis} of the input of shape {shape}; "
                               f"indices there are {-size}..{size - 1} (negative ones count "
                               f"from the end)")


def flip(x: T, axis: Any) -> T:
    """x with the order of elements reversed along ``axis`` (all axes when None), in new
    memory as PyTorch's flip (NumPy's is a view: ``x.flip(0).mul_(c)`` would scale x)."""
    axes = normalize_axis(axis, x.ndim, "flip", scalar=True)
    index = tuple(slice(None, None, -1) if k in axes else slice(None) for k in range(x.ndim))
    return apply(Copy(), apply(GetItem(index), x))


def roll(x: T, shift: Any, axis: Any) -> T:
    """Elements shifted by ``shift`` along ``axis``, wrapping around (as ``np.roll``;
    the flattened tensor when axis is None)."""
    if axis is None:
        return roll(x.reshape(-1), shift, 0).reshape(x.shape)
    shifts = np.broadcast_to(np.asarray(shift), np.shape(axis)).reshape(-1)
    for a, s in zip(np.asarray(axis).reshape(-1), shifts):
        a = single_axis(a, x.ndim, "roll")  # (1.5 and True are no axes)
        n = x.shape[a]
        if n:
            x = apply(GetItem(_along(a, (np.arange(n) - int(s)) % n)), x)
    return x


def tile(x: T, reps: Any) -> T:
    """x repeated ``reps[k]`` times along axis k, as ``np.tile``; always new memory (all
    ones give a copy, as NumPy's and PyTorch's)."""
    reps = tuple(int_argument("tile", "each repetition count", r)
                 for r in ((reps,) if argument_ndim(reps, "tile") == 0 else reps))
    if any(r < 0 for r in reps):
        raise ShapeError(f"tile: repetitions must be >= 0; got {reps}")
    if len(reps) > x.ndim:
        x = x.reshape((1,) * (len(reps) - x.ndim) + x.shape)
    reps = (1,) * (x.ndim - len(reps)) + reps
    if all(r == 1 for r in reps):
        return apply(Copy(), x)
    for a, r in enumerate(reps):
        if r != 1:
            x = apply(GetItem(_along(a, np.tile(np.arange(x.shape[a]), r))), x)
    return x


def repeat(x: T, repeats: Any, axis: Any) -> T:
    """Each element repeated ``repeats`` times along ``axis`` (the flattened tensor when
    None), as ``np.repeat``; ``repeats`` may give one count per element."""
    if axis is None:
        x, axis = x.reshape(-1), 0
    axis = single_axis(axis, x.ndim, "repeat")
    try:
        picks = np.repeat(np.arange(x.shape[axis]), integers(repeats, "repeat: repeats"))
    except ValueError as exc:
        raise ShapeError(f"repeat: {exc} (axis {axis} has {x.shape[axis]} elements)") from None
    return apply(GetItem(_along(axis, picks)), x)


def pad(x: T, pad_width: Any, constant_values: float) -> T:
    """x surrounded by ``constant_values``: ``pad_width`` is NumPy's (an int, a
    (before, after) pair, or one pair per axis); only constant padding. A value x's dtype
    cannot hold raises ``DTypeError``, as ``full``'s."""
    try:
        widths = np.broadcast_to(np.asarray(pad_width, dtype=np.intp), (x.ndim, 2))
    except (ValueError, TypeError):
        raise ShapeError(f"pad: pad_width must be an int, a (before, after) pair or one "
                         f"pair per axis ({x.ndim}); got {pad_width!r}") from None
    if (widths < 0).any():
        raise ShapeError(f"pad: widths must be >= 0; got {pad_width!r}")
    shape = tuple(int(n + b + a) for n, (b, a) in zip(x.shape, widths))
    inside = tuple(slice(int(b), int(b) + n) for n, (b, _) in zip(x.shape, widths))
    out = apply(IndexAdd(inside, shape), x)
    if numeric(constant_values, "pad: constant_values").ndim:
        raise ShapeError(f"pad: constant_values is one number; got {constant_values!r:.40}")
    if x.dtype.kind in "iuf":  # 300 in int8, 1e6 in float16: refused, as by full, PyTorch
        try:
            check_representable(constant_values, x.dtype, "pad")
        except DTypeError:
            raise DTypeError(f"pad: constant_values {constant_values!r} cannot be stored in "
                             f"x's dtype {x.dtype}; pass a value that fits, or convert x "
                             f"first (x.astype(np.float64))") from None
    if constant_values != 0:
        border = np.full(shape, constant_values, dtype=x.dtype)
        border[inside] = 0
        out = out + x._make(border, None)
    return out


def triangle(x: T, k: int, lower: bool) -> T:
    """tril (lower) or triu of the last two axes: entries off the triangle become 0."""
    op = "tril" if lower else "triu"
    if integers(k, f"{op}: diagonal").ndim:
        raise DTypeError(f"{op}: the diagonal is one int (0 the main one); got {k!r}")
    if x.ndim < 2:
        raise ShapeError(f"{op}: needs a matrix (or a stack of them); got shape {x.shape}")
    rows, cols = x.shape[-2:]
    keep = np.tri(rows, cols, k, dtype=bool)
    if not lower:
        keep = ~np.tri(rows, cols, k - 1, dtype=bool)
    return apply(Where(keep), x, x._make(np.zeros((), dtype=x.dtype), None))


class IndexPut(Function):
    """out = x with out[index] = v;  dx = g with 0 at index, dv = g[index] where that
    element's write is the one left in out, else 0 (a position written more than once
    holds the last write, as in NumPy: the earlier ones do not reach out)."""
    __slots__ = ("index",)
    save_inputs = False

    def __init__(self, index: Any) -> None:
        self.index = index

    def forward(self, x: np.ndarray, v: np.ndarray) -> np.ndarray:
        out = np.array(x)  # a copy, also of a NumPy scalar (a 0-d op's result)
        out[self.index] = v
        return out

    def vjp(self, g: Any, out: Any, x: Any, v: Any) -> tuple:
        gx = gv = None
        if self.needs_input_grad[0]:
            if is_tensor(g):
                zero = g._make(np.zeros((), dtype=g.dtype), None)
                gx = apply(IndexPut(self.index), g, zero)
            else:
                gx = np.array(g)  # a copy, also of a NumPy scalar
                gx[self.index] = 0
        if self.needs_input_grad[1]:
            gv = g[self.index]
            kept = _kept_writes(np.shape(g), self.index, np.shape(gv))
            if kept is not None and is_tensor(g):
                gv = apply(Where(kept), gv, g._make(np.zeros((), dtype=g.dtype), None))
            elif kept is not None:
                gv = np.where(kept, gv, 0).astype(gv.dtype, copy=False)
        return gx, gv


def _kept_writes(shape: tuple, index: Any, target: tuple) -> np.ndarray | None:
    """Over ``x[index]`` (x of ``shape``, x[index] of ``target``): True where that
    element's write is the one ``out[index] = v`` leaves in out, False where a later write
    to the same position overwrote it; None when no position is written twice. The
    winners are read back from NumPy's own assignment."""
    if not _may_repeat(index if isinstance(index, tuple) else (index,), shape):
        return None
    written = np.empty(shape, dtype=np.intp)  # (only the written elements are touched)
    order = np.arange(math.prod(target)).reshape(target)
    written[index] = order
    kept = written[index] == order
    return None if kept.all() else kept


def _may_repeat(parts: tuple, shape: tuple) -> bool:
    """Whether an index may name a position twice: only an integer array (of 2 or more
    elements) can, and one made of integers and integer arrays alone (scatter's, put's,
    index tensors') does only if its flat positions repeat. A Python bool is a mask (a
    0-d one, taking no axis), not the integer it subclasses."""
    arrays, plain = False, True
    for p in parts:
        if isinstance(p, np.ndarray) and p.dtype.kind in "iu":
            arrays = arrays or p.size > 1
        elif isinstance(p, bool) or not isinstance(p, (int, np.integer)):
            plain = False  # a mask (True too), a slice, Ellipsis, None
    if not (arrays and plain):
        return arrays
    flat = np.ravel_multi_index(parts, shape[:len(parts)], mode="wrap").ravel()
    if flat.size <= 512:  # a set is faster than NumPy's sort for a few
        return len(set(flat.tolist())) < flat.size
    ordered = np.sort(flat)
    return bool((ordered[1:] == ordered[:-1]).any())


class SetItem(IndexPut):
    """``t[index] = v`` on a tensor in a graph: t's new value is IndexPut's output (a new
    array; the old one, which earlier ops read, stays with its earlier self) and its new
    history this op. ``previous`` is t as it was before: every op that used t before the
    write still sends its gradient there (``engine`` asks ``as_used``)."""
    __slots__ = ("previous",)

    def __init__(self, index: Any, previous: Any) -> None:
        super().__init__(index)
        self.previous = previous


def strip_leading_ones(value: Any, target: Any) -> Any:
    """``value`` without its leading size-1 axes, as PyTorch's ``t[index] = value`` takes
    it: a shape-(1,) value fills a 0-d slot (``values[step] = value.flatten()``), which
    NumPy refuses. The broadcast against any target of at least the value's rank is
    unchanged; ``t[...] = t`` (``value is target``) keeps the tensor itself. A list (or
    tuple) value is made an array first, so that it follows the same rule."""
    if isinstance(value, (list, tuple)):
        value = numeric(value, "t[index] = value")  # (ragged, None: named errors)
    shape = getattr(value, "shape", None)
    if value is target or not shape or shape[0] != 1:
        return value
    first = next((i for i, n in enumerate(shape) if n != 1), len(shape))
    return value.reshape(shape[first:])


def target_shape(x: T, index: Any, v: T, op: str) -> tuple[int, ...]:
    """The shape of ``x[index]`` (an index NumPy and PyTorch read differently refused);
    ShapeError if v does not broadcast to it (as PyTorch's, the broadcast may not grow it:
    a value of shape (2,) does not fill a target of shape (1,))."""
    try:
        target = np.empty(x.shape, dtype=bool)[index].shape
    except IndexError as exc:
        raise TensorIndexError(f"{op}: {exc} (tensor of shape {x.shape})") from None
    if isinstance(index, tuple):
        refuse_ambiguous_index(index, x.ndim)
    try:
        fits = np.broadcast_shapes(v.shape, target) == target
    except ValueError:
        fits = False
    if not fits:
        raise ShapeError(f"{op}: the value of shape {v.shape} does not broadcast to "
                         f"x[index], of shape {target}; give a value of that shape, or one "
                         f"that broadcasts to it")
    return target


def check_source_dtype(x: T, index: Any, source: Any, op: str, always: bool = False,
                       names: tuple[str, str] = ("source", "self")) -> None:
    """DTypeError where PyTorch refuses a Tensor ``source`` of another dtype than x's:
    ``always`` (``index_add``, ``accumulate=True``, ``index_copy``); else, if the index
    holds an index array or a mask, but for one element into one mask (PyTorch's
    ``masked_fill``). A basic index (ints, slices, None, ...) casts, as ``copy_``; so do
    numbers, lists and arrays, which are no Tensor. ``names``: source's and x's in ``op``."""
    if not is_tensor(source) or source.dtype == x.dtype:
        return
    arrays = [p for p in (index if isinstance(index, tuple) else (index,))
              if isinstance(p, np.ndarray) and (p.ndim or p.dtype == np.bool_)]
    one_mask = len(arrays) == 1 and arrays[0].dtype == np.bool_ and arrays[0].ndim > 0
    if not always and (not arrays or (one_mask and math.prod(source.shape) == 1)):
        return
    what, into = names
    where = "" if always else " where the index holds an index array or a mask"
    raise DTypeError(f"{op}: {what} has dtype {source.dtype}, {into} {x.dtype}; they must "
                     f"match{where}, as in PyTorch. Convert {what}: {what}.astype("
                     f"{'x' if into == 'self' else into}.dtype)")


def index_put(x: T, index: Any, v: T) -> T:
    """A copy of x with ``x[index] = v`` (v broadcast to ``x[index]``), differentiable in
    x and v. With repeated indices the last write wins, as in NumPy; give distinct ones.
    A Tensor v of another dtype: ``check_source_dtype``."""
    check_source_dtype(x, index, v, "index_put", names=("values", "self"))
    target_shape(x, index, v, "index_put")
    return apply(IndexPut(index), x, v)


def index_add(x: T, index: Any, v: T, op: str = "index_add") -> T:
    """A copy of x with v added at ``index`` (repeated indices add up); v has x's dtype;
    ``op`` names the caller in errors (``index_put(..., accumulate=True)``)."""
    check_source_dtype(x, index, v, op, always=True)
    target = target_shape(x, index, v, op)
    return x + apply(IndexAdd(index, x.shape), v.broadcast_to(target))
