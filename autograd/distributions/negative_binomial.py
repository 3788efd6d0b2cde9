"""The path of ``torch.distributions.negative_binomial``, for
``from autograd.distributions.negative_binomial import NegativeBinomial``
(the class lives in ``counts.py``)."""

from .counts import NegativeBinomial

__all__ = ["NegativeBinomial"]
