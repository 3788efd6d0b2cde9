"""PyTorch's implementation switches, accepted so that optimizer code copied from PyTorch
runs unchanged (nanoGPT builds ``AdamW(..., fused=True)``).

``foreach``, ``fused`` and ``capturable`` choose how PyTorch runs an update (a loop
over tensors, one fused kernel, CUDA-graph capture); here every update is the same NumPy
loop on the CPU, so they change nothing: the results are those of the default. They are
checked (None or a bool) but not stored in the param groups. ``differentiable=True``
asks for the step to be recorded in an autograd graph, which these optimizers never do
(they write ``p.data``): it is a ``ConfigError``.
"""
from __future__ import annotations

from .._checks import flag
from ..errors import ConfigError

__all__ = ["accept_torch_flags"]


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
