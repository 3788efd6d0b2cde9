"""PyTorch's closed-form KL(p || q) pairs with a ``ContinuousBernoulli``, read by ``kl.py``
into its registry (``CONTINUOUS_BERNOULLI_KL``): -H(p) - E_p[log q(X)] with
log q(x) = x logit(q) + log(1 - q) + log C(q) on [0, 1]; inf where p has mass off q's
support. Against a Uniform the support test is the true one (PyTorch's ``ge``/``le`` also
make Uniform(0, 1) give inf, whose KL is finite)."""

from __future__ import annotations

import math
from typing import Any, Callable

import numpy as np

from ..functions import log, where
from ..more_functions import log1p
from ..tensor import Tensor
from .continuous import Normal, Uniform
from .continuous_bernoulli import ContinuousBernoulli
from .gamma import Beta, Gamma
from .gumbel_half_normal import Gumbel
from .heavy_tailed import Pareto
from .kl_cross_family import infinite_kl
from .laplace_exponential import Exponential, Laplace

__all__ = ["CONTINUOUS_BERNOULLI_KL"]


def _cross_entropy_to(mean: Tensor, q: ContinuousBernoulli) -> Tensor:
    """-E_p[log q(X)] = -E[X] logit(q) - log(1 - q) - log C(q)."""
    return -mean * q.logits - log1p(-q.probs) - q._cont_bern_log_norm()


def _kl_cb_cb(p: ContinuousBernoulli, q: ContinuousBernoulli) -> Tensor:
    """E_p[X] (logit p - logit q) + log C(p) + log(1 - p) - log C(q) - log(1 - q)."""
    return (p.mean * (p.logits - q.logits) + p._cont_bern_log_norm() + log1p(-p.probs)
            - q._cont_bern_log_norm() - log1p(-q.probs))


def _kl_beta_cb(p: Beta, q: ContinuousBernoulli) -> Tensor:
    """-H(Beta) - E[X] logit(q) - log(1 - q) - log C(q)."""
    return -p.entropy() + _cross_entropy_to(p.mean, q)


def _kl_uniform_cb(p: Uniform, q: ContinuousBernoulli) -> Tensor:
    """-log(h - l) + the cross entropy at E[X] = (l + h) / 2; inf unless [l, h] lies in
    [0, 1]."""
    result = -log(p.high - p.low) + _cross_entropy_to((p.low + p.high) / 2, q)
    return where(np.asarray((p.low.data < 0) | (p.high.data > 1)), np.inf, result)


def _kl_cb_exponential(p: ContinuousBernoulli, q: Exponential) -> Tensor:
    """-H(p) - log r + r E[X]."""
    return -p.entropy() - log(q.rate) + q.rate * p.mean


def _kl_cb_normal(p: ContinuousBernoulli, q: Normal) -> Tensor:
    """-H(p) + log(sqrt(2 pi) s) + (Var X + (E X - mu)^2) / (2 s^2)."""
    second_moment = p.variance + (p.mean - q.loc).pow(2)
    return (-p.entropy() + 0.5 * math.log(2 * math.pi) + log(q.scale)
            + second_moment / (2 * q.scale.pow(2)))


def _kl_cb_uniform(p: ContinuousBernoulli, q: Uniform) -> Tensor:
    """-H(p) + log(h - l); inf unless [0, 1] lies in [l, h]."""
    result = -p.entropy() + log(q.high - q.low)
    return where(np.asarray((q.low.data > 0) | (q.high.data < 1)), np.inf, result)


CONTINUOUS_BERNOULLI_KL: dict[tuple[type, type], Callable[[Any, Any], Tensor]] = {
    (ContinuousBernoulli, ContinuousBernoulli): _kl_cb_cb,
    (Beta, ContinuousBernoulli): _kl_beta_cb, (Uniform, ContinuousBernoulli): _kl_uniform_cb,
    (ContinuousBernoulli, Exponential): _kl_cb_exponential,
    (ContinuousBernoulli, Normal): _kl_cb_normal,
    (ContinuousBernoulli, Uniform): _kl_cb_uniform,
    (ContinuousBernoulli, Pareto): infinite_kl,
    **{(p, ContinuousBernoulli): infinite_kl
       for p in (Exponential, Gamma, Gumbel, Laplace, Normal, Pareto)},
}
