"""torchvision.ops' stochastic depth ("Deep Networks with Stochastic Depth", Huang et al.):
the residual branch of a whole sample (``mode="row"``) or of the whole batch
(``mode="batch"``) is dropped with probability p in training, as ConvNeXt, Swin and
EfficientNet in torchvision do; timm calls the row mode ``DropPath``.

y = x * m / (1 - p), m ~ Bernoulli(1 - p) drawn once per sample (row) or once (batch),
broadcast over the other axes; dy/dx = m / (1 - p). ``p = 1`` gives zeros. In evaluation
or for p = 0, y is x itself.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from autograd import Tensor, as_tensor

from .._random import RNGLike, as_generator
from ..errors import ConfigError
from ..functional.dropout import check_dropout_p
from ..module import Module

__all__ = ["stochastic_depth", "StochasticDepth"]

_MODES = ("batch", "row")


def _check_mode(mode: Any) -> str:
    if mode not in _MODES:
        raise ConfigError(f"stochastic_depth: mode must be 'row' (one draw per sample) or "
                          f"'batch' (one draw for the whole batch); got {mode!r}")
    return mode


def stochastic_depth(input: Any, p: float, mode: str, training: bool = True, *,
                     generator: RNGLike = None) -> Tensor:
    """Drop whole samples (``"row"``) or the whole batch (``"batch"``) with probability p:
    y = x * m / (1 - p), m ~ Bernoulli(1 - p) of shape (N, 1, ..., 1) or (1, ..., 1).
    ``training`` is True by default, as torchvision's; ``generator`` as ``F.dropout``'s."""
    p = check_dropout_p("stochastic_depth", p)
    mode = _check_mode(mode)
    x = as_tensor(input)
    if not training or p == 0.0:
        return x
    shape = (x.shape[0],) + (1,) * (x.ndim - 1) if mode == "row" else (1,) * x.ndim
    dtype = x.dtype if x.dtype.kind == "f" else np.dtype(np.float64)
    keep = as_generator(generator, "generator").random(shape) >= p
    scale = 0.0 if p == 1.0 else 1.0 / (1.0 - p)
    return x * (keep.astype(dtype) * dtype.type(scale))


class StochasticDepth(Module):
    """``stochastic_depth`` as a layer: drops in ``train()`` mode, the identity in
    ``eval()``. ``StochasticDepth(p, mode)`` with mode ``"row"`` or ``"batch"``."""

    def __init__(self, p: float, mode: str) -> None:
        super().__init__()
        self.p = check_dropout_p("StochasticDepth", p)
        self.mode = _check_mode(mode)

    def forward(self, input: Any) -> Tensor:
        return stochastic_depth(input, self.p, self.mode, self.training)

    def __repr__(self) -> str:
        return f"{type(self).__name__}(p={self.p}, mode={self.mode})"
