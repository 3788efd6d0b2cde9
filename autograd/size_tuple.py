"""``Size``: what ``x.size()`` returns, a tuple of ints (equal to ``x.shape``, printed as
one) that PyTorch's legacy constructors read as a size, as they read a ``torch.Size``:
``torch.BoolTensor(x.size())`` is a tensor of x's size, ``BoolTensor((2, 3))`` of the
data 2 and 3."""

from __future__ import annotations

__all__ = ["Size"]


class Size(tuple):
    """A shape, as ``x.size()`` gives it: a tuple of ints."""

    __slots__ = ()

    def __repr__(self) -> str:
        return tuple.__repr__(self)

    def __reduce__(self) -> tuple:
        return tuple, (tuple(self),)  # pickled as the plain tuple it is
