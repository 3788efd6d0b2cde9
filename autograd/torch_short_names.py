"""PyTorch's short names of the ops NumPy names differently (``acos`` for ``arccos``,
``atan2``, ``absolute``, ``true_divide``, ``take_along_dim``...), as methods of ``Tensor``
(``TorchShortNames``, a mixin; the functions are in ``torch_short_functions``).

PyTorch accepts both spellings (``torch.acos`` and ``torch.arccos`` are one function), so
both work here: each short name calls the op under its NumPy name, which is what the graph
and a drawing show. The in-place forms (``acos_``, ``arccos_``...) follow ``inplace``'s
rules (refused on a leaf that requires grad while recording, recorded otherwise).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .errors import TensorIndexError

__all__ = ["TorchShortNames", "SHORT_NAMES"]

AnyTensor = Any  # a Tensor: this module sits below the Tensor class

# PyTorch's short name -> the op's name here (NumPy's)
SHORT_NAMES = {"acos": "arccos", "asin": "arcsin", "atan": "arctan", "acosh": "arccosh",
               "asinh": "arcsinh", "atanh": "arctanh"}


class TorchShortNames:
    """``acos asin atan atan2 acosh asinh atanh absolute true_divide take_along_dim`` and
    the in-place forms of the inverse trigonometric functions (a Tensor mixin)."""

    __slots__ = ()

    def acos(self) -> AnyTensor:
        """arccos(self) (``arccos``)."""
        return self.arccos()

    def asin(self) -> AnyTensor:
        """arcsin(self) (``arcsin``)."""
        return self.arcsin()

    def atan(self) -> AnyTensor:
        """arctan(self) (``arctan``)."""
        return self.arctan()

    def atan2(self, other: Any) -> AnyTensor:
        """arctan2(self, other), the angle of the point (other, self) (``arctan2``)."""
        return self.arctan2(other)

    def acosh(self) -> AnyTensor:
        """arccosh(self) (``arccosh``)."""
        return self.arccosh()

    def asinh(self) -> AnyTensor:
        """arcsinh(self) (``arcsinh``)."""
        return self.arcsinh()

    def atanh(self) -> AnyTensor:
        """arctanh(self) (``arctanh``)."""
        return self.arctanh()

    def atan2_(self, other: Any) -> AnyTensor:
        """self = arctan2(self, other), in place."""
        return self._math_("arctan2", other)

    def arctan2_(self, other: Any) -> AnyTensor:
        """self = arctan2(self, other), in place."""
        return self._math_("arctan2", other)

    def absolute(self) -> AnyTensor:
        """|self| (``abs``)."""
        return self.abs()

    def absolute_(self) -> AnyTensor:
        """``abs_``: self = |self| in place."""
        return self.abs_()

    def true_divide(self, other: Any) -> AnyTensor:
        """self / other, always true division (``div``)."""
        return self.div(other)

    def true_divide_(self, other: Any) -> AnyTensor:
        """``div_``: self = self / other in place."""
        return self.div_(other)

    def take_along_dim(self, indices: Any, dim: int | None = None) -> AnyTensor:
        """The values at ``indices`` along ``dim`` (the flattened tensor when None), as
        ``take_along_axis``. Without a dim PyTorch's takes positions in [0, n) only: a
        negative one is a TensorIndexError, as there (along a dim it counts from the end)."""
        if dim is not None:
            return self.take_along_axis(indices, dim=dim)
        positions = np.asarray(getattr(indices, "data", indices))
        if positions.dtype.kind in "iu" and (positions < 0).any():
            raise TensorIndexError(f"take_along_dim: index {int(positions.min())} is out of "
                                   f"bounds for the flattened tensor of {self.size} elements; "
                                   f"without dim, PyTorch's takes positions 0..{self.size - 1}"
                                   f" (add {self.size} to a negative one)")
        return self.take_along_axis(indices)


def _inplace(name: str, ours: str) -> Any:
    """The method ``name`` (``acos_``...): self = ours(self), in place."""
    def method(self: Any) -> AnyTensor:
        return self._math_(ours)
    method.__name__ = name
    method.__qualname__ = f"TorchShortNames.{name}"
    method.__doc__ = f"self = {ours}(self), in place."
    return method


# acos_ arccos_ asin_ arcsin_ atan_ arctan_ acosh_ arccosh_ asinh_ arcsinh_ atanh_ arctanh_
for _theirs, _ours in SHORT_NAMES.items():
    for _name in (f"{_theirs}_", f"{_ours}_"):
        setattr(TorchShortNames, _name, _inplace(_name, _ours))
