"""PyTorch's legacy, hook-based ``nn.utils.weight_norm`` and ``remove_weight_norm`` (the
spelling of HiFi-GAN, MelGAN and TCN code, deprecated there with a FutureWarning, as
here): ``module.<name>`` becomes w = g v / ||v||, recomputed by a forward pre-hook before
every forward, the norm taken over every axis but ``dim`` (over the whole tensor for
``dim=None`` or -1, as PyTorch's). The module trains the parameters ``<name>_g`` and
``<name>_v`` (PyTorch's state-dict keys); ``<name>`` is a plain attribute.
"""
from __future__ import annotations

import warnings
from typing import Any

from autograd.errors import UsageError
from .._checks import caller_outside_nn
from ..lazy import refuse_uninitialized
from ..module import Module
from ..parameter import Parameter
from .parametrizations import _norm_except_dim

__all__ = ["WeightNorm", "weight_norm", "remove_weight_norm"]


class WeightNorm:
    """The forward pre-hook: sets ``module.<name>`` = ``<name>_v`` * g / ||v||."""

    def __init__(self, name: str, dim: int | None) -> None:
        self.name, self.dim = name, dim

    def compute_weight(self, module: Module) -> Any:
        """g v / ||v||, the norm over every axis but ``dim`` (all axes for None)."""
        g, v = getattr(module, self.name + "_g"), getattr(module, self.name + "_v")
        return v * (g / _norm_except_dim(v, self.dim))

    def remove(self, module: Module) -> None:
        """Turn ``module.<name>`` back into a parameter holding g v / ||v||."""
        weight = self.compute_weight(module)
        for suffix in ("", "_g", "_v"):
            delattr(module, self.name + suffix)
        module.register_parameter(self.name, Parameter(weight.detach()))

    def __call__(self, module: Module, inputs: Any) -> None:
        setattr(module, self.name, self.compute_weight(module))


def norm_hooks_of(module: Module, name: str, kind: type) -> list[tuple[Any, Any]]:
    """(handle id, hook) of the legacy norm hooks of ``kind`` (``WeightNorm``,
    ``SpectralNorm``) on ``module.<name>``."""
    return [(key, hook) for key, hook in module._forward_pre_hooks.items()
            if isinstance(hook, kind) and hook.name == name]


def pop_norm_hook(module: Module, name: str, kind: type, refusal: str) -> Module:
    """Undo the norm hook of ``kind`` on ``module.<name>`` (its ``remove`` makes the
    weight a parameter again) and drop it; ``UsageError(refusal)`` when there is none."""
    found = norm_hooks_of(module, name, kind)
    if not found:
        raise UsageError(refusal)
    key, hook = found[0]
    hook.remove(module)
    del module._forward_pre_hooks[key]
    return module


def weight_norm(module: Module, name: str = "weight", dim: int | None = 0) -> Module:
    """Make ``module.<name>`` g v / ||v|| before every forward (PyTorch's legacy
    ``nn.utils.weight_norm``, with its FutureWarning): g = ||w|| (over every axis but
    ``dim``; the whole tensor for None or -1) and v = w to start. Returns ``module``."""
    warnings.warn("nn.utils.weight_norm is deprecated in favor of "
                  "nn.utils.parametrizations.weight_norm (as in PyTorch).", FutureWarning,
                  stacklevel=caller_outside_nn())
    refuse_uninitialized("weight_norm", module)
    if norm_hooks_of(module, name, WeightNorm):
        raise UsageError(f"weight_norm: module.{name} has a weight_norm hook already; remove "
                         f"it first with nn.utils.remove_weight_norm(module, {name!r})")
    weight = getattr(module, name, None)
    if not isinstance(weight, Parameter):
        raise UsageError(f"weight_norm: module.{name} must be a Parameter; got "
                         f"{type(weight).__name__}")
    if dim == -1:  # PyTorch's legacy form: -1 is the whole tensor, not the last axis
        dim = None
    if dim is not None and not -weight.ndim <= dim < weight.ndim:
        raise UsageError(f"weight_norm: dim must be None (or -1: the whole tensor) or an "
                         f"axis of the weight of shape {weight.shape}; got {dim}")
    fn = WeightNorm(name, None if dim is None else dim % weight.ndim)
    delattr(module, name)
    module.register_parameter(name + "_g",
                              Parameter(_norm_except_dim(weight.detach(), fn.dim).detach()))
    module.register_parameter(name + "_v", Parameter(weight.detach()))
    setattr(module, name, fn.compute_weight(module))
    module.register_forward_pre_hook(fn)
    return module


def remove_weight_norm(module: Module, name: str = "weight") -> Module:
    """Undo ``weight_norm``: ``module.<name>`` becomes a parameter again, holding
    g v / ||v|| (PyTorch's ``nn.utils.remove_weight_norm``). Returns ``module``."""
    return pop_norm_hook(module, name, WeightNorm,
                         f"remove_weight_norm: module.{name} has no weight_norm hook (was it "
                         f"added with nn.utils.parametrizations.weight_norm? then use "
                         f"nn.utils.parametrize.remove_parametrizations)")
