"""Adam and AdamW (Adam with decoupled weight decay)."""
from __future__ import annotations

import math
from typing import Any

import numpy as np

from .._checks import flag, real_number
from .averages import lerp_, running_average_of_squares_
from .flat_params import FlatBuffers, FlatLayout, flat_enough
from .optimizer import Optimizer, ParamsT, _count_write, check_nonneg, check_pair
from .state_tensors import next_step, scalar_dtype, start_step, state_array, zeros_state
from .torch_flags import accept_torch_flags, plain_lr

__all__ = ["Adam", "AdamW", "check_betas", "start_moments"]


def check_betas(owner: str, group: dict[str, Any]) -> None:
    """``betas`` must be a pair of numbers in [0, 1) (stored as a tuple); a 0-d tensor
    counts as its value, as PyTorch's tensor betas (and a tensor ``lr`` here)."""
    betas = check_pair(owner, group, "betas", "betas=(0.9, 0.999)")
    betas = tuple(plain_lr(owner, beta, f"betas[{i}]") for i, beta in enumerate(betas))
    for i, beta in enumerate(betas):
        real_number(owner, f"betas[{i}]", beta, minimum=0, maximum=1, open_max=True)
    group["betas"] = betas


def start_moments(state: dict[str, Any], param: np.ndarray) -> None:
    """Adam's state before its first step: step 0 (a 0-d Tensor), m = v = 0 (Tensors)."""
    start_step(state)
    state["exp_avg"] = zeros_state(param)
    state["exp_avg_sq"] = zeros_state(param)


class Adam(Optimizer):
    """Adam, following PyTorch's documented algorithm.

    At step t (from 1), with b1, b2 = betas::

        g = g + weight_decay * p                     (L2 penalty, if weight_decay != 0)
        m = b1 * m + (1 - b1) * g
        v = b2 * v + (1 - b2) * g^2
        m_hat = m / (1 - b1^t)
        v_max = max(v_max, v);  v_hat = v_max / (1 - b2^t)     (amsgrad)
        v_hat = v / (1 - b2^t)                                 (otherwise)
        p = p - lr * m_hat / (sqrt(v_hat) + eps)

    ``decoupled_weight_decay=True`` (PyTorch 2.x spells AdamW so) replaces the
    L2 penalty by AdamW's decay of p (below). ``maximize=True`` uses -g (gradient ascent).
    State per parameter: ``step``, ``exp_avg`` (m), ``exp_avg_sq`` (v) and
    ``max_exp_avg_sq`` (v_max, amsgrad only).
    """

    # a state dict saved before Adam had it lacks it: the group keeps its own value
    later_keys = frozenset({"decoupled_weight_decay"})
    scalar_state = frozenset({"step"})

    def __init__(self, params: ParamsT, lr: float = 1e-3,
                 betas: tuple[float, float] = (0.9, 0.999), eps: float = 1e-8,
                 weight_decay: float = 0.0, amsgrad: bool = False,
                 maximize: bool = False, *, foreach: bool | None = None, capturable: bool = False,
                 differentiable: bool = False, fused: bool | None = None,
                 decoupled_weight_decay: bool = False) -> None:
        accept_torch_flags(type(self).__name__, foreach=foreach,
                           capturable=capturable, differentiable=differentiable, fused=fused)
        defaults = dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay,
                        amsgrad=amsgrad, maximize=maximize,
                        decoupled_weight_decay=decoupled_weight_decay)
        super().__init__(params, defaults)
        self._flat: dict[int, FlatBuffers] = {}  # id(group) -> its flat vectors (flat_params)

    def _validate_group(self, group: dict[str, Any]) -> None:
        owner = type(self).__name__
        check_nonneg(owner, group, "lr", "eps", "weight_decay")
        check_betas(owner, group)
        flag(owner, "amsgrad", group["amsgrad"])
        flag(owner, "decoupled_weight_decay", group["decoupled_weight_decay"])

    def _step_group(self, group: dict[str, Any]) -> None:
        if not self._flat_step(group):
            super()._step_group(group)  # parameter by parameter: _update

    def _flat_step(self, group: dict[str, Any]) -> bool:
        """The group's update on one flat vector (``flat_params``): ``_update``'s numbers
        in a dozen NumPy calls for the whole group. False, with nothing done, where that
        does not apply: a subclass's own ``_update``, a parameter without a gradient,
        mixed dtypes, large parameters, or state that is not all at one step count."""
        params = group["params"]
        if type(self)._update is not Adam._update or not params:
            return False
        grads = [p.grad for p in params]
        if any(g is None for g in grads):
            return False
        arrays = [p.data for p in params]
        names = ("exp_avg", "exp_avg_sq") + (("max_exp_avg_sq",) if group["amsgrad"] else ())
        buffers = self._flat.get(id(group))
        if buffers is None or buffers.names != names or not buffers.layout.fits(arrays):
            if not flat_enough(arrays):
                return False
            buffers = self._flat[id(group)] = FlatBuffers(FlatLayout(arrays), names,
                                                          scalar_dtype())
        states = [self.state[p] for p in params]
        if not (buffers.backs(states) or buffers.adopt(states)):
            return False
        t = buffers.count_step()
        if t is None:
            return False
        g = buffers.layout.join([grad.data for grad in grads], out=buffers.grad)
        if group["maximize"]:
            np.negative(g, out=g)
        self._flat_update(group, arrays, g, buffers, t)
        for p in params:
            _count_write(p)
        return True

    def _flat_update(self, group: dict[str, Any], arrays: list[np.ndarray], g: np.ndarray,
                     buffers: FlatBuffers, t: float) -> None:
        """``_update`` on the flat vectors: g (a copy of the gradients, ours to change),
        the moments, and the parameters' arrays, updated piece by piece at the end."""
        lr, (beta1, beta2), eps = group["lr"], group["betas"], group["eps"]
        work, weight_decay = buffers.work, group["weight_decay"]
        if weight_decay != 0 and group["decoupled_weight_decay"]:
            for param in arrays:
                param *= 1 - lr * weight_decay
        elif weight_decay != 0:  # g + wd p
            g += np.multiply(buffers.layout.join(arrays, out=work), weight_decay, out=work)
        m, v = buffers.flat["exp_avg"], buffers.flat["exp_avg_sq"]
        lerp_(m, g, 1 - beta1, work)
        running_average_of_squares_(v, g, beta2, work)
        if group["amsgrad"]:
            v = np.maximum(buffers.flat["max_exp_avg_sq"], v, out=buffers.flat["max_exp_avg_sq"])
        root_c2 = math.sqrt(1 - beta2 ** t)
        np.sqrt(v, out=work)
        work += eps * root_c2
        np.divide(m, work, out=work)
        work *= lr * root_c2 / (1 - beta1 ** t)
        for param, step in zip(arrays, buffers.work_pieces):
            param -= step

    def _update(self, param: np.ndarray, grad: np.ndarray, state: dict[str, Any],
                group: dict[str, Any]) -> None:
        lr, (beta1, beta2), eps = group["lr"], group["betas"], group["eps"]
        if not state:
            start_moments(state, param)
            if group["amsgrad"]:
                state["max_exp_avg_sq"] = zeros_state(param)
        t = next_step(state)
        g = self._decayed_gradient(param, grad, group, group["decoupled_weight_decay"])
        m, v = state_array(state["exp_avg"]), state_array(state["exp_avg_sq"])
        work = self._scratch(param, 1)
        lerp_(m, g, 1 - beta1, work)                    # m = b1 m + (1 - b1) g
        running_average_of_squares_(v, g, beta2, work)  # v = b2 v + (1 - b2) g^2
        if group["amsgrad"]:
            if "max_exp_avg_sq" not in state:
                state["max_exp_avg_sq"] = zeros_state(param)
            v_max = state_array(state["max_exp_avg_sq"])
            v = np.maximum(v_max, v, out=v_max)
        # lr m_hat / (sqrt(v_hat) + eps) = (lr sqrt(c2) / c1) m / (sqrt(v) + eps sqrt(c2))
        # with c1 = 1 - b1^t, c2 = 1 - b2^t: the same value, one pass over v fewer.
        root_c2 = math.sqrt(1 - beta2 ** t)
        np.sqrt(v, out=work)
        work += eps * root_c2
        np.divide(m, work, out=work)
        work *= lr * root_c2 / (1 - beta1 ** t)
        param -= work


class AdamW(Adam):
    """AdamW: Adam with decoupled weight decay (Loshchilov & Hutter).

    Each step first shrinks the parameter, ``p = p * (1 - lr * weight_decay)``, then
    applies the Adam update above to the raw gradient (no L2 term added to g): Adam
    with ``decoupled_weight_decay=True``, which its param groups hold, as PyTorch's.
    """

    def __init__(self, params: ParamsT, lr: float = 1e-3,
                 betas: tuple[float, float] = (0.9, 0.999), eps: float = 1e-8,
                 weight_decay: float = 1e-2, amsgrad: bool = False,
                 maximize: bool = False, *, foreach: bool | None = None, capturable: bool = False,
                 differentiable: bool = False, fused: bool | None = None) -> None:
        super().__init__(params, lr=lr, betas=betas, eps=eps, weight_decay=weight_decay,
                         amsgrad=amsgrad, maximize=maximize, foreach=foreach,
                         capturable=capturable, differentiable=differentiable, fused=fused,
                         decoupled_weight_decay=True)
