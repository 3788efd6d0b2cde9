"""``torch.distributions.utils``'s helpers, for code that imports them from there (masked
categoricals re-set ``probs = logits_to_probs(logits)``): conversions between probabilities
and logits, ``clamp_probs``, the two helpers the distributions themselves use,
``broadcast_all`` and ``lazy_property``, and ``_standard_normal``, private in PyTorch but
imported by DrQ-v2's ``TruncatedNormal`` (and the many visual-RL agents that copy it)."""

from __future__ import annotations

from typing import Any

from ..creation import randn
from ..functions import log, sigmoid, softmax
from ..more_functions import log1p
from ..tensor import Tensor, as_tensor
from .discrete import clamp_probs
from .distribution import broadcast_all, lazy_property

__all__ = ["logits_to_probs", "probs_to_logits", "clamp_probs", "broadcast_all",
           "lazy_property"]


def logits_to_probs(logits: Any, is_binary: bool = False) -> Tensor:
    """softmax(logits) over the last axis; with ``is_binary``, sigmoid(logits) (one
    Bernoulli probability per entry)."""
    logits = as_tensor(logits)
    return sigmoid(logits) if is_binary else softmax(logits, -1)


def probs_to_logits(probs: Any, is_binary: bool = False) -> Tensor:
    """log(p) of p clamped to [eps, 1 - eps] (not renormalised); with ``is_binary``,
    log(p) - log(1 - p), the inverse of sigmoid."""
    p = clamp_probs(as_tensor(probs))
    return log(p) - log1p(-p) if is_binary else log(p)


def _standard_normal(shape: Any, dtype: Any = None, device: Any = None) -> Tensor:
    """N(0, 1) draws of ``shape`` from the default generator (``autograd.randn``'s), a
    constant, as PyTorch's ``torch.distributions.utils._standard_normal``."""
    return randn(tuple(shape), dtype=dtype, device=device)
