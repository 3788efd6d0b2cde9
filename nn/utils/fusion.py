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

from ..errors import ConfigError
from ..parameter import Parameter

__all__ = ["fuse_conv_bn_eval", "fuse_conv_bn_weights", "fuse_linear_bn_eval",
           "fuse_linear_bn_weights"]


def _evaluating(name: str, layer: Any, bn: Any) -> None:
    if layer.training or bn.training:
        raise ConfigError(f"{name}: Fusion only for eval! Call .eval() on both modules first "
                          f"(a training BatchNorm normalises with batch statistics).")
    if bn.running_mean is None or bn.running_var is None:
        raise ConfigError(f"{name}: the BatchNorm has no running statistics "
                          f"(track_running_stats=False), so there is nothing to fold in.")


def fuse_conv_bn_eval(conv: Any, bn: Any, transpose: bool = False) -> Any:
    """A copy of ``conv`` computing ``bn(conv(x))`` of the evaluation-mode modules."""
    _evaluating("fuse_conv_bn_eval", conv, bn)
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
    beta counts as 0, 1, 0."""
    weight_dtype = conv_w.dtype
    bias_dtype = conv_b.dtype if conv_b is not None else weight_dtype
    conv_b = ag.zeros_like(bn_rm) if conv_b is None else conv_b
    bn_w = ag.ones_like(bn_rm) if bn_w is None else bn_w
    bn_b = ag.zeros_like(bn_rm) if bn_b is None else bn_b
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
    _evaluating("fuse_linear_bn_eval", linear, bn)
    if not (linear.out_features == bn.num_features or bn.num_features == 1):
        raise ConfigError("fuse_linear_bn_eval: To fuse, linear.out_features == "
                          "bn.num_features or bn.num_features == 1; got "
                          f"{linear.out_features} and {bn.num_features}.")
    fused_linear = copy.deepcopy(linear)
    fused_linear.weight, fused_linear.bias = fuse_linear_bn_weights(
        fused_linear.weight, fused_linear.bias, bn.running_mean, bn.running_var, bn.eps,
        bn.weight, bn.bias)
    return fused_linear


def fuse_linear_bn_weights(linear_w: Tensor, linear_b: Tensor | None, bn_rm: Tensor,
                           bn_rv: Tensor, bn_eps: float, bn_w: Tensor, bn_b: Tensor
                           ) -> tuple[Parameter, Parameter]:
    """(W s[:, None], (b - mean) s + beta) as Parameters, s = gamma / sqrt(var + eps)."""
    weight_dtype = linear_w.dtype
    bias_dtype = linear_b.dtype if linear_b is not None else weight_dtype
    linear_b = ag.zeros_like(bn_rm) if linear_b is None else linear_b
    bn_scale = bn_w * ag.rsqrt(bn_rv + bn_eps)
    fused_w = linear_w * bn_scale.unsqueeze(-1).astype(weight_dtype)
    fused_b = ((linear_b - bn_rm) * bn_scale + bn_b).astype(bias_dtype)
    return (Parameter(fused_w, requires_grad=linear_w.requires_grad),
            Parameter(fused_b, requires_grad=linear_b.requires_grad))
