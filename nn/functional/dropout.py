"""Inverted dropout as a function: ``F.dropout(x, p, training)``, which ``nn.Dropout`` calls,
and ``F.alpha_dropout``, which ``nn.AlphaDropout`` calls (for SELU networks).

In training each element is kept with probability 1 - p and scaled by 1 / (1 - p), so
E[y] = x and nothing changes at evaluation: y = x * m / (1 - p), m ~ Bernoulli(1 - p);
dy/dx = m / (1 - p). The mask comes from a ``numpy.random.Generator``: the one given, or
nn's default generator (``nn.manual_seed`` resets it), so runs can be repeated.

Alpha dropout sets the dropped elements to SELU's negative saturation -alpha' instead of
0, then applies y = a * kept + b with a and b chosen so that inputs of mean 0 and
variance 1 keep them (PyTorch's rule).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from autograd import Tensor, as_tensor

from .._random import RNGLike, as_generator
from .._checks import real_number
from .activations import check_inplace
from .more_activations import SELU_ALPHA, SELU_SCALE

__all__ = ["dropout", "alpha_dropout", "check_dropout_p"]

_SATURATION = SELU_SCALE * SELU_ALPHA  # alpha' = 1.7581: selu(x) -> -alpha' as x -> -inf


def check_dropout_p(name: str, p: Any) -> float:
    """``p`` as a float in [0, 1], or a named error (``nn._checks``' rule)."""
    return real_number(name, "p", p, minimum=0, maximum=1,
                       advice="p is the probability of zeroing an element.")


def dropout(x: Any, p: float = 0.5, training: bool = True, inplace: bool = False, *,
            generator: RNGLike = None) -> Tensor:
    """Zero each element with probability ``p`` and scale the rest by 1 / (1 - p) when
    ``training`` (PyTorch's default is True here too); x itself otherwise. ``p = 1``
    gives zeros. ``inplace`` is accepted for PyTorch compatibility: the result is
    computed out of place (same values and gradients, no memory shared with x)."""
    p = check_dropout_p("dropout", p)
    check_inplace("dropout", inplace)
    x = as_tensor(x)
    if not training or p == 0.0:
        return x
    dtype = x.dtype if x.dtype.kind == "f" else np.dtype(np.float64)
    if p == 1.0:
        return x * np.zeros(x.shape, dtype)
    mask = (as_generator(generator, "generator").random(x.shape) >= p).astype(dtype)
    mask *= dtype.type(1.0 / (1.0 - p))
    return x * mask


def alpha_dropout(x: Any, p: float = 0.5, training: bool = False, inplace: bool = False, *,
                  generator: RNGLike = None) -> Tensor:
    """When ``training`` (False by default, as PyTorch's ``F.alpha_dropout``): keep each
    element with probability 1 - p, set the others to -alpha' (alpha' = 1.7581, SELU's
    negative saturation), then y = a * that + a alpha' p with
    a = ((1 - p)(1 + p alpha'^2))^-1/2, so inputs of mean 0 and variance 1 keep them;
    dy/dx = a m (m the keep mask). x itself otherwise or for p = 0; p = 1 gives zeros
    (as PyTorch). ``inplace`` is accepted for PyTorch compatibility (out of place)."""
    p = check_dropout_p("alpha_dropout", p)
    check_inplace("alpha_dropout", inplace)
    x = as_tensor(x)
    if not training or p == 0.0:
        return x
    dtype = x.dtype if x.dtype.kind == "f" else np.dtype(np.float64)
    if p == 1.0:
        return x * np.zeros(x.shape, dtype)
    keep = as_generator(generator, "generator").random(x.shape) >= p
    a = 1.0 / np.sqrt((1.0 - p) * (1.0 + p * _SATURATION ** 2))
    scale = np.where(keep, a, 0.0).astype(dtype)  # a m
    shift = (a * _SATURATION * (keep - 1.0 + p)).astype(dtype)  # -a alpha' (1 - m) + b
    return x * scale + shift
