"""The path of ``torch.distributions.one_hot_categorical``, for
``from autograd.distributions.one_hot_categorical import OneHotCategoricalStraightThrough``
(the classes live in ``relaxed.py``)."""

from .relaxed import OneHotCategorical, OneHotCategoricalStraightThrough

__all__ = ["OneHotCategorical", "OneHotCategoricalStraightThrough"]
