"""What the engine checks about each vector-Jacobian product, and the errors it raises.

A VJP must return one gradient per input (``None`` to skip), each an array of the input's
shape or of a broadcast of it; the engine sums broadcast axes away (``unbroadcast``) and
casts back a promoted dtype (``fit_gradient``). Before a VJP runs, the arrays it reads must
not have been written in place since the forward pass (``check_versions``); under
``detect_anomaly()`` its results must be finite (``check_finite_gradients``).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .errors import AnomalyError, InplaceError, VJPError
from .function import Function
from .tensor import Tensor

__all__ = ["as_gradient_tuple", "check_versions", "check_finite_gradients", "unbroadcast",
           "not_an_array", "fit_gradient"]


def as_gradient_tuple(op: Function, result: Any) -> tuple:
    """Accept a bare gradient from a one-input op; refuse a wrong count."""
    if type(result) is not tuple:
        result = (result,)
    if len(result) != len(op.parents):
        raise VJPError(f"{op.name}.vjp returned {len(result)} gradients for "
                       f"{len(op.parents)} inputs; return one per input (None to skip)")
    return result


def check_versions(op: Function, node: Tensor) -> None:
    """Refuse gradients computed from arrays that were changed in place after the forward."""
    watched = list(op.parents) if op.save_inputs else []
    if op.save_output:
        watched.append(node)
    for t in watched:
        if getattr(t, "_version", 0) > node._seq:
            raise InplaceError(
                f"a tensor of shape {t.shape} needed by {op.name} for the backward pass was "
                f"modified in place after {op.name} used it. Use an out-of-place operation "
                f"(x = x * 2 instead of x *= 2), or .detach() a copy first.")


def check_finite_gradients(op: Function, grads: tuple) -> None:
    """AnomalyError if a gradient has a NaN or an Inf (``detect_anomaly``)."""
    for i, gi in enumerate(grads):
        if gi is None:
            continue
        data = gi._data if isinstance(gi, Tensor) else np.asarray(gi)
        if data.dtype.kind == "f" and not np.isfinite(data).all():
            raise AnomalyError(
                f"{op.name}.vjp produced NaN/Inf in the gradient of input {i}; the op was "
                f"created at {getattr(op, 'origin', None) or _UNKNOWN_ORIGIN}")


_UNKNOWN_ORIGIN = "<unknown: created outside detect_anomaly()>"


def unbroadcast(g: Any, shape: tuple[int, ...]) -> Any:
    """Sum ``g`` over the axes broadcasting added or stretched, giving ``shape``.

    Leading axes that ``shape`` lacks are summed away; axes where ``shape`` has 1 and
    ``g`` has more are summed with keepdims. Raises ValueError if ``g`` is not a
    broadcast of ``shape``."""
    extra = g.ndim - len(shape)
    if extra < 0 or any(n != 1 and n != m for n, m in zip(shape, g.shape[extra:])):
        raise ValueError(f"{g.shape} is not a broadcast of {shape}")
    axes = tuple(range(extra)) + tuple(extra + i for i, n in enumerate(shape)
                                       if n == 1 and g.shape[extra + i] != 1)
    if axes:
        g = g.sum(axis=axes, keepdims=True)
    return g.reshape(shape) if extra else g


def _position(op: Function, x: Tensor) -> int:
    """Which input of ``op`` the tensor ``x`` is (by identity), for error messages."""
    return next(k for k, p in enumerate(op.parents) if p is x)


def not_an_array(op: Function, x: Tensor, g: Any) -> VJPError:
    """The error for a VJP that returned a non-array gradient for input ``x``."""
    i = _position(op, x)
    return VJPError(f"{op.name}.vjp returned a {type(g).__name__} for input {i}; gradients "
                    f"must be arrays (or Tensors under create_graph) of the input's shape "
                    f"{x.shape}. Wrap numbers, e.g. np.full(x.shape, value).")


def fit_gradient(g: Any, x: Tensor, op: Function) -> Any:
    """``g`` summed to x's shape and cast to x's dtype; VJPError if it cannot be."""
    i = _position(op, x)
    if g.shape != x._data.shape:
        try:
            g = unbroadcast(g, x._data.shape)
        except ValueError:
            raise VJPError(
                f"{op.name}.vjp returned a gradient of shape {g.shape} for input {i}, "
                f"whose shape is {x.shape}; it must equal the input's shape or be a "
                f"broadcast of it") from None
    if g.dtype != x._data.dtype:
        if g.dtype.kind != "f":
            raise VJPError(f"{op.name}.vjp returned a {g.dtype} gradient for input {i} "
                           f"({x.dtype}); gradients must be floating")
        g = g.astype(x._data.dtype)  # undo type promotion (e.g. float32 op float64)
    return g
