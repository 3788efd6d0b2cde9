"""Sampling from distributions, with PyTorch's signatures: ``multinomial``.

Every function draws from ``generator=``, a ``numpy.random.Generator`` (a fresh unseeded
one if None, as ``autograd.rand``), so a seeded generator reproduces the samples. The
samples are constants: no gradient flows through a draw.
"""

from __future__ import annotations

from typing import Any

from .tensor import Tensor, as_tensor

__all__ = ["multinomial"]


def multinomial(input: Any, num_samples: int, replacement: bool = False, *,  # noqa: A002
                generator: Any = None) -> Tensor:
    """int64 indices of categories drawn from the unnormalised weights ``input`` (1-d, or
    2-d for one distribution per row), as ``torch.multinomial``; see
    ``Tensor.multinomial``. Sampling text: ``multinomial(softmax(logits / T), 1)``."""
    return as_tensor(input).multinomial(num_samples, replacement, generator=generator)
