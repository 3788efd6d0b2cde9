"""Inverted dropout as a function: ``F.dropout(x, p, training)``, which ``nn.Dropout`` calls.

In training each element is kept with probability 1 - p and scaled by 1 / (1 - p), so
E[y] = x and nothing changes at evaluation: y = x * m / (1 - p), m ~ Bernoulli(1 - p);
dy/dx = m / (1 - p). The mask comes from a ``numpy.random.Generator``: the one given, or
nn's default generator (``nn.manual_seed`` resets it), so runs can be repeated.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from autograd import Tensor, as_tensor

from .._random import RNGLike, as_generator
from .._checks import real_number
from .activations import check_inplace

__all__ = ["dropout", "check_dropout_p"]


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
