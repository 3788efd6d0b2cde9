"""Gradient clipping: PyTorch's ``torch.nn.utils.clip_grad``. ``clip_grad_norm_`` is its
two halves ``get_total_norm`` and ``clip_grads_with_norm_``, each public too;
``clip_grad_value_``; ``grad_norms``, the gradient norm of each parameter. They read and
modify ``p.grad.data`` (plain NumPy, outside any graph).

Every norm is computed in float64, whatever the gradients' dtype, and scaled by the
largest entry where the plain sum of squares would overflow or underflow
(``_scaled_norm``): float16 gradients of 300 have the norm PyTorch gives them (it sums
half floats in float32), not inf, and 1e200 in float64 has the norm 1e200.
"""
from __future__ import annotations

import math
import types
import warnings
from collections.abc import Iterable, Mapping
from typing import Any

import numpy as np

from autograd import Tensor
from autograd.errors import DTypeError, ShapeError
from .._checks import caller_outside_nn, flag, is_real, real_number
from ..errors import ArgumentTypeError, ConfigError, NonFiniteGradientError

__all__ = ["clip_grad_norm_", "clip_grad_norm", "clip_grad_value_", "get_total_norm",
           "clip_grads_with_norm_", "grad_norms", "check_clip_argument"]


def _is_tensor(obj: Any) -> bool:
    """A Tensor, or an object with its ``grad`` and ``data`` (a non-leaf's ``.grad`` is
    not read: that warns)."""
    return isinstance(obj, Tensor) or (hasattr(obj, "grad") and hasattr(obj, "data"))


def _params(params: Tensor | Iterable[Tensor]) -> list[Tensor]:
    """A single tensor or an iterable of tensors, as a list."""
    if _is_tensor(params):
        return [params]  # type: ignore[list-item]
    return list(params)  # type: ignore[arg-type]


def _checked_params(name: str, params: Tensor | Iterable[Tensor]) -> list[Tensor]:
    """``_params``, or an ``ArgumentTypeError`` for a module or an item that is not a
    tensor (a Sequential iterates over its layers)."""
    if callable(getattr(params, "named_parameters", None)):
        raise ArgumentTypeError(f"{name}: got the module {type(params).__name__}; pass its "
                                f"parameters, e.g. {name}(model.parameters(), ...)")
    items = _params(params)
    for i, p in enumerate(items):
        if not _is_tensor(p):
            raise ArgumentTypeError(f"{name}: parameters must be Tensors (e.g. "
                                    f"model.parameters()); item {i} is {type(p).__name__}")
    return items


def _distinct_grads(params: Iterable[Tensor]) -> list[np.ndarray]:
    """The gradient arrays of the parameters that have one, each array once (so an
    array shared by two parameters is never scaled or clipped twice)."""
    seen: set[int] = set()
    grads = []
    for p in params:
        if p.grad is not None and id(p.grad.data) not in seen:
            seen.add(id(p.grad.data))
            grads.append(p.grad.data)
    return grads


_SUM_SQ_MIN = np.finfo(np.float64).tiny / np.finfo(np.float64).eps
"""A float64 sum of squares at least this large is exact to rounding: a square that fell
into the subnormals (|x| < 1.5e-154) lost at most 2^-1075, n of them n 2^-105 of it."""


def _norm(x: np.ndarray, norm_type: float) -> float:
    """The p-norm of all entries of ``x`` (any shape), in float64, as PyTorch's
    ``linalg.vector_norm``: (sum |x_i|^p)^(1/p) for p > 0 and p < 0 (0 if an entry is
    0), max |x_i| for p = inf, min |x_i| for p = -inf, the count of non-zero entries for
    p = 0; 0.0 for no entries. A finite norm is never lost to overflow or underflow (the
    callers silence NumPy's overflow warning once for all arrays: a sum of squares that
    overflows is computed again, scaled; inf / tiny in ``_scaled_norm`` is inf rightly)."""
    if x.size == 0:
        return 0.0
    flat = x.ravel(order="K")  # a norm ignores the order: a transposed gradient is no copy
    if flat.dtype != np.float64:
        flat = flat.astype(np.float64)  # float16 and float32 squares never overflow there
    if norm_type == 2:  # every training step: one pass, when the sum of squares is safe
        sum_sq = np.dot(flat, flat)
        if _SUM_SQ_MIN <= sum_sq < math.inf:
            return math.sqrt(sum_sq)
    magnitudes = np.abs(flat)
    if norm_type == math.inf:
        return float(np.max(magnitudes))
    if norm_type == -math.inf:
        return float(np.min(magnitudes))
    if norm_type == 0:
        return float(np.count_nonzero(magnitudes))
    return _scaled_norm(magnitudes, norm_type)


def _scaled_norm(magnitudes: np.ndarray, p: float) -> float:
    """(sum a_i^p)^(1/p) of magnitudes a_i >= 0 (p != 0, finite) as s (sum (a_i / s)^p)^(1/p)
    with s = max a_i for p > 0, min a_i for p < 0: every term is then at most 1 and one
    is 1, so the sum neither overflows nor vanishes. s = 0, inf or NaN is the norm itself
    (p < 0: an entry 0 makes the sum of a_i^p infinite, its 1/p-th power 0)."""
    scale = np.max(magnitudes) if p > 0 else np.min(magnitudes)
    if not 0 < scale < math.inf:
        return float(scale)
    return float(scale * np.sum((magnitudes / scale) ** p) ** (1.0 / p))


def _check_floats(owner: str, arrays: list[np.ndarray]) -> None:
    """A ``DTypeError`` naming ``owner`` unless every array holds floats (NumPy's dot of
    bools is a logical or and int8 squares wrap; PyTorch refuses both)."""
    for a in arrays:
        if a.dtype.kind != "f":
            raise DTypeError(f"{owner}: gradients must hold floating-point numbers (float16, "
                             f"float32 or float64), as PyTorch's norms require; got a "
                             f"{a.dtype} array. Cast it first, e.g. g.astype(np.float32).")


def check_clip_argument(name: str, value: Any, owner: str | None = None) -> float:
    """``value`` as a float, or a named error (``nn._checks``' rule) naming ``owner``
    (by default the clip function that takes ``name``): ``max_norm`` and ``clip_value``
    must be numbers >= 0, ``norm_type`` any number but NaN (inf, -inf and 0 too, as
    PyTorch's; also the string "inf"). A 0-d real tensor counts as its number, as in
    PyTorch (``max_norm=torch.tensor(1.0)``)."""
    if isinstance(value, Tensor) and value.ndim == 0 and value.dtype.kind in "iuf":
        value = value.item()
    if name == "norm_type" and isinstance(value, str) and value.lower() == "inf":
        return math.inf
    owner = owner or ("clip_grad_value_" if name == "clip_value" else "clip_grad_norm_")
    if name != "norm_type":
        return real_number(owner, name, value, minimum=0, finite=False)
    advice = ("2 is the Euclidean norm, inf (or 'inf') the largest |g|, -inf the smallest, "
              "0 the count of non-zero gradients.")
    norm_type = real_number(owner, name, value, finite=False, advice=advice)
    if math.isnan(norm_type):
        raise ConfigError(f"{owner}: norm_type must be a number, not NaN; got {value!r}. "
                          f"{advice}")
    return norm_type


def _check_foreach(owner: str, foreach: Any) -> None:
    """PyTorch's ``foreach`` is None, True or False (it picks a kernel, not a result)."""
    if foreach is not None:
        flag(owner, "foreach", foreach, advice="It picks PyTorch's kernel; None is fine.")


def _total_norm(owner: str, arrays: list[np.ndarray], norm_type: float,
                error_if_nonfinite: bool) -> np.float64:
    """|| (||a_1||_p, ..., ||a_n||_p) ||_p, as PyTorch: the p-norm of all entries at once
    (for p = 0 the count of arrays with a non-zero entry); 0.0 for no arrays. A named
    error for a non-float array, and for a non-finite total when ``error_if_nonfinite``."""
    _check_floats(owner, arrays)
    # an array without entries adds nothing (its p < 0 norm, 0.0, would make the total 0)
    with np.errstate(over="ignore"):  # see _norm
        norms = [_norm(a, norm_type) for a in arrays if a.size]
        if not norms:
            return np.float64(0.0)
        total = np.float64(_norm(np.array(norms, dtype=np.float64), norm_type))
    if error_if_nonfinite and not math.isfinite(total):
        raise NonFiniteGradientError(f"the total norm of order {norm_type} of the gradients is "
                                     f"{total}, so they cannot be clipped; pass "
                                     "error_if_nonfinite=False to clip anyway")
    return total


def _scale_grads(grads: list[np.ndarray], max_norm: float, total: float) -> None:
    """g *= c for c = max_norm / (total + 1e-6) when c < 1 (a NaN total scales nothing)."""
    coef = max_norm / (total + 1e-6)
    if coef < 1:
        for g in grads:
            g *= coef


def get_total_norm(tensors: Tensor | np.ndarray | Iterable[Tensor | np.ndarray],
                   norm_type: float = 2.0, error_if_nonfinite: bool = False,
                   foreach: bool | None = None) -> np.float64:
    """The p-norm of all entries of ``tensors`` (a Tensor or array, or an iterable of them,
    typically the gradients ``[p.grad for p in params if p.grad is not None]``) viewed as
    one vector: || (||t_1||_p, ..., ||t_n||_p) ||_p, computed in float64; 0.0 for none.
    p is any number but NaN, as PyTorch's: p = inf gives max |t|, p = -inf min |t|, p < 0
    (sum |t|^p)^(1/p), p = 0 the count of tensors with a non-zero entry. PyTorch's
    ``nn.utils.get_total_norm`` (>= 2.6), returning a ``np.float64`` where it returns a
    0-d tensor; ``error_if_nonfinite`` and ``foreach`` as in ``clip_grad_norm_``. Each
    tensor counts as often as it is given (as PyTorch); non-float data is a DTypeError."""
    _check_foreach("get_total_norm", foreach)
    norm_type = check_clip_argument("norm_type", norm_type, "get_total_norm")
    flag("get_total_norm", "error_if_nonfinite", error_if_nonfinite)
    items = [tensors] if _is_tensor(tensors) or isinstance(tensors, np.ndarray) \
        else list(tensors)
    arrays = []
    for i, t in enumerate(items):
        if not (_is_tensor(t) or isinstance(t, np.ndarray)):
            raise ArgumentTypeError(f"get_total_norm: tensors must be Tensors or arrays (e.g. "
                                    f"[p.grad for p in params if p.grad is not None]); item "
                                    f"{i} is {type(t).__name__}")
        arrays.append(np.asarray(t.data if _is_tensor(t) else t))
    return _total_norm("get_total_norm", arrays, norm_type, error_if_nonfinite)


def clip_grads_with_norm_(parameters: Tensor | Iterable[Tensor], max_norm: float,
                          total_norm: Any, foreach: bool | None = None) -> None:
    """Scale every gradient by c = max_norm / (total_norm + 1e-6), in place, when c < 1,
    given the total norm (from ``get_total_norm``, e.g. over several models' gradients):
    PyTorch's ``nn.utils.clip_grads_with_norm_`` (>= 2.6). ``total_norm`` is a number or
    a one-element Tensor or array, >= 0 (or NaN, which scales nothing, as in
    ``clip_grad_norm_``; PyTorch would fill the gradients with NaN). Parameters without a
    gradient are skipped; a gradient array shared by two parameters is scaled once."""
    _check_foreach("clip_grads_with_norm_", foreach)
    max_norm = check_clip_argument("max_norm", max_norm, "clip_grads_with_norm_")
    total = _norm_value(total_norm)
    grads = _distinct_grads(_checked_params("clip_grads_with_norm_", parameters))
    _scale_grads(grads, max_norm, total)


def _norm_value(total_norm: Any) -> float:
    """``total_norm`` (a number, or a one-element Tensor or array) as a float >= 0 or NaN."""
    if _is_tensor(total_norm) or isinstance(total_norm, np.ndarray):
        values = np.asarray(total_norm.data if _is_tensor(total_norm) else total_norm)
        if values.size != 1 or values.dtype.kind not in "iuf":
            raise ShapeError(f"clip_grads_with_norm_: total_norm must hold one real number "
                             f"(as get_total_norm returns); got shape {values.shape}, dtype "
                             f"{values.dtype}")
        total_norm = values.reshape(()).item()
    if not is_real(total_norm):
        raise ArgumentTypeError(f"clip_grads_with_norm_: total_norm must be a number (as "
                                f"get_total_norm returns); got {type(total_norm).__name__}")
    total = float(total_norm)
    if total < 0:
        raise ConfigError(f"clip_grads_with_norm_: total_norm must be >= 0 (a norm); got "
                          f"{total}")
    return total


def clip_grad_norm_(parameters: Tensor | Iterable[Tensor], max_norm: float,
                    norm_type: float = 2.0, error_if_nonfinite: bool = False,
                    foreach: bool | None = None) -> np.float64:
    """Scale all gradients together so that their joint norm is at most ``max_norm``.

    total = || (||g_1||_p, ..., ||g_n||_p) ||_p   (the p-norm of all entries at once,
    computed in float64 whatever the gradients' dtype; p as in ``get_total_norm``: inf
    gives max |g|). If c = max_norm / (total + 1e-6) < 1, every g_i *= c, in
    place. Returns ``total``, the norm *before* clipping, as a ``np.float64`` (a float
    with PyTorch's ``total.item()``). Parameters without a gradient are ignored; with
    none at all the result is 0.0. A NaN total scales nothing (PyTorch
    would fill every gradient with NaN); ``error_if_nonfinite=True`` raises instead.
    PyTorch's ``foreach`` (None, True or False) picks a kernel there; the result here is
    the same either way. ``get_total_norm`` then ``clip_grads_with_norm_``, as PyTorch;
    an empty generator warns, as there (a generator used up already clips nothing).
    """
    _check_foreach("clip_grad_norm_", foreach)
    norm_type = check_clip_argument("norm_type", norm_type)
    max_norm = check_clip_argument("max_norm", max_norm)
    params = _checked_params("clip_grad_norm_", parameters)
    if not params and isinstance(parameters, types.GeneratorType):
        warnings.warn("`parameters` is an empty generator, no gradient clipping will occur.",
                      stacklevel=caller_outside_nn())
    grads = _distinct_grads(params)
    total = _total_norm("clip_grad_norm_", grads, norm_type, error_if_nonfinite)
    _scale_grads(grads, max_norm, float(total))
    return total


def clip_grad_norm(parameters: Tensor | Iterable[Tensor], max_norm: float,
                   norm_type: float = 2.0, error_if_nonfinite: bool = False,
                   foreach: bool | None = None) -> np.float64:
    """``clip_grad_norm_`` under PyTorch's deprecated name (LSTNet's, older code's): the
    same clipping, with PyTorch's ``FutureWarning``."""
    warnings.warn("`nn.utils.clip_grad_norm` is now deprecated in favor of "
                  "`nn.utils.clip_grad_norm_`.", FutureWarning, stacklevel=caller_outside_nn())
    return clip_grad_norm_(parameters, max_norm, norm_type, error_if_nonfinite, foreach)


def clip_grad_value_(parameters: Tensor | Iterable[Tensor], clip_value: float,
                     foreach: bool | None = None) -> None:
    """Clip every gradient entry into [-clip_value, clip_value], in place (``foreach``:
    as in ``clip_grad_norm_``)."""
    _check_foreach("clip_grad_value_", foreach)
    clip_value = check_clip_argument("clip_value", clip_value)
    for g in _distinct_grads(_checked_params("clip_grad_value_", parameters)):
        np.clip(g, -clip_value, clip_value, out=g)


def grad_norms(named_params_or_params: Any) -> dict[str, float]:
    """L2 norm of each parameter's gradient, ``{name: ||g||_2}`` (diagnoses vanishing
    or exploding gradients layer by layer).

    Accepts a module (its ``named_parameters()``), ``model.named_parameters()`` (pairs
    ``(name, param)``), a dict name -> param, a single tensor, or an iterable of tensors
    (named "0", "1", ... by position). Parameters whose ``.grad`` is None are left out.
    """
    items: Iterable[Any]
    if callable(getattr(named_params_or_params, "named_parameters", None)):
        items = named_params_or_params.named_parameters()
    elif isinstance(named_params_or_params, Mapping):
        items = named_params_or_params.items()
    else:
        items = _params(named_params_or_params)
    result: dict[str, float] = {}
    for i, item in enumerate(items):
        if isinstance(item, tuple) and len(item) == 2 and isinstance(item[0], str):
            name, p = item
        else:
            name, p = str(i), item
        if not _is_tensor(p):
            raise ArgumentTypeError(f"grad_norms: expected a module, its named_parameters() "
                                    f"or Tensors; item {i} is {type(p).__name__}")
        if p.grad is not None:
            _check_floats("grad_norms", [p.grad.data])
            with np.errstate(over="ignore"):  # see _norm
                result[name] = _norm(p.grad.data, 2.0)
    return result
