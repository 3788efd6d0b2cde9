"""``StorageMethods``: PyTorch's Tensor methods about where and how a tensor's memory is
kept: ``resize_`` (a new size for the same tensor), and sparse layouts and memory shared
between processes, which have no equivalent here:
a Tensor holds one dense NumPy array in this process. The tests say so (``is_sparse``,
``is_shared``: False) and the conversions are named errors saying what to write instead;
a base of ``torch_spellings.TorchSpellings``.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ._arrays import as_size
from .clock import record_write
from .errors import UnsupportedError, UsageError

__all__ = ["StorageMethods", "ONE_PROCESS"]

AnyTensor = Any  # a Tensor: this module sits below the Tensor class

ONE_PROCESS = ("parameters here are NumPy arrays private to this process, so a child "
               "process (multiprocessing, Hogwild training) would update its own copy and "
               "leave this one unchanged. Train in one process: call the training function "
               "directly (one worker) instead of starting processes.")


class StorageMethods:
    """``is_sparse``, ``to_sparse``, ``to_dense``, ``is_shared``, ``share_memory_``,
    ``resize_``."""

    __slots__ = ()

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

    def is_shared(self) -> bool:
        """False: the array lives in this process's memory only."""
        return False

    def share_memory_(self) -> AnyTensor:
        """Refused with ``UnsupportedError`` (see ``ONE_PROCESS``)."""
        raise UnsupportedError(f"share_memory_(): {ONE_PROCESS}")

    def resize_(self, *sizes: Any, memory_format: Any = None) -> AnyTensor:
        """Give self the size ``sizes`` in place, as PyTorch's: its first elements (in
        row-major order) are kept, new ones are zeros (uninitialised in PyTorch); returns
        self. crnn.pytorch's ``v.resize_(data.size()).copy_(data)`` reuses a buffer so.
        Refused for a tensor that requires grad (PyTorch: "cannot resize variables that
        require grad"); a graph that saved self refuses to backward afterwards."""
        shape = as_size(sizes, "resize_")
        if self.requires_grad:
            raise UsageError("resize_(): cannot resize a tensor that requires grad (as in "
                             "PyTorch); resize t.detach() or make a new tensor, e.g. "
                             "autograd.zeros(size).")
        flat = self._data.reshape(-1)
        resized = np.zeros(int(np.prod(shape, dtype=np.int64)), dtype=flat.dtype)
        kept = min(flat.size, resized.size)
        resized[:kept] = flat[:kept]
        self._data = resized.reshape(shape)
        record_write(self._data)  # an in-place write: saved graphs through self refuse
        return self
