"""The path of ``torch.distributions.half_normal``, for
``from autograd.distributions.half_normal import HalfNormal``
(the class lives in ``gumbel_half_normal.py``)."""

from .gumbel_half_normal import HalfNormal

__all__ = ["HalfNormal"]
