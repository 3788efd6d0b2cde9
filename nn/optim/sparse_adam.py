"""SparseAdam: PyTorch's lazy Adam for embedding tables (``Embedding(..., sparse=True)``)."""
from __future__ import annotations

import math
from typing import Any

import numpy as np

from .adam import check_betas, start_moments
from .optimizer import Optimizer, ParamsT
from .state_tensors import next_step, state_array
from .._checks import real_number

__all__ = ["SparseAdam"]


class SparseAdam(Optimizer):
    """Adam that moves only the rows the gradient touches, as PyTorch's ``SparseAdam``.

    PyTorch hands it a sparse gradient holding the looked-up rows of an embedding; here
    gradients are dense, and a row (index along axis 0) that is zero throughout counts
    as absent. For the touched rows R, at step t (from 1; every step with a gradient
    counts), with b1, b2 = betas::

        m[R] = m[R] + (1 - b1) * (g[R] - m[R])
        v[R] = v[R] + (1 - b2) * (g[R]^2 - v[R])
        p[R] = p[R] - lr * sqrt(1 - b2^t) / (1 - b1^t) * m[R] / (sqrt(v[R]) + eps)

    The other rows keep their values and moments (no decay, unlike ``Adam``).
    ``maximize=True`` uses -g. State per parameter: ``step``, ``exp_avg`` (m),
    ``exp_avg_sq`` (v).
    """

    def __init__(self, params: ParamsT, lr: float = 1e-3,
                 betas: tuple[float, float] = (0.9, 0.999), eps: float = 1e-8,
                 maximize: bool = False) -> None:
        defaults = dict(lr=lr, betas=betas, eps=eps, maximize=maximize)
        super().__init__(params, defaults)

    def _validate_group(self, group: dict[str, Any]) -> None:
        owner = type(self).__name__
        real_number(owner, "lr", group["lr"], minimum=0, open_min=True)  # PyTorch: lr > 0
        real_number(owner, "eps", group["eps"], minimum=0, open_min=True)
        check_betas(owner, group)

    def _update(self, param: np.ndarray, grad: np.ndarray, state: dict[str, Any],
                group: dict[str, Any]) -> None:
        lr, (beta1, beta2), eps = group["lr"], group["betas"], group["eps"]
        if not state:  # as PyTorch's SparseAdam: an int step, Tensor moments
            start_moments(state, param)
            state["step"] = 0
        step = next_step(state)
        rows = touched_rows(grad)
        if rows is None:  # PyTorch skips an empty sparse gradient (its step still counts)
            return
        g, m, v = grad[rows], state_array(state["exp_avg"]), state_array(state["exp_avg_sq"])
        m_rows = m[rows] + (g - m[rows]) * (1 - beta1)  # PyTorch's order of operations
        v_rows = v[rows] + (g * g - v[rows]) * (1 - beta2)
        m[rows], v[rows] = m_rows, v_rows
        step_size = lr * math.sqrt(1 - beta2 ** step) / (1 - beta1 ** step)
        param[rows] += -step_size * (m_rows / (np.sqrt(v_rows) + eps))


def touched_rows(grad: np.ndarray) -> Any:
    """An index of the rows (along axis 0) where ``grad`` has a nonzero entry: an int array,
    ``()`` for a nonzero 0-d gradient, None when nothing is touched."""
    if grad.ndim == 0:
        return () if grad != 0 else None
    rows = np.flatnonzero(grad.reshape(grad.shape[0], -1).any(axis=1))
    return rows if rows.size else None
