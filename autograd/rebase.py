"""Helpers of the rebase behind ``t[index] = v`` and recorded ``x += y``
(``OpMethods._rebase_onto_assignment``): which ops read t's old value, and whether t's
array is a view of another tensor's."""

from __future__ import annotations

import sys
from typing import Any

import numpy as np

from .ops.shape import GetItem

__all__ = ["_read_earlier", "_is_view_of_another"]

AnyTensor = Any  # a Tensor: this module sits below the Tensor class


def _read_earlier(value: AnyTensor, t: AnyTensor, earlier: AnyTensor) -> None:
    """Make the ops of value's graph that read t read ``earlier`` (t as it was) now, as
    the engine's ``as_used`` would at backward. Otherwise ``t[i] = f(t)`` closes a
    reference cycle (t -> its new op -> value -> ... -> t), and a graph dropped without a
    backward waits for the cycle collector. Only ops newer than t can have read it, so
    the walk stops at older ones: it covers what was computed since t's last write."""
    stack, seen = [value], set()
    while stack:
        node = stack.pop()
        op = node._op
        if node._seq <= t._seq or node._seq in seen or op is None or op.parents is None:
            continue
        seen.add(node._seq)
        if any(p is t for p in op.parents):
            op.parents = tuple(earlier if p is t else p for p in op.parents)
        stack.extend(op.parents)


def _is_view_of_another(t: AnyTensor) -> bool:
    """Whether t's array views memory another tensor may hold: its op's input's
    (``base[i]``, a reshape, a transpose), or, for a tensor without a recorded op, an array
    that something besides t's array refers to (``out[i]`` of a constant ``out``). A view
    of a temporary (a norm over an axis, ``Tensor(a.reshape(2, 3))`` of a temporary a) is
    t's own."""
    data = t._data
    if not isinstance(data, np.ndarray):  # a NumPy scalar: x[i, j] copies the element,
        return isinstance(t._op, GetItem)  # where PyTorch's is a view
    if data.base is None:
        return False
    if t._op is not None and t._op.parents is not None:
        return any(np.may_share_memory(data, p._data) for p in t._op.parents)
    return sys.getrefcount(data.base) > 2  # referred to by more than data (and this call)
