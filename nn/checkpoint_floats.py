"""The checkpoint node of a Python ``float`` (``nn/checkpoint_format.py``).

A float is stored as its ``repr``, which reads back exactly for every finite value, the
infinities and ``-0.0``: ``{"t": "float", "v": "0.1"}``. Every NaN has the ``repr``
``'nan'``, which would lose its sign and payload bits, so a NaN node also holds its IEEE 754
bit pattern as 16 hex digits: ``{"t": "float", "v": "nan", "bits": "0xfff8000000000123"}``
(the 8 bytes ``torch.save``'s pickle keeps). Code that predates ``"bits"`` reads such a
node as the default NaN, as it wrote it; files without ``"bits"`` read as before.
"""
from __future__ import annotations

import math
import re
import struct
from typing import Any

from .errors import CheckpointError

__all__ = ["float_node", "float_from_node"]

_BITS = re.compile(r"0x[0-9a-f]{16}")


def float_node(value: float) -> dict[str, Any]:
    """The node of ``value``: its ``repr``, and for a NaN its bits (``struct``'s
    little-endian ``'<d'`` read as the unsigned ``'<Q'``, in hex)."""
    node = {"t": "float", "v": repr(value)}
    if math.isnan(value):
        node["bits"] = f"0x{struct.unpack('<Q', struct.pack('<d', value))[0]:016x}"
    return node


def float_from_node(node: dict[str, Any], text: str, source: str) -> float:
    """The float of ``node``, whose ``"v"`` is ``text``; a ``"bits"`` entry must be 16 hex
    digits of a NaN, on a node whose ``"v"`` is a NaN (else ``CheckpointError``)."""
    value = float(text)
    if "bits" not in node:
        return value
    bits = node["bits"]
    if type(bits) is not str or _BITS.fullmatch(bits) is None:
        raise CheckpointError(f"{source}: corrupt checkpoint metadata: a float's 'bits' is "
                              f"{bits!r:.60}, not 16 lowercase hex digits after '0x'")
    exact = struct.unpack("<d", struct.pack("<Q", int(bits, 16)))[0]
    if not (math.isnan(value) and math.isnan(exact)):
        raise CheckpointError(f"{source}: corrupt checkpoint metadata: a float node holds "
                              f"'bits' {bits} with the value {text!r:.60}; nn.save writes "
                              f"bits only for a NaN, with the value 'nan'")
    return exact
