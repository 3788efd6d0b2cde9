"""PyTorch's long names of the comparison functions: ``greater greater_equal less
less_equal not_equal`` are ``gt ge lt le ne`` (``torch.greater`` is ``torch.gt``), with
the same ``out=``. Each returns a boolean tensor; the methods of the same names are in
``arithmetic_aliases``."""

from __future__ import annotations

from typing import Any, Callable

from .out_argument import accepts_out
from .tensor import Tensor, as_tensor

__all__ = ["greater", "greater_equal", "less", "less_equal", "not_equal"]


def _alias(name: str, short: str, symbol: str) -> Callable[..., Tensor]:
    """``name(input, other)``: ``input.short(other)``, input ``symbol`` other."""
    def function(input: Any, other: Any) -> Tensor:  # noqa: A002
        return getattr(as_tensor(input), short)(other)
    function.__name__ = function.__qualname__ = name
    function.__doc__ = f"input {symbol} other, a boolean tensor (``{short}``)."
    return accepts_out(function)


greater = _alias("greater", "gt", ">")
greater_equal = _alias("greater_equal", "ge", ">=")
less = _alias("less", "lt", "<")
less_equal = _alias("less_equal", "le", "<=")
not_equal = _alias("not_equal", "ne", "!=")
