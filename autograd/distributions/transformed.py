"""``TransformedDistribution(base, transforms)``, as ``torch.distributions``': the law of
y = f_n(...f_1(x)) for x drawn from ``base``, with the change of variables
log p(y) = log p_base(x) - sum_k log|det J_k| (x = f^-1(y)); and ``LogNormal(loc,
scale)``, the law of exp(x) for x ~ N(loc, scale^2)."""

from __future__ import annotations

from typing import Any

from ..errors import UnsupportedError, UsageError
from ..functions import exp
from ..grad_mode import no_grad
from ..tensor import Tensor, as_tensor
from .composite import Independent, sum_rightmost
from .constraints import Constraint, independent, positive, real
from .continuous import Normal
from .distribution import Distribution, draw_from, sample_shape_of
from .transforms import ComposeTransform, ExpTransform, Transform

__all__ = ["TransformedDistribution", "LogNormal"]


def _broadcast_base(base: Distribution, shape: tuple[int, ...]) -> Distribution:
    """``base`` expanded so that its batch + event shape is ``shape`` (the transforms'
    parameters broadcast it, as AffineTransform(0., tensor([1., 2., 3.])) makes a scalar
    Normal a batch of 3); ``base`` itself when it has that shape already."""
    if tuple(base.batch_shape) + tuple(base.event_shape) == tuple(shape):
        return base
    return base.expand(tuple(shape)[:len(shape) - len(base.event_shape)])


class TransformedDistribution(Distribution):
    """Draws of ``base_distribution`` pushed through ``transforms`` (a Transform or a
    list, applied first to last); ``log_prob`` inverts them and adds the log-determinants,
    each summed over the axes of one event."""

    arg_constraints: dict[str, Constraint] = {}

    def __init__(self, base_distribution: Distribution, transforms: Any,
                 validate_args: bool | None = None) -> None:
        if isinstance(transforms, Transform):
            self.transforms = [transforms]
        elif isinstance(transforms, (list, tuple)) and all(
                isinstance(t, Transform) for t in transforms):
            self.transforms = list(transforms)
        else:
            raise UsageError(f"TransformedDistribution: transforms must be a Transform or a "
                             f"list of Transforms; got {transforms!r}")
        if not isinstance(base_distribution, Distribution):
            raise UsageError(f"TransformedDistribution: base_distribution must be a "
                             f"Distribution; got {type(base_distribution).__name__}")
        transform = ComposeTransform(self.transforms)
        base_shape = tuple(base_distribution.batch_shape) + tuple(
            base_distribution.event_shape)
        base_event_dim = len(base_distribution.event_shape)
        domain_event_dim = transform.domain.event_dim
        if len(base_shape) < domain_event_dim:
            raise UsageError(f"TransformedDistribution: the base's shape {base_shape} has "
                             f"fewer axes than the transforms' event ({domain_event_dim})")
        forward_shape = transform.forward_shape(base_shape)
        base_distribution = _broadcast_base(base_distribution,
                                            transform.inverse_shape(forward_shape))
        if domain_event_dim > base_event_dim:
            base_distribution = Independent(base_distribution,
                                            domain_event_dim - base_event_dim)
        self.base_dist = base_distribution
        event_dim = transform.codomain.event_dim + max(base_event_dim - domain_event_dim, 0)
        cut = len(forward_shape) - event_dim
        super().__init__(forward_shape[:cut], forward_shape[cut:],
                         validate_args=validate_args)

    @property
    def has_rsample(self) -> bool:  # type: ignore[override]
        """The base's."""
        return self.base_dist.has_rsample

    @property
    def support(self) -> Constraint:
        """The last transform's codomain, over the event's axes."""
        if not self.transforms:
            return self.base_dist.support
        support = self.transforms[-1].codomain
        extra = len(self._event_shape) - support.event_dim
        return independent(support, extra) if extra > 0 else support

    def expand(self, batch_shape: Any, _instance: Any = None) -> "TransformedDistribution":
        """The base expanded so that the transformed batch is ``batch_shape``; a subclass's
        ``expand`` passes ``_instance`` (its ``_get_checked_instance``) to be filled."""
        shape = sample_shape_of(batch_shape, "TransformedDistribution.expand",
                                "batch_shape", "expand((64,))")
        base_event = len(self.base_dist.event_shape)
        extra = len(self._event_shape) - base_event
        base_batch = shape + self._event_shape[:extra] if extra > 0 else shape
        return self._expanded(TransformedDistribution, _instance,
                              self.base_dist.expand(base_batch), self.transforms)

    def sample(self, sample_shape: Any = (), *, generator: Any = None) -> Tensor:
        """A base draw pushed through the transforms, without gradient."""
        with no_grad():
            x = draw_from(self.base_dist.sample, sample_shape, generator)
            for transform in self.transforms:
                x = transform(x)
            return x

    def rsample(self, sample_shape: Any = (), *, generator: Any = None) -> Tensor:
        """A reparameterised base draw pushed through the transforms."""
        x = draw_from(self.base_dist.rsample, sample_shape, generator)
        for transform in self.transforms:
            x = transform(x)
        return x

    def log_prob(self, value: Any) -> Tensor:
        """log p_base(x) - sum_k log|det J_k|, x the value pulled back through the inverses."""
        if self._validate_args:
            value = self._value(value, None)
        event_dim = len(self._event_shape)
        log_prob: Any = 0.0
        y = value
        for transform in reversed(self.transforms):
            x = transform.inv(y)
            event_dim += transform.domain.event_dim - transform.codomain.event_dim
            log_prob = log_prob - sum_rightmost(transform.log_abs_det_jacobian(x, y),
                                                event_dim - transform.domain.event_dim)
            y = x
        return log_prob + sum_rightmost(self.base_dist.log_prob(y),
                                        event_dim - len(self.base_dist.event_shape))

    def _cdf_sign(self, where: str) -> Any:
        """The product of the transforms' signs: -1 (or a Tensor of signs) flips the cdf.
        A transform without a sign (not elementwise): ``UnsupportedError``, PyTorch's
        NotImplementedError; a sign of 0: ``UsageError``."""
        sign: Any = 1
        for transform in self.transforms:
            try:
                part = transform.sign
            except UnsupportedError as error:
                raise UnsupportedError(f"TransformedDistribution.{where}: every transform "
                                       f"must be monotone elementwise: {error}") from None
            if isinstance(part, int) and part == 0:
                raise UsageError(f"TransformedDistribution.{where}: every transform must be "
                                 f"monotone (sign 1 or -1); {transform!r} is not")
            sign = sign * part
        return sign

    @staticmethod
    def _monotonize(value: Any, sign: Any) -> Any:
        """``value``, or 1 - ``value`` where ``sign`` is -1, as PyTorch's _monotonize_cdf."""
        if isinstance(sign, int) and sign == 1:
            return value
        return sign * (value - 0.5) + 0.5

    def cdf(self, value: Any) -> Tensor:
        """F_base(f^-1(y)) for monotone scalar transforms (1 - that for a decreasing f)."""
        sign = self._cdf_sign("cdf")
        for transform in reversed(self.transforms):
            value = transform.inv(value)
        return self._monotonize(self.base_dist.cdf(value), sign)

    def icdf(self, value: Any) -> Tensor:
        """f(F_base^-1(q)) for monotone scalar transforms (q -> 1 - q for a decreasing f)."""
        sign = self._cdf_sign("icdf")
        value = self.base_dist.icdf(self._monotonize(as_tensor(value), sign))
        for transform in self.transforms:
            value = transform(value)
        return value

    def __repr__(self) -> str:
        return f"TransformedDistribution({self.base_dist!r}, {self.transforms!r})"


class LogNormal(TransformedDistribution):
    """exp(X) for X ~ N(loc, scale^2): density
    p(y) = exp(-(log y - loc)^2 / (2 scale^2)) / (y scale sqrt(2 pi)) for y > 0."""

    arg_constraints = {"loc": real, "scale": positive}
    support = positive
    has_rsample = True

    def __init__(self, loc: Any, scale: Any, validate_args: bool | None = None) -> None:
        base = Normal(loc, scale, validate_args=validate_args)
        self.loc, self.scale = base.loc, base.scale
        super().__init__(base, ExpTransform(), validate_args=validate_args)

    def expand(self, batch_shape: Any, _instance: Any = None) -> "LogNormal":
        """The same law with loc and scale broadcast to ``batch_shape``."""
        base = self.base_dist.expand(batch_shape)
        return self._expanded(LogNormal, _instance, base.loc, base.scale)

    @property
    def mean(self) -> Tensor:
        """exp(loc + scale^2 / 2)."""
        return exp(self.loc + self.scale.pow(2) / 2)

    @property
    def mode(self) -> Tensor:
        """exp(loc - scale^2)."""
        return exp(self.loc - self.scale.pow(2))

    @property
    def variance(self) -> Tensor:
        """(exp(scale^2) - 1) exp(2 loc + scale^2)."""
        s2 = self.scale.pow(2)
        return (exp(s2) - 1) * exp(2 * self.loc + s2)

    def entropy(self) -> Tensor:
        """The base's entropy + loc."""
        return self.base_dist.entropy() + self.loc

    def __repr__(self) -> str:
        return f"LogNormal({self.base_dist!r})"

