"""What every loss shares: the ``reduction`` argument ("mean", "sum" or "none") and
PyTorch's deprecated ``size_average`` / ``reduce`` that stand for it, reducing per-element
losses, and turning targets into checked arrays of the input's float dtype.

PyTorch's legacy rule (``torch.nn._reduction.legacy_get_string``): when ``size_average``
or ``reduce`` is given, it replaces ``reduction``; a None counts as True, and then
reduce=False gives "none", size_average=False gives "sum", otherwise "mean". A
``UserWarning`` names the ``reduction`` to write instead, as PyTorch's does.
"""

from __future__ import annotations

import sys
import warnings
from typing import Any

import numpy as np

from autograd import Tensor, as_tensor
from autograd.errors import DataError, DTypeError, ShapeError

from .._checks import flag, real_number
from ..errors import ArgumentTypeError, ConfigError

__all__ = ["REDUCTIONS", "fused_loss", "check_reduction", "legacy_reduction", "init_stacklevel",
           "check_number",
           "reduce_loss", "target_array", "target_like", "same_shape_pair", "common_float"]

REDUCTIONS = ("mean", "sum", "none")


def check_reduction(name: str, reduction: str) -> None:
    """Raise ``ConfigError`` unless ``reduction`` is "mean", "sum" or "none";
    ``ArgumentTypeError`` for a value that is not a str at all: PyTorch's losses take
    class weights (``weight``) where these take ``reduction`` (``weight`` is keyword-only
    here)."""
    if not isinstance(reduction, str):
        raise ArgumentTypeError(
            f"{name}: reduction must be 'mean', 'sum' or 'none'; got a value of type "
            f"{type(reduction).__name__}. PyTorch's cross-entropy, NLL and BCE losses take "
            f"weights (weight) in this position; here weight is keyword-only: pass it and "
            f"reduction by keyword, e.g. weight=w, reduction='sum'.")
    if reduction not in REDUCTIONS:
        raise ConfigError(f"{name}: reduction must be 'mean', 'sum' or 'none'; "
                          f"got {reduction!r}")


def legacy_reduction(name: str, reduction: Any, size_average: Any, reduce: Any,
                     stacklevel: int = 3) -> Any:
    """``reduction``, or PyTorch's replacement for it when the deprecated ``size_average``
    or ``reduce`` is given (see the module docstring): reduce=False -> "none",
    size_average=False -> "sum", else "mean", with torch's ``UserWarning`` (at
    ``stacklevel``: 3 is the caller of the loss function). Each must be None, True or
    False (``ArgumentTypeError`` otherwise)."""
    if size_average is None and reduce is None:
        return reduction
    size_average = True if size_average is None else flag(name, "size_average", size_average)
    reduce = True if reduce is None else flag(name, "reduce", reduce)
    replaced = "none" if not reduce else "mean" if size_average else "sum"
    warnings.warn(f"{name}: size_average and reduce args will be deprecated, please use "
                  f"reduction='{replaced}' instead.", UserWarning, stacklevel=stacklevel)
    return replaced


def init_stacklevel(obj: object) -> int:
    """The ``stacklevel`` for :func:`legacy_reduction` called by ``obj``'s base
    ``__init__`` that points the warning at the code which built ``obj``: one more level
    for each subclass ``__init__`` in between (their number depends on the class)."""
    level, frame = 3, sys._getframe(2)  # frame 1 is the base __init__, frame 2 its caller
    while frame is not None and frame.f_code.co_name == "__init__" \
            and frame.f_locals.get("self") is obj:
        level, frame = level + 1, frame.f_back
    return level


def check_number(name: str, label: str, value: Any, **limits: Any) -> float:
    """``value`` as a float, checked by :func:`nn._checks.real_number` (``limits``: its
    ``minimum``, ``open_min``, ...); a reduction name in its place means the arguments
    came in PyTorch's order, and the message says so."""
    hint = (f"PyTorch puts reduction before {label}; pass both by keyword, e.g. "
            f"reduction={value!r}." if isinstance(value, str) and value in REDUCTIONS else "")
    return real_number(name, label, value, advice=hint, **limits)


def fused_loss(op: Any, reduction: str, *inputs: Tensor, **state: Any) -> Tensor:
    """``op`` (a fused loss whose state includes ``reduction``) applied to ``inputs``;
    the mean of no losses is ``reduce_loss``'s quiet NaN (the op's own 0 / 0 would warn)."""
    if reduction == "mean" and not inputs[0].size:
        return reduce_loss(op.apply(*inputs, **state), reduction)
    return op.apply(*inputs, reduction=reduction, **state)


def reduce_loss(losses: Tensor, reduction: str) -> Tensor:
    """Mean or sum of ``losses`` (a 0-d Tensor), or ``losses`` itself for "none". The mean
    of no losses is NaN, quietly as in PyTorch (NumPy's 0 / 0 would warn, in the forward
    and again in the backward pass)."""
    if reduction == "mean":
        if not losses.size:
            return losses.sum() * float("nan")
        return losses.mean()
    if reduction == "sum":
        return losses.sum()
    return losses


def target_array(name: str, target: Any) -> np.ndarray:
    """``target`` as a NumPy array of bools, ints or floats, or a named error: ragged
    nested lists, None and other objects raise ``DataError``; strings, bytes and complex
    numbers raise ``DTypeError``."""
    if isinstance(target, Tensor):
        data = target.data
    else:
        try:
            data = np.asarray(target)
        except ValueError as exc:  # NumPy's message for ragged nesting
            raise DataError(
                f"{name}: the target is a ragged nested sequence (rows of different "
                f"lengths), which is not an array: {exc}. Give one number per input "
                f"element, e.g. a NumPy array of the input's shape.") from None
    kind = data.dtype.kind
    if kind == "O":
        raise DataError(
            f"{name}: the target holds Python objects (None, mixed types or nested "
            f"sequences), dtype object with shape {data.shape}; expected numbers. Replace "
            f"the missing values, then convert, e.g. np.asarray(target, dtype=float).")
    if kind not in "biuf":
        what = "complex numbers" if kind == "c" else f"dtype {data.dtype}"
        raise DTypeError(
            f"{name}: the target holds {what} (shape {data.shape}); a loss needs real "
            f"numbers (floats, ints or bools). Convert it first, e.g. "
            f"np.asarray(target, dtype=float) for strings of numbers, or take the real "
            f"part explicitly with target.real.")
    return data


def target_like(target: Any, input: Tensor, name: str = "loss",
                promote: bool = False) -> Tensor:
    """``target`` as a Tensor; one that needs no gradient takes the input's float dtype.
    Checked by :func:`target_array`; a Tensor that already fits is used as it is, and
    with ``promote`` so is any float Tensor (see :func:`common_float`)."""
    if isinstance(target, Tensor) and (target.requires_grad or target.dtype == input.dtype or (
            promote and target.dtype.kind == "f" == input.dtype.kind)):
        return target
    data = target_array(name, target)
    if input.dtype.kind == "f" and data.dtype != input.dtype:
        data = data.astype(input.dtype)
    return Tensor(data)


def common_float(*tensors: Tensor) -> list[Tensor]:
    """PyTorch's type promotion for the losses that have it (mse, l1, margin ranking...):
    float tensors of different dtypes, e.g. a float32 input and a float64 target Tensor,
    all cast (differentiably) to the widest, in which the loss is computed, as there.
    Other tensors (ints, or all of one dtype) are returned as they are."""
    dtypes = {t.dtype for t in tensors}
    if len(dtypes) == 1 or any(dtype.kind != "f" for dtype in dtypes):
        return list(tensors)
    common = np.result_type(*dtypes)
    return [t if t.dtype == common else t.astype(common) for t in tensors]


def same_shape_pair(name: str, input: Any, target: Any,
                    promote: bool = False) -> tuple[Tensor, Tensor]:
    """Input and target as same-shape Tensors, or a ShapeError naming the loss. With
    ``promote``, a float Tensor target keeps its dtype and both are computed in the
    wider one (:func:`common_float`), as PyTorch's mse, l1...; without, the target takes
    the input's dtype (:func:`target_like`)."""
    input = as_tensor(input)
    target = target_like(target, input, name, promote)
    if input.shape != target.shape:
        raise ShapeError(
            f"{name}: input shape {input.shape} and target shape {target.shape} differ. A "
            f"loss compares them element by element, so the shapes must be equal (they are "
            f"not broadcast, which would silently pair the wrong elements). "
            f"{_shape_advice(input.shape, target.shape)}")
    if promote:
        input, target = common_float(input, target)
    return input, target


def _shape_advice(input_shape: tuple, target_shape: tuple) -> str:
    """How to give the target the input's shape: expand a target meant for every sample
    (PyTorch broadcasts it, warning), reshape one with as many elements."""
    if int(np.prod(input_shape)) == int(np.prod(target_shape)):
        return f"Reshape one of them, e.g. target.reshape({input_shape})."
    try:
        fits = np.broadcast_shapes(input_shape, target_shape) == tuple(input_shape)
    except ValueError:
        fits = False
    if fits:
        return (f"If one target is meant for every sample (PyTorch broadcasts it, with a "
                f"warning), write target.expand_as(input), i.e. target.expand{input_shape}.")
    return "Index or reshape the input or the target so that they match."
