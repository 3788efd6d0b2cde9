"""Random generators for ``nn``: random functions take ``rng: Generator | int | None``.

* a ``numpy.random.Generator`` is used as given (its state advances, so a model built
  from one generator is reproducible layer after layer);
* an int is a seed: ``np.random.default_rng(seed)``;
* ``None`` means the process-wide default generator, ``autograd.default_generator``,
  which ``manual_seed(n)`` (``autograd.manual_seed``, as ``torch.manual_seed``) reseeds,
  so scripts that pass no generator can still be repeated: ``autograd.randn`` and
  ``nn.Dropout`` draw from the same one.
"""
from __future__ import annotations

import numbers

import autograd
import numpy as np
from autograd import manual_seed
from autograd.errors import GeneratorError

from .errors import ConfigError

__all__ = ["RNGLike", "as_generator", "default_generator", "manual_seed", "reset_from"]

RNGLike = np.random.Generator | int | None


def default_generator() -> np.random.Generator:
    """The generator used when ``rng=None``: ``autograd.default_generator``."""
    return autograd.default_generator


def as_generator(rng: RNGLike, name: str = "rng") -> np.random.Generator:
    """``rng`` as a ``numpy.random.Generator`` (see the module docstring); ``name`` is the
    caller's name for the argument, used in the error message. Anything else raises
    autograd's ``GeneratorError`` (a TypeError), as ``autograd.randn(generator=)`` does."""
    if rng is None:
        return autograd.default_generator
    if isinstance(rng, np.random.Generator):
        return rng
    _check_seed(rng, name)
    return np.random.default_rng(int(rng))


def _check_seed(seed: object, name: str = "rng") -> None:
    if isinstance(seed, bool) or not isinstance(seed, numbers.Integral):
        raise GeneratorError(f"{name} must be a numpy.random.Generator, an int seed or None; "
                             f"got {type(seed).__name__} {seed!r}. Pass e.g. "
                             f"{name}=np.random.default_rng(0) or {name}=0.")
    if seed < 0:
        raise ConfigError(f"a seed must be a non-negative int; got {seed}")


def reset_from(module: object, rng: RNGLike) -> None:
    """A layer's first ``module.reset_parameters()``, given ``rng`` only when one was given:
    a subclass may override it with PyTorch's signature, ``reset_parameters(self)``
    (loralib's layers do), and ``rng=None`` draws from the default generator anyway."""
    if rng is None:
        module.reset_parameters()
    else:
        module.reset_parameters(rng)
