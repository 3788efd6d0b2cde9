"""PyTorch's long spellings of the arithmetic methods, ``divide multiply subtract
negative`` and their in-place forms: the same ops as ``div mul sub neg`` under the names
that code written against ``torch.divide`` / ``Tensor.multiply`` reaches for; of the
comparisons, ``greater greater_equal less less_equal not_equal`` (``gt ge lt le ne``);
and the in-place forms ``cumsum_ cumprod_ addmv_ addr_ addbmm_`` of methods that exist
out of place, written into self by ``InplaceOps._math_`` (its in-place rules hold)."""

from __future__ import annotations

from typing import Any

from ._arrays import as_dtype
from .errors import DTypeError

__all__ = ["ArithmeticAliasMethods"]

AnyTensor = Any  # a Tensor: this module sits below the Tensor class


class ArithmeticAliasMethods:
    """``divide multiply subtract negative`` and their ``_`` forms, ``greater
    greater_equal less less_equal not_equal``, ``cumsum_ cumprod_ addmv_ addr_ addbmm_``
    (a Tensor mixin)."""

    __slots__ = ()

    def divide(self, other: Any, *, rounding_mode: str | None = None) -> AnyTensor:
        """self / other (``div``; rounding_mode None, "trunc" or "floor")."""
        return self.div(other, rounding_mode=rounding_mode)

    def divide_(self, other: Any, *, rounding_mode: str | None = None) -> AnyTensor:
        """``div_``: self / other in place."""
        return self.div_(other, rounding_mode=rounding_mode)

    def multiply(self, other: Any) -> AnyTensor:
        """self * other (``mul``)."""
        return self.mul(other)

    def multiply_(self, other: Any) -> AnyTensor:
        """``mul_``: self * other in place."""
        return self.mul_(other)

    def subtract(self, other: Any, *, alpha: Any = 1) -> AnyTensor:
        """self - alpha * other (``sub``)."""
        return self.sub(other, alpha=alpha)

    def subtract_(self, other: Any, *, alpha: Any = 1) -> AnyTensor:
        """``sub_``: self - alpha * other in place."""
        return self.sub_(other, alpha=alpha)

    def negative(self) -> AnyTensor:
        """-self (``neg``)."""
        return self.neg()

    def negative_(self) -> AnyTensor:
        """``neg_``: -self in place."""
        return self.neg_()

    def greater(self, other: Any) -> AnyTensor:
        """self > other, a boolean tensor (``gt``)."""
        return self.gt(other)

    def greater_equal(self, other: Any) -> AnyTensor:
        """self >= other, a boolean tensor (``ge``)."""
        return self.ge(other)

    def less(self, other: Any) -> AnyTensor:
        """self < other, a boolean tensor (``lt``)."""
        return self.lt(other)

    def less_equal(self, other: Any) -> AnyTensor:
        """self <= other, a boolean tensor (``le``)."""
        return self.le(other)

    def not_equal(self, other: Any) -> AnyTensor:
        """self != other, a boolean tensor (``ne``)."""
        return self.ne(other)

    def cumsum_(self, dim: int, *, dtype: Any = None) -> AnyTensor:
        """self[..., i, ...] = sum_{j <= i} self[..., j, ...] along ``dim``, in place; a
        ``dtype`` must be self's, as PyTorch's."""
        _check_own_dtype(self, "cumsum_", dtype)
        return self._math_("cumsum", dim)

    def cumprod_(self, dim: int, *, dtype: Any = None) -> AnyTensor:
        """self[..., i, ...] = prod_{j <= i} self[..., j, ...] along ``dim``, in place; a
        ``dtype`` must be self's, as PyTorch's."""
        _check_own_dtype(self, "cumprod_", dtype)
        return self._math_("cumprod", dim)

    def addmv_(self, mat: Any, vec: Any, *, beta: Any = 1, alpha: Any = 1) -> AnyTensor:
        """self = beta self + alpha mat @ vec, in place."""
        return self._math_("addmv", mat, vec, beta=beta, alpha=alpha)

    def addr_(self, vec1: Any, vec2: Any, *, beta: Any = 1, alpha: Any = 1) -> AnyTensor:
        """self = beta self + alpha outer(vec1, vec2), in place."""
        return self._math_("addr", vec1, vec2, beta=beta, alpha=alpha)

    def addbmm_(self, batch1: Any, batch2: Any, *, beta: Any = 1,
                alpha: Any = 1) -> AnyTensor:
        """self = beta self + alpha sum_b batch1[b] @ batch2[b], in place."""
        return self._math_("addbmm", batch1, batch2, beta=beta, alpha=alpha)


def _check_own_dtype(x: AnyTensor, name: str, dtype: Any) -> None:
    """DTypeError unless ``dtype`` is None or x's dtype: an in-place scan keeps x's dtype
    (PyTorch's "Bad in-place call": the dtypes should match)."""
    if dtype is not None and as_dtype(dtype, f"{name}: dtype") != x.dtype:
        raise DTypeError(f"{name}: dtype={dtype} differs from the tensor's {x.dtype}, and "
                         f"an in-place result keeps the tensor's dtype (PyTorch refuses it "
                         f"too). Drop dtype=, or write x = x.{name[:-1]}(dim, dtype=...).")
