"""NumPy's stacking helpers and ``*_like`` constructors on Tensors, with NumPy's arguments:
``np.concatenate np.stack`` (with NumPy's ``dtype=``/``casting=``),
``np.hstack np.vstack np.dstack np.column_stack np.atleast_1d np.atleast_2d
np.atleast_3d`` (differentiable: reshapes and one concatenation) and ``np.zeros_like
np.ones_like np.full_like np.empty_like`` (constants shaped like a Tensor, as PyTorch's
``zeros_like``). HIPS autograd programs build their inputs with them
(``np.hstack((x, h, ones))``, ``np.vstack(rows)``). ``autograd.interop`` dispatches to
them (its ``FUNCTIONS`` table); they sit below the Tensor class.
"""

from __future__ import annotations

from typing import Any, Sequence

import numpy as np

from .errors import DTypeError, ShapeError, UsageError
from .ops.generic import is_tensor
from .tensor_math import concatenate, stack

__all__ = ["numpy_hstack", "numpy_vstack", "numpy_dstack", "numpy_column_stack",
           "numpy_atleast_1d", "numpy_atleast_2d", "numpy_atleast_3d", "numpy_zeros_like",
           "numpy_ones_like", "numpy_full_like", "numpy_empty_like",
           "numpy_broadcast_arrays", "numpy_concatenate", "numpy_stack", "joined_dtype",
           "common_shape", "tensors_like", "FUNCTIONS", "SEQUENCES"]

AnyTensor = Any  # a Tensor: this module sits below the Tensor class


def tensors_like(values: Sequence[Any]) -> list:
    """``values`` as Tensors, each array or number made like the first Tensor among them."""
    like = next(v for v in values if is_tensor(v))
    return [v if is_tensor(v) else like._lift(v) for v in values]


_CASTINGS = ("no", "equiv", "safe", "same_kind", "unsafe")


def joined_dtype(name: str, tensors: Sequence[AnyTensor], dtype: Any,
                 casting: str) -> list:
    """NumPy's ``dtype=``/``casting=`` of the joins: each tensor cast to ``dtype`` (when
    given), each cast allowed by the rule ``casting`` (as ``np.can_cast``) from its dtype
    to ``dtype`` or, without one, to the dtype they promote to; differentiable between
    float dtypes."""
    if casting not in _CASTINGS:
        raise UsageError(f"np.{name}: casting must be one of {_CASTINGS}; got {casting!r}")
    target = np.dtype(dtype) if dtype is not None else np.result_type(
        *(t.dtype for t in tensors))
    for t in tensors:
        if not np.can_cast(t.dtype, target, casting):
            raise DTypeError(f"np.{name}: cannot cast {t.dtype} to {target} under the rule "
                             f"casting={casting!r}, as NumPy; pass casting='unsafe' or "
                             f"convert first (t.astype(...))")
    if dtype is None:
        return list(tensors)
    return [t if t.dtype == target else t.astype(target) for t in tensors]


def numpy_concatenate(arrays: Sequence[Any], axis: Any = 0, *, dtype: Any = None,
                      casting: str = "same_kind") -> AnyTensor:
    """``np.concatenate``: joined along ``axis`` (flattened first when None), each cast
    to ``dtype`` when given (``joined_dtype``)."""
    return concatenate(joined_dtype("concatenate", _as_list(arrays, "concatenate"), dtype,
                                    casting), axis)


def numpy_stack(arrays: Sequence[Any], axis: int = 0, *, dtype: Any = None,
                casting: str = "same_kind") -> AnyTensor:
    """``np.stack``: joined along a new ``axis``, each cast to ``dtype`` when given."""
    return stack(joined_dtype("stack", _as_list(arrays, "stack"), dtype, casting), axis)


def _at_least(ndim: int, arys: tuple, name: str) -> Any:
    """Each array with at least ``ndim`` axes, as NumPy's ``atleast_{ndim}d``: a 0-d one
    becomes shape (1,)*ndim, a 1-d (N,) becomes (1, N) then (1, N, 1), a 2-d (M, N)
    becomes (M, N, 1). One array in, one out; several give a tuple."""
    if not arys:
        raise UsageError(f"np.{name}() needs at least one array")
    out = []
    for t in tensors_like(arys):
        if t.ndim < ndim:
            shape = {0: (1,) * ndim, 1: ((1,) + t.shape + (1,))[:ndim]}.get(t.ndim,
                                                                            t.shape + (1,))
            t = t.reshape(shape)
        out.append(t)
    return out[0] if len(out) == 1 else tuple(out)


def numpy_atleast_1d(*arys: Any) -> Any:
    """``np.atleast_1d``: a 0-d tensor as shape (1,); others unchanged."""
    return _at_least(1, arys, "atleast_1d")


def numpy_atleast_2d(*arys: Any) -> Any:
    """``np.atleast_2d``: 0-d as (1, 1), 1-d (N,) as the row (1, N)."""
    return _at_least(2, arys, "atleast_2d")


def numpy_atleast_3d(*arys: Any) -> Any:
    """``np.atleast_3d``: (N,) as (1, N, 1), (M, N) as (M, N, 1)."""
    return _at_least(3, arys, "atleast_3d")


def _as_list(tup: Any, name: str) -> list:
    """The arrays to join (an array's first axis counts as a sequence, as in NumPy)."""
    if not len(tup):
        raise UsageError(f"np.{name} needs at least one array to join")
    return tensors_like(tup)


def numpy_hstack(tup: Sequence[Any], *, dtype: Any = None, casting: str = "same_kind") -> Any:
    """``np.hstack``: joined along axis 1, or along axis 0 when all are 1-d."""
    arrays = [numpy_atleast_1d(t) for t in joined_dtype("hstack", _as_list(tup, "hstack"),
                                                        dtype, casting)]
    return concatenate(arrays, 0 if all(t.ndim == 1 for t in arrays) else 1)


def numpy_vstack(tup: Sequence[Any], *, dtype: Any = None, casting: str = "same_kind") -> Any:
    """``np.vstack``: 1-d arrays as rows (1, N), joined along axis 0."""
    arrays = joined_dtype("vstack", _as_list(tup, "vstack"), dtype, casting)
    return concatenate([numpy_atleast_2d(t) for t in arrays], 0)


def numpy_dstack(tup: Sequence[Any]) -> Any:
    """``np.dstack``: each as ``atleast_3d``, joined along axis 2."""
    return concatenate([numpy_atleast_3d(t) for t in _as_list(tup, "dstack")], 2)


def numpy_column_stack(tup: Sequence[Any]) -> Any:
    """``np.column_stack``: 1-d arrays as columns (N, 1), joined along axis 1."""
    arrays = [t.reshape(-1, 1) if t.ndim < 2 else t for t in _as_list(tup, "column_stack")]
    return concatenate(arrays, 1)


def _like(name: str, a: AnyTensor, fill: Any, dtype: Any, order: str, subok: bool,
          shape: Any) -> AnyTensor:
    """A constant Tensor from NumPy's ``np.{name}(a.data, ...)``: no gradient flows to or
    from it, as PyTorch's ``zeros_like``. ``fill`` is ``full_like``'s value."""
    if is_tensor(fill):
        raise UsageError(f"np.{name}(a, t): a Tensor fill value would be cut out of the "
                         f"graph; write t * np.ones_like(a) (or t.expand(a.shape))")
    function = getattr(np, name)
    args = (a.data,) if fill is None else (a.data, fill)
    return a._make(function(*args, dtype=dtype, order=order, subok=subok, shape=shape), None)


def numpy_zeros_like(a: AnyTensor, dtype: Any = None, order: str = "K", subok: bool = True,
                     shape: Any = None, *, device: Any = None) -> AnyTensor:
    """``np.zeros_like(t)``: a constant Tensor of zeros shaped (and typed) like t."""
    return _like("zeros_like", a, None, dtype, order, subok, shape)


def numpy_ones_like(a: AnyTensor, dtype: Any = None, order: str = "K", subok: bool = True,
                    shape: Any = None, *, device: Any = None) -> AnyTensor:
    """``np.ones_like(t)``: a constant Tensor of ones shaped (and typed) like t."""
    return _like("ones_like", a, None, dtype, order, subok, shape)


def numpy_empty_like(a: AnyTensor, dtype: Any = None, order: str = "K", subok: bool = True,
                     shape: Any = None, *, device: Any = None) -> AnyTensor:
    """``np.empty_like(t)``: zeros here (a constant Tensor), as ``autograd.empty_like``."""
    return _like("zeros_like", a, None, dtype, order, subok, shape)


def numpy_full_like(a: AnyTensor, fill_value: Any, dtype: Any = None, order: str = "K",
                    subok: bool = True, shape: Any = None, *, device: Any = None) -> AnyTensor:
    """``np.full_like(t, value)``: a constant Tensor filled with the number ``value``."""
    return _like("full_like", a, fill_value, dtype, order, subok, shape)


def common_shape(shapes: Sequence[Any], name: str) -> tuple[int, ...]:
    """The shape that ``shapes`` broadcast to (NumPy's rules), or a ``ShapeError``."""
    try:
        return np.broadcast_shapes(*shapes)
    except ValueError:
        raise ShapeError(f"{name}: the shapes {', '.join(map(str, shapes))} do not broadcast "
                         f"together (each axis, from the last, must be equal or 1)") from None


def numpy_broadcast_arrays(*args: Any, subok: bool = False) -> tuple:
    """``np.broadcast_arrays``: each expanded to the common shape (read-only views where
    something repeats, writable ones where nothing does, as PyTorch's), in a tuple; the
    gradient of each is the upstream one summed over its broadcast axes."""
    tensors = tensors_like(args)
    shape = common_shape([t.shape for t in tensors], "broadcast_arrays")
    return tuple(t.broadcast_to(shape) for t in tensors)


FUNCTIONS = {np.hstack: numpy_hstack, np.vstack: numpy_vstack, np.dstack: numpy_dstack,
             np.column_stack: numpy_column_stack, np.atleast_1d: numpy_atleast_1d,
             np.atleast_2d: numpy_atleast_2d, np.atleast_3d: numpy_atleast_3d,
             np.zeros_like: numpy_zeros_like, np.ones_like: numpy_ones_like,
             np.empty_like: numpy_empty_like, np.full_like: numpy_full_like,
             np.broadcast_arrays: numpy_broadcast_arrays, np.concatenate: numpy_concatenate,
             np.stack: numpy_stack}

# the functions whose first argument is a sequence of arrays (lifted by ``tensors_like``)
SEQUENCES = {np.hstack, np.vstack, np.dstack, np.column_stack, np.concatenate, np.stack}
