"""Averaged SGD with PyTorch's names, defaults, update rule and state keys
(``torch.optim.ASGD``)."""
from __future__ import annotations

from typing import Any

import numpy as np

from .optimizer import Optimizer, ParamsT, check_nonneg
from .state_tensors import next_step, scalar_state, start_step, state_array, zeros_state
from .torch_flags import accept_torch_flags

__all__ = ["ASGD"]


class ASGD(Optimizer):
    """Averaged SGD (Polyak and Juditsky), following PyTorch's documented algorithm.

    At step t (from 1), with eta and mu from the step before (eta_0 = lr, mu_0 = 1)::

        g = g + weight_decay * p                       (if weight_decay != 0)
        p = p * (1 - lambd * eta) - eta * g
        ax = ax + mu * (p - ax)                        (ax = p while mu = 1)
        eta = lr / (1 + lambd * lr * t) ** alpha
        mu = 1 / max(1, t - t0)

    ``ax`` is the average of the iterates from step t0 on. ``maximize=True`` uses -g.
    State per parameter: ``step``, ``eta``, ``mu`` (0-d Tensors) and ``ax``.
    """

    scalar_state = frozenset({"step", "eta", "mu"})  # 0-d Tensors, as PyTorch 2.x

    def __init__(self, params: ParamsT, lr: float = 1e-2, lambd: float = 1e-4,
                 alpha: float = 0.75, t0: float = 1e6, weight_decay: float = 0.0,
                 foreach: bool | None = None, maximize: bool = False,
                 differentiable: bool = False,
                 capturable: bool = False) -> None:  # PyTorch's order and defaults
        accept_torch_flags("ASGD", foreach=foreach, differentiable=differentiable,
                           capturable=capturable)
        defaults = dict(lr=lr, lambd=lambd, alpha=alpha, t0=t0, weight_decay=weight_decay,
                        maximize=maximize)
        super().__init__(params, defaults)

    def _validate_group(self, group: dict[str, Any]) -> None:
        check_nonneg(type(self).__name__, group, "lr", "weight_decay", "lambd", "alpha", "t0")

    def _update(self, param: np.ndarray, grad: np.ndarray, state: dict[str, Any],
                group: dict[str, Any]) -> None:
        if not state:
            start_step(state)
            state["eta"] = scalar_state(group["lr"])
            state["mu"] = scalar_state(1.0)
            state["ax"] = zeros_state(param)
        t = next_step(state)
        lr, lambd = group["lr"], group["lambd"]
        eta, mu = state_array(state["eta"]), state_array(state["mu"])
        g = self._with_weight_decay(param, grad, group["weight_decay"])
        step_size = float(eta)
        param *= 1 - lambd * step_size
        param -= step_size * g
        ax = state_array(state["ax"])
        if float(mu) != 1:
            ax += float(mu) * (param - ax)
        else:
            ax[...] = param
        eta[()] = lr / (1 + lambd * lr * t) ** group["alpha"]
        mu[()] = 1 / max(1, t - group["t0"])
