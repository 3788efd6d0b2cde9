"""``Size``: what ``x.size()`` returns, a tuple of ints (equal to ``x.shape``, printed as
one) that PyTorch's legacy constructors read as a size, as they read a ``torch.Size``:
``torch.BoolTensor(x.size())`` is a tensor of x's size, ``BoolTensor((2, 3))`` of the
data 2 and 3. ``autograd.Size((3, 4))`` makes one, as ``torch.Size`` (rtdl's
``get_output_shape`` returns ``torch.Size((n_features, d_embedding))``), and
``numel()`` is the product of its entries. As a ``torch.Size``, it stays one when joined
with a tuple (either side), sliced or repeated: ``FloatTensor(labels.size() + (n,))`` is
a tensor of that shape."""

from __future__ import annotations

import math
import operator
from typing import Any, Iterable

from .errors import UsageError

__all__ = ["Size"]


class Size(tuple):
    """A shape, as ``x.size()`` gives it: a tuple of ints; ``Size(sizes)`` makes one from
    an iterable of ints (a float is a ``TypeError``, as in PyTorch)."""

    __slots__ = ()

    def __new__(cls, sizes: Iterable[Any] = ()) -> "Size":
        try:
            return tuple.__new__(cls, [operator.index(n) for n in sizes])
        except TypeError:
            raise UsageError(f"Size takes an iterable of ints, as torch.Size; got "
                            f"{sizes!r}") from None

    def numel(self) -> int:
        """The number of elements of a tensor of this size: the product of the entries."""
        return math.prod(self)

    def __repr__(self) -> str:
        return tuple.__repr__(self)

    def __reduce__(self) -> tuple:
        return tuple, (tuple(self),)  # pickled as the plain tuple it is

    def __add__(self, other: Any) -> Any:
        joined = tuple.__add__(self, other)
        return joined if joined is NotImplemented else Size(joined)

    def __radd__(self, other: Any) -> Any:
        return Size(tuple(other) + tuple(self)) if isinstance(other, tuple) else NotImplemented

    def __mul__(self, count: Any) -> Any:
        repeated = tuple.__mul__(self, count)
        return repeated if repeated is NotImplemented else Size(repeated)

    __rmul__ = __mul__

    def __getitem__(self, index: Any) -> Any:
        item = tuple.__getitem__(self, index)
        return Size(item) if isinstance(index, slice) else item
