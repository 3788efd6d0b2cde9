"""PyTorch's ``baddbmm``: beta * input + alpha * (batch1 @ batch2) for batches of
matrices (3-d, one batch size; input broadcasts). BLOOM adds its ALiBi bias to the
scaled attention scores in one call, ``alibi.baddbmm(batch1=query, batch2=key,
beta=1.0, alpha=inv_norm_factor)``. A composition of ``bmm`` and ``addmm``'s rule for
beta = 0 (input's values ignored, NaN too, as PyTorch), so it differentiates as they do."""

from __future__ import annotations

from typing import Any

import numpy as np

from .errors import ShapeError

__all__ = ["BatchProductMethods"]

AnyTensor = Any  # a Tensor: this module sits below the Tensor class


class BatchProductMethods:
    """``baddbmm`` (a mixin of the Tensor class)."""

    __slots__ = ()

    def baddbmm(self, batch1: Any, batch2: Any, *, beta: Any = 1,
                alpha: Any = 1) -> AnyTensor:
        """beta * self + alpha * (batch1 @ batch2), batch1 (b, n, m) and batch2 (b, m, p);
        self broadcasts to (b, n, p). With ``beta=0`` self's values are ignored."""
        if np.ndim(batch1) != 3 or np.ndim(batch2) != 3:
            raise ShapeError(f"baddbmm: batch1 and batch2 must be batches of matrices (3-d); "
                             f"got shapes {np.shape(batch1)} and {np.shape(batch2)}")
        product = self._lift(batch1).bmm(batch2)
        if alpha != 1:
            product = product * alpha
        if beta == 0:  # every element of self replaced by 0: no NaN * 0
            return self.masked_fill(np.ones(self.shape, bool), 0.0) + product
        return (self if beta == 1 else self * beta) + product
