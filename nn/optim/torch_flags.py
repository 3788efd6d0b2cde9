"""PyTorch's implementation switches, accepted so that optimizer code copied from PyTorch
runs unchanged (nanoGPT builds ``AdamW(..., fused=True)``).

``foreach``, ``fused`` and ``capturable`` choose how PyTorch runs an update (a loop
over tensors, one fused kernel, CUDA-graph capture); here every update is the same NumPy
loop on the CPU, so they change nothing: the results are those of the default. They are
checked (None or a bool) but not stored in the param groups. ``differentiable=True``
asks for the step to be recorded in an autograd graph, which these optimizers never do
(they write ``p.data``): it is a ``ConfigError``.

``lr`` may be a 0-d tensor, as PyTorch allows: its value is used (a float).
"""
from __future__ import annotations

from typing import Any

import numpy as np

from .._checks import flag
from ..errors import ArgumentTypeError, ConfigError

__all__ = ["accept_torch_flags", "plain_lr"]


def accept_torch_flags(owner: str, *, foreach: bool | None = None,
                       fused: bool | None = None, capturable: bool = False,
                       differentiable: bool = False) -> None:
    """Check PyTorch's ``foreach``/``fused`` (None or a bool), ``capturable`` and
    ``differentiable`` (bools) for optimizer ``owner``; ``differentiable=True`` raises."""
    for name, value in (("foreach", foreach), ("fused", fused)):
        if value is not None:
            flag(owner, name, value, advice="it is accepted for PyTorch code and changes "
                 "nothing here (every update is the same NumPy loop)")
    flag(owner, "capturable", capturable)
    if flag(owner, "differentiable", differentiable):
        raise ConfigError(
            f"{owner}(differentiable=True) is not supported: the update writes p.data in "
            "place and is never recorded in an autograd graph, so nothing could flow "
            "through it. Drop differentiable=True (or write the update with Tensor "
            "operations yourself to differentiate through it)")


def plain_lr(owner: str, lr: Any, name: str = "lr") -> Any:
    """``lr`` itself, or the float value of a 0-d tensor (``ConfigError`` for another
    shape, ``ArgumentTypeError`` for one that does not hold a real number); ``name`` is
    the hyper-parameter's name in those messages (also ``betas[0]``...)."""
    if not (hasattr(lr, "grad") and hasattr(lr, "shape")):  # not a tensor (an ndarray
        return lr                                             # stays a type error)
    value = np.asarray(lr.data)
    if value.shape != ():
        raise ConfigError(f"{owner}: a tensor {name} must be 0-d (one number), got shape "
                          f"{tuple(value.shape)}; pass {name}=float(...) or one entry")
    if value.dtype.kind not in "iuf":
        raise ArgumentTypeError(f"{owner}: a tensor {name} must hold a real number, got "
                                f"dtype {value.dtype}")
    return float(value)
