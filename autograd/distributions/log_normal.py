"""The path of ``torch.distributions.log_normal``, for
``from autograd.distributions.log_normal import LogNormal``
(the class lives in ``transformed.py``)."""

from .transformed import LogNormal

__all__ = ["LogNormal"]
