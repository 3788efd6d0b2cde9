"""``ExponentialFamily`` (PyTorch's ``torch.distributions.exp_family`` path): the base of a
user's exponential family p(x) = h(x) exp(<theta, T(x)> - A(theta)). A subclass gives its
natural parameters theta (``_natural_params``), the log normaliser A (``_log_normalizer``)
and E[log h(X)] (``_mean_carrier_measure``); its entropy, and the KL between two of its
members (a Bregman divergence of A), then come from autograd's gradient of A, as PyTorch's.
The families built in here are plain ``Distribution`` subclasses with closed forms."""

from __future__ import annotations

from typing import Any

from ..differentiate import grad
from ..tensor import Tensor
from .distribution import Distribution

__all__ = ["ExponentialFamily", "bregman_kl"]


class ExponentialFamily(Distribution):
    """H = A(theta) - <theta, grad A(theta)> - E[log h(X)], with grad A = E[T(X)]."""

    @property
    def _natural_params(self) -> tuple[Tensor, ...]:
        """theta, one Tensor per natural parameter."""
        raise NotImplementedError(f"{type(self).__name__}: define _natural_params")

    def _log_normalizer(self, *natural_params: Tensor) -> Tensor:
        """A(theta)."""
        raise NotImplementedError(f"{type(self).__name__}: define _log_normalizer")

    @property
    def _mean_carrier_measure(self) -> Any:
        """E[log h(X)]."""
        raise NotImplementedError(f"{type(self).__name__}: define _mean_carrier_measure")

    def entropy(self) -> Tensor:
        """A(theta) - <theta, grad A(theta)> - E[log h(X)], grad A by autograd at a
        detached theta (as PyTorch's: no gradient to the parameters through A)."""
        params = [p.detach().requires_grad_() for p in self._natural_params]
        log_normalizer = self._log_normalizer(*params)
        gradients = grad(log_normalizer.sum(), params, create_graph=True)
        result = log_normalizer - self._mean_carrier_measure
        for param, gradient in zip(params, gradients):
            result = result - (param * gradient).reshape(self._batch_shape + (-1,)).sum(-1)
        return result


def bregman_kl(p: ExponentialFamily, q: ExponentialFamily) -> Tensor:
    """KL(p || q) = A(theta_q) - A(theta_p) - <theta_q - theta_p, grad A(theta_p)>, for p
    and q of the same family (``NotImplementedError`` otherwise, as PyTorch's)."""
    if type(p) is not type(q):
        raise NotImplementedError(
            f"kl_divergence: the KL between different exponential families "
            f"({type(p).__name__}, {type(q).__name__}) has no Bregman form; register_kl one")
    p_params = [param.detach().requires_grad_() for param in p._natural_params]
    log_normalizer = p._log_normalizer(*p_params)
    gradients = grad(log_normalizer.sum(), p_params, create_graph=True)
    result = q._log_normalizer(*q._natural_params) - log_normalizer
    for p_param, q_param, gradient in zip(p_params, q._natural_params, gradients):
        term = (q_param - p_param) * gradient
        for _ in range(len(q.event_shape)):
            term = term.sum(-1)
        result = result - term
    return result
