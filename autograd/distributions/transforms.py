"""Invertible maps y = f(x) with log|det df/dx|, as ``torch.distributions.transforms``:
``Transform`` (subclass it with ``_call``, ``_inverse`` and ``log_abs_det_jacobian``, as a
flow's layer), ``Exp``, ``Power``, ``Affine(loc, scale, event_dim=0)``, ``Sigmoid``,
``Tanh``, ``Softplus``, ``StickBreaking``, ``Softmax``, ``LowerCholesky``, ``CorrCholesky``,
``PositiveDefinite``, ``Abs``, ``CumulativeDistribution(d)``, ``Compose(parts)``,
``Independent(t, n)``, ``Cat(tseq, dim, lengths)``, ``Stack(tseq, dim)``,
``Reshape(in_shape, out_shape)`` (``...Transform``) and ``t.inv``.
``TransformedDistribution`` pushes a base distribution through them."""

from __future__ import annotations

import math
import numbers
from typing import Any

import numpy as np

from ..errors import ShapeError, module_attribute_error
from ..functions import clamp, exp, log, sigmoid, tanh
from ..more_functions import expm1, log1p, softplus
from ..tensor import Tensor, as_tensor
from .constraints import Constraint, independent, interval, positive, real, unit_interval
from .block_transforms import CatTransform, ReshapeTransform, StackTransform
from .corr_cholesky_transform import CorrCholeskyTransform
from .simplex_transforms import (LowerCholeskyTransform, PositiveDefiniteTransform,
                                 SoftmaxTransform, StickBreakingTransform)
from .transform_base import (ComposeTransform, IndependentTransform, Transform,
                             identity_transform, same_class, same_values)

__all__ = ["Transform", "ComposeTransform", "IndependentTransform", "ExpTransform",
           "PowerTransform", "AffineTransform", "SigmoidTransform", "TanhTransform",
           "SoftplusTransform", "StickBreakingTransform", "SoftmaxTransform",
           "LowerCholeskyTransform", "CorrCholeskyTransform", "identity_transform",
           "AbsTransform", "CatTransform", "StackTransform", "ReshapeTransform",
           "CumulativeDistributionTransform", "PositiveDefiniteTransform"]


def _shape_with_parameters(transform: Transform, shape: tuple[int, ...],
                           *parameters: Any) -> tuple[int, ...]:
    """The shape of ``transform``'s output for an input of ``shape``: ``shape`` broadcast
    with its parameters' shapes (numbers have shape ()); ``ShapeError`` if they do not
    broadcast."""
    shapes = [tuple(shape)] + [tuple(np.shape(getattr(p, "data", p))) for p in parameters]
    try:
        return tuple(np.broadcast_shapes(*shapes))
    except ValueError:
        raise ShapeError(f"{type(transform).__name__}: an input of shape {tuple(shape)} does "
                         f"not broadcast with the parameters' shapes {shapes[1:]}; give "
                         f"parameters whose shapes broadcast with the input's") from None


class ExpTransform(Transform):
    """y = exp(x); log|det| = x."""

    codomain = positive
    bijective, sign = True, 1
    __eq__ = same_class

    def _call(self, x: Any) -> Tensor:
        return exp(as_tensor(x))

    def _inverse(self, y: Any) -> Tensor:
        return log(as_tensor(y))

    def log_abs_det_jacobian(self, x: Any, y: Any) -> Tensor:
        return as_tensor(x) * 1


class PowerTransform(Transform):
    """y = x^exponent on positive x; log|det| = log|exponent y / x|."""

    domain = positive
    codomain = positive
    bijective = True

    def __init__(self, exponent: Any, cache_size: int = 0) -> None:
        super().__init__(cache_size)
        self.exponent = exponent

    def __eq__(self, other: object) -> bool:
        """The same exponent."""
        return isinstance(other, PowerTransform) and same_values(self.exponent, other.exponent)

    @property
    def sign(self) -> Any:  # type: ignore[override]
        """The sign of ``exponent``."""
        e = self.exponent
        return e.sign() if isinstance(e, Tensor) else int(np.sign(e))

    def forward_shape(self, shape: tuple[int, ...]) -> tuple[int, ...]:
        """``shape`` broadcast with the exponent's shape (as PyTorch's)."""
        return _shape_with_parameters(self, shape, self.exponent)

    def inverse_shape(self, shape: tuple[int, ...]) -> tuple[int, ...]:
        """``shape`` broadcast with the exponent's shape (as PyTorch's)."""
        return _shape_with_parameters(self, shape, self.exponent)

    def _call(self, x: Any) -> Tensor:
        return as_tensor(x).pow(self.exponent)

    def _inverse(self, y: Any) -> Tensor:
        return as_tensor(y).pow(1 / self.exponent)

    def log_abs_det_jacobian(self, x: Any, y: Any) -> Tensor:
        return (self.exponent * as_tensor(y) / as_tensor(x)).abs().log()


class AffineTransform(Transform):
    """y = loc + scale x (``loc``, ``scale`` numbers or Tensors); log|det| = log|scale|,
    summed over the last ``event_dim`` axes (-inf where scale is 0)."""

    bijective = True

    def __init__(self, loc: Any, scale: Any, event_dim: int = 0, cache_size: int = 0) -> None:
        super().__init__(cache_size)
        self.loc, self.scale, self._event_dim = loc, scale, event_dim

    def __eq__(self, other: object) -> bool:
        """The same loc and scale (numbers or Tensors, compared elementwise)."""
        return (isinstance(other, AffineTransform) and same_values(self.loc, other.loc)
                and same_values(self.scale, other.scale))

    @property
    def domain(self) -> Constraint:  # type: ignore[override]
        d = self._event_dim
        return real if d == 0 else independent(real, d)

    codomain = domain

    @property
    def sign(self) -> Any:  # type: ignore[override]
        """The sign of ``scale`` (a Tensor of signs for a Tensor scale, as PyTorch)."""
        if isinstance(self.scale, Tensor):
            return self.scale.sign()
        return int(np.sign(self.scale))

    def forward_shape(self, shape: tuple[int, ...]) -> tuple[int, ...]:
        """``shape`` broadcast with the shapes of loc and scale (as PyTorch's)."""
        return _shape_with_parameters(self, shape, self.loc, self.scale)

    def inverse_shape(self, shape: tuple[int, ...]) -> tuple[int, ...]:
        """``shape`` broadcast with the shapes of loc and scale (as PyTorch's)."""
        return _shape_with_parameters(self, shape, self.loc, self.scale)

    def _call(self, x: Any) -> Tensor:
        return self.loc + self.scale * as_tensor(x)

    def _inverse(self, y: Any) -> Tensor:
        return (as_tensor(y) - self.loc) / self.scale

    def log_abs_det_jacobian(self, x: Any, y: Any) -> Tensor:
        x = as_tensor(x)
        shape = x.shape
        if isinstance(self.scale, numbers.Real):
            log_scale = math.log(abs(self.scale)) if self.scale != 0 else -math.inf  # log 0
            result = as_tensor(np.full(shape, log_scale, dtype=x.dtype))
        else:
            result = as_tensor(self.scale).abs().log()
        if self._event_dim:
            result = result.reshape(result.shape[:-self._event_dim] + (-1,)).sum(-1)
            shape = shape[:-self._event_dim]
        return result.expand(shape)

    def __repr__(self) -> str:
        return f"AffineTransform(event_dim={self._event_dim})"


class SigmoidTransform(Transform):
    """y = sigmoid(x) (clamped inside (0, 1)); log|det| = -softplus(-x) - softplus(x)."""

    codomain = unit_interval
    bijective, sign = True, 1
    __eq__ = same_class

    def _call(self, x: Any) -> Tensor:
        finfo = np.finfo(as_tensor(x).dtype)
        return clamp(sigmoid(as_tensor(x)), float(finfo.tiny), 1.0 - float(finfo.eps))

    def _inverse(self, y: Any) -> Tensor:
        y = as_tensor(y)
        finfo = np.finfo(y.dtype)
        y = clamp(y, float(finfo.tiny), 1.0 - float(finfo.eps))
        return y.log() - log1p(-y)

    def log_abs_det_jacobian(self, x: Any, y: Any) -> Tensor:
        x = as_tensor(x)
        return -softplus(-x) - softplus(x)


class TanhTransform(Transform):
    """y = tanh(x); x = atanh(y) = (log1p(y) - log1p(-y)) / 2;
    log|det| = 2 (log 2 - x - softplus(-2x))."""

    codomain = interval(-1.0, 1.0)
    bijective, sign = True, 1
    __eq__ = same_class

    def _call(self, x: Any) -> Tensor:
        return tanh(as_tensor(x))

    def _inverse(self, y: Any) -> Tensor:
        y = as_tensor(y)
        return 0.5 * (log1p(y) - log1p(-y))

    def log_abs_det_jacobian(self, x: Any, y: Any) -> Tensor:
        x = as_tensor(x)
        return 2.0 * (math.log(2.0) - x - softplus(-2.0 * x))


class SoftplusTransform(Transform):
    """y = log(1 + exp(x)); x = y + log(-expm1(-y)); log|det| = -softplus(-x)."""

    codomain = positive
    bijective, sign = True, 1
    __eq__ = same_class

    def _call(self, x: Any) -> Tensor:
        return softplus(as_tensor(x))

    def _inverse(self, y: Any) -> Tensor:
        y = as_tensor(y)
        return (-expm1(-y)).log() + y

    def log_abs_det_jacobian(self, x: Any, y: Any) -> Tensor:
        return -softplus(-as_tensor(x))


class AbsTransform(Transform):
    """y = |x|, not injective: its inverse gives the preimage y itself; no log|det| and no
    sign (as PyTorch's)."""

    codomain = positive
    __eq__ = same_class

    def _call(self, x: Any) -> Tensor:
        return as_tensor(x).abs()

    def _inverse(self, y: Any) -> Tensor:
        return as_tensor(y)


class CumulativeDistributionTransform(Transform):
    """y = F(x), the cdf of ``distribution``, from its support onto [0, 1]; x = F^-1(y)
    (its icdf); log|det| = log F'(x) = log p(x), its log_prob (a Gaussian copula's map)."""

    codomain = unit_interval
    bijective, sign = True, 1

    def __init__(self, distribution: Any, cache_size: int = 0) -> None:
        super().__init__(cache_size)
        self.distribution = distribution

    @property
    def domain(self) -> Constraint:  # type: ignore[override]
        """The distribution's support."""
        return self.distribution.support

    def _call(self, x: Any) -> Tensor:
        return self.distribution.cdf(x)

    def _inverse(self, y: Any) -> Tensor:
        return self.distribution.icdf(y)

    def log_abs_det_jacobian(self, x: Any, y: Any) -> Tensor:
        return self.distribution.log_prob(x)


def __getattr__(name: str) -> object:
    """A transform that is not here (PyTorch's newer ones):
    ``MissingNameError`` (an AttributeError) naming the ones that are."""
    raise module_attribute_error(
        __name__, name, f"the transforms here: {', '.join(__all__)}; for another map, "
        f"subclass Transform with _call, _inverse and log_abs_det_jacobian")
