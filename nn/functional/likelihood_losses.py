"""Negative log-likelihood losses for regression and counts, with PyTorch's names,
argument order and defaults: ``gaussian_nll_loss`` (a predicted mean and variance) and
``poisson_nll_loss`` (a predicted rate).

Input and target must have the same shape (they are not broadcast, as in the other
losses); the reductions are PyTorch's, over all elements. A float Tensor target (or
``var``) of a wider float dtype promotes the loss, as PyTorch's (``common_float``).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from autograd import Tensor, where
from autograd.errors import ShapeError

from .loss_base import (check_number, check_reduction, common_float, legacy_reduction,
                        reduce_loss, same_shape_pair, target_like)
from .._checks import flag
from ..errors import ConfigError

__all__ = ["gaussian_nll_loss", "poisson_nll_loss"]

_HALF_LOG_TWO_PI = 0.5 * math.log(2 * math.pi)


def _variance(var: Any, input: Tensor) -> Tensor:
    """``var`` as a Tensor that broadcasts to the input, by PyTorch's rules: a number
    (one variance for all), the input's shape, the input's shape without its last axis
    (one variance per row), or the input's shape with exactly one axis of size 1."""
    if isinstance(var, (int, float, np.integer, np.floating)) and not isinstance(var, bool):
        _refuse_negative(np.asarray(var))  # also when the input is empty
        var = np.full(input.shape, var)
    var = target_like(var, input, "gaussian_nll_loss", promote=True)
    shape, wanted = var.shape, input.shape
    if shape == wanted:
        return var
    if shape == wanted[:-1]:
        return var.reshape(shape + (1,))
    if len(shape) == len(wanted) and sum(
            1 for v, i in zip(shape, wanted) if v != i) == 1 and all(
            v in (1, i) for v, i in zip(shape, wanted)):
        return var
    raise ShapeError(
        f"gaussian_nll_loss: var of shape {shape} does not fit the input of shape "
        f"{wanted}. Give one variance per element (shape {wanted}), one per row (shape "
        f"{wanted[:-1]}), a shape with exactly one axis of size 1 where the input's is "
        f"larger (e.g. {wanted[:-1] + (1,)}), or a number.")


def _refuse_negative(var: np.ndarray) -> None:
    """``ConfigError`` if a variance is negative (as PyTorch's ValueError)."""
    if var.size and np.min(var) < 0:
        raise ConfigError(
            f"gaussian_nll_loss: var has negative entries (smallest {np.min(var):g}); "
            f"variances must be >= 0. If the model predicts a log-variance, pass its exp(); "
            f"for an unconstrained output use e.g. softplus(output).")


def gaussian_nll_loss(input: Any, target: Any, var: Any, full: bool = False,
                      eps: float = 1e-6, reduction: str = "mean") -> Tensor:
    """Negative log-likelihood of ``target`` under N(input, var), per element:
    (log v + (input - target)^2 / v) / 2 (+ log(2 pi) / 2 when ``full``), then reduced.

    ``var`` holds variances (not log-variances) and broadcasts by PyTorch's rules (see
    :func:`_variance`); a negative one raises ``ConfigError``. For stability
    v = max(var, eps), clamped as PyTorch does: without a gradient through the clamp, so
    a var below eps still gets d/dv evaluated at eps (not 0). Input, target and var may
    all require grad."""
    check_reduction("gaussian_nll_loss", reduction)
    full = flag("gaussian_nll_loss", "full", full)
    eps = check_number("gaussian_nll_loss", "eps", eps, minimum=0)
    input, target = same_shape_pair("gaussian_nll_loss", input, target, promote=True)
    input, target, var = common_float(input, target, _variance(var, input))
    _refuse_negative(var.data)
    low = var.data < eps
    if low.any():  # max(var, eps) with the gradient of var itself (PyTorch's no-grad clamp)
        var = where(low, var - var.detach() + eps, var)
    diff = input - target
    losses = (var.log() + diff * diff / var) * 0.5
    if full:
        losses = losses + _HALF_LOG_TWO_PI
    return reduce_loss(losses, reduction)


def poisson_nll_loss(input: Any, target: Any, log_input: bool = True, full: bool = False,
                     *, eps: float = 1e-8, reduction: str = "mean",
                     size_average: bool | None = None, reduce: bool | None = None) -> Tensor:
    """Negative log-likelihood of counts ``target`` under Poisson(rate), without the
    constant log(target!), per element:

    * ``log_input=True`` (input = log rate): exp(input) - target * input;
    * ``log_input=False`` (input = rate): input - target * log(input + eps);

    with ``full``, Stirling's approximation of log(target!),
    target log(target) - target + log(2 pi target) / 2, is added where target > 1.
    ``eps`` and ``reduction`` are keyword-only (PyTorch has its deprecated
    ``size_average`` between ``full`` and ``eps``: keyword-only here, with ``reduce``, as
    in every loss)."""
    reduction = legacy_reduction("poisson_nll_loss", reduction, size_average, reduce)
    check_reduction("poisson_nll_loss", reduction)
    log_input = flag("poisson_nll_loss", "log_input", log_input)
    full = flag("poisson_nll_loss", "full", full)
    eps = check_number("poisson_nll_loss", "eps", eps, minimum=0)
    input, target = same_shape_pair("poisson_nll_loss", input, target, promote=True)
    if log_input:
        losses = input.exp() - target * input
    else:
        losses = input - target * (input + eps).log()
    if full:
        big = target.data > 1
        if big.any():
            safe = where(big, target, 1.0)  # no log(0) or 0 * log(0) where masked out
            stirling = safe * safe.log() - safe + (safe * (2 * math.pi)).log() * 0.5
            losses = losses + where(big, stirling, 0.0)
    return reduce_loss(losses, reduction)
