"""Whether the in-place operator running now (``x += y``...) is the middle of an augmented
assignment into an item, ``base[index] += y``: Python evaluates that as
``tmp = base[index]; tmp = tmp.__iadd__(y); base[index] = tmp``, so whatever ``__iadd__``
returns is written back into ``base`` by the item assignment that follows. While recording,
an in-place update of a view of another tensor is refused (PyTorch writes through to the
base, which here would keep its old values), but in this form the write-back happens
anyway: the update may be computed out of place and left to the item assignment, which
records it on ``base`` (PyTorch's result, ``bin_locations[..., -1] += eps``).

It reads the caller's bytecode: the instruction running (an in-place binary operator) is
followed, past cache entries and stack shuffles, by a store into a subscript or slice; and
the view must be held by nothing but running frames (``views[i] += y`` over a list of
views stores into the list, so there it is still refused).
"""

from __future__ import annotations

import dis
import gc
import sys
from functools import lru_cache
from types import CellType, CodeType, FrameType
from typing import Any

__all__ = ["assigned_back_into_item"]

_PACKAGE = __name__.rsplit(".", 1)[0]
_SHUFFLES = {"CACHE", "SWAP", "ROT_TWO", "ROT_THREE", "ROT_FOUR", "NOP", "EXTENDED_ARG"}
_STORES = {"STORE_SUBSCR", "STORE_SLICE"}


@lru_cache(maxsize=256)
def _written_back_offsets(code: CodeType) -> frozenset[int]:
    """The offsets of the in-place operators in ``code`` whose result goes into an item."""
    instructions = list(dis.get_instructions(code))
    found = set()
    for i, instruction in enumerate(instructions):
        inplace = (instruction.opname == "BINARY_OP" and instruction.argrepr.endswith("=")
                   or instruction.opname.startswith("INPLACE_"))
        if not inplace:
            continue
        for following in instructions[i + 1:]:
            if following.opname in _SHUFFLES:
                continue
            if following.opname in _STORES:
                found.add(instruction.offset)
            break
    return frozenset(found)


_FRESH_REFCOUNT: list[int] = []  # the reference count of a view gc found held by frames


def _held_elsewhere(view: Any) -> bool:
    """Whether an object other than a running frame (or a closure's cell) refers to
    ``view``: in ``views[i] += y`` with ``views`` a list, the list does, and Python's
    write-back would go into the list, not into the tensor the view belongs to. The
    garbage collector's scan (milliseconds) runs once; later a view with the reference
    count of the one it cleared is held by the same frames alone."""
    count = sys.getrefcount(view)
    if _FRESH_REFCOUNT and count == _FRESH_REFCOUNT[0]:
        return False
    if any(not isinstance(r, (FrameType, CellType)) for r in gc.get_referrers(view)):
        return True
    _FRESH_REFCOUNT[:] = [count]
    return False


def assigned_back_into_item(view: Any) -> bool:
    """True when the first caller outside this package is running an in-place operator
    whose result Python then stores into ``base[index]`` (``base[index] += y``), the
    ``view`` being the temporary ``base[index]`` that nothing else holds."""
    frame = sys._getframe(1)
    while frame is not None and (frame.f_globals.get("__name__", "") == _PACKAGE
                                 or frame.f_globals.get("__name__", "").startswith(
                                     _PACKAGE + ".")):
        frame = frame.f_back
    if frame is None:
        return False
    if frame.f_lasti not in _written_back_offsets(frame.f_code):
        return False
    del frame
    return not _held_elsewhere(view)
