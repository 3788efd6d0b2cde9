"""Ops that move data without arithmetic: reshape, transpose, broadcast_to, concatenate,
indexing. Their VJPs move the gradient back the same way (indexing scatter-adds, so
repeated indices accumulate). expand_dims, squeeze, swapaxes and stack are compositions.
"""

from __future__ import annotations

from typing import Any, Sequence

import numpy as np

from ..errors import AxisError, ShapeError
from ..function import Function, apply
from ..tensor import Tensor, as_tensor
from .generic import is_tensor
from .reductions import normalize_axis, pick_axis

__all__ = ["reshape", "transpose", "swapaxes", "expand_dims", "squeeze", "broadcast_to",
           "concatenate", "stack", "getitem", "Reshape", "Transpose", "BroadcastTo",
           "Concatenate", "GetItem", "IndexAdd"]


class Reshape(Function):
    """out = x viewed with a new shape;  dx = g reshaped back."""
    __slots__ = ("shape", "source")
    save_inputs = False

    def __init__(self, shape: tuple[int, ...]) -> None:
        self.shape = shape

    def forward(self, x):
        self.source = x.shape
        try:
            return x.reshape(self.shape)
        except ValueError:
            raise ShapeError(f"reshape: cannot reshape {x.shape} ({x.size} elements) into "
                             f"{self.shape}; the sizes must match (one -1 may be inferred)")\
                from None

    def vjp(self, g, out, x):
        return (g.reshape(self.source),)


class Transpose(Function):
    """out = x with axes permuted;  dx = g with the inverse permutation."""
    __slots__ = ("axes",)
    save_inputs = False

    def __init__(self, axes: tuple[int, ...]) -> None:
        self.axes = axes

    def forward(self, x):
        return x.transpose(self.axes)

    def vjp(self, g, out, x):
        return (g.transpose(tuple(np.argsort(self.axes))),)


class BroadcastTo(Function):
    """out = x repeated along broadcast axes;  dx = g summed back (by the engine's
    un-broadcasting, the same step every broadcasting op relies on)."""
    __slots__ = ("shape",)
    save_inputs = False

    def __init__(self, shape: tuple[int, ...]) -> None:
        self.shape = shape

    def forward(self, x):
        try:
            return np.broadcast_to(x, self.shape)
        except ValueError:
            raise ShapeError(f"broadcast_to: cannot broadcast {x.shape} to {self.shape}")\
                from None

    def vjp(self, g, out, x):
        return (g,)


class Concatenate(Function):
    """out = inputs joined along ``axis``;  each input gets its slice of g."""
    __slots__ = ("axis", "sizes")
    save_inputs = False

    def __init__(self, axis: int) -> None:
        self.axis = axis

    def forward(self, *xs):
        self.sizes = [x.shape[self.axis] for x in xs]
        return np.concatenate(xs, axis=self.axis)

    def vjp(self, g, out, *xs):
        grads, start = [], 0
        lead = (slice(None),) * self.axis
        for size in self.sizes:
            grads.append(g[lead + (slice(start, start + size),)])
            start += size
        return tuple(grads)


class GetItem(Function):
    """out = x[index];  dx = zeros with g scatter-added at index (repeats accumulate)."""
    __slots__ = ("index", "shape")
    save_inputs = False

    def __init__(self, index: Any) -> None:
        self.index = index

    def forward(self, x):
        self.shape = x.shape
        return x[self.index]

    def vjp(self, g, out, x):
        if is_tensor(g):
            return (apply(IndexAdd(self.index, self.shape), g),)
        return (_scatter_add(g, self.index, self.shape),)


class IndexAdd(Function):
    """out = zeros(shape) with x added at index;  dx = g[index]. (GetItem's VJP as an op,
    so gradients of indexing can be differentiated again.)"""
    __slots__ = ("index", "shape")
    save_inputs = False

    def __init__(self, index: Any, shape: tuple[int, ...]) -> None:
        self.index, self.shape = index, shape

    def forward(self, x):
        return _scatter_add(x, self.index, self.shape)

    def vjp(self, g, out, x):
        return (g[self.index],)


def _is_basic(index: Any) -> bool:
    """Basic indexing (ints, slices, None, ...) never selects an element twice."""
    parts = index if isinstance(index, tuple) else (index,)
    return all(p is None or p is Ellipsis or isinstance(p, (int, np.integer, slice))
               for p in parts)


def _scatter_add(g: np.ndarray, index: Any, shape: tuple[int, ...]) -> np.ndarray:
    grad = np.zeros(shape, dtype=g.dtype)
    if _is_basic(index):
        grad[index] = g
    else:
        np.add.at(grad, index, g)
    return grad


def _index_arrays(index: Any) -> Any:
    """Tensors inside an index become their arrays; lists become arrays."""
    if isinstance(index, tuple):
        return tuple(_index_arrays(i) for i in index)
    if isinstance(index, Tensor):
        return index._data
    if isinstance(index, list):  # [] selects nothing: an empty integer index, as NumPy
        return np.asarray(index) if index else np.zeros(0, dtype=np.intp)
    return index


def getitem(x: Any, index: Any) -> Tensor:
    """x[index]: basic slicing and integer/boolean array indexing, as NumPy."""
    x = as_tensor(x)
    index = _index_arrays(index)
    for part in index if isinstance(index, tuple) else (index,):
        if isinstance(part, np.ndarray) and part.dtype.kind == "f":
            raise IndexError(f"index arrays must be integer or boolean; got {part.dtype}")
    return apply(GetItem(index), x)


def reshape(x: Any, shape: Any) -> Tensor:
    """x with a new shape (same number of elements; one entry may be -1)."""
    shape = (shape,) if isinstance(shape, (int, np.integer)) else tuple(shape)
    return apply(Reshape(shape), as_tensor(x))


def transpose(x: Any, axes: Sequence[int] | None = None) -> Tensor:
    """Permute axes (reverse them when ``axes`` is None), as ``np.transpose``."""
    x = as_tensor(x)
    if axes is None:
        perm = tuple(range(x.ndim))[::-1]
    else:
        axes = (axes,) if isinstance(axes, (int, np.integer)) else tuple(axes)
        perm = tuple(normalize_axis(a, x.ndim, "transpose")[0] for a in axes)
        if sorted(perm) != list(range(x.ndim)):
            raise AxisError(f"transpose: axes {axes} are not a permutation of the "
                            f"{x.ndim} axes of shape {x.shape}: give all {x.ndim} axes in "
                            f"their new order, or use swapaxes(a, b) to exchange two")
    return apply(Transpose(perm), x)


def swapaxes(x: Any, axis1: int, axis2: int) -> Tensor:
    """Exchange two axes (a transpose)."""
    x = as_tensor(x)
    a = normalize_axis(axis1, x.ndim, "swapaxes")[0]
    b = normalize_axis(axis2, x.ndim, "swapaxes")[0]
    perm = list(range(x.ndim))
    perm[a], perm[b] = perm[b], perm[a]
    return apply(Transpose(tuple(perm)), x)


def expand_dims(x: Any, axis: Any = None, *, dim: Any = None) -> Tensor:
    """Insert size-1 axes at ``axis`` (positions in the result), a reshape."""
    x = as_tensor(x)
    axis = pick_axis(axis, dim, "expand_dims")
    if axis is None:
        raise AxisError("expand_dims: give the position of the new axis (axis= or dim=)")
    axes = normalize_axis(axis, x.ndim + len(axis if isinstance(axis, (tuple, list))
                                                else (axis,)), "expand_dims")
    shape = iter(x.shape)
    new = tuple(1 if i in axes else next(shape) for i in range(x.ndim + len(axes)))
    return apply(Reshape(new), x)


def squeeze(x: Any, axis: Any = None, *, dim: Any = None) -> Tensor:
    """Remove size-1 axes (all of them, or those in ``axis``), a reshape."""
    x = as_tensor(x)
    axis = pick_axis(axis, dim, "squeeze")
    if axis is None:
        axes = tuple(i for i, n in enumerate(x.shape) if n == 1)
    else:
        axes = normalize_axis(axis, x.ndim, "squeeze")
        for a in axes:
            if x.shape[a] != 1:
                raise ShapeError(f"squeeze: axis {a} has size {x.shape[a]}, not 1 "
                                 f"(shape {x.shape})")
    return apply(Reshape(tuple(n for i, n in enumerate(x.shape) if i not in axes)), x)


def broadcast_to(x: Any, shape: Any) -> Tensor:
    """x repeated to ``shape`` by NumPy broadcasting (a read-only view)."""
    shape = (shape,) if isinstance(shape, (int, np.integer)) else tuple(shape)
    return apply(BroadcastTo(shape), as_tensor(x))


def concatenate(tensors: Sequence[Any], axis: int = 0, *, dim: int | None = None) -> Tensor:
    """Join tensors along an existing axis."""
    axis = pick_axis(axis, dim, "concatenate", 0)
    tensors = [as_tensor(t) for t in tensors]
    if not tensors:
        raise ValueError("concatenate: needs at least one tensor")
    if tensors[0].ndim == 0:
        raise ShapeError("concatenate: 0-d tensors have no axis to join; use stack")
    ax = normalize_axis(axis, tensors[0].ndim, "concatenate")[0]
    first = tensors[0].shape
    for i, t in enumerate(tensors):
        if t.ndim != len(first) or any(t.shape[d] != first[d]
                                       for d in range(len(first)) if d != ax):
            raise ShapeError(f"concatenate along axis {ax}: tensor {i} has shape {t.shape}, "
                             f"tensor 0 has {first}; all other axes must match")
    return apply(Concatenate(ax), *tensors)


def stack(tensors: Sequence[Any], axis: int = 0, *, dim: int | None = None) -> Tensor:
    """Join same-shape tensors along a new axis."""
    axis = pick_axis(axis, dim, "stack", 0)
    tensors = [as_tensor(t) for t in tensors]
    if not tensors:
        raise ValueError("stack: needs at least one tensor")
    for i, t in enumerate(tensors):
        if t.shape != tensors[0].shape:
            raise ShapeError(f"stack: tensor {i} has shape {t.shape}, tensor 0 has "
                             f"{tensors[0].shape}; all must match")
    ax = normalize_axis(axis, tensors[0].ndim + 1, "stack")[0]
    return concatenate([expand_dims(t, ax) for t in tensors], axis=ax)
