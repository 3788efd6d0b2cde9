"""``x.at[index]``, JAX's spelling of functional updates: ``x.at[i].set(v)`` and
``x.at[i].add(v)`` are new tensors, differentiable in x and v; x is unchanged."""
from __future__ import annotations

from typing import Any

__all__ = ["At"]

AnyTensor = Any  # a Tensor: this module sits below the Tensor class


class At:
    """``x.at[index]``: functional updates, ``.set(v)`` and ``.add(v)`` (JAX's spelling)."""
    __slots__ = ("tensor", "index")

    def __init__(self, tensor: AnyTensor, index: Any = None) -> None:
        self.tensor, self.index = tensor, index

    def __getitem__(self, index: Any) -> "At":
        return At(self.tensor, index)

    def set(self, v: Any) -> AnyTensor:
        """A copy of the tensor with ``[index] = v``."""
        return self.tensor.index_put(self.index, v)

    def add(self, v: Any) -> AnyTensor:
        """A copy of the tensor with v added at ``[index]``."""
        return self.tensor.index_add(self.index, v)
