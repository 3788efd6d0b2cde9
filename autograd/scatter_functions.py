"""The public functions of the scatter reductions, PyTorch's ``torch.scatter_reduce(input,
dim, index, src, reduce)`` and ``torch.index_reduce(input, dim, index, source, reduce)``;
each calls the Tensor method of the same name (``autograd.scatter_reductions``)."""

from __future__ import annotations

from typing import Any

from .out_argument import accepts_out
from .tensor import Tensor, as_tensor

__all__ = ["scatter_reduce", "index_reduce"]


@accepts_out
def scatter_reduce(input: Any, dim: int, index: Any, src: Any, reduce: str, *,  # noqa: A002
                   include_self: bool = True) -> Tensor:
    """``input.scatter_reduce(dim, index, src, reduce, include_self=include_self)``: src
    reduced into a copy of input along ``dim`` at ``index`` ('sum', 'prod', 'mean',
    'amax', 'amin')."""
    return as_tensor(input).scatter_reduce(dim, index, src, reduce, include_self=include_self)


@accepts_out
def index_reduce(input: Any, dim: int, index: Any, source: Any, reduce: str, *,  # noqa: A002
                 include_self: bool = True) -> Tensor:
    """``input.index_reduce(dim, index, source, reduce, include_self=include_self)``:
    source's slices reduced into a copy of input's slices ``index`` along ``dim``
    ('prod', 'mean', 'amax', 'amin')."""
    return as_tensor(input).index_reduce(dim, index, source, reduce, include_self=include_self)
