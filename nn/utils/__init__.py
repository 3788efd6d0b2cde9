"""Gradient utilities: norm and value clipping (``clip_grad_norm_`` is PyTorch's two
halves ``get_total_norm`` and ``clip_grads_with_norm_``, each public too), per-parameter
gradient norms (they read and modify ``p.grad.data``, plain NumPy, outside any graph);
and PyTorch's
``parameters_to_vector`` / ``vector_to_parameters``. ``nn.utils.rnn`` pads and packs
sequences of different lengths for the recurrent layers. ``nn.utils.stateless`` has
``functional_call`` (``autograd.func``'s) under PyTorch's older path. ``nn.utils.prune``
prunes a module's tensors by masks (PyTorch's); ``nn.utils.fusion`` folds an evaluation
BatchNorm into the convolution or linear layer before it. ``spectral_norm`` /
``remove_spectral_norm`` and ``weight_norm`` / ``remove_weight_norm`` are PyTorch's
legacy hook-based forms of the parametrizations.
"""
from __future__ import annotations

import math
import warnings
from collections.abc import Iterable, Mapping
from typing import Any

import numpy as np

from autograd import Tensor, concatenate
from autograd.errors import DTypeError, ShapeError
from .._checks import caller_outside_nn, flag, is_real, real_number
from ..errors import ArgumentTypeError, ConfigError, NonFiniteGradientError
from . import rnn  # PyTorch's nn.utils.rnn
from . import parametrize, parametrizations  # PyTorch's weight_norm, spectral_norm
from . import stateless  # PyTorch's nn.utils.stateless.functional_call
from . import prune  # PyTorch's nn.utils.prune: masks kept by forward pre-hooks
from . import fusion  # PyTorch's nn.utils.fusion: BatchNorm folded into conv / linear
from .fusion import (fuse_conv_bn_eval, fuse_conv_bn_weights, fuse_linear_bn_eval,
                     fuse_linear_bn_weights)  # also PyTorch's nn.utils names
from .spectral_norm_hook import spectral_norm, remove_spectral_norm  # PyTorch's legacy form
from .weight_norm_hook import weight_norm, remove_weight_norm  # PyTorch's legacy form

__all__ = ["clip_grad_norm_", "clip_grad_norm", "clip_grad_value_", "get_total_norm",
           "clip_grads_with_norm_", "grad_norms", "check_clip_argument",
           "parameters_to_vector", "vector_to_parameters", "rnn", "parametrize",
           "parametrizations", "stateless", "prune", "fusion", "spectral_norm",
           "remove_spectral_norm", "weight_norm", "remove_weight_norm", "fuse_conv_bn_eval",
           "fuse_conv_bn_weights", "fuse_linear_bn_eval", "fuse_linear_bn_weights"]


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


def _total_norm(arrays: list[np.ndarray], norm_type: float, error_if_nonfinite: bool
                ) -> np.float64:
    """|| (||a_1||_p, ..., ||a_n||_p) ||_p, 0.0 for no arrays; a named error for a
    non-finite total when ``error_if_nonfinite``."""
    if not arrays:
        return np.float64(0.0)
    norms = [_norm(a, norm_type) for a in arrays]
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
    one vector: || (||t_1||_p, ..., ||t_n||_p) ||_p (p = inf: max |t|); 0.0 for none.
    PyTorch's ``nn.utils.get_total_norm`` (>= 2.6), returning a ``np.float64`` where it
    returns a 0-d tensor; ``error_if_nonfinite`` and ``foreach`` as in ``clip_grad_norm_``.
    Each tensor counts as often as it is given (as PyTorch)."""
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
    return _total_norm(arrays, norm_type, error_if_nonfinite)


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

    total = || (||g_1||_p, ..., ||g_n||_p) ||_p   (the p-norm of all entries at once;
    p = inf gives max |g|). If c = max_norm / (total + 1e-6) < 1, every g_i *= c, in
    place. Returns ``total``, the norm *before* clipping, as a ``np.float64`` (a float
    with PyTorch's ``total.item()``). Parameters without a gradient are ignored; with
    none at all the result is 0.0. A NaN total scales nothing (PyTorch
    would fill every gradient with NaN); ``error_if_nonfinite=True`` raises instead.
    PyTorch's ``foreach`` (None, True or False) picks a kernel there; the result here is
    the same either way. ``get_total_norm`` then ``clip_grads_with_norm_``, as PyTorch.
    """
    _check_foreach("clip_grad_norm_", foreach)
    norm_type = check_clip_argument("norm_type", norm_type)
    check_clip_argument("max_norm", max_norm)
    grads = _distinct_grads(_checked_params("clip_grad_norm_", parameters))
    total = _total_norm(grads, norm_type, error_if_nonfinite)
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
