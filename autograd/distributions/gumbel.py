"""The path of ``torch.distributions.gumbel``, for
``from autograd.distributions.gumbel import Gumbel``
(the class lives in ``gumbel_half_normal.py``)."""

from .gumbel_half_normal import Gumbel

__all__ = ["Gumbel"]
