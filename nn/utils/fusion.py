"""PyTorch's ``torch.nn.utils.fusion``: fold an evaluation-mode BatchNorm into the
convolution or linear layer before it, as deployment and quantization scripts do before
exporting a MobileNet (``fuse_conv_bn_eval(conv, bn)``).

With s = gamma / sqrt(running_var + eps) per output channel, ``bn(conv(x))`` in
evaluation is the convolution with weight W s (scaled along the output axis: axis 0, or
axis 1 of a transposed convolution's weight) and bias (b - running_mean) s + beta.
"""

from __future__ import annotations

import copy
from typing import Any

import autograd as ag
from autograd import Tensor
from autograd.errors import ShapeError

from ..errors import ArgumentTypeError, ConfigError
from ..module import Module
from ..parameter import Parameter

__all__ = ["fuse_conv_bn_eval", "fuse_conv_bn_weights", "fuse_linear_bn_eval",
           "fuse_linear_bn_weights"]


def _check_modules(name: str, layer: Any, bn: Any, linear: bool) -> None:
    """Named errors unless ``layer`` is a module with the weight a ``name`` fusion needs
    (2-d for a ``linear`` layer; else at least 2-d, a convolution's, or a Linear's, which
    PyTorch's ``fuse_conv_bn_eval`` fuses as well) and ``bn`` a BatchNorm with running
    statistics, both in evaluation mode."""
    weight = getattr(layer, "weight", None)
    if not isinstance(layer, Module) or not isinstance(weight, Tensor) or (
            weight.ndim != 2 if linear else weight.ndim < 2):
        wanted = ("an nn.Linear (a weight (out_features, in_features))" if linear
                  else "a convolution (a weight (out, in / groups, *kernel))")
        shape = f" with a weight of shape {tuple(weight.shape)}" \
            if isinstance(weight, Tensor) else ""
        raise ArgumentTypeError(f"{name}: expected {wanted} as the layer; got "
                                f"{type(layer).__name__}{shape}")
    if not isinstance(bn, Module) or not all(
            hasattr(bn, a) for a in ("running_mean", "running_var", "eps", "num_features")):
        raise ArgumentTypeError(f"{name}: expected a BatchNorm (BatchNorm1d/2d/3d) as bn, "
                                f"the layer after the one to fuse it into; got "
                                f"{type(bn).__name__}")
    if layer.training or bn.training:
        raise ConfigError(f"{name}: Fusion only for eval! Call .eval() on both modules first "
                          f"(a training BatchNorm normalises with batch statistics).")
    if bn.running_mean is None or bn.running_var is None:
        raise ConfigError(f"{name}: the BatchNorm has no running statistics "
                          f"(track_running_stats=False), so there is nothing to fold in.")


def _check_conv_channels(conv: Any, bn: Any, transpose: bool) -> None:
    """Named errors unless ``transpose`` says what ``conv`` is (when it tells, through
    ``conv.transposed``: a wrong flag scales the wrong weight axis, silently so when
    in_channels == out_channels) and ``bn.num_features`` is its output channels."""
    transposed = getattr(conv, "transposed", None)
    if isinstance(transposed, bool) and transposed != transpose:
        advice = ("it is a transposed convolution (weight (in, out / groups, *kernel)): "
                  "pass transpose=True" if transposed else
                  "it is not a transposed convolution: leave transpose=False")
        raise ConfigError(f"fuse_conv_bn_eval: transpose={transpose} for a "
                          f"{type(conv).__name__}; {advice}")
    groups = getattr(conv, "groups", 1)
    if transpose and groups != 1:
        raise ConfigError(f"fuse_conv_bn_eval: cannot fuse a grouped transposed convolution "
                          f"(groups={groups}): its weight's axis 1 holds out_channels / "
                          f"groups channels per group (PyTorch cannot fuse it either)")
    axis = 1 if transpose else 0
    channels = getattr(conv, "out_channels", conv.weight.shape[axis])
    if bn.num_features != channels:
        raise ConfigError(f"fuse_conv_bn_eval: bn.num_features must equal the conv's "
                          f"out_channels, {channels}; got {bn.num_features}. Give the "
                          f"BatchNorm that follows this convolution.")


def fuse_conv_bn_eval(conv: Any, bn: Any, transpose: bool = False) -> Any:
    """A copy of ``conv`` computing ``bn(conv(x))`` of the evaluation-mode modules
    (``transpose=True`` for a transposed convolution; ``bn.num_features`` equal to its
    out_channels)."""
    _check_modules("fuse_conv_bn_eval", conv, bn, linear=False)
    _check_conv_channels(conv, bn, transpose)
    fused_conv = copy.deepcopy(conv)
    fused_conv.weight, fused_conv.bias = fuse_conv_bn_weights(
        fused_conv.weight, fused_conv.bias, bn.running_mean, bn.running_var, bn.eps,
        bn.weight, bn.bias, transpose)
    return fused_conv


def fuse_conv_bn_weights(conv_w: Tensor, conv_b: Tensor | None, bn_rm: Tensor,
                         bn_rv: Tensor, bn_eps: float, bn_w: Tensor | None,
                         bn_b: Tensor | None, transpose: bool = False
                         ) -> tuple[Parameter, Parameter]:
    """(W s, (b - mean) s + beta) as Parameters, s = gamma / sqrt(var + eps) along the
    output channels (axis 1 of the weight when ``transpose``); a missing bias, gamma or
    beta counts as 0, 1, 0. The fused bias has one value per output channel."""
    weight_dtype = conv_w.dtype
    bias_dtype = conv_b.dtype if conv_b is not None else weight_dtype
    axis = 1 if transpose else 0
    conv_b = _zero_bias(conv_w.shape[axis], bn_rm) if conv_b is None else conv_b
    bn_w = ag.ones_like(bn_rm) if bn_w is None else bn_w
    bn_b = ag.zeros_like(bn_rm) if bn_b is None else bn_b
    _check_statistics_fit("fuse_conv_bn_weights", bn_rm, conv_w.shape[axis],
                          f"the conv weight's output-channel axis {axis} (transpose="
                          f"{transpose})")
    bn_var_rsqrt = ag.rsqrt(bn_rv + bn_eps)
    rest = [1] * (conv_w.ndim - 2)
    shape = [1, -1] + rest if transpose else [-1, 1] + rest
    fused_w = (conv_w * (bn_w * bn_var_rsqrt).reshape(shape)).astype(weight_dtype)
    fused_b = ((conv_b - bn_rm) * bn_var_rsqrt * bn_w + bn_b).astype(bias_dtype)
    return (Parameter(fused_w, requires_grad=conv_w.requires_grad),
            Parameter(fused_b, requires_grad=conv_b.requires_grad))


def fuse_linear_bn_eval(linear: Any, bn: Any) -> Any:
    """A copy of ``linear`` computing ``bn(linear(x))`` of the evaluation-mode modules
    (``bn.num_features`` equal to ``linear.out_features``, or 1)."""
    _check_modules("fuse_linear_bn_eval", linear, bn, linear=True)
    out_features = linear.weight.shape[0]
    if not (out_features == bn.num_features or bn.num_features == 1):
        raise ConfigError("fuse_linear_bn_eval: To fuse, linear.out_features == "
                          "bn.num_features or bn.num_features == 1; got "
                          f"{out_features} and {bn.num_features}.")
    fused_linear = copy.deepcopy(linear)
    fused_linear.weight, fused_linear.bias = fuse_linear_bn_weights(
        fused_linear.weight, fused_linear.bias, bn.running_mean, bn.running_var, bn.eps,
        bn.weight, bn.bias)
    return fused_linear


def fuse_linear_bn_weights(linear_w: Tensor, linear_b: Tensor | None, bn_rm: Tensor,
                           bn_rv: Tensor, bn_eps: float, bn_w: Tensor | None,
                           bn_b: Tensor | None) -> tuple[Parameter, Parameter]:
    """(W s[:, None], (b - mean) s + beta) as Parameters, s = gamma / sqrt(var + eps); a
    missing bias, gamma or beta (an ``affine=False`` BatchNorm) counts as 0, 1, 0, as in
    ``fuse_conv_bn_weights`` (PyTorch's raises a TypeError for a missing gamma). The
    fused bias has shape (out_features,), also for a BatchNorm1d(1) and no bias (PyTorch
    makes it (1,), which its ``F.linear`` broadcasts)."""
    weight_dtype = linear_w.dtype
    bias_dtype = linear_b.dtype if linear_b is not None else weight_dtype
    linear_b = _zero_bias(linear_w.shape[0], bn_rm) if linear_b is None else linear_b
    bn_w = ag.ones_like(bn_rm) if bn_w is None else bn_w
    bn_b = ag.zeros_like(bn_rm) if bn_b is None else bn_b
    _check_statistics_fit("fuse_linear_bn_weights", bn_rm, linear_w.shape[0],
                          "the linear weight's output axis 0")
    bn_scale = bn_w * ag.rsqrt(bn_rv + bn_eps)
    fused_w = linear_w * bn_scale.unsqueeze(-1).astype(weight_dtype)
    fused_b = ((linear_b - bn_rm) * bn_scale + bn_b).astype(bias_dtype)
    return (Parameter(fused_w, requires_grad=linear_w.requires_grad),
            Parameter(fused_b, requires_grad=linear_b.requires_grad))


def _zero_bias(channels: int, bn_rm: Tensor) -> Tensor:
    """The bias 0 of a layer without one: one zero per output channel (not one per
    BatchNorm statistic, which may be a single value broadcast to all channels), in the
    statistics' dtype."""
    return ag.zeros(channels, dtype=bn_rm.dtype)


def _check_statistics_fit(owner: str, bn_rm: Tensor, channels: int, axis: str) -> None:
    """A named ShapeError unless the BatchNorm statistics hold one value per output
    channel, or one for all (which broadcasts, as in PyTorch)."""
    if bn_rm.numel() not in (channels, 1):
        raise ShapeError(f"{owner}: the BatchNorm statistics hold {bn_rm.numel()} values "
                         f"but {axis} has {channels} channels; they must match (or be one "
                         f"value). Pass the BatchNorm that follows this layer.")
