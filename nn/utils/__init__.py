"""Gradient utilities: norm and value clipping, per-parameter gradient norms (they read
and modify ``p.grad.data``, plain NumPy, outside any graph); and PyTorch's
``parameters_to_vector`` / ``vector_to_parameters``. ``nn.utils.rnn`` pads and packs
sequences of different lengths for the recurrent layers.
"""
from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

import numpy as np

from autograd import concatenate
from autograd.errors import DTypeError, ShapeError
from .._checks import flag, real_number
from ..errors import ArgumentTypeError, ConfigError, NonFiniteGradientError
from . import rnn  # PyTorch's nn.utils.rnn

if TYPE_CHECKING:  # pragma: no cover
    from autograd import Tensor

__all__ = ["clip_grad_norm_", "clip_grad_value_", "grad_norms", "check_clip_argument",
           "parameters_to_vector", "vector_to_parameters", "rnn"]


def _is_tensor(obj: Any) -> bool:
    return hasattr(obj, "grad") and hasattr(obj, "data")


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


def _norm(x: np.ndarray, norm_type: float) -> float:
    """The vector p-norm of all entries of ``x``, as a Python float."""
    if x.size == 0:
        return 0.0
    flat = x.ravel()
    if norm_type == math.inf:
        return float(np.max(np.abs(flat)))
    if norm_type == 2:
        return float(np.sqrt(np.dot(flat, flat)))
    if norm_type == 1:
        return float(np.sum(np.abs(flat)))
    return float(np.sum(np.abs(flat) ** norm_type) ** (1.0 / norm_type))


def check_clip_argument(name: str, value: Any, owner: str | None = None) -> float:
    """``value`` as a float, or a named error (``nn._checks``' rule) naming ``owner``
    (by default the clip function that takes ``name``): ``max_norm`` and ``clip_value``
    must be numbers >= 0, ``norm_type`` a number > 0 or inf (also the string "inf", as
    PyTorch)."""
    if name == "norm_type" and isinstance(value, str) and value.lower() == "inf":
        return math.inf
    owner = owner or ("clip_grad_value_" if name == "clip_value" else "clip_grad_norm_")
    if name == "norm_type":
        return real_number(owner, name, value, minimum=0, open_min=True, finite=False,
                           advice="inf (or 'inf') is the max norm, 2 the Euclidean one.")
    return real_number(owner, name, value, minimum=0, finite=False)


def _check_foreach(owner: str, foreach: Any) -> None:
    """PyTorch's ``foreach`` is None, True or False (it picks a kernel, not a result)."""
    if foreach is not None:
        flag(owner, "foreach", foreach, advice="It picks PyTorch's kernel; None is fine.")


def clip_grad_norm_(parameters: Tensor | Iterable[Tensor], max_norm: float,
                    norm_type: float = 2.0, error_if_nonfinite: bool = False,
                    foreach: bool | None = None) -> np.float64:
    """Scale all gradients together so that their joint norm is at most ``max_norm``.

    total = || (||g_1||_p, ..., ||g_n||_p) ||_p   (the p-norm of all entries at once;
    p = inf gives max |g|). If c = max_norm / (total + 1e-6) < 1, every g_i *= c, in
    place. Returns ``total``, the norm *before* clipping, as a ``np.float64`` (a float
    with PyTorch's ``total.item()``). Parameters without a gradient are ignored; with
    none at all the result is 0.0. A NaN total scales nothing (PyTorch
    would fill every gradient with NaN); ``error_if_nonfinite=True`` raises instead.
    PyTorch's ``foreach`` (None, True or False) picks a kernel there; the result here is
    the same either way.
    """
    _check_foreach("clip_grad_norm_", foreach)
    norm_type = check_clip_argument("norm_type", norm_type)
    check_clip_argument("max_norm", max_norm)
    grads = _distinct_grads(_checked_params("clip_grad_norm_", parameters))
    if not grads:
        return np.float64(0.0)
    norms = [_norm(g, norm_type) for g in grads]
    total = np.float64(_norm(np.array(norms, dtype=np.float64), norm_type))
    if error_if_nonfinite and not math.isfinite(total):
        raise NonFiniteGradientError(f"the total norm of order {norm_type} of the gradients is "
                                     f"{total}, so they cannot be clipped; pass "
                                     "error_if_nonfinite=False to clip anyway")
    coef = max_norm / (float(total) + 1e-6)
    if coef < 1:
        for g in grads:
            g *= coef
    return total


def clip_grad_value_(parameters: Tensor | Iterable[Tensor], clip_value: float,
                     foreach: bool | None = None) -> None:
    """Clip every gradient entry into [-clip_value, clip_value], in place (``foreach``:
    as in ``clip_grad_norm_``)."""
    _check_foreach("clip_grad_value_", foreach)
    check_clip_argument("clip_value", clip_value)
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
            result[name] = _norm(p.grad.data, 2.0)
    return result


def parameters_to_vector(parameters: Tensor | Iterable[Tensor]) -> Tensor:
    """All parameters flattened and joined into one 1-d Tensor, in order (PyTorch's). It
    is computed with autograd ops, so a loss of it back-propagates into the parameters."""
    params = _checked_params("parameters_to_vector", parameters)
    if not params:
        raise ConfigError("parameters_to_vector: got no parameters (an empty iterable, or "
                          "a generator used up already); pass model.parameters()")
    return concatenate([p.reshape(-1) for p in params])


def vector_to_parameters(vec: Tensor | np.ndarray, parameters: Tensor | Iterable[Tensor]
                         ) -> None:
    """Copy consecutive pieces of the 1-d ``vec`` into the parameters, in place and in
    order (each keeps its array, shape and dtype): the inverse of
    ``parameters_to_vector``. Each copy counts as a write, so a graph built on the old
    values refuses to backward. ``vec`` must hold exactly as many values as the
    parameters (PyTorch ignores extra ones); the copy is not differentiable."""
    if not (_is_tensor(vec) or isinstance(vec, np.ndarray)):
        raise ArgumentTypeError(f"vector_to_parameters: vec must be a Tensor (or ndarray); "
                                f"got {type(vec).__name__}")
    values = vec if isinstance(vec, np.ndarray) else vec.data
    params = _checked_params("vector_to_parameters", parameters)
    total = sum(p.data.size for p in params)
    if values.ndim != 1 or values.size != total:
        raise ShapeError(f"vector_to_parameters: vec must be 1-d with one value per "
                         f"parameter entry, {total} here; got shape {values.shape}. Make "
                         f"it with parameters_to_vector(the same parameters).")
    if values.dtype.kind not in "biuf":
        raise DTypeError(f"vector_to_parameters: vec holds {values.dtype} data, not real "
                         f"numbers")
    start = 0
    for p in params:
        p.data[...] = values[start:start + p.data.size].reshape(p.data.shape)
        p.bump_version()  # a graph that saved the old values refuses to backward
        start += p.data.size
