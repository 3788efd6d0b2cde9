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

from .clock import last_write
from .errors import AnomalyError, InplaceError, ShapeError, UsageError, VJPError
from .function import Function

__all__ = ["as_gradient_tuple", "as_used", "check_versions", "check_finite_gradients",
           "unbroadcast", "fit_gradient", "check_gradient_reads"]


def as_gradient_tuple(op: Function, result: Any) -> tuple:
    """Accept a bare gradient from a one-input op; refuse a wrong count, and a bare None
    (a vjp without ``return``: an op is recorded only when an input wants a gradient)."""
    if result is None:
        raise VJPError(f"{op.name()}.vjp returned None; is a return statement missing? "
                       f"Return one gradient per input ({len(op.parents)}), None for an "
                       f"input that needs none (return (None,) to skip a single input).")
    if type(result) is not tuple:
        result = tuple(result) if isinstance(result, list) else (result,)
    if len(result) != len(op.parents):
        raise VJPError(f"{op.name()}.vjp returned {len(result)} gradients for "
                       f"{len(op.parents)} inputs; return one per input (None to skip)")
    return result


def unsaved_hint(op: Function, error: TypeError) -> VJPError | None:
    """A ``VJPError`` explaining a TypeError from ``op.vjp`` when the op declared that it
    does not read its inputs or output (they arrived as None), else None."""
    unread = [name for name, saved in (("inputs", op.save_inputs), ("output", op.save_output))
              if not saved]
    if not unread or "NoneType" not in str(error) or not getattr(op, "vjp_reads_arrays", True):
        return None
    flags = " and ".join(f"save_{name} = True" for name in unread)
    return VJPError(
        f"{op.name()}.vjp raised TypeError ({error}) after receiving None for its "
        f"{' and '.join(unread)}: {op.name()} does not declare that its vjp reads them. If it "
        f"does, set {flags} on the class (see autograd.extend.Function).")


def check_versions(op: Function, node: Any) -> None:
    """Refuse gradients computed from arrays that were changed in place after the forward
    (through the tensor itself, a view, a detached copy, or any tensor sharing its array),
    or that replaced the tensor's array (``t.data = ...``)."""
    watched = list(op.parents) if op.save_inputs else []
    if op.save_inputs and op.gradient_reads is not None:  # only what the wanted ones read
        try:
            read = {k for i, wanted in enumerate(op.wanted) if wanted
                    for k in op.gradient_reads[i]}
            watched = [op.parents[k] for k in sorted(read)]
        except (IndexError, TypeError):  # a malformed one (extend.Function checks it first)
            check_gradient_reads(type(op).__name__, op.gradient_reads, len(op.parents))
            raise
    if op.save_output:
        watched.append(node)
    for t in watched:
        if last_write(t._data) > node._seq:
            raise InplaceError(
                f"a tensor of shape {t._data.shape} needed by {op.name()} for the backward "
                f"pass was modified in place (directly, through a view or a detached copy, "
                f"by assigning .data, or by an optimizer step) after {op.name()} used it. "
                f"Use an out-of-place operation (x = x * 2 instead of x *= 2), or "
                f".detach().copy() first.")


def as_used(parents: tuple, seq: int) -> tuple:
    """The parents as the op that made tensor ``seq`` used them. A parent newer than the
    op's output was given a new history by ``t[index] = v`` after the op ran; its earlier
    self, which the assignment's op keeps as ``previous``, gets the gradient instead."""
    if all(p._seq < seq for p in parents):
        return parents
    used = []
    for p in parents:
        while p._seq > seq:
            if p._op is None and last_write(p._data) > seq:  # a view outside the graph
                raise InplaceError(  # took a write's new values after the op used it
                    f"a tensor of shape {p.shape} needed for the backward pass was "
                    f"modified in place after the graph used it: it is a view of a tensor "
                    f"outside the graph (v = c[0]), and a write into c or c.detach() gave "
                    f"it new values (PyTorch refuses this backward too). "
                    f"Write into a copy (c2 = c.clone()), or run the backward first.")
            if p._op is None:  # detach_() took its history (Tensor.detach_)
                raise UsageError(
                    f"backward through a graph that used a tensor (shape {p.shape}) which "
                    f"was detached in place (detach_()) after: here the tensor is the node "
                    f"of that graph, and detach_() took its history (PyTorch's graph keeps "
                    f"it). Write t = t.detach() (a new tensor) to keep the graph, or run "
                    f"the backward before detach_().")
            p = p._op.previous
        used.append(p)
    return tuple(used)


def check_finite_gradients(op: Function, grads: tuple) -> None:
    """AnomalyError if a gradient has a NaN or an Inf (``detect_anomaly``)."""
    for i, gi in enumerate(grads):
        if gi is None:
            continue
        data = np.asarray(getattr(gi, "_data", gi))
        if data.dtype.kind == "f" and not np.isfinite(data).all():
            raise AnomalyError(
                f"{op.name()}.vjp produced NaN/Inf in the gradient of input {i}; the op was "
                f"created at {getattr(op, 'origin', None) or _UNKNOWN_ORIGIN}")


_UNKNOWN_ORIGIN = "<unknown: created outside detect_anomaly()>"


def unbroadcast(g: Any, shape: tuple[int, ...]) -> Any:
    """Sum ``g`` over the axes broadcasting added or stretched, giving ``shape``.

    Leading axes that ``shape`` lacks are summed away; axes where ``shape`` has 1 and
    ``g`` has more are summed with keepdims. Raises ShapeError if ``g`` is not a
    broadcast of ``shape``."""
    extra = g.ndim - len(shape)
    if extra < 0 or any(n != 1 and n != m for n, m in zip(shape, g.shape[extra:])):
        raise ShapeError(f"unbroadcast: {g.shape} is not a broadcast of {shape}")
    axes = tuple(range(extra)) + tuple(extra + i for i, n in enumerate(shape)
                                       if n == 1 and g.shape[extra + i] != 1)
    if axes:
        g = g.sum(axis=axes, keepdims=True)
    return g.reshape(shape) if extra else g


def fit_gradient(g: Any, x: Any, op: Function) -> Any:
    """``g`` summed to input x's shape and cast to x's dtype; VJPError if it cannot be."""
    shape, dtype = x._data.shape, x._data.dtype
    try:
        if g.shape == shape and g.dtype == dtype:  # the common case: nothing to do
            return g
    except AttributeError:  # not an array (a Python number, a list...)
        raise VJPError(f"{op.name()}.vjp returned a {type(g).__name__} for input "
                       f"{_position(op, x)}; gradients must be arrays (or Tensors under "
                       f"create_graph) of the input's shape {shape}. Wrap numbers, e.g. "
                       f"np.full(x.shape, value).") from None
    if g.shape != shape:
        try:
            g = unbroadcast(g, shape)
        except ShapeError:
            raise VJPError(
                f"{op.name()}.vjp returned a gradient of shape {g.shape} for input "
                f"{_position(op, x)}, whose shape is {shape}; it must equal the input's "
                f"shape or be a broadcast of it") from None
    if g.dtype != dtype:
        if g.dtype.kind not in "fiub":
            raise VJPError(f"{op.name()}.vjp returned a {g.dtype} gradient for input "
                           f"{_position(op, x)} ({dtype}); gradients must be real numbers")
        g = g.astype(dtype)  # undo type promotion (float32 op float64), or an integer
        # gradient (PyTorch casts a custom Function's gradient to the input's dtype too)
    return g


def check_gradient_reads(name: str, reads: Any, inputs: int | None) -> None:
    """``UsageError`` unless ``reads`` (an op's ``gradient_reads``) holds, for each of the
    ``inputs`` inputs (None: not known yet), a tuple of input indices below that count."""
    count = len(reads) if isinstance(reads, tuple) else -1
    if count >= 0 and inputs is None:
        inputs = count
    if count != inputs or not all(
            isinstance(r, tuple) and all(isinstance(k, int) and 0 <= k < inputs for k in r)
            for r in reads):
        raise UsageError(
            f"{name}.gradient_reads must hold one tuple per input ({inputs}), of the "
            f"indices of the inputs that input's gradient reads (each below {inputs}), as "
            f"the engine's Mul has ((1,), (0,)); got {reads!r}. Or leave it None: every "
            f"input is read.")


def _position(op: Function, x: Any) -> int:
    """Which input of ``op`` the tensor ``x`` is (by identity), for error messages."""
    return next(k for k, p in enumerate(op.parents) if p is x)
