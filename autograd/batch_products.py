"""PyTorch's products of batches and vectors as methods: ``baddbmm``, beta * input +
alpha * (batch1 @ batch2) for batches of matrices (3-d, one batch size; input
broadcasts; BLOOM adds its ALiBi bias to the scaled attention scores in one call,
``alibi.baddbmm(batch1=query, batch2=key, beta=1.0, alpha=inv_norm_factor)``);
``addbmm``, the same with the batch's products summed; ``inner`` (NumPy's: the sum over
the last axes) and ``vdot`` (of two vectors). Compositions of ``bmm``, ``sum`` and
``tensordot`` with ``addmm``'s rule for beta = 0 (input's values ignored, NaN too, as
PyTorch), so they differentiate as those do."""

from __future__ import annotations

from typing import Any

import numpy as np

from .dtype_refusals import require_same_dtype
from .errors import ShapeError
from .numpy_more import numpy_inner
from .scaled_sums import scaled_sum

__all__ = ["BatchProductMethods"]

AnyTensor = Any  # a Tensor: this module sits below the Tensor class


class BatchProductMethods:
    """``baddbmm addbmm inner vdot`` (a mixin of the Tensor class)."""

    __slots__ = ()

    def baddbmm(self, batch1: Any, batch2: Any, *, beta: Any = 1,
                alpha: Any = 1) -> AnyTensor:
        """beta * self + alpha * (batch1 @ batch2), batch1 (b, n, m) and batch2 (b, m, p);
        self broadcasts to (b, n, p). With ``beta=0`` self's values are ignored."""
        if np.ndim(batch1) != 3 or np.ndim(batch2) != 3:
            raise ShapeError(f"baddbmm: batch1 and batch2 must be batches of matrices (3-d); "
                             f"got shapes {np.shape(batch1)} and {np.shape(batch2)}")
        return self._plus_scaled(self._lift(batch1).bmm(batch2), beta, alpha, "baddbmm")

    def addbmm(self, batch1: Any, batch2: Any, *, beta: Any = 1, alpha: Any = 1) -> AnyTensor:
        """beta * self + alpha * sum_b batch1[b] @ batch2[b], batch1 (b, n, m) and batch2
        (b, m, p); self broadcasts to (n, p). With ``beta=0`` self's values are ignored.
        An integer sum keeps the products' dtype, as PyTorch's (int32 stays int32)."""
        if np.ndim(batch1) != 3 or np.ndim(batch2) != 3:
            raise ShapeError(f"addbmm: batch1 and batch2 must be batches of matrices (3-d); "
                             f"got shapes {np.shape(batch1)} and {np.shape(batch2)}")
        products = self._lift(batch1).bmm(batch2)
        summed = products.sum(0, dtype=products.dtype if products.dtype.kind in "iu" else None)
        return self._plus_scaled(summed, beta, alpha, "addbmm")

    def _plus_scaled(self, product: AnyTensor, beta: Any, alpha: Any,
                     op: str = "addmm") -> AnyTensor:
        """beta * self + alpha * product, self's values ignored when beta is 0 (see
        ``scaled_sums``: numbers only, self broadcasts to the product's shape, integer and
        bool tensors keep their dtype)."""
        return scaled_sum(self, product, beta, alpha, op)

    def inner(self, other: Any) -> AnyTensor:
        """The sum of products over the last axes (NumPy's ``inner``): shape
        self.shape[:-1] + other.shape[:-1]; a 0-d operand multiplies."""
        other = self._lift(other)
        if self.ndim and other.ndim and self.shape[-1] != other.shape[-1]:
            raise ShapeError(f"inner: the last axes are summed together, so their lengths "
                             f"must be equal; got shapes {self.shape} and {other.shape}")
        return numpy_inner(self, other)

    def vdot(self, other: Any) -> AnyTensor:
        """sum_i self_i other_i of two 1-d tensors of one length and dtype (a real ``vdot``;
        two dtypes are a DTypeError, as PyTorch's)."""
        other = self._lift(other)
        require_same_dtype("vdot", self, other)
        if self.ndim != 1 or other.ndim != 1 or self.shape != other.shape:
            raise ShapeError(f"vdot: expected two 1-d tensors of one length; got shapes "
                             f"{self.shape} and {other.shape}")
        return self.dot(other)
