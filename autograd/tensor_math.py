"""``TensorMath``: the operators and methods of ``Tensor``, each applying one op.

``x + y`` is ``apply(Add(), x, y)``; a Python number is op state (``x + 2`` is
``apply(AddScalar(2), x)``), so it records one input and keeps a float32 graph float32.
Here: arithmetic, comparisons, elementwise functions, shape methods (``ravel``...
composed of others); reductions are ``tensor_reductions.Reductions``; the module-level
functions take tensors (``autograd.functions`` gives their public versions)."""

from __future__ import annotations

from typing import Any

import numpy as np

from ._arrays import numeric, shape_argument
from .errors import AxisError, DataError, DTypeError, UsageError
from .dtype_refusals import refuse_bool_input
from .function import apply
from .views import take_view
from .ops.arithmetic import (Add, AddScalar, Div, DivScalar, HalfDivScalar, HalfMulScalar, Mul,
                             MulScalar, Neg, Pow, PowScalar, RPowScalar, RSubScalar, Sub,
                             SubScalar, broadcasting, is_scalar, number, weak_number)
from .ops.scalars import FLOAT16
from .ops.elementwise import (Abs, Astype, Exp, Log, Maximum, Minimum, Relu, Sigmoid,
                              Sqrt, Tanh, Where, clamp)
from .ops import lu as lu_ops
from .ops.gamma import Digamma, Lgamma
from .ops.special import Erfinv
from .tensor_joins import concatenate, stack  # (re-exported: part of this module's API)
from .tensor_operands import operand_array, refuse_modular_pow
from .torch_arguments import broadcast_target, swap_permutation
from .ops.trig import Arccosh, Arcsinh, Arctanh
from .ops.linalg import MatMul
from .ops.reductions import pick_axis
from .ops.shape import (Copy, GetItem, Reshape, Transpose, broadcast_op,
                        expanded_shape, memory_order, refuse_uint8_index, squeezed_shape)

__all__ = ["TensorMath", "concatenate", "stack", "where"]

AnyTensor = Any  # a Tensor: this module sits below the Tensor class


class TensorMath:
    """Operators and differentiable methods (a mixin: ``Tensor`` is its only user)."""

    __slots__ = ()

    def _lift(self, other: Any, op: str = "", reflected: bool = False) -> AnyTensor:
        """``other`` as a Tensor (an untracked constant unless it is one already), read by
        ``operand_array`` (``int_t + [1]`` stays integer); ``op`` ("+", self on its right if
        ``reflected``) names the operator in its error for None, a dict..."""
        return other if isinstance(other, TensorMath) else self._make(
            operand_array(other, op, reflected), None)

    # ----------------------------------------------------------- arithmetic
    def __add__(self, other: Any) -> AnyTensor:
        """self + other (a number is op state)."""
        c = number(other)
        return apply(AddScalar(c), self) if c is not None else apply(Add(), self,
                                                                       self._lift(other, "+"))

    def __radd__(self, other: Any) -> AnyTensor:
        """other + self."""
        if is_scalar(other):
            return self.__add__(other)
        return self._lift(other, "+", reflected=True).__add__(self)

    def __sub__(self, other: Any) -> AnyTensor:
        """self - other."""
        c = number(other)
        return apply(SubScalar(c), self) if c is not None else apply(Sub(), self,
                                                                       self._lift(other, "-"))

    def __rsub__(self, other: Any) -> AnyTensor:
        """other - self."""
        c = number(other)
        if c is not None:
            return apply(RSubScalar(c), self)
        return self._lift(other, "-", reflected=True) - self

    def __mul__(self, other: Any) -> AnyTensor:
        """self * other (elementwise; a float16 self times a number in float32, as
        PyTorch's half kernels: ``HalfMulScalar``)."""
        c = number(other)
        if c is None:
            return apply(Mul(), self, self._lift(other, "*"))
        return apply(HalfMulScalar(c) if self._data.dtype is FLOAT16 else MulScalar(c), self)

    def __rmul__(self, other: Any) -> AnyTensor:
        """other * self."""
        if is_scalar(other):
            return self.__mul__(other)
        return self._lift(other, "*", reflected=True).__mul__(self)

    def __truediv__(self, other: Any) -> AnyTensor:
        """self / other (a float16 self by a number as in ``__mul__``)."""
        c = number(other)
        if c is None:
            return apply(Div(), self, self._lift(other, "/"))
        return apply(HalfDivScalar(c) if self._data.dtype is FLOAT16 else DivScalar(c), self)

    def __rtruediv__(self, other: Any) -> AnyTensor:
        """other / self (an integer tensor divides as NumPy: x ** -1 would refuse it)."""
        c = number(other)
        if c is not None and self._data.dtype.kind == "f":
            return apply(PowScalar(-1), self) * c
        return self._lift(other, "/", reflected=True) / self

    def __pow__(self, other: Any, modulo: Any = None) -> AnyTensor:
        """self ** other (``pow(self, other, m)``, a modular power, is refused)."""
        if modulo is not None:
            refuse_modular_pow(modulo)
        c = number(other)
        return apply(PowScalar(c), self) if c is not None else apply(Pow(), self,
                                                                       self._lift(other, "**"))

    def __rpow__(self, other: Any, modulo: Any = None) -> AnyTensor:
        """other ** self (``pow(other, self, m)`` is refused)."""
        if modulo is not None:
            refuse_modular_pow(modulo)
        c = number(other)
        if c is not None:
            return apply(RPowScalar(c), self)
        return self._lift(other, "**", reflected=True) ** self

    def __matmul__(self, other: Any) -> AnyTensor:
        """self @ other (NumPy's matmul rules)."""
        return apply(MatMul(), self, self._lift(other, "@"))

    def __rmatmul__(self, other: Any) -> AnyTensor:
        """other @ self."""
        return apply(MatMul(), self._lift(other, "@", reflected=True), self)

    def __neg__(self) -> AnyTensor:
        """-self."""
        return apply(Neg(), self)

    def __pos__(self) -> AnyTensor:
        """self, unchanged."""
        return self

    def __abs__(self) -> AnyTensor:
        """|self| (``abs``)."""
        return self.abs()

    def __getitem__(self, index: Any) -> AnyTensor:
        """self[index]: basic and integer/boolean array indexing, as NumPy; a uint8 index
        array (PyTorch's mask, NumPy's positions) is refused."""
        refuse_uint8_index(index)
        return take_view(GetItem(index), self)

    # ----------------------------------------------------------- comparisons (constants)
    def _compare(self, ufunc: Any, other: Any) -> AnyTensor:
        if not _numeric(other):  # a str, None, an object: NumPy's == and != or an error
            return self._compare_non_number(ufunc, other)
        result = broadcasting(ufunc.__name__, ufunc, self._data, getattr(other, "_data", other))
        return self._make(np.asarray(result), None)

    def _compare_non_number(self, ufunc: Any, other: Any) -> AnyTensor:
        """``==`` and ``!=`` give what NumPy's ndarray gives (all False / all True; complex
        numbers compare); ordering is a DTypeError (of complex ones too, as PyTorch's)."""
        if ufunc is np.equal or ufunc is np.not_equal:
            result = self.data == other if ufunc is np.equal else self.data != other
            return self._make(np.asarray(result), None)
        raise DTypeError(f"{ufunc.__name__}: a tensor can be ordered (< <= > >=) against "
                         f"real numbers, real arrays and tensors only; got "
                         f"{type(other).__name__} {other!r:.40}. Convert it first.")

    def __eq__(self, other: Any) -> AnyTensor:  # type: ignore[override]
        return self._compare(np.equal, other)

    def __ne__(self, other: Any) -> AnyTensor:  # type: ignore[override]
        return self._compare(np.not_equal, other)

    def __lt__(self, other: Any) -> AnyTensor:
        """self < other (constant)."""
        return self._compare(np.less, other)

    def __le__(self, other: Any) -> AnyTensor:
        """self <= other (constant)."""
        return self._compare(np.less_equal, other)

    def __gt__(self, other: Any) -> AnyTensor:
        """self > other (constant)."""
        return self._compare(np.greater, other)

    def __ge__(self, other: Any) -> AnyTensor:
        """self >= other (constant)."""
        return self._compare(np.greater_equal, other)

    # ----------------------------------------------------------- elementwise
    def exp(self) -> AnyTensor:
        """e^self."""
        return apply(Exp(), self)

    def log(self) -> AnyTensor:
        """ln self (IEEE at 0: -inf)."""
        return apply(Log(), self)

    def sqrt(self) -> AnyTensor:
        """sqrt(self)."""
        return apply(Sqrt(), self)

    def abs(self) -> AnyTensor:
        """|self|, with abs'(0) = 0; a bool tensor is a DTypeError, as PyTorch's."""
        refuse_bool_input("abs", self.dtype, "A mask is its own abs: use x, or x.long().")
        return apply(Abs(), self)

    def tanh(self) -> AnyTensor:
        """tanh(self)."""
        return apply(Tanh(), self)

    def sigmoid(self) -> AnyTensor:
        """1 / (1 + e^-self), stable for any |x|."""
        return apply(Sigmoid(), self)

    def lgamma(self) -> AnyTensor:
        """ln|Gamma(self)| (``autograd.lgamma``); its derivative is digamma."""
        return apply(Lgamma(), self)

    def digamma(self) -> AnyTensor:
        """psi(self) = d ln Gamma / dx (``autograd.digamma``)."""
        return apply(Digamma(), self)

    def arcsinh(self) -> AnyTensor:
        """The inverse hyperbolic sine (PyTorch's ``asinh``)."""
        return apply(Arcsinh(), self)

    def arccosh(self) -> AnyTensor:
        """The inverse hyperbolic cosine, for self >= 1 (PyTorch's ``acosh``)."""
        return apply(Arccosh(), self)

    def arctanh(self) -> AnyTensor:
        """The inverse hyperbolic tangent, on (-1, 1) (PyTorch's ``atanh``)."""
        return apply(Arctanh(), self)

    def erfinv(self) -> AnyTensor:
        """erf^-1 on [-1, 1] (PyTorch's name; NumPy has none); d/dx = sqrt(pi)/2 e^{y^2}."""
        return apply(Erfinv(), self)

    def lu(self, pivot: bool = True, get_infos: bool = False) -> tuple:
        """(LU, pivots) as ``torch.lu``: ``linalg.lu_factor``'s, a singular matrix no error;
        ``get_infos``: also int32 infos, 0 or the 1-based position of U's first zero pivot."""
        return lu_ops.torch_lu(self, pivot, get_infos)

    def relu(self) -> AnyTensor:
        """max(self, 0), with relu'(0) = 0; a bool tensor is a DTypeError, as PyTorch's."""
        refuse_bool_input("relu", self.dtype, "A mask is its own relu: use x, or x.long().")
        return apply(Relu(), self)

    def pow(self, exponent: Any) -> AnyTensor:
        """self ** exponent."""
        return self ** exponent

    def clip(self, lo: Any = None, hi: Any = None, *, min: Any = None,  # noqa: A002
             max: Any = None) -> AnyTensor:  # noqa: A002
        """self limited to [lo, hi] (either may be None; ``min=``/``max=`` are NumPy's and
        PyTorch's keywords); the gradient passes at the bounds, and to a bound that
        requires grad where it clips, as PyTorch's clamp."""
        if (min is not None and lo is not None) or (max is not None and hi is not None):
            raise UsageError("clip: a bound was given twice, by position and as min=/max=; "
                             "pass each bound once")
        return clamp(self, lo if min is None else min, hi if max is None else max)

    def astype(self, dtype: Any) -> AnyTensor:
        """self converted to ``dtype`` (differentiable between float dtypes)."""
        return apply(Astype(dtype, self._requires_grad), self)

    def maximum(self, other: Any) -> AnyTensor:
        """Elementwise max(self, other); ties split the gradient evenly."""
        return apply(Maximum(), *self._pair(other))

    def minimum(self, other: Any) -> AnyTensor:
        """Elementwise min(self, other); ties split the gradient evenly."""
        return apply(Minimum(), *self._pair(other))

    def _pair(self, other: Any) -> tuple[AnyTensor, AnyTensor]:
        """(self, other as a Tensor); a number takes the dtype NumPy gives it beside self
        (a float tensor's own dtype; an integer tensor's with an int, float64 with a float)."""
        value = number(other)
        if value is not None:
            other = weak_number(value, self._data.dtype)
        return self, self._lift(other)

    def matmul(self, other: Any) -> AnyTensor:
        """self @ other."""
        return self @ other

    def copy(self) -> AnyTensor:
        """A tensor with its own copy of the data; the gradient passes through."""
        return apply(Copy(), self)

    # ----------------------------------------------------------- shape
    def reshape(self, *shape: Any, **keyword: Any) -> AnyTensor:
        """self with a new shape (one entry may be -1): ``x.reshape(2, 3)``,
        ``x.reshape((2, 3))`` or PyTorch's ``x.reshape(shape=(2, 3))``."""
        shape = shape_argument("reshape", "shape", shape, keyword)
        return take_view(Reshape(shape[0] if len(shape) == 1 else shape), self)

    def ravel(self, order: str = "C") -> AnyTensor:
        """self as a 1-d tensor, read in NumPy's ``order``: "C" (row-major) or "F"."""
        return (self.T if memory_order(order, "ravel") == "F" else self).reshape(-1)

    def transpose(self, *axes: Any, dim0: int | None = None,
                  dim1: int | None = None) -> AnyTensor:
        """Axes permuted as ``axes`` (all of them, NumPy's), reversed when none are given.
        Two ints are PyTorch's ``transpose(dim0, dim1)``: those two axes swapped, on a
        matrix too (``x.transpose(0, 1)``; NumPy reads it as keeping a matrix's axes,
        which no program means, and a tuple ``x.transpose((0, 1))`` still does), and so
        are PyTorch's keywords ``transpose(dim0=i, dim1=j)``. An axis given twice
        (``transpose(0, 0)``, NumPy refuses it) is PyTorch's no change."""
        if dim0 is not None or dim1 is not None:
            if axes or dim0 is None or dim1 is None:
                raise UsageError("transpose: give both dim0= and dim1= (PyTorch's swap of "
                                 "two axes) and no positional axes, or the axes alone")
            return self.swapaxes(dim0, dim1)
        if not axes:  # none given: all reversed (an explicit () names none, as NumPy)
            return take_view(Transpose(None), self)
        if len(axes) == 1 and (axes[0] is None or isinstance(axes[0], (tuple, list))):
            axes = axes[0]
        elif len(axes) == 2 and _ints(axes):
            return self.swapaxes(*axes)
        return take_view(Transpose(axes), self)

    @property
    def T(self) -> AnyTensor:
        """All axes reversed (NumPy's ``.T``)."""
        return take_view(Transpose(None), self)

    def swapaxes(self, axis0: Any = None, axis1: Any = None, *, axis2: Any = None) -> AnyTensor:
        """Two axes exchanged: PyTorch's ``axis0, axis1`` or NumPy's ``axis1=, axis2=``."""
        return take_view(Transpose(swap_permutation(self._data.shape, axis0, axis1, axis2)), self)

    def expand_dims(self, axis: Any = None, *, dim: Any = None) -> AnyTensor:
        """Size-1 axes inserted at ``axis``."""
        axis = pick_axis(axis, dim, "expand_dims")
        if axis is None:
            raise AxisError("expand_dims: give the position of the new axis (axis= or dim=)")
        return take_view(Reshape(expanded_shape(self._data.shape, axis)), self)

    def squeeze(self, *dims: Any, axis: Any = None, dim: Any = None) -> AnyTensor:
        """Size-1 axes removed (all, or those named). An axis named by position or
        ``dim=`` that is longer than 1 stays, as PyTorch's; by ``axis=`` it is a
        ``ShapeError``, as NumPy's (which takes no other spelling)."""
        if dims and (axis is not None or dim is not None):
            raise AxisError(f"squeeze: got both the position {dims} and "
                            f"{'axis' if axis is not None else 'dim'}=; pass only one")
        position = (dims[0] if len(dims) == 1 else dims) if dims else None
        strict = axis is not None
        axis = pick_axis(axis, dim if position is None else position, "squeeze")
        return take_view(Reshape(squeezed_shape(self._data.shape, axis, strict)), self)

    def broadcast_to(self, size: Any = None, *, shape: Any = None) -> AnyTensor:
        """self repeated to ``size`` (NumPy's ``shape=``; -1 keeps the aligned axis's size),
        a read-only view; where nothing repeats a writable one (``broadcast_op``)."""
        return take_view(broadcast_op(self.shape, broadcast_target(self.shape, size, shape)), self)


def _ints(axes: tuple) -> bool:
    """Whether every entry is an int (not a bool)."""
    return all(isinstance(a, (int, np.integer)) and not isinstance(a, bool) for a in axes)


def _numeric(other: Any) -> bool:
    """Whether ``other`` is a tensor, a real number or data NumPy makes a real array of."""
    if isinstance(other, (TensorMath, int, float, np.integer, np.floating, np.bool_)):
        return True
    try:
        return np.asarray(other).dtype.kind in "biuf"
    except ValueError:  # ragged lists
        raise DataError(f"cannot compare a tensor with ragged nested sequences "
                        f"({other!r:.40}): every row must have the same length") from None


def where(condition: Any, a: Any = None, b: Any = None) -> Any:
    """``a`` where ``condition`` holds, else ``b`` (condition is a constant mask); a
    number takes the dtype of the Tensor beside it, and with no Tensor among ``a`` and
    ``b`` (``np.where(mask, 1.0, 0.0)``) the result is NumPy's, a constant made like the
    condition. ``where(condition)`` alone is NumPy's ``nonzero``: the indices where it
    holds, as plain integer arrays."""
    if a is None and b is None:  # 0-d as 1-d, as PyTorch's where(tensor(True))
        return np.nonzero(np.atleast_1d(numeric(getattr(condition, "data", condition),
                                                "where: condition")))
    if a is None or b is None:
        raise UsageError("where: give both a and b (the values where condition holds and "
                         "where it does not), or neither for the indices where it holds")
    if isinstance(a, TensorMath):
        a, b = a._pair(b)
    elif isinstance(b, TensorMath):
        b, a = b._pair(a)
    elif isinstance(condition, TensorMath):
        values = np.where(numeric(condition.data, "where: condition"), a, b)
        return condition._make(values, None)
    else:
        raise UsageError("where: give a Tensor as the condition, a or b (autograd.where "
                         "takes arrays and numbers)")
    return apply(Where(condition), a, b)
