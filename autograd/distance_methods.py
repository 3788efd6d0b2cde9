"""PyTorch's ``Tensor.dist(other, p=2)``: the p-norm of the difference over all elements,
how geometry code measures a point's, a pose's or a parameter vector's distance to another
(``p1.dist(p2)``, ``R_est.dist(R_true)``). The function ``autograd.dist`` existed; the
method did not. A composition of differentiable ops (a subtraction, a flattening, a
norm), so the gradient is the norm's."""

from __future__ import annotations

from typing import Any

from .float_only import require_float

__all__ = ["DistanceMethods"]

AnyTensor = Any  # a Tensor: this module sits below the Tensor class


class DistanceMethods:
    """``dist``, a mixin of ``Tensor``."""

    __slots__ = ()

    def dist(self, other: Any, p: float = 2) -> AnyTensor:
        """||self - other||_p over all elements (the two broadcast together), as
        PyTorch's ``Tensor.dist``: (sum |d|^p)^(1/p); p = inf the largest |d|. The
        difference must be a float: two integer tensors are refused, as PyTorch's."""
        difference = self - other
        if difference.dtype.kind in "biu":  # uint8 0 - 200 wrapped around to 56
            require_float("dist", input=self, other=other)
        return difference.reshape(-1).norm(p)
