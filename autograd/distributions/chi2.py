"""The path of ``torch.distributions.chi2``, for
``from autograd.distributions.chi2 import Chi2``
(the class lives in ``heavy_tailed.py``)."""

from .heavy_tailed import Chi2

__all__ = ["Chi2"]
