"""The path of ``torch.distributions.relaxed_categorical``, for
``from autograd.distributions.relaxed_categorical import RelaxedOneHotCategorical``
(the classes live in ``relaxed.py`` and ``relaxed_logit.py``)."""

from .relaxed import RelaxedOneHotCategorical
from .relaxed_logit import ExpRelaxedCategorical

__all__ = ["RelaxedOneHotCategorical", "ExpRelaxedCategorical"]
