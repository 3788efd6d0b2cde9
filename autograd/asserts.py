"""PyTorch's ``torch._assert``: Python's ``assert`` as a function call, which torchvision's
models use to check input sizes (``torch._assert(h == self.image_size, "Wrong image
height! ...")``). PyTorch has it so that symbolic tracing can record the check; here it
is just the check."""

from __future__ import annotations

from typing import Any

__all__ = ["_assert"]


def _assert(condition: Any, message: str) -> None:
    """Raise ``AssertionError(message)`` unless ``bool(condition)`` is true: a Python bool
    or a one-element Tensor (more elements: the ambiguous-truth ``UsageError``). Unlike
    the ``assert`` statement (and PyTorch's, which uses it) it also checks under
    ``python -O``."""
    if not condition:
        raise AssertionError(message)
