"""The path of ``torch.distributions.beta``, for
``from autograd.distributions.beta import Beta``
(the class lives in ``gamma.py``)."""

from .gamma import Beta

__all__ = ["Beta"]
