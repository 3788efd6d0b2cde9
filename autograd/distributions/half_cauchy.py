"""The path of ``torch.distributions.half_cauchy``, for
``from autograd.distributions.half_cauchy import HalfCauchy``
(the class lives in ``heavy_tailed.py``)."""

from .heavy_tailed import HalfCauchy

__all__ = ["HalfCauchy"]
