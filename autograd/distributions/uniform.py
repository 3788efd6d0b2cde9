"""The path of ``torch.distributions.uniform``, for
``from autograd.distributions.uniform import Uniform``
(the class lives in ``continuous.py``)."""

from .continuous import Uniform

__all__ = ["Uniform"]
