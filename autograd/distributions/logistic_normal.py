"""``LogisticNormal(loc, scale)`` (PyTorch's ``torch.distributions.logistic_normal``
path): a law on the simplex, the stick-breaking image of a Normal vector, as PyTorch
builds it; its draws are reparameterised (topic proportions of a variational LDA)."""

from __future__ import annotations

from typing import Any

from ..tensor import Tensor
from .constraints import Constraint, positive, real, simplex
from .continuous import Normal
from .distribution import sample_shape_of
from .simplex_transforms import StickBreakingTransform
from .transformed import TransformedDistribution

__all__ = ["LogisticNormal"]


class LogisticNormal(TransformedDistribution):
    """X = stick_breaking(Y) for Y ~ Normal(loc, scale) of K - 1 independent coordinates,
    so X has K (an event of shape (K,)) and log(X_i / (1 - X_1 - ... - X_i)) for i < K
    are Y_i shifted by log(K - i); log p(x) = log p_Y(y) - log|det J(y)|."""

    arg_constraints: dict[str, Constraint] = {"loc": real, "scale": positive}
    support = simplex
    has_rsample = True

    def __init__(self, loc: Any, scale: Any, validate_args: bool | None = None) -> None:
        base = Normal(loc, scale, validate_args=validate_args)
        if not base.batch_shape:  # one coordinate: a law on the 1-simplex of two
            base = base.expand((1,))
        super().__init__(base, StickBreakingTransform(), validate_args=validate_args)

    @property
    def loc(self) -> Tensor:
        """The base Normal's mean (K - 1 coordinates per distribution)."""
        return self.base_dist.base_dist.loc

    @property
    def scale(self) -> Tensor:
        """The base Normal's standard deviation."""
        return self.base_dist.base_dist.scale

    def expand(self, batch_shape: Any, _instance: Any = None) -> "LogisticNormal":
        """The same law with its batch broadcast to ``batch_shape``."""
        shape = sample_shape_of(batch_shape, "LogisticNormal.expand", "batch_shape",
                                "expand((64,))")
        full = shape + tuple(self.loc.shape[-1:])
        return self._expanded(LogisticNormal, _instance, self.loc.expand(full),
                              self.scale.expand(full))

    def __repr__(self) -> str:
        return f"LogisticNormal(loc: {self.loc!r}, scale: {self.scale!r})"
