"""``x.at[index]``, JAX's spelling of functional updates: ``x.at[i].set(v)`` and
``x.at[i].add(v)`` are new tensors, differentiable in x and v; x is unchanged."""
from __future__ import annotations

from typing import Any

from .ops import indexing
from .ops.index_readings import put_index
from .ops.shape import _index_arrays

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
        return self.put(v, False, "at[...].set")

    def add(self, v: Any) -> AnyTensor:
        """A copy of the tensor with v added at ``[index]``."""
        return self.tensor.index_add(self.index, v)

    def put(self, values: Any, accumulate: bool, name: str) -> AnyTensor:
        """A copy of the tensor with ``[index] = values`` (``accumulate``: ``+=``, repeats
        adding up), for any NumPy index, errors naming ``name``: ``index_put``'s work."""
        x = self.tensor
        arrays = _index_arrays(put_index(self.index, name), x.ndim)
        values = x._lift_value(values, name)
        if accumulate:
            return indexing.index_add(x, arrays, values, name)
        return indexing.index_put(x, arrays, values)
