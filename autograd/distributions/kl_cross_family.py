"""PyTorch's closed-form KL(p || q) between distributions of different families (and two
Paretos), read by ``kl.py`` into its registry: ``CROSS_FAMILY_KL`` maps (type of p, type
of q) to a function of (p, q). Each is -H(p) - E_p[log q(X)] written out with p's moments;
inf where p puts mass where q has none (a real line against a half line, a half line
against a bounded interval, a Pareto whose mean or variance E_p needs is infinite)."""

from __future__ import annotations

import math
from typing import Any, Callable

import numpy as np

from ..creation import full
from ..functions import exp, log, where
from ..more_functions import digamma, erf, expm1, lgamma
from ..special import xlogy
from ..tensor import Tensor
from .continuous import Normal, Uniform
from .counts import Poisson
from .discrete import Bernoulli
from .geometric_binomial import Binomial
from .gamma import Beta, Gamma
from .gumbel_half_normal import EULER_GAMMA, Gumbel
from .heavy_tailed import Pareto
from .laplace_exponential import Exponential, Laplace

__all__ = ["CROSS_FAMILY_KL", "infinite_kl"]

_HALF_LOG_2PI_E = 0.5 * (1 + math.log(2 * math.pi))


def infinite_kl(p: Any, q: Any) -> Tensor:
    """inf for every pair of the broadcast batch, in p's dtype (no gradient: the KL does
    not move). PyTorch's has p's batch shape only."""
    shape = np.broadcast_shapes(tuple(p.batch_shape), tuple(q.batch_shape))
    return full(shape, np.inf, dtype=p.mean.dtype)


def _inf_where(mask: Any, result: Tensor) -> Tensor:
    """``result`` with inf where ``mask`` (an ndarray of the parameters' values) holds."""
    return where(np.asarray(mask), np.inf, result)


def _x_log_x(x: Tensor) -> Tensor:
    """x log x, 0 at x = 0."""
    return xlogy(x, x)


def _kl_normal_gumbel(p: Normal, q: Gumbel) -> Tensor:
    """-log(s_p / b) + (mu_p - mu_q) / b + exp((mu_q - mu_p) / b + s_p^2 / (2 b^2))
    - (1 + log 2 pi) / 2, with b the Gumbel's scale."""
    ratio_sq = (p.scale / q.scale).pow(2)
    shift = (p.loc - q.loc) / q.scale
    return -0.5 * log(ratio_sq) + shift + exp(-shift + 0.5 * ratio_sq) - _HALF_LOG_2PI_E


def _kl_normal_laplace(p: Normal, q: Laplace) -> Tensor:
    """-log(s_p / b) + E|X - mu_q| / b - (1 + log(pi / 2)) / 2, with d = mu_p - mu_q and
    E|X - mu_q| = s_p sqrt(2 / pi) exp(-d^2 / (2 s_p^2)) + d erf(d / (sqrt 2 s_p))."""
    gap = p.loc - q.loc
    z = gap / p.scale
    mean_abs = math.sqrt(2 / math.pi) * p.scale * exp(-0.5 * z.pow(2)) + gap * erf(
        math.sqrt(0.5) * z)
    return -log(p.scale / q.scale) + mean_abs / q.scale - 0.5 * (1 + math.log(0.5 * math.pi))


def _normal_cross_entropy(second_moment_gap: Tensor, q: Normal) -> Tensor:
    """-E_p[log q(X)] = log(sqrt(2 pi) s_q) + E_p[(X - mu_q)^2] / (2 s_q^2)."""
    return 0.5 * log(2 * math.pi * q.scale.pow(2)) + 0.5 * second_moment_gap / q.scale.pow(2)


def _kl_laplace_normal(p: Laplace, q: Normal) -> Tensor:
    """-(1 + log 2 b) + cross entropy, E(X - mu_q)^2 = 2 b^2 + (mu_p - mu_q)^2."""
    gap_sq = 2 * p.scale.pow(2) + (p.loc - q.loc).pow(2)
    return -(1 + log(2 * p.scale)) + _normal_cross_entropy(gap_sq, q)


def _kl_gumbel_normal(p: Gumbel, q: Normal) -> Tensor:
    """-(log b + gamma + 1) + cross entropy, E(X - mu_q)^2 = pi^2 b^2 / 6
    + (mu_p + gamma b - mu_q)^2."""
    gap_sq = (math.pi * p.scale).pow(2) / 6 + (p.loc + EULER_GAMMA * p.scale - q.loc).pow(2)
    return -(log(p.scale) + EULER_GAMMA + 1) + _normal_cross_entropy(gap_sq, q)


def _kl_exponential_normal(p: Exponential, q: Normal) -> Tensor:
    """-(1 - log r) + cross entropy, E(X - mu_q)^2 = 2 / r^2 - 2 mu_q / r + mu_q^2."""
    gap_sq = 2 / p.rate.pow(2) - 2 * q.loc / p.rate + q.loc.pow(2)
    return log(p.rate) - 1 + _normal_cross_entropy(gap_sq, q)


def _kl_gamma_normal(p: Gamma, q: Normal) -> Tensor:
    """-H(Gamma) + cross entropy, E(X - mu_q)^2 = a (a + 1) / r^2 - 2 mu_q a / r + mu_q^2."""
    a, r = p.concentration, p.rate
    gap_sq = a * (a + 1) / r.pow(2) - 2 * q.loc * a / r + q.loc.pow(2)
    return -p.entropy() + _normal_cross_entropy(gap_sq, q)


def _kl_beta_normal(p: Beta, q: Normal) -> Tensor:
    """-H(Beta) + cross entropy, E(X - mu_q)^2 = Var + (E X - mu_q)^2."""
    return -p.entropy() + _normal_cross_entropy(p.variance + (p.mean - q.loc).pow(2), q)


def _kl_uniform_normal(p: Uniform, q: Normal) -> Tensor:
    """-log(h - l) + cross entropy, E(X - mu_q)^2 = (h - l)^2 / 12 + ((h + l) / 2 - mu_q)^2."""
    width = p.high - p.low
    gap_sq = width.pow(2) / 12 + ((p.high + p.low) / 2 - q.loc).pow(2)
    return -log(width) + _normal_cross_entropy(gap_sq, q)


def _kl_pareto_normal(p: Pareto, q: Normal) -> Tensor:
    """-H(Pareto) + cross entropy, E(X - mu_q)^2 = Var + (E X - mu_q)^2; inf for alpha <= 2."""
    a, s = where(p.alpha.data > 2, p.alpha, 3.0), p.scale  # inf below: no variance
    mean = a * s / (a - 1)
    variance = s.pow(2) * a / ((a - 1).pow(2) * (a - 2))
    result = -p.entropy() + _normal_cross_entropy(variance + (mean - q.loc).pow(2), q)
    return _inf_where(p.alpha.data <= 2, result)


def _exponential_cross_entropy(mean: Tensor, q: Exponential) -> Tensor:
    """-E_p[log q(X)] = -log r + r E X."""
    return -log(q.rate) + q.rate * mean


def _gamma_cross_entropy(mean: Tensor, mean_log: Tensor, q: Gamma) -> Tensor:
    """-E_p[log q(X)] = lgamma(a) - a log r - (a - 1) E log X + r E X."""
    a, r = q.concentration, q.rate
    return lgamma(a) - a * log(r) - (a - 1) * mean_log + r * mean


def _kl_beta_exponential(p: Beta, q: Exponential) -> Tensor:
    """-H(Beta) - log r + r E X."""
    return -p.entropy() + _exponential_cross_entropy(p.mean, q)


def _kl_gamma_exponential(p: Gamma, q: Exponential) -> Tensor:
    """-H(Gamma) - log r + r a_p / r_p."""
    return -p.entropy() + _exponential_cross_entropy(p.mean, q)


def _kl_uniform_exponential(p: Uniform, q: Exponential) -> Tensor:
    """-log(h - l) - log r + r (h + l) / 2; inf where l < 0."""
    result = -log(p.high - p.low) + _exponential_cross_entropy((p.high + p.low) / 2, q)
    return _inf_where(p.low.data < 0, result)


def _kl_pareto_exponential(p: Pareto, q: Exponential) -> Tensor:
    """-H(Pareto) - log r + r E X; inf for alpha <= 1 (no mean)."""
    a = where(p.alpha.data > 1, p.alpha, 2.0)  # inf below: no mean
    result = -p.entropy() + _exponential_cross_entropy(a * p.scale / (a - 1), q)
    return _inf_where(p.alpha.data <= 1, result)


def _kl_beta_gamma(p: Beta, q: Gamma) -> Tensor:
    """-H(Beta) + Gamma cross entropy, E log X = digamma(c1) - digamma(c1 + c0)."""
    c1, c0 = p.concentration1, p.concentration0
    return -p.entropy() + _gamma_cross_entropy(p.mean, digamma(c1) - digamma(c1 + c0), q)


def _kl_exponential_gamma(p: Exponential, q: Gamma) -> Tensor:
    """-H(Exponential) + Gamma cross entropy, E log X = -log r - gamma."""
    return -p.entropy() + _gamma_cross_entropy(p.mean, -log(p.rate) - EULER_GAMMA, q)


def _uniform_mean_log(p: Uniform) -> Tensor:
    """E log X over [l, h] = (h log h - l log l) / (h - l) - 1."""
    return (_x_log_x(p.high) - _x_log_x(p.low)) / (p.high - p.low) - 1


def _kl_uniform_gamma(p: Uniform, q: Gamma) -> Tensor:
    """-log(h - l) + Gamma cross entropy; inf where l < 0."""
    result = -log(p.high - p.low) + _gamma_cross_entropy((p.high + p.low) / 2,
                                                         _uniform_mean_log(p), q)
    return _inf_where(p.low.data < 0, result)


def _kl_pareto_gamma(p: Pareto, q: Gamma) -> Tensor:
    """-H(Pareto) + Gamma cross entropy, E log X = log s + 1 / alpha; inf for alpha <= 1."""
    a = where(p.alpha.data > 1, p.alpha, 2.0)  # inf below: no mean
    mean_log = log(p.scale) + 1 / p.alpha
    result = -p.entropy() + _gamma_cross_entropy(a * p.scale / (a - 1), mean_log, q)
    return _inf_where(p.alpha.data <= 1, result)


def _gumbel_cross_entropy(p_log_laplace: Callable[[Tensor], Tensor], mean: Tensor,
                          q: Gumbel) -> Tensor:
    """-E_p[log q(X)] = log b + (E X - mu) / b + exp(mu / b) E exp(-X / b), the last
    expectation given as ``p_log_laplace(t)`` = log E exp(-t X)."""
    return (log(q.scale) + (mean - q.loc) / q.scale
            + exp(q.loc / q.scale + p_log_laplace(q.scale.reciprocal())))


def _kl_exponential_gumbel(p: Exponential, q: Gumbel) -> Tensor:
    """-H(Exponential) + Gumbel cross entropy, log E exp(-t X) = -log(1 + t / r)."""
    return -p.entropy() + _gumbel_cross_entropy(lambda t: -log(1 + t / p.rate), p.mean, q)


def _kl_gamma_gumbel(p: Gamma, q: Gumbel) -> Tensor:
    """-H(Gamma) + Gumbel cross entropy, log E exp(-t X) = -a log(1 + t / r)."""
    a, r = p.concentration, p.rate
    return -p.entropy() + _gumbel_cross_entropy(lambda t: -a * log(1 + t / r), p.mean, q)


def _kl_uniform_gumbel(p: Uniform, q: Gumbel) -> Tensor:
    """-log(h - l) + Gumbel cross entropy, E exp(-t X) = (e^(-t l) - e^(-t h)) / (t (h - l)),
    taken in log space: log E exp(-t X) = -t l + log(-expm1(-t (h - l))) - log(t (h - l)),
    so that e^(-t l) underflowing to 0 leaves the value and its gradient finite."""
    def log_laplace(t: Tensor) -> Tensor:
        width = p.high - p.low
        return -t * p.low + log(-expm1(-t * width)) - log(t * width)
    return -log(p.high - p.low) + _gumbel_cross_entropy(log_laplace, p.mean, q)


def _kl_uniform_beta(p: Uniform, q: Beta) -> Tensor:
    """-log(h - l) + log B(c1, c0) - (c1 - 1) E log X - (c0 - 1) E log(1 - X); inf unless
    [l, h] lies in [0, 1]."""
    width = p.high - p.low
    mean_log = (_x_log_x(p.high) - _x_log_x(p.low)) / width - 1
    mean_log1m = (_x_log_x(1 - p.low) - _x_log_x(1 - p.high)) / width - 1
    c1, c0 = q.concentration1, q.concentration0
    log_beta = lgamma(c1) + lgamma(c0) - lgamma(c1 + c0)
    result = -log(width) + log_beta - (c1 - 1) * mean_log - (c0 - 1) * mean_log1m
    return _inf_where((p.high.data > 1) | (p.low.data < 0), result)


def _kl_beta_uniform(p: Beta, q: Uniform) -> Tensor:
    """-H(Beta) + log(h - l); inf unless [0, 1] lies in [l, h]."""
    result = -p.entropy() + log(q.high - q.low)
    return _inf_where((q.low.data > 0) | (q.high.data < 1), result)


def _kl_uniform_pareto(p: Uniform, q: Pareto) -> Tensor:
    """-log(h - l) - log alpha - alpha log s + (alpha + 1) E log X; inf where l < s."""
    result = (-log(p.high - p.low) - log(q.alpha) - q.alpha * log(q.scale)
              + (q.alpha + 1) * _uniform_mean_log(p))
    return _inf_where(p.low.data < q.scale.data, result)


def _kl_pareto_pareto(p: Pareto, q: Pareto) -> Tensor:
    """alpha_q log(s_p / s_q) - log(alpha_q / alpha_p) + alpha_q / alpha_p - 1; inf where
    s_p < s_q."""
    ratio = q.alpha / p.alpha
    result = q.alpha * log(p.scale / q.scale) - log(ratio) + ratio - 1
    return _inf_where(p.scale.data < q.scale.data, result)


def _kl_bernoulli_poisson(p: Bernoulli, q: Poisson) -> Tensor:
    """-H(p) - E_p[X log r - r - log X!] = -H(p) - (p log r - r)."""
    return -p.entropy() - (p.probs * log(q.rate) - q.rate)


_INFINITE_PAIRS = [
    (Poisson, (Bernoulli, Binomial)),
    (Normal, (Beta, Exponential, Gamma, Pareto, Uniform)),
    (Laplace, (Beta, Exponential, Gamma, Pareto, Uniform)),
    (Gumbel, (Beta, Exponential, Gamma, Pareto, Uniform)),
    (Exponential, (Beta, Pareto, Uniform)),
    (Gamma, (Beta, Pareto, Uniform)),
    (Pareto, (Beta, Uniform)),
    (Beta, (Pareto,)),
]

CROSS_FAMILY_KL: dict[tuple[type, type], Callable[[Any, Any], Tensor]] = {
    (Normal, Gumbel): _kl_normal_gumbel, (Normal, Laplace): _kl_normal_laplace,
    (Laplace, Normal): _kl_laplace_normal, (Gumbel, Normal): _kl_gumbel_normal,
    (Exponential, Normal): _kl_exponential_normal, (Gamma, Normal): _kl_gamma_normal,
    (Beta, Normal): _kl_beta_normal, (Uniform, Normal): _kl_uniform_normal,
    (Pareto, Normal): _kl_pareto_normal,
    (Beta, Exponential): _kl_beta_exponential, (Gamma, Exponential): _kl_gamma_exponential,
    (Uniform, Exponential): _kl_uniform_exponential,
    (Pareto, Exponential): _kl_pareto_exponential,
    (Beta, Gamma): _kl_beta_gamma, (Exponential, Gamma): _kl_exponential_gamma,
    (Uniform, Gamma): _kl_uniform_gamma, (Pareto, Gamma): _kl_pareto_gamma,
    (Exponential, Gumbel): _kl_exponential_gumbel, (Gamma, Gumbel): _kl_gamma_gumbel,
    (Uniform, Gumbel): _kl_uniform_gumbel,
    (Uniform, Beta): _kl_uniform_beta, (Beta, Uniform): _kl_beta_uniform,
    (Uniform, Pareto): _kl_uniform_pareto, (Pareto, Pareto): _kl_pareto_pareto,
    (Bernoulli, Poisson): _kl_bernoulli_poisson,
    **{(p, q): infinite_kl for p, qs in _INFINITE_PAIRS for q in qs},
}
