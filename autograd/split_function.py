"""``autograd.split``: NumPy's ``np.split`` and PyTorch's ``torch.split`` share the name
and disagree: ``split(x, 2)`` is two equal pieces in NumPy, pieces of two elements in
PyTorch, and a list is split indices in NumPy, piece sizes in PyTorch. The spelling
decides (the README's rule): ``dim=`` or ``split_size_or_sections=`` is PyTorch's,
``axis=`` or ``indices_or_sections=`` NumPy's; given by position, the reading that does
not raise wins, and where both would give different pieces the call is a ``UsageError``
naming the two spellings. (The method ``x.split(2)`` is PyTorch's: NumPy has none.)"""

from __future__ import annotations

from typing import Any

import numpy as np

from .errors import UsageError
from .numpy_more import numpy_split
from .ops.reductions import single_axis
from .tensor import Tensor, as_tensor

__all__ = ["split"]


def split(tensor: Any, *args: Any, dim: int | None = None, axis: int | None = None,
          split_size_or_sections: Any = None, indices_or_sections: Any = None
          ) -> tuple[Tensor, ...] | list[Tensor]:
    """The pieces of ``tensor`` along an axis: PyTorch's (pieces of a size, or of the given
    sizes: a tuple) or NumPy's (n equal sections, or the parts between split indices: a
    list), as the spelling says (see the module docstring)."""
    x = as_tensor(tensor)
    if len(args) > 2:
        raise UsageError(f"split takes (tensor, sizes or sections, axis); got "
                         f"{len(args) + 1} positional arguments")
    torch_style = dim is not None or split_size_or_sections is not None
    numpy_style = axis is not None or indices_or_sections is not None
    if torch_style and numpy_style:
        raise UsageError("split: give PyTorch's spelling (split_size_or_sections=, dim=) "
                         "or NumPy's (indices_or_sections=, axis=), not both")
    spec = args[0] if args else (split_size_or_sections if torch_style
                                 else indices_or_sections)
    where = args[1] if len(args) > 1 else (dim if torch_style else axis)
    where = 0 if where is None else where
    if spec is None:
        raise UsageError("split: give the piece size(s) (PyTorch) or the sections or "
                         "split indices (NumPy)")
    if torch_style:
        return x.split(spec, where)
    if numpy_style or not _pytorch_reads(x, spec, where):
        return numpy_split(x, spec, where)
    if not _numpy_reads(x, spec, where) or _same_pieces(x, spec, where):
        return x.split(spec, where)
    raise UsageError(
        f"split(x, {spec!r}) of an axis of length {x.shape[where]}: NumPy cuts x "
        f"{'into that many equal pieces' if _is_int(spec) else 'at those indices'}, "
        f"PyTorch into pieces of {'that size' if _is_int(spec) else 'those sizes'}. "
        f"Write split(x, {spec!r}, dim={where}) or x.split({spec!r}, {where}) for "
        f"PyTorch's, split(x, {spec!r}, axis={where}) or np.split(x, ...) for NumPy's.")


def _is_int(spec: Any) -> bool:
    return isinstance(spec, (int, np.integer)) and not isinstance(spec, bool)


def _length(x: Tensor, where: int) -> int:
    return x.shape[single_axis(where, x.ndim, "split")]


def _pytorch_reads(x: Tensor, spec: Any, where: int) -> bool:
    """Whether ``torch.split`` takes it: a positive size (or 0 for an empty axis), or sizes
    adding up to the axis."""
    if _is_int(spec):
        return spec > 0 or (spec == 0 and _length(x, where) == 0)
    sizes = list(spec)
    return all(_is_int(k) and k >= 0 for k in sizes) and sum(sizes) == _length(x, where)


def _numpy_reads(x: Tensor, spec: Any, where: int) -> bool:
    """Whether ``np.split`` takes it: sections dividing the axis evenly, or indices."""
    return not _is_int(spec) or (spec > 0 and _length(x, where) % spec == 0)


def _same_pieces(x: Tensor, spec: Any, where: int) -> bool:
    """n sections of n elements each: the two readings agree."""
    return _is_int(spec) and _length(x, where) == spec * spec
