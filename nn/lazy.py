"""PyTorch's lazy ``LazyLinear(out_features)``: ``in_features`` is read from the first input
(d2l.ai's current edition builds its networks this way: ``nn.LazyLinear(256)``)."""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
from autograd import Tensor
from autograd.errors import ShapeError, UsageError

from ._checks import integer
from ._random import RNGLike, reset_from
from .layers import Linear

__all__ = ["LazyLinear", "LazyBase", "refuse_uninitialized"]


def refuse_uninitialized(owner: str, module: Any) -> None:
    """A ``UsageError`` (a ValueError, as PyTorch's) when ``module`` is a lazy module whose
    parameters have no shape yet: ``owner`` (a weight reparametrization) needs it."""
    if callable(getattr(module, "initialize_parameters", None)):  # lazy until called
        raise UsageError(f"{owner}: the module passed can't have uninitialized parameters "
                         f"(a {type(module).__name__} before its first call); run a dummy "
                         f"forward, e.g. module(x), before applying {owner}")


class LazyBase:
    """What every lazy layer shares (PyTorch's ``LazyModuleMixin``): until its first call,
    or the first state dict that gives its parameters their shape, it is an instance of
    its lazy class; then its class becomes the eager one, which has no such method."""

    def has_uninitialized_params(self) -> bool:
        """True: a lazy layer's parameters have no shape yet (it would be an eager layer
        otherwise), as PyTorch's ``LazyModuleMixin.has_uninitialized_params``."""
        return True


class LazyLinear(LazyBase, Linear):
    """A ``Linear`` whose ``in_features`` is the last axis of its first input (or the
    second axis of the ``weight`` in the first state dict loaded into it). Until then
    ``in_features`` is 0 and ``weight`` has shape (out_features, 0). It then draws its
    start from ``rng`` as ``Linear(in_features, out_features, rng=rng)`` would and becomes
    a ``Linear`` (its class changes, as PyTorch's does). The parameters keep their
    identity, so an optimizer built before the first call trains them."""

    def __init__(self, out_features: int, bias: bool = True, device: Any = None,
                 dtype: Any = np.float64, *, rng: RNGLike = None) -> None:
        super().__init__(0, out_features, bias, device, dtype, rng=0)  # rng: nothing drawn
        self._lazy_rng = rng

    def initialize_parameters(self, in_features: int) -> None:
        """Give ``weight`` its (out_features, in_features) shape and draw the start."""
        self.in_features = integer("LazyLinear", "in_features", in_features, minimum=0)
        self.weight.data = np.empty((self.out_features, self.in_features), self.weight.dtype,
                                    order="F")
        rng = self._lazy_rng
        del self._lazy_rng
        self.__class__ = Linear
        reset_from(self, rng)

    def materialize_from_state_dict(self, state_dict: Mapping[str, Any], prefix: str) -> None:
        """Called by ``Module.load_state_dict`` first: take ``in_features`` from the
        state dict's ``weight`` (left as it is when there is none, it is no matrix, or it
        has no columns: the state dict of a lazy layer before its first call, which keeps
        this one lazy, as PyTorch's)."""
        shape = np.shape(state_dict.get(prefix + "weight"))
        if len(shape) == 2 and shape[1] > 0:
            self.initialize_parameters(shape[1])

    def forward(self, input: Any) -> Tensor:
        shape = np.shape(input.data if isinstance(input, Tensor) else input)
        if not shape:
            raise ShapeError("LazyLinear reads in_features from the last axis of its "
                             "first input; got a 0-d input. Give it (..., in_features).")
        self.initialize_parameters(shape[-1])
        return self.forward(input)  # Linear's now
