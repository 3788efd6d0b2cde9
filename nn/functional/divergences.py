"""KL divergences used as training losses: PyTorch's ``kl_div`` on log-probabilities
(knowledge distillation), the VAE's Gaussian term and the sparse autoencoder's Bernoulli
sparsity term.

Gaussians are diagonal and given by their mean and log-variance (what a VAE encoder
outputs: ``logvar = log sigma^2`` is unconstrained, ``sigma^2 = e^logvar > 0``). The
latent dimensions are the **last axis**: the KL of one sample is the sum over it, and
``reduction`` then acts over the samples (the leading axes): ``"mean"`` (the default,
the usual VAE convention: per-sample sum over latent dims, mean over the batch),
``"sum"``, or ``"none"`` (one KL per sample). For a single vector of shape (D,) the
three agree up to shape.
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np

from autograd import Function, Tensor, as_tensor
from autograd.errors import ShapeError, UsageError
from autograd.extend import constant, is_tensor, where

from .fused import GaussianKL
from .loss_base import (check_reduction, legacy_reduction, reduce_loss, same_shape_pair,
                        target_like)
from .._checks import caller_outside_nn, flag
from ..errors import ConfigError

__all__ = ["gaussian_kl", "kl_div_gaussians", "kl_div", "bernoulli_kl"]


def _constant_like(x: Any, like: Tensor) -> Any:
    """Python numbers stay numbers; arrays and untracked tensors take ``like``'s dtype."""
    return x if isinstance(x, (int, float)) else target_like(x, like)


def _latent_pair(name: str, mu: Any, logvar: Any) -> tuple[Tensor, Tensor]:
    mu = as_tensor(mu)
    logvar = _constant_like(logvar, mu)
    logvar = logvar if isinstance(logvar, Tensor) else as_tensor(float(logvar))
    if mu.shape != logvar.shape:
        raise ShapeError(f"{name}: mu of shape {mu.shape} and logvar of shape "
                         f"{logvar.shape} differ; the encoder must give one mean and one "
                         f"log-variance per latent dimension.")
    if mu.ndim == 0:
        raise ShapeError(f"{name}: mu and logvar need a latent axis (shape (D,) or (N, D)); "
                         f"got 0-d tensors. Use mu.reshape(1) for a single dimension.")
    return mu, logvar


def gaussian_kl(mu: Any, logvar: Any, reduction: str = "mean") -> Tensor:
    """KL(N(mu, e^logvar) || N(0, I)) = 1/2 sum_d (mu_d^2 + e^{logvar_d} - logvar_d - 1),
    summed over the latent (last) axis, then reduced over the samples (see the module
    docstring). The VAE's regularisation term; zero exactly when mu = 0, logvar = 0.
    d/dmu = mu, d/dlogvar = (e^logvar - 1) / 2 (per sample)."""
    check_reduction("gaussian_kl", reduction)
    mu, logvar = _latent_pair("gaussian_kl", mu, logvar)
    if reduction == "mean" and 0 in mu.shape[:-1]:  # no samples: NaN, quietly (see reduce_loss)
        return reduce_loss(GaussianKL.apply(mu, logvar, reduction="none"), reduction)
    return GaussianKL.apply(mu, logvar, reduction=reduction)


def kl_div_gaussians(mu1: Any, logvar1: Any, mu2: Any, logvar2: Any,
                     reduction: str = "mean") -> Tensor:
    """KL(N(mu1, e^logvar1) || N(mu2, e^logvar2)) for diagonal Gaussians:
    1/2 sum_d (logvar2 - logvar1 + e^{logvar1 - logvar2} + (mu1 - mu2)^2 e^{-logvar2} - 1),
    summed over the latent (last) axis, then reduced over the samples.

    ``mu2`` and ``logvar2`` may broadcast against ``mu1`` (numbers, or shape (D,) for a
    prior shared by the batch); the result has ``mu1``'s sample shape. All four may
    require grad. ``kl_div_gaussians(mu, logvar, 0.0, 0.0)`` is ``gaussian_kl``."""
    check_reduction("kl_div_gaussians", reduction)
    mu1, logvar1 = _latent_pair("kl_div_gaussians", mu1, logvar1)
    mu2, logvar2 = _constant_like(mu2, mu1), _constant_like(logvar2, mu1)
    for label, x in (("mu2", mu2), ("logvar2", logvar2)):
        shape = np.shape(x.data) if isinstance(x, Tensor) else ()
        try:
            fits = np.broadcast_shapes(shape, mu1.shape) == mu1.shape
        except ValueError:
            fits = False
        if not fits:
            raise ShapeError(f"kl_div_gaussians: {label} of shape {shape} does not broadcast "
                             f"to the shape {mu1.shape} of mu1; give one value per latent "
                             f"dimension, a number, or a tensor of mu1's shape.")
    log_ratio = logvar1 - logvar2          # log(sigma1^2 / sigma2^2)
    diff = mu1 - mu2
    inverse_var2 = (-logvar2).exp() if isinstance(logvar2, Tensor) else float(
        np.exp(-logvar2))
    per_dim = (log_ratio.exp() - log_ratio + diff * diff * inverse_var2 - 1.0) * 0.5
    return reduce_loss(per_dim.sum(axis=-1), reduction)


class _XLogX(Function):
    """out = x log x, with 0 log 0 = 0;  dx = g (log x + 1). At x = 0 the gradient is NaN,
    as PyTorch's ``xlogy(x, x)`` gives (its one-sided limit is -inf)."""
    __slots__ = ()

    def forward(self, x: np.ndarray) -> np.ndarray:
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.where(x == 0, 0.0, x * np.log(x)).astype(x.dtype)

    def vjp(self, g: Any, out: Any, x: Any) -> tuple:
        if is_tensor(x):
            return (g * where(constant(x) == 0, np.nan, x.log() + 1.0),)
        with np.errstate(divide="ignore", invalid="ignore"):
            return (g * np.where(x == 0, np.nan, np.log(x) + 1.0),)


_MEAN_WARNING = ("reduction: 'mean' divides the total loss by both the batch size and the "
                 "support size.'batchmean' divides only by the batch size, and aligns with the "
                 "KL div math definition.'mean' will be changed to behave the same as "
                 "'batchmean' in the next major release.")


def _is_legacy_flag(value: Any) -> bool:
    """True for what PyTorch's third and fourth ``kl_div`` arguments take: None or a bool."""
    return value is None or isinstance(value, (bool, np.bool_))


def kl_div(input: Any, target: Any, size_average: Any = None, reduce: Any = None,
           reduction: str = "mean", log_target: bool = False) -> Tensor:
    """PyTorch's ``kl_div``: the pointwise KL(p || q) terms p (log p - log q) for
    ``input`` = log q (log-probabilities) and ``target`` = p (probabilities, 0 log 0 = 0;
    or log p with ``log_target=True``: e^{log p} (log p - log q)), then reduced:
    "batchmean" (sum / N, N = input.shape[0]: the KL divergence per sample, what
    distillation wants), "sum", "none", or "mean" (sum / number of elements, with
    PyTorch's warning that it is not the KL). ``size_average`` / ``reduce``: PyTorch's
    deprecated pair (see ``loss_base``).

    Gradients reach both: d/dinput = -p, d/dtarget = log p + 1 - log q (NaN at p = 0, as
    PyTorch); with ``log_target``: -p and p (log p - log q + 1).

    Called with four tensors, ``kl_div(mu1, logvar1, mu2, logvar2, reduction)`` is
    ``kl_div_gaussians``: the KL between two diagonal Gaussians (positions 3 and 4 then
    hold tensors, arrays or numbers; PyTorch's hold None or a bool)."""
    legacy = (_is_legacy_flag(size_average), _is_legacy_flag(reduce))
    if legacy != (True, True):
        if legacy != (False, False) or log_target is not False:
            raise UsageError(
                "kl_div: the third and fourth arguments are PyTorch's size_average and "
                "reduce (None or a bool), or, for the KL between two diagonal Gaussians, "
                "mu2 and logvar2 (both tensors, arrays or numbers, without log_target): "
                f"kl_div(mu1, logvar1, mu2, logvar2, reduction). Got "
                f"{type(size_average).__name__} and {type(reduce).__name__}"
                + (" with log_target." if log_target is not False else "."))
        return kl_div_gaussians(input, target, size_average, reduce, reduction)
    log_target = flag("kl_div", "log_target", log_target)
    if size_average is not None or reduce is not None:
        if reduction == "batchmean":
            raise UsageError("kl_div: size_average / reduce replace reduction, so they "
                             "cannot be combined with reduction='batchmean'; pass "
                             "reduction alone.")
        reduction = legacy_reduction("kl_div", reduction, size_average, reduce)
    elif reduction == "mean":
        warnings.warn(_MEAN_WARNING, UserWarning, stacklevel=caller_outside_nn())
    if reduction != "batchmean":
        check_reduction("kl_div", reduction)
    input, target = same_shape_pair("kl_div", input, target, promote=True)
    # a zero probability under a zero target (0 * -inf, -inf - -inf) is NaN, without
    # NumPy's RuntimeWarning, as PyTorch's
    if log_target:
        with np.errstate(invalid="ignore"):
            losses = target.exp() * (target - input)
    else:
        if target.data.size and np.min(target.data) < 0:
            raise ConfigError(
                f"kl_div: target must hold probabilities (>= 0) unless log_target=True; "
                f"got a smallest value of {np.min(target.data):g}. If it holds "
                f"log-probabilities, pass log_target=True.")
        entropy = (_XLogX.apply(target) if target.requires_grad else
                   Tensor(_XLogX().forward(target.data)))
        with np.errstate(invalid="ignore"):
            losses = entropy - target * input
    if reduction == "batchmean":
        if losses.ndim == 0:
            return losses
        total = losses.sum()
        return total / losses.shape[0] if losses.shape[0] else total * float("nan")
    return reduce_loss(losses, reduction)


def bernoulli_kl(rho: Any, rho_hat: Any, reduction: str = "sum") -> Tensor:
    """Sparsity penalty KL(rho || rho_hat) between Bernoulli distributions, elementwise:
    rho log(rho / rho_hat) + (1 - rho) log((1 - rho) / (1 - rho_hat)), then reduced
    (default "sum": the sparse autoencoder's sum over hidden units).

    ``rho`` is the target activation (a constant number or array in [0, 1]; 0 log 0 = 0),
    ``rho_hat`` the units' mean activations in (0, 1) (differentiable):
    d/drho_hat = (rho_hat - rho) / (rho_hat (1 - rho_hat)). KL(0.05 || 0.8) = 1.34."""
    check_reduction("bernoulli_kl", reduction)
    if isinstance(rho, Tensor) and rho.requires_grad:
        raise ConfigError("bernoulli_kl: rho is the fixed target sparsity and cannot require "
                          "grad; pass a number or rho.detach()")
    rho_hat = as_tensor(rho_hat)
    target = np.asarray(rho.data if isinstance(rho, Tensor) else rho, dtype=np.float64)
    if target.size and (target.min() < 0 or target.max() > 1):
        raise ConfigError(f"bernoulli_kl: rho must lie in [0, 1]; got values from "
                          f"{target.min():g} to {target.max():g}")
    dtype = rho_hat.dtype if rho_hat.dtype.kind == "f" else np.dtype(np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        entropy_part = (np.where(target > 0, target * np.log(target), 0.0)
                        + np.where(target < 1, (1 - target) * np.log1p(-target), 0.0))
    losses = Tensor(entropy_part.astype(dtype)) - _cross_term(target, rho_hat, dtype)
    if losses.shape != rho_hat.shape:
        raise ShapeError(f"bernoulli_kl: rho of shape {target.shape} does not broadcast to "
                         f"rho_hat's shape {rho_hat.shape}")
    return reduce_loss(losses, reduction)


def _cross_term(target: np.ndarray, rho_hat: Tensor, dtype: np.dtype) -> Tensor:
    """rho log rho_hat + (1 - rho) log(1 - rho_hat), skipping terms whose weight is a
    constant 0 (so rho = 0 with rho_hat = 0, or rho = 1 with rho_hat = 1, give 0)."""
    total: Tensor | None = None
    for weight, probability in ((target, rho_hat), (1 - target, 1 - rho_hat)):
        if weight.ndim == 0 and weight == 0:
            continue
        factor = float(weight) if weight.ndim == 0 else Tensor(weight.astype(dtype))
        term = probability.log() * factor
        total = term if total is None else total + term
    return total if total is not None else Tensor(np.zeros(rho_hat.shape, dtype=dtype))
