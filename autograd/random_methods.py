"""``RandomMethods``: PyTorch's sampling methods of ``Tensor`` (a mixin): ``multinomial``,
``bernoulli``.

Each draws from ``generator=``, a ``numpy.random.Generator`` (a fresh unseeded one if
None, as ``autograd.rand``). The samples are constants: no gradient flows through a draw.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ._random import as_generator
from ._sampling import check_probabilities, float_dtype, multinomial_indices
from .errors import UsageError

__all__ = ["RandomMethods"]

AnyTensor = Any  # a Tensor: this module sits below the Tensor class


class RandomMethods:
    """The sampling methods of ``Tensor`` (a mixin: Tensor is the only subclass)."""

    __slots__ = ()

    def multinomial(self, num_samples: int, replacement: bool = False, *,
                    generator: Any = None) -> AnyTensor:
        """int64 indices of ``num_samples`` categories drawn with probabilities
        proportional to self's (unnormalised) weights, as ``torch.multinomial``: a 1-d self
        gives shape ``(num_samples,)``, a 2-d one ``(rows, num_samples)``, one draw per
        row. Without replacement each category comes at most once."""
        rng = as_generator(generator, "multinomial")
        return type(self)(multinomial_indices(self.data, num_samples, replacement, rng))

    def bernoulli(self, p: Any = None, *, generator: Any = None) -> AnyTensor:
        """0s and 1s of self's shape and dtype, each 1 with probability self (a floating
        tensor of probabilities), or ``p`` for every element when ``p`` (a number) is
        given, as ``torch.bernoulli``: ``mask = autograd.full_like(x, 0.8).bernoulli()``."""
        rng = as_generator(generator, "bernoulli")
        if p is None:
            float_dtype(self.dtype, "the probabilities", "bernoulli")
            probabilities = check_probabilities(self.data, "bernoulli")
        elif np.ndim(getattr(p, "data", p)) == 0:
            probabilities = check_probabilities(getattr(p, "data", p), "bernoulli")
        else:
            raise UsageError(f"bernoulli: p is one probability for every element (a "
                             f"number); got shape {np.shape(getattr(p, 'data', p))}. For one "
                             f"per element, write autograd.bernoulli(probabilities)")
        return type(self)((rng.random(self.shape) < probabilities).astype(self.dtype))
