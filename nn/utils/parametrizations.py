"""``nn.utils.parametrizations``: PyTorch's ``weight_norm`` and ``spectral_norm``, as
parametrizations (``nn/utils/parametrize.py``), and ``orthogonal`` (its own module).

- weight norm (Salimans and Kingma): w = g v / ||v||, the norm taken over every axis but
  ``dim`` (over all axes when ``dim`` is None), so g (``original0``) holds the length and
  v (``original1``) the direction;
- spectral norm (Miyato et al.): w / sigma(w), sigma the largest singular value of w seen
  as a matrix (axis ``dim`` first, the others flattened), estimated by power iteration
  on the buffers u and v (``n_power_iterations`` steps per forward in training mode).
"""
from __future__ import annotations

from autograd import Tensor, no_grad
from autograd.errors import AxisError, UsageError
from ..errors import ArgumentTypeError, MemberNotFoundError
from .. import functional as F
from .._checks import is_integer
from .._random import RNGLike, as_generator
from ..lazy import refuse_uninitialized
from ..conv_transpose import ConvTranspose1d, ConvTranspose2d, ConvTranspose3d
from ..module import Module
from .parametrization_orthogonal import orthogonal
from .parametrize import register_parametrization

__all__ = ["weight_norm", "spectral_norm", "orthogonal"]


def _norm_except_dim(v: Tensor, dim: int | None) -> Tensor:
    """||v|| over every axis but ``dim`` (kept, size 1 elsewhere); over all if None."""
    if dim is None:
        return (v * v).sum().sqrt()
    axes = tuple(a for a in range(v.ndim) if a != dim)
    return (v * v).sum(axis=axes, keepdims=True).sqrt()


class _WeightNorm(Module):
    """w = g v / ||v|| (``right_inverse`` splits w into g = ||w|| and v = w)."""

    def __init__(self, dim: int | None) -> None:
        super().__init__()
        self.dim = dim

    def forward(self, weight_g: Tensor, weight_v: Tensor) -> Tensor:
        return weight_v * (weight_g / _norm_except_dim(weight_v, self.dim))

    def right_inverse(self, weight: Tensor) -> tuple[Tensor, Tensor]:
        return _norm_except_dim(weight, self.dim), weight


def weight_norm(module: Module, name: str = "weight", dim: int | None = 0) -> Module:
    """Reparametrize ``module.<name>`` as g v / ||v|| (norm over every axis but ``dim``);
    the trained tensors are ``module.parametrizations.<name>.original0`` (g) and
    ``original1`` (v). Returns ``module``."""
    refuse_uninitialized("weight_norm", module)
    weight = _tensor_named(module, name, "weight_norm")
    if dim == -1:  # PyTorch's: -1 means the norm of the whole tensor, as None
        dim = None
    if dim is not None and is_integer(dim) and -weight.ndim <= dim < 0:
        dim += weight.ndim  # (-2 of a 3-d weight is axis 1, as PyTorch)
    if dim is not None and not (is_integer(dim) and 0 <= dim < weight.ndim):
        raise UsageError(f"weight_norm: dim must be None (or -1: one norm over the whole "
                         f"tensor) or an axis 0..{weight.ndim - 1} of the weight of shape "
                         f"{weight.shape}; got {dim}")
    return register_parametrization(module, name, _WeightNorm(dim), unsafe=True)


class _SpectralNorm(Module):
    """w / sigma, sigma = u^T W v after power iteration on the buffers u and v."""

    def __init__(self, weight: Tensor, n_power_iterations: int, dim: int, eps: float,
                 rng: RNGLike) -> None:
        super().__init__()
        self.dim = dim + weight.ndim if dim < 0 else dim
        self.eps = eps
        if weight.ndim > 1:
            self.n_power_iterations = n_power_iterations
            matrix = self._matrix(weight)
            rng = as_generator(rng)
            u = rng.standard_normal(matrix.shape[0]).astype(weight.dtype)
            v = rng.standard_normal(matrix.shape[1]).astype(weight.dtype)
            self.register_buffer("_u", F.normalize(Tensor(u), dim=0, eps=eps))
            self.register_buffer("_v", F.normalize(Tensor(v), dim=0, eps=eps))
            self._power_method(matrix, 15)

    def _matrix(self, weight: Tensor) -> Tensor:
        if self.dim != 0:
            weight = weight.permute(self.dim, *(d for d in range(weight.ndim) if d != self.dim))
        return weight.reshape(weight.shape[0], -1)

    def _power_method(self, matrix: Tensor, iterations: int) -> None:
        with no_grad():
            for _ in range(iterations):
                self._u = F.normalize(matrix @ self._v, dim=0, eps=self.eps)
                self._v = F.normalize(matrix.T @ self._u, dim=0, eps=self.eps)

    def forward(self, weight: Tensor) -> Tensor:
        if weight.ndim == 1:
            return F.normalize(weight, dim=0, eps=self.eps)
        matrix = self._matrix(weight)
        if self.training:
            self._power_method(matrix, self.n_power_iterations)
        u, v = self._u.detach(), self._v.detach()
        sigma = (u * (matrix @ v)).sum()
        return weight / sigma

    def right_inverse(self, value: Tensor) -> Tensor:
        return value


def spectral_norm(module: Module, name: str = "weight", n_power_iterations: int = 1,
                  eps: float = 1e-12, dim: int | None = None, *, rng: RNGLike = None
                  ) -> Module:
    """Reparametrize ``module.<name>`` as w / sigma(w), sigma its largest singular value
    estimated by power iteration (``dim``: the output axis, 1 for transposed
    convolutions, else 0) from random u and v drawn from ``rng`` (default: the library's
    default generator, which ``manual_seed`` sets). Returns ``module``."""
    refuse_uninitialized("spectral_norm", module)
    weight = _tensor_named(module, name, "spectral_norm")
    if dim is not None and not is_integer(dim):
        raise ArgumentTypeError(f"spectral_norm: dim must be an int (the output axis) or "
                                f"None; got {dim!r}")
    if isinstance(n_power_iterations, bool) or not isinstance(n_power_iterations, int) \
            or n_power_iterations <= 0:
        raise UsageError(f"spectral_norm: n_power_iterations must be a positive int; got "
                         f"{n_power_iterations!r}")
    if dim is None:
        transposed = (ConvTranspose1d, ConvTranspose2d, ConvTranspose3d)
        dim = 1 if isinstance(module, transposed) else 0
    if not -weight.ndim <= dim < weight.ndim:
        axes = (f"in [{-weight.ndim}, {weight.ndim - 1}]" if weight.ndim else
                "but a 0-d tensor has none (give it an axis)")
        raise AxisError(f"spectral_norm: dim must be an axis of {name!r} of shape "
                        f"{weight.shape}, {axes}; got {dim}")
    return register_parametrization(
        module, name, _SpectralNorm(weight, n_power_iterations, dim, eps, rng))


def _tensor_named(module: Module, name: str, owner: str) -> Tensor:
    """``module.<name>``, the tensor to reparametrize (MemberNotFoundError if none)."""
    weight = getattr(module, name, None)
    if not isinstance(weight, Tensor):
        raise MemberNotFoundError(f"{owner}: {type(module).__name__} has no tensor named "
                                  f"{name!r} to reparametrize; got {type(weight).__name__}")
    return weight
