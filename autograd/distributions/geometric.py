"""The path of ``torch.distributions.geometric``, for
``from autograd.distributions.geometric import Geometric``
(the class lives in ``geometric_binomial.py``)."""

from .geometric_binomial import Geometric

__all__ = ["Geometric"]
