"""Stochastic gradient descent with optional momentum, dampening, Nesterov and L2 decay."""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from .._checks import flag
from .optimizer import (Optimizer, ParamsT, _count_write, call_closure, check,
                        check_nonneg)
from .state_tensors import copied_state, state_array
from .torch_flags import accept_torch_flags

__all__ = ["SGD"]

# p -= lr g goes through a scratch array (the stored gradient must not change); a large
# parameter goes in pieces of this many elements (128 KB of float32), so that the scratch
# stays in the CPU's cache. Whole, the scratch for the mlp benchmark's 784x256 weight
# pushed the weight and its gradient out of a 2 MB L2 cache: SGD.step in the training
# step took 194 us against 150 us in pieces at batch 32 (215 -> 171 us at 128; pieces
# of 16k and 64k elements: 153-177 us), and 111 us for the in-place `g *= lr` that
# would change the gradient.
_PIECE = 32768


class SGD(Optimizer):
    """SGD, following PyTorch's documented algorithm.

    With gradient g, at step t::

        g = g + weight_decay * p                        (if weight_decay != 0)
        b = g                                           (t = 1)
        b = momentum * b + (1 - dampening) * g          (t > 1)
        g = g + momentum * b  if nesterov  else  b      (if momentum != 0)
        p = p - lr * g

    With ``maximize=True``, g is replaced by -g first (gradient ascent), as in every
    optimizer here. State per parameter: ``momentum_buffer`` (only when momentum != 0).
    """

    def __init__(self, params: ParamsT, lr: float = 1e-3, momentum: float = 0.0,
                 dampening: float = 0.0, weight_decay: float = 0.0, nesterov: bool = False,
                 maximize: bool = False, *, foreach: bool | None = None,
                 differentiable: bool = False,
                 fused: bool | None = None) -> None:  # PyTorch's order and defaults
        accept_torch_flags("SGD", foreach=foreach, differentiable=differentiable, fused=fused)
        defaults = dict(lr=lr, momentum=momentum, dampening=dampening,
                        nesterov=nesterov, weight_decay=weight_decay, maximize=maximize)
        super().__init__(params, defaults)

    def _validate_group(self, group: dict[str, Any]) -> None:
        owner = type(self).__name__
        check_nonneg(owner, group, "lr", "momentum", "dampening", "weight_decay")
        flag(owner, "nesterov", group["nesterov"])
        if group["nesterov"]:
            check(group["momentum"] > 0 and group["dampening"] == 0, "nesterov", True,
                  "momentum > 0 and dampening == 0 for Nesterov momentum, got "
                  f"momentum={group['momentum']!r}, dampening={group['dampening']!r}")

    def step(self, closure: Callable[[], Any] | None = None) -> Any:
        loss = call_closure(closure)
        for group in self.param_groups:
            if group["momentum"] != 0 or group["weight_decay"] != 0 or group["maximize"]:
                self._step_group(group)
                continue
            lr = group["lr"]  # plain SGD, p = p - lr g: no state, one loop
            for p in group["params"]:
                grad = p.grad
                if grad is not None:
                    self._descend(p.data, grad.data, lr)
                    _count_write(p)
        return loss

    step.__doc__ = Optimizer.step.__doc__

    def _update(self, param: np.ndarray, grad: np.ndarray, state: dict[str, Any],
                group: dict[str, Any]) -> None:
        momentum, weight_decay = group["momentum"], group["weight_decay"]
        d_p = self._with_weight_decay(param, grad, weight_decay)
        if momentum != 0:
            buf = state.get("momentum_buffer")
            if buf is None:  # a Tensor, as PyTorch's; the update works on its array
                state["momentum_buffer"] = buf_tensor = copied_state(d_p, param.dtype)
                buf = buf_tensor.data
            else:
                buf = state_array(buf)
                buf *= momentum
                if group["dampening"] != 0:
                    tmp = self._scratch(param, 1)
                    np.multiply(d_p, 1 - group["dampening"], out=tmp)
                    buf += tmp
                else:
                    buf += d_p
            if group["nesterov"]:
                tmp = self._scratch(param, 1)
                np.multiply(buf, momentum, out=tmp)
                tmp += d_p
                d_p = tmp
            else:
                d_p = buf
        self._descend(param, d_p, group["lr"])

    def _descend(self, param: np.ndarray, grad: np.ndarray, lr: float) -> None:
        """param -= lr * grad in place, grad unchanged: lr * grad goes through a scratch
        array, piece by piece (``_PIECE`` elements) when both arrays are contiguous in the
        same memory order, so that the piece can be the same small array each time."""
        if param.size <= _PIECE or param.strides != grad.strides or not param.flags.forc:
            step = self._scratch(param, 4)  # (the other slots may hold grad: see _update)
            np.multiply(grad, lr, out=step)
            param -= step
            return
        flat_param, flat_grad = param.ravel(order="K"), grad.ravel(order="K")  # views
        piece = self._scratch(flat_param[:_PIECE], 4)
        for start in range(0, flat_param.size, _PIECE):
            param_part = flat_param[start:start + _PIECE]
            step = piece[:param_part.size]
            np.multiply(flat_grad[start:start + _PIECE], lr, out=step)
            param_part -= step
