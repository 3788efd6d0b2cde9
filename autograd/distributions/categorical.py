"""The path of ``torch.distributions.categorical``, for
``from autograd.distributions.categorical import Categorical``
(the class lives in ``discrete.py``)."""

from .discrete import Categorical

__all__ = ["Categorical"]
