"""Forward-mode AD with PyTorch's names (``torch.autograd.forward_ad``): dual tensors.

Inside ``with dual_level():``, ``make_dual(x, v)`` gives a tensor equal to ``x`` carrying
the tangent (direction) ``v``; whatever is computed from it, ``unpack_dual(y)`` gives
``(primal, tangent)`` with ``tangent = sum_i J_i v_i``, the directional derivative of
``y`` along the tangents of the dual tensors it depends on (tensors made without one have
tangent zero). Leaving the level forgets every tangent: ``unpack_dual`` then gives None.

How: this engine has reverse mode only, so a dual tensor is its primal recorded in the
graph (it requires grad), and ``unpack_dual(y)`` computes ``J v`` from the graph between
the dual tensors and ``y`` by two reverse passes, as ``func.jvp`` does: the VJP
``u -> J^T u`` is linear in ``u``, and the VJP of that map with ``v`` is ``J v``. The
numbers are PyTorch's; what differs from PyTorch:

- a dual tensor, and what is computed from it, has ``requires_grad=True`` (the graph
  must be recorded): so computing under ``no_grad()`` loses the tangent (``unpack_dual``
  called under ``no_grad()`` says so; one called later cannot know, and gives None);
- each ``unpack_dual`` of a computed tensor runs two reverse passes (no cost before),
  through a graph that a ``backward()`` must not have released (``retain_graph=True``);
- a custom ``Function``'s tangent comes from its ``vjp``/``backward`` (its ``jvp`` is not
  used), which must then be written with Tensor operations on ``g``: one computed with
  NumPy raises ``UsageError`` (``differentiable_vjps``), as PyTorch raises without a jvp;
- an in-place write into a dual tensor is followed: the tangent is that of its new value.
"""

from __future__ import annotations

import threading
from contextlib import ContextDecorator
from typing import Any, NamedTuple

import numpy as np

from .differentiable_vjps import check_differentiable_vjps, parents_as_used
from .differentiate import grad
from .errors import GraphFreedError, ShapeError, UsageError
from .grad_mode import is_grad_enabled
from .tensor import Tensor

__all__ = ["dual_level", "enter_dual_level", "exit_dual_level", "make_dual", "unpack_dual",
           "UnpackedDualTensor"]

_state = threading.local()  # .duals: {dual._seq: (dual, tangent, forward_only)} or None


class UnpackedDualTensor(NamedTuple):
    """What ``unpack_dual`` gives: the value, and its tangent (None if it has none)."""
    primal: Any
    tangent: Any


def _duals() -> dict[int, tuple[Tensor, Tensor, bool]] | None:
    """The dual tensors of the active level by creation number, None outside one: an
    in-place write gives a dual a new number, and its earlier self (the graph's node of
    the value the tangent belongs to) keeps the old one."""
    return getattr(_state, "duals", None)


def enter_dual_level() -> int:
    """Start a level for dual tensors (one at a time, as in PyTorch); returns it (0)."""
    if _duals() is not None:
        raise UsageError("enter_dual_level: nested forward-mode AD is not supported (as in "
                         "PyTorch); leave the current dual_level first")
    _state.duals = {}
    return 0


def exit_dual_level(*, level: int | None = None) -> None:
    """End the level: every dual tensor's tangent is forgotten."""
    if _duals() is None:
        raise UsageError("exit_dual_level: no dual level is active (enter_dual_level() "
                         "first, or use `with dual_level():`)")
    if level not in (None, 0):
        raise UsageError(f"exit_dual_level: level {level!r} is not the active one (0)")
    _state.duals = None


class dual_level(ContextDecorator):
    """``with dual_level():`` the block in which dual tensors carry their tangents; as a
    decorator (``@dual_level()``), the function's call."""

    def __enter__(self) -> int:
        return enter_dual_level()

    def __exit__(self, *exc_info: Any) -> None:
        exit_dual_level()


def _walk(y: Tensor, duals: dict, released_ok: bool = False) -> tuple[list[Tensor], bool]:
    """(the dual tensors ``y``'s graph reaches, as its nodes, does it reach a tensor that
    requires grad for reverse mode, one not made a dual here): an iterative walk. A dual
    written in place is a new node whose history leads to its earlier self, the seed; the
    parents are taken as their ops used them (``as_used``), as backward takes them. A part
    a backward released raises ``GraphFreedError``, or ends the walk with ``released_ok``."""
    reached, reverse, seen, stack = [], False, set(), [y]
    while stack:
        t = stack.pop()
        if id(t) in seen:
            continue
        seen.add(id(t))
        entry = duals.get(t._seq)
        if entry is not None:  # the walk ends at a dual: its primal's graph is reverse mode's
            reached.append(t)
            reverse = reverse or not entry[2]  # (entry[2]: forward only, a leaf of ours)
            continue
        op = t.grad_fn
        if op is None:
            reverse = reverse or t.requires_grad
            continue
        parents = getattr(op, "parents", ())
        if parents is None and released_ok:
            continue
        if parents is None:  # released by a backward(): where it leads is unknown
            raise GraphFreedError(
                f"unpack_dual: a backward() released the graph at {op.name()}; forward-mode "
                f"AD here computes tangents from the graph between the dual tensors and "
                f"this tensor: call unpack_dual before the backward, or pass "
                f"retain_graph=True to it")
        stack.extend(parents_as_used(t))
    return reached, reverse


def make_dual(tensor: Any, tangent: Any, *, level: int | None = None) -> Tensor:
    """A dual tensor: ``tensor``'s values with the tangent ``tangent`` (its shape).

    As in PyTorch, a tangent laid out differently from the primal (a transposed view) is
    copied into the primal's layout, else kept as it is; the primal must be floating
    point and must not already carry a tangent at this level, and the tangent floating
    point too."""
    duals = _duals()
    if duals is None:
        raise UsageError("make_dual: no dual level is active; create dual tensors inside "
                         "`with autograd.forward_ad.dual_level():`")
    if level not in (None, 0):
        raise UsageError(f"make_dual: level {level!r} is not the active one (0)")
    if not is_grad_enabled():
        raise UsageError("make_dual under no_grad(): forward-mode AD here is computed "
                         "from the recorded graph; make and use dual tensors with grad "
                         "enabled")
    primal = tensor if isinstance(tensor, Tensor) else Tensor(tensor)
    if primal.dtype.kind != "f":
        raise UsageError(f"make_dual: the primal must be floating point; got {primal.dtype}")
    tangent = tangent if isinstance(tangent, Tensor) else Tensor(np.asarray(tangent))
    if tangent.dtype.kind != "f":
        raise UsageError(f"make_dual: the tangent must be floating point (as PyTorch's); got "
                         f"{tangent.dtype}. Give a float tangent, e.g. tangent.double() or "
                         f"tangent.to(primal.dtype)")
    if tangent.shape != primal.shape:
        raise ShapeError(f"make_dual: the tangent has shape {tangent.shape}; the primal has "
                         f"{primal.shape}: they must agree")
    if tangent.dtype != primal.dtype or tangent.data.strides != primal.data.strides:
        laid_out = np.empty_like(primal.data)  # the primal's layout, as PyTorch copies
        laid_out[...] = tangent.data
        tangent = Tensor(laid_out)
    if _walk(primal, duals, released_ok=True)[0]:
        raise UsageError("make_dual: the primal already has a tangent at this level (it is "
                         "a dual tensor, or computed from one); this is not supported, as "
                         "in PyTorch. Make the dual from its .detach()")
    forward_only = not primal.requires_grad
    # a forward-only dual is a new leaf on the primal's array (a view, as in PyTorch);
    # one of a primal that requires grad stays connected to it for reverse mode
    dual = Tensor(primal.data, requires_grad=True) if forward_only else primal.view_as(
        primal)
    duals[dual._seq] = (dual, tangent, forward_only)
    return dual


def unpack_dual(tensor: Any, *, level: int | None = None) -> UnpackedDualTensor:
    """``(primal, tangent)`` of ``tensor``: its tangent is ``sum_i J_i v_i`` over the dual
    tensors it was computed from (J_i its Jacobian in dual i, v_i that dual's tangent),
    None when it depends on none or outside a dual level (where anything is taken, as
    PyTorch's; inside one, only a Tensor)."""
    duals = _duals()
    if duals is not None and not isinstance(tensor, Tensor):
        raise UsageError(f"unpack_dual takes a Tensor (as PyTorch's); got a "
                         f"{type(tensor).__name__}. Pass the dual tensor, or a tensor "
                         f"computed from it")
    if duals is None or level not in (None, 0):
        return UnpackedDualTensor(tensor, None)
    entry = duals.get(tensor._seq)
    if entry is not None:
        dual, tangent, forward_only = entry
        return UnpackedDualTensor(Tensor(dual.data) if forward_only else dual.view_as(dual),
                                  tangent)
    reached, reverse = _walk(tensor, duals) if tensor.dtype.kind == "f" else ([], False)
    if not reached:
        if duals and not is_grad_enabled() and tensor.grad_fn is None:
            raise UsageError("unpack_dual under no_grad(): forward-mode AD here is "
                             "computed from the recorded graph, which no_grad() does not "
                             "record; compute and unpack with grad enabled")
        return UnpackedDualTensor(tensor, None)
    check_differentiable_vjps([tensor], reached, "unpack_dual")
    tangents = [duals[seed._seq][1] for seed in reached]
    keep = reverse or any(t.requires_grad for t in tangents)
    return UnpackedDualTensor(tensor if reverse else tensor.detach(),
                              _jvp(tensor, reached, tangents, keep))


def _jvp(y: Tensor, seeds: list[Tensor], tangents: list[Tensor], keep: bool) -> Tensor:
    """``sum_i J_i v_i`` by two reverse passes: ``g_i(u) = J_i^T u``, then the VJP of
    ``u -> sum_i g_i(u)`` with the ``v_i`` (``keep``: record it, for reverse mode)."""
    u = Tensor(np.zeros(y.shape, dtype=y.dtype), requires_grad=True)
    transposed = grad([y], seeds, grad_outputs=[u], retain_graph=True, create_graph=True,
                      allow_unused=True)
    live = [(g, v) for g, v in zip(transposed, tangents) if g is not None and g.requires_grad]
    found = grad([g for g, _ in live], [u], grad_outputs=[v for _, v in live],
                 retain_graph=True, create_graph=keep, allow_unused=True)[0] if live else None
    if found is None:  # J^T u does not depend on u: J is zero along these paths
        return Tensor(np.zeros(y.shape, dtype=y.dtype))
    return found if keep else found.detach()
