"""The path of ``torch.distributions.dirichlet``, for
``from autograd.distributions.dirichlet import Dirichlet``
(the class lives in ``gamma.py``)."""

from .gamma import Dirichlet

__all__ = ["Dirichlet"]
