"""``kl_divergence(p, q)`` = KL(p || q) = E_p[log p(X) - log q(X)], one per distribution of
the broadcast batch, with PyTorch's formulas for same-type pairs (Normal, Bernoulli,
Categorical, Uniform, MultivariateNormal, LowRankMultivariateNormal (and the two mixed),
Independent, Gamma, ..., Gumbel, HalfNormal,
Geometric, Binomial, Poisson, Cauchy, HalfCauchy, Pareto, Weibull, TransformedDistribution
with equal transforms,
and PyTorch's cross-family pairs of ``kl_cross_family.py`` (Normal-Gumbel, Gamma-Normal...)
and ``kl_continuous_bernoulli.py``);
``register_kl(P, Q)`` adds a formula (a decorator, as PyTorch's)."""

from __future__ import annotations

from typing import Any, Callable

import numpy as np

from ..errors import UnsupportedError, UsageError
from ..functions import log, matmul, where
from ..linalg_triangular import solve_triangular
from ..more_functions import digamma, lgamma, log1p, softplus
from ..tensor import Tensor
from .composite import Independent, sum_rightmost
from .continuous import Normal, Uniform
from .counts import Poisson
from .discrete import Bernoulli, Categorical
from .gamma import Beta, Dirichlet, Gamma
from .geometric_binomial import Binomial, Geometric
from .gumbel_half_normal import EULER_GAMMA, Gumbel, HalfNormal
from .heavy_tailed import Cauchy, HalfCauchy
from .exp_family import ExponentialFamily, bregman_kl
from .kl_continuous_bernoulli import CONTINUOUS_BERNOULLI_KL
from .kl_cross_family import CROSS_FAMILY_KL
from .laplace_exponential import Exponential, Laplace
from .distribution import Distribution
from .lowrank_multivariate_normal import (LowRankMultivariateNormal, lowrank_log_det,
                                          lowrank_mahalanobis)
from .multivariate import MultivariateNormal, mahalanobis
from .relaxed import OneHotCategorical
from .transformed import TransformedDistribution
from .weibull import Weibull

__all__ = ["kl_divergence", "register_kl"]

KLFunction = Callable[[Any, Any], Tensor]
_KL_REGISTRY: dict[tuple[type, type], KLFunction] = {
    **CROSS_FAMILY_KL, **CONTINUOUS_BERNOULLI_KL,
    (ExponentialFamily, ExponentialFamily): bregman_kl}


def register_kl(type_p: type, type_q: type) -> Callable[[KLFunction], KLFunction]:
    """A decorator registering ``fun(p, q)`` as KL(p || q) for ``p`` of type ``type_p``
    and ``q`` of ``type_q`` (subclasses included; the closest registered pair wins)."""
    for t in (type_p, type_q):
        if not (isinstance(t, type) and issubclass(t, Distribution)):
            raise UsageError(f"register_kl: expected Distribution subclasses, as "
                             f"register_kl(Normal, Normal); got {t!r}")

    def decorator(fun: KLFunction) -> KLFunction:
        _KL_REGISTRY[type_p, type_q] = fun
        return fun
    return decorator


def _closest(type_p: type, type_q: type) -> KLFunction | None:
    """The formula of the registered pair nearest to (type_p, type_q) in their MROs."""
    found = [(type_p.__mro__.index(p), type_q.__mro__.index(q), fun)
             for (p, q), fun in _KL_REGISTRY.items()
             if issubclass(type_p, p) and issubclass(type_q, q)]
    return min(found, key=lambda f: f[:2])[2] if found else None


def kl_divergence(p: Distribution, q: Distribution) -> Tensor:
    """KL(p || q) = E_p[log p(X) - log q(X)] of two distributions (batches broadcast);
    inf where p puts mass where q has none. ``UnsupportedError`` lists the pairs it has."""
    fun = _closest(type(p), type(q))
    if fun is None:
        pairs = ", ".join(f"{a.__name__}-{b.__name__}" for a, b in _KL_REGISTRY)
        raise UnsupportedError(f"kl_divergence: no KL(p || q) is implemented for p of type "
                               f"{type(p).__name__} and q of type {type(q).__name__}; the "
                               f"pairs with a formula: {pairs} (register_kl adds one)")
    return fun(p, q)


def _mask(condition: Any) -> np.ndarray:
    return np.asarray(condition.data if isinstance(condition, Tensor) else condition)


@register_kl(Normal, Normal)
def _kl_normal_normal(p: Normal, q: Normal) -> Tensor:
    """(r + ((mu_p - mu_q) / s_q)^2 - 1 - log r) / 2 with r = (s_p / s_q)^2."""
    var_ratio = (p.scale / q.scale).pow(2)
    t1 = ((p.loc - q.loc) / q.scale).pow(2)
    return 0.5 * (var_ratio + t1 - 1 - var_ratio.log())


@register_kl(Bernoulli, Bernoulli)
def _kl_bernoulli_bernoulli(p: Bernoulli, q: Bernoulli) -> Tensor:
    """p log(p / q) + (1 - p) log((1 - p) / (1 - q)), from the logits; 0 log 0 = 0."""
    t1 = p.probs * (softplus(-q.logits) - softplus(-p.logits))
    t1 = where(_mask(p.probs.data == 0), 0.0, where(_mask(q.probs.data == 0), np.inf, t1))
    t2 = (1 - p.probs) * (softplus(q.logits) - softplus(p.logits))
    t2 = where(_mask(p.probs.data == 1), 0.0, where(_mask(q.probs.data == 1), np.inf, t2))
    return t1 + t2


@register_kl(Categorical, Categorical)
def _kl_categorical_categorical(p: Categorical, q: Categorical) -> Tensor:
    """sum_k p_k (log p_k - log q_k); 0 log 0 = 0, inf where q_k = 0 < p_k. Where p_k = 0
    (a logit masked with -inf) both logits are set to 0 before the product: no 0 * -inf or
    -inf - -inf (NaN, and NumPy's RuntimeWarning), and a zero gradient there."""
    outside_p = _mask(p.probs.data == 0)
    p_logits, q_logits = where(outside_p, 0.0, p.logits), where(outside_p, 0.0, q.logits)
    t = p.probs * (p_logits - q_logits)
    t = where(_mask(q.probs.data == 0), np.inf, t)
    t = where(outside_p, 0.0, t)
    return t.sum(-1)


@register_kl(Uniform, Uniform)
def _kl_uniform_uniform(p: Uniform, q: Uniform) -> Tensor:
    """log((high_q - low_q) / (high_p - low_p)), inf unless [low_p, high_p] lies inside
    [low_q, high_q]."""
    result = log((q.high - q.low) / (p.high - p.low))
    outside = (q.low.data > p.low.data) | (q.high.data < p.high.data)
    return where(outside, np.inf, result)


@register_kl(Independent, Independent)
def _kl_independent_independent(p: Independent, q: Independent) -> Tensor:
    """KL of the bases summed over the reinterpreted axes (both must reinterpret as many)."""
    if p.reinterpreted_batch_ndims != q.reinterpreted_batch_ndims:
        raise UnsupportedError(f"kl_divergence: Independent distributions reinterpreting "
                               f"{p.reinterpreted_batch_ndims} and "
                               f"{q.reinterpreted_batch_ndims} batch axes (PyTorch's "
                               f"NotImplementedError too); give both the same")
    return sum_rightmost(kl_divergence(p.base_dist, q.base_dist), p.reinterpreted_batch_ndims)


@register_kl(MultivariateNormal, MultivariateNormal)
def _kl_mvn_mvn(p: MultivariateNormal, q: MultivariateNormal) -> Tensor:
    """(|L_q^-1 L_p|_F^2 + |L_q^-1 (mu_q - mu_p)|^2 - k) / 2 + log det L_q - log det L_p,
    L_q read only in its lower triangle (triangular solves, as PyTorch's)."""
    if p.event_shape != q.event_shape:
        raise UsageError(f"kl_divergence: MultivariateNormals of different event sizes "
                         f"{p.event_shape} and {q.event_shape}")
    term2 = solve_triangular(q.scale_tril, p.scale_tril, upper=False).pow(2).sum((-2, -1))
    term3 = mahalanobis(q.scale_tril, q.loc - p.loc)
    half_term1 = q.half_log_det() - p.half_log_det()
    return half_term1 + 0.5 * (term2 + term3 - p.event_shape[0])


def _same_event_size(p: Distribution, q: Distribution) -> None:
    if tuple(p.event_shape) != tuple(q.event_shape):
        raise UsageError(f"kl_divergence: {type(p).__name__} and {type(q).__name__} of "
                         f"different event sizes {tuple(p.event_shape)} and "
                         f"{tuple(q.event_shape)}")


def _as_full_rank(p: LowRankMultivariateNormal) -> MultivariateNormal:
    """The same Gaussian with the Cholesky factor of its covariance."""
    return MultivariateNormal(p.loc, scale_tril=p.scale_tril, validate_args=False)


@register_kl(LowRankMultivariateNormal, LowRankMultivariateNormal)
def _kl_lowrank_lowrank(p: LowRankMultivariateNormal, q: LowRankMultivariateNormal) -> Tensor:
    """(log det S_q - log det S_p + tr(S_q^-1 S_p) + Mahalanobis_q(mu_q - mu_p) - n) / 2,
    with S_q^-1 = D_q^-1 - A^T A, A = L_C^-1 W_q^T D_q^-1 (Woodbury), so that
    tr(S_q^-1 S_p) = sum D_p / D_q + |D_q^-1/2 W_p|^2 - |A D_p^1/2|^2 - |A W_p|^2."""
    _same_event_size(p, q)
    Wp, Dp = p._unbroadcasted_cov_factor, p._unbroadcasted_cov_diag
    Wq, Dq = q._unbroadcasted_cov_factor, q._unbroadcasted_cov_diag
    log_dets = (lowrank_log_det(Dq, q._capacitance_tril)
                - lowrank_log_det(Dp, p._capacitance_tril))
    mahalanobis = lowrank_mahalanobis(Wq, Dq, q.loc - p.loc, q._capacitance_tril)
    A = solve_triangular(q._capacitance_tril, Wq.transpose(-1, -2) / Dq.unsqueeze(-2),
                         upper=False)
    trace = ((Dp / Dq).sum(-1) + (Wp / Dq.sqrt().unsqueeze(-1)).pow(2).sum((-2, -1))
             - (A * Dp.sqrt().unsqueeze(-2)).pow(2).sum((-2, -1))
             - matmul(A, Wp).pow(2).sum((-2, -1)))
    return 0.5 * (log_dets + trace + mahalanobis - p.event_shape[0])


@register_kl(LowRankMultivariateNormal, MultivariateNormal)
def _kl_lowrank_mvn(p: LowRankMultivariateNormal, q: MultivariateNormal) -> Tensor:
    """The full-rank Gaussians' KL, p through the Cholesky factor of its covariance."""
    _same_event_size(p, q)
    return _kl_mvn_mvn(_as_full_rank(p), q)


@register_kl(MultivariateNormal, LowRankMultivariateNormal)
def _kl_mvn_lowrank(p: MultivariateNormal, q: LowRankMultivariateNormal) -> Tensor:
    """The full-rank Gaussians' KL, q through the Cholesky factor of its covariance."""
    _same_event_size(p, q)
    return _kl_mvn_mvn(p, _as_full_rank(q))


@register_kl(Gamma, Gamma)
def _kl_gamma_gamma(p: Gamma, q: Gamma) -> Tensor:
    """a_q log(r_p / r_q) + lgamma(a_q) - lgamma(a_p) + (a_p - a_q) digamma(a_p)
    + (r_q - r_p) a_p / r_p."""
    a_p, a_q = p.concentration, q.concentration
    return (a_q * (p.rate / q.rate).log() + lgamma(a_q) - lgamma(a_p)
            + (a_p - a_q) * digamma(a_p) + (q.rate - p.rate) * (a_p / p.rate))


@register_kl(Dirichlet, Dirichlet)
def _kl_dirichlet_dirichlet(p: Dirichlet, q: Dirichlet) -> Tensor:
    """lgamma(a_0) - lgamma(b_0) - sum_i (lgamma(a_i) - lgamma(b_i))
    + sum_i (a_i - b_i)(digamma(a_i) - digamma(a_0))."""
    a, b = p.concentration, q.concentration
    a0, b0 = a.sum(-1), b.sum(-1)
    return (lgamma(a0) - lgamma(b0) - (lgamma(a) - lgamma(b)).sum(-1)
            + ((a - b) * (digamma(a) - digamma(a0).unsqueeze(-1))).sum(-1))


@register_kl(Beta, Beta)
def _kl_beta_beta(p: Beta, q: Beta) -> Tensor:
    """The Dirichlets' KL at (c1, c0)."""
    return _kl_dirichlet_dirichlet(p._dirichlet, q._dirichlet)


@register_kl(Exponential, Exponential)
def _kl_exponential_exponential(p: Exponential, q: Exponential) -> Tensor:
    """r - 1 - log r with r = rate_q / rate_p."""
    ratio = q.rate / p.rate
    return ratio - 1 - ratio.log()


@register_kl(Laplace, Laplace)
def _kl_laplace_laplace(p: Laplace, q: Laplace) -> Tensor:
    """-log(s_p / s_q) + |mu_p - mu_q| / s_q + (s_p / s_q) exp(-|mu_p - mu_q| / s_p) - 1."""
    ratio, gap = p.scale / q.scale, (p.loc - q.loc).abs()
    return -ratio.log() + gap / q.scale + ratio * (-gap / p.scale).exp() - 1


@register_kl(OneHotCategorical, OneHotCategorical)
def _kl_onehotcategorical_onehotcategorical(p: OneHotCategorical,
                                            q: OneHotCategorical) -> Tensor:
    """The Categoricals' KL."""
    return _kl_categorical_categorical(p._categorical, q._categorical)


@register_kl(Gumbel, Gumbel)
def _kl_gumbel_gumbel(p: Gumbel, q: Gumbel) -> Tensor:
    """-log r + (mu_p - mu_q) / s_q + r gamma + exp((mu_q - mu_p) / s_q) Gamma(1 + r)
    - (1 + gamma), with r = s_p / s_q."""
    ratio = p.scale / q.scale
    q_loc, p_loc = q.loc / q.scale, p.loc / q.scale
    t3 = (q_loc + lgamma(1 + ratio) - p_loc).exp()
    return -ratio.log() - q_loc + p_loc + ratio * EULER_GAMMA + t3 - (1 + EULER_GAMMA)


@register_kl(HalfNormal, HalfNormal)
def _kl_halfnormal_halfnormal(p: HalfNormal, q: HalfNormal) -> Tensor:
    """(r - 1 - log r) / 2 with r = (s_p / s_q)^2: Normal(0, s_p) to Normal(0, s_q)."""
    var_ratio = (p.scale / q.scale).pow(2)
    return 0.5 * (var_ratio - 1 - var_ratio.log())


@register_kl(Geometric, Geometric)
def _kl_geometric_geometric(p: Geometric, q: Geometric) -> Tensor:
    """-H(p) - log(1 - q) / p - logit(q)."""
    return -p.entropy() - log1p(-q.probs) / p.probs - q.logits


@register_kl(Binomial, Binomial)
def _kl_binomial_binomial(p: Binomial, q: Binomial) -> Tensor:
    """n (p log(p / q) + (1 - p) log((1 - p) / (1 - q))) for n_p = n_q; inf where
    n_p > n_q (mass where q has none); n_p < n_q: ``UnsupportedError``, as PyTorch's."""
    if (p.total_count.data < q.total_count.data).any():
        raise UnsupportedError("kl_divergence: KL between Binomials where q.total_count > "
                               "p.total_count is not implemented (as PyTorch's)")
    kl = p.total_count * (p.probs * (p.logits - q.logits) + log1p(-p.probs)
                          - log1p(-q.probs))
    return where(_mask(p.total_count.data > q.total_count.data), np.inf, kl)


@register_kl(TransformedDistribution, TransformedDistribution)
def _kl_transformed_transformed(p: TransformedDistribution,
                                q: TransformedDistribution) -> Tensor:
    """KL(f(X) || f(Y)) = KL(X || Y) for the same bijection f pushing both bases (two
    LogNormals, two tanh-squashed Gaussian policies)."""
    if p.transforms != q.transforms or tuple(p.event_shape) != tuple(q.event_shape):
        raise UnsupportedError(
            f"kl_divergence: two TransformedDistributions have a KL here (their bases' KL) "
            f"only with the same transforms and event shape, as in PyTorch; got "
            f"{p.transforms} and {q.transforms}, event shapes {tuple(p.event_shape)} and "
            f"{tuple(q.event_shape)}")
    return kl_divergence(p.base_dist, q.base_dist)


@register_kl(Poisson, Poisson)
def _kl_poisson_poisson(p: Poisson, q: Poisson) -> Tensor:
    """KL = r_p (log r_p - log r_q) - (r_p - r_q) of the rates."""
    return p.rate * (log(p.rate) - log(q.rate)) - (p.rate - q.rate)


@register_kl(Cauchy, Cauchy)
def _kl_cauchy_cauchy(p: Cauchy, q: Cauchy) -> Tensor:
    """KL = log(((s_p + s_q)^2 + (m_p - m_q)^2) / (4 s_p s_q)) (Chyzak and Nielsen 2019)."""
    return (log((p.scale + q.scale) ** 2 + (p.loc - q.loc) ** 2)
            - log(4 * p.scale * q.scale))


@register_kl(HalfCauchy, HalfCauchy)
def _kl_halfcauchy_halfcauchy(p: HalfCauchy, q: HalfCauchy) -> Tensor:
    """The Cauchy(0, s_p) to Cauchy(0, s_q) KL, log((s_p + s_q)^2 / (4 s_p s_q)): folding
    both laws about 0 doubles both densities and keeps their ratio (PyTorch's rule for two
    TransformedDistributions through the same |x|)."""
    return log((p.scale + q.scale) ** 2) - log(4 * p.scale * q.scale)


@register_kl(Weibull, Weibull)
def _kl_weibull_weibull(p: Weibull, q: Weibull) -> Tensor:
    """With k the concentrations and l the scales: log(k_p / l_p^k_p) - log(k_q / l_q^k_q)
    + (k_p - k_q)(log l_p - gamma / k_p) + (l_p / l_q)^k_q Gamma(1 + k_q / k_p) - 1, from
    E_p[log X] = log l_p - gamma / k_p and E_p[X^k_q] = l_p^k_q Gamma(1 + k_q / k_p)
    (PyTorch gives its value, 0, only for equal parameters)."""
    k_p, k_q, l_p, l_q = p.concentration, q.concentration, p.scale, q.scale
    log_l_p = l_p.log()
    log_normalisers = (k_p.log() - k_p * log_l_p) - (k_q.log() - k_q * l_q.log())
    moment = (k_q * (log_l_p - l_q.log()) + lgamma(1 + k_q / k_p)).exp()
    return log_normalisers + (k_p - k_q) * (log_l_p - EULER_GAMMA / k_p) + moment - 1
