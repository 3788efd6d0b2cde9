"""PyTorch's implementation switches, accepted so that optimizer code copied from PyTorch
runs unchanged (nanoGPT builds ``AdamW(..., fused=True)``).

``foreach``, ``fused`` and ``capturable`` choose how PyTorch runs an update (a loop
over tensors, one fused kernel, CUDA-graph capture); here every update is the same NumPy
loop on the CPU, so they change nothing: the results are those of the default. They are
checked (None or a bool) but not stored in the param groups, whether given to the
constructor, in a param group (``add_param_group``, a group dict given to the
constructor) or in a loaded state dict. ``differentiable=True``
asks for the step to be recorded in an autograd graph, which these optimizers never do
(they write ``p.data``): it is a ``ConfigError``.

``lr`` may be a 0-d tensor, as PyTorch allows: its value is used (a float).
"""
from __future__ import annotations

import inspect
from typing import Any

import numpy as np

from .._checks import flag
from ..errors import ArgumentTypeError, ConfigError

__all__ = ["TORCH_FLAGS", "accept_torch_flags", "taken_torch_flags", "drop_torch_flags",
           "plain_lr"]

TORCH_FLAGS = frozenset({"foreach", "fused", "capturable", "differentiable"})


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


def taken_torch_flags(cls: type) -> frozenset[str]:
    """The switches (``TORCH_FLAGS``) the constructor of optimizer class ``cls`` takes: its
    own ``__init__``'s or, for a subclass passing ``**kwargs`` on, a base class's."""
    taken: set[str] = set()
    for klass in cls.__mro__:
        init = klass.__dict__.get("__init__")
        if init is None or klass is object:
            continue
        try:
            taken.update(TORCH_FLAGS.intersection(inspect.signature(init).parameters))
        except (TypeError, ValueError):  # a builtin's __init__ has no signature to read
            continue
    return frozenset(taken)


def drop_torch_flags(optimizer: Any, group: dict[str, Any]) -> None:
    """Check PyTorch's switches in a new param group (``add_param_group``, or a group dict
    given to the constructor) as the constructor checks its own, then remove them from
    ``group``: ``differentiable=True`` is a ``ConfigError``, a ``foreach`` that is not
    None or a bool an ``ArgumentTypeError``. A switch the constructor does not take
    (LBFGS's ``fused``) is an ``ArgumentTypeError``, as that keyword argument would be.
    A switch among the optimizer's own ``defaults`` (a custom optimizer that keeps it) is
    the optimizer's hyper-parameter and stays."""
    owner = type(optimizer).__name__
    given = TORCH_FLAGS.intersection(group) - set(optimizer.defaults)
    refused = sorted(given - taken_torch_flags(type(optimizer)))
    if refused:
        raise ArgumentTypeError(
            f"{owner}.add_param_group: the group has {refused}, PyTorch's implementation "
            f"switch(es) that {owner}'s constructor does not take; remove "
            f"{'it' if len(refused) == 1 else 'them'} from the group")
    accept_torch_flags(owner, **{name: group.pop(name) for name in sorted(given)})


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
