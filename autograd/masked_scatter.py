"""PyTorch's ``masked_scatter(mask, source)``, ``masked_scatter_`` and the function
``masked_scatter(input, mask, source)``: the first ``mask.sum()`` elements of ``source``
(read in row-major order) written where ``mask`` is True, self elsewhere. DistilBERT's
``prepare_batch_mlm`` puts its replacement tokens in with ``token_ids.masked_scatter(
pred_mask, _token_ids)``. The write is ``index_put`` at the mask's positions, so the
gradient goes to those elements of ``source`` and to the elements of self kept."""

from __future__ import annotations

from typing import Any

import numpy as np

from .errors import DTypeError, ShapeError

__all__ = ["MaskedScatterMethods", "masked_scatter"]

AnyTensor = Any  # a Tensor: this module sits below the Tensor class


def _positions(name: str, shape: tuple, mask: Any, source: Any, dtype: Any,
               in_place: bool) -> tuple[tuple, tuple, int]:
    """(the result's shape, the index arrays of the mask's True elements in it, their
    count), after PyTorch's checks: a boolean mask broadcasting with self (to self's
    shape in place), a source of self's dtype with at least as many elements as the mask
    has True."""
    mask = np.asarray(getattr(mask, "data", mask))
    if mask.dtype != np.bool_:
        raise DTypeError(f"{name}: the mask must be boolean, as PyTorch's; got dtype "
                         f"{mask.dtype}. Write mask.bool().")
    try:
        out_shape = np.broadcast_shapes(shape, mask.shape)
    except ValueError:
        out_shape = None
    if out_shape is None or (in_place and out_shape != tuple(shape)):
        raise ShapeError(f"{name}: the mask of shape {mask.shape} does not broadcast to the "
                         f"tensor's shape {tuple(shape)}")
    source_dtype = np.dtype(getattr(source, "dtype", np.asarray(source).dtype))
    if source_dtype != np.dtype(dtype):
        raise DTypeError(f"{name}: source must have the tensor's dtype {np.dtype(dtype)}, as "
                         f"in PyTorch; got {source_dtype}. Cast it, e.g. source.to(x.dtype).")
    mask = np.broadcast_to(mask, out_shape)
    positions = np.nonzero(mask) if mask.ndim else (mask,)  # (a 0-d mask: its own index)
    count, size = int(mask.sum()), int(np.prod(np.shape(source)))
    if size < count:
        raise ShapeError(f"{name}: source has {size} elements, fewer than the "
                         f"{count} True elements of the mask")
    return out_shape, positions, count


class MaskedScatterMethods:
    """``masked_scatter`` and ``masked_scatter_`` (a mixin of the Tensor class)."""

    __slots__ = ()

    def masked_scatter(self, mask: Any, source: AnyTensor) -> AnyTensor:
        """out[mask] = source.reshape(-1)[:mask.sum()], self elsewhere (self and mask
        broadcast together; the gradient flows to the elements of source written and to
        the elements of self kept)."""
        shape, positions, count = _positions("masked_scatter", self.shape, mask, source,
                                             self.dtype, False)
        base = self if self.shape == shape else self.broadcast_to(shape)
        return base.index_put(positions, source.reshape(-1)[:count])

    def masked_scatter_(self, mask: Any, source: AnyTensor) -> AnyTensor:
        """``masked_scatter`` written in place (the mask broadcasts to self's shape;
        recorded on a computed tensor, refused on a leaf that requires grad while
        recording, as every in-place write)."""
        _, positions, count = _positions("masked_scatter_", self.shape, mask, source,
                                         self.dtype, True)
        values = np.asarray(getattr(source, "data", source)).reshape(-1)[:count]
        return self._write("masked_scatter_", "x = x.masked_scatter(mask, source)",
                           lambda out: out.__setitem__(positions, values), source,
                           recorded=lambda: self.index_put(positions,
                                                           source.reshape(-1)[:count]))


def masked_scatter(input: AnyTensor, mask: Any, source: AnyTensor) -> AnyTensor:  # noqa: A002
    """``input.masked_scatter(mask, source)``: source's first elements where mask is
    True, input elsewhere (PyTorch's ``torch.masked_scatter``)."""
    return input.masked_scatter(mask, source)
