"""``SetMethods``: PyTorch's Tensor methods for positions, distinct values, counts and
small geometry (a mixin of ``Tensor``): ``nonzero argwhere count_nonzero unique
unique_consecutive bincount histc histogram`` (integer or constant results, ``ops.sets``) and
``diff cross kron`` (differentiable, ``ops.geometry``).

NumPy's ndarray has none of these methods but ``nonzero``, so they follow PyTorch's
rules. ``x.nonzero()`` means two things (NumPy's tuple of index arrays, PyTorch's (n,
ndim) tensor), so it raises unless ``as_tuple=`` says which; ``x.cross(y)`` without a dim
takes PyTorch's (deprecated) first axis of size 3, and raises where that is not the last
axis, which ``torch.linalg.cross`` and ``np.cross`` take.
"""

from __future__ import annotations

from typing import Any, NamedTuple

import numpy as np

from .errors import DTypeError, ShapeError, UsageError
from .grad_mode import _flag
from .ops import geometry, sets
from .ops.reductions import pick_axis, single_axis

__all__ = ["SetMethods", "Histogram", "ambiguous_nonzero", "first_axis_of_three",
           "torch_cross_axis", "numpy_bincount", "torch_flags"]

AnyTensor = Any  # a Tensor: this module sits below the Tensor class


def torch_flags(op: str, **flags: Any) -> tuple[bool, ...]:
    """The True/False arguments of PyTorch's ``op``, in order, each a bool (NumPy's too)
    or a ``UsageError``, as PyTorch's TypeError: ``"no"`` would be read as True."""
    return tuple(_flag(op, name, value) for name, value in flags.items())


class Histogram(NamedTuple):
    """PyTorch's pair from ``histogram``: ``hist, bin_edges = x.histogram(10)``."""
    hist: AnyTensor
    bin_edges: AnyTensor


def ambiguous_nonzero(call: str) -> UsageError:
    """The error for ``x.nonzero()``/``autograd.nonzero(x)`` without ``as_tuple``."""
    return UsageError(
        f"{call} means two things: NumPy's gives a tuple of index arrays (one per axis), "
        f"PyTorch's an (n, ndim) tensor of positions. Name the one you mean: "
        f"x.nonzero(as_tuple=True) or np.nonzero(x) for the tuple (x[x.nonzero("
        f"as_tuple=True)] picks the entries), x.nonzero(as_tuple=False) or x.argwhere() "
        f"for the (n, ndim) tensor.")


def first_axis_of_three(shape: tuple[int, ...], op: str) -> int:
    """PyTorch's default axis of ``torch.cross``: the first of size 3."""
    for k, size in enumerate(shape):
        if size == 3:
            return k
    raise ShapeError(f"{op}: no axis of size 3 in shape {shape} to take the cross product "
                     f"along; the vectors must have 3 entries")


def torch_cross_axis(a: AnyTensor, b: AnyTensor, call: str) -> int:
    """The axis ``torch.cross(a, b)`` takes without a dim (its first of size 3, in the
    broadcast shape) when that is also the last axis, which ``torch.linalg.cross`` and
    ``np.cross`` take; else ``UsageError``."""
    try:
        shape = np.broadcast_shapes(a.shape, b.shape)
    except ValueError:
        raise ShapeError(f"{call}: shapes {a.shape} and {b.shape} do not broadcast") from None
    axis = first_axis_of_three(shape, call)
    if axis != len(shape) - 1:
        raise UsageError(
            f"{call} on shape {tuple(shape)} means two things: torch.cross takes the first "
            f"axis of size 3 (axis {axis}; a default PyTorch deprecates), torch.linalg.cross "
            f"and np.cross the last. Name it: dim={axis} or dim=-1 (axis= in np.cross)")
    return axis


class SetMethods:
    """PyTorch's methods of this kind (a mixin: ``Tensor`` is its only user)."""

    __slots__ = ()

    # ------------------------------------------------------------ positions and counts
    def nonzero(self, *, as_tuple: bool | None = None) -> Any:
        """The positions of the nonzero entries, in row-major order (int64, constant):
        ``as_tuple=False`` an (n, ndim) tensor, ``as_tuple=True`` one 1-d tensor per
        axis (a 0-d x counts as 1-d), as PyTorch's. Without ``as_tuple`` it raises
        ``UsageError``: NumPy's ``x.nonzero()`` is the tuple, PyTorch's the tensor."""
        if as_tuple is None:
            raise ambiguous_nonzero("x.nonzero()")
        if as_tuple:
            return sets.nonzero_tuple(self, "nonzero")
        return sets.argwhere(self)

    def argwhere(self) -> AnyTensor:
        """The positions of the nonzero entries, an (n, ndim) int64 tensor (as
        ``torch.argwhere`` and ``np.argwhere``)."""
        return sets.argwhere(self)

    def count_nonzero(self, dim: Any = None, *, axis: Any = None,
                      keepdims: bool = False, keepdim: Any = None) -> AnyTensor:
        """The number of nonzero entries over ``dim`` (an int, a tuple, or None for all;
        PyTorch's ``dim=()`` is every axis too), int64. PyTorch's count_nonzero has no
        ``keepdim``: given, it is a ``UsageError`` naming NumPy's ``keepdims=``."""
        if keepdim is not None:
            raise UsageError(
                f"count_nonzero takes dim= (or NumPy's axis=) and NumPy's keepdims=, not "
                f"keepdim= (PyTorch's count_nonzero has none); got keepdim={keepdim!r}. "
                f"Write count_nonzero(x, dim=..., keepdims={keepdim!r}).")
        if isinstance(dim, (tuple, list)) and len(dim) == 0:
            dim = None
        return sets.count_nonzero(self, pick_axis(axis, dim, "count_nonzero"), keepdims,
                                  "count_nonzero")

    # ------------------------------------------------------------ distinct values
    def unique(self, sorted: bool = True, return_inverse: bool = False,  # noqa: A002
               return_counts: bool = False, dim: Any = None) -> Any:
        """PyTorch's ``unique``: the distinct values, ascending (``sorted=False`` gives
        them ascending too; PyTorch leaves the order open), each NaN apart, of all entries
        or (``dim``) the distinct slices along an axis; then, if asked, the inverse
        (x's shape, or one entry per slice) and the counts (int64). The values carry no
        gradient (a backward pass through them raises, as PyTorch's). Slices left empty by
        another axis of size 0 are a ``ShapeError``, as PyTorch's. The flags must be bools."""
        _, return_inverse, return_counts = torch_flags(
            "unique", sorted=sorted, return_inverse=return_inverse, return_counts=return_counts)
        if dim is not None and self.ndim:
            sets.refuse_other_empty_axes(self.shape, single_axis(dim, self.ndim, "unique"),
                                         "unique")
        return sets.unique(self, False, return_inverse, return_counts, dim, False, "unique")

    def unique_consecutive(self, return_inverse: bool = False, return_counts: bool = False,
                           dim: Any = None) -> Any:
        """One of each run of equal values (or slices along ``dim``), with the inverse
        and the run lengths if asked, as PyTorch's (the flags must be bools)."""
        return_inverse, return_counts = torch_flags(
            "unique_consecutive", return_inverse=return_inverse, return_counts=return_counts)
        return sets.unique_consecutive(self, return_inverse, return_counts, dim,
                                       "unique_consecutive")

    def bincount(self, weights: Any = None, minlength: int = 0) -> AnyTensor:
        """out_k = how often k occurs in this 1-d tensor of non-negative integers (int64),
        or the sum of the ``weights`` of its entries equal to k: float32 and float64
        weights keep their dtype, others (float16 too) give float64, as PyTorch's;
        differentiable in the weights."""
        return _bincount(self, weights, minlength, "bincount", numpy=False)

    def histc(self, bins: int = 100, min: float = 0, max: float = 0) -> AnyTensor:  # noqa: A002
        """Counts in ``bins`` equal bins over [min, max] (the data's range when min =
        max), in this float tensor's dtype, as PyTorch's."""
        return sets.histc(self, bins, float(min), float(max), "histc")

    def histogram(self, bins: Any = 100, *, range: Any = None,  # noqa: A002
                  weight: Any = None, density: bool = False) -> Histogram:
        """PyTorch's ``(hist, bin_edges)``: counts (or sums of ``weight``; a density
        with ``density=True``) in ``bins`` equal bins over ``range`` (the data's by
        default), or between the given edges; in this float tensor's dtype, no gradient
        (``np.histogram(x)`` gives NumPy's int64 counts)."""
        return Histogram(*sets.histogram(self, bins, range, weight, density, "histogram"))

    # ------------------------------------------------------------ differentiable
    def diff(self, n: int = 1, dim: Any = -1, prepend: Any = None, append: Any = None, *,
             axis: Any = None) -> AnyTensor:
        """The n-th forward difference along ``dim`` (x_{i+1} - x_i, n times), after
        joining ``prepend``/``append`` (tensors with x's axes, or numbers)."""
        if axis is not None and isinstance(dim, int) and dim == -1:  # dim left at its default
            dim = None
        return geometry.diff(self, n, pick_axis(axis, dim, "diff"), prepend, append, "diff")

    def cross(self, other: Any, dim: Any = None) -> AnyTensor:
        """The cross product with ``other`` along ``dim`` (3 entries; the inputs have one
        number of axes, as PyTorch's, and the others broadcast): da = b x g, db = g x a.
        Without dim, PyTorch's (deprecated) first axis of size 3, which must then be the
        last (else ``UsageError``: name it)."""
        other = self._lift(other)
        if self.ndim != other.ndim:
            raise ShapeError(f"cross: the inputs must have the same number of axes, as in "
                             f"PyTorch; got shapes {self.shape} and {other.shape}. Add the "
                             f"missing axes first (e.g. b.expand_as(a)), or use "
                             f"autograd.cross(a, b, axis=-1), NumPy's, which broadcasts them")
        if dim is None:
            dim = torch_cross_axis(self, other, "x.cross(other)")
        return geometry.cross(self, other, dim, "cross")

    def kron(self, other: Any) -> AnyTensor:
        """The Kronecker product with ``other`` (as ``torch.kron`` and ``np.kron``)."""
        return geometry.kron(self, self._lift(other))


def _bincount(x: AnyTensor, weights: Any, minlength: Any, op: str, numpy: bool) -> AnyTensor:
    """``bincount`` with PyTorch's dtype rule (float32 and float64 weights keep theirs,
    others give float64) or NumPy's (``numpy``: float64 always; bool input allowed)."""
    if weights is not None:
        weights = x._lift(weights)
        if weights.dtype.kind not in "biuf":
            raise DTypeError(f"{op}: weights must be numbers; got {weights.dtype}")
        kept = weights.dtype in (np.float32, np.float64) and not numpy
        dtype = weights.dtype if kept else np.dtype(np.float64)
        if weights.dtype != dtype:
            weights = weights.astype(dtype)
    else:
        dtype = None
    return sets.bincount(x, weights, minlength, dtype, op, allow_bool=numpy)


def numpy_bincount(x: Any, weights: Any = None, minlength: int = 0) -> AnyTensor:
    """``np.bincount``: int64 counts, or float64 weighted sums (as NumPy), differentiable
    in the weights."""
    if not hasattr(x, "_lift"):  # np.bincount([0, 2], weights=w): NumPy reads the list
        x = weights._make(np.asarray(x), None)
    return _bincount(x, weights, minlength, "np.bincount", numpy=True)

