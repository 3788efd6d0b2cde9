"""The path of ``torch.distributions.binomial``, for
``from autograd.distributions.binomial import Binomial``
(the class lives in ``geometric_binomial.py``)."""

from .geometric_binomial import Binomial

__all__ = ["Binomial"]
