"""The path of ``torch.distributions.multivariate_normal``, for
``from autograd.distributions.multivariate_normal import MultivariateNormal``
(the class lives in ``multivariate.py``)."""

from .multivariate import MultivariateNormal

__all__ = ["MultivariateNormal"]
