"""PyTorch's broadcasting helpers: ``broadcast_tensors(a, b, ...)`` (each tensor expanded
to the common shape: differentiable, the gradient of a broadcast is summed back),
``broadcast_shapes(s1, s2, ...)`` (the common shape alone) and ``atleast_1d/2d/3d``
(NumPy's rules, which PyTorch's follow). ``np.broadcast_arrays`` on Tensors is
``numpy_stacking.numpy_broadcast_arrays``, which ``broadcast_tensors`` runs."""

from __future__ import annotations

from typing import Any

from .numpy_stacking import (common_shape, numpy_atleast_1d, numpy_atleast_2d,
                             numpy_atleast_3d, numpy_broadcast_arrays)
from .size_tuple import Size
from .tensor import Tensor, as_tensor

__all__ = ["broadcast_tensors", "broadcast_shapes", "atleast_1d", "atleast_2d",
           "atleast_3d"]


def broadcast_shapes(*shapes: Any) -> Size:
    """The shape that ``shapes`` broadcast to, by NumPy's rules (an int is a 1-d shape)."""
    return Size(common_shape(shapes, "broadcast_shapes"))


def broadcast_tensors(*tensors: Any) -> tuple[Tensor, ...]:
    """Each tensor expanded to the common shape, in a tuple; the gradient of each is the
    upstream one summed over its broadcast axes. As PyTorch's, a tensor that already has
    that shape (up to new leading axes of size 1) comes back as a writable view whose writes
    reach it; the others are read-only views, where one element stands for several."""
    return numpy_broadcast_arrays(*(as_tensor(t) for t in tensors))


def atleast_1d(*tensors: Any) -> Any:
    """A 0-d tensor as shape (1,), others unchanged; several (or a tuple) give a tuple."""
    return _at_least(numpy_atleast_1d, tensors)


def atleast_2d(*tensors: Any) -> Any:
    """0-d as (1, 1), 1-d (N,) as the row (1, N), others unchanged."""
    return _at_least(numpy_atleast_2d, tensors)


def atleast_3d(*tensors: Any) -> Any:
    """0-d as (1, 1, 1), (N,) as (1, N, 1), (M, N) as (M, N, 1), others unchanged."""
    return _at_least(numpy_atleast_3d, tensors)


def _at_least(numpy_function: Any, tensors: tuple) -> Any:
    """PyTorch's call forms: ``atleast_2d(a)``, ``atleast_2d(a, b)``, ``atleast_2d((a, b))``
    (a tuple in, a tuple out), numbers and arrays made Tensors; none (``atleast_2d()``,
    ``atleast_2d([])``) gives ``()``, as PyTorch's."""
    several = len(tensors) == 1 and isinstance(tensors[0], (tuple, list))
    items = tensors[0] if several else tensors
    if not items:
        return ()
    result = numpy_function(*(as_tensor(t) for t in items))
    return (result if isinstance(result, tuple) else (result,)) if several else result
