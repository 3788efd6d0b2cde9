"""``TorchMethods``: more of PyTorch's Tensor methods (a mixin of ``Tensor``, beside
``torch_spellings.TorchSpellings``): the comparisons by name (``x.eq(y)``, ``x.lt(0)``),
``allclose isclose equal``.

Each is a line or two over ops that exist under NumPy's names, so the graph (and a
drawing) shows those ops; none has a VJP of its own.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .errors import DTypeError, ShapeError

__all__ = ["TorchMethods"]

AnyTensor = Any  # a Tensor: this module sits below the Tensor class


def _array(x: Any) -> np.ndarray:
    """A tensor's array; numbers and array-likes as NumPy makes them."""
    return np.asarray(getattr(x, "data", x))


class TorchMethods:
    """PyTorch's method names over the existing ops (a mixin: ``Tensor`` is its user)."""

    __slots__ = ()

    # ------------------------------------------------------------ comparisons (constants)
    def eq(self, other: Any) -> AnyTensor:
        """self == other, a boolean constant (as the operator)."""
        return self == other

    def ne(self, other: Any) -> AnyTensor:
        """self != other, a boolean constant."""
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

    def isclose(self, other: Any, rtol: float = 1e-05, atol: float = 1e-08,
                equal_nan: bool = False) -> AnyTensor:
        """|self - other| <= atol + rtol * |other| elementwise, a boolean constant (NaN is
        close to NaN only with ``equal_nan``); the two broadcast."""
        a, b = self.data, _array(other)
        if b.dtype.kind not in "biuf":
            raise DTypeError(f"isclose: compares with numbers, numeric arrays and tensors; "
                             f"got {type(other).__name__} of dtype {b.dtype}")
        try:
            shape = np.broadcast_shapes(a.shape, b.shape)
        except ValueError:
            raise ShapeError(f"isclose: shapes {a.shape} and {b.shape} do not broadcast; "
                             f"compare tensors of matching shapes") from None
        close = np.isclose(a, b, rtol=rtol, atol=atol, equal_nan=equal_nan)
        return self._make(np.broadcast_to(close, shape).copy(), None)

    def allclose(self, other: Any, rtol: float = 1e-05, atol: float = 1e-08,
                 equal_nan: bool = False) -> bool:
        """Whether every element of self is ``isclose`` to other's: a Python bool."""
        return bool(self.isclose(other, rtol, atol, equal_nan).data.all())

    def equal(self, other: Any) -> bool:
        """Whether self and other have the same shape and the same elements (NaN equals
        nothing): a Python bool, as PyTorch's (no error for other shapes)."""
        b = _array(other)
        return self.shape == b.shape and bool(np.array_equal(self.data, b))
