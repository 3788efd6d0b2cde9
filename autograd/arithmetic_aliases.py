"""PyTorch's long spellings of the arithmetic methods, ``divide multiply subtract
negative`` and their in-place forms: the same ops as ``div mul sub neg`` under the names
that code written against ``torch.divide`` / ``Tensor.multiply`` reaches for."""

from __future__ import annotations

from typing import Any

__all__ = ["ArithmeticAliasMethods"]

AnyTensor = Any  # a Tensor: this module sits below the Tensor class


class ArithmeticAliasMethods:
    """``divide multiply subtract negative`` and their ``_`` forms (a Tensor mixin)."""

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
