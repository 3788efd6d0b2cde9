"""The path of ``torch.distributions.cauchy``, for
``from autograd.distributions.cauchy import Cauchy``
(the class lives in ``heavy_tailed.py``)."""

from .heavy_tailed import Cauchy

__all__ = ["Cauchy"]
