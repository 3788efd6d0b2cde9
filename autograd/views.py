"""A base knows its views. ``take_view`` runs an op whose output views its input's array
(a part ``base[i]``, a reshape, a transpose, a diagonal) and, when the base is a computed
tensor, lists the view on it with the op that took it (a weak reference: a view nobody
holds goes); ``detached_view`` lists ``base.detach()`` too. A write into the base while
recording gives it a new array (see ``rebase``); the base's listed views are then made
again from it (``rebase.refresh_views``), so a view read after its base was written shows
the new values, as PyTorch's views and detached tensors do.

Only computed bases list their views: a leaf that requires grad is never written while
recording, and its list would grow for as long as the leaf lives (``x @ W.T`` each step).
"""

from __future__ import annotations

import weakref
from typing import Any

import numpy as np

from .function import Function, apply

__all__ = ["take_view", "detached_view"]

AnyTensor = Any  # a Tensor: this module sits below the Tensor class


def take_view(op: Function, base: AnyTensor) -> AnyTensor:
    """``apply(op, base)`` for a view op; a view of a computed base's memory (or one
    element of it, which NumPy copies where PyTorch's is a view) is listed on base."""
    out = apply(op, base)
    if base._op is not None and (not isinstance(out._data, np.ndarray)
                                 or np.may_share_memory(out._data, base._data)):
        _list_view(base, out, op)
    return out


def detached_view(base: AnyTensor) -> AnyTensor:
    """``base.detach()``: a new leaf holding base's array, listed on a computed base."""
    out = base._make(base._data, None)
    if base._op is not None:
        _list_view(base, out, None)
    return out


def _list_view(base: AnyTensor, view: AnyTensor, op: Function | None) -> None:
    """Add ``(view, op)`` to base's list; every 64th entry, drop the views nobody holds
    any more (a base sliced step by step, ``h[:, t]``, would otherwise keep one a step)."""
    views = base._views
    if views is None:
        base._views = [(weakref.ref(view), op)]
        return
    views.append((weakref.ref(view), op))
    if len(views) % 64 == 0:
        views[:] = [entry for entry in views if entry[0]() is not None]
