"""A base knows its views. ``take_view`` runs an op whose output views its input's array
(a part ``base[i]``, a reshape, a transpose, a diagonal) and lists the view on the base
with the op that took it (a weak reference, ``ViewRef``: a view nobody holds goes);
``detached_view`` lists ``base.detach()`` too, and the detach() of a view also on the
tensor that view was taken of, with the chain of view ops between them (``ViewChain``:
the view itself may be dropped at once). A write into the base while recording gives it
a new array (see ``rebase``); the base's listed views are then made again from it
(``rebase.refresh_views``), so a view read after its base was written shows the new
values, as PyTorch's views and detached tensors do. Listing costs under a microsecond a
view.

A leaf that requires grad lists none: it never takes a new array (a write while recording
is refused; under ``no_grad()`` it goes into its memory, which its views share), and its
list would grow for as long as the leaf lives (``x @ W.T`` each step).

A custom Function's output that shares an input's memory (its ``forward`` returned the
input as it is, or a view of it) is no view the engine can make again: the two are
remembered together (``share_in_function``), so that a write into either while recording
is refused (``function_sharing``), as PyTorch refuses it.
"""

from __future__ import annotations

import copy
import sys
import threading
import weakref
from typing import Any

import numpy as np

from .clock import memory_owner
from .function import Function, apply

__all__ = ["take_view", "detached_view", "detached_source", "base_outside_graph",
           "ViewList", "ViewRef", "ViewChain", "held_elsewhere", "reshaped_since_viewed",
           "listed_views", "share_in_function", "function_sharing"]

AnyTensor = Any  # a Tensor: this module sits below the Tensor class


def take_view(op: Function, base: AnyTensor) -> AnyTensor:
    """``apply(op, base)`` for a view op, listed on base (see above). Whether the result
    really views base's memory, and is not a copy as for an integer-array index, is asked
    when base is written (``rebase.refresh_views``)."""
    if type(base._data) is not np.ndarray:  # a NumPy scalar (Tensor._make) has no memory
        base._data = np.asarray(base._data)  # to share: its 0-d array has
    out = apply(op, base)
    if _lists_its_views(base):
        _list_view(base, out, op)
        if out._op is None:  # outside the graph: remember its base (base_outside_graph)
            _remember(_BASES, out, (base, op))
    return out


_BASES: dict[int, tuple] = {}  # id(view) -> (weak reference to it, (base, op))
_DETACHED: dict[int, tuple] = {}  # id(t) -> (weak reference to it, to the base it detached)


def _remember(registry: dict[int, tuple], t: AnyTensor, what: Any) -> None:
    """``registry[id(t)] = what`` for as long as t lives."""
    key = id(t)
    registry[key] = (weakref.ref(t, lambda _, key=key: registry.pop(key, None)), what)


def _remembered(registry: dict[int, tuple], t: AnyTensor) -> Any:
    """What ``_remember`` put in ``registry`` for t (not for a dead tensor whose id t
    took over), or None."""
    entry = registry.get(id(t))
    return entry[1] if entry is not None and entry[0]() is t else None


def base_outside_graph(view: AnyTensor) -> tuple | None:
    """``(base, op)`` for a view that ``take_view`` took outside the graph (of a constant,
    or under ``no_grad()``), which records no op to name its base; None otherwise. A write
    into it with a tensor that requires grad goes through to base, as PyTorch's
    (``out = zeros(3, 2); out[:, 0] += x``)."""
    return _remembered(_BASES, view)


def detached_view(base: AnyTensor) -> AnyTensor:
    """``base.detach()``: a new leaf holding base's array, listed on base (see above), and
    remembered with a weak reference to base (``detached_source``)."""
    out = base._make(base._data, None)
    if _lists_its_views(base):
        _list_view(base, out, None)
    chain = _view_chain(base) if _is_numpy_view(base._data) else None
    if chain is not None and _lists_its_views(chain[0]):  # x[:, 1:].detach(): listed on x
        _list_view(chain[0], out, chain[1])  # too, as base's view may be dropped at once
    _remember(_DETACHED, out, weakref.ref(base))
    return out


class ViewChain:
    """The view ops that took a detached tensor's array from a tensor's that lists it
    (``t[:, 1:].detach()`` is listed on t with ``[:, 1:]``), kept without their inputs
    (no reference back to t): after a write into t, ``chain(t's new array)`` is the
    detached tensor's (``rebase.refresh_views``)."""
    __slots__ = ("ops",)

    def __init__(self, ops: list[Function]) -> None:
        self.ops = ops

    def __call__(self, array: Any) -> Any:
        for op in self.ops:
            array = op.forward(array)
        return array


def _is_numpy_view(data: Any) -> bool:
    return isinstance(data, np.ndarray) and data.base is not None


def _view_chain(t: AnyTensor) -> tuple[AnyTensor, ViewChain] | None:
    """(the farthest tensor t is a listed view of, through listed views, and the chain of
    their ops from it), or None when t is no listed view."""
    ops, node = [], t
    while (listed := _listed_on(node)) is not None:
        node, op = listed
        stripped = copy.copy(op)
        stripped.parents = None  # (forward needs only the op's own state)
        ops.append(stripped)
    return (node, ViewChain(ops[::-1])) if ops else None


def _listed_on(t: AnyTensor) -> tuple[AnyTensor, Function] | None:
    """(base, op) when t is a view that ``take_view`` listed on base, else None."""
    if t._op is None:
        return base_outside_graph(t)
    parents = t._op.parents
    if parents and parents[0]._views is not None and any(
            ref() is t for ref in parents[0]._views):
        return parents[0], t._op
    return None


def detached_source(t: AnyTensor) -> AnyTensor | None:
    """The tensor t was detached from (``t = base.detach()``) while both still hold one
    array, so that a write into t is a write into base's memory too; None otherwise. (A
    weak reference: a detached RNN state does not keep the step's graph alive.)"""
    base_ref = _remembered(_DETACHED, t)
    base = None if base_ref is None else base_ref()
    return base if base is not None and base._data is t._data else None


def _lists_its_views(base: AnyTensor) -> bool:
    """Every tensor but a leaf that requires grad (see above)."""
    return base._op is not None or not base._requires_grad


def _list_view(base: AnyTensor, view: AnyTensor, op: Function | None) -> None:
    if base._views is None:
        with _LISTING:  # two threads making base's first list: one list, not two
            if base._views is None:
                base._views = ViewList()
    # the layout matters for a base outside the graph, whose in-place shape changes are
    # not recorded (reshaped_since_viewed); None for one in it (0.1 us a view saved)
    base._views.add(view, op, _layout(base._data) if base._op is None else None)


def _layout(data: Any) -> tuple | None:
    """An array's shape and strides (None for a NumPy scalar)."""
    return (data.shape, data.strides) if isinstance(data, np.ndarray) else None


def reshaped_since_viewed(base: AnyTensor) -> bool:
    """Whether a view listed on base still shares its memory but was taken when base's
    array had another shape or strides: base changed in shape in place since without
    recording it (a constant's ``unsqueeze_()`` or ``t_()``), so that view cannot be made
    again from base as it is (a recorded change leaves a frame: ``view_frames``). A view
    taken while base was in the graph (no layout kept) counts as such once base left it
    (``detach_()``): its frames are gone."""
    data = base._data
    if base._views is None or not isinstance(data, np.ndarray):
        return False
    owner, layout = memory_owner(data), _layout(data)
    for ref in base._views:
        view = ref()
        if (view is not None and ref.layout != layout and isinstance(view._data, np.ndarray)
                and memory_owner(view._data) is owner):
            return True
    return False


class ViewRef(weakref.ref):
    """A weak reference to a view that also names the op that took it (None for a
    ``detach()``) and the layout of the base's array then (``_layout``). One object per
    view where a ``(weakref, op)`` pair was two: the cycle collector walks every one of
    them on each full pass (an LSTM step slices its gates four times: 75 objects a step
    instead of 79). When the view dies, its op goes (``_forget_op``)."""
    __slots__ = ("op", "layout")  # set by ViewList.add (no __init__ of its own: taking a
    # view, x[:, 0:32], cost 0.3 us more with one)


def _forget_op(ref: ViewRef) -> None:
    """The view died: drop its op, whose parents hold the base. Kept, it would close
    base -> its list of views -> op -> base, a cycle only the collector frees: a split
    piece nobody used, an unused output of eigh or an LSTM would keep the whole graph
    below the base alive after the backward (PyTorch frees it at once)."""
    ref.op = None


class ViewList(list):
    """A base's views as ``ViewRef`` weak references. The views nobody holds any more
    are dropped whenever the list has doubled since the last time (a base sliced step by
    step, ``h[:, t]``, would otherwise keep an entry a step): adding stays O(1) on
    average, however many of the views are alive."""
    __slots__ = ("limit",)

    def __init__(self) -> None:
        super().__init__()
        self.limit = 64

    def add(self, view: AnyTensor, op: Function | None, layout: Any) -> None:
        ref = ViewRef(view, _forget_op)
        ref.op, ref.layout = op, layout
        self.append(ref)
        if len(self) >= self.limit:
            with _LISTING:  # only the first n: a view another thread appends now stays
                n = len(self)
                self[:n] = [ref for ref in self[:n] if ref() is not None]
                self.limit = max(64, 2 * len(self))


# Threads sharing a base: two making its first list, or tidying one, would lose views
# (which then keep their old values after a write into the base)
_LISTING = threading.Lock()


def held_elsewhere(t: AnyTensor) -> bool:
    """Whether something besides t and the views listed on it (and on them) refers to t's
    memory: a NumPy array someone holds (``Tensor(held)``, ``a = t.numpy()``), which would
    keep the old values if t took a new array (PyTorch writes the memory itself)."""
    data = t._data
    if not isinstance(data, np.ndarray):
        return False  # a NumPy scalar: nothing can view it
    owner = data if data.base is None else data.base
    if not isinstance(owner, np.ndarray):
        return True  # memory from a buffer (bytes, an mmap) someone else made
    holders = listed_views(t)
    arrays = {id(h._data): h._data for h in holders if isinstance(h._data, np.ndarray)}
    expected = (sum(h._data is owner for h in holders)  # t, its detach()es
                + sum(a is not owner and a.base is owner for a in arrays.values()))  # views
    held_here = 1 + (data is owner) + any(a is owner for a in arrays.values())  # here
    return sys.getrefcount(owner) - 1 - held_here > expected


def listed_views(t: AnyTensor) -> list:
    """t, the views listed on it, the views listed on them..., each once."""
    holders, seen = [t], {id(t)}
    for holder in holders:  # (the list grows as it goes)
        for ref in holder._views or ():
            view = ref()
            if view is not None and id(view) not in seen:
                seen.add(id(view))
                holders.append(view)
    return holders


_SHARED_IN_FUNCTION: dict[int, tuple] = {}  # id(t) -> (weak ref to t, [(weak ref, label)])


def share_in_function(output: AnyTensor, given: AnyTensor, label: str) -> None:
    """Remember that a custom Function's ``output`` shares the memory of its input
    ``given`` (``label`` names the output: "output 0 of the custom Function Ident"), on
    both, with weak references (see above)."""
    for t, other in ((output, given), (given, output)):
        partners = _remembered(_SHARED_IN_FUNCTION, t)
        if partners is None:
            partners = []
            _remember(_SHARED_IN_FUNCTION, t, partners)
        partners[:] = [p for p in partners if p[0]() is not None]  # (one input, many calls)
        partners.append((weakref.ref(other), label))


def function_sharing(t: AnyTensor) -> str | None:
    """The label of a custom Function's output that shares memory with t, or with a view
    listed on t, through that Function (t or the view being the output or the input it
    shares), while both live and still share it; None otherwise (at once when no such
    output lives)."""
    if not _SHARED_IN_FUNCTION:
        return None
    for holder in listed_views(t):
        for ref, label in _remembered(_SHARED_IN_FUNCTION, holder) or ():
            other = ref()
            if other is not None and np.may_share_memory(other._data, holder._data):
                return label
    return None
