"""Helpers of the rebase behind ``t[index] = v`` and recorded ``x += y``
(``OpMethods._rebase_onto_assignment``): which ops read t's old value, whether t's
array is a view of another tensor's, and the write through a whole reshape to its bases."""

from __future__ import annotations

import sys
from typing import Any

import numpy as np

from .function import apply
from .ops.shape import GetItem, Reshape

__all__ = ["_read_earlier", "_is_view_of_another", "_reshaped_bases", "_write_through",
           "WriteThrough", "ReshapedAgain", "SliceWriteThrough", "_sliced_base",
           "_write_into_sliced_base"]

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
    if isinstance(t._op, WriteThrough):  # it views the write's own result, held by no one
        return False
    if not isinstance(data, np.ndarray):  # a NumPy scalar: x[i, j] copies the element,
        return isinstance(t._op, GetItem)  # where PyTorch's is a view
    if data.base is None:
        return False
    if t._op is not None and t._op.parents is not None:
        return any(np.may_share_memory(data, p._data) for p in t._op.parents)
    return sys.getrefcount(data.base) > 2  # referred to by more than data (and this call)


class WriteThrough(Reshape):
    """A base's new value after ``t[index] = v`` wrote into t, a whole reshape of it: t's
    new value reshaped back;  dt = g reshaped. ``previous`` is the base as it was, which
    the ops that used it before the write still send their gradients to (``as_used``)."""
    __slots__ = ("previous",)

    def __init__(self, shape: Any, previous: AnyTensor) -> None:
        super().__init__(shape)
        self.previous = previous


def _reshaped_bases(t: AnyTensor) -> list | None:
    """The tensors whose arrays t's array is a whole reshape of (a chain of reshapes,
    squeezes, unsqueezes), nearest first: [] when t is no view; None when t views another
    tensor some other way (``base[i]``, a transpose), views one that was rebased since,
    or a leaf that requires grad (PyTorch refuses writing into those too). The chain may
    end at a ``base[i]`` that can take a write (``_sliced_base``: DCCRN's
    ``torch.squeeze(outputs[..., a:-a], 1).clamp_(-1, 1)``)."""
    bases, node = [], t
    while _is_view_of_another(node):
        op = node._op
        if type(op) not in (Reshape, ReshapedAgain) or op.parents is None:
            return bases if bases and _sliced_base(node) is not None else None
        base = op.parents[0]
        if (base._seq > node._seq or base._data.size != node._data.size
                or (base._op is None and base._requires_grad)
                or not np.may_share_memory(base._data, node._data)):
            return None
        bases.append(base)
        node = base
    return bases


class ReshapedAgain(Reshape):
    """t (or a nearer base) after a write went through it to its farthest base: again a
    whole reshape of the next base, as PyTorch's view stays one, so a later write goes
    through too;  dbase = g reshaped. ``previous`` is t as it was (``as_used``)."""
    __slots__ = ("previous",)

    def __init__(self, shape: Any, previous: AnyTensor) -> None:
        super().__init__(shape)
        self.previous = previous


def _write_through(bases: list, t: AnyTensor, written: AnyTensor, earlier_t: AnyTensor,
                   value: AnyTensor) -> None:
    """After ``t[index] = value`` gave ``written`` (t's new value; ``earlier_t`` is t as it
    was) where t is a whole reshape of ``bases`` (nearest first): the farthest base takes
    ``written``, reshaped, as its value and history (``WriteThrough``; when it is
    ``base[i]`` of another, as ``farthest[...] = ...``, which goes on), and each nearer
    one, then t, becomes a reshape of the next (``ReshapedAgain``): all stay views of one
    another, as in PyTorch. Each keeps its earlier self for the ops that read it before."""
    chain = [t] + bases
    earliers = [earlier_t]
    sliced = _sliced_base(bases[-1]) is not None and _is_view_of_another(bases[-1])
    for base in bases[:-1] if sliced else bases:
        earlier = base._make(base._data, base._op)  # the base as it was, its old number
        earlier._seq, earlier._requires_grad = base._seq, base._requires_grad
        earlier._hooks, base._hooks = base._hooks, None
        _read_earlier(value, base, earlier)
        earliers.append(earlier)
    farthest = chain[-1]
    if sliced:  # base[i] of another: the write goes on into that other
        farthest[...] = written.reshape(farthest.shape)
        earliers.append(None)  # (ReshapedAgain below never reads the farthest's)
    else:
        out = apply(WriteThrough(farthest.shape, earliers[-1]), written)
        farthest._data, farthest._op, farthest._seq = out._data, out._op, out._seq
        farthest._requires_grad = True
    for node, nearer, earlier in zip(chain[:0:-1], chain[-2::-1], earliers[-2::-1]):
        out = apply(ReshapedAgain(nearer.shape, earlier), node)
        nearer._data, nearer._op, nearer._seq = out._data, out._op, out._seq
        nearer._requires_grad = True


class SliceWriteThrough(GetItem):
    """t's new value after a write into t = base[i] went through to base: the new base[i]
    (dbase = g scattered at i). ``previous`` is t as it was, which the ops that used t
    before the write still send their gradients to (``as_used``)."""
    __slots__ = ("previous",)

    def __init__(self, index: Any, previous: AnyTensor) -> None:
        super().__init__(index)
        self.previous = previous


def _sliced_base(t: AnyTensor) -> tuple | None:
    """``(base, index)`` when t is ``base[index]`` recorded by a basic index (a view of
    base's array, or one element) of a base unchanged since and not a leaf that requires
    grad: a write into t can go through to base, as PyTorch's. None otherwise."""
    op = t._op
    if not isinstance(op, GetItem) or op.parents is None:
        return None
    base = op.parents[0]
    if (base._seq > t._seq or (base._op is None and base._requires_grad)
            or (isinstance(t._data, np.ndarray)
                and not np.may_share_memory(base._data, t._data))):
        return None
    if _reshaped_bases(base) is None and _sliced_base(base) is None:
        return None  # base cannot take the write either (a transpose of another...)
    return base, op.index


def _write_into_sliced_base(t: AnyTensor, sliced: tuple, index: Any, value: Any) -> None:
    """``t[index] = value`` where t is ``base[i]`` (``_sliced_base``), as PyTorch: base
    takes ``base[i] = t with [index] = value`` (base's own rebase, which goes on to its
    bases), and t becomes the new ``base[i]``. Ops that read t or base before the write
    keep reading their old values (``_read_earlier``, and the engine's ``as_used``)."""
    base, base_index = sliced
    earlier = t._earlier_self()
    value = earlier if value is t else value
    if hasattr(value, "_op"):
        _read_earlier(value, t, earlier)
    updated = earlier.clone()
    updated[index] = value
    base[base_index] = updated
    fresh = apply(SliceWriteThrough(base_index, earlier), base)
    t._data, t._op, t._seq = fresh._data, fresh._op, fresh._seq
    t._requires_grad = True
