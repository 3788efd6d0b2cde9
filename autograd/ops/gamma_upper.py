"""``RegularizedGammaQ``: Q(a, x) = 1 - P(a, x), the regularised upper incomplete gamma
function (PyTorch's ``igammac``/``special.gammaincc``) as an op of its own, so that a small
Q keeps its digits (1 - P rounds every Q below 1e-16 to 0)."""

from __future__ import annotations

from typing import Any

import numpy as np

from .. import gamma_arrays
from ..errors import UnsupportedError
from .arithmetic import broadcasting
from .gamma import RegularizedGammaP

__all__ = ["RegularizedGammaQ"]


class RegularizedGammaQ(RegularizedGammaP):
    """out = Q(a, x) = Gamma(a, x) / Gamma(a);  dx = -g x^(a-1) e^(-x) / Gamma(a), minus
    ``RegularizedGammaP``'s (with its edge values, and differentiable again when recorded).
    The derivative in a is not implemented (nor is PyTorch's)."""
    __slots__ = ()

    def forward(self, a: np.ndarray, x: np.ndarray) -> np.ndarray:
        return broadcasting("igammac", gamma_arrays.regularized_gamma_q, a, x)

    def vjp(self, g: Any, out: Any, a: Any, x: Any) -> tuple:
        if self.needs_input_grad[0]:
            raise UnsupportedError("gammaincc(a, x): the derivative in a is not implemented "
                                   "(PyTorch's neither); detach a, or differentiate in x")
        return super().vjp(-g, out, a, x)
