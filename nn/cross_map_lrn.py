"""PyTorch's ``nn.CrossMapLRN2d``: local response normalisation across the channels of
(N, C, H, W) input with the window of Lua Torch's ``SpatialCrossMapLRN`` (a running sum),
which PyTorch keeps. It is not ``LocalResponseNorm``: the window reaches p - 1 channels
above c and below it (p = (size - 1) // 2 + 1; an even size gives 2p - 1 channels, not
size), and channel 0, once in the running sum, never leaves it."""
from __future__ import annotations

from typing import Any

import numpy as np

from autograd import Tensor, as_tensor, einsum
from autograd.errors import ShapeError

from .functional.normalization import check_lrn_args
from .module import Module

__all__ = ["CrossMapLRN2d", "legacy_lrn_window"]


def legacy_lrn_window(channels: int, size: int) -> np.ndarray:
    """The (C, C) 0/1 matrix M of the channels PyTorch's CrossMapLRN2d sums: M[c, j] = 1
    when j <= c + p - 1 and (j >= c - p + 1 or j = 0), with p = (size - 1) // 2 + 1."""
    c, j = np.ogrid[:channels, :channels]
    p = (size - 1) // 2 + 1
    return ((j <= c + p - 1) & ((j >= c - p + 1) | (j == 0))).astype(np.float64)


class CrossMapLRN2d(Module):
    """y[:, c] = x[:, c] * (k + alpha / size * sum_j M[c, j] x[:, j]^2)^(-beta) for x of
    shape (N, C, H, W), M the window of ``legacy_lrn_window`` (PyTorch's values). The
    gradient is the engine's, the derivative of these values: PyTorch's hand-written
    backward is not (it differs from finite differences of its own forward, and fails
    for size 1). No parameters; the same in training and evaluation."""

    def __init__(self, size: int, alpha: float = 1e-4, beta: float = 0.75,
                 k: float = 1) -> None:
        super().__init__()
        self.size, self.alpha, self.beta, self.k = check_lrn_args(
            "CrossMapLRN2d", size, alpha, beta, k)

    def forward(self, input: Any) -> Tensor:  # noqa: A002
        x = as_tensor(input)
        if x.ndim != 4:
            raise ShapeError(f"{self!r} expects 4-d input (N, C, H, W), as PyTorch's; got "
                             f"shape {x.shape}. Add the missing axes, e.g. x[None] for one "
                             f"image, or use LocalResponseNorm for other ranks.")
        dtype = np.result_type(x.dtype, np.float16)  # x's float dtype; integers: float64
        window = Tensor(legacy_lrn_window(x.shape[1], self.size).astype(dtype))
        sums = einsum("cj,njhw->nchw", window, x * x)
        return x * (sums * (self.alpha / self.size) + self.k) ** (-self.beta)

    def extra_repr(self) -> str:
        return f"{self.size}, alpha={self.alpha}, beta={self.beta}, k={self.k}"
