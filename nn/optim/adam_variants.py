"""Variants of Adam, with PyTorch's names, defaults, update rules and state keys: Adamax
(infinity norm), NAdam (Nesterov momentum) and RAdam (rectified variance)."""
from __future__ import annotations

import math
from typing import Any

import numpy as np

from autograd import Tensor

from .._checks import flag
from .adam import check_betas
from .averages import lerp_, running_average_of_squares_
from .optimizer import Optimizer, ParamsT, check_nonneg
from .state_tensors import next_step, scalar_state, start_step, state_array, zeros_state
from .torch_flags import accept_torch_flags

__all__ = ["Adamax", "NAdam", "RAdam"]


class Adamax(Optimizer):
    """Adamax (Adam with the infinity norm), following PyTorch's documented algorithm.

    At step t (from 1), with b1, b2 = betas::

        g = g + weight_decay * p                     (if weight_decay != 0)
        m = b1 * m + (1 - b1) * g
        u = max(b2 * u, |g| + eps)
        p = p - lr / (1 - b1^t) * m / u

    ``maximize=True`` uses -g (gradient ascent). State per parameter: ``step``,
    ``exp_avg`` (m), ``exp_inf`` (u).
    """

    scalar_state = frozenset({"step"})  # 0-d Tensors, as PyTorch 2.x

    def __init__(self, params: ParamsT, lr: float = 2e-3,
                 betas: tuple[float, float] = (0.9, 0.999), eps: float = 1e-8,
                 weight_decay: float = 0.0, foreach: bool | None = None, *,
                 maximize: bool = False, differentiable: bool = False,
                 capturable: bool = False) -> None:  # PyTorch's order (foreach 6th)
        accept_torch_flags("Adamax", foreach=foreach,
                           capturable=capturable, differentiable=differentiable)
        defaults = dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay,
                        maximize=maximize)
        super().__init__(params, defaults)

    def _validate_group(self, group: dict[str, Any]) -> None:
        check_nonneg(type(self).__name__, group, "lr", "eps", "weight_decay")
        check_betas(type(self).__name__, group)

    def _update(self, param: np.ndarray, grad: np.ndarray, state: dict[str, Any],
                group: dict[str, Any]) -> None:
        beta1, beta2 = group["betas"]
        if not state:
            start_step(state)
            state["exp_avg"] = zeros_state(param)
            state["exp_inf"] = zeros_state(param)
        t = next_step(state)
        g = self._with_weight_decay(param, grad, group["weight_decay"])
        m, u = state_array(state["exp_avg"]), state_array(state["exp_inf"])
        work = self._scratch(param, 1)
        lerp_(m, g, 1 - beta1, work)                  # m = b1 m + (1 - b1) g
        u *= beta2                                    # u = max(b2 u, |g| + eps)
        np.abs(g, out=work)
        work += group["eps"]
        np.maximum(u, work, out=u)
        np.divide(m, u, out=work)
        work *= group["lr"] / (1 - beta1 ** t)
        param -= work


class NAdam(Optimizer):
    """NAdam (Adam with Nesterov momentum), following PyTorch's documented algorithm.

    At step t (from 1), with b1, b2 = betas and psi = momentum_decay::

        g = g + weight_decay * p        (or p = p * (1 - lr * weight_decay) when
                                         decoupled_weight_decay, as AdamW)
        mu_t = b1 * (1 - 0.5 * 0.96^(t * psi));   P_t = mu_1 * ... * mu_t
        m = b1 * m + (1 - b1) * g
        v = b2 * v + (1 - b2) * g^2
        d = sqrt(v / (1 - b2^t)) + eps
        p = p - lr * (1 - mu_t) / (1 - P_t) * g / d
              - lr * mu_{t+1} / (1 - P_t * mu_{t+1}) * m / d

    ``maximize=True`` uses -g (gradient ascent). State per parameter: ``step``,
    ``mu_product`` (P_t, a float), ``exp_avg`` (m), ``exp_avg_sq`` (v).
    """

    scalar_state = frozenset({"step", "mu_product"})  # 0-d Tensors, as PyTorch 2.x

    def __init__(self, params: ParamsT, lr: float = 2e-3,
                 betas: tuple[float, float] = (0.9, 0.999), eps: float = 1e-8,
                 weight_decay: float = 0.0, momentum_decay: float = 4e-3,
                 decoupled_weight_decay: bool = False, maximize: bool = False, *,
                 foreach: bool | None = None, capturable: bool = False,
                 differentiable: bool = False) -> None:
        accept_torch_flags("NAdam", foreach=foreach,
                           capturable=capturable, differentiable=differentiable)
        defaults = dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay,
                        momentum_decay=momentum_decay,
                        decoupled_weight_decay=decoupled_weight_decay, maximize=maximize)
        super().__init__(params, defaults)

    def _validate_group(self, group: dict[str, Any]) -> None:
        owner = type(self).__name__
        check_nonneg(owner, group, "lr", "eps", "weight_decay", "momentum_decay")
        check_betas(owner, group)
        flag(owner, "decoupled_weight_decay", group["decoupled_weight_decay"])

    def _update(self, param: np.ndarray, grad: np.ndarray, state: dict[str, Any],
                group: dict[str, Any]) -> None:
        lr, (beta1, beta2), psi = group["lr"], group["betas"], group["momentum_decay"]
        if not state:
            start_step(state)
            state["mu_product"] = scalar_state(1.0)
            state["exp_avg"] = zeros_state(param)
            state["exp_avg_sq"] = zeros_state(param)
        t = next_step(state)
        g = self._decayed_gradient(param, grad, group, group["decoupled_weight_decay"])
        mu = beta1 * (1 - 0.5 * 0.96 ** (t * psi))
        mu_next = beta1 * (1 - 0.5 * 0.96 ** ((t + 1) * psi))
        mu_product = _times_(state, "mu_product", mu)
        m, v = state_array(state["exp_avg"]), state_array(state["exp_avg_sq"])
        work, denom = self._scratch(param, 1), self._scratch(param, 3)
        lerp_(m, g, 1 - beta1, work)
        running_average_of_squares_(v, g, beta2, work)
        np.divide(v, 1 - beta2 ** t, out=denom)       # d = sqrt(v / (1 - b2^t)) + eps
        np.sqrt(denom, out=denom)
        denom += group["eps"]
        np.divide(g, denom, out=work)                 # the gradient's share
        work *= lr * (1 - mu) / (1 - mu_product)
        param -= work
        np.divide(m, denom, out=work)                 # the momentum's share
        work *= lr * mu_next / (1 - mu_product * mu_next)
        param -= work


class RAdam(Optimizer):
    """RAdam (Adam with a rectified variance), following PyTorch's documented algorithm.

    At step t (from 1), with b1, b2 = betas::

        g = g + weight_decay * p        (or p = p * (1 - lr * weight_decay) when
                                         decoupled_weight_decay, as AdamW)
        m = b1 * m + (1 - b1) * g;   m_hat = m / (1 - b1^t)
        v = b2 * v + (1 - b2) * g^2
        rho_inf = 2 / (1 - b2) - 1;   rho_t = rho_inf - 2 t b2^t / (1 - b2^t)
        if rho_t > 5:
            r = sqrt((rho_t - 4) (rho_t - 2) rho_inf / ((rho_inf - 4) (rho_inf - 2) rho_t))
            p = p - lr * m_hat * r * sqrt(1 - b2^t) / (sqrt(v) + eps)
        else:
            p = p - lr * m_hat                       (the first steps: plain momentum)

    ``maximize=True`` uses -g (gradient ascent). State per parameter: ``step``,
    ``exp_avg`` (m), ``exp_avg_sq`` (v).
    """

    scalar_state = frozenset({"step"})  # 0-d Tensors, as PyTorch 2.x

    def __init__(self, params: ParamsT, lr: float = 1e-3,
                 betas: tuple[float, float] = (0.9, 0.999), eps: float = 1e-8,
                 weight_decay: float = 0.0, decoupled_weight_decay: bool = False,
                 maximize: bool = False, *, foreach: bool | None = None, capturable: bool = False,
                 differentiable: bool = False) -> None:
        accept_torch_flags("RAdam", foreach=foreach,
                           capturable=capturable, differentiable=differentiable)
        defaults = dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay,
                        decoupled_weight_decay=decoupled_weight_decay, maximize=maximize)
        super().__init__(params, defaults)

    def _validate_group(self, group: dict[str, Any]) -> None:
        owner = type(self).__name__
        check_nonneg(owner, group, "lr", "eps", "weight_decay")
        check_betas(owner, group)
        flag(owner, "decoupled_weight_decay", group["decoupled_weight_decay"])

    def _update(self, param: np.ndarray, grad: np.ndarray, state: dict[str, Any],
                group: dict[str, Any]) -> None:
        lr, (beta1, beta2) = group["lr"], group["betas"]
        if not state:
            start_step(state)
            state["exp_avg"] = zeros_state(param)
            state["exp_avg_sq"] = zeros_state(param)
        t = next_step(state)
        g = self._decayed_gradient(param, grad, group, group["decoupled_weight_decay"])
        m, v = state_array(state["exp_avg"]), state_array(state["exp_avg_sq"])
        work = self._scratch(param, 1)
        lerp_(m, g, 1 - beta1, work)
        running_average_of_squares_(v, g, beta2, work)
        c1, c2 = 1 - beta1 ** t, 1 - beta2 ** t
        rho_inf = 2 / (1 - beta2) - 1
        rho_t = rho_inf - 2 * t * beta2 ** t / c2
        if rho_t > 5:
            rect = math.sqrt((rho_t - 4) * (rho_t - 2) * rho_inf
                             / ((rho_inf - 4) * (rho_inf - 2) * rho_t))
            np.sqrt(v, out=work)
            work += group["eps"]
            np.divide(m, work, out=work)
            work *= lr * rect * math.sqrt(c2) / c1
        else:
            np.multiply(m, lr / c1, out=work)
        param -= work


def _times_(state: dict[str, Any], name: str, factor: float) -> float:
    """``state[name] *= factor`` (in place for a 0-d Tensor); returns the new value."""
    value = state[name]
    if isinstance(value, Tensor):
        product = value.data
        new = float(product) * factor
        product[()] = new  # in place, without a ufunc's 5 us on a 0-d array
        return new
    state[name] = value = float(value) * factor
    return value
