"""The path of ``torch.distributions.pareto``, for
``from autograd.distributions.pareto import Pareto``
(the class lives in ``heavy_tailed.py``)."""

from .heavy_tailed import Pareto

__all__ = ["Pareto"]
