"""The path of ``torch.distributions.relaxed_bernoulli``, for
``from autograd.distributions.relaxed_bernoulli import RelaxedBernoulli``
(the classes live in ``relaxed.py`` and ``relaxed_logit.py``)."""

from .relaxed import RelaxedBernoulli
from .relaxed_logit import LogitRelaxedBernoulli

__all__ = ["RelaxedBernoulli", "LogitRelaxedBernoulli"]
