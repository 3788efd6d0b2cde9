"""The engine's clock: creation numbers and the times of in-place writes.

``next_seq()`` hands out creation numbers: every tensor gets the next one, so an op's
output is always newer than its inputs and decreasing creation number is a topological
order for backward.

Versions. An in-place write is stamped with a fresh creation number on the *memory* it
wrote: the array that owns it (``base``), which a tensor shares with its views, its
detached copies and any ``Tensor(a)`` wrapping the same array. So they all share one
version: a backward that needs an array written after its op ran (``last_write(a) >``
the op output's creation number) refuses. ``INPLACE.last`` is the latest write of all;
backward checks an op only if something was written after the op's output was created.
"""

from __future__ import annotations

import threading
import weakref
from itertools import count
from typing import Any

import numpy as np

__all__ = ["next_seq", "INPLACE", "record_write", "record_rebase", "last_write", "memory_owner",
           "advance"]

next_seq = count(1).__next__


class _InplaceClock:
    """The time of the latest in-place write, in creation numbers (0: none yet)."""
    __slots__ = ("last",)

    def __init__(self) -> None:
        self.last = 0


INPLACE = _InplaceClock()
_WRITES: dict[int, list] = {}  # id(owner array) -> [weak reference to it, its write time]
# Taking a number and storing it are two steps: a thread paused between them would store
# an older number after a newer one, the clock would go back, and a backward would skip
# the check of a write (1 in 40,000 with three writing threads). One lock keeps them whole.
_STAMPING = threading.Lock()


def advance() -> int:
    """A fresh creation number, stamped as the time of the latest write (``INPLACE``)."""
    with _STAMPING:
        INPLACE.last = time = next_seq()
    return time


def memory_owner(array: Any) -> Any:
    """The array that owns the memory ``array`` views (itself if it owns it)."""
    while isinstance(getattr(array, "base", None), np.ndarray):
        array = array.base
    return array


def record_rebase() -> None:
    """A tensor took a new history without a write (``t.unsqueeze_(0)``): the clock moves
    on, so that backward asks the ops made before which of t's identities they read."""
    advance()


def record_write(array: np.ndarray) -> None:
    """Stamp an in-place write into ``array`` (and so into every view of its memory)."""
    owner = memory_owner(array)
    key = id(owner)
    with _STAMPING:  # (see above: the array's time must not go back either)
        INPLACE.last = time = next_seq()
        entry = _WRITES.get(key)
        if entry is not None and entry[0]() is owner:
            entry[1] = time
        else:  # a new owner (or a new array at a dead one's address): forget it when it dies
            _WRITES[key] = [weakref.ref(owner, lambda _, key=key: _WRITES.pop(key, None)),
                            time]


def last_write(array: Any) -> int:
    """The time of the latest in-place write into ``array``'s memory (0: never)."""
    owner = memory_owner(array)
    entry = _WRITES.get(id(owner))
    return entry[1] if entry is not None and entry[0]() is owner else 0
