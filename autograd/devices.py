"""``autograd.device``: PyTorch's ``torch.device``, so ``device = torch.device("cuda" if
args.cuda else "cpu")`` is written as it is. The CPU is the only device that computes
here: any of PyTorch's device types may be named (as PyTorch, which fails only when a
tensor goes there), and ``x.to(device)`` / ``device=`` of another than the CPU is the
``UsageError`` that ``x.to('cuda')`` gives."""

from __future__ import annotations

import re
from typing import Any

from .errors import UsageError

__all__ = ["device"]

# PyTorch's device types (torch.device's "Expected one of ..." list)
DEVICE_TYPES = ("cpu", "cuda", "ipu", "xpu", "mkldnn", "opengl", "opencl", "ideep", "hip",
                "ve", "fpga", "maia", "xla", "lazy", "vulkan", "mps", "meta", "hpu", "mtia",
                "privateuseone")
_NAME = re.compile(r"([a-z]+)(?::(0|[1-9][0-9]*))?")


class device:
    """A device: its ``type`` ("cpu", "cuda"...) and ``index`` (an int, or None).

    ``device("cpu")``, ``device("cuda:1")``, ``device("cuda", 1)`` or ``device(d)``, as
    PyTorch's. ``str(d)`` is its name ("cuda:1"), which it also equals and hashes as
    (``x.device`` is ``device("cpu")`` here, so ``x.device == "cpu"`` too)."""

    __slots__ = ("_type", "_index")

    def __init__(self, type: Any, index: int | None = None) -> None:  # noqa: A002 (torch's)
        if isinstance(type, device) and index is None:
            type, index = type.type, type.index
        elif isinstance(type, bool) or not isinstance(type, str):
            raise UsageError(f"device({type!r}): name the device, e.g. device('cpu') (an "
                             f"index alone names an accelerator, and there is none here)")
        if index is not None and (isinstance(index, bool) or not isinstance(index, int)):
            raise UsageError(f"device({type!r}, {index!r}): the device index must be an int")
        match = _NAME.fullmatch(type)
        if match is None or match[1] not in DEVICE_TYPES:
            raise UsageError(f"device({type!r}): expected one of {', '.join(DEVICE_TYPES)} "
                             f"as the device type, optionally with ':index' (e.g. 'cpu')")
        if match[2] is not None and index is not None:
            raise UsageError(f"device({type!r}, {index}): the device name must not include "
                             f"an index when the index is given as well")
        index = int(match[2]) if match[2] is not None else index
        if index is not None and index < 0:
            raise UsageError(f"device({type!r}, {index}): a device index must not be negative")
        self._type, self._index = match[1], index

    @property
    def type(self) -> str:
        """The device type: "cpu", "cuda", "mps"..."""
        return self._type

    @property
    def index(self) -> int | None:
        """The device's number, or None when not given."""
        return self._index

    def __str__(self) -> str:
        return self._type if self._index is None else f"{self._type}:{self._index}"

    def __repr__(self) -> str:
        index = "" if self._index is None else f", index={self._index}"
        return f"device(type='{self._type}'{index})"

    def __eq__(self, other: object) -> bool:
        if isinstance(other, (device, str)):
            return str(self) == str(other)
        return NotImplemented

    def __hash__(self) -> int:
        return hash(str(self))
