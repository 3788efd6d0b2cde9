"""The one rule for ``generator=`` arguments (``rand``, ``randn``, ``uniform_``,
``normal_``): a ``numpy.random.Generator``, or None for a fresh unseeded one."""

from __future__ import annotations

from typing import Any

import numpy as np

from .errors import GeneratorError

__all__ = ["as_generator"]


def as_generator(generator: Any, where: str) -> np.random.Generator:
    """``generator`` itself, or ``np.random.default_rng()`` for None; anything else
    raises ``GeneratorError`` naming ``where`` (the function it was given to)."""
    if generator is None:
        return np.random.default_rng()
    if not isinstance(generator, np.random.Generator):
        raise GeneratorError(f"{where}: generator must be a numpy.random.Generator (e.g. "
                             f"np.random.default_rng(0)); got {type(generator).__name__}")
    return generator
