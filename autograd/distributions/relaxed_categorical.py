"""The path of ``torch.distributions.relaxed_categorical``, for
``from autograd.distributions.relaxed_categorical import RelaxedOneHotCategorical``
(the class lives in ``relaxed.py``)."""

from .relaxed import RelaxedOneHotCategorical

__all__ = ["RelaxedOneHotCategorical"]
