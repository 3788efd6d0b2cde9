"""The one rule for ``generator=`` arguments (``rand``, ``randn``, ``uniform_``,
``normal_``): a ``numpy.random.Generator``, or None for a fresh unseeded one."""

from __future__ import annotations

from typing import Any

import numpy as np

from .errors import GeneratorError

__all__ = ["as_generator", "below"]


def as_generator(generator: Any, where: str) -> np.random.Generator:
    """``generator`` itself, or ``np.random.default_rng()`` for None; anything else
    raises ``GeneratorError`` naming ``where`` (the function it was given to)."""
    if generator is None:
        return np.random.default_rng()
    if not isinstance(generator, np.random.Generator):
        raise GeneratorError(f"{where}: generator must be a numpy.random.Generator (e.g. "
                             f"np.random.default_rng(0)); got {type(generator).__name__}")
    return generator


def below(sample: np.ndarray, low: float, high: float, dtype: Any) -> np.ndarray:
    """``sample`` (float64 draws in [low, high)) in ``dtype``, still below ``high``:
    rounding to a narrower dtype can land on ``high`` itself (float16: about 0.03% of the
    draws in [0, 1)); those become the largest ``dtype`` value below it."""
    out = sample.astype(dtype, copy=False)
    if low < high:
        top = np.nextafter(np.asarray(high, dtype), np.asarray(low, dtype))
        np.minimum(out, top, out=out)
    return out
