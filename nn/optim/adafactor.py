"""Adafactor (Shazeer and Stern, 2018) with PyTorch's names, defaults, update rule and
state keys (``torch.optim.Adafactor``)."""
from __future__ import annotations

import math
from typing import Any

import numpy as np

from .._checks import real_number
from .averages import lerp_
from .optimizer import Optimizer, ParamsT, check, check_nonneg, check_pair
from .state_tensors import next_step, start_step, state_array, zeros_state
from .torch_flags import accept_torch_flags

__all__ = ["Adafactor"]


class Adafactor(Optimizer):
    """Adafactor, following PyTorch's documented algorithm.

    At step t (from 1), with c = t^beta2_decay, eps = (eps1, eps2) (eps1 None: the
    dtype's machine epsilon), rho = min(lr, 1 / sqrt(t)) and
    alpha = max(eps2, RMS(p)) * rho::

        p = p * (1 - lr * weight_decay)
        matrices (the last two axes): R = lerp(R, mean(g^2, last axis), c),
            C = lerp(C, mean(g^2, second-last axis), c), v = R C / max(mean(R), eps1)
        vectors: v = lerp(v, g^2, c)
        u = g / sqrt(max(v, eps1^2))
        p = p - alpha / max(1, RMS(u) / d) * u

    ``maximize=True`` uses -g. State per parameter: ``step`` and ``row_var`` /
    ``col_var`` (shaped like p with the last / second-last axis 1) for a parameter of
    two or more axes, ``variance`` for one of at most one axis.
    """

    scalar_state = frozenset({"step"})  # 0-d Tensors, as PyTorch 2.x

    def __init__(self, params: ParamsT, lr: float = 1e-2, beta2_decay: float = -0.8,
                 eps: tuple[float | None, float] = (None, 1e-3), d: float = 1.0,
                 weight_decay: float = 0.0, *, foreach: bool | None = None,
                 maximize: bool = False) -> None:  # PyTorch's order and defaults
        accept_torch_flags("Adafactor", foreach=foreach)
        defaults = dict(lr=lr, beta2_decay=beta2_decay, eps=eps, d=d,
                        weight_decay=weight_decay, maximize=maximize)
        super().__init__(params, defaults)

    def _validate_group(self, group: dict[str, Any]) -> None:
        owner = type(self).__name__
        check_nonneg(owner, group, "lr", "weight_decay")
        real_number(owner, "beta2_decay", group["beta2_decay"], maximum=0)
        real_number(owner, "d", group["d"], minimum=1)
        eps1, eps2 = check_pair(owner, group, "eps", "eps=(None, 1e-3)")
        check(eps1 is None or real_number(owner, "eps[0]", eps1) >= 0, "eps[0]", eps1,
              "None or a number >= 0")
        real_number(owner, "eps[1]", eps2, minimum=0)

    def _update(self, param: np.ndarray, grad: np.ndarray, state: dict[str, Any],
                group: dict[str, Any]) -> None:
        if not state:
            start_step(state)
            if param.ndim > 1:
                state["row_var"] = zeros_state(param[..., :1])
                state["col_var"] = zeros_state(param[..., :1, :])
            else:
                state["variance"] = zeros_state(param)
        t = next_step(state)
        eps1, eps2 = group["eps"]
        if eps1 is None:
            eps1 = float(np.finfo(param.dtype).eps)
        lr = group["lr"]
        rho = min(lr, 1 / t ** 0.5)
        rms = float(np.linalg.norm(param.ravel())) / math.sqrt(max(param.size, 1))
        alpha = max(eps2, rms) * rho
        if group["weight_decay"] != 0:
            param *= 1 - lr * group["weight_decay"]
        weight = t ** group["beta2_decay"]  # the new statistic's share, 1 - beta2_t
        squared = grad * grad
        if param.ndim > 1:
            row, col = state_array(state["row_var"]), state_array(state["col_var"])
            lerp_(row, squared.mean(axis=-1, keepdims=True), weight)
            lerp_(col, squared.mean(axis=-2, keepdims=True), weight)
            variance = row @ col
            variance /= np.maximum(row.mean(axis=-2, keepdims=True), eps1)
        else:
            variance = state_array(state["variance"])
            lerp_(variance, squared, weight)
            variance = variance.copy()
        update = np.maximum(variance, eps1 * eps1, out=variance)
        np.sqrt(update, out=update)
        np.divide(grad, update, out=update)
        update_rms = float(np.linalg.norm(update.ravel())) / (
            math.sqrt(max(update.size, 1)) * group["d"])
        param -= alpha / max(1.0, update_rms) * update
