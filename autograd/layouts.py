"""PyTorch's layouts (``torch.strided``, ``torch.sparse_coo``...), for ``x.layout`` and the
``layout=`` keyword of the factory functions: code copied from PyTorch writes
``torch.zeros(*shape, dtype=out.dtype, device=out.device, layout=out.layout)`` (NODE's
``process_in_chunks``).

A Tensor here holds one dense NumPy array, so every tensor is ``strided`` (PyTorch's dense
layout) and ``layout=strided`` (or None) asks for what happens anyway; the sparse layouts
are not offered, and asking for one is an ``UnsupportedError`` that says to drop it.
"""

from __future__ import annotations

from typing import Any

from .errors import UnsupportedError, UsageError

__all__ = ["layout", "strided", "sparse_coo", "sparse_csr", "sparse_csc", "sparse_bsr",
           "sparse_bsc", "check_layout"]


class layout:  # noqa: N801 (PyTorch's name: torch.layout)
    """One of PyTorch's tensor layouts, by name (``autograd.strided``...)."""

    __slots__ = ("name",)

    def __init__(self, name: str) -> None:
        self.name = name

    def __repr__(self) -> str:
        return f"autograd.{self.name}"


strided = layout("strided")
sparse_coo = layout("sparse_coo")
sparse_csr = layout("sparse_csr")
sparse_csc = layout("sparse_csc")
sparse_bsr = layout("sparse_bsr")
sparse_bsc = layout("sparse_bsc")


def check_layout(value: Any, owner: str) -> None:
    """Accept None and ``strided`` (what every Tensor here is); refuse a sparse layout
    with an ``UnsupportedError`` and anything else with a ``UsageError``, naming
    ``owner``."""
    if value is None or value is strided:
        return
    if isinstance(value, layout):
        raise UnsupportedError(
            f"{owner}(layout={value!r}): there are no sparse tensors here; every tensor is "
            f"a dense NumPy array, which every op takes. Drop layout= (or pass "
            f"autograd.strided) and keep the dense tensor.")
    raise UsageError(f"{owner}: layout must be autograd.strided (PyTorch's torch.layout "
                     f"values); got {value!r}")
