"""Ops that move data without arithmetic: reshape, transpose, broadcast_to, concatenate,
indexing. Their VJPs move the gradient back the same way (indexing scatter-adds, so
repeated indices accumulate). expand_dims, squeeze, swapaxes and stack are compositions.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .._arrays import size_entry
from ..errors import AxisError, ShapeError, TensorIndexError, UsageError
from ..function import Function, apply
from .generic import is_tensor
from .index_readings import refuse_ambiguous_index, refuse_list_of_indices, refuse_uint8_index
from .reductions import normalize_axis, single_axis

__all__ = ["Reshape", "Transpose", "ReshapeInPlace", "TransposeInPlace", "BroadcastTo",
           "Concatenate", "GetItem", "IndexAdd", "Copy", "broadcast_op",
           "permutation", "swapped_axes", "expanded_shape", "squeezed_shape", "flattened_shape",
           "memory_order", "refuse_uint8_index"]


class Copy(Function):
    """out = a new array equal to x;  dx = g. (A gradient that must own its memory.)"""
    __slots__ = ()
    save_inputs = False

    def forward(self, x: np.ndarray) -> np.ndarray:
        return x.copy()

    def vjp(self, g: Any, out: Any, x: Any) -> tuple:
        return (g,)


def int_tuple(shape: Any, op: str) -> tuple[int, ...]:
    """A shape given as an int or a sequence of ints, as a tuple; ShapeError otherwise
    (``reshape("a")``, a float size), where NumPy's own error would name neither."""
    shape = size_entry(shape)
    sizes = (shape,) if isinstance(shape, (int, np.integer)) else (
        tuple(map(size_entry, shape)) if isinstance(shape, (tuple, list, np.ndarray))
        else None)
    if sizes is None or not all(
            isinstance(n, (int, np.integer)) and not isinstance(n, bool) for n in sizes):
        raise ShapeError(f"{op}: the shape must be a tuple of ints, e.g. (2, 3); got "
                         f"{shape!r}")
    return sizes


class Reshape(Function):
    """out = x viewed with a new shape;  dx = g reshaped back."""
    __slots__ = ("shape", "source")
    save_inputs = False

    def __init__(self, shape: Any) -> None:
        self.shape = int_tuple(shape, "reshape")
        if any(n < -1 for n in self.shape):  # NumPy reads any negative size as -1
            raise ShapeError(f"reshape: sizes are >= 0, or -1 for the one inferred; got "
                             f"{self.shape}")

    def forward(self, x: np.ndarray) -> np.ndarray:
        self.source = x.shape
        try:
            return x.reshape(self.shape)
        except ValueError:
            raise ShapeError(f"reshape: cannot reshape {x.shape} ({x.size} elements) into "
                             f"{self.shape}; the sizes must match (one -1 may be inferred)")\
                from None

    def vjp(self, g: Any, out: Any, x: Any) -> tuple:
        return (g.reshape(self.source),)


class Transpose(Function):
    """out = x with axes permuted;  dx = g with the inverse permutation."""
    __slots__ = ("axes",)
    save_inputs = False

    def __init__(self, axes: Any = None) -> None:
        self.axes = axes  # None: reverse them all

    def forward(self, x: np.ndarray) -> np.ndarray:
        self.axes = permutation(self.axes, x.shape)
        return x.transpose(self.axes)

    def vjp(self, g: Any, out: Any, x: Any) -> tuple:
        return (g.transpose(tuple(np.argsort(self.axes))),)


class ReshapeInPlace(Reshape):
    """``t.unsqueeze_(d)``, ``t.squeeze_()`` on a tensor in a graph: t takes this op's output
    (a view of its memory) as its value and the op as its history. ``previous`` is t as it
    was: the ops that read t before still send their gradients there (as ``SetItem``)."""
    __slots__ = ("previous",)

    def __init__(self, shape: Any, previous: Any = None) -> None:
        super().__init__(shape)
        self.previous = previous


class TransposeInPlace(Transpose):
    """``t.t_()``, ``t.transpose_(a, b)`` on a tensor in a graph, as ``ReshapeInPlace``."""
    __slots__ = ("previous",)

    def __init__(self, axes: Any, previous: Any = None) -> None:
        super().__init__(axes)
        self.previous = previous


class BroadcastTo(Function):
    """out = x repeated along broadcast axes;  dx = g summed back (by the engine's
    un-broadcasting, the same step every broadcasting op relies on). The output is
    read-only: one element of it stands for several (``broadcast_op`` takes a writable
    ``Reshape`` where nothing repeats)."""
    __slots__ = ("shape",)
    save_inputs = False

    def __init__(self, shape: Any) -> None:
        self.shape = int_tuple(shape, "broadcast_to")

    def forward(self, x: np.ndarray) -> np.ndarray:
        try:
            return np.broadcast_to(x, self.shape)
        except ValueError:
            raise ShapeError(f"broadcast_to: cannot broadcast {x.shape} to {self.shape}")\
                from None

    def vjp(self, g: Any, out: Any, x: Any) -> tuple:
        return (g,)


def broadcast_op(source: tuple[int, ...], target: Any) -> Function:
    """The view op of ``x.broadcast_to(target)`` (``expand``) for x of shape ``source``.
    Where nothing repeats, target = (1,) * k + source (the same shape, or new leading
    axes of size 1), a ``Reshape``: out[0, ..., 0, i] = x[i], a writable view whose writes
    reach x, as PyTorch's. Otherwise ``BroadcastTo``: read-only, as a write into one
    element would write several (PyTorch refuses it too: "more than one element of the
    written-to tensor refers to a single memory location")."""
    sizes = int_tuple(target, "broadcast_to")
    if sizes == (1,) * (len(sizes) - len(source)) + tuple(source):
        return Reshape(sizes)
    return BroadcastTo(sizes)


class Concatenate(Function):
    """out = inputs joined along ``axis``;  each input gets its slice of g."""
    __slots__ = ("axis", "sizes")
    save_inputs = False

    def __init__(self, axis: int) -> None:
        self.axis = axis

    def forward(self, *xs: np.ndarray) -> np.ndarray:
        if not xs:
            raise UsageError("concatenate: needs at least one tensor")
        if xs[0].ndim == 0:
            raise ShapeError("concatenate: 0-d tensors have no axis to join; use stack")
        self.axis = axis = single_axis(self.axis, xs[0].ndim, "concatenate")
        first = xs[0].shape
        for i, x in enumerate(xs):
            if x.ndim != len(first) or any(x.shape[d] != first[d]
                                           for d in range(len(first)) if d != axis):
                raise ShapeError(f"concatenate along axis {axis}: tensor {i} has shape "
                                 f"{x.shape}, tensor 0 has {first}; all other axes must match")
        self.sizes = tuple(x.shape[axis] for x in xs)  # (a tuple of ints: gc untracks it)
        # C order, as PyTorch's cat: NumPy keeps the F order of transposed inputs, and a
        # later view(...) of the result would then be a copy, not a view
        return np.ascontiguousarray(np.concatenate(xs, axis=self.axis))

    def vjp(self, g: Any, out: Any, *xs: Any) -> tuple:
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
        self.index = index_parts(index)

    def forward(self, x: np.ndarray) -> np.ndarray:
        self.shape = x.shape
        try:
            out = x[self.index]
        except IndexError as exc:
            raise TensorIndexError(f"cannot index a tensor of shape {x.shape} with "
                                   f"{_describe(self.index)}: {exc}. Use integers in "
                                   f"[-n, n) for an axis of size n, at most {x.ndim} "
                                   f"indices, and integer or boolean index arrays") from None
        if isinstance(self.index, tuple):  # (a valid index: NumPy's errors come first)
            refuse_ambiguous_index(self.index, x.ndim)
        if not isinstance(out, np.ndarray) and _is_basic(self.index):
            # one element: NumPy copies it into a scalar, where PyTorch's x[i] is a 0-d view
            # (a write into it, x.select(0, i).add_(1), reaches x); x[i, ...] is NumPy's
            parts = self.index if isinstance(self.index, tuple) else (self.index,)
            out = x[parts + (Ellipsis,)]
        return out

    def vjp(self, g: Any, out: Any, x: Any) -> tuple:
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

    def forward(self, x: np.ndarray) -> np.ndarray:
        return _scatter_add(x, self.index, self.shape)

    def vjp(self, g: Any, out: Any, x: Any) -> tuple:
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


def _index_arrays(index: Any, ndim: int | None = None) -> Any:
    """``index_parts(index)``, with an index that NumPy and PyTorch read differently
    refused (``refuse_ambiguous_index``). Without the tensor's ``ndim`` an index whose
    ``...`` matters passes; ``GetItem`` and ``indexing.target_shape`` check it again."""
    parts = index_parts(index)
    if isinstance(parts, tuple):
        refuse_ambiguous_index(parts, ndim)
    return parts


def index_parts(index: Any) -> Any:
    """Tensors and lists inside an index become integer or boolean arrays, and 0-d integer
    ones ints (PyTorch's ``x[tensor(1)]`` is ``x[1]``, a view; NumPy's would copy). A short
    list of lists (``x[[[0, 1], [1, 0]]]``), a tuple in PyTorch, is refused."""
    refuse_list_of_indices(index)
    if isinstance(index, tuple):
        return tuple(_index_part(part) for part in index)
    return _index_part(index)


def _index_part(part: Any) -> Any:
    """One entry of an index: ints, slices (step 0 refused), None and ... as they are;
    anything else as an integer or boolean array, a 0-d integer one as an int. A float
    array or Tensor is refused, an empty one too (as PyTorch's); an empty list is not
    (NumPy makes it float64)."""
    if isinstance(part, slice) and part.step == 0:
        raise TensorIndexError(f"a slice's step cannot be 0; got {part!r}")
    if part is None or part is Ellipsis or isinstance(part, (int, np.integer, slice)):
        return part
    array = np.asarray(part)  # lists, arrays, Tensors (through __array__)
    if array.dtype.kind not in "biu" and (array.size or not isinstance(part, (list, tuple))):
        raise TensorIndexError(f"an index must be an int, a slice, None, ... or an integer "
                               f"or boolean array; got {type(part).__name__} of dtype "
                               f"{array.dtype}. Convert it first, e.g. idx.astype(int)")
    if array.ndim == 0 and array.dtype.kind in "iu":
        return int(array)
    return array.astype(np.intp) if array.dtype.kind not in "biu" else array


def _describe(index: Any) -> str:
    """A short description of an index for error messages (arrays by dtype and shape)."""
    if isinstance(index, tuple):
        return "(" + ", ".join(_describe(i) for i in index) + ")"
    if isinstance(index, np.ndarray):
        return f"an index array of dtype {index.dtype} and shape {index.shape}"
    return repr(index)


def permutation(axes: Any, shape: tuple[int, ...]) -> tuple[int, ...]:
    """``axes`` as a permutation of the axes of ``shape`` (reversed for None)."""
    ndim = len(shape)
    if axes is None:
        return tuple(range(ndim))[::-1]
    axes = (axes,) if isinstance(axes, (int, np.integer)) else tuple(axes)
    perm = tuple(single_axis(a, ndim, "transpose") for a in axes)
    if sorted(perm) != list(range(ndim)):
        raise AxisError(f"transpose: axes {axes} are not a permutation of the {ndim} axes "
                        f"of shape {shape}: give all {ndim} axes in their new order, or "
                        f"use swapaxes(a, b) to exchange two")
    return perm


def swapped_axes(shape: tuple[int, ...], axis1: int, axis2: int) -> tuple[int, ...]:
    """The permutation that exchanges two axes (none for a 0-d tensor's 0 or -1, its one
    element, as PyTorch's ``x.transpose(0, -1)``)."""
    if not shape and axis1 in (0, -1) and axis2 in (0, -1):
        return ()
    a = single_axis(axis1, len(shape), "swapaxes")
    b = single_axis(axis2, len(shape), "swapaxes")
    perm = list(range(len(shape)))
    perm[a], perm[b] = perm[b], perm[a]
    return tuple(perm)


def expanded_shape(shape: tuple[int, ...], axis: Any) -> tuple[int, ...]:
    """``shape`` with size-1 axes inserted at ``axis`` (positions in the result)."""
    count = len(axis) if isinstance(axis, (tuple, list)) else 1
    axes = normalize_axis(axis, len(shape) + count, "expand_dims")
    sizes = iter(shape)
    return tuple(1 if i in axes else next(sizes) for i in range(len(shape) + count))


def squeezed_shape(shape: tuple[int, ...], axis: Any, strict: bool = True) -> tuple[int, ...]:
    """``shape`` without its size-1 axes (all, or those in ``axis``). An axis in ``axis``
    longer than 1 is an error (``strict``, NumPy's) or stays (PyTorch's; a 0-d shape then
    takes the positions 0 and -1, as PyTorch's)."""
    if axis is None:
        axes = tuple(i for i, n in enumerate(shape) if n == 1)
    elif not strict:
        axes = normalize_axis(axis, max(len(shape), 1), "squeeze")
        axes = tuple(a for a in axes if shape and shape[a] == 1)
    else:
        axes = normalize_axis(axis, len(shape), "squeeze")
        for a in axes:
            if shape[a] != 1:
                raise ShapeError(f"squeeze: axis {a} has size {shape[a]}, not 1 (shape "
                                 f"{shape}); NumPy's axis= refuses it, PyTorch's dim={a} "
                                 f"(or x.squeeze({a})) leaves such an axis")
    return tuple(n for i, n in enumerate(shape) if i not in axes)


def flattened_shape(shape: tuple[int, ...], start_dim: Any, end_dim: Any) -> tuple[int, ...]:
    """``shape`` with axes ``start_dim..end_dim`` (both included) merged into one, as
    PyTorch's ``flatten``; a 0-d shape counts as one axis of size 1."""
    for name, d in (("start_dim", start_dim), ("end_dim", end_dim)):
        if isinstance(d, bool) or not isinstance(d, (int, np.integer)):
            raise AxisError(f"flatten: {name} must be an int; got {d!r}")
    ndim = max(len(shape), 1)
    start = single_axis(start_dim, ndim, "flatten: start_dim")
    end = single_axis(end_dim, ndim, "flatten: end_dim")
    if start > end:
        raise AxisError(f"flatten: start_dim {start_dim} comes after end_dim {end_dim} for "
                        f"shape {shape}; give start_dim <= end_dim")
    shape = shape or (1,)
    return shape[:start] + (int(np.prod(shape[start:end + 1])),) + shape[end + 1:]


def memory_order(order: Any, op: str) -> str:
    """NumPy's ``order`` for ravel/flatten: "C" (row-major) or "F" (column-major); "A"
    and "K" follow the memory layout, which a Tensor does not promise."""
    if order is None or order in ("C", "F", "c", "f"):
        return "C" if order is None else order.upper()
    raise UsageError(f"{op}: order={order!r} is not supported; use 'C' (row-major, the "
                     f"default) or 'F' (column-major)")
