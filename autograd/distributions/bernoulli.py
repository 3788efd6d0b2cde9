"""The path of ``torch.distributions.bernoulli``, for
``from autograd.distributions.bernoulli import Bernoulli``
(the class lives in ``discrete.py``)."""

from .discrete import Bernoulli

__all__ = ["Bernoulli"]
