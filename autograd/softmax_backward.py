"""PyTorch's ``torch._softmax_backward_data(grad_output, output, dim, input_dtype)``: the
vector-Jacobian product of softmax given its output y, ``y * (g - sum(g * y, dim))``,
in ``input_dtype``. Hugging Face's DeBERTa calls it in the backward of its masked softmax
``XSoftmax`` (an ``autograd.Function``). Built from differentiable tensor ops, so a
double backward through it works too."""

from __future__ import annotations

from typing import Any

import numpy as np

from .tensor import Tensor

__all__ = ["_softmax_backward_data"]


def _softmax_backward_data(grad_output: Any, output: Any, dim: int,
                           input_dtype: Any) -> Tensor:
    """dx = y * (g - (g * y).sum(dim, keepdim=True)) for y = softmax(x, dim) and the
    upstream gradient g, cast to ``input_dtype`` (PyTorch's private op of that name)."""
    g = grad_output if isinstance(grad_output, Tensor) else Tensor(np.asarray(grad_output))
    y = output if isinstance(output, Tensor) else Tensor(np.asarray(output))
    return (y * (g - (g * y).sum(dim, keepdim=True))).to(input_dtype)
