"""``OpMethods``: the Tensor methods of the second set of ops (``x.sin()``, ``x.prod()``,
``x.flip(dim=0)``, ``x.at[i].set(v)``...), a mixin of ``Tensor`` beside ``TensorMath``.
Each applies an op from ``autograd.ops`` (trig, special, scans, indexing, linalg_more).

Axis arguments accept NumPy's ``axis=`` and PyTorch's ``dim=`` (and ``keepdim=``).
``sort`` and ``repeat``, whose results depend on the spelling (NumPy's or PyTorch's), are in
``tensor_reductions`` and ``torch_methods``."""

from __future__ import annotations

from typing import Any

import numpy as np

from ._arrays import integers, numeric
from .at_index import At
from .clock import record_write
from .errors import DTypeError, InplaceError, ShapeError, TensorIndexError, UsageError
from .function import apply
from .grad_mode import STATE
from .inplace import check_fits, check_writable
from .inplace_shapes import check_update_shape
from .ops import indexing, linalg_more as linalg, scans
from .ops.reductions import pick_axis, pick_keepdims
from .ops.index_readings import put_index, refuse_none_in_indices
from .ops.shape import _index_arrays, refuse_uint8_index
from .rebase import (_read_earlier, refresh_views, _sliced_base, _whole_view_bases,
                     _write_into_sliced_base, _write_through)
from .write_checks import can_take_write, cannot_take_write, detached_constant
from .ops.special import (Ceil, Erf, Erfc, Expm1, Floor, FloorDivide, Log1p, Log2, Log10,
                          Reciprocal, Remainder, Round, Sign, Softplus, Square)
from .ops.trig import Arccos, Arcsin, Arctan, Arctan2, Cos, Cosh, Sin, Sinh, Tan
from .torch_arguments import joined_ints, pick_one, tile_reps, torch_index_add, widening_dtype
from .trace_axes import trace_axes
from .scalar_axis import as_vector, is_scalar_dim

__all__ = ["OpMethods"]


AnyTensor = Any  # a Tensor: this module sits below the Tensor class


class OpMethods:
    """The methods of the second set of ops (a mixin: ``Tensor`` is its only user)."""

    __slots__ = ()

    # ------------------------------------------------------------ elementwise
    def sin(self) -> AnyTensor:
        """sin x (radians); d/dx = cos x."""
        return apply(Sin(), self)
    def cos(self) -> AnyTensor:
        """cos x; d/dx = -sin x."""
        return apply(Cos(), self)
    def tan(self) -> AnyTensor:
        """tan x; d/dx = 1 + tan^2 x."""
        return apply(Tan(), self)
    def arcsin(self) -> AnyTensor:
        """The inverse sine; d/dx = 1 / sqrt(1 - x^2)."""
        return apply(Arcsin(), self)
    def arccos(self) -> AnyTensor:
        """The inverse cosine; d/dx = -1 / sqrt(1 - x^2)."""
        return apply(Arccos(), self)
    def arctan(self) -> AnyTensor:
        """The inverse tangent; d/dx = 1 / (1 + x^2)."""
        return apply(Arctan(), self)
    def sinh(self) -> AnyTensor:
        """sinh x; d/dx = cosh x."""
        return apply(Sinh(), self)
    def cosh(self) -> AnyTensor:
        """cosh x; d/dx = sinh x."""
        return apply(Cosh(), self)
    def log1p(self) -> AnyTensor:
        """ln(1 + x), accurate for small x."""
        return apply(Log1p(), self)
    def expm1(self) -> AnyTensor:
        """e^x - 1, accurate for small x."""
        return apply(Expm1(), self)
    def log2(self) -> AnyTensor:
        """The base-2 logarithm."""
        return apply(Log2(), self)
    def log10(self) -> AnyTensor:
        """The base-10 logarithm."""
        return apply(Log10(), self)
    def square(self) -> AnyTensor:
        """x^2; d/dx = 2x."""
        return apply(Square(), self)
    def reciprocal(self) -> AnyTensor:
        """1 / x; d/dx = -1 / x^2."""
        return apply(Reciprocal(), self)
    def erf(self) -> AnyTensor:
        """The error function; d/dx = 2/sqrt(pi) e^{-x^2}."""
        return apply(Erf(), self)

    def erfc(self) -> AnyTensor:
        """1 - erf(x), accurate for large x too; d/dx = -2/sqrt(pi) e^{-x^2}."""
        return apply(Erfc(), self)
    def softplus(self) -> AnyTensor:
        """ln(1 + e^x) without overflow; d/dx = sigmoid(x)."""
        return apply(Softplus(), self)
    def sign(self) -> AnyTensor:
        """-1, 0 or 1; the gradient is 0."""
        return apply(Sign(), self)
    def floor(self) -> AnyTensor:
        """The largest integer <= x; the gradient is 0."""
        return apply(Floor(), self)
    def ceil(self) -> AnyTensor:
        """The smallest integer >= x; the gradient is 0."""
        return apply(Ceil(), self)
    def round(self, decimals: int = 0) -> AnyTensor:
        """Rounded to ``decimals`` places (halves to even); the gradient is 0."""
        return apply(Round(decimals), self)

    def __floordiv__(self, other: Any) -> AnyTensor:
        """self // other = floor(self / other); the gradient is 0."""
        return apply(FloorDivide(), *self._pair(other))

    def __rfloordiv__(self, other: Any) -> AnyTensor:
        """other // self."""
        return apply(FloorDivide(), *self._pair(other)[::-1])

    def __mod__(self, other: Any) -> AnyTensor:
        """self % other = self - other floor(self / other) (other's sign, as NumPy);
        d/dself = 1, d/dother = -floor(self / other), as PyTorch."""
        return apply(Remainder(), *self._pair(other))

    def __rmod__(self, other: Any) -> AnyTensor:
        """other % self."""
        return apply(Remainder(), *self._pair(other)[::-1])

    def __divmod__(self, other: Any) -> tuple[AnyTensor, AnyTensor]:
        """(self // other, self % other), as Python's and NumPy's ``divmod``."""
        return self // other, self % other

    def __rdivmod__(self, other: Any) -> tuple[AnyTensor, AnyTensor]:
        """divmod(other, self)."""
        return other // self, other % self

    def arctan2(self, other: Any) -> AnyTensor:
        """The angle of the point (other, self): ``np.arctan2(self, other)``."""
        return apply(Arctan2(), *self._pair(other))

    # ------------------------------------------------------------ products, scans, norms
    def norm(self, ord: Any = None, axis: Any = None, keepdims: bool = False, *,  # noqa: A002
             dim: Any = None, keepdim: bool | None = None, p: Any = None,
             dtype: Any = None) -> AnyTensor:
        """Vector norm of any real order p, 0, inf or -inf (2: Frobenius) over ``axis`` (all
        when None), as ``torch.linalg.vector_norm`` (``p=`` is ``ord``; ``dtype``: cast first)."""
        axis = pick_axis(axis, dim, "norm", empty_dim_is_all=True)
        x = self if dtype is None else self.astype(widening_dtype("norm", self.dtype, dtype))
        return scans.norm(x, pick_one("norm", ord=ord, p=p), axis,
                          pick_keepdims(keepdims, keepdim, "norm"))

    def argmax(self, axis: Any = None, keepdims: bool = False, *, dim: Any = None,
               keepdim: bool | None = None) -> AnyTensor:
        """Index of the largest element (integer, no gradient; ties: the first)."""
        return scans.argfunction(np.argmax, self, pick_axis(axis, dim, "argmax"),
                                 pick_keepdims(keepdims, keepdim, "argmax"), "argmax")

    def argmin(self, axis: Any = None, keepdims: bool = False, *, dim: Any = None,
               keepdim: bool | None = None) -> AnyTensor:
        """Index of the smallest element (integer, no gradient; ties: the first)."""
        return scans.argfunction(np.argmin, self, pick_axis(axis, dim, "argmin"),
                                 pick_keepdims(keepdims, keepdim, "argmin"), "argmin")

    def argsort(self, axis: Any = -1, descending: bool = False, *, dim: Any = None,
                stable: bool = False) -> AnyTensor:
        """Indices that sort along ``axis`` (always stable, so PyTorch's ``stable=`` is
        taken and changes nothing; integers, no gradient)."""
        return scans.argsort(self, pick_axis(axis, dim, "argsort", -1), descending)

    # ------------------------------------------------------------ linear algebra
    def dot(self, tensor: Any) -> AnyTensor:
        """``np.dot``: inner product of vectors, matmul of matrices."""
        return linalg.dot(self, self._lift(tensor))

    def outer(self, vec2: Any) -> AnyTensor:
        """out[i, j] = self[i] vec2[j] of two vectors, as PyTorch's (``autograd.outer``,
        NumPy's, flattens other shapes first)."""
        vec2 = self._lift(vec2)
        if self.ndim != 1 or vec2.ndim != 1:
            raise ShapeError(f"outer: takes two 1-d tensors (as PyTorch's); got shapes "
                             f"{self.shape} and {vec2.shape}; autograd.outer(a, b) flattens")
        return self.reshape(-1, 1) * vec2.reshape(1, -1)

    def det(self) -> AnyTensor:
        """The determinant of each square matrix (last two axes)."""
        linalg.check_square(self, "det")
        return apply(linalg.Det(), self)

    def inv(self) -> AnyTensor:
        """The inverse of each square matrix."""
        linalg.check_square(self, "inv")
        return apply(linalg.Inv(), self)

    def trace(self, offset: int = 0, axis1: Any = None, axis2: Any = None) -> AnyTensor:
        """The sum of a diagonal: of a matrix, as ``torch.trace``; of the axis1 x axis2
        planes when one is given, as ``np.trace`` (see ``trace_axes``)."""
        return self.diagonal(offset, *trace_axes(self, axis1, axis2)).sum(-1)

    def diagonal(self, offset: int = 0, axis1: Any = None, axis2: Any = None, *,
                 dim1: Any = None, dim2: Any = None) -> AnyTensor:
        """A diagonal of the axis1 x axis2 planes (0 and 1 by default; PyTorch's dim1=,
        dim2=), as the last axis."""
        return linalg.diagonal(self, offset, pick_one("diagonal", 0, axis1=axis1, dim1=dim1),
                               pick_one("diagonal", 1, axis2=axis2, dim2=dim2))

    # ------------------------------------------------------------ shape and indexing
    def flip(self, axis: Any = None, *more: int, dim: Any = None, dims: Any = None
             ) -> AnyTensor:
        """Elements reversed along ``axis`` (all axes when None; PyTorch's ``dims=``, and
        its separate ints: ``x.flip(0, 1)`` is ``x.flip((0, 1))``)."""
        return indexing.flip(self, pick_axis(joined_ints(axis, more, "flip"),
                                             pick_one("flip", dim=dim, dims=dims), "flip"))

    def roll(self, shift: Any = None, axis: Any = None, *, dim: Any = None,
             shifts: Any = None, dims: Any = None) -> AnyTensor:
        """Elements shifted along ``axis`` with wrap-around, as ``np.roll`` (also PyTorch's
        ``shifts=``, ``dims=``): one number shifts every axis named, as NumPy's; shifts and
        axes both given as sequences pair up one to one, so their lengths must match."""
        shift = pick_one("roll", shift=shift, shifts=shifts)
        axis = pick_axis(axis, pick_one("roll", dim=dim, dims=dims), "roll",
                         empty_dim_is_all=True)  # dims=(): the flat tensor, as PyTorch
        if shift is None:
            raise UsageError("roll: needs shift (PyTorch's shifts=), the number of places "
                             "to move the elements; got none")
        steps = integers(shift, "roll: shift")  # 1.5, "1": a DTypeError
        if steps.ndim and np.ndim(axis) and steps.size != np.size(axis):  # as PyTorch
            raise UsageError(f"roll: shifts {shift!r} and axes {axis!r} do not pair up; give "
                             f"one shift per axis, or one number for all")
        # roll(x, (1, 2), 0) moves axis 0 by 3, as NumPy; with no axis, the flat x
        steps, axis = (steps.sum(), None) if axis is None else np.broadcast_arrays(steps, axis)
        return indexing.roll(self, steps, axis)

    def tile(self, reps: Any = None, *more: int, dims: Any = None) -> AnyTensor:
        """Repeated ``reps[k]`` times along axis k, as ``np.tile``; PyTorch's forms too:
        ``x.tile(2, 1)`` (separate ints), ``dims=``."""
        return indexing.tile(self, tile_reps(pick_one("tile", reps=reps, dims=dims), more))

    def tril(self, k: int | None = None, *, diagonal: int | None = None) -> AnyTensor:
        """The lower triangle of the last two axes (diagonal ``k`` and below; PyTorch's
        ``diagonal=``)."""
        return indexing.triangle(self, pick_one("tril", 0, k=k, diagonal=diagonal), True)
    def triu(self, k: int | None = None, *, diagonal: int | None = None) -> AnyTensor:
        """The upper triangle of the last two axes (diagonal ``k`` and above)."""
        return indexing.triangle(self, pick_one("triu", 0, k=k, diagonal=diagonal), False)

    def take_along_axis(self, indices: Any, axis: Any = None, *, dim: Any = None) -> AnyTensor:
        """Elements picked along ``axis`` by ``indices``, as ``np.take_along_axis``."""
        return indexing.take_along_axis(self, indices, pick_axis(axis, dim,
                                                                 "take_along_axis"))

    def pad(self, pad_width: Any, constant_values: float = 0.0) -> AnyTensor:
        """Constant padding with NumPy's ``pad_width``."""
        return indexing.pad(self, pad_width, constant_values)

    def index_put(self, indices: Any, values: Any, accumulate: bool = False) -> AnyTensor:
        """A copy with ``[indices] = values`` (differentiable in both; a list of index tensors
        is a tuple, one per leading axis: a None among them is refused, as PyTorch's);
        ``accumulate=True``: ``+= values``, repeats adding up (``index_add``)."""
        refuse_none_in_indices(indices, "index_put")
        return At(self, indices).put(values, accumulate, "index_put")

    def index_add(self, index: Any, v: Any = None, source: Any = None, *, dim: Any = None,
                  alpha: Any = 1) -> AnyTensor:
        """A copy with v added at ``[index]`` (repeated indices add up); PyTorch's form
        ``index_add(dim, index, source, alpha=1)`` too (see ``torch_index_add``)."""
        if source is not None or dim is not None:
            axis, position = (index, v) if dim is None else (dim, index)
            if is_scalar_dim(self, axis):  # PyTorch reads a 0-d tensor as shape (1,) here
                if np.ndim(getattr(source, "data", source)) != 0:  # but the source stays ()
                    raise ShapeError(f"index_add: source must have this 0-d tensor's shape "
                                     f"(), as in PyTorch; got {np.shape(source)}")
                return self.reshape(1).index_add(0, as_vector(position), as_vector(source),
                                                 alpha=alpha).reshape(())
            index, v = torch_index_add(self, index, v, source, dim, alpha)
        index = put_index(index)
        return indexing.index_add(self, _index_arrays(index, self.ndim),
                                  self._lift_value(v, "index_add"))

    def _lift_value(self, v: Any, what: str) -> AnyTensor:
        """v as a Tensor; numbers and arrays take this tensor's dtype (None, strings: a
        DTypeError naming ``what``)."""
        if isinstance(v, OpMethods):
            return v
        return self._lift(numeric(v, what).astype(self.dtype, copy=False))

    @property
    def at(self) -> "At":
        """Functional updates: ``x.at[index].set(v)`` and ``.add(v)`` return new tensors
        (differentiable in x and v); x is unchanged."""
        return At(self)

    def unsqueeze(self, dim: int) -> AnyTensor:
        """A size-1 axis inserted at ``dim`` (PyTorch's name for expand_dims)."""
        return self.expand_dims(dim)

    # ------------------------------------------------------------ item assignment
    def __setitem__(self, index: Any, value: Any) -> None:
        """``t[index] = value``. While recording, when t or value requires grad, it is
        differentiable as in PyTorch: t's history is rebased onto an index-put op (the
        gradient of t's new value reaches its old value and ``value``; ops that used t before
        still send theirs to the old value). t then holds a new array, and the views of t
        taken before are made again from it (``rebase.refresh_views``). A leaf that requires
        grad cannot be assigned into while recording (as in PyTorch): do that under
        ``no_grad()``. A part of another tensor (``out[i][j] = v``, also of a constant
        ``out``) writes through to it, as in PyTorch, and so does a whole reshape of
        computed tensors (``scores.reshape(-1, n)[mask] = -1e6``): each takes t's new value,
        reshaped. Otherwise the write goes into the array in place, untracked, like the other
        in-place operators. value's dtype: PyTorch's rule (``indexing.check_source_dtype``)."""
        refuse_uint8_index(index)
        value = indexing.strip_leading_ones(value, self)  # (1,) into a 0-d slot: PyTorch's
        parts = _index_arrays(index)
        indexing.check_source_dtype(self, parts, value, "t[index] = value", names=("value", "t"))
        tracked = isinstance(value, OpMethods) and value.requires_grad
        if STATE.grad_enabled and (self.requires_grad or tracked):
            self._rebase_onto_assignment(parts, value)
            return
        array = self.data
        check_writable(array, "t[index] = value")
        check_fits(value, array.dtype, "t[index] = value")
        where = _index_arrays(parts, array.ndim)
        try:
            array[where] = value.data if isinstance(value, OpMethods) else value
        except IndexError as exc:  # as reading t[index] names it
            raise TensorIndexError(f"t[index] = value: {exc} (tensor of shape "
                                   f"{array.shape})") from None
        except ValueError as exc:
            raise ShapeError(f"t[index] = value: {exc}") from None
        except (TypeError, OverflowError) as exc:  # OverflowError: 300 into uint8
            raise DTypeError(f"t[index] = value cannot store {type(value).__name__} in a "
                             f"{array.dtype} tensor: {exc}") from None
        record_write(array)

    def _rebase_onto_assignment(self, index: Any, value: Any) -> None:
        """``self[index] = value`` as an op: self takes the op's output as its value and
        the op as its history; the op keeps self's earlier identity as ``previous``, and
        the hooks registered so far, which see the old value's gradient (as PyTorch's)."""
        if self._op is None and self._requires_grad:
            raise InplaceError(
                "t[index] = value on a leaf tensor that requires grad, while recording: "
                "the gradient would have nowhere to go (PyTorch refuses it too). Assign "
                "under autograd.no_grad() (e.g. for initialisation), or write "
                "t2 = t.at[index].set(value) for a new, differentiable tensor.")
        source = detached_constant(self)  # self = source.detach(): source takes it too
        bases = [] if source is not None else _whole_view_bases(self)  # a reshape or
        sliced = _sliced_base(self) if bases is None else None  # transpose writes through
        if sliced is not None:  # to its bases; so do base[i], a diagonal
            return _write_into_sliced_base(self, sliced, index, value)
        if bases is None:
            raise cannot_take_write("t[index] = value", self, "into the base instead")
        value = self._lift_value(value, "t[index] = value")
        if value.dtype != self.dtype:
            value = value.astype(self.dtype)
        indexing.target_shape(self, index, value, "t[index] = value")
        earlier = self._earlier_self()
        value = earlier if value is self else value  # t[...] = t reads t's old value
        _read_earlier(value, self, earlier)
        out = apply(indexing.SetItem(index, earlier), earlier, value)
        if bases:  # a whole view of them: they take the value, self stays their view
            _write_through(bases, self, out, earlier, value)
        else:
            self._data, self._op, self._seq = out._data, out._op, out._seq
            self._requires_grad = True
            refresh_views(self, earlier._data)  # the views taken of self show its new value
            if source is not None:  # PyTorch's shared memory: source holds the new array
                source._data = self._data
                refresh_views(source, earlier._data, written_at=self._seq)
        record_write(self._data)  # the clock moves on: older ops check their parents

    def _earlier_self(self) -> AnyTensor:
        """self as it is, under its creation number, for self to take a new history: the
        hooks registered so far go with it (they see the old value's gradient)."""
        earlier = self._make(self._data, self._op)
        earlier._seq, earlier._requires_grad = self._seq, self._requires_grad
        earlier._hooks, self._hooks = self._hooks, None
        return earlier

    def _record_update(self, name: str, instead: str, compute: Any) -> AnyTensor:
        """An in-place update while recording (``x += y``, ``x.add_(y)``, ``x.relu_()``...),
        where x is computed or an operand requires grad: recorded as PyTorch records it, as
        ``x[...] = compute()`` (the rebase above: x keeps its dtype and shape and holds a
        new array, and views of x taken before show it). A view of another
        tensor writes through to it as ``t[index] = v`` does (a reshape, a transpose, a
        part base[i], a diagonal); other views are refused, as there.
        ``instead`` is the out-of-place form the errors suggest."""
        if not can_take_write(self):  # see the rebase
            raise cannot_take_write(f"in-place {name}", self, f"{instead} (a new tensor)")
        value = compute()
        check_update_shape(name, np.shape(value), self.shape)
        self._rebase_onto_assignment(_index_arrays(...), value)
        return self

    # ------------------------------------------------------------ conversion
    def tolist(self) -> Any:
        """The data as nested Python lists of Python numbers (a number for 0-d)."""
        return self.data.tolist()

