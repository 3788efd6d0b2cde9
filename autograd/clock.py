"""The engine's two clocks.

``next_seq()`` hands out creation numbers: every tensor gets the next one, so an op's
output is always newer than its inputs and decreasing creation number is a topological
order for backward. ``INPLACE.last`` is the time (a creation number) of the latest
in-place write; each written tensor keeps the time of its own latest write in
``_version``.
"""

from __future__ import annotations

from itertools import count

__all__ = ["next_seq", "INPLACE"]

next_seq = count(1).__next__


class _InplaceClock:
    """The time of the latest in-place write, in creation numbers (0: none yet). Backward
    re-checks an op's saved tensors only if a write happened after the op's output was
    created."""
    __slots__ = ("last",)

    def __init__(self) -> None:
        self.last = 0

    def tick(self) -> int:
        """Stamp a write: a fresh creation number, remembered as the latest write."""
        self.last = next_seq()
        return self.last


INPLACE = _InplaceClock()
