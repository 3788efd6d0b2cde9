"""The path of ``torch.distributions.laplace``, for
``from autograd.distributions.laplace import Laplace``
(the class lives in ``laplace_exponential.py``)."""

from .laplace_exponential import Laplace

__all__ = ["Laplace"]
