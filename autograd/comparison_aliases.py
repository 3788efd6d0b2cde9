"""PyTorch's long names of the comparison functions: ``greater greater_equal less
less_equal not_equal`` are ``gt ge lt le ne`` themselves (``torch.greater`` is
``torch.gt``), ``out=`` included. The methods of the same names are in
``arithmetic_aliases``."""

from __future__ import annotations

from .torch_functions import ge, gt, le, lt, ne

__all__ = ["greater", "greater_equal", "less", "less_equal", "not_equal"]

greater, greater_equal, less, less_equal, not_equal = gt, ge, lt, le, ne
