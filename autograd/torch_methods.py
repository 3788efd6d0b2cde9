"""``TorchMethods``: more of PyTorch's Tensor methods (a mixin of ``Tensor``, beside
``torch_spellings.TorchSpellings``): the kind (``is_sparse is_floating_point is_complex
element_size``), the comparisons by name (``x.eq(y)``, ``x.lt(0)``), ``allclose equal``,
``bmm addmm``, ``amax amin unbind diag`` (``topk`` is in ``order_methods``), ``rsqrt where
nan_to_num lerp addcmul addcdiv scatter scatter_add`` (``scatter_`` is in ``inplace``,
beside the other in-place methods; ``scatter_target`` is the part the two share), the
matrix methods ``inverse slogdet logdet cholesky matrix_power``, and ``repeat`` (NumPy's
or PyTorch's, as spelled) with ``repeat_interleave``.
"""

from __future__ import annotations

from typing import Any, NamedTuple

import numpy as np

from ._arrays import numeric
from .closeness import close_arrays
from .dtypes import result_type
from .errors import DTypeError, ShapeError, TensorIndexError, UsageError
from .hooks import PostAccumulateHook, RemovableHandle, add_hook
from .ops import indexing, linalg_more
from .ops.reductions import pick_axis, single_axis
from .tensor_math import where
from .torch_arguments import keyword_factors, number_first, repeat_spelling
from .scalar_axis import one_element_axis
from .integer_scalars import integral_scalar
from .float_only import require_float
from .dtype_refusals import require_comparable

__all__ = ["TorchMethods", "SlogDet", "scatter_target"]

AnyTensor = Any  # a Tensor: this module sits below the Tensor class


class SlogDet(NamedTuple):
    """What ``slogdet`` gives, as PyTorch's: ``sign, logabsdet = x.slogdet()``."""
    sign: AnyTensor
    logabsdet: AnyTensor


def _array(x: Any) -> np.ndarray:
    """A tensor's array; numbers and array-likes as NumPy makes them."""
    return np.asarray(getattr(x, "data", x))


def no_integer_division(op: str, t1: Any, t2: Any) -> None:
    """DTypeError for two integer tensors, which PyTorch's addcdiv refuses too."""
    if _array(t1).dtype.kind in "biu" and _array(t2).dtype.kind in "biu":
        raise DTypeError(f"{op}: tensor1 and tensor2 are both integers, and PyTorch refuses "
                         f"their division here (its old one truncated); convert one first "
                         f"(tensor1.double()) for a true division")


def _all_if_empty(dim: Any) -> Any:
    """PyTorch's "no dims" of amax/amin, () or [], means every axis (None); NumPy's
    axis=() would reduce none."""
    return None if isinstance(dim, (tuple, list)) and len(dim) == 0 else dim


def _close_operand(name: str, t: Any, other: Any, rtol: Any, atol: Any) -> np.ndarray:
    """``other`` as an array ``allclose``/``isclose`` can compare with ``t``: numeric
    (else ``DTypeError``), broadcasting with it (else ``ShapeError``); rtol, atol numbers."""
    b = _array(other)
    if b.dtype.kind not in "biuf":
        raise DTypeError(f"{name}: compares with numbers, numeric arrays and tensors; got "
                         f"{type(other).__name__} of dtype {b.dtype}")
    if any(numeric(tolerance, f"{name}: rtol and atol").ndim for tolerance in (rtol, atol)):
        raise UsageError(f"{name}: rtol and atol are numbers; got {rtol!r:.20}, {atol!r:.20}")
    if rtol < 0 or atol < 0:
        raise UsageError(f"{name}: rtol and atol must be >= 0 (as PyTorch's); got rtol={rtol}, "
                         f"atol={atol}")
    try:
        np.broadcast_shapes(t.shape, b.shape)
    except ValueError:
        raise ShapeError(f"{name}: shapes {t.shape} and {b.shape} do not broadcast; compare "
                         f"tensors of matching shapes") from None
    return b


def scatter_target(t: Any, dim: int, index: Any, src: Any, value: Any, reduce: Any,
                   name: str) -> tuple[tuple, Any]:
    """(where ``t.scatter(dim, index, src)`` writes, as a NumPy index; what it writes
    there: ``src`` cut to index's shape, or the number ``value``), with PyTorch's rules
    for index (integers in range, as many axes as t, no longer than t off ``dim``, nor
    than src) and src (t's dtype). A number as src is the value; a 0-d tensor src is
    PyTorch's one value of shape (1,), so it fits a 0-d or 1-d index only."""
    if reduce is not None:
        raise UsageError(f"{name}: reduce= is not taken here (PyTorch deprecates it); "
                         f"write scatter_reduce(dim, index, src, 'sum' or 'prod')")
    index = np.asarray(getattr(index, "data", index))
    if src is not None and np.ndim(getattr(src, "data", src)) == 0:
        if not isinstance(src, TorchMethods):  # scatter(1, i, 1.0)
            src, value = None, src if value is None else value
        elif index.ndim > 1:
            raise ShapeError(f"{name}: src is a 0-d tensor, which PyTorch takes as shape (1,): "
                             f"it fits a 0-d or 1-d index, not one of shape {index.shape}; "
                             f"pass src.expand(index.shape)"
                             + (", or a number as the value" if name.rstrip("_") == "scatter"
                                else ""))
        else:
            src = src.reshape(1)
    if (src is None) == (value is None):
        raise UsageError(f"{name}: give the values to write, src (a tensor) or value (a "
                         f"number), one of them; got {'both' if src is not None else 'none'}")
    if index.dtype.kind not in "iu":
        raise DTypeError(f"{name}: index must be an integer tensor (of positions along dim "
                         f"{dim}); got dtype {index.dtype}. Convert it: index.long()")
    axis = single_axis(dim, t.ndim, name)
    if index.ndim == 0 and t.ndim == 1:  # one position, as PyTorch takes it for a 1-d self:
        index = index.reshape(1)         # the one-hot zeros(10).scatter_(0, tensor(y), 1)
    if src is not None:
        src_name = "source" if name.startswith("index_") else "src"  # index_reduce's
        indexing.check_source_dtype(t, index, src, name, always=True, names=(src_name, "self"))
        src = src if isinstance(src, TorchMethods) else t._lift_value(src, name)
    bigger = index.ndim != t.ndim or any(
        m > n for k, (m, n) in enumerate(zip(index.shape, t.shape)) if k != axis) or (
        src is not None and (src.ndim != index.ndim or
                             any(m > n for m, n in zip(index.shape, src.shape))))
    if bigger:
        raise ShapeError(f"{name}: index of shape {index.shape} needs {t.ndim} axes, no "
                         f"longer than self's {t.shape} except on dim {axis}"
                         + (f", nor than src's {src.shape}" if src is not None else ""))
    if index.size and (index.min() < 0 or index.max() >= t.shape[axis]):
        raise TensorIndexError(f"{name}: index holds {index.min()}..{index.max()}; positions "
                               f"along dim {axis} of shape {t.shape} are 0..{t.shape[axis] - 1}")
    grids = list(np.indices(index.shape, sparse=True))
    grids[axis] = index
    if src is None:
        return tuple(grids), value
    return tuple(grids), src[tuple(slice(0, m) for m in index.shape)]


class TorchMethods:
    """PyTorch's method names over the existing ops (a mixin: ``Tensor`` is its user)."""

    __slots__ = ()

    # ------------------------------------------------------------ kind
    def is_floating_point(self) -> bool:
        """Whether the dtype is floating (float16/32/64), as PyTorch's."""
        return self.dtype.kind == "f"

    def is_complex(self) -> bool:
        """Whether the dtype is complex, as PyTorch's."""
        return self.dtype.kind == "c"

    def element_size(self) -> int:
        """Bytes per element (8 for float64), as PyTorch's."""
        return self.dtype.itemsize

    # ------------------------------------------------------------ repeat
    def repeat(self, *position: Any, repeats: Any = None, axis: Any = None,
               dim: Any = None) -> AnyTensor:
        """NumPy's ``x.repeat(2, axis=0)`` (each element repeated along ``axis``; the
        flattened tensor when None) or PyTorch's ``x.repeat(2, 1, 3)`` (the whole tensor
        repeated: ``tile``), as the spelling says (``torch_arguments.repeat_spelling``)."""
        axis = pick_axis(axis, dim, "repeat")
        how, counts = repeat_spelling(self.ndim, position, repeats, axis, self._data.size)
        if how == "tile":
            return self.tile(counts)
        return indexing.repeat(self, counts, axis)

    def repeat_interleave(self, repeats: Any, dim: Any = None, *,
                          output_size: int | None = None) -> AnyTensor:
        """PyTorch's name for NumPy's ``repeat``: each element ``repeats`` times (an int,
        or one count per element) along ``dim`` (the flattened tensor when None)."""
        out = indexing.repeat(self, np.asarray(repeats), dim)
        length = out.shape[0 if dim is None else dim]
        if output_size is not None and length != output_size:
            raise ShapeError(f"repeat_interleave: output_size={output_size} but the "
                             f"repeats give {length}")
        return out

    # ------------------------------------------------------------ comparisons (constants)
    def eq(self, other: Any) -> AnyTensor:
        """self == other, a boolean constant; a str or None is a DTypeError, as PyTorch's."""
        require_comparable("eq", other)
        return self == other

    def ne(self, other: Any) -> AnyTensor:
        """self != other, a boolean constant; a str or None is a DTypeError, as PyTorch's."""
        require_comparable("ne", other)
        return self != other

    def lt(self, other: Any) -> AnyTensor:
        """self < other, a boolean constant."""
        return self < other

    def le(self, other: Any) -> AnyTensor:
        """self <= other, a boolean constant."""
        return self <= other

    def gt(self, other: Any) -> AnyTensor:
        """self > other, a boolean constant."""
        return self > other

    def ge(self, other: Any) -> AnyTensor:
        """self >= other, a boolean constant."""
        return self >= other

    def allclose(self, other: Any, rtol: float = 1e-05, atol: float = 1e-08,
                 equal_nan: bool = False) -> bool:
        """Whether ``isclose`` holds for every element (NaN is close to NaN only with
        ``equal_nan``, an infinity only to itself), the two broadcast: a Python bool."""
        b = _close_operand("allclose", self, other, rtol, atol)
        return bool(close_arrays(self.data, b, rtol, atol, equal_nan).all())

    def isclose(self, other: Any, rtol: float = 1e-05, atol: float = 1e-08,
                equal_nan: bool = False) -> AnyTensor:
        """Elementwise self == other or |self - other| <= atol + rtol * |other| (finite), a
        boolean constant tensor (as PyTorch's: an infinity is close only to itself; also
        ``np.isclose(t, ...)``, which runs this)."""
        b = _close_operand("isclose", self, other, rtol, atol)
        return self._make(close_arrays(self.data, b, rtol, atol, equal_nan), None)

    def equal(self, other: Any) -> bool:
        """Whether self and other have the same shape and the same elements (NaN equals
        nothing): a Python bool, as PyTorch's (no error for other shapes)."""
        b = _array(other)
        return self.shape == b.shape and bool(np.array_equal(self.data, b))

    # ------------------------------------------------------------ matrix products
    def bmm(self, mat2: Any) -> AnyTensor:
        """The product of two batches of matrices, (b, n, m) @ (b, m, p) -> (b, n, p): 3-d
        only and the same batch size, as PyTorch's ``bmm`` (``@`` broadcasts)."""
        a, b = self.shape, np.shape(mat2)
        if len(a) != 3 or len(b) != 3 or a[0] != b[0] or a[2] != b[1]:
            raise ShapeError(f"bmm: needs batches of matrices (b, n, m) and (b, m, p); got "
                             f"shapes {a} and {b}. Use @ (matmul) for other shapes and to "
                             f"broadcast the batch.")
        return self @ mat2

    def addmm(self, mat1: Any, mat2: Any, *, beta: Any = 1, alpha: Any = 1) -> AnyTensor:
        """beta * self + alpha * (mat1 @ mat2), of two matrices (self broadcasts). With
        ``beta=0`` self's values are ignored (NaN and inf too; its gradient is 0), as in
        PyTorch."""
        if np.ndim(mat1) != 2 or np.ndim(mat2) != 2:
            raise ShapeError(f"addmm: mat1 and mat2 must be matrices; got shapes "
                             f"{np.shape(mat1)} and {np.shape(mat2)}")
        return self._plus_scaled(self._lift(mat1) @ mat2, beta, alpha)  # batch_products

    # ------------------------------------------------------------ reductions and pieces
    def amax(self, dim: Any = (), keepdim: bool = False) -> AnyTensor:
        """The maximum over ``dim`` (an int or a tuple; all axes by default, as PyTorch's
        ``()`` or ``[]``): ``max``, whose gradient ties share evenly, as PyTorch's ``amax``."""
        return self.max(axis=_all_if_empty(dim), keepdims=keepdim)

    def amin(self, dim: Any = (), keepdim: bool = False) -> AnyTensor:
        """The minimum over ``dim``, as ``amax``."""
        return self.min(axis=_all_if_empty(dim), keepdims=keepdim)

    def unbind(self, dim: int = 0) -> tuple[AnyTensor, ...]:
        """The slices along ``dim``, each without that axis (``tuple(x)`` for dim 0)."""
        axis = single_axis(dim, self.ndim, "unbind")
        lead = (slice(None),) * axis
        return tuple(self[lead + (i,)] for i in range(self.shape[axis]))

    def diag(self, diagonal: int = 0) -> AnyTensor:
        """A 1-d tensor: the square matrix with it on diagonal ``diagonal`` (above the main
        one if > 0) and 0 elsewhere. A 2-d tensor: a copy of that diagonal (PyTorch's;
        ``diagonal()`` is the view)."""
        if self.ndim == 2:
            return self.diagonal(diagonal).clone()
        if self.ndim != 1:
            raise ShapeError(f"diag: needs a 1-d tensor (to make a matrix) or a 2-d one (to "
                             f"take its diagonal); got shape {self.shape}. Use "
                             f"diagonal(offset, axis1, axis2) for more axes.")
        return self.diag_embed(diagonal)

    # ------------------------------------------------------------ elementwise
    def rsqrt(self) -> AnyTensor:
        """1 / sqrt(self) (inf at 0, NaN below), as PyTorch's."""
        return 1 / self.sqrt()

    def where(self, condition: Any, other: Any) -> AnyTensor:
        """self where ``condition`` (a boolean mask) holds, else ``other`` (a tensor or a
        number): PyTorch's ``x.where(cond, y)``, ``autograd.where(cond, x, y)``."""
        return where(condition, self, other)

    def nan_to_num(self, nan: float = 0.0, posinf: float | None = None,
                   neginf: float | None = None) -> AnyTensor:
        """NaN, +inf and -inf replaced by ``nan``, ``posinf`` and ``neginf`` (by default 0
        (or None) and the dtype's largest and lowest finite values); the gradient is 1 where self is
        finite and 0 where a value was replaced, as PyTorch's."""
        for name, value in (("nan", nan), ("posinf", posinf), ("neginf", neginf)):
            if value is not None and numeric(value, f"nan_to_num: {name}").ndim:
                raise UsageError(f"nan_to_num: {name} is one number; got {value!r:.60}")
        if self.dtype.kind != "f":
            return self.copy()
        nan = 0.0 if nan is None else nan  # PyTorch's default too
        replaced = np.nan_to_num(self.data, nan=nan, posinf=posinf, neginf=neginf)
        return where(np.isfinite(self.data), self, replaced)

    def addcmul(self, *tensors: Any, tensor1: Any = None, tensor2: Any = None,
                value: Any = None) -> AnyTensor:
        """self + (value * tensor1) * tensor2 (value 1 by default), differentiable in all
        three; all broadcast (a float value with integer tensors is truncated, as PyTorch's:
        value=2.5 multiplies by 2). PyTorch's CPU kernel fuses the last multiply-add (one
        rounding fewer: the values may differ from these in the last bit). PyTorch's
        deprecated ``x.addcmul(value, tensor1, tensor2)`` works with its warning."""
        tensors = keyword_factors("addcmul", tensors, tensor1, tensor2)
        (tensor1, tensor2), value = number_first("addcmul", "value", tensors, value, 2)
        dtype = result_type(self, tensor1, tensor2)
        tensor1 = self._lift(tensor1)._cast(dtype)  # as add's
        return self + integral_scalar("addcmul", 1 if value is None else value, dtype) \
            * tensor1 * tensor2

    def addcdiv(self, *tensors: Any, tensor1: Any = None, tensor2: Any = None,
                value: Any = None) -> AnyTensor:
        """self + (value * tensor1) / tensor2 (value 1 by default), in PyTorch's order
        (its values to the last bit), differentiable in all three
        (``p.addcdiv_(exp_avg, denom, value=-lr)``); two integer tensors are refused, as
        PyTorch refuses them. The deprecated value-first call works with its warning."""
        tensors = keyword_factors("addcdiv", tensors, tensor1, tensor2)
        (tensor1, tensor2), value = number_first("addcdiv", "value", tensors, value, 2)
        no_integer_division("addcdiv", tensor1, tensor2)
        tensor1 = self._lift(tensor1)._cast(result_type(self, tensor1, tensor2))  # as add's
        return self + (1 if value is None else value) * tensor1 / tensor2

    def lerp(self, end: Any, weight: Any) -> AnyTensor:
        """self + weight * (end - self), all three broadcast: self at weight 0, ``end`` at 1
        (exactly: end - (1 - weight) * (end - self) where weight >= 0.5, as PyTorch's).
        Integer and bool self and end are refused, as PyTorch's (end - self would wrap); an
        integer or bool weight tensor is taken in the float result's dtype."""
        require_float("lerp", input=self, end=end)
        if not isinstance(weight, (int, float)) and _array(weight).dtype.kind in "biu":
            weight = self._lift(weight).astype(result_type(self, _array(end), 0.0))  # no wrap
        near_end = _array(weight) >= 0.5
        if near_end.any() and not near_end.all():  # each side with weight 1 or 0 where the
            return where(near_end, self.lerp(end, where(near_end, weight, 1)),  # other is
                         self.lerp(end, where(near_end, 0, weight)))  # taken: no 0 * inf
        return end - (1 - weight) * (end - self) if near_end.any() else self + weight * (end - self)

    @one_element_axis
    def scatter(self, dim: int, index: Any, src: Any = None, *, value: Any = None,
                reduce: Any = None) -> AnyTensor:
        """A copy of self with ``src`` written along ``dim`` at ``index``, as PyTorch: for
        dim 1, out[i][index[i][j]] = src[i][j]. ``src`` may be a number (or pass
        ``value=``): ``zeros(n, C).scatter(1, y.unsqueeze(1), 1.0)`` one-hot encodes y.
        Differentiable in self (0 where written) and src; with repeated positions the last
        write wins, and only its src element gets the gradient."""
        positions, values = scatter_target(self, dim, index, src, value, reduce, "scatter")
        return self.index_put(positions, values)

    @one_element_axis
    def scatter_add(self, dim: int, index: Any, src: Any) -> AnyTensor:
        """``scatter`` adding (``out[i][index[i][j]] += src[i][j]`` for dim 1, repeats
        adding up). Differentiable in self (gradient g) and src (g gathered at index)."""
        positions, values = scatter_target(self, dim, index, src, None, None, "scatter_add")
        return self.index_add(positions, values)

    # ------------------------------------------------------------ matrices (last two axes)
    def inverse(self) -> AnyTensor:
        """The inverse of each square matrix, as ``inv()`` (PyTorch's name)."""
        return self.inv()

    def slogdet(self) -> SlogDet:
        """(sign, ln |det|) of each square matrix, as PyTorch's named pair: the sign is a
        constant, ``logabsdet`` differentiable (its gradient is A^-T)."""
        return SlogDet(*linalg_more.slogdet(self))

    def logdet(self) -> AnyTensor:
        """ln det of each square matrix, as PyTorch's: NaN where det < 0 (gradient 0
        there), -inf where det = 0."""
        sign, logabsdet = self.slogdet()
        return where(sign.data < 0, np.nan, logabsdet)

    def cholesky(self, upper: bool = False) -> AnyTensor:
        """The lower-triangular L with self = L L^T (self symmetric positive definite;
        only its lower triangle is read); ``upper=True``: the upper-triangular U with
        self = U^T U, read from the upper triangle, as older PyTorch's ``x.cholesky(upper)``
        (torch 2.14 removed it) and ``torch.linalg.cholesky(x, upper=True)``."""
        return linalg_more.cholesky(self, bool(upper))

    def is_inference(self) -> bool:
        """False: ``inference_mode`` is ``no_grad`` here, and what it makes are ordinary
        tensors, which may enter a graph later (PyTorch's "inference tensors" may not)."""
        return False

    def register_post_accumulate_grad_hook(self, hook: Any) -> RemovableHandle:
        """Call ``hook(self)`` on this leaf during each backward, once its ``.grad`` holds
        the pass's gradient (one optimizer step per parameter: PyTorch's "optimizer in
        backward"). Returns a handle: ``.remove()``."""
        if self._op is not None or not self._requires_grad:
            raise UsageError("register_post_accumulate_grad_hook works on a leaf that "
                             "requires grad (its .grad is where gradients accumulate); on "
                             "another tensor use register_hook(fn), which sees its gradient.")
        if not callable(hook):
            raise UsageError(f"register_post_accumulate_grad_hook needs a function "
                             f"hook(tensor); got {type(hook).__name__}")
        self._hooks, handle = add_hook(self._hooks, PostAccumulateHook(hook))
        return handle
