"""Variants of Adam, with PyTorch's names, defaults, update rules and state keys: Adamax
(infinity norm)."""
from __future__ import annotations

from typing import Any

import numpy as np

from .._checks import real_number
from ..errors import ArgumentTypeError
from .optimizer import Optimizer, ParamsT, check, check_nonneg

__all__ = ["Adamax"]


def _check_betas(owner: str, group: dict[str, Any]) -> None:
    """``betas`` must be a pair of numbers in [0, 1) (stored as a tuple)."""
    betas = group["betas"]
    if not isinstance(betas, (tuple, list)):
        raise ArgumentTypeError(f"{owner}: betas must be a pair (beta1, beta2), e.g. "
                                f"betas=(0.9, 0.999); got {betas!r} "
                                f"({type(betas).__name__})")
    check(len(betas) == 2, "betas", betas, "a pair (beta1, beta2)")
    group["betas"] = tuple(betas)
    for i, beta in enumerate(betas):
        real_number(owner, f"betas[{i}]", beta, minimum=0, maximum=1, open_max=True)


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

    def __init__(self, params: ParamsT, lr: float = 2e-3,
                 betas: tuple[float, float] = (0.9, 0.999), eps: float = 1e-8,
                 weight_decay: float = 0.0, maximize: bool = False) -> None:
        defaults = dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay,
                        maximize=maximize)
        super().__init__(params, defaults)

    def _validate_group(self, group: dict[str, Any]) -> None:
        check_nonneg(type(self).__name__, group, "lr", "eps", "weight_decay")
        _check_betas(type(self).__name__, group)

    def _update(self, param: np.ndarray, grad: np.ndarray, state: dict[str, Any],
                group: dict[str, Any]) -> None:
        beta1, beta2 = group["betas"]
        if not state:
            state["step"] = 0
            state["exp_avg"] = np.zeros_like(param)
            state["exp_inf"] = np.zeros_like(param)
        state["step"] += 1
        g = self._with_weight_decay(param, grad, group["weight_decay"])
        m, u = state["exp_avg"], state["exp_inf"]
        work = self._scratch(param, 1)
        m *= beta1                                    # m = b1 m + (1 - b1) g
        np.multiply(g, 1 - beta1, out=work)
        m += work
        u *= beta2                                    # u = max(b2 u, |g| + eps)
        np.abs(g, out=work)
        work += group["eps"]
        np.maximum(u, work, out=u)
        np.divide(m, u, out=work)
        work *= group["lr"] / (1 - beta1 ** state["step"])
        param -= work
