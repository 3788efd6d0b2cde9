"""Normalisation layers: ``BatchNorm1d/2d/3d``, ``InstanceNorm1d/2d/3d``, ``LayerNorm``,
``GroupNorm``, ``RMSNorm`` (which only scales: y = x / rms(x) * weight) and
``LocalResponseNorm`` (across channels, AlexNet's).

Each computes x_hat = (x - mean) / sqrt(var + eps) with the biased variance and then,
if affine, y = x_hat * weight + bias (weight starts at 1, bias at 0), by calling
``F.batch_norm``, ``F.instance_norm``, ``F.layer_norm`` or ``F.group_norm``
(``nn.functional.normalization``: the math), with their parameters and running statistics.
Each takes PyTorch's ``device`` (the CPU only) and ``dtype`` (of its parameters and floating
buffers; float64 by default) in PyTorch's positions (``layers.factory_dtype``). Data of a
wider dtype (float64 into a float32 layer) is computed in it with ``Linear``'s
``DTypePromotionWarning``, once per layer (PyTorch raises; its ``RMSNorm`` does not).
"""
from __future__ import annotations

import warnings
from typing import Any

import numpy as np

from autograd import Tensor, as_tensor
from autograd.errors import ShapeError

from . import functional as F
from . import init
from .functional.normalization import (check_eps, check_lrn_args, check_normalized_shape,
                                       check_trailing_shape, values_per_channel)
from .layers import factory_dtype, warn_wider_input
from ._checks import caller_outside_nn, integer, real_number
from .errors import ConfigError
from .module import Module, Parameter
from .norm_running_stats import (keep_count_of_old_checkpoint, momentum_of_step,
                                 one_value_error, refuse_untracked_running_stats,
                                 reset_running_stats, statistics_to_pass,
                                 uses_batch_statistics, zero_eps_error)

__all__ = ["BatchNorm1d", "BatchNorm2d", "BatchNorm3d", "InstanceNorm1d", "InstanceNorm2d",
           "InstanceNorm3d", "LayerNorm", "GroupNorm", "RMSNorm", "LocalResponseNorm"]


def _warn_wider(module: Module, x: Tensor, *owned: Tensor | None) -> None:
    """``warn_wider_input`` (once per module) when x is wider than the first of ``owned``
    (the parameters, then the running statistics) that the module has."""
    own = next((t.dtype for t in owned if t is not None), None)
    if own is not None and x.dtype != own and not module._dtype_warned:
        warn_wider_input(module, x, own)


class _NormBase(Module):
    """What batch and instance normalisation share: per-channel ``weight`` (starts at 1)
    and ``bias`` (0) if ``affine`` (no bias with PyTorch 2.13's ``bias=False``), and, with
    ``track_running_stats``, the buffers
    ``running_mean`` (0), ``running_var`` (1) and ``num_batches_tracked`` (0), as
    PyTorch's ``_NormBase``."""
    _momentum_none = "None gives a cumulative average."  # what momentum=None means
    _dtype_warned = False  # DTypePromotionWarning: once per layer, as Linear

    def __init__(self, num_features: int, eps: float = 1e-5, momentum: float | None = 0.1,
                 affine: bool = True, track_running_stats: bool = True, device: Any = None,
                 dtype: Any = np.float64, *, bias: bool = True) -> None:
        super().__init__()
        owner = type(self).__name__
        dtype = factory_dtype(owner, device, dtype)
        self.num_features = integer(owner, "num_features", num_features, minimum=1)
        self.eps = check_eps(eps, owner)
        self.momentum = None if momentum is None else real_number(  # any: as PyTorch's
            owner, "momentum", momentum, advice=self._momentum_none)
        self.affine, self.track_running_stats = bool(affine), bool(track_running_stats)
        c = self.num_features
        self.weight = Parameter(np.ones(c, dtype)) if affine else None
        self.bias = Parameter(np.zeros(c, dtype)) if affine and bias else None
        tracked = self.track_running_stats
        self.register_buffer("running_mean", np.zeros(c, dtype) if tracked else None)
        self.register_buffer("running_var", np.ones(c, dtype) if tracked else None)
        self.register_buffer("num_batches_tracked",
                             np.array(0, dtype=np.int64) if tracked else None)
        self.reset_parameters()  # as PyTorch: a subclass's override runs at construction

    def reset_running_stats(self) -> None:
        """running_mean = 0, running_var = 1, num_batches_tracked = 0, with
        ``track_running_stats`` (see ``norm_running_stats.reset_running_stats``)."""
        if self.track_running_stats:
            reset_running_stats(self)

    def reset_parameters(self) -> None:
        """``reset_running_stats()``, and weight = 1, bias = 0 if affine (as PyTorch)."""
        self.reset_running_stats()
        if self.affine:
            init.ones_(self.weight)
        if self.bias is not None:
            init.zeros_(self.bias)

    def _load_from_state_dict(self, state_dict: dict[str, Any], prefix: str,
                              local_metadata: dict, strict: bool, missing_keys: list[str],
                              unexpected_keys: list[str], error_msgs: list[str]) -> None:
        """A state dict without ``num_batches_tracked`` keeps this module's count, as
        PyTorch's ``_NormBase`` for a dict with no version (``keep_count_of_old_checkpoint``)."""
        keep_count_of_old_checkpoint(self, state_dict, prefix)
        super()._load_from_state_dict(state_dict, prefix, local_metadata, strict,
                                      missing_keys, unexpected_keys, error_msgs)

    def extra_repr(self) -> str:
        return (f"{self.num_features}, eps={self.eps}, momentum={self.momentum}, "
                f"affine={self.affine}, bias={self.bias is not None}, "
                f"track_running_stats={self.track_running_stats}")


class _BatchNorm(_NormBase):
    """Batch normalisation over the batch axis (and any trailing axes), per channel C
    on axis 1; ``BatchNorm1d``, ``BatchNorm2d`` and ``BatchNorm3d`` differ only in the
    inputs they take.

    Training: normalise with the batch mean and biased variance (over every axis but 1),
    and update running_mean <- (1 - m) running_mean + m mean and
    running_var <- (1 - m) running_var + m var * n / (n - 1) (unbiased, n values per
    channel), m = ``momentum`` (``None``: a cumulative average, m = 1 / batches seen).
    Evaluation: normalise with running_mean and running_var, or with batch statistics
    if both are None (``track_running_stats=False``, or set to None). As PyTorch's, the
    buffers decide, not the flag: a layer whose flag is switched off after training
    still uses its running statistics in evaluation, and only stops updating them
    (``norm_running_stats``). A batch with one value per channel normalised with batch
    statistics raises (its variance is 0 and every output would be the bias), leaving
    ``num_batches_tracked`` alone. An empty batch gives an empty output and leaves the
    statistics alone (``num_batches_tracked`` counts it, as PyTorch's).
    """

    def __init__(self, num_features: int, eps: float = 1e-5, momentum: float | None = 0.1,
                 affine: bool = True, track_running_stats: bool = True, device: Any = None,
                 dtype: Any = np.float64, *, bias: bool = True) -> None:
        super().__init__(num_features, eps, momentum, affine, track_running_stats, device,
                         dtype, bias=bias)

    def _check_input(self, x: Tensor) -> None:
        raise NotImplementedError  # each subclass names the shapes it takes

    def forward(self, input: Any) -> Tensor:
        x = as_tensor(input)
        self._check_input(x)
        _warn_wider(self, x, self.weight, self.bias, self.running_mean)
        batch_statistics = uses_batch_statistics(self)
        if batch_statistics and values_per_channel(x.shape) == 1:
            raise one_value_error(self, x.shape)  # before counting the batch
        if batch_statistics and self.eps == 0:
            raise zero_eps_error(self)
        tracking = self.training and self.track_running_stats
        momentum = momentum_of_step(self) if tracking else 0.0
        running_mean, running_var = statistics_to_pass(self)
        return F.batch_norm(x, running_mean, running_var, self.weight, self.bias,
                            batch_statistics, momentum, self.eps)


class BatchNorm1d(_BatchNorm):
    """Batch normalisation of (N, C) or (N, C, L) inputs per channel C (see
    ``_BatchNorm`` for the rules: batch statistics in training, running ones in eval)."""

    def _check_input(self, x: Tensor) -> None:
        if x.ndim not in (2, 3) or x.shape[1] != self.num_features:
            raise ShapeError(
                f"{self!r} expects inputs of shape (N, {self.num_features}) or "
                f"(N, {self.num_features}, L) (num_features={self.num_features} channels "
                f"on axis 1); got shape {x.shape}.")


class BatchNorm2d(_BatchNorm):
    """Batch normalisation of (N, C, H, W) inputs per channel C, statistics over N, H
    and W (the rules of ``BatchNorm1d``, PyTorch's ``nn.BatchNorm2d``)."""

    def _check_input(self, x: Tensor) -> None:
        if x.ndim != 4 or x.shape[1] != self.num_features:
            raise ShapeError(
                f"{self!r} expects inputs of shape (N, {self.num_features}, H, W) "
                f"(num_features={self.num_features} channels on axis 1); got shape "
                f"{x.shape}. For (N, C) or (N, C, L) inputs use BatchNorm1d.")


class BatchNorm3d(_BatchNorm):
    """Batch normalisation of (N, C, D, H, W) inputs per channel C, statistics over N, D,
    H and W (the rules of ``BatchNorm1d``, PyTorch's ``nn.BatchNorm3d``)."""

    def _check_input(self, x: Tensor) -> None:
        if x.ndim != 5 or x.shape[1] != self.num_features:
            raise ShapeError(
                f"{self!r} expects inputs of shape (N, {self.num_features}, D, H, W) "
                f"(num_features={self.num_features} channels on axis 1); got shape "
                f"{x.shape}. For (N, C, H, W) inputs use BatchNorm2d.")


class _InstanceNorm(_NormBase):
    """Instance normalisation of (N, C, *spatial) or unbatched (C, *spatial) inputs with
    ``spatial_axes`` trailing axes (PyTorch's ``nn.InstanceNorm1d/2d/3d``): each
    sample's channel is standardised over its spatial axes with its own mean and biased
    variance, in training and in evaluation. With ``track_running_stats=True`` training
    also updates running_mean and running_var with the batch average of the samples'
    mean and unbiased variance (momentum ``m``; ``None`` counts as 0, as PyTorch: no
    update, and ``num_batches_tracked`` stays 0), and evaluation normalises with them.
    ``affine`` and ``track_running_stats`` are off by default. Without either, a channel
    count other than ``num_features`` is only warned about (it is not used), as PyTorch.
    Without ``track_running_stats``, a state dict with running statistics is refused, also
    with ``strict=False`` (PyTorch's message for pre-0.4 checkpoints)."""
    _momentum_none = "None means no update of the running statistics (as PyTorch)."
    spatial_axes: tuple[str, ...] = ("L",)  # each subclass names its own

    def __init__(self, num_features: int, eps: float = 1e-5, momentum: float | None = 0.1,
                 affine: bool = False, track_running_stats: bool = False, device: Any = None,
                 dtype: Any = np.float64, *, bias: bool = True) -> None:
        super().__init__(num_features, eps, momentum, affine, track_running_stats, device,
                         dtype, bias=bias)

    def _load_from_state_dict(self, state_dict: dict[str, Any], prefix: str,
                              local_metadata: dict, strict: bool, missing_keys: list[str],
                              unexpected_keys: list[str], error_msgs: list[str]) -> None:
        """PyTorch's refusal of running statistics this layer does not keep
        (``refuse_untracked_running_stats``), then ``_NormBase``'s step."""
        refuse_untracked_running_stats(self, state_dict, prefix, error_msgs)
        super()._load_from_state_dict(state_dict, prefix, local_metadata, strict,
                                      missing_keys, unexpected_keys, error_msgs)

    def forward(self, input: Any) -> Tensor:
        x = as_tensor(input)
        batched_ndim = len(self.spatial_axes) + 2
        if x.ndim not in (batched_ndim - 1, batched_ndim):
            spatial = ", ".join(self.spatial_axes)
            raise ShapeError(f"{self!r} expects inputs of shape (N, C, {spatial}) or "
                             f"(C, {spatial}); got shape {x.shape}.")
        axis = x.ndim - batched_ndim + 1  # the channel axis
        channels = x.shape[axis]
        if channels != self.num_features:
            message = (f"{self!r} got {channels} channels (axis {axis} of an input of "
                       f"shape {x.shape}) but num_features={self.num_features}")
            if self.affine or self.track_running_stats:
                raise ShapeError(f"{message}; the weight and running statistics have one "
                                 f"value per channel.")
            warnings.warn(f"{message}, which is not used (affine=False, "
                          f"track_running_stats=False).", stacklevel=caller_outside_nn())
        _warn_wider(self, x, self.weight, self.bias, self.running_mean)
        batched = x if x.ndim == batched_ndim else x.reshape((1,) + x.shape)
        y = F.instance_norm(batched, self.running_mean, self.running_var, self.weight,
                            self.bias, self.training or not self.track_running_stats,
                            0.0 if self.momentum is None else self.momentum, self.eps)
        return y if x.ndim == batched_ndim else y.reshape(x.shape)


class InstanceNorm1d(_InstanceNorm):
    """Instance normalisation of (N, C, L) or unbatched (C, L) inputs (see
    ``_InstanceNorm`` for the rules; PyTorch's ``nn.InstanceNorm1d``)."""
    spatial_axes = ("L",)


class InstanceNorm2d(_InstanceNorm):
    """Instance normalisation of (N, C, H, W) or unbatched (C, H, W) inputs (see
    ``_InstanceNorm``; PyTorch's ``nn.InstanceNorm2d``)."""
    spatial_axes = ("H", "W")


class InstanceNorm3d(_InstanceNorm):
    """Instance normalisation of (N, C, D, H, W) or unbatched (C, D, H, W) inputs (see
    ``_InstanceNorm``; PyTorch's ``nn.InstanceNorm3d``)."""
    spatial_axes = ("D", "H", "W")


class LocalResponseNorm(Module):
    """Local response normalisation across channels (AlexNet's; PyTorch's
    ``nn.LocalResponseNorm``) of (N, C, *) inputs:
    y_c = x_c / (k + alpha / size * sum of x_{c'}^2 over the ``size`` channels around c)^beta
    (see ``F.local_response_norm``). No parameters; the same in training and evaluation."""

    def __init__(self, size: int, alpha: float = 1e-4, beta: float = 0.75,
                 k: float = 1.0) -> None:
        super().__init__()
        self.size, self.alpha, self.beta, self.k = check_lrn_args(
            "LocalResponseNorm", size, alpha, beta, k)

    def forward(self, input: Any) -> Tensor:
        return F.local_response_norm(input, self.size, self.alpha, self.beta, self.k)

    def extra_repr(self) -> str:
        return f"{self.size}, alpha={self.alpha}, beta={self.beta}, k={self.k}"


class LayerNorm(Module):
    """Layer normalisation over the last axes of x, those of ``normalized_shape``:
    y = (x - mean) / sqrt(var + eps) * weight + bias, each sample on its own (the same
    in training and evaluation). ``weight`` and ``bias`` have shape ``normalized_shape``.
    """
    _dtype_warned = False  # DTypePromotionWarning: once per layer, as Linear

    def __init__(self, normalized_shape: int | tuple[int, ...], eps: float = 1e-5,
                 elementwise_affine: bool = True, bias: bool = True, device: Any = None,
                 dtype: Any = np.float64) -> None:
        super().__init__()
        dtype = factory_dtype("LayerNorm", device, dtype)
        self.normalized_shape = check_normalized_shape(normalized_shape, "LayerNorm")
        self.eps = check_eps(eps, "LayerNorm")
        self.elementwise_affine = bool(elementwise_affine)
        affine = self.elementwise_affine
        self.weight = Parameter(np.ones(self.normalized_shape, dtype)) if affine else None
        self.bias = (Parameter(np.zeros(self.normalized_shape, dtype))
                     if affine and bias else None)
        self.reset_parameters()  # as PyTorch: a subclass's override runs at construction

    def reset_parameters(self) -> None:
        """weight = 1 and bias = 0, those that exist (as PyTorch)."""
        if self.weight is not None:
            init.ones_(self.weight)
        if self.bias is not None:
            init.zeros_(self.bias)

    def forward(self, input: Any) -> Tensor:
        x = as_tensor(input)
        check_trailing_shape(x, self.normalized_shape, repr(self))  # names the module
        _warn_wider(self, x, self.weight, self.bias)
        return F.layer_norm(x, self.normalized_shape, self.weight, self.bias, self.eps)

    def extra_repr(self) -> str:
        return (f"{self.normalized_shape}, eps={self.eps}, "
                f"elementwise_affine={self.elementwise_affine}, bias={self.bias is not None}")


class RMSNorm(Module):
    """Root-mean-square normalisation over the last axes of x, those of
    ``normalized_shape`` (PyTorch's ``nn.RMSNorm``): y = x / sqrt(mean(x^2) + eps) *
    weight, each sample on its own; ``weight`` (starts at 1) has shape
    ``normalized_shape``. ``eps=None`` is the machine epsilon of x's dtype, as PyTorch."""

    def __init__(self, normalized_shape: int | tuple[int, ...], eps: float | None = None,
                 elementwise_affine: bool = True, device: Any = None,
                 dtype: Any = np.float64) -> None:
        super().__init__()
        dtype = factory_dtype("RMSNorm", device, dtype)
        self.normalized_shape = check_normalized_shape(normalized_shape, "RMSNorm")
        self.eps = None if eps is None else check_eps(eps, "RMSNorm")
        self.elementwise_affine = bool(elementwise_affine)
        self.weight = (Parameter(np.ones(self.normalized_shape, dtype))
                       if self.elementwise_affine else None)
        self.reset_parameters()  # as PyTorch: a subclass's override runs at construction

    def reset_parameters(self) -> None:
        """weight = 1, if there is one (as PyTorch)."""
        if self.weight is not None:
            init.ones_(self.weight)

    def forward(self, x: Any) -> Tensor:
        x = as_tensor(x)
        check_trailing_shape(x, self.normalized_shape, repr(self))  # names the module
        return F.rms_norm(x, self.normalized_shape, self.weight, self.eps)

    def extra_repr(self) -> str:
        return (f"{self.normalized_shape}, eps={self.eps}, "
                f"elementwise_affine={self.elementwise_affine}")


class GroupNorm(Module):
    """Group normalisation of (N, C, *) inputs (PyTorch's ``nn.GroupNorm``): the
    ``num_channels`` channels form ``num_groups`` groups of consecutive channels, each
    standardised per sample (over its channels and trailing axes), the same in training
    and evaluation; ``weight`` and ``bias`` have one value per channel, shape (C,)."""
    _dtype_warned = False  # DTypePromotionWarning: once per layer, as Linear

    def __init__(self, num_groups: int, num_channels: int, eps: float = 1e-5,
                 affine: bool = True, device: Any = None, dtype: Any = np.float64, *,
                 bias: bool = True) -> None:
        super().__init__()
        dtype = factory_dtype("GroupNorm", device, dtype)
        self.num_groups = integer("GroupNorm", "num_groups", num_groups, minimum=1)
        self.num_channels = integer("GroupNorm", "num_channels", num_channels, minimum=0)
        if self.num_channels % self.num_groups:
            raise ConfigError(f"GroupNorm: num_groups={num_groups} must divide "
                              f"num_channels={num_channels} (channels are split into equal "
                              f"groups); pick a divisor of {num_channels}")
        self.eps = check_eps(eps, "GroupNorm")
        self.affine = bool(affine)
        self.weight = Parameter(np.ones(self.num_channels, dtype)) if affine else None
        self.bias = (Parameter(np.zeros(self.num_channels, dtype)) if affine and bias
                     else None)
        self.reset_parameters()  # as PyTorch: a subclass's override runs at construction

    def reset_parameters(self) -> None:
        """weight = 1 and bias = 0 if affine (as PyTorch)."""
        if self.affine:
            init.ones_(self.weight)
        if self.bias is not None:
            init.zeros_(self.bias)

    def forward(self, input: Any) -> Tensor:
        x = as_tensor(input)
        if x.ndim < 2 or x.shape[1] != self.num_channels:
            raise ShapeError(
                f"{self!r} expects inputs of shape (N, {self.num_channels}, ...) "
                f"(num_channels={self.num_channels} channels on axis 1); got shape "
                f"{x.shape}.")
        _warn_wider(self, x, self.weight, self.bias)
        return F.group_norm(x, self.num_groups, self.weight, self.bias, self.eps)

    def extra_repr(self) -> str:
        return (f"{self.num_groups}, {self.num_channels}, eps={self.eps}, "
                f"affine={self.affine}, bias={self.bias is not None}")
