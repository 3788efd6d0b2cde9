"""PyTorch's flat writes ``put(index, source, accumulate=False)`` and ``put_``: the tensor
read as ``self.reshape(-1)``, ``source``'s elements written (or, with ``accumulate=True``,
added) at the flat positions ``index`` names. They are ``index_put`` / ``index_put_`` at
the coordinates ``np.unravel_index`` gives, so the gradient (to self where nothing is
written, to source the upstream gradient at its positions) and the in-place rules are
theirs."""

from __future__ import annotations

from typing import Any

import numpy as np

from .errors import DTypeError, ShapeError, TensorIndexError, UsageError
from .ops.generic import is_tensor
from .ops.indexing import check_source_dtype

__all__ = ["PutMethods", "put_coordinates"]

AnyTensor = Any  # a Tensor: this module sits below the Tensor class


def put_coordinates(shape: tuple, index: Any, source: Any, name: str) -> tuple:
    """The coordinate arrays of the flat positions ``index`` (an integer tensor; negative
    entries count from the end) in a tensor of ``shape``, and ``source`` reshaped to
    ``index``'s shape (it must hold as many elements)."""
    if not hasattr(index, "shape") or not hasattr(source, "shape"):
        raise UsageError(f"{name}: index and source must be tensors (as PyTorch's); got "
                         f"{type(index).__name__} and {type(source).__name__}. Wrap them: "
                         f"autograd.tensor(i)")
    positions = np.asarray(getattr(index, "data", index))
    if positions.dtype.kind not in "iu":
        raise DTypeError(f"{name}: index must hold integers; got dtype {positions.dtype}. "
                         f"Convert it: index.long()")
    if positions.size != int(np.prod(source.shape)):
        raise ShapeError(f"{name}: source and index must have the same number of elements; "
                         f"got source with {int(np.prod(source.shape))} and index with "
                         f"{positions.size}")
    n = int(np.prod(shape))
    bad = positions[(positions < -n) | (positions >= n)]
    if bad.size:
        raise TensorIndexError(f"{name}: index {int(bad.flat[0])} is out of range for a tensor "
                               f"of {n} elements (shape {shape}): -{n}..{n - 1}")
    flat = np.where(positions < 0, positions + n, positions).reshape(-1)
    return np.unravel_index(flat, shape), source.reshape(-1)


class PutMethods:
    """``put`` and ``put_`` (a mixin of the Tensor class)."""

    __slots__ = ()

    def put(self, index: Any, source: Any, accumulate: bool = False) -> AnyTensor:
        """A copy of self with out.reshape(-1)[index] = source (``accumulate=True``: +=,
        repeated positions adding up); differentiable in self and source."""
        if self.ndim == 0:  # one element: position 0 (or -1) of its 1-element view
            return self.reshape(1).put(index, source, accumulate).reshape(())
        coordinates, values = put_coordinates(self.shape, index, source, "put")
        check_source_dtype(self, coordinates, source, "put", always=True)
        return self.index_put(coordinates, values, bool(accumulate))

    def put_(self, index: Any, source: Any, accumulate: bool = False) -> AnyTensor:
        """``put`` written in place (``index_put_`` at the flat positions' coordinates)."""
        if self.ndim == 0:  # written through its 1-element view
            self.reshape(1).put_(index, source, accumulate)
            return self
        coordinates, values = put_coordinates(self.shape, index, source, "put_")
        check_source_dtype(self, coordinates, source, "put_", always=True)
        data = values.data if is_tensor(values) else values

        def write(out: np.ndarray) -> None:
            if accumulate:  # repeated positions add up
                np.add.at(out, coordinates, data)
            else:
                out[coordinates] = data
        return self._write("put_", "x = x.put(index, source, accumulate)", write, source,
                           recorded=lambda: self.put(index, source, accumulate))
