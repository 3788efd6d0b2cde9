"""The path of ``torch.distributions.mixture_same_family``, for
``from autograd.distributions.mixture_same_family import MixtureSameFamily``
(the class lives in ``composite.py``)."""

from .composite import MixtureSameFamily

__all__ = ["MixtureSameFamily"]
