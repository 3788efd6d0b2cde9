"""A tensor's memory as PyTorch shows it: ``t.storage()`` (a ``TypedStorage``: the flat
sequence of elements that ``t`` and every view of it index into with ``storage_offset()``
and ``stride()``) and ``t.untyped_storage()`` (an ``UntypedStorage``: the same memory as
bytes); ``StorageViewMethods`` is the Tensor mixin that gives them.

The memory here is the NumPy array that owns it (the root of the views' ``.base`` chain),
read flat in memory order. A storage is a live window on it, as PyTorch's: writing
``t.storage()[0] = 2.0`` changes ``t`` and its views, and counts as an in-place write of
them (their version moves on, so a backward that saved the old values refuses).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .clock import memory_owner, record_write
from .errors import TensorIndexError, UnsupportedError, UsageError

__all__ = ["TypedStorage", "UntypedStorage", "StorageViewMethods"]


def _flat_memory(array: np.ndarray, method: str) -> np.ndarray:
    """The whole memory ``array`` lies in, as a 1-d view in memory order."""
    owner = memory_owner(array)
    if not (owner.flags.c_contiguous or owner.flags.f_contiguous):
        raise UnsupportedError(
            f"{method}(): this tensor wraps a NumPy array whose memory is not one "
            f"contiguous block (its owner has strides {owner.strides}), so it has no flat "
            f"storage to show; use t.contiguous().{method}() or t.flatten().")
    return owner.reshape(-1, order="A")


class _Storage:
    """What both storages share: a 1-d NumPy view ``values`` of a tensor's memory."""

    __slots__ = ("_values",)

    def __init__(self, values: np.ndarray) -> None:
        self._values = values

    def __len__(self) -> int:
        return self._values.size

    def size(self) -> int:
        """The number of elements (bytes for an ``UntypedStorage``)."""
        return self._values.size

    def nbytes(self) -> int:
        """The bytes of the memory."""
        return self._values.nbytes

    def data_ptr(self) -> int:
        """The address of the memory's first byte: equal for tensors that share it."""
        return self._values.__array_interface__["data"][0]

    @property
    def device(self) -> str:
        """``"cpu"``: every tensor lives in host memory."""
        return "cpu"

    def tolist(self) -> list:
        """The elements as a Python list."""
        return self._values.tolist()

    def __iter__(self) -> Any:
        return iter(self._values.tolist())

    def __getitem__(self, index: int | slice) -> Any:
        """One element as a Python number, or a slice as a storage on the same memory."""
        if isinstance(index, slice):
            return type(self)(self._values[index])
        return self._values[self._checked(index)].item()

    def __setitem__(self, index: int | slice, value: Any) -> None:
        """Write into the memory (and so into every tensor that views it)."""
        self._values[index if isinstance(index, slice) else self._checked(index)] = value
        record_write(self._values)

    def is_shared(self) -> bool:
        """False: the memory lives in this process only (as ``Tensor.is_shared()``)."""
        return False

    def _checked(self, index: Any) -> Any:
        """``index`` when -size <= index < size (PyTorch's rule), else TensorIndexError (an
        IndexError too); another kind of index goes to NumPy as it is."""
        size = self._values.size
        if isinstance(index, (int, np.integer)) and not -size <= index < size:
            raise TensorIndexError(f"index {index} out of range for storage of size {size} "
                                   f"(valid: {-size} to {size - 1})")
        return index

    def fill_(self, value: Any) -> Any:
        """Every element set to ``value``; returns the storage."""
        self[:] = value
        return self

    def __repr__(self) -> str:
        lines = [f" {value}" for value in self._values.tolist()]
        lines.append(f"[autograd.{type(self).__name__}(dtype={self._values.dtype}, "
                     f"device=cpu) of size {self._values.size}]")
        return "\n".join(lines)


class TypedStorage(_Storage):
    """A tensor's memory as a flat sequence of its dtype's elements (``t.storage()``):
    element ``storage_offset() + sum(i_k * stride()[k])`` is ``t[i_0, i_1, ...]``."""

    __slots__ = ()

    def __getitem__(self, index: int | slice) -> Any:
        """One element as a Python number; a slice is refused, as PyTorch's."""
        if isinstance(index, slice):
            raise UsageError("storage()[a:b]: a typed storage takes one index, as "
                             "PyTorch's (slices only in untyped_storage()); read "
                             "t.storage().tolist()[a:b], or slice the tensor: "
                             "t.flatten()[a:b] for a contiguous t.")
        return super().__getitem__(index)

    @property
    def dtype(self) -> np.dtype:
        """The element type."""
        return self._values.dtype

    def element_size(self) -> int:
        """The bytes of one element."""
        return self._values.dtype.itemsize

    def untyped(self) -> UntypedStorage:
        """The same memory as bytes."""
        return UntypedStorage(self._values.view(np.uint8))


class UntypedStorage(_Storage):
    """A tensor's memory as bytes (``t.untyped_storage()``): ``len`` is ``nbytes()``."""

    __slots__ = ()

    def element_size(self) -> int:
        """1: the elements are bytes."""
        return 1


class StorageViewMethods:
    """``storage()`` and ``untyped_storage()`` (a Tensor mixin)."""

    __slots__ = ()

    def storage(self) -> TypedStorage:
        """The memory this tensor and its views share, as a flat sequence of elements:
        ``[1., 4., 2., 1., 3., 5.]`` for ``tensor([[1., 4.], [2., 1.], [3., 5.]])``, and
        the same for its transpose (only the strides differ)."""
        return TypedStorage(_flat_memory(self.data, "storage").view(self.dtype))

    def untyped_storage(self) -> UntypedStorage:
        """The memory this tensor and its views share, as bytes."""
        return UntypedStorage(_flat_memory(self.data, "untyped_storage").view(np.uint8))
