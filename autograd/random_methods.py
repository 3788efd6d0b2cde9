"""``RandomMethods``: PyTorch's sampling methods of ``Tensor`` (a mixin): ``multinomial``.

Each draws from ``generator=``, a ``numpy.random.Generator`` (a fresh unseeded one if
None, as ``autograd.rand``). The samples are constants: no gradient flows through a draw.
"""

from __future__ import annotations

from typing import Any

from ._random import as_generator
from ._sampling import multinomial_indices

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
