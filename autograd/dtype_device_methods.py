"""``DtypeDeviceMethods``: PyTorch's dtype and device spellings of a tensor (a base of
``torch_spellings.TorchSpellings``): ``x.float()``, ``x.double()``, ``x.long()``,
``x.to(dtype or device)``, ``x.device``, ``x.cpu()``, ``x.contiguous()``, ``x.numel()``,
``x.dim()``. There is one device, the CPU (host memory, NumPy)."""

from __future__ import annotations

from typing import Any

import numpy as np

from ._arrays import as_dtype
from .devices import device as Device
from .errors import UnsupportedError, UsageError
from .memory_formats import channels_last, channels_last_3d, check_memory_format, is_channels_last
from .torch_shapes import check_device

__all__ = ["DtypeDeviceMethods"]

AnyTensor = Any  # a Tensor: this module sits below the Tensor class
_DEVICES = ("cpu", "cuda", "mps", "xpu", "hip", "xla", "meta")  # PyTorch's device names
_CPU = Device("cpu")  # x.device: .type "cpu", .index None, as PyTorch's


class DtypeDeviceMethods:
    """The dtype casts and device methods (a mixin: ``Tensor`` is its only user)."""

    __slots__ = ()

    def _cast(self, dtype: Any) -> AnyTensor:
        """self when it has ``dtype`` already (PyTorch's casts return the tensor itself,
        so a leaf stays the leaf whose ``.grad`` backward fills), else ``astype(dtype)``,
        which copies, as NumPy's; to an integer or bool dtype, a constant (as PyTorch's
        ``x.to(torch.int8)``: such a tensor carries no gradient)."""
        dtype = as_dtype(dtype, "astype")
        if dtype == self.dtype:
            return self
        return (self if dtype.kind in "fc" else self.detach()).astype(dtype)

    def float(self) -> AnyTensor:
        """self as float32 (self if it is float32)."""
        return self._cast(np.float32)

    def double(self) -> AnyTensor:
        """self as float64 (self if it is float64)."""
        return self._cast(np.float64)

    def half(self) -> AnyTensor:
        """self as float16 (self if it is float16)."""
        return self._cast(np.float16)

    def bfloat16(self, memory_format: Any = None) -> AnyTensor:
        """PyTorch's bfloat16 cast: an ``UnsupportedError``, NumPy has no bfloat16."""
        raise UnsupportedError("Tensor.bfloat16(): NumPy has no bfloat16 dtype; use "
                               "t.float() (float32) or t.half() (float16)")

    def to(self, target: Any = None, dtype: Any = None, device: Any = None, *,
           non_blocking: bool = False, copy: bool = False,
           memory_format: Any = None) -> AnyTensor:
        """self as another dtype (``x.to(np.float32)``, ``dtype=``, or another tensor's
        ``x.to(y)``; self if it has that dtype, as PyTorch), on a device (``"cpu"`` or
        ``device="cpu"``: self, the only device there is; another is a ``UsageError``
        naming it), or both. ``copy=True`` returns a new tensor even then (the gradient
        passes through, as ``clone``); ``memory_format``: see ``autograd.memory_formats``;
        ``non_blocking`` changes nothing here."""
        check_memory_format(memory_format, "to")
        if type(target).__name__ == "device" or (  # a str or PyTorch's torch.device
                isinstance(target, str) and target.split(":")[0] in _DEVICES):
            target, device = None, str(target)
        if isinstance(target, DtypeDeviceMethods):
            target = target.dtype
        check_device(device, f"to({str(device)!r})")
        dtype = target if dtype is None else dtype
        out = self if dtype is None else self._cast(dtype)
        return out.copy() if copy and out is self else out

    def long(self) -> AnyTensor:
        """self as int64, a constant (an integer tensor carries no gradient); self if it
        is int64."""
        return self if self.dtype == np.int64 else self.detach().astype(np.int64)

    def int(self) -> AnyTensor:
        """self as int32, a constant; self if it is int32."""
        return self if self.dtype == np.int32 else self.detach().astype(np.int32)

    def bool(self) -> AnyTensor:
        """self != 0 as a boolean constant; self if it is bool."""
        return self if self.dtype == np.bool_ else self.detach().astype(np.bool_)

    @property
    def device(self) -> Device:
        """``device("cpu")`` (equal to "cpu"): every tensor lives in host memory."""
        return _CPU

    @property
    def is_cuda(self) -> bool:
        """False: every tensor lives in host memory (PyTorch's ``if x.is_cuda:``)."""
        return False

    def cpu(self) -> AnyTensor:
        """self: every tensor lives in host memory."""
        return self

    def cuda(self, *args: Any, **kwargs: Any) -> AnyTensor:
        """Refused: this engine computes with NumPy on the CPU."""
        raise UsageError("cuda(): this engine computes with NumPy on the CPU; there is no "
                         "GPU device. Leave the tensor where it is (or .cpu(), which is self).")

    def contiguous(self, memory_format: Any = None) -> AnyTensor:
        """self if its array is C-contiguous, else a C-ordered copy through which the
        gradient passes (as PyTorch; every op here also takes any layout)."""
        check_memory_format(memory_format, "contiguous")
        return self if self.is_contiguous() else self.copy()

    def is_contiguous(self, memory_format: Any = None) -> bool:
        """True when the array is C-contiguous (row-major, no gaps): False for a
        transpose or a strided slice, as PyTorch; ``contiguous()`` makes it True. With
        ``memory_format=channels_last`` (``_3d``), PyTorch's test of that layout
        (``memory_formats.is_channels_last``), which no op here makes but a permute can."""
        if memory_format is channels_last or memory_format is channels_last_3d:
            return is_channels_last(self.shape, self.stride(), memory_format)
        check_memory_format(memory_format, "is_contiguous")
        return bool(self.data.flags.c_contiguous)

    def numel(self) -> int:
        """The number of elements (``size`` in NumPy's spelling)."""
        return self.data.size

    nelement = numel  # PyTorch's other name

    def dim(self) -> int:
        """The number of axes (``ndim``)."""
        return self.ndim
