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

    def float(self, *, memory_format: Any = None) -> AnyTensor:
        """self as float32 (self if it is float32); ``memory_format`` as in ``to``."""
        check_memory_format(memory_format, "float")
        return self._cast(np.float32)

    def double(self, *, memory_format: Any = None) -> AnyTensor:
        """self as float64 (self if it is float64); ``memory_format`` as in ``to``."""
        check_memory_format(memory_format, "double")
        return self._cast(np.float64)

    def half(self, *, memory_format: Any = None) -> AnyTensor:
        """self as float16 (self if it is float16); ``memory_format`` as in ``to``."""
        check_memory_format(memory_format, "half")
        return self._cast(np.float16)

    def bfloat16(self, memory_format: Any = None) -> AnyTensor:
        """PyTorch's bfloat16 cast: an ``UnsupportedError``, NumPy has no bfloat16."""
        raise UnsupportedError("Tensor.bfloat16(): NumPy has no bfloat16 dtype; use "
                               "t.float() (float32) or t.half() (float16)")

    def to(self, *args: Any, dtype: Any = None, device: Any = None,
           non_blocking: bool = False, copy: bool = False,
           memory_format: Any = None) -> AnyTensor:
        """self as another dtype, on a device, or both, in PyTorch's three forms:
        ``to(dtype, non_blocking, copy)``, ``to(device, dtype, non_blocking, copy)`` and
        ``to(other, non_blocking, copy)`` (other's dtype), each argument positional or by
        keyword (``_to_arguments``). Self if it has that dtype, as PyTorch; the device is
        ``"cpu"`` (self, the only device there is; another is a ``UsageError`` naming it).
        ``copy=True`` returns a new tensor even then (the gradient passes through, as
        ``clone``); ``memory_format``: see ``autograd.memory_formats``; ``non_blocking``
        changes nothing here."""
        check_memory_format(memory_format, "to")
        dtype, device, copy = _to_arguments(args, dtype, device, non_blocking, copy)
        check_device(device, f"to({str(device)!r})")
        out = self if dtype is None else self._cast(dtype)
        return out.copy() if copy and out is self else out

    def long(self, *, memory_format: Any = None) -> AnyTensor:
        """self as int64, a constant (an integer tensor carries no gradient); self if it
        is int64."""
        check_memory_format(memory_format, "long")
        return self if self.dtype == np.int64 else self.detach().astype(np.int64)

    def int(self, *, memory_format: Any = None) -> AnyTensor:
        """self as int32, a constant; self if it is int32."""
        check_memory_format(memory_format, "int")
        return self if self.dtype == np.int32 else self.detach().astype(np.int32)

    def bool(self, *, memory_format: Any = None) -> AnyTensor:
        """self != 0 as a boolean constant; self if it is bool."""
        check_memory_format(memory_format, "bool")
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


def _is_device(value: Any) -> bool:
    """Whether ``value`` names a device: a device object (ours or PyTorch's) or a string
    such as "cpu", "cuda:0"."""
    return type(value).__name__ == "device" or (
        isinstance(value, str) and value.split(":")[0] in _DEVICES)


def _to_arguments(args: tuple, dtype: Any, device: Any, non_blocking: Any,
                  copy: Any) -> tuple[Any, Any, bool]:
    """(dtype, device, copy) from ``to``'s arguments, read by PyTorch's forms: a first
    positional tensor ``(other, non_blocking, copy)``, a device or None ``(device, dtype,
    non_blocking, copy)``, anything else ``(dtype, non_blocking, copy)``. An argument
    given twice (positionally and by keyword: ``to(np.int32, dtype=np.float32)``,
    ``to(other, dtype=...)``, ``to("cpu", device="cpu")``), too many positionals, or a
    ``non_blocking``/``copy`` that is no bool (a second dtype, ``to(np.float32,
    np.float64)``) is a ``UsageError``, as PyTorch's TypeError."""
    first = args[0] if args else None
    if isinstance(first, DtypeDeviceMethods):
        names = ("other", "non_blocking", "copy")
    elif first is None or _is_device(first):
        names = ("device", "dtype", "non_blocking", "copy")
    else:
        names = ("dtype", "non_blocking", "copy")
    if len(args) > len(names):
        raise UsageError(f"to() takes at most {len(names)} positional arguments here "
                         f"({', '.join(names)}); got {len(args)}: {args!r:.80}")
    given = {"dtype": dtype, "device": device, "non_blocking": non_blocking, "copy": copy}
    defaults = {"dtype": None, "device": None, "non_blocking": False, "copy": False}
    if names[0] == "other":  # other's dtype; neither dtype= nor device= beside it
        given.update(dtype=_given_once("dtype", first.dtype, dtype, None, "by the tensor"),
                     device=_given_once("device", "cpu", device, None, "by the tensor"))
    for name, value in zip(names, args):
        if name != "other":
            given[name] = _given_once(name, value, given[name], defaults[name], "by position")
    for name in ("non_blocking", "copy"):
        if not isinstance(given[name], (bool, np.bool_)):
            raise UsageError(f"to(): {name} must be a bool; got {given[name]!r}. PyTorch's "
                             f"forms are to(dtype, non_blocking, copy), to(device, dtype, "
                             f"non_blocking, copy) and to(other, non_blocking, copy)")
    return given["dtype"], given["device"], bool(given["copy"])


def _given_once(name: str, positional: Any, keyword: Any, default: Any, how: str) -> Any:
    """``positional`` (given ``how``), unless the keyword ``name`` was given too (not its
    default): then a ``UsageError`` (PyTorch's "invalid combination of arguments")."""
    if keyword is default:
        return positional
    raise UsageError(f"to(): {name} is given twice, {how} ({positional!r:.60}) and as "
                     f"{name}={keyword!r:.60}; pass it once")
