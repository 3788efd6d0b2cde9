"""PyTorch's indexing methods on a 0-d tensor: its dim 0 (or -1) is an axis of length 1.

``torch.tensor(3.).gather(0, torch.tensor(0))`` is ``tensor(3.)``: ``gather``,
``index_select``, ``scatter``/``scatter_add``/``scatter_reduce``, ``index_copy``,
``index_add`` and ``index_reduce`` (and their in-place forms) read a 0-d tensor, a 0-d
index and a 0-d source as shape (1,), and give a 0-d result (``gather``: the index's
shape). Here each such call runs the method on ``self.reshape(1)`` with the index and
source reshaped likewise, and reshapes the result back; the rules, the errors and the
gradients are the 1-d ones. ``index_select`` takes exactly one position, as PyTorch's.
"""

from __future__ import annotations

import functools
from typing import Any, Callable

import numpy as np

from .errors import ShapeError

__all__ = ["one_element_axis", "one_element_axis_", "is_scalar_dim", "as_vector"]

_SOURCES = ("src", "source")  # the keywords that name the values written or added


def is_scalar_dim(t: Any, dim: Any) -> bool:
    """Whether ``dim`` names the one element of a 0-d ``t`` (0 or -1, as PyTorch)."""
    return t.ndim == 0 and not isinstance(dim, bool) and isinstance(
        dim, (int, np.integer)) and dim in (0, -1)


def as_vector(x: Any) -> Any:
    """A 0-d tensor or array as shape (1,); anything else (numbers, 1-d) unchanged."""
    return x.reshape(1) if np.ndim(getattr(x, "data", x)) == 0 and hasattr(x, "reshape") \
        else x


def one_element_axis(method: Callable) -> Callable:
    """``method(self, dim, index, [source], ...)`` with PyTorch's reading of a 0-d self
    (see the module); the result is 0-d (``gather``: index's shape)."""
    @functools.wraps(method)
    def run(self: Any, dim: Any, index: Any, *rest: Any, **keywords: Any) -> Any:
        if not is_scalar_dim(self, dim):
            return method(self, dim, index, *rest, **keywords)
        positions = np.shape(getattr(index, "data", index))
        if method.__name__ == "index_select" and int(np.prod(positions)) != 1:
            raise ShapeError(f"index_select: a 0-d tensor has one position along dim {dim}, "
                             f"so index must hold exactly one (0), as in PyTorch; got index "
                             f"of shape {positions}")
        rest = tuple(map(as_vector, rest[:1])) + rest[1:]
        keywords = {k: as_vector(v) if k in _SOURCES else v for k, v in keywords.items()}
        out = method(self.reshape(1), 0, as_vector(index), *rest, **keywords)
        return out.reshape(positions if method.__name__ == "gather" else ())
    return run


def one_element_axis_(method: Callable) -> Callable:
    """The in-place form (``scatter_``...): on a 0-d self, the out-of-place method's result
    written into self (recorded as every in-place write, or refused where it is)."""
    @functools.wraps(method)
    def run(self: Any, dim: Any, index: Any, *rest: Any, **keywords: Any) -> Any:
        if not is_scalar_dim(self, dim):
            return method(self, dim, index, *rest, **keywords)
        name = method.__name__
        result = getattr(self, name[:-1])(dim, index, *rest, **keywords)
        return self._write(name, f"x = x.{name[:-1]}(dim, index, ...)",
                           lambda out: np.copyto(out, result.data, casting="unsafe"),
                           *rest, *keywords.values(), recorded=lambda: result)
    return run
