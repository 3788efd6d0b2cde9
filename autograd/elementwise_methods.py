"""PyTorch's elementwise methods that NumPy's ndarray lacks or names otherwise, composed of
the engine's differentiable ops: ``sinc hypot logaddexp logaddexp2 exp2 trunc fix frac
remainder fmod copysign deg2rad rad2deg sgn``. SIREN variants and sinc-activated
networks write ``torch.sinc(w * x)``, soft-DTW's soft minimum ``torch.logaddexp``,
particle codes ``torch.hypot(dx, dy)`` and ``torch.remainder(x, box)``. The functions
of the same names are in ``elementwise_functions.py``."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from .function import apply
from .ops.special import Fmod

__all__ = ["ElementwiseMethods"]

AnyTensor = Any  # a Tensor: this module sits below the Tensor class


class ElementwiseMethods:
    """PyTorch's elementwise methods missing from NumPy's names (a Tensor mixin)."""

    __slots__ = ()

    def sinc(self) -> AnyTensor:
        """The normalised sinc, sin(pi x) / (pi x), 1 at x = 0 (derivative 0 there)."""
        zero = self == 0
        safe = self.where(~zero, 1.0) * math.pi  # no 0 / 0, nor its NaN gradient
        return (safe.sin() / safe).where(~zero, 1.0)

    def hypot(self, other: Any) -> AnyTensor:
        """sqrt(x^2 + y^2), broadcast; d/dx = x / out (NaN at x = y = 0, as PyTorch's)."""
        a, b = self._pair(other)
        return (a * a + b * b).sqrt()

    def logaddexp(self, other: Any) -> AnyTensor:
        """log(e^x + e^y) = max(x, y) + log1p(e^-|x - y|), broadcast, without overflow
        and exact for a tiny e^-|x - y|; two equal infinities give that infinity (soft-DTW's
        table borders); d/dx = e^(x - out)."""
        a, b = self._pair(other)
        equal = a == b  # |x - y| = 0, also where x - y is inf - inf
        delta = (a.where(~equal, 0.0) - b.where(~equal, 0.0)).abs()
        return a.maximum(b) + (-delta).exp().log1p()

    def logaddexp2(self, other: Any) -> AnyTensor:
        """log2(2^x + 2^y) = logaddexp(x ln 2, y ln 2) / ln 2."""
        a, b = self._pair(other)
        return (a * math.log(2.0)).logaddexp(b * math.log(2.0)) / math.log(2.0)

    def exp2(self) -> AnyTensor:
        """2^x; d/dx = 2^x ln 2."""
        return (self * math.log(2.0)).exp()

    def trunc(self) -> AnyTensor:
        """x rounded towards zero (gradient 0, as ``floor``'s); an integer or bool tensor
        is already whole: a copy, of its dtype (NumPy's ``np.trunc``)."""
        if self._data.dtype.kind in "biu":
            return self._make(self._data.copy(), None)
        return self.sign() * self.abs().floor()

    def fix(self) -> AnyTensor:
        """``trunc``: x rounded towards zero."""
        return self.trunc()

    def frac(self) -> AnyTensor:
        """x - trunc(x), with x's sign; gradient 1."""
        return self - self.trunc().detach()

    def remainder(self, other: Any) -> AnyTensor:
        """x - y floor(x / y), with y's sign (Python's ``%``; ``fmod`` takes x's)."""
        return self % other

    def fmod(self, other: Any) -> AnyTensor:
        """x - y trunc(x / y), with x's sign (C's fmod)."""
        return apply(Fmod(), *self._pair(other))

    def copysign(self, other: Any) -> AnyTensor:
        """|x| with y's sign (y = -0.0 counts as negative); gradient sign(x) sign-of-y for
        x (0 at x = 0) and 0 for y. The result has the dtype the two promote to, a float
        one (for integer tensors the default float64), as PyTorch's."""
        a, b = self._pair(other)
        dtype = np.promote_types(a.dtype, b.dtype)
        dtype = dtype if dtype.kind == "f" else np.dtype(np.float64)
        magnitude = (a if a.dtype == dtype else a.astype(dtype)).abs()
        negative = np.signbit(b.detach().numpy())  # -0.0 has a sign too
        return magnitude.where(~negative, -magnitude)

    def deg2rad(self) -> AnyTensor:
        """Degrees to radians: x pi / 180."""
        return self * (math.pi / 180.0)

    def rad2deg(self) -> AnyTensor:
        """Radians to degrees: x 180 / pi."""
        return self * (180.0 / math.pi)

    def sgn(self) -> AnyTensor:
        """The sign, -1, 0 or 1 (``sign``; PyTorch's sgn differs only for complex tensors,
        which this library has not)."""
        return self.sign()
