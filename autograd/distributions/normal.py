"""The path of ``torch.distributions.normal``, for
``from autograd.distributions.normal import Normal``
(the class lives in ``continuous.py``)."""

from .continuous import Normal

__all__ = ["Normal"]
