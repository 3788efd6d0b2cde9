"""``ValueProtocols``: how Python and NumPy read a tensor's values, a mixin of ``Tensor``.

``numpy()`` and ``item()``, NumPy's ``__array__`` (``np.asarray(t)``), and the Python
protocols ``len``, iteration (over the first axis, as tensors), ``in``, truth (``if t:``),
``float``/``int``/``operator.index``, ``format`` (``f"{t:.3f}"``) and ``repr``, and
PyTorch's spellings of NumPy-named methods (``x.acos()`` names ``x.arccos()``). Those
that need one element, an axis or an integer refuse other tensors with a named error that
says what to do. Copy and pickle stay with the class in ``tensor.py`` (a pickle names the
function that rebuilds the tensor, ``autograd.tensor._rebuild``).
"""

from __future__ import annotations

import numbers
import threading
from typing import Any, Iterator

import numpy as np

from .errors import MissingNameError, UsageError
from .printing import format_array

__all__ = ["ValueProtocols", "TRACKED_READS", "missing_attribute"]


class _TrackedReads(threading.local):
    """How many tensors that require grad NumPy has read through ``__array__`` in this
    thread. NumPy reads each Tensor inside a list that way, so ``Tensor([1.0, h])``
    compares the count before and after converting its list (see ``tensor.py``)."""
    count = 0


TRACKED_READS = _TrackedReads()

AnyTensor = Any  # a Tensor: this module sits below the Tensor class


class ValueProtocols:
    """Reading a tensor's values (a mixin: ``Tensor`` is its only user)."""

    __slots__ = ()

    def numpy(self, *, force: bool = False) -> np.ndarray:
        """The underlying array (shared, not a copy). As in PyTorch, a tensor that requires
        grad refuses (UsageError, also a RuntimeError): a write into the array would go
        untracked and corrupt saved values and gradients. ``t.detach().numpy()`` or
        ``force=True`` (PyTorch's detach first) give the shared array anyway."""
        if self._requires_grad and not force:
            raise UsageError("Can't call numpy() on Tensor that requires grad. "
                             "Use tensor.detach().numpy() instead.")
        return self.data

    def item(self) -> Any:
        """The value of a one-element tensor as a Python number; UsageError (also PyTorch's
        RuntimeError) for another."""
        if self._data.size != 1:
            raise UsageError(f"item() needs a tensor with one element; shape is {self.shape}. "
                             f"Reduce it first (t.sum(), t.mean()) or read t.tolist().")
        return self._data.item()

    def __array__(self, dtype: Any = None, copy: bool | None = None) -> np.ndarray:
        if self._requires_grad:
            TRACKED_READS.count += 1
        data = self.data
        if dtype is not None and dtype != data.dtype:
            if copy is False:  # NumPy 2's protocol: refuse rather than copy silently
                raise UsageError(f"Unable to avoid copy while creating an array as requested "
                                 f"(a {data.dtype} tensor as {np.dtype(dtype)}); use "
                                 f"np.asarray(t, dtype=...) to allow the copy.")
            return data.astype(dtype)
        return data.copy() if copy else data

    def __len__(self) -> int:
        if self._data.ndim == 0:
            raise UsageError("len() of a 0-d tensor: it has no axis. Use .item() for its value.")
        return len(self._data)

    def __iter__(self) -> Iterator[AnyTensor]:
        if self._data.ndim == 0:
            raise UsageError("iteration over a 0-d tensor: it has no axis. Use .item() for its "
                             "value.")
        return (self[i] for i in range(len(self._data)))

    def __contains__(self, element: Any) -> bool:
        """``x in t``: whether some element of t equals x (a number, or a Tensor compared
        by broadcasting), as PyTorch's ``(t == x).any()``, for any shape, 0-d included."""
        if not isinstance(element, (ValueProtocols, numbers.Number)):
            raise UsageError(f"`x in t` takes a number or a Tensor, as PyTorch's; got "
                             f"{type(element).__name__}. Compare explicitly, e.g. "
                             f"(t == autograd.tensor(x)).any().")
        return bool((self == element).any())

    def __bool__(self) -> bool:
        """The truth of a one-element tensor (``if loss < 0.1:``), as NumPy and PyTorch."""
        if self._data.size != 1:
            raise UsageError(f"the truth value of a tensor of shape {self.shape} is "
                             f"ambiguous: `if t:` needs exactly one element. Use t.any() or "
                             f"t.all() to reduce it first.")
        return bool(self._data)

    def __float__(self) -> float:
        return float(self.item())

    def __int__(self) -> int:
        return int(self.item())

    def __index__(self) -> int:
        """A one-element integer or bool tensor of any shape as a Python int (``range(n)``,
        ``seq[i]``, ``bin(t)``; ``True`` is 1), as PyTorch's. So NumPy too indexes an array
        with such a tensor as with an int: ``a[tensor([2])]`` is ``a[2]``, as with torch."""
        if self._data.dtype.kind not in "biu" or self._data.size != 1:
            raise UsageError(f"only an integer or bool tensor of one element (a 0-d integer "
                             f"tensor, or one of any shape holding one element, as PyTorch's) "
                             f"can be used as an index; this one has dtype {self.dtype} and "
                             f"shape {self.shape}. Convert it first, e.g. int(t.item()).")
        return int(self._data.item())

    def __format__(self, spec: str) -> str:
        """``f"{t:.3f}"`` and ``f"{t}"`` format a 0-d tensor's value, as PyTorch and NumPy
        do; an empty spec gives ``str(t)`` for any other shape."""
        if self._data.ndim == 0:
            return format(self._data.item(), spec)
        if not spec:
            return str(self)
        raise UsageError(f"format spec {spec!r} needs a 0-d tensor; this one has shape "
                         f"{self.shape}. Format t.item() for one element, or t.tolist().")

    def __repr__(self) -> str:
        body = format_array(self.data, "Tensor(")
        extra = ""
        if self._data.dtype != np.float64:
            extra += f", dtype={self._data.dtype}"
        if self._op is not None:
            extra += f", grad_fn={self._op.name()}"
        elif self._requires_grad:
            extra += ", requires_grad=True"
        if self.name:
            extra += f", name={self.name!r}"
        return f"Tensor({body}{extra})"


def missing_attribute(name: str, advice: str) -> property:
    """PyTorch's Tensor attribute ``name``, absent here: reading it raises
    ``MissingNameError`` (an AttributeError) with ``advice``, what to write instead."""
    def missing(self: Any) -> Any:
        raise MissingNameError(f"{type(self).__name__!r} object has no attribute {name!r}: "
                               f"{advice}")
    return property(missing, doc=f"PyTorch's ``{name}``: a MissingNameError saying why")


def _field_of_a_pair(name: str) -> property:
    """``values``/``indices``, the fields of the pair PyTorch's ``max``/``min``/``sort``...
    give: read on a Tensor, a ``MissingNameError`` saying that ``axis=`` here is NumPy's
    (the values alone), where PyTorch takes it as ``dim=`` (the pair)."""
    return missing_attribute(
        name, f"this is a tensor, not a (values, indices) pair. Here x.max(axis=-2) (NumPy's "
              f"axis=) gives the values alone; PyTorch reads axis= as dim=, so write "
              f"x.max(dim=-2) for its pair (min, sort, median, mode... too), or drop the "
              f".{name}")


for _field in ("values", "indices"):
    setattr(ValueProtocols, _field, _field_of_a_pair(_field))
