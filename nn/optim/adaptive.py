"""Optimizers that scale each coordinate by a running gradient magnitude: Adagrad, RMSprop,
Adadelta."""
from __future__ import annotations

from typing import Any

import numpy as np

from .._checks import flag, real_number
from .averages import lerp_, running_average_of_squares_
from .optimizer import Optimizer, ParamsT, check_nonneg
from .state_tensors import full_state, next_step, start_step, state_array, zeros_state
from .torch_flags import accept_torch_flags

__all__ = ["Adagrad", "RMSprop", "Adadelta"]


class Adagrad(Optimizer):
    """Adagrad, following PyTorch's documented algorithm.

    At step t (from 1)::

        clr = lr / (1 + (t - 1) * lr_decay)
        g = g + weight_decay * p                     (if weight_decay != 0)
        s = s + g * g                                (s starts at initial_accumulator_value)
        p = p - clr * g / (sqrt(s) + eps)

    ``maximize=True`` uses -g (gradient ascent). State per parameter: ``step`` (a 0-d
    Tensor), ``sum``. s starts at the ``initial_accumulator_value`` of the parameter's
    group (a value a group dict or ``add_param_group`` gives is used); PyTorch always
    starts it at the constructor's value and ignores a group's. State dicts load either
    way: ``sum`` is saved.
    """

    scalar_state = frozenset({"step"})  # 0-d Tensors, as PyTorch 2.x

    def __init__(self, params: ParamsT, lr: float = 1e-2, lr_decay: float = 0.0,
                 weight_decay: float = 0.0, initial_accumulator_value: float = 0.0,
                 eps: float = 1e-10, foreach: bool | None = None, *, maximize: bool = False,
                 differentiable: bool = False,
                 fused: bool | None = None) -> None:  # PyTorch's order (foreach 7th)
        accept_torch_flags("Adagrad", foreach=foreach, differentiable=differentiable, fused=fused)
        defaults = dict(lr=lr, lr_decay=lr_decay, weight_decay=weight_decay,
                        initial_accumulator_value=initial_accumulator_value, eps=eps,
                        maximize=maximize)
        super().__init__(params, defaults)
        for group in self.param_groups:  # the state exists from the start, as PyTorch's
            for p in group["params"]:    # (a group added later starts at its first step)
                self._start_state(self.state[p], p.data, group)

    def _start_state(self, state: dict[str, Any], param: np.ndarray,
                     group: dict[str, Any]) -> None:
        start_step(state)
        state["sum"] = full_state(param, group["initial_accumulator_value"])

    def _validate_group(self, group: dict[str, Any]) -> None:
        check_nonneg(type(self).__name__, group, "lr", "lr_decay", "weight_decay",
                     "initial_accumulator_value", "eps")

    def _update(self, param: np.ndarray, grad: np.ndarray, state: dict[str, Any],
                group: dict[str, Any]) -> None:
        if not state:
            self._start_state(state, param, group)
        t = next_step(state)
        clr = group["lr"] / (1 + (t - 1) * group["lr_decay"])
        g = self._with_weight_decay(param, grad, group["weight_decay"])
        total = state_array(state["sum"])
        work = self._scratch(param, 1)
        np.multiply(g, g, out=work)
        total += work
        np.sqrt(total, out=work)
        work += group["eps"]
        np.divide(g, work, out=work)
        work *= clr
        param -= work


class RMSprop(Optimizer):
    """RMSprop, following PyTorch's documented algorithm.

    ::

        g = g + weight_decay * p                     (if weight_decay != 0)
        v = alpha * v + (1 - alpha) * g^2            (v starts at 0)
        if centered:  a = alpha * a + (1 - alpha) * g;  v~ = v - a^2   else  v~ = v
        if momentum > 0:  b = momentum * b + g / (sqrt(v~) + eps);  p = p - lr * b
        else:             p = p - lr * g / (sqrt(v~) + eps)

    ``maximize=True`` uses -g (gradient ascent). State per parameter: ``step``,
    ``square_avg``, and ``momentum_buffer`` /
    ``grad_avg`` when momentum / centered are used.
    """

    scalar_state = frozenset({"step"})  # 0-d Tensors, as PyTorch 2.x

    def __init__(self, params: ParamsT, lr: float = 1e-2, alpha: float = 0.99,
                 eps: float = 1e-8, weight_decay: float = 0.0, momentum: float = 0.0,
                 centered: bool = False, capturable: bool = False,
                 foreach: bool | None = None, maximize: bool = False,
                 differentiable: bool = False) -> None:  # PyTorch's order, all positional
        accept_torch_flags("RMSprop", foreach=foreach,
                           capturable=capturable, differentiable=differentiable)
        defaults = dict(lr=lr, alpha=alpha, eps=eps, weight_decay=weight_decay,
                        momentum=momentum, centered=centered, maximize=maximize)
        super().__init__(params, defaults)

    def _validate_group(self, group: dict[str, Any]) -> None:
        owner = type(self).__name__
        check_nonneg(owner, group, "lr", "eps", "weight_decay", "momentum")
        real_number(owner, "alpha", group["alpha"], minimum=0, maximum=1)
        flag(owner, "centered", group["centered"])

    def _update(self, param: np.ndarray, grad: np.ndarray, state: dict[str, Any],
                group: dict[str, Any]) -> None:
        alpha, momentum = group["alpha"], group["momentum"]
        if not state:
            start_step(state)
            state["square_avg"] = zeros_state(param)
            if momentum > 0:
                state["momentum_buffer"] = zeros_state(param)
            if group["centered"]:
                state["grad_avg"] = zeros_state(param)
        next_step(state)
        g = self._with_weight_decay(param, grad, group["weight_decay"])
        v = state_array(state["square_avg"])
        work = self._scratch(param, 1)
        running_average_of_squares_(v, g, alpha, work)
        if group["centered"]:
            avg = _get(state, "grad_avg", param)
            lerp_(avg, g, 1 - alpha, work)
            np.multiply(avg, avg, out=work)
            np.subtract(v, work, out=work)
            np.sqrt(work, out=work)
        else:
            np.sqrt(v, out=work)
        work += group["eps"]
        np.divide(g, work, out=work)
        if momentum > 0:
            buf = _get(state, "momentum_buffer", param)
            buf *= momentum
            buf += work
            np.multiply(buf, group["lr"], out=work)
        else:
            work *= group["lr"]
        param -= work


class Adadelta(Optimizer):
    """Adadelta, following PyTorch's documented algorithm.

    ::

        g = g + weight_decay * p                     (if weight_decay != 0)
        v = rho * v + (1 - rho) * g^2                (v, u start at 0)
        d = sqrt(u + eps) / sqrt(v + eps) * g
        u = rho * u + (1 - rho) * d^2
        p = p - lr * d

    ``maximize=True`` uses -g (gradient ascent). State per parameter: ``step``,
    ``square_avg`` (v), ``acc_delta`` (u).
    """

    scalar_state = frozenset({"step"})  # 0-d Tensors, as PyTorch 2.x

    def __init__(self, params: ParamsT, lr: float = 1.0, rho: float = 0.9,
                 eps: float = 1e-6, weight_decay: float = 0.0, foreach: bool | None = None, *,
                 capturable: bool = False, maximize: bool = False,
                 differentiable: bool = False) -> None:  # PyTorch's order (foreach 6th)
        accept_torch_flags("Adadelta", foreach=foreach,
                           capturable=capturable, differentiable=differentiable)
        defaults = dict(lr=lr, rho=rho, eps=eps, weight_decay=weight_decay,
                        maximize=maximize)
        super().__init__(params, defaults)

    def _validate_group(self, group: dict[str, Any]) -> None:
        owner = type(self).__name__
        check_nonneg(owner, group, "lr", "eps", "weight_decay")
        real_number(owner, "rho", group["rho"], minimum=0, maximum=1)

    def _update(self, param: np.ndarray, grad: np.ndarray, state: dict[str, Any],
                group: dict[str, Any]) -> None:
        rho, eps = group["rho"], group["eps"]
        if not state:
            start_step(state)
            state["square_avg"] = zeros_state(param)
            state["acc_delta"] = zeros_state(param)
        next_step(state)
        g = self._with_weight_decay(param, grad, group["weight_decay"])
        v, u = state_array(state["square_avg"]), state_array(state["acc_delta"])
        work, delta = self._scratch(param, 1), self._scratch(param, 3)
        running_average_of_squares_(v, g, rho, work)  # v = rho v + (1 - rho) g^2
        np.add(v, eps, out=work)                      # d = sqrt(u + eps) / sqrt(v + eps) g
        np.sqrt(work, out=work)
        np.add(u, eps, out=delta)
        np.sqrt(delta, out=delta)
        delta /= work
        delta *= g
        running_average_of_squares_(u, delta, rho, work)  # u = rho u + (1 - rho) d^2
        delta *= group["lr"]
        param -= delta


def _get(state: dict[str, Any], name: str, param: np.ndarray) -> np.ndarray:
    """A state array (of its Tensor), created at zero if an option was switched on after
    step 1."""
    if name not in state:
        state[name] = zeros_state(param)
    return state_array(state[name])
