"""The path of ``torch.distributions.independent``, for
``from autograd.distributions.independent import Independent``
(the class lives in ``composite.py``)."""

from .composite import Independent

__all__ = ["Independent"]
