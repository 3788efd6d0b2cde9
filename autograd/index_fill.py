"""PyTorch's ``index_fill(dim, index, value)`` and ``index_fill_``: ``value`` in every
slice of ``dim`` that ``index`` names (The Annotated Transformer's label smoothing
zeroes the rows of padding targets with ``true_dist.index_fill_(0, mask.squeeze(),
0.0)``). Both are ``masked_fill`` / ``masked_fill_`` with the mask of those slices, so
the gradient, the in-place rules and the value checks are theirs."""

from __future__ import annotations

from typing import Any

import numpy as np

from .errors import DTypeError, ShapeError, TensorIndexError
from .inplace import check_fits
from .ops.generic import is_tensor
from .ops.reductions import single_axis
from .torch_arguments import check_mask_value

__all__ = ["IndexFillMethods", "index_fill", "index_fill_mask"]

AnyTensor = Any  # a Tensor: this module sits below the Tensor class


def index_fill_mask(shape: tuple, dim: int, index: Any, name: str) -> np.ndarray:
    """The boolean array of ``shape`` that is True where the coordinate along ``dim`` is
    one of ``index`` (an integer 0-d or 1-d tensor or array; negative counts from the
    end, as PyTorch's)."""
    index = np.asarray(getattr(index, "data", index))
    if index.dtype.kind not in "iu":
        raise DTypeError(f"{name}: the index must be an integer tensor (int64, as "
                         f"PyTorch's); got dtype {index.dtype}")
    if index.ndim > 1:
        raise ShapeError(f"{name}: the index must be a vector or a scalar (0-d or 1-d); "
                         f"got shape {index.shape}")
    axis = single_axis(dim, max(len(shape), 1), name)  # 0-d: dim 0 or -1, as PyTorch's
    size = shape[axis] if shape else 1
    bad = index[(index >= size) | (index < -size)]
    if bad.size:
        raise TensorIndexError(f"{name}: index {int(bad[0])} is out of bounds for dimension "
                               f"{dim} with size {size}")
    picked = np.zeros(size, dtype=bool)
    picked[index.reshape(-1)] = True
    if not shape:
        return picked.reshape(())
    return picked.reshape([size if i == axis else 1 for i in range(len(shape))])


class IndexFillMethods:
    """``index_fill`` and ``index_fill_`` (a mixin of the Tensor class)."""

    __slots__ = ()

    def index_fill(self, dim: int, index: Any, value: Any) -> AnyTensor:
        """out[..., i, ...] = value for each i in ``index`` along ``dim``; self elsewhere
        (the gradient flows to the kept elements, and to a tensor ``value``), in self's
        dtype."""
        mask = index_fill_mask(self.shape, dim, index, "index_fill")
        _check_value(value, self.dtype, "index_fill")
        return self.masked_fill(mask, value)

    def index_fill_(self, dim: int, index: Any, value: Any) -> AnyTensor:
        """``index_fill`` written in place (``masked_fill_``'s write, of the slices' mask;
        its messages name ``index_fill_``)."""
        mask = index_fill_mask(self.shape, dim, index, "index_fill_")
        _check_value(value, self.dtype, "index_fill_")
        number = value.data if is_tensor(value) else value
        return self._write("index_fill_", "x = x.index_fill(dim, index, value)",
                           lambda out: np.copyto(out, number, casting="unsafe", where=mask),
                           value, recorded=lambda: self.masked_fill(mask, value))


def _check_value(value: Any, dtype: np.dtype, name: str) -> None:
    """``value`` is one number or a 0-d tensor that a tensor of ``dtype`` can hold, as
    PyTorch's (``masked_fill``'s checks, naming ``name``)."""
    check_mask_value(name, value)
    check_fits(value, dtype, name, integers=True)


def index_fill(input: AnyTensor, dim: int, index: Any, value: Any) -> AnyTensor:  # noqa: A002
    """``input.index_fill(dim, index, value)``: value in the slices of ``dim`` that
    ``index`` names, input elsewhere (PyTorch's ``torch.index_fill``)."""
    return input.index_fill(dim, index, value)
