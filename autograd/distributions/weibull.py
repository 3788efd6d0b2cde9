"""The path of ``torch.distributions.weibull``, for
``from autograd.distributions.weibull import Weibull``
(the class lives in ``heavy_tailed.py``)."""

from .heavy_tailed import Weibull

__all__ = ["Weibull"]
