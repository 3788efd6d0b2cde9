"""``TorchShapes``: PyTorch's Tensor methods that take their shape from another tensor or
cut one out (``view_as expand_as reshape_as narrow index_select masked_select``) or
slide windows over an axis (``unfold``), that
move axes (``movedim``/``moveaxis``), that embed an axis as diagonals (``diag_embed``),
that change the shape in place (``unsqueeze_ squeeze_ t_ transpose_ swapdims_
swapaxes_``) and that make new
constant tensors of self's dtype (``new_tensor new_empty new_zeros new_ones new_full``);
a mixin of ``Tensor``, beside ``torch_spellings.TorchSpellings``.

Each is a line or two over an op that exists (``reshape``, ``broadcast_to``, indexing),
so the graph shows that op. ``check_device`` is the one check of PyTorch's ``device=``:
the CPU is the only device here.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ._arrays import (as_dtype, as_size, check_representable, int_argument, is_int, numeric,
                      to_array)
from .clock import record_rebase, record_write
from .errors import DTypeError, InplaceError, ShapeError, TensorIndexError, UsageError
from .function import apply
from .grad_mode import STATE
from .layouts import check_layout
from .rebase import refresh_views
from .ops.reductions import normalize_axis, single_axis
from .ops.shape import ReshapeInPlace, TransposeInPlace, expanded_shape, swapped_axes
from .scalar_axis import one_element_axis
from .write_checks import can_take_write, cannot_take_write

__all__ = ["TorchShapes", "check_device"]

AnyTensor = Any  # a Tensor: this module sits below the Tensor class


def check_device(device: Any, where: str) -> None:
    """Nothing for ``device`` None, "cpu", "cpu:0" or ``torch.device("cpu")``; any other
    device (a GPU's name or number) is a ``UsageError``: this engine runs on the CPU."""
    if device is None or str(device).split(":")[0] == "cpu":
        return
    raise UsageError(f"{where}: there is no {str(device)!r} device (no GPU) here; this "
                     f"engine computes with NumPy on the CPU. Leave device= out or pass "
                     f"'cpu' (x.to('cpu') and x.cpu() are x).")




def _shape_of(other: Any, op: str) -> tuple[int, ...]:
    """``other``'s shape; a ``UsageError`` unless ``other`` is a Tensor (as PyTorch)."""
    if not isinstance(other, TorchShapes):
        raise UsageError(f"{op} needs a Tensor whose shape to take; got "
                         f"{type(other).__name__}. For a shape, use x.reshape(shape) or "
                         f"x.broadcast_to(shape).")
    return other.shape


class TorchShapes:
    """PyTorch's method names over the existing ops (a mixin: ``Tensor`` is its user)."""

    __slots__ = ()

    # ------------------------------------------------------------ shape from another tensor
    def view_as(self, other: AnyTensor) -> AnyTensor:
        """self reshaped to ``other``'s shape (``reshape``, as ``view``)."""
        return self.reshape(_shape_of(other, "view_as"))

    def reshape_as(self, other: AnyTensor) -> AnyTensor:
        """self reshaped to ``other``'s shape."""
        return self.reshape(_shape_of(other, "reshape_as"))

    def expand_as(self, other: AnyTensor) -> AnyTensor:
        """self broadcast to ``other``'s shape (the gradient is summed back)."""
        return self.expand(*_shape_of(other, "expand_as"))

    # ------------------------------------------------------------ pieces
    def narrow(self, dim: int, start: int, length: int) -> AnyTensor:
        """The ``length`` elements from ``start`` along ``dim`` (``start`` < 0 counts from
        the end), as ``x[:, start:start + length]`` for dim 1."""
        axis = single_axis(dim, self.ndim, "narrow")
        start, length = (int_argument("narrow", name, value)
                         for name, value in (("start", start), ("length", length)))
        n = self.shape[axis]
        begin = start + n if start < 0 else start
        if not -n <= start <= n or length < 0 or begin + length > n:
            raise ShapeError(f"narrow: start {start} and length {length} do not fit in axis "
                             f"{axis} of length {n} (shape {self.shape}); start must be in "
                             f"[-{n}, {n}], length >= 0, and start + length <= {n}")
        return self[(slice(None),) * axis + (slice(begin, begin + length),)]

    @one_element_axis
    def index_select(self, dim: int, index: Any) -> AnyTensor:
        """The slices at ``index`` (a 1-d integer tensor, may repeat) along ``dim``, as
        PyTorch: ``x.index_select(1, i)`` is ``x[:, i]``. The gradient of a repeated slice
        adds up."""
        if not isinstance(index, (TorchShapes, np.ndarray)):
            raise UsageError(f"index_select: index must be a 1-d integer tensor; got "
                             f"{type(index).__name__}. Wrap it: autograd.tensor(i).long()")
        index = np.asarray(getattr(index, "data", index))
        if index.dtype.kind not in "iu":
            raise DTypeError(f"index_select: index must hold integers; got dtype "
                             f"{index.dtype}. Convert it: index.long()")
        if index.ndim > 1:
            raise ShapeError(f"index_select: index must be 1-d (or 0-d); got shape "
                             f"{index.shape}. For other shapes use x[index] or gather.")
        axis = single_axis(dim, self.ndim, "index_select")
        n = self.shape[axis]
        if index.size and (index.min() < 0 or index.max() >= n):
            raise TensorIndexError(f"index_select: index holds {index.min()}..{index.max()}; "
                                   f"positions along dim {axis} of shape {self.shape} are "
                                   f"0..{n - 1} (PyTorch takes no negative index either)")
        return self[(slice(None),) * axis + (index.reshape(-1),)]

    def take(self, index: Any) -> AnyTensor:
        """PyTorch's flat indexing: ``self.reshape(-1)[index]``, shaped as ``index`` (an
        integer tensor; negative entries count from the end). Repeated entries add their
        gradients."""
        if not isinstance(index, (TorchShapes, np.ndarray)):
            raise UsageError(f"take: index must be an integer tensor; got "
                             f"{type(index).__name__}. Wrap it: autograd.tensor(i)")
        index = np.asarray(getattr(index, "data", index))
        if index.dtype.kind not in "iu":
            raise DTypeError(f"take: index must hold integers; got dtype {index.dtype}. "
                             f"Convert it: index.long()")
        n = self.numel()
        bad = index[(index < -n) | (index >= n)]
        if bad.size:
            raise TensorIndexError(f"take: index {bad.flat[0]} is out of range for a tensor "
                                   f"of {n} elements (shape {self.shape}): -{n}..{n - 1}")
        return self.reshape(-1)[index]

    def unfold(self, dimension: int, size: int, step: int) -> AnyTensor:
        """Sliding windows, as PyTorch's: the n = (L - size) // step + 1 windows
        ``x[i*step : i*step + size]`` along ``dimension`` (length L) replace that axis, a new
        last axis holds each window (``img.unfold(2, p, p).unfold(3, p, p)`` cuts patches).
        A copy here (PyTorch: a view); overlapping windows' gradients add up."""
        size, step = int_argument("unfold", "size", size), int_argument("unfold", "step", step)
        if step <= 0:
            raise UsageError(f"unfold: step is {step} but must be > 0")
        if size < 0:
            raise UsageError(f"unfold: size is {size} but must be >= 0")
        if self.ndim == 0:  # PyTorch: a 0-d tensor is one axis of length 1 here
            return self.reshape(1).unfold(0, size, step).reshape(size)
        axis = single_axis(dimension, self.ndim, "unfold")
        if size > self.shape[axis]:
            raise ShapeError(f"unfold: maximum size for dimension {axis} is "
                             f"{self.shape[axis]} but size is {size} (shape {self.shape})")
        starts = np.arange((self.shape[axis] - size) // step + 1) * step
        windows = starts[:, None] + np.arange(size)  # (n, size) positions along axis
        return self[(slice(None),) * axis + (windows,)].movedim(axis + 1, -1)

    def movedim(self, source: Any, destination: Any) -> AnyTensor:
        """Axes ``source`` (an int or a sequence) moved to ``destination``, the others
        keeping their order (PyTorch's ``movedim``/``moveaxis``, NumPy's ``moveaxis``)."""
        if self.ndim == 0:  # PyTorch: dim 0 (or -1) of a 0-d tensor is its one element
            for axes in (source, destination):
                normalize_axis(axes, 0, "movedim", scalar=True)  # another one raises
            return self.reshape(())
        src, dst = ([single_axis(a, self.ndim, "movedim") for a in
                     (list(d) if isinstance(d, (tuple, list)) else [d])]
                    for d in (source, destination))
        if len(src) != len(dst) or len(set(src)) < len(src) or len(set(dst)) < len(dst):
            raise ShapeError(f"movedim: source {source} and destination {destination} "
                             f"must name as many axes, none repeated")
        order = [a for a in range(self.ndim) if a not in src]
        for d, s in sorted(zip(dst, src)):
            order.insert(d, s)
        return self.transpose(order)

    moveaxis = movedim

    def diagflat(self, offset: int = 0) -> AnyTensor:
        """The square matrix with self's entries (flattened) on diagonal ``offset`` (above
        the main one if > 0) and 0 elsewhere, as PyTorch's ``diagflat``: n + |offset|
        rows for n entries."""
        return self.reshape(-1).diag_embed(offset)

    def diag_embed(self, offset: int = 0, dim1: int = -2, dim2: int = -1) -> AnyTensor:
        """Matrices (axes ``dim1``, ``dim2`` of the result) with the last axis of self on
        diagonal ``offset`` (above the main one if > 0) and 0 elsewhere, one per element of
        the other axes, as PyTorch's ``diag_embed``: ``diag_embed(sigma)`` of (n, k)
        standard deviations is n diagonal k x k scale matrices."""
        if self.ndim < 1:
            raise ShapeError("diag_embed: needs at least one axis (the diagonal's values); "
                             "got a 0-d tensor")
        offset = int_argument("diag_embed", "offset", offset)
        d1, d2 = (single_axis(d, self.ndim + 1, "diag_embed") for d in (dim1, dim2))
        if d1 == d2:
            raise ShapeError(f"diag_embed: dim1 and dim2 must be different axes; got "
                             f"{dim1} and {dim2}")
        m = self.shape[-1]
        n = m + abs(offset)
        rows = np.arange(m) + max(-offset, 0)
        out = self.new_zeros(*self.shape[:-1], n, n).index_put(
            (Ellipsis, rows, rows + offset), self)
        return out.movedim((-2, -1), (d1, d2))

    def masked_select(self, mask: Any) -> AnyTensor:
        """The elements of self where the boolean ``mask`` is True, as a 1-d tensor (self
        and mask broadcast together first; the gradient flows back to those elements)."""
        mask = np.asarray(getattr(mask, "data", mask))
        if mask.dtype != np.bool_:
            raise DTypeError(f"masked_select: the mask must be boolean; got dtype {mask.dtype}")
        try:
            shape = np.broadcast_shapes(self.shape, mask.shape)
        except ValueError:
            raise ShapeError(f"masked_select: the mask of shape {mask.shape} does not "
                             f"broadcast with the tensor's shape {self.shape}") from None
        source = self if self.shape == shape else self.broadcast_to(shape)
        return source[np.broadcast_to(mask, shape)]

    # ------------------------------------------------------------ in-place views
    def _view_in_place(self, op: Any, name: str, instead: str) -> AnyTensor:
        """self takes ``op``'s output, a view of its memory in a new shape, as its value (the
        elements stay, views of self taken before keep their shape). While recording, when
        self requires grad, self's history becomes ``op`` applied to self as it was
        (``op.previous``), to which the ops that read self before send their gradients. A
        leaf that requires grad is refused then, as PyTorch refuses it, and so is a view
        that cannot take a write (``can_take_write``: a view of such a leaf)."""
        if not (STATE.grad_enabled and self._requires_grad):
            self._data = op.forward(self._data)
            record_write(self._data)  # an op that saved it refuses (PyTorch: its version)
            return self
        if self._op is None:
            raise InplaceError(
                f"{name} on a leaf tensor that requires grad, while recording: its "
                f"gradient would have nowhere to go (PyTorch refuses it too). Write "
                f"{instead} (a new tensor), or change it under autograd.no_grad().")
        if not can_take_write(self):  # a view of a leaf that requires grad: refused too
            raise cannot_take_write(name, self, f"{instead} (a new tensor)")
        op.previous = earlier = self._earlier_self()
        out = apply(op, earlier)
        self._data, self._op, self._seq = out._data, out._op, out._seq
        record_rebase()
        refresh_views(self, earlier._data)  # its views: of self shaped back (view_frames),
        return self                         # so that a write into one goes through to self

    def unsqueeze_(self, dim: int) -> AnyTensor:
        """``unsqueeze(dim)`` in place: a size-1 axis inserted at ``dim``; returns self."""
        shape = expanded_shape(self.shape, dim)
        return self._view_in_place(ReshapeInPlace(shape), "unsqueeze_",
                                   f"x = x.unsqueeze({dim})")

    def squeeze_(self, *dims: Any, dim: Any = None) -> AnyTensor:
        """``squeeze(...)`` in place: size-1 axes removed (all, or those named; a named
        axis longer than 1 stays, as PyTorch's); returns self."""
        shape = self.detach().squeeze(*dims, dim=dim).shape
        return self._view_in_place(ReshapeInPlace(shape), "squeeze_", "x = x.squeeze(...)")

    def transpose_(self, dim0: int, dim1: int) -> AnyTensor:
        """``transpose(dim0, dim1)`` in place: two axes exchanged; returns self."""
        axes = swapped_axes(self.shape, dim0, dim1)
        return self._view_in_place(TransposeInPlace(axes), "transpose_",
                                   f"x = x.transpose({dim0}, {dim1})")

    swapdims_ = transpose_

    def swapaxes_(self, axis0: int, axis1: int) -> AnyTensor:
        """``transpose_`` under PyTorch's names for ``swapaxes``: two axes exchanged."""
        return self.transpose_(axis0, axis1)

    def t_(self) -> AnyTensor:
        """``t()`` in place: a matrix transposed (a 0-d or 1-d tensor stays, but is refused
        as every in-place change on a leaf that requires grad, as PyTorch's); returns self."""
        if self.ndim > 2:
            raise ShapeError(f"t_() needs a tensor of at most 2 axes; got shape "
                             f"{self.shape}. Use transpose_(dim0, dim1) to name the axes.")
        return self.transpose_(0, -1)  # the identity below 2 axes

    # ------------------------------------------------------------ new constant tensors
    def _new(self, array: np.ndarray, dtype: Any, device: Any, requires_grad: bool,
             op: str, layout: Any = None) -> AnyTensor:
        """A new leaf holding ``array`` as ``dtype`` (self's if None): a plain Tensor, as
        PyTorch's (a Parameter's ``new_zeros`` is no Parameter); ``layout``: strided."""
        check_device(device, op)
        check_layout(layout, op)
        dtype = self.dtype if dtype is None else as_dtype(dtype, f"{op}: dtype")
        plain = type(self.detach())  # autograd's Tensor, which this mixin cannot import
        return plain(array.astype(dtype, copy=False), requires_grad=requires_grad)

    def new_tensor(self, data: Any, dtype: Any = None, device: Any = None,
                   requires_grad: bool = False) -> AnyTensor:
        """A new leaf holding a copy of ``data``, of self's dtype unless ``dtype`` says
        (as PyTorch: ``x32.new_tensor([1, 2])`` is float32); Python numbers must fit it,
        as in ``tensor(data, dtype=)``. A tensor that requires grad is refused, as
        ``tensor(h)`` refuses it (a copy would leave the graph)."""
        if getattr(data, "_requires_grad", False) is True:
            raise UsageError("new_tensor(h) of a tensor h that requires grad would copy its "
                             "values out of the graph. Use h.clone() to stay in the graph, "
                             "or h.detach().clone() for constant values.")
        dtype = self.dtype if dtype is None else as_dtype(dtype, "new_tensor: dtype")
        return self._new(np.array(to_array(data, dtype), copy=True), dtype, device,
                         requires_grad, "new_tensor")

    def ndimension(self) -> int:
        """The number of axes, as PyTorch's older ``x.ndimension()`` (``x.dim()``)."""
        return self.ndim

    def new(self, *args: Any, dtype: Any = None, device: Any = None) -> AnyTensor:
        """PyTorch's legacy constructor: ``x.new(2, 3)`` or ``x.new(x.shape)`` (sizes: as
        ``new_empty``), ``x.new([1, 2])`` (data: as ``new_tensor``), ``x.new()`` (empty).
        A tuple of ints is a size (torch.Size is one; shapes are tuples here)."""
        if not args:
            return self.new_empty(0, dtype=dtype, device=device)
        single = args[0] if len(args) == 1 else None
        if all(is_int(a) for a in args) or (isinstance(single, tuple)
                                            and all(is_int(a) for a in single)):
            return self.new_empty(*args, dtype=dtype, device=device)
        if single is not None:
            return self.new_tensor(single, dtype=dtype, device=device)
        raise UsageError(f"new: takes sizes (ints) or one sequence of data; got {args!r}")

    def new_empty(self, *sizes: Any, size: Any = None, dtype: Any = None, device: Any = None,
                  requires_grad: bool = False, layout: Any = None) -> AnyTensor:
        """A new tensor of ``size`` of self's dtype: zeros here (PyTorch's are arbitrary
        values; never read them before writing)."""
        shape = as_size(sizes, "new_empty", size)
        return self._new(np.zeros(shape), dtype, device, requires_grad, "new_empty", layout)

    def new_zeros(self, *sizes: Any, size: Any = None, dtype: Any = None, device: Any = None,
                  requires_grad: bool = False, layout: Any = None) -> AnyTensor:
        """A new tensor of zeros of ``size``, of self's dtype unless ``dtype`` says."""
        shape = as_size(sizes, "new_zeros", size)
        return self._new(np.zeros(shape), dtype, device, requires_grad, "new_zeros", layout)

    def new_ones(self, *sizes: Any, size: Any = None, dtype: Any = None, device: Any = None,
                 requires_grad: bool = False, layout: Any = None) -> AnyTensor:
        """A new tensor of ones of ``size``, of self's dtype unless ``dtype`` says."""
        shape = as_size(sizes, "new_ones", size)
        return self._new(np.ones(shape), dtype, device, requires_grad, "new_ones", layout)

    def new_full(self, size: Any, fill_value: Any, *, dtype: Any = None, device: Any = None,
                 requires_grad: bool = False, layout: Any = None) -> AnyTensor:
        """A new tensor of ``size`` filled with ``fill_value``, of self's dtype unless
        ``dtype`` says."""
        dtype = self.dtype if dtype is None else as_dtype(dtype, "new_full: dtype")
        shape, fill = as_size((size,), "new_full"), numeric(fill_value, "new_full: fill_value")
        if fill.ndim:  # PyTorch's takes one number
            raise UsageError(f"new_full: fill_value is one number; got shape {fill.shape}")
        check_representable(fill, dtype, "new_full: fill_value")
        return self._new(np.full(shape, fill, dtype), dtype, device, requires_grad, "new_full",
                         layout)
