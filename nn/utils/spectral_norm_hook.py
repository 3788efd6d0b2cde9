"""PyTorch's legacy, hook-based ``nn.utils.spectral_norm`` and ``remove_spectral_norm``
(the spelling most SNGAN code uses): ``module.<name>`` becomes w / sigma(w), recomputed
by a forward pre-hook before every forward.

The module keeps the parameter ``<name>_orig`` (w) and the buffers ``<name>_u`` and
``<name>_v``, so its state-dict keys are PyTorch's (``weight_orig``, ``weight_u``,
``weight_v``); ``<name>`` itself is a plain attribute. With W the weight as a matrix (axis
``dim`` first, the others flattened), a training forward runs ``n_power_iterations`` steps

    v <- normalize(W^T u),  u <- normalize(W v)

on the buffers (outside the graph), then sets w / sigma with sigma = u^T W v, the
gradient flowing through W only. An eval-mode forward reuses the stored u and v. Unlike
``nn.utils.parametrizations.spectral_norm`` (its successor), u and v are not refined by
15 steps when the hook is added, and the step updates v before u.
"""
from __future__ import annotations

from typing import Any

from autograd import Tensor, no_grad
from autograd.errors import UsageError
from .. import functional as F
from .._random import RNGLike, as_generator
from ..conv_transpose import ConvTranspose1d, ConvTranspose2d, ConvTranspose3d
from ..lazy import refuse_uninitialized
from ..module import Module
from ..parameter import Parameter
from .weight_norm_hook import norm_hooks_of, pop_norm_hook

__all__ = ["SpectralNorm", "spectral_norm", "remove_spectral_norm"]


class SpectralNorm:
    """The forward pre-hook: sets ``module.<name>`` = ``<name>_orig`` / sigma."""

    def __init__(self, name: str = "weight", n_power_iterations: int = 1, dim: int = 0,
                 eps: float = 1e-12) -> None:
        if isinstance(n_power_iterations, bool) or not isinstance(n_power_iterations, int) \
                or n_power_iterations <= 0:
            raise UsageError(f"spectral_norm: n_power_iterations must be a positive int; got "
                             f"{n_power_iterations!r}")
        self.name, self.n_power_iterations, self.dim, self.eps = \
            name, n_power_iterations, dim, eps

    def reshape_weight_to_matrix(self, weight: Tensor) -> Tensor:
        """The weight with axis ``dim`` first, the other axes flattened into columns."""
        if self.dim != 0:
            weight = weight.permute(self.dim, *(d for d in range(weight.ndim) if d != self.dim))
        return weight.reshape(weight.shape[0], -1)

    def compute_weight(self, module: Module, do_power_iteration: bool) -> Tensor:
        """w / (u^T W v), after the power-iteration steps when ``do_power_iteration``."""
        weight = getattr(module, self.name + "_orig")
        matrix = self.reshape_weight_to_matrix(weight)
        if do_power_iteration:
            with no_grad():
                u, v = getattr(module, self.name + "_u"), getattr(module, self.name + "_v")
                for _ in range(self.n_power_iterations):
                    v = F.normalize(matrix.T @ u, dim=0, eps=self.eps)
                    u = F.normalize(matrix @ v, dim=0, eps=self.eps)
                # PyTorch writes the new vectors into the buffers' storage (``out=``)
                getattr(module, self.name + "_u").data[...] = u.data
                getattr(module, self.name + "_v").data[...] = v.data
        u = getattr(module, self.name + "_u").detach().clone()
        v = getattr(module, self.name + "_v").detach().clone()
        sigma = (u * (matrix @ v)).sum()
        return weight / sigma

    def remove(self, module: Module) -> None:
        """Turn ``module.<name>`` back into a parameter holding w / sigma (no new step)."""
        with no_grad():
            weight = self.compute_weight(module, do_power_iteration=False)
        for suffix in ("", "_u", "_v", "_orig"):
            delattr(module, self.name + suffix)
        module.register_parameter(self.name, Parameter(weight.detach()))

    def __call__(self, module: Module, inputs: Any) -> None:
        setattr(module, self.name, self.compute_weight(module, module.training))


def spectral_norm(module: Module, name: str = "weight", n_power_iterations: int = 1,
                  eps: float = 1e-12, dim: int | None = None, *, rng: RNGLike = None
                  ) -> Module:
    """Make ``module.<name>`` w / sigma(w) before every forward (PyTorch's legacy
    ``nn.utils.spectral_norm``): u and v start as normalized standard normal vectors
    drawn from ``rng`` (default: the library's default generator, which ``manual_seed``
    sets); ``dim`` is the output axis, 1 for transposed convolutions, else 0.
    Returns ``module``."""
    refuse_uninitialized("spectral_norm", module)
    if norm_hooks_of(module, name, SpectralNorm):
        raise UsageError(f"spectral_norm: module.{name} has a spectral_norm hook already; "
                         f"remove it first with nn.utils.remove_spectral_norm(module, {name!r})")
    weight = getattr(module, name, None)
    if not isinstance(weight, Parameter):
        raise UsageError(f"spectral_norm: module.{name} must be a Parameter; got "
                         f"{type(weight).__name__}")
    if dim is None:
        transposed = (ConvTranspose1d, ConvTranspose2d, ConvTranspose3d)
        dim = 1 if isinstance(module, transposed) else 0
    if isinstance(dim, bool) or not isinstance(dim, int) or not -weight.ndim <= dim < weight.ndim:
        raise UsageError(f"spectral_norm: dim must be an axis of module.{name} (shape "
                         f"{weight.shape}) or None; got {dim!r}")
    fn = SpectralNorm(name, n_power_iterations, dim + weight.ndim if dim < 0 else dim, eps)
    rows, cols = fn.reshape_weight_to_matrix(weight).shape
    generator = as_generator(rng)
    with no_grad():
        u = F.normalize(Tensor(generator.standard_normal(rows).astype(weight.dtype)), dim=0,
                        eps=eps)
        v = F.normalize(Tensor(generator.standard_normal(cols).astype(weight.dtype)), dim=0,
                        eps=eps)
    delattr(module, name)
    module.register_parameter(name + "_orig", weight)
    setattr(module, name, weight.detach())  # a plain tensor until the first forward
    module.register_buffer(name + "_u", u)
    module.register_buffer(name + "_v", v)
    module.register_forward_pre_hook(fn)
    return module


def remove_spectral_norm(module: Module, name: str = "weight") -> Module:
    """Undo ``spectral_norm``: ``module.<name>`` becomes a parameter again, holding the
    current w / sigma (PyTorch's ``nn.utils.remove_spectral_norm``). Returns ``module``."""
    return pop_norm_hook(module, name, SpectralNorm,
                         f"remove_spectral_norm: module.{name} has no spectral_norm hook "
                         f"(was it added with nn.utils.parametrizations.spectral_norm? then "
                         f"use nn.utils.parametrize.remove_parametrizations)")
