"""Normalisation layers: ``BatchNorm1d`` and ``LayerNorm``.

Both compute x_hat = (x - mean) / sqrt(var + eps) with the biased variance and then,
if affine, y = x_hat * weight + bias (weight starts at 1, bias at 0). They are written
with autograd ops, so their gradients (through the mean and variance too) come from the
engine and are checked against finite differences by the tests.
"""
from __future__ import annotations

import numbers
from typing import Any

import numpy as np

from autograd import Tensor, as_tensor
from autograd.errors import ShapeError

from .layers import float_dtype
from .module import Module, Parameter
from .errors import ConfigError

__all__ = ["BatchNorm1d", "LayerNorm"]


def _check_eps(eps: Any, owner: str) -> float:
    if isinstance(eps, bool) or not isinstance(eps, numbers.Real) or not eps > 0:
        raise ConfigError(f"{owner}: eps must be a positive number; got {eps!r}")
    return float(eps)


def _standardise(x: Tensor, axes: tuple[int, ...], eps: float) -> tuple[Tensor, Tensor,
                                                                        Tensor, Tensor]:
    """``(x - mean, mean, biased var, 1 / sqrt(var + eps))`` over ``axes`` (kept)."""
    mean = x.mean(axes, keepdims=True)
    centred = x - mean
    var = (centred * centred).mean(axes, keepdims=True)
    return centred, mean, var, (var + eps) ** -0.5


class BatchNorm1d(Module):
    """Batch normalisation over the batch axis of (N, C) or (N, C, L) inputs, per
    channel C.

    Training: normalise with the batch mean and biased variance (over N, and L), and
    update running_mean <- (1 - m) running_mean + m mean and
    running_var <- (1 - m) running_var + m var * n / (n - 1) (unbiased, n = N * L),
    m = ``momentum`` (``None``: a cumulative average, m = 1 / batches seen).
    Evaluation: normalise with running_mean and running_var. With
    ``track_running_stats=False`` there are no running statistics and batch statistics
    are used in both modes, so a batch with one value per channel raises in both (as in
    PyTorch: its variance is 0 and every output would be the bias).
    """

    def __init__(self, num_features: int, eps: float = 1e-5, momentum: float | None = 0.1,
                 affine: bool = True, track_running_stats: bool = True, *,
                 dtype: Any = np.float64) -> None:
        super().__init__()
        if (isinstance(num_features, bool) or not isinstance(num_features, numbers.Integral)
                or num_features < 1):
            raise ConfigError(f"BatchNorm1d: num_features must be a positive int; got "
                              f"{num_features!r}")
        if momentum is not None and (isinstance(momentum, bool) or not isinstance(
                momentum, numbers.Real) or not 0.0 <= momentum <= 1.0):
            raise ConfigError(f"BatchNorm1d: momentum must be in [0, 1] or None (cumulative "
                              f"average); got {momentum!r}")
        self.num_features = int(num_features)
        self.eps = _check_eps(eps, "BatchNorm1d")
        self.momentum = None if momentum is None else float(momentum)
        self.affine, self.track_running_stats = bool(affine), bool(track_running_stats)
        dtype = float_dtype(dtype, "BatchNorm1d")
        c = self.num_features
        self.weight = Parameter(np.ones(c, dtype)) if affine else None
        self.bias = Parameter(np.zeros(c, dtype)) if affine else None
        tracked = self.track_running_stats
        self.register_buffer("running_mean", np.zeros(c, dtype) if tracked else None)
        self.register_buffer("running_var", np.ones(c, dtype) if tracked else None)
        self.register_buffer("num_batches_tracked",
                             np.array(0, dtype=np.int64) if tracked else None)

    def reset_running_stats(self) -> None:
        """running_mean = 0, running_var = 1, num_batches_tracked = 0."""
        if self.track_running_stats:
            self.running_mean.data[...] = 0
            self.running_var.data[...] = 1
            self.num_batches_tracked.data[...] = 0

    def _check_input(self, x: Tensor) -> None:
        if x.ndim not in (2, 3) or x.shape[1] != self.num_features:
            raise ShapeError(
                f"{self!r} expects inputs of shape (N, {self.num_features}) or "
                f"(N, {self.num_features}, L) (num_features={self.num_features} channels "
                f"on axis 1); got shape {x.shape}.")

    def forward(self, x: Any) -> Tensor:
        x = as_tensor(x)
        self._check_input(x)
        axes = (0,) if x.ndim == 2 else (0, 2)
        shape = (self.num_features,) if x.ndim == 2 else (self.num_features, 1)
        weight = None if self.weight is None else self.weight.reshape(shape)
        if self.training or not self.track_running_stats:
            n = x.size // self.num_features
            if n < 2:  # a variance of one value is 0: the output would be all zeros
                mode = ("in training mode" if self.training else
                        "with track_running_stats=False (batch statistics in evaluation too)")
                remedy = ("call .eval() to use the running statistics" if
                          self.track_running_stats else "build it with "
                          "track_running_stats=True to have running statistics for .eval()")
                raise ShapeError(
                    f"BatchNorm1d {mode} needs more than one value per channel to "
                    f"estimate a variance; got input shape {x.shape}. Use a batch of 2 "
                    f"or more, or {remedy}.")
            centred, mean, var, inv_std = _standardise(x, axes, self.eps)
            if self.training and self.track_running_stats:
                self._update_running_stats(mean.data, var.data, n)
            y = centred * (inv_std if weight is None else inv_std * weight)
        else:  # y = x * s + (bias - running_mean * s), s = weight / sqrt(running_var + eps)
            inv_std = 1.0 / np.sqrt(self.running_var.data.reshape(shape) + self.eps)
            scale = inv_std if weight is None else weight * inv_std
            y = x * scale - self.running_mean.data.reshape(shape) * scale
        return y if self.bias is None else y + self.bias.reshape(shape)

    def _update_running_stats(self, mean: np.ndarray, var: np.ndarray, n: int) -> None:
        self.num_batches_tracked.data[...] += 1
        m = (1.0 / float(self.num_batches_tracked.data) if self.momentum is None
             else self.momentum)
        running_mean, running_var = self.running_mean.data, self.running_var.data
        running_mean *= 1.0 - m
        running_mean += m * mean.reshape(self.num_features)
        running_var *= 1.0 - m
        running_var += (m * n / (n - 1)) * var.reshape(self.num_features)

    def extra_repr(self) -> str:
        return (f"{self.num_features}, eps={self.eps}, momentum={self.momentum}, "
                f"affine={self.affine}, track_running_stats={self.track_running_stats}")


class LayerNorm(Module):
    """Layer normalisation over the last axes of x, those of ``normalized_shape``:
    y = (x - mean) / sqrt(var + eps) * weight + bias, each sample on its own (the same
    in training and evaluation). ``weight`` and ``bias`` have shape ``normalized_shape``.
    """

    def __init__(self, normalized_shape: int | tuple[int, ...], eps: float = 1e-5,
                 elementwise_affine: bool = True, bias: bool = True, *,
                 dtype: Any = np.float64) -> None:
        super().__init__()
        shape = ((normalized_shape,) if isinstance(normalized_shape, numbers.Integral)
                 else tuple(normalized_shape))
        if not shape or any(isinstance(s, bool) or not isinstance(s, numbers.Integral)
                            or s < 1 for s in shape):
            raise ConfigError(f"LayerNorm: normalized_shape must be a positive int or a "
                              f"non-empty tuple of them; got {normalized_shape!r}")
        self.normalized_shape = tuple(int(s) for s in shape)
        self.eps = _check_eps(eps, "LayerNorm")
        self.elementwise_affine = bool(elementwise_affine)
        dtype = float_dtype(dtype, "LayerNorm")
        affine = self.elementwise_affine
        self.weight = Parameter(np.ones(self.normalized_shape, dtype)) if affine else None
        self.bias = (Parameter(np.zeros(self.normalized_shape, dtype))
                     if affine and bias else None)

    def forward(self, x: Any) -> Tensor:
        x = as_tensor(x)
        k = len(self.normalized_shape)
        if x.ndim < k or x.shape[x.ndim - k:] != self.normalized_shape:
            raise ShapeError(
                f"{self!r} normalises the last axes of shape {self.normalized_shape}; got "
                f"an input of shape {x.shape}, whose trailing axes differ.")
        centred, _, _, inv_std = _standardise(x, tuple(range(x.ndim - k, x.ndim)),
                                              self.eps)
        y = centred * inv_std
        if self.weight is not None:
            y = y * self.weight
        return y if self.bias is None else y + self.bias

    def extra_repr(self) -> str:
        return (f"{self.normalized_shape}, eps={self.eps}, "
                f"elementwise_affine={self.elementwise_affine}")
