"""PyTorch's in-place index writes ``index_add_(dim, index, source, alpha=)`` and
``index_put_(indices, values, accumulate=)``. A base of ``inplace.InplaceOps``, whose
``_write`` they go through, so the in-place rules of that module hold. As in PyTorch, a
Tensor source must have self's dtype (``indexing.check_source_dtype``): NumPy's
``np.add.at`` and assignment would cast it silently (2.7 into an int64 tensor as 2)."""

from __future__ import annotations

from typing import Any

import numpy as np

from .errors import DTypeError, UsageError
from .ops.generic import is_tensor
from .ops.indexing import check_source_dtype
from .ops.index_readings import put_index, refuse_none_in_indices
from .scalar_axis import one_element_axis_
from .torch_arguments import torch_index_add

__all__ = ["IndexWriteInplace"]


class IndexWriteInplace:
    """``index_add_`` and ``index_put_`` (a mixin under ``InplaceOps``)."""

    __slots__ = ()

    @one_element_axis_
    def index_add_(self, dim: int, index: Any, source: Any, *, alpha: Any = 1) -> Any:
        """``self.index_add(dim, index, source, alpha=alpha)`` written in place, as
        PyTorch's: ``self[..., index[i], ...] += alpha * source[..., i, ...]`` along ``dim``
        (repeated indices add up)."""
        positions, values = torch_index_add(self, dim, index, source, None, alpha)
        check_source_dtype(self, positions, source, "index_add_", always=True)
        if is_tensor(values) and values.dtype != self.dtype:  # PyTorch truncates alpha
            raise DTypeError(f"index_add_: alpha={alpha!r} turns the {source.dtype} source "
                             f"into {values.dtype}, which this {self.dtype} tensor does not "
                             f"take; give alpha as a Python number of its kind (an int for "
                             f"an integer tensor)")
        return self._write("index_add_", "x = x.index_add(dim, index, source)",
                           lambda out: np.add.at(out, positions, _array(values)), source,
                           recorded=lambda: self.index_add(positions, values))

    def index_put_(self, indices: Any, values: Any, accumulate: bool = False) -> Any:
        """PyTorch's ``self[indices] = values`` (a tuple of index tensors, one per leading
        axis) written in place; ``accumulate=True``: ``self[indices] += values``, repeated
        indices adding up (the dense form of ``sparse_coo_tensor(indices, values)``)."""
        index = _index_tuple(indices)
        check_source_dtype(self, index, values, "index_put_", bool(accumulate), ("values", "self"))
        if accumulate:
            return self._write("index_put_", "x = x.index_put(indices, values, "
                               "accumulate=True)",
                               lambda out: np.add.at(out, index, _array(values)), values,
                               recorded=lambda: self.index_put(index, values, True))
        return self._write("index_put_", "x = x.index_put(indices, values)",
                           lambda out: out.__setitem__(index, _array(values)), values,
                           recorded=lambda: self.index_put(index, values))


def _index_tuple(indices: Any) -> tuple:
    """``index_put_``'s ``indices`` as NumPy's index: a tuple (or list) of index tensors,
    one per leading axis, as PyTorch's. Anything else (a bare tensor, whose elements would
    read as one position) is a UsageError (a TypeError, as PyTorch's); None among them and
    a uint8 array (a mask to PyTorch, positions to NumPy) too, as on every other path."""
    if not isinstance(indices, (tuple, list)):
        raise UsageError(f"index_put_: indices must be a tuple of index tensors, one per "
                         f"leading axis, as in PyTorch; got {type(indices).__name__}. "
                         f"Write x.index_put_((index,), values) for one index tensor")
    refuse_none_in_indices(indices, "index_put_")
    return put_index(tuple(np.asarray(_array(i)) for i in indices), "index_put_")


def _array(x: Any) -> Any:
    """A tensor's array, anything else as it is (NumPy takes numbers and arrays)."""
    return x.data if is_tensor(x) else x
