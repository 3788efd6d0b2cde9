"""Whether the in-place operator running now (``x += y``...) is the middle of an augmented
assignment into an item, ``base[index] += y``: Python evaluates that as
``tmp = base[index]; tmp = tmp.__iadd__(y); base[index] = tmp``, so whatever ``__iadd__``
returns is written back into ``base`` by the item assignment that follows. While recording,
an in-place update of a view of another tensor is refused (PyTorch writes through to the
base, which here would keep its old values), but in this form the write-back happens
anyway: the update may be computed out of place and left to the item assignment, which
records it on ``base`` (PyTorch's result, ``bin_locations[..., -1] += eps``).

It reads the caller's bytecode: the instruction running (an in-place binary operator) is
followed, past cache entries and stack shuffles, by a store into a subscript or slice.
"""

from __future__ import annotations

import dis
import sys
from functools import lru_cache
from types import CodeType

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


def assigned_back_into_item() -> bool:
    """True when the first caller outside this package is running an in-place operator
    whose result Python then stores into ``base[index]`` (``base[index] += y``)."""
    frame = sys._getframe(1)
    while frame is not None and (frame.f_globals.get("__name__", "") == _PACKAGE
                                 or frame.f_globals.get("__name__", "").startswith(
                                     _PACKAGE + ".")):
        frame = frame.f_back
    if frame is None:
        return False
    return frame.f_lasti in _written_back_offsets(frame.f_code)
