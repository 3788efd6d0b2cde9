"""``TorchSpellings``: PyTorch's names for what ``Tensor`` already does (a mixin of
``Tensor``): ``x.permute(1, 0)``, ``x.clamp(min=0)``, ``x.t()``, ``x.mT``,
``x.gather(1, idx)``, ``x.masked_fill(mask, 0)``, ``x.split(2, dim=1)``... (the dtype
and device spellings ``x.float()``, ``x.long()``, ``x.device`` are in its base
``dtype_device_methods``; ``x.view_as(y)``, ``x.new_zeros(2)`` and the like in
``torch_shapes``; ``x.view(2, 3)`` and ``x.view(dtype)`` in ``view_methods``).

Many users come from PyTorch, and these let their habits work. Each is a line or two
over an op that exists under its NumPy name, so the graph (and a drawing) shows that
op. Where NumPy and PyTorch disagree, NumPy wins (``x.size`` is the number of elements,
an int that may also be called as PyTorch's ``x.size(dim)``) or the spelling decides
(``x.max(dim=1)`` gives PyTorch's pair, ``x.max(axis=1)`` NumPy's values).
"""

from __future__ import annotations

import math
from typing import Any, Sequence

import numpy as np

from ._arrays import int_argument, positional_or_keyword
from .errors import DTypeError, ShapeError, TensorIndexError, UsageError
from .function import apply
from .inplace import check_fits
from .memory_formats import check_memory_format
from .ops import decompositions
from .ops.reductions import normalize_axis, pick_axis, pick_keepdims, single_axis
from .ops.shape import flattened_shape, memory_order
from .size_tuple import Size
from .tensor_math import where
from .ops.arithmetic import is_scalar
from .torch_arguments import alpha_overload, check_mask_value, integer_alpha
from .dtype_device_methods import DtypeDeviceMethods
from .torch_storage import StorageMethods
from .type_names import TypeMethods
from .scalar_axis import one_element_axis

__all__ = ["TorchSpellings", "ElementCount"]

AnyTensor = Any  # a Tensor: this module sits below the Tensor class

def _sizes(args: tuple) -> tuple:
    """``view(2, 3)`` and ``view((2, 3))`` alike."""
    return tuple(args[0]) if len(args) == 1 and isinstance(args[0], (tuple, list)) else args


class ElementCount(int):
    """``x.size``: the number of elements, an int (NumPy's spelling), that may also be
    called as PyTorch's ``x.size()`` (the shape) and ``x.size(dim)`` (one axis's length),
    so ``x.view(x.size(0), -1)`` works too."""

    def __new__(cls, count: int, shape: tuple[int, ...]) -> "ElementCount":
        number = super().__new__(cls, count)
        number.shape = shape
        return number

    def __call__(self, dim: int | None = None) -> Any:
        if dim is None:
            return Size(self.shape)  # a tuple the legacy BoolTensor(x.size()) reads as a size
        return self.shape[single_axis(dim, len(self.shape), "size")]

    def __reduce__(self) -> tuple:
        return int, (int(self),)  # pickled (and copied) as the plain int it is

    def __array_ufunc__(self, ufunc: Any, method: str, *inputs: Any, **kwargs: Any) -> Any:
        """NumPy takes a plain Python int as "weak" (``x32 / 5`` stays float32) but an
        int subclass as an int64 array: so NumPy sees the plain int."""
        inputs = tuple(int(i) if isinstance(i, ElementCount) else i for i in inputs)
        return getattr(ufunc, method)(*inputs, **kwargs)


class TorchSpellings(StorageMethods, TypeMethods, DtypeDeviceMethods):
    """PyTorch's method names over the existing ops (a mixin: ``Tensor`` is its user)."""

    __slots__ = ()

    # ------------------------------------------------------------ shape
    def permute(self, *axes: Any, dims: Any = None) -> AnyTensor:
        """The axes in the order ``dims`` (ints, or one sequence): ``x.permute(0, 1)`` is x;
        every axis once (``permute()`` of a matrix is an error, not NumPy's reversal)."""
        axes = positional_or_keyword("permute", axes, dims, "dims")
        return self.transpose(tuple(axes[0] if len(axes) == 1 and np.ndim(axes[0]) else axes))

    @property
    def mT(self) -> AnyTensor:
        """The last two axes swapped (a matrix, or a batch of them, transposed)."""
        return self._last_two_swapped("mT")

    def _last_two_swapped(self, name: str) -> AnyTensor:
        """``mT`` (and ``mH``, ``adjoint()``, the same on real tensors), refused for fewer
        than 2 axes with a message naming ``name``, the attribute called."""
        if self.ndim < 2:
            raise ShapeError(f"{name} needs a matrix or a batch of matrices (2 or more axes); "
                             f"got shape {self.shape}. Use .T for all axes reversed.")
        return self.swapaxes(-2, -1)

    def t(self) -> AnyTensor:
        """The transpose of a matrix (a 0-d or 1-d tensor is returned as it is)."""
        if self.ndim > 2:
            raise ShapeError(f"t() needs a tensor of at most 2 axes; got shape {self.shape}. "
                             f"Use transpose(...) or permute(...) to name the axes.")
        return self.transpose() if self.ndim == 2 else self

    def pinverse(self, rcond: float = 1e-15) -> AnyTensor:
        """The pseudo-inverse of each matrix, singular values <= rcond * the largest
        dropped, as PyTorch's ``pinverse``: ``autograd.linalg.pinv(x, rtol=rcond)``."""
        decompositions.check_matrix(self, "pinverse")
        atol, rtol = decompositions.tolerances(None, rcond, self, "pinverse")
        return apply(decompositions.Pinv(atol, rtol, False), self)

    def flatten(self, start_dim: int | str = 0, end_dim: int = -1, *,
                order: str | None = None) -> AnyTensor:
        """Axes ``start_dim..end_dim`` merged into one, as PyTorch (all by default: a 1-d
        tensor; ``x.flatten(1)`` flattens each sample of a batch). NumPy's
        ``flatten(order)`` works too: a string, "C" (row-major) or "F", is the order."""
        if isinstance(start_dim, str) or order is not None:
            if order is not None and (start_dim, end_dim) != (0, -1):
                raise UsageError(f"flatten: got order={order!r} (NumPy's) with start_dim/"
                                 f"end_dim (PyTorch's); pass one or the other")
            return self.ravel(memory_order(start_dim if order is None else order, "flatten"))
        return self.reshape(flattened_shape(self.shape, start_dim, end_dim))

    def unflatten(self, dim: int, sizes: Sequence[int]) -> AnyTensor:
        """Axis ``dim`` split into axes of ``sizes`` (one may be -1: the axis's length over
        the product of the others, which this axis alone decides, so an empty tensor's
        too), as PyTorch: the inverse of ``flatten``."""
        axis = single_axis(dim, self.ndim, "unflatten")
        sizes = tuple(int(n) for n in sizes)
        known = math.prod(n for n in sizes if n != -1)
        n = self.shape[axis]
        if not sizes or sizes.count(-1) > 1 or (n != known if -1 not in sizes else
                                                 known == 0 or n % known):
            raise ShapeError(f"unflatten: sizes {sizes} do not split axis {axis} of length "
                             f"{n} (shape {self.shape}); their product must be {n}, with "
                             f"at most one -1")
        sizes = tuple(n // known if k == -1 else k for k in sizes)
        return self.reshape(self.shape[:axis] + sizes + self.shape[axis + 1:])

    def expand(self, *sizes: Any, size: Any = None) -> AnyTensor:
        """Broadcast to ``sizes`` (-1 keeps an axis; new axes go in front)."""
        sizes = _sizes(positional_or_keyword("expand", sizes, size, "size"))
        if len(sizes) < self.ndim:
            raise ShapeError(f"expand: {len(sizes)} sizes for a tensor of shape {self.shape}; "
                             f"give at least one size per axis")
        return self.broadcast_to(sizes)

    def split(self, split_size: int | Sequence[int], dim: int = 0) -> tuple[AnyTensor, ...]:
        """Pieces along ``dim``: of ``split_size`` each (the last may be smaller; one empty
        piece for an empty axis, where the size may be 0, as PyTorch), or of the given
        sizes, which must add up to the axis. The keyword is PyTorch's method's,
        ``split_size``."""
        axis = single_axis(dim, self.ndim, "split")
        n = self.shape[axis]
        if np.ndim(getattr(split_size, "data", split_size)) == 0:
            split_size = int_argument("split", "split_size", split_size)
            if split_size < 0 or (split_size == 0 and n):
                raise ShapeError(f"split: a piece's size must be positive (0 only for an empty "
                                 f"axis, as PyTorch); got {split_size} for axis {axis} of "
                                 f"length {n}")
            sizes = [min(split_size, n - start)  # (an empty axis: none, so [0])
                     for start in range(0, n, max(split_size, 1))] or [0]
        else:
            sizes = [int_argument("split", "each size", k) for k in split_size]
            if sum(sizes) != n or any(k < 0 for k in sizes):
                raise ShapeError(f"split: sizes {sizes} must be >= 0 and add up to {n}, the "
                                 f"length of axis {axis} of shape {self.shape}")
        starts = np.cumsum([0] + sizes[:-1])
        lead = (slice(None),) * axis
        return tuple(self[lead + (slice(int(s), int(s) + k),)] for s, k in zip(starts, sizes))

    def chunk(self, chunks: int, dim: int = 0) -> tuple[AnyTensor, ...]:
        """At most ``chunks`` pieces of equal size along ``dim`` (the last may be smaller);
        an empty axis gives ``chunks`` empty pieces, as PyTorch."""
        if (chunks := int_argument("chunk", "chunks", chunks)) <= 0:
            raise ShapeError(f"chunk: chunks must be positive; got {chunks}")
        n = self.shape[single_axis(dim, self.ndim, "chunk")]
        return self.split(math.ceil(n / chunks) if n else [0] * chunks, dim)

    @one_element_axis
    def gather(self, dim: int, index: Any, *, sparse_grad: bool = False) -> AnyTensor:
        """out[..., i, ...] = self[..., index[..., i, ...], ...] along ``dim``, as PyTorch:
        ``index`` has self's number of axes and may be smaller on the others. PyTorch's
        ``sparse_grad`` is taken: the gradient is the same numbers, held dense either way.
        As PyTorch's, a 0-d index counts as 1-d: on a 1-d self it picks one element, 0-d."""
        index = np.asarray(getattr(index, "data", index))
        if index.dtype.kind not in "iu":  # a float buffer of actions, say
            raise DTypeError(f"gather: the index must hold integers, not {index.dtype} "
                             f"(as in PyTorch): write index.long()")
        if index.ndim == 0 and self.ndim == 1:
            return self.gather(dim, index.reshape(1)).reshape(())
        axis = single_axis(dim, self.ndim, "gather")
        if index.ndim != self.ndim or any(m > n for k, (m, n) in
                                          enumerate(zip(index.shape, self.shape)) if k != axis):
            raise ShapeError(f"gather: index of shape {index.shape} needs {self.ndim} axes, "
                             f"no longer than the input's {self.shape} except on dim {axis}")
        if index.size and (index.min() < 0 or index.max() >= self.shape[axis]):
            raise TensorIndexError(f"gather: index holds {index.min()}..{index.max()}; along "
                                   f"dim {axis} of shape {self.shape} 0..{self.shape[axis] - 1}")
        block = tuple(slice(None) if k == axis else slice(0, m)
                      for k, m in enumerate(index.shape))
        return self[block].take_along_axis(index, axis)

    # ------------------------------------------------------------ values
    def clamp(self, min: Any = None, max: Any = None) -> AnyTensor:  # noqa: A002
        """``clip`` (PyTorch's name and keywords)."""
        return self.clip(min, max)

    def clamp_min(self, min: Any) -> AnyTensor:  # noqa: A002
        """self limited from below: ``clamp(min=min)``."""
        if min is None:
            raise UsageError("clamp_min needs a bound (a number or a tensor); got None")
        return self.clip(min, None)

    def clamp_max(self, max: Any) -> AnyTensor:  # noqa: A002
        """self limited from above: ``clamp(max=max)``."""
        if max is None:
            raise UsageError("clamp_max needs a bound (a number or a tensor); got None")
        return self.clip(None, max)

    def masked_fill(self, mask: Any, value: Any) -> AnyTensor:
        """``value`` where ``mask`` is True, self elsewhere (the gradient flows to the
        kept elements), in self's dtype as PyTorch's, also for a 0-d tensor value (an int
        tensor filled with 1.5 stays int, a float32 one filled with a float64 tensor stays
        float32, as with ``masked_fill_``); a value self's dtype cannot hold is refused."""
        mask = np.asarray(getattr(mask, "data", mask))
        if mask.dtype != np.bool_:
            raise DTypeError(f"masked_fill: the mask must be boolean; got dtype {mask.dtype}")
        check_mask_value("masked_fill", value)
        check_fits(value, self.dtype, "masked_fill", integers=True)
        out = where(mask, value, self)
        return out if out.dtype == self.dtype else out.astype(self.dtype)

    def add(self, other: Any, *deprecated: Any, alpha: Any = None) -> AnyTensor:
        """self + alpha * other (PyTorch's deprecated ``x.add(alpha, other)`` warns)."""
        return self + self._alpha_times("add", other, deprecated, alpha)

    def sub(self, other: Any, *deprecated: Any, alpha: Any = None) -> AnyTensor:
        """self - alpha * other (PyTorch's deprecated ``x.sub(alpha, other)`` warns)."""
        return self - self._alpha_times("sub", other, deprecated, alpha)

    def _alpha_times(self, op: str, other: Any, deprecated: tuple, alpha: Any) -> Any:
        """alpha * other of ``add``/``sub``, in the dtype of self with other, as PyTorch
        scales it (int8 100 with alpha 2 is 200 beside a float32 or an int16 self, not
        int8's wrapped -56); a number is scaled by Python, exactly."""
        other, alpha = alpha_overload(op, other, deprecated, alpha)
        if alpha is None or alpha == 1:
            return other
        if is_scalar(other):
            return other * alpha
        other = self._lift(other)
        dtype = np.promote_types(self.dtype, other.dtype)
        return other._cast(dtype) * integer_alpha(dtype, alpha, op)  # (int: 2.5 refused)

    def mul(self, other: Any) -> AnyTensor:
        """self * other."""
        return self * other

    def div(self, other: Any, *, rounding_mode: str | None = None) -> AnyTensor:
        """self / other; with PyTorch's ``rounding_mode`` the quotient rounded down
        ("floor", which is ``self // other``) or toward 0 ("trunc"), of gradient 0 (as
        PyTorch). Integer tensors stay integer there."""
        if rounding_mode is None:
            return self / other
        if rounding_mode not in ("floor", "trunc"):
            raise UsageError(f"div: rounding_mode must be None, 'floor' or 'trunc'; got "
                             f"{rounding_mode!r}")
        floor = self // other
        if rounding_mode == "floor":
            return floor
        if floor.dtype.kind == "f":  # trunc(self / other) on floor's graph: both are
            with np.errstate(divide="ignore", invalid="ignore"):  # piecewise constant, of
                values = np.trunc(np.divide(*(t.data for t in self._pair(other))))
            return where(True, values.astype(floor.dtype), floor)  # gradient 0 (no 0 * inf)
        other = self._pair(other)[1].data  # integers: exact, without a float quotient
        round_up = ((self.data < 0) != (other < 0)) & ((self % other).data != 0)
        return floor + round_up.astype(floor.dtype)

    def neg(self) -> AnyTensor:
        """-self."""
        return -self

    def mm(self, mat2: Any) -> AnyTensor:
        """The product of two matrices (2-d only, as PyTorch's ``mm``; ``@`` for the rest)."""
        if self.ndim != 2 or np.ndim(mat2) != 2:
            raise ShapeError(f"mm: needs two matrices; got shapes {self.shape} and "
                             f"{np.shape(mat2)}. Use @ (matmul) for vectors and batches.")
        return self @ mat2

    def mv(self, vec: Any) -> AnyTensor:
        """A matrix times a vector, (n, m) @ (m,) -> (n,) (PyTorch's ``mv``; 2-d and 1-d)."""
        if self.ndim != 2 or np.ndim(vec) != 1:
            raise ShapeError(f"mv: needs a matrix and a vector; got shapes {self.shape} and "
                             f"{np.shape(vec)}. Use @ (matmul) for other shapes.")
        return self @ vec

    def clone(self, *, memory_format: Any = None) -> AnyTensor:
        """``copy``: own memory, and the gradient passes through (``memory_format``: see
        ``autograd.memory_formats``)."""
        check_memory_format(memory_format, "clone")
        return self.copy()

    # ------------------------------------------------------------ tests, no gradient
    def isnan(self) -> AnyTensor:
        """A boolean tensor: where self is NaN."""
        return self._make(np.isnan(self.data), None)

    def isinf(self) -> AnyTensor:
        """A boolean tensor: where self is +-inf."""
        return self._make(np.isinf(self.data), None)

    def isfinite(self) -> AnyTensor:
        """A boolean tensor: where self is neither NaN nor infinite."""
        return self._make(np.isfinite(self.data), None)

    def all(self, axis: Any = None, keepdims: bool = False, *, dim: Any = None,
            keepdim: bool | None = None) -> AnyTensor:
        """Whether every element (along ``axis``/``dim``) is true; a boolean tensor (uint8
        for a uint8 tensor, as PyTorch's)."""
        axis, keepdims = pick_axis(axis, dim, "all"), pick_keepdims(keepdims, keepdim, "all")
        if axis is not None:  # a named AxisError for a repeated or out-of-range axis
            axis = normalize_axis(axis, self.ndim, "all", scalar=True)
        truth = np.all(self.data, axis=axis, keepdims=keepdims)
        return self._make(_as_truth_dtype(truth, self.dtype), None)

    def any(self, axis: Any = None, keepdims: bool = False, *, dim: Any = None,
            keepdim: bool | None = None) -> AnyTensor:
        """Whether some element (along ``axis``/``dim``) is true; a boolean tensor (uint8
        for a uint8 tensor, as PyTorch's)."""
        axis, keepdims = pick_axis(axis, dim, "any"), pick_keepdims(keepdims, keepdim, "any")
        if axis is not None:  # a named AxisError for a repeated or out-of-range axis
            axis = normalize_axis(axis, self.ndim, "any", scalar=True)
        truth = np.any(self.data, axis=axis, keepdims=keepdims)
        return self._make(_as_truth_dtype(truth, self.dtype), None)


def _as_truth_dtype(truth: Any, dtype: np.dtype) -> np.ndarray:
    """``all``/``any``'s booleans as an array: uint8 (0 or 1) for a uint8 input, as
    PyTorch's (its old mask dtype), bool for every other."""
    return np.asarray(truth, dtype=np.uint8 if dtype == np.uint8 else np.bool_)
