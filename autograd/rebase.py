"""Helpers of the rebase behind ``t[index] = v`` and recorded ``x += y``
(``OpMethods._rebase_onto_assignment``): which ops read t's old value, whether t's
array is a view of another tensor's, and the write through to the tensors t views: a
whole view (a reshape, a transpose) gives its farthest base t's new value viewed back,
and t and the bases between become its views again, so later writes go through too; a
part (``base[i]``, a diagonal) is written into its base, as PyTorch writes."""

from __future__ import annotations

from typing import Any

import numpy as np

from ._vjp_checks import as_used
from .function import apply
from .clock import memory_owner
from .views import (ViewChain, base_outside_graph, function_sharing, held_elsewhere,
                    reshaped_since_viewed)
from .view_frames import as_when_viewed, in_frame, is_frame
from .ops.linalg_more import Diagonal
from .ops.shape import (BroadcastTo, GetItem, Reshape, ReshapeInPlace, Transpose,
                         TransposeInPlace)

__all__ = ["_read_earlier", "_is_view_of_another", "_whole_view_bases", "_write_through",
           "WriteThrough", "TransposedWriteThrough", "ReshapedAgain", "TransposedAgain",
           "SliceWriteThrough", "DiagonalWriteThrough", "BroadcastAgain", "_sliced_base",
           "_write_into_sliced_base", "refresh_views"]

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
    that something besides t's array and its own views' arrays refers to (``out[i]`` of a
    constant ``out``; ``views.held_elsewhere``). A view of a temporary (a norm over an axis,
    ``Tensor(a.reshape(2, 3))`` of a temporary a, a constant's ``unsqueeze_()``) is t's
    own."""
    data = t._data
    if isinstance(t._op, (WriteThrough, TransposedWriteThrough)):  # it views the write's
        return False  # own result, which nothing else holds
    if not isinstance(data, np.ndarray):  # a NumPy scalar: x[i, j] copies the element,
        return isinstance(t._op, GetItem)  # where PyTorch's is a view
    if data.base is None:
        return False
    if t._op is not None and t._op.parents is not None:
        return any(np.may_share_memory(data, p._data) for p in t._op.parents)
    return held_elsewhere(t)  # referred to by more than t's array and its views' arrays


class WriteThrough(Reshape):
    """A base's new value after ``t[index] = v`` wrote into t, a whole reshape of it: t's
    new value reshaped back;  dt = g reshaped. ``previous`` is the base as it was, which
    the ops that used it before the write still send their gradients to (``as_used``)."""
    __slots__ = ("previous",)

    def __init__(self, shape: Any, previous: AnyTensor) -> None:
        super().__init__(shape)
        self.previous = previous


class TransposedWriteThrough(Transpose):
    """As ``WriteThrough``, where the view is a transpose of the base (``base.T``,
    ``base.permute(...)``): the view's new value with the axes put back."""
    __slots__ = ("previous",)

    def __init__(self, axes: Any, previous: AnyTensor) -> None:
        super().__init__(axes)
        self.previous = previous


class ReshapedAgain(Reshape):
    """t (or a nearer base) after a write went through it to its farthest base: again a
    whole reshape of the next base, as PyTorch's view stays one, so a later write goes
    through too;  dbase = g reshaped. ``previous`` is t as it was (``as_used``)."""
    __slots__ = ("previous",)

    def __init__(self, shape: Any, previous: AnyTensor) -> None:
        super().__init__(shape)
        self.previous = previous


class TransposedAgain(Transpose):
    """As ``ReshapedAgain``, for a view that is a transpose of the next base."""
    __slots__ = ("previous",)

    def __init__(self, axes: Any, previous: AnyTensor) -> None:
        super().__init__(axes)
        self.previous = previous


# the whole views a write goes through: t.unsqueeze_(0) views t's earlier self
_WHOLE_VIEWS = (Reshape, Transpose, ReshapedAgain, TransposedAgain, ReshapeInPlace,
                TransposeInPlace)


def _whole_view_bases(t: AnyTensor) -> list | None:
    """The tensors whose arrays t's array is a whole view of (a chain of reshapes,
    squeezes, transposes, permutes), nearest first, each with the op that viewed it,
    the last possibly a part of its own base (DCCRN's ``torch.squeeze(outputs[..., a:-a],
    1).clamp_(-1, 1)``): [] when t is no view; None when t views another tensor some
    other way (t itself ``base[i]``: see ``_sliced_base``), views one that was rebased
    since, or a leaf that requires grad (PyTorch refuses writing into those too); None
    also when a custom Function's output shares the memory (``views.function_sharing``:
    it could not follow the write, and PyTorch refuses it)."""
    bases, node = [], t
    while _is_view_of_another(node):
        if function_sharing(node) is not None:
            return None
        viewed = _view_op_and_base(node)
        if viewed is None or type(viewed[0]) not in _WHOLE_VIEWS:
            return bases if bases and _sliced_base(node) is not None else None
        op, base = viewed
        if (base._seq > node._seq or base._data.size != node._data.size
                or (base._op is None and base._requires_grad)
                or not np.may_share_memory(base._data, node._data)):
            return None
        bases.append((base, op))
        node = base
    if function_sharing(node) is not None:
        return None
    if node._op is None and not node._requires_grad and (
            held_elsewhere(node) or reshaped_since_viewed(node)):
        return None  # a constant whose memory a NumPy array holds: that would keep the old
    return bases  # values when the constant takes a new array (PyTorch writes the memory);
    # or whose views were taken before a shape change: they could not be made again


def _view_op_and_base(t: AnyTensor) -> tuple | None:
    """``(op, base)``: the op that took t as a view of base, recorded, or remembered for a
    view taken outside the graph (``out.T`` of a constant out: ``base_outside_graph``);
    None when there is neither, or the graph was released."""
    if t._op is None:
        found = base_outside_graph(t)
        return None if found is None else (found[1], found[0])
    return None if t._op.parents is None else (t._op, t._op.parents[0])


def _viewed_back(view: Any, x: AnyTensor, shape: tuple) -> AnyTensor:
    """x (a view's value) as the base of ``shape`` it views: reshaped, or transposed
    with the inverse axes."""
    if isinstance(view, Transpose):
        return x.transpose(tuple(np.argsort(view.axes)))
    return x.reshape(shape)


def _write_through(bases: list, t: AnyTensor, written: AnyTensor, earlier_t: AnyTensor,
                   value: AnyTensor) -> None:
    """After ``t[index] = value`` gave ``written`` (t's new value; ``earlier_t`` is t as it
    was) where t is a whole view of ``bases`` (``_whole_view_bases``): the farthest base
    takes ``written`` viewed back as its value and history (``WriteThrough``; when it is
    ``base[i]`` of another, as ``farthest[...] = ...``, which goes on), and each nearer
    one, then t, becomes the same view of the next again (``ReshapedAgain``,
    ``TransposedAgain``): all stay views of one another, as in PyTorch. Each keeps its
    earlier self for the ops that read it before."""
    chain = [t] + [base for base, _ in bases]
    views = [view for _, view in bases]  # views[i] made chain[i] from chain[i + 1]
    earliers = [earlier_t]
    sliced = _sliced_base(chain[-1]) is not None and _is_view_of_another(chain[-1])
    for base in chain[1:-1] if sliced else chain[1:]:
        earlier = base._make(base._data, base._op)  # the base as it was, its old number
        earlier._seq, earlier._requires_grad = base._seq, base._requires_grad
        earlier._hooks, base._hooks = base._hooks, None
        _read_earlier(value, base, earlier)
        earliers.append(earlier)
    back = written
    for view, base in zip(views[:-1], chain[1:-1]):
        back = _viewed_back(view, back, base.shape)
    farthest, last = chain[-1], views[-1]
    if sliced:  # base[i] of another: the write goes on into that other
        farthest[...] = _viewed_back(last, back, farthest.shape)
        earliers.append(None)  # (the loop below never reads the farthest's)
    else:
        undo = (TransposedWriteThrough(tuple(np.argsort(last.axes)), earliers[-1])
                if isinstance(last, Transpose) else WriteThrough(farthest.shape, earliers[-1]))
        out = apply(undo, back)
        farthest._data, farthest._op, farthest._seq = out._data, out._op, out._seq
        farthest._requires_grad = True
    for node, nearer, view, earlier in zip(chain[:0:-1], chain[-2::-1], views[::-1],
                                           earliers[-2::-1]):
        _view_again(nearer, view, node, earlier)
    if not sliced:  # (a sliced farthest's own write made its views again)
        refresh_views(farthest, earliers[-1]._data)  # its other views (the chain's are new)


def _view_again(t: AnyTensor, view: Any, base: AnyTensor, earlier: AnyTensor) -> None:
    """t becomes again what ``view`` (the op that took it) made of base, now of base as it
    is: the same part (``SliceWriteThrough``, ``DiagonalWriteThrough``), transpose or
    reshape (``TransposedAgain``, ``ReshapedAgain``); ``earlier``, t as it was, stays
    ``previous`` for the ops that read t before."""
    if isinstance(view, GetItem):
        again = SliceWriteThrough(view.index, earlier)
    elif isinstance(view, Diagonal):
        again = DiagonalWriteThrough(view.offset, view.axes, earlier)
    elif isinstance(view, Transpose):
        again = TransposedAgain(view.axes, earlier)
    elif isinstance(view, BroadcastTo):
        again = BroadcastAgain(view.shape, earlier)
    else:
        again = ReshapedAgain(t.shape, earlier)
    out = apply(again, base)
    t._data, t._op, t._seq = out._data, out._op, out._seq
    t._requires_grad = out._requires_grad  # (a view of a constant's detach() stays one)
    refresh_views(t, earlier._data)


class BroadcastAgain(BroadcastTo):
    """t = base.expand(...) (a read-only view) after base was written: again base as it
    is, broadcast;  dbase = g summed back. ``previous`` is t as it was."""
    __slots__ = ("previous",)

    def __init__(self, shape: Any, previous: AnyTensor) -> None:
        super().__init__(shape)
        self.previous = previous


class SliceWriteThrough(GetItem):
    """t's new value after a write into t = base[i] went through to base: the new base[i]
    (dbase = g scattered at i). ``previous`` is t as it was, which the ops that used t
    before the write still send their gradients to (``as_used``)."""
    __slots__ = ("previous",)

    def __init__(self, index: Any, previous: AnyTensor) -> None:
        super().__init__(index)
        self.previous = previous


class DiagonalWriteThrough(Diagonal):
    """As ``SliceWriteThrough``, where t is a diagonal of the base (``base.diagonal()``):
    the new base's diagonal, a view of it;  dbase = g on that diagonal."""
    __slots__ = ("previous",)

    def __init__(self, offset: int, axes: tuple[int, int], previous: AnyTensor) -> None:
        super().__init__(offset, *axes, view=True)
        self.previous = previous


def _sliced_base(t: AnyTensor) -> tuple | None:
    """``(base, view)`` when t is a part of base viewing its array: ``base[index]`` by a
    basic index (or one element), or a diagonal, ``view`` the op that took it (for a
    view taken outside the graph, the one ``base_outside_graph`` remembers); base is
    unchanged since and not a leaf that requires grad, so a write into t can go through
    to base, as PyTorch's. None otherwise."""
    viewed = _view_op_and_base(t)
    if viewed is None:
        return None
    op, base = viewed
    if not isinstance(op, (GetItem, Diagonal)):
        return None
    if (base._seq > t._seq or (base._op is None and base._requires_grad)
            or (isinstance(t._data, np.ndarray)
                and not np.may_share_memory(base._data, t._data))):
        return None
    if _whole_view_bases(base) is None and _sliced_base(base) is None:
        return None  # base cannot take the write either (a part of a transpose of a part)
    return base, op


def _diagonal_index(shape: tuple, view: Diagonal) -> tuple[tuple, int]:
    """The integer-array index of ``view``'s diagonal in an array of ``shape``, and the
    axis where ``base[index]`` puts the diagonal (NumPy: at the first indexed axis when
    the two are neighbours, first otherwise; ``np.diagonal`` puts it last)."""
    (a1, a2), k = view.axes, view.offset
    length = max(0, min(shape[a1] + min(k, 0), shape[a2] - max(k, 0)))
    steps = np.arange(length)
    index: list = [slice(None)] * len(shape)
    index[a1], index[a2] = steps - min(k, 0), steps + max(k, 0)
    return tuple(index), (min(a1, a2) if abs(a1 - a2) == 1 else 0)


def _write_into_sliced_base(t: AnyTensor, sliced: tuple, index: Any, value: Any) -> None:
    """``t[index] = value`` where t is a part of base (``_sliced_base``), as PyTorch: base
    takes ``base[i] = t with [index] = value`` (base's own rebase, which goes on to its
    bases; for a diagonal, i is its integer-array index), and t becomes the new part.
    Ops that read t or base before the write keep reading their old values
    (``_read_earlier``, and the engine's ``as_used``)."""
    base, view = sliced
    earlier = t._earlier_self()
    value = earlier if value is t else value
    if hasattr(value, "_op"):
        _read_earlier(value, t, earlier)
    updated = earlier.clone()
    updated[index] = value
    # base's write makes its listed views again, all but t: t is made again once, below,
    # from the earlier self that holds its hooks (made twice, t's detach()es lost track)
    _WRITING.add(id(t))
    try:
        if isinstance(view, Diagonal):
            diagonal_index, axis = _diagonal_index(base.shape, view)
            base[diagonal_index] = updated.moveaxis(-1, axis)
        else:
            base[view.index] = updated
    finally:
        _WRITING.discard(id(t))
    _view_again(t, view, base, earlier)


_WRITING: set[int] = set()  # ids of the parts whose own write is going into their base


def refresh_views(base: AnyTensor, before: Any, written_at: int | None = None) -> None:
    """After base took a new array (a write while recording; ``before`` is the array it
    held): each view listed on base (``views.take_view``) that still views ``before``
    shows base as it is, as PyTorch's views and detached tensors do. A view becomes the
    same view of the new base (``_view_again``, which goes on to the view's own views;
    ops that read it before keep its old value, ``previous``), also one taken outside the
    graph (of a constant that a write with a tensor that requires grad brought into the
    graph, or under ``no_grad()``); a detached tensor holds the new array, and so do the
    views taken of it (they share that memory in PyTorch). A base whose shape or dtype
    changed since the view was taken (``unsqueeze_``) leaves the view as it is.
    ``written_at``: the write's creation number, when base kept its own (a constant that
    took the array of its ``detach()``, ``detached_constant``)."""
    written_at = base._seq if written_at is None else written_at
    if base._views is None:
        return
    for ref in base._views:  # (the list drops the dead entries itself)
        view, op = ref(), ref.op
        if view is None or id(view) in _WRITING:
            continue
        if view._seq > written_at:  # taken (or made again) since base's write
            continue
        (used,) = as_used((base,), view._seq)  # base as it was when the view was taken
        source = as_when_viewed(base, used)  # after an unsqueeze_, a transpose_...
        if source is None:
            continue
        if op is None or isinstance(op, ViewChain):  # detached (of a view: ViewChain)
            if memory_owner(view._data) is memory_owner(before):  # (unless given another
                array = source._data if op is None else op(source._data)  # array since)
                _hold(view, array, written_at)
        elif isinstance(view._data, np.ndarray) and (  # x[[0, 2]] copies: no view
                memory_owner(view._data) is not memory_owner(before)):
            continue
        elif view._op is None:  # taken outside the graph (of a constant, under no_grad())
            _remake(view, op, source)  # now a view in it
        elif _takes_view_of(view._op, base, before):
            _remake(view, view._op, in_frame(view._op.parents[0], base, source))


def _hold(detached: AnyTensor, array: Any, written_at: int) -> None:
    """A detached tensor takes ``array``, base's new one (or a view of it); after a write
    (new memory, not an in-place shape change of base) so do the views taken of it."""
    held, detached._data = detached._data, array
    if memory_owner(array) is not memory_owner(held):
        refresh_views(detached, held, written_at)


def _remake(view: AnyTensor, op: Any, base: AnyTensor) -> None:
    """The view becomes ``op`` of base as it is; the ops made since the view that read it
    (the written value's, as ``t[1] = t[0] * 2``) read its earlier self, or the new view
    would close a reference cycle through base's write (``_read_earlier``)."""
    earlier = view._earlier_self()
    _read_earlier(base, view, earlier)
    _view_again(view, op, base, earlier)


def _takes_view_of(op: Any, base: AnyTensor, before: Any) -> bool:
    """Whether ``op`` (a view's op) takes a part, a reshape, a transpose, a diagonal or a
    broadcast of base as it was before its write: base itself, or base's earlier self,
    which ``_read_earlier`` may have put in base's place. Not an in-place shape change of
    the view (``unsqueeze_``), nor a write's own result."""
    if (not isinstance(op, (GetItem, Diagonal, Reshape, Transpose, BroadcastTo))
            or op.parents is None
            or isinstance(op, (ReshapeInPlace, TransposeInPlace, WriteThrough,
                               TransposedWriteThrough))):
        return False
    taken_of = op.parents[0]
    return taken_of is base or taken_of._data is before or is_frame(taken_of, base)
