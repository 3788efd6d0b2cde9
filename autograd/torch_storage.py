"""``StorageMethods``: PyTorch's Tensor methods about where and how a tensor's memory is
kept: ``resize_`` (a new size for the same tensor), and sparse layouts and memory shared
between processes, which have no equivalent here:
a Tensor holds one dense NumPy array in this process. The tests say so (``is_sparse``,
``is_shared``: False) and the conversions are named errors saying what to write instead;
a base of ``torch_spellings.TorchSpellings``.
"""

from __future__ import annotations

import sys
from typing import Any

import numpy as np

from ._arrays import as_size
from .clock import memory_owner, record_write
from .errors import UnsupportedError, UsageError
from .layouts import layout, strided
from .tensor_protocols import missing_attribute

__all__ = ["StorageMethods", "ONE_PROCESS", "DENSE_GRADIENT", "AS_STRIDED", "resized_array"]

AnyTensor = Any  # a Tensor: this module sits below the Tensor class

ONE_PROCESS = ("parameters here are NumPy arrays private to this process, so a child "
               "process (multiprocessing, Hogwild training) would update its own copy and "
               "leave this one unchanged. Train in one process: call the training function "
               "directly (one worker) instead of starting processes.")

DENSE_GRADIENT = ("there are no sparse tensors here, and PyTorch refuses it on a dense tensor. "
                  "A gradient of Embedding(..., sparse=True) is dense here: the rows never "
                  "looked up are zero. Read the looked-up rows as "
                  "rows = grad.abs().sum(1).nonzero(as_tuple=True)[0] and values = grad[rows], or "
                  "use grad itself (optim.SparseAdam moves only those rows).")


AS_STRIDED = ("tensors here are NumPy arrays with no storage of their own to stride over: "
              "frame a signal with x.unfold(-1, frame_length, hop_length) (overlapping "
              "windows, differentiable; as_strided(x, (n, L), (hop, 1)) of a contiguous 1-d x "
              "is x.unfold(0, L, hop)[:n]), and pick other patterns with an index tensor "
              "built by arange")

_MISSING_METHODS = {
    "as_strided": AS_STRIDED,
    "as_strided_": AS_STRIDED,
    "set_": ("a tensor here holds its own NumPy array and cannot take another's storage: "
             "use the source tensor itself (or source.view(...) of it), or copy its values "
             "with t.resize_as_(source).copy_(source)"),
}


def _sparse_only(name: str) -> Any:
    """PyTorch's sparse-tensor method ``name``: refused with ``UnsupportedError``."""
    def refused(self: Any, *args: Any, **kwargs: Any) -> Any:
        raise UnsupportedError(f"{name}(): {DENSE_GRADIENT}")
    refused.__name__ = name
    refused.__doc__ = f"PyTorch's sparse ``{name}()``: refused with ``UnsupportedError``."
    return refused


class StorageMethods:
    """``layout``, ``is_sparse``, ``to_sparse``, ``to_dense``, ``is_shared``, ``share_memory_``,
    ``resize_``, and the sparse-only methods (``coalesce``, ``_indices``, ``_values``...) as
    named errors."""

    __slots__ = ()

    @property
    def layout(self) -> layout:
        """``autograd.strided``: every tensor here is dense, PyTorch's default layout
        (``torch.zeros(..., layout=out.layout)`` of code copied from PyTorch)."""
        return strided

    @property
    def is_sparse(self) -> bool:
        """False: every tensor here is dense (strided), PyTorch's default layout
        (optimizers copied from PyTorch check ``if grad.is_sparse: raise ...``)."""
        return False

    def to_sparse(self, *args: Any, **kwargs: Any) -> AnyTensor:
        """Refused with ``UnsupportedError``: there are no sparse tensors here."""
        raise UnsupportedError("to_sparse(): there are no sparse tensors here, every tensor "
                               "is dense and every op takes it (torch.spmm too): drop "
                               ".to_sparse() and keep the dense tensor.")

    def to_dense(self, dtype: Any = None, *, masked_grad: bool | None = None) -> AnyTensor:
        """self (cast to ``dtype`` if given), as PyTorch's ``to_dense`` of a strided tensor:
        every tensor here is dense, a gradient of ``Embedding(..., sparse=True)`` too, so
        ``p.grad.to_dense()`` written for PyTorch's sparse gradients reads it as it is.
        ``masked_grad`` (about sparse inputs) changes nothing."""
        return self if dtype is None else self.to(dtype)

    coalesce = _sparse_only("coalesce")
    is_coalesced = _sparse_only("is_coalesced")
    _indices = _sparse_only("_indices")
    _values = _sparse_only("_values")
    _nnz = _sparse_only("_nnz")

    def sparse_dim(self) -> int:
        """0: no axis is sparse (PyTorch's answer for a dense tensor)."""
        return 0

    def dense_dim(self) -> int:
        """Every axis is dense: ``ndim`` (PyTorch's answer for a dense tensor)."""
        return self.ndim

    def is_shared(self) -> bool:
        """False: the array lives in this process's memory only."""
        return False

    def share_memory_(self) -> AnyTensor:
        """Refused with ``UnsupportedError`` (see ``ONE_PROCESS``)."""
        raise UnsupportedError(f"share_memory_(): {ONE_PROCESS}")

    def resize_(self, *sizes: Any, size: Any = None, memory_format: Any = None) -> AnyTensor:
        """Give self the size ``sizes`` in place, as PyTorch's (``resized_array``): a view
        of a base keeps writing into the base's memory; returns self. crnn.pytorch's
        ``v.resize_(data.size()).copy_(data)`` reuses a buffer so. Refused for a tensor
        that requires grad (PyTorch: "cannot resize variables that require grad"); a graph
        that saved self refuses to backward afterwards."""
        shape = as_size(sizes, "resize_", size)
        if self.requires_grad:
            raise UsageError("resize_(): cannot resize a tensor that requires grad (as in "
                             "PyTorch); resize t.detach() or make a new tensor, e.g. "
                             "autograd.zeros(size).")
        self._data = resized_array(self.data, shape, "resize_()")
        record_write(self._data)  # an in-place write: saved graphs through self refuse
        return self


for _name, _advice in _MISSING_METHODS.items():
    setattr(StorageMethods, _name, missing_attribute(_name, _advice))


def resized_array(data: np.ndarray, shape: tuple[int, ...], name: str) -> np.ndarray:
    """The array a tensor holding ``data`` holds after PyTorch's ``resize_(shape)``, of
    n = prod(shape) elements (``name``: the caller, for the messages). As PyTorch keeps
    the storage while it is big enough, the result views data's memory when it can, so
    that views taken before (and ``detach()``, ``view(dtype)``) keep sharing it:

    - ``data`` itself when ``shape`` is its shape (PyTorch keeps the strides too);
    - for a view of memory that something else holds too (a base tensor), the n elements
      of that memory from the view's first one on, row-major, so that writes go to the
      base: ``b[1:4].resize_(2)`` is then ``b[1:3]``. A NumPy view cannot grow its
      base's memory, where PyTorch grows the storage: ``UnsupportedError`` when they do
      not fit;
    - for a row-major array of its own, its first n elements, when they fit in its
      memory (the same count or fewer; again more after shrinking, as PyTorch's storage);
    - else a new array: the elements data's memory holds from its first one on (data's
      own in row-major order if not row-major), then zeros (PyTorch's new elements are
      uninitialised). The views, ``detach()``es and NumPy
      arrays that share data's memory could not follow it there (PyTorch's would see
      the new storage): ``UnsupportedError`` while one is alive (``_held_by_others``)."""
    if shape == data.shape:
        return data
    count = int(np.prod(shape, dtype=np.int64))
    if _shared_view(data):
        memory = _memory_from(data)
        if count * data.itemsize > memory.size:
            raise UnsupportedError(
                f"{name}: a view with room for {memory.size // data.itemsize} elements from "
                f"its first one to the end of its base's memory cannot take the size "
                f"{shape} ({count} elements): PyTorch grows the storage it shares with its "
                f"base, which a NumPy view cannot. Resize the base itself, or resize a copy "
                f"(v = v.clone()), which no longer writes into the base.")
        return memory[:count * data.itemsize].view(data.dtype).reshape(shape)
    memory = _memory_from(data) if data.flags.c_contiguous else np.empty(0, np.uint8)
    if count * data.itemsize <= memory.size:
        return memory[:count * data.itemsize].view(data.dtype).reshape(shape)
    del memory  # (a view of data's memory: it would count as a holder below)
    if _held_by_others(data):
        raise UnsupportedError(
            f"{name}: growing a tensor of {data.size} elements to {shape} ({count} "
            f"elements) takes a new array, and a view, detach(), view(dtype) or NumPy array "
            f"(t.numpy(), from_numpy) of its memory is alive, which would keep the old "
            f"memory and miss later writes (PyTorch's share the grown storage). Resize "
            f"before taking views, take the views again afterwards, or grow a copy: "
            f"t = t.clone().resize_(...).")
    resized = np.zeros(shape, dtype=data.dtype)
    old = _elements_from(data)  # after a shrink, the memory past data's elements too
    resized.reshape(-1)[:old.size] = old
    return resized


def _elements_from(data: np.ndarray) -> np.ndarray:
    """The elements a row-major ``data`` can see in its memory from its first one on
    (PyTorch's storage from the tensor's offset); data's own, row-major, for another."""
    if not data.flags.c_contiguous:
        return data.reshape(-1)
    memory = _memory_from(data)
    return memory[:memory.size - memory.size % data.itemsize].view(data.dtype)


def _held_by_others(data: np.ndarray) -> bool:
    """Whether anything besides the one tensor holding ``data`` (as ``t.data``, passed
    straight to ``resized_array``) refers to data or to the memory it views."""
    # references to data here: the tensor's, the parameter of resized_array and of this
    # function, getrefcount's argument; to its owner: data.base, owner, the argument
    if sys.getrefcount(data) > 4:
        return True
    owner = memory_owner(data)
    return owner is not data and sys.getrefcount(owner) > 3


def _shared_view(data: np.ndarray) -> bool:
    """Whether ``data`` views memory owned by an array that something besides ``data``
    refers to (a base tensor, another view), not an array of its own nor a view of a
    temporary only it holds (``np.linspace``'s result)."""
    owner = memory_owner(data)
    # references to owner here: data.base, the name owner and getrefcount's argument
    return owner is not data and sys.getrefcount(owner) > 3


def _memory_from(view: np.ndarray) -> np.ndarray:
    """The bytes of the memory ``view`` is part of, from view's first element to the end
    (empty when that memory is not one block: nothing can be laid out in it)."""
    owner = memory_owner(view)
    if not (owner.flags.c_contiguous or owner.flags.f_contiguous):
        return np.empty(0, np.uint8)
    start = view.__array_interface__["data"][0] - owner.__array_interface__["data"][0]
    return owner.reshape(-1, order="A").view(np.uint8)[start:]
