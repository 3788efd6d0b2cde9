"""Muon (momentum orthogonalized by Newton-Schulz) with PyTorch's names, defaults, update
rule and state keys (``torch.optim.Muon``), for 2-D parameters."""
from __future__ import annotations

import math
from typing import Any

import numpy as np

from .._checks import integer, real_number
from .optimizer import Optimizer, ParamsT, check, check_nonneg
from .state_tensors import state_array, zeros_state

__all__ = ["Muon", "zeropower_via_newtonschulz"]

_LR_ADJUSTMENTS = (None, "original", "match_rms_adamw")


def zeropower_via_newtonschulz(matrix: np.ndarray, coefficients: tuple[float, float, float],
                               steps: int, eps: float) -> np.ndarray:
    """About U V^T of ``matrix`` = U S V^T: X = M / max(||M||_F, eps) (on the wide side,
    M^T for a tall M), then ``steps`` times X = a X + (b A + c A^2) X with A = X X^T.
    (PyTorch runs it in bfloat16; here in the matrix's dtype.)"""
    a, b, c = coefficients
    tall = matrix.shape[0] > matrix.shape[1]
    x = matrix.T if tall else matrix
    x = x / max(float(np.linalg.norm(x)), eps)
    for _ in range(steps):
        gram = x @ x.T
        x = a * x + (b * gram + c * gram @ gram) @ x
    return x.T if tall else x


class Muon(Optimizer):
    """Muon, following PyTorch's documented algorithm, for 2-D parameters (use AdamW for
    biases, embeddings and heads).

    With gradient g, momentum mu, (a, b, c) = ns_coefficients and k = ns_steps::

        B = lerp(B, g, 1 - mu)
        O = NS_k(lerp(g, B, mu) if nesterov else B)     (zeropower_via_newtonschulz)
        p = p * (1 - lr * weight_decay)
        p = p - lr' * O

    with lr' = lr * sqrt(max(1, rows / cols)) ("original", the default) or
    lr * 0.2 * sqrt(max(rows, cols)) ("match_rms_adamw"). State per parameter:
    ``momentum_buffer`` (B).
    """

    def __init__(self, params: ParamsT, lr: float = 1e-3, weight_decay: float = 0.1,
                 momentum: float = 0.95, nesterov: bool = True,
                 ns_coefficients: tuple[float, float, float] = (3.4445, -4.7750, 2.0315),
                 eps: float = 1e-7, ns_steps: int = 5,
                 adjust_lr_fn: str | None = None) -> None:  # PyTorch's order and defaults
        defaults = dict(lr=lr, weight_decay=weight_decay, momentum=momentum,
                        nesterov=nesterov, ns_coefficients=ns_coefficients, eps=eps,
                        ns_steps=ns_steps, adjust_lr_fn=adjust_lr_fn)
        super().__init__(params, defaults)

    def _validate_group(self, group: dict[str, Any]) -> None:
        owner = type(self).__name__
        check_nonneg(owner, group, "lr", "weight_decay", "momentum", "eps")
        integer(owner, "ns_steps", group["ns_steps"], minimum=0, maximum=99)
        coefficients = group["ns_coefficients"]
        check(isinstance(coefficients, (tuple, list)) and len(coefficients) == 3,
              "ns_coefficients", coefficients, "three numbers (a, b, c)")
        for name, value in zip("abc", coefficients):
            real_number(owner, f"ns_coefficients {name}", value)
        check(group["adjust_lr_fn"] in _LR_ADJUSTMENTS, "adjust_lr_fn", group["adjust_lr_fn"],
              "None, 'original' or 'match_rms_adamw'")
        for p in group["params"]:
            check(p.ndim == 2, "parameter", tuple(p.shape),
                  "a matrix: Muon only supports 2-D parameters; give biases, embeddings "
                  "and other parameters to AdamW")

    def _update(self, param: np.ndarray, grad: np.ndarray, state: dict[str, Any],
                group: dict[str, Any]) -> None:
        if not state:
            state["momentum_buffer"] = zeros_state(param)
        momentum, lr = group["momentum"], group["lr"]
        buf = state_array(state["momentum_buffer"])
        buf += (1 - momentum) * (grad - buf)
        direction = grad + momentum * (buf - grad) if group["nesterov"] else buf
        update = zeropower_via_newtonschulz(direction, tuple(group["ns_coefficients"]),
                                            group["ns_steps"], group["eps"])
        rows, cols = param.shape
        if group["adjust_lr_fn"] == "match_rms_adamw":
            adjusted = lr * 0.2 * math.sqrt(max(rows, cols))
        else:
            adjusted = lr * math.sqrt(max(1, rows / cols))
        param *= 1 - lr * group["weight_decay"]
        param -= adjusted * update
