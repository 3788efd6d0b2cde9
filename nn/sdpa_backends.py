"""PyTorch's ``torch.nn.attention.SDPBackend`` and ``sdpa_kernel``: code chooses the
kernel behind ``F.scaled_dot_product_attention`` with ``with
sdpa_kernel(SDPBackend.MATH):`` (or a list of backends). Here one kernel computes it,
NumPy's matmuls and softmax (PyTorch's MATH backend), whatever is asked: the context
manager checks its argument and changes nothing. Both are importable from
``nn.attention``, as from ``torch.nn.attention``."""

from __future__ import annotations

import enum
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from .errors import ArgumentTypeError

__all__ = ["SDPBackend", "sdpa_kernel"]


class SDPBackend(enum.IntEnum):
    """The attention kernels PyTorch names (their values are PyTorch's too)."""
    ERROR = -1
    MATH = 0
    FLASH_ATTENTION = 1
    EFFICIENT_ATTENTION = 2
    CUDNN_ATTENTION = 3
    OVERRIDEABLE = 4


@contextmanager
def sdpa_kernel(backends: Any, set_priority: bool = False) -> Iterator[None]:
    """Run the block with ``backends`` (one ``SDPBackend`` or a list) allowed, as
    PyTorch's; here the one kernel there is runs either way."""
    for backend in backends if isinstance(backends, (list, tuple)) else [backends]:
        if not isinstance(backend, SDPBackend):
            raise ArgumentTypeError(
                f"sdpa_kernel: expected an SDPBackend or a list of them (SDPBackend.MATH); "
                f"got {backend!r}")
    yield
