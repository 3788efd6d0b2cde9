"""``torch.distributions.utils``'s helpers, for code that imports them from there (masked
categoricals re-set ``probs = logits_to_probs(logits)``): conversions between probabilities
and logits, ``clamp_probs``, and the two helpers the distributions themselves use,
``broadcast_all`` and ``lazy_property``."""

from __future__ import annotations

from typing import Any

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
