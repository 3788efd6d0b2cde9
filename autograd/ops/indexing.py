"""Shape and indexing ops built on indexing: take_along_axis, flip, roll, tile, repeat
(each one ``x[index]`` with a computed index, so the gradient scatter-adds back through
``GetItem``), pad, tril, triu, and functional assignment: ``index_put(x, index, v)``, also
spelled ``x.at[index].set(v)`` / ``.add(v)``.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..errors import AxisError, DTypeError, ShapeError
from ..function import Function, apply
from ..tensor import Tensor, as_tensor
from .elementwise import where
from .generic import constant, is_tensor
from .reductions import normalize_axis, pick_axis
from .shape import GetItem, IndexAdd, getitem, reshape

__all__ = ["take_along_axis", "flip", "roll", "tile", "repeat", "pad", "tril", "triu",
           "index_put", "index_add", "At", "IndexPut"]


def _one(x: Tensor, axis: Any, op: str) -> int:
    if isinstance(axis, bool) or not isinstance(axis, (int, np.integer)):
        raise AxisError(f"{op}: axis must be a single int; got {axis!r}")
    if x.ndim == 0:
        raise AxisError(f"{op}: a 0-d tensor has no axis {axis}")
    return normalize_axis(axis, x.ndim, op)[0]


def _along(axis: int, index: Any) -> tuple:
    """An index that applies ``index`` to ``axis`` and keeps every other axis."""
    return (slice(None),) * axis + (index,)


def take_along_axis(x: Any, indices: Any, axis: int | None = None, *,
                    dim: int | None = None) -> Tensor:
    """out[..., i, ...] = x[..., indices[..., i, ...], ...] along ``axis`` (as NumPy's);
    the gradient adds g back at the picked positions (repeats accumulate)."""
    x = as_tensor(x)
    indices = np.asarray(constant(indices))
    axis = pick_axis(axis, dim, "take_along_axis")
    if axis is None:
        return take_along_axis(reshape(x, (-1,)), indices.reshape(-1), 0)
    if indices.dtype.kind not in "iu":
        raise DTypeError(f"take_along_axis: indices must be integers; got {indices.dtype}")
    axis = _one(x, axis, "take_along_axis")
    if indices.ndim != x.ndim:
        raise ShapeError(f"take_along_axis: indices have {indices.ndim} axes, x has "
                         f"{x.ndim} ({x.shape}); they must have the same number")
    grids = [np.arange(n).reshape((1,) * k + (n,) + (1,) * (x.ndim - k - 1))
             for k, n in enumerate(x.shape)]
    grids[axis] = indices
    return apply(GetItem(tuple(grids)), x)


def flip(x: Any, axis: Any = None, *, dim: Any = None) -> Tensor:
    """x with the order of elements reversed along ``axis`` (all axes when None)."""
    x = as_tensor(x)
    axes = normalize_axis(pick_axis(axis, dim, "flip"), x.ndim, "flip")
    index = tuple(slice(None, None, -1) if k in axes else slice(None) for k in range(x.ndim))
    return getitem(x, index)


def roll(x: Any, shift: Any, axis: Any = None, *, dim: Any = None) -> Tensor:
    """Elements shifted by ``shift`` along ``axis``, wrapping around (as ``np.roll``;
    the flattened tensor when axis is None)."""
    x = as_tensor(x)
    axis = pick_axis(axis, dim, "roll")
    if axis is None:
        return reshape(roll(reshape(x, (-1,)), shift, 0), x.shape)
    shifts = np.broadcast_to(np.asarray(shift), np.shape(axis)).reshape(-1)
    axes = np.asarray(axis).reshape(-1)
    for a, s in zip(axes, shifts):
        a = _one(x, int(a), "roll")
        n = x.shape[a]
        if n:
            x = getitem(x, _along(a, (np.arange(n) - int(s)) % n))
    return x


def tile(x: Any, reps: Any) -> Tensor:
    """x repeated ``reps[k]`` times along axis k, as ``np.tile``."""
    x = as_tensor(x)
    reps = (int(reps),) if np.ndim(reps) == 0 else tuple(int(r) for r in reps)
    if any(r < 0 for r in reps):
        raise ShapeError(f"tile: repetitions must be >= 0; got {reps}")
    if len(reps) > x.ndim:
        x = reshape(x, (1,) * (len(reps) - x.ndim) + x.shape)
    reps = (1,) * (x.ndim - len(reps)) + reps
    for a, r in enumerate(reps):
        if r != 1:
            x = getitem(x, _along(a, np.tile(np.arange(x.shape[a]), r)))
    return x


def repeat(x: Any, repeats: Any, axis: int | None = None, *, dim: int | None = None) -> Tensor:
    """Each element repeated ``repeats`` times along ``axis`` (the flattened tensor when
    None), as ``np.repeat``; ``repeats`` may give one count per element."""
    x = as_tensor(x)
    axis = pick_axis(axis, dim, "repeat")
    if axis is None:
        x, axis = reshape(x, (-1,)), 0
    axis = _one(x, axis, "repeat")
    try:
        picks = np.repeat(np.arange(x.shape[axis]), repeats)
    except ValueError as exc:
        raise ShapeError(f"repeat: {exc} (axis {axis} has {x.shape[axis]} elements)") from None
    return getitem(x, _along(axis, picks))


def pad(x: Any, pad_width: Any, constant_values: float = 0.0) -> Tensor:
    """x surrounded by ``constant_values``: ``pad_width`` is NumPy's (an int, a
    (before, after) pair, or one pair per axis); only constant padding."""
    x = as_tensor(x)
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
    if constant_values != 0:
        border = np.full(shape, constant_values, dtype=x.dtype)
        border[inside] = 0
        out = out + border
    return out


def _triangle(x: Any, k: int, op: str, lower: bool) -> Tensor:
    x = as_tensor(x)
    if x.ndim < 2:
        raise ShapeError(f"{op}: needs a matrix (or a stack of them); got shape {x.shape}")
    rows, cols = x.shape[-2:]
    keep = np.tri(rows, cols, k, dtype=bool) if lower else ~np.tri(rows, cols, k - 1,
                                                                    dtype=bool)
    return where(keep, x, np.zeros((), dtype=x.dtype))


def tril(x: Any, k: int = 0) -> Tensor:
    """The lower triangle of the last two axes (on and below diagonal ``k``), 0 above."""
    return _triangle(x, k, "tril", lower=True)


def triu(x: Any, k: int = 0) -> Tensor:
    """The upper triangle of the last two axes (on and above diagonal ``k``), 0 below."""
    return _triangle(x, k, "triu", lower=False)


class IndexPut(Function):
    """out = x with out[index] = v;  dx = g with 0 at index, dv = g[index]."""
    __slots__ = ("index",)
    save_inputs = False

    def __init__(self, index: Any) -> None:
        self.index = index

    def forward(self, x, v):
        out = x.copy()
        out[self.index] = v
        return out

    def vjp(self, g, out, x, v):
        gx = gv = None
        if self.needs_input_grad[0]:
            if is_tensor(g):
                gx = apply(IndexPut(self.index), g, Tensor(np.zeros((), dtype=g.dtype)))
            else:
                gx = g.copy()
                gx[self.index] = 0
        if self.needs_input_grad[1]:
            gv = g[self.index]
        return gx, gv


def _index(index: Any) -> Any:
    from .shape import _index_arrays  # one definition of "an index may hold Tensors"
    return _index_arrays(index)


def index_put(x: Any, index: Any, v: Any) -> Tensor:
    """A copy of x with ``x[index] = v`` (v broadcast to ``x[index]``), differentiable in
    x and v. With repeated indices the last write wins, as in NumPy; give distinct ones."""
    x, index = as_tensor(x), _index(index)
    v = as_tensor(v if isinstance(v, Tensor) else np.asarray(v, dtype=x.dtype))
    target = np.empty(x.shape, dtype=bool)[index].shape
    try:
        np.broadcast_shapes(v.shape, target)
    except ValueError:
        raise ShapeError(f"index_put: the value of shape {v.shape} does not broadcast to "
                         f"x[index], of shape {target}") from None
    return apply(IndexPut(index), x, v)


def index_add(x: Any, index: Any, v: Any) -> Tensor:
    """A copy of x with v added at ``index`` (repeated indices add up)."""
    x, index = as_tensor(x), _index(index)
    target = np.empty(x.shape, dtype=bool)[index].shape
    v = as_tensor(v if isinstance(v, Tensor) else np.asarray(v, dtype=x.dtype))
    return x + apply(IndexAdd(index, x.shape), v.broadcast_to(target))


class At:
    """``x.at[index]``: functional updates, ``.set(v)`` and ``.add(v)`` (JAX's spelling)."""
    __slots__ = ("tensor",)

    def __init__(self, tensor: Tensor) -> None:
        self.tensor = tensor

    def __getitem__(self, index: Any) -> "_AtIndex":
        return _AtIndex(self.tensor, index)


class _AtIndex:
    __slots__ = ("tensor", "index")

    def __init__(self, tensor: Tensor, index: Any) -> None:
        self.tensor, self.index = tensor, index

    def set(self, v: Any) -> Tensor:
        """A copy with ``[index] = v``."""
        return index_put(self.tensor, self.index, v)

    def add(self, v: Any) -> Tensor:
        """A copy with v added at ``[index]``."""
        return index_add(self.tensor, self.index, v)

    def get(self) -> Tensor:
        return getitem(self.tensor, self.index)
