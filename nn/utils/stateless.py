"""PyTorch's ``torch.nn.utils.stateless``: ``functional_call``, the older spelling of
``torch.func.functional_call`` that MAML code still imports, deprecated there (a
FutureWarning on every call) and here alike. It is ``autograd.func``'s:
``functional_call(module, parameters_and_buffers, args, kwargs, *, tie_weights=True,
strict=False)`` calls ``module(*args, **kwargs)`` with the given tensors in the places of
the parameters and buffers of those dotted names, and puts the originals back."""

from __future__ import annotations

import warnings
from typing import Any

from autograd import func

from .._checks import caller_outside_nn

__all__ = ["functional_call"]


def functional_call(module: Any, parameters_and_buffers: Any, args: Any = None,
                    kwargs: dict[str, Any] | None = None, *, tie_weights: bool = True,
                    strict: bool = False) -> Any:
    """``autograd.func.functional_call`` (the same arguments and result), with PyTorch's
    FutureWarning naming that spelling."""
    warnings.warn("nn.utils.stateless.functional_call is deprecated, as PyTorch's since "
                  "2.0: call autograd.func.functional_call, which takes the same arguments "
                  "and gives the same result", FutureWarning, stacklevel=caller_outside_nn())
    return func.functional_call(module, parameters_and_buffers, args, kwargs,
                                tie_weights=tie_weights, strict=strict)
