"""Hyper-parameters given as 0-d tensors, as PyTorch accepts them.

PyTorch takes a 0-d tensor wherever an optimizer takes a float (``SGD(weight_decay=
torch.tensor(0.1))``, ``Adam(eps=...)``: its checks and its update arithmetic work on
either). Here the update is NumPy arithmetic on plain numbers, so such a tensor is
replaced by its value when the optimizer (or a param group, or a loaded state dict) gets
it: a float, or an int for an integer tensor. ``lr`` was already treated so
(``torch_flags.plain_lr``); this does the same for every hyper-parameter whose default in
the constructor is a number. Another hyper-parameter (a flag, a tuple such as ``betas``,
one a custom optimizer keeps as a tensor) is left as it is, for its own check.
"""
from __future__ import annotations

import functools
import inspect
from typing import Any

import numpy as np

from .._checks import is_real
from .torch_flags import plain_lr

__all__ = ["numeric_keys", "plain_hyper_parameters"]


@functools.lru_cache(maxsize=None)
def numeric_keys(cls: type) -> frozenset[str]:
    """``lr`` and the names of the constructor arguments of ``cls`` (and of the classes it
    derives from, for a subclass whose ``__init__`` passes ``**kwargs`` on) whose default
    is a real number (not a bool): the float hyper-parameters."""
    keys = {"lr"}
    for klass in cls.__mro__:
        init = klass.__dict__.get("__init__")
        if init is None or klass is object:
            continue
        try:
            parameters = inspect.signature(init).parameters.values()
        except (TypeError, ValueError):  # a builtin's __init__ has no signature to read
            continue
        keys.update(p.name for p in parameters if is_real(p.default))
    return frozenset(keys)


def plain_hyper_parameters(optimizer: Any, group: dict[str, Any]) -> None:
    """Replace, in ``group`` (a param group or the defaults), each float hyper-parameter of
    ``optimizer`` (``numeric_keys``) given as a 0-d tensor by its number. A tensor of
    another shape is a ``ConfigError``, one of non-numbers an ``ArgumentTypeError``."""
    owner = type(optimizer).__name__
    for key in numeric_keys(type(optimizer)).intersection(group):
        group[key] = plain_number(owner, key, group[key])


def plain_number(owner: str, name: str, value: Any) -> Any:
    """``value`` itself, or the number a 0-d tensor holds: an int for an integer tensor
    (``LBFGS(max_iter=torch.tensor(5))``), else a float."""
    number = plain_lr(owner, value, name)
    if number is value:  # not a tensor
        return value
    array = np.asarray(value.data)
    return int(array) if array.dtype.kind in "iu" else number
