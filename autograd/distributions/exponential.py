"""The path of ``torch.distributions.exponential``, for
``from autograd.distributions.exponential import Exponential``
(the class lives in ``laplace_exponential.py``)."""

from .laplace_exponential import Exponential

__all__ = ["Exponential"]
