"""``Module``'s dtype and device conversions (``astype``, ``to``, ``type``, ``float``,
``half``, ``double``, ``cpu``, ``cuda``; ``bfloat16`` and ``share_memory``, refused) and
PyTorch's ``compile()`` (a no-op: everything runs eagerly), a base class of ``Module`` kept
in its own file."""
from __future__ import annotations

from typing import Any, TypeVar

import numpy as np

from autograd import device as device_of
from autograd.errors import DTypeError, UnsupportedError, UsageError
from autograd.extend import check_memory_format
from autograd.type_names import dtype_of_type_name

from ._checks import is_cpu
from .parameter import FLOATS

__all__ = ["DtypeMethods"]

_M = TypeVar("_M", bound="DtypeMethods")


class DtypeMethods:
    """Casts of every floating parameter and buffer, in place; ``Module`` inherits them
    (they use its ``parameters()`` and ``buffers()``)."""

    def astype(self: _M, dtype: Any) -> _M:
        """Cast every floating parameter, buffer and gradient to ``dtype`` in place and
        return self. Parameter objects stay the same (optimizers keep their references);
        only their ``.data`` arrays are replaced. Integer buffers (counters) are kept."""
        dtype = _float_dtype(dtype)
        if dtype not in FLOATS:
            raise DTypeError(f"astype: modules hold float16, float32 or float64 data; got "
                             f"{dtype}")
        for t in [*self.parameters(), *self.buffers()]:  # in both: cast, then a no-op
            if t.dtype not in FLOATS:
                continue
            t.data = t.data.astype(dtype, copy=False)
            if t.is_leaf and t.grad is not None:  # a computed buffer has no .grad
                t.grad = t.grad.data.astype(dtype, copy=False)
        return self

    def to(self: _M, target: Any = None, dtype: Any = None, device: Any = None,
           non_blocking: bool = False, *, memory_format: Any = None) -> _M:
        """PyTorch's ``to``: a dtype casts in place (``astype``); the device may only be
        ``"cpu"``, where everything already is (``non_blocking`` changes nothing here);
        ``memory_format`` as a Tensor's (``autograd.memory_formats``: the C order every
        array has here; channels-last is a ``UsageError``)."""
        check_memory_format(memory_format, "to")
        if _names_a_device(target) or type(target).__name__ == "device":  # ours or torch's
            target, device = None, target
        if not is_cpu(device):
            hint = (" (For a functional_call skeleton, a copy.deepcopy on the CPU serves: "
                    "the call replaces its parameters.)" if str(device) == "meta" else "")
            raise UsageError(f"to({device!r}): this library computes with NumPy on the CPU; "
                             f"there is no other device. Leave the module where it is.{hint}")
        dtype = target if dtype is None else dtype
        return self if dtype is None else self.astype(dtype)

    def type(self: _M, dst_type: Any) -> _M:
        """PyTorch's ``model.type(torch.FloatTensor)``: ``astype`` of the dtype that
        ``dst_type`` names (a legacy type such as ``autograd.FloatTensor``, its
        'torch.FloatTensor' string, or a dtype). Integer buffers (BatchNorm's
        ``num_batches_tracked``) keep their dtype, where PyTorch's casts them too; an
        integer ``dst_type`` is a ``DTypeError``."""
        return self.astype(dtype_of_type_name(dst_type))

    def cpu(self: _M) -> _M:
        """self, PyTorch's spelling: everything already lives in host memory."""
        return self

    def cuda(self: _M, device: Any = None) -> _M:
        """Refused with ``UsageError``: this library computes with NumPy on the CPU."""
        raise UsageError("cuda(): this library computes with NumPy on the CPU; there is no "
                         "GPU device. Leave the module where it is (or .cpu(), which is "
                         "self).")

    def share_memory(self: _M) -> _M:
        """Refused with ``UnsupportedError``: PyTorch's moves the parameters to memory that
        child processes share (Hogwild); here a child would train a copy, silently."""
        raise UnsupportedError(
            "share_memory(): a module's parameters are NumPy arrays private to this process, "
            "so a child process (multiprocessing, Hogwild training) would update its own "
            "copy and leave this model unchanged. Train in one process: call the training "
            "function directly (one worker) instead of starting processes.")

    def float(self: _M) -> _M:
        """``astype(np.float32)``, PyTorch's spelling."""
        return self.astype(np.float32)

    def half(self: _M) -> _M:
        """``astype(np.float16)``, PyTorch's spelling."""
        return self.astype(np.float16)

    def double(self: _M) -> _M:
        """``astype(np.float64)``, PyTorch's spelling."""
        return self.astype(np.float64)

    def bfloat16(self: _M) -> _M:
        """Refused with ``UnsupportedError``: NumPy has no bfloat16 (PyTorch's casts every
        floating parameter and buffer to it); ``float()`` or ``half()`` cast in place."""
        raise UnsupportedError(
            f"{type(self).__name__}.bfloat16(): NumPy has no bfloat16, so nothing here "
            "computes in it. Use model.float() (float32, what bfloat16 training loops "
            "usually fall back to) or model.half() (float16), which cast in place.")

    def compile(self, *args: Any, **kwargs: Any) -> None:
        """PyTorch's ``model.compile(...)`` (``torch.compile`` of its forward, in place):
        nothing to do, every op runs eagerly here and computes what a compiled one would;
        the arguments are ``autograd.compile``'s, and are not read."""
        return None


def _names_a_device(target: Any) -> bool:
    """Whether ``target`` is a string naming one of PyTorch's devices ("cpu", "cuda:1",
    "meta"...) rather than a dtype ("float32")."""
    if not isinstance(target, str):
        return False
    try:
        device_of(target)
    except UsageError:
        return False
    return True


def _float_dtype(dtype: Any) -> np.dtype:
    """``dtype`` as a NumPy dtype, or a ``DTypeError`` naming what was given (a torch
    dtype, a number, a typo) instead of NumPy's bare TypeError."""
    try:
        return np.dtype(dtype)
    except TypeError:
        hint = " (a torch dtype: write np.float32 or 'float32')" if (
            type(dtype).__module__ == "torch") else ""
        raise DTypeError(f"astype: modules hold float16, float32 or float64 data; expected "
                         f"a dtype such as np.float32 or 'float32', got {dtype!r}{hint}"
                         ) from None
