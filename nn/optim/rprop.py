"""Rprop (resilient backpropagation): a step size per coordinate, grown while the
gradient keeps its sign and shrunk when it flips; only the gradient's sign is used."""
from __future__ import annotations

from typing import Any

import numpy as np

from .._checks import real_number
from .optimizer import Optimizer, ParamsT, check, check_nonneg, check_pair
from .state_tensors import full_state, next_step, start_step, state_array, zeros_state
from .torch_flags import accept_torch_flags

__all__ = ["Rprop"]


class Rprop(Optimizer):
    """Rprop, following PyTorch's documented algorithm.

    With (eta_minus, eta_plus) = etas and (s_min, s_max) = step_sizes; the step sizes s
    start at lr, and the previous gradient g_prev at 0::

        s = s * eta_plus    where g * g_prev > 0    (same sign: speed up)
        s = s * eta_minus   where g * g_prev < 0    (flipped: slow down ...)
        g = 0               where g * g_prev < 0    (... and do not move there this step)
        s = clip(s, s_min, s_max)
        p = p - sign(g) * s     (sign(NaN) = 0, as torch.sign: p stays where g is NaN)
        g_prev = g

    ``lr`` only sets the first step sizes (later changes to it, e.g. by a scheduler, have
    no effect, as in PyTorch). There is no weight decay. ``maximize=True`` uses -g
    (gradient ascent). State per parameter: ``step``, ``prev`` (g_prev), ``step_size`` (s).
    """

    scalar_state = frozenset({"step"})  # 0-d Tensors, as PyTorch 2.x

    def __init__(self, params: ParamsT, lr: float = 1e-2,
                 etas: tuple[float, float] = (0.5, 1.2),
                 step_sizes: tuple[float, float] = (1e-6, 50),
                 maximize: bool = False, *, foreach: bool | None = None, capturable: bool = False,
                 differentiable: bool = False) -> None:
        accept_torch_flags("Rprop", foreach=foreach,
                           capturable=capturable, differentiable=differentiable)
        defaults = dict(lr=lr, etas=etas, step_sizes=step_sizes, maximize=maximize)
        super().__init__(params, defaults)

    def _validate_group(self, group: dict[str, Any]) -> None:
        owner = type(self).__name__
        check_nonneg(owner, group, "lr")
        eta_minus, eta_plus = check_pair(owner, group, "etas", "etas=(0.5, 1.2)")
        real_number(owner, "etas[0]", eta_minus, minimum=0, maximum=1, open_min=True,
                    open_max=True)
        real_number(owner, "etas[1]", eta_plus, minimum=1, open_min=True)
        low, high = check_pair(owner, group, "step_sizes", "step_sizes=(1e-6, 50)")
        real_number(owner, "step_sizes[0]", low, minimum=0)
        real_number(owner, "step_sizes[1]", high, minimum=0, finite=False)
        check(low <= high, "step_sizes", group["step_sizes"],
              "(smallest, largest) with smallest <= largest")

    def _update(self, param: np.ndarray, grad: np.ndarray, state: dict[str, Any],
                group: dict[str, Any]) -> None:
        (eta_minus, eta_plus), (low, high) = group["etas"], group["step_sizes"]
        if not state:
            start_step(state)
            state["prev"] = zeros_state(param)
            state["step_size"] = full_state(param, group["lr"])
        next_step(state)
        prev, step_size = state_array(state["prev"]), state_array(state["step_size"])
        work = self._scratch(param, 1)
        np.multiply(grad, prev, out=work)             # > 0: same sign as before
        flipped = work < 0
        step_size[work > 0] *= eta_plus
        step_size[flipped] *= eta_minus
        np.clip(step_size, low, high, out=step_size)
        np.copyto(prev, grad)
        prev[flipped] = 0                             # the g used below and kept as g_prev
        np.sign(prev, out=work)
        np.nan_to_num(work, copy=False)               # sign(NaN) = 0, as torch.sign
        work *= step_size
        param -= work
