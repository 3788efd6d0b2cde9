"""The path of ``torch.distributions.relaxed_bernoulli``, for
``from autograd.distributions.relaxed_bernoulli import RelaxedBernoulli``
(the class lives in ``relaxed.py``)."""

from .relaxed import RelaxedBernoulli

__all__ = ["RelaxedBernoulli"]
