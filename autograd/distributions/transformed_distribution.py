"""The path of ``torch.distributions.transformed_distribution``, for
``from autograd.distributions.transformed_distribution import TransformedDistribution``
(the class lives in ``transformed.py``)."""

from .transformed import TransformedDistribution

__all__ = ["TransformedDistribution"]
