"""PyTorch's ``index_copy(dim, index, source)`` and ``index_copy_``: ``source``'s slices
written along ``dim`` at the positions ``index`` names, ``out[..., index[i], ...] =
source[..., i, ...]``. A static KV cache stores each decoding step's keys this way
(``k_cache.index_copy_(2, cache_position, key_states)``). The arguments are checked as
``index_add``'s (``torch_index_add``), and a Tensor source must have self's dtype (as in
PyTorch); the copy is ``index_put``, so its gradient goes to source's slices that were
written last and to the elements of self not overwritten."""

from __future__ import annotations

from typing import Any

import numpy as np

from .errors import ShapeError
from .ops.generic import is_tensor
from .ops.indexing import check_source_dtype
from .torch_arguments import torch_index_add
from .scalar_axis import one_element_axis, one_element_axis_

__all__ = ["IndexCopyMethods"]

AnyTensor = Any  # a Tensor: this module sits below the Tensor class


class IndexCopyMethods:
    """``index_copy`` and ``index_copy_`` (a mixin of the Tensor class)."""

    __slots__ = ()

    @one_element_axis
    def index_copy(self, dim: int, index: Any, source: Any) -> AnyTensor:
        """A copy of self with out[..., index[i], ...] = source[..., i, ...] along ``dim``
        (index: integers in [0, size), 1-d; source: self's shape with len(index) along
        ``dim``, or on a 1-d self a 0-d source with one index, as PyTorch's). With a
        repeated index the last write wins (PyTorch leaves it undefined), and only its
        slice of source gets the gradient there."""
        source = _one_value_source(self, index, source, "index_copy")
        positions, _ = torch_index_add(self, dim, index, source, None, 1, "index_copy")
        check_source_dtype(self, positions, source, "index_copy", always=True)
        return self.index_put(positions, source)

    @one_element_axis_
    def index_copy_(self, dim: int, index: Any, source: Any) -> AnyTensor:
        """``index_copy`` written in place (recorded on a computed tensor, refused on a
        leaf that requires grad while recording, as every in-place write)."""
        source = _one_value_source(self, index, source, "index_copy_")
        positions, _ = torch_index_add(self, dim, index, source, None, 1, "index_copy_")
        check_source_dtype(self, positions, source, "index_copy_", always=True)
        value = getattr(source, "data", source)
        return self._write("index_copy_", "x = x.index_copy(dim, index, source)",
                           lambda out: out.__setitem__(positions, value), source,
                           recorded=lambda: self.index_put(positions, source))


def _one_value_source(t: AnyTensor, index: Any, source: Any, name: str) -> Any:
    """``source`` as ``index_copy`` writes it: as PyTorch, a 0-d source on a 1-d self is
    the one-element slice of shape (1,) (``x.index_copy(0, tensor(1), tensor(5.))``), so
    the index must name one position; any other source is returned as it is."""
    if t.ndim != 1 or np.ndim(source.data if is_tensor(source) else source) != 0:
        return source
    count = np.size(getattr(index, "data", index))
    if count != 1:
        raise ShapeError(f"{name}: a 0-d source is one value, so the index must name one "
                         f"position, as PyTorch's; got {count}. Pass a source of shape "
                         f"({count},), e.g. source.expand({count})")
    return source.reshape(1) if is_tensor(source) else np.reshape(source, (1,))
