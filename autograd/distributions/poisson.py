"""The path of ``torch.distributions.poisson``, for
``from autograd.distributions.poisson import Poisson``
(the class lives in ``counts.py``)."""

from .counts import Poisson

__all__ = ["Poisson"]
