"""``Parameter``: a Tensor that a ``Module`` finds and an optimizer trains; ``Buffer``:
one that an assignment to a ``Module`` attribute registers as a buffer."""
from __future__ import annotations

import copy
from typing import Any

import numpy as np

from autograd import Tensor
from autograd.errors import DTypeError
from autograd.extend import format_array

from .errors import ArgumentTypeError

__all__ = ["Parameter", "Buffer", "FLOATS", "forget_grad"]

FLOATS = (np.float16, np.float32, np.float64)
"""The dtypes a parameter (and a module's floating state) may have."""


class Parameter(Tensor):
    """A trainable tensor: a leaf that requires grad, found automatically by ``Module``.

    ``Parameter(data, dtype=None, requires_grad=True)`` wraps ``data`` like ``Tensor``
    (NumPy arrays are shared, Python numbers and lists become float64) and must be
    floating. ``requires_grad=False`` (PyTorch's ``Parameter(data, False)`` too) makes a
    frozen parameter, which may be an integer or bool one as in PyTorch (NODE keeps a flag
    so); ``requires_grad_()`` switches a floating one later. A parameter takes attributes
    of its own, as PyTorch's (timm's ``p._no_weight_decay = True``); they are not copied by
    ``copy.deepcopy`` (PyTorch's deepcopy drops them too) nor saved by ``nn.save``, and
    ``pickle`` keeps them (as PyTorch's).

    ``copy.deepcopy`` and ``pickle`` give a parameter without ``.grad``, as PyTorch's (and
    so do those of a module): a copy made after a backward pass starts with no gradient,
    so its first backward does not add to a stale one. A plain Tensor's keep theirs.
    """

    __slots__ = ("__dict__",)

    def __init__(self, data: Any, dtype: Any = None, requires_grad: bool = True) -> None:
        if isinstance(dtype, (bool, np.bool_)):  # PyTorch's order: Parameter(data, False)
            dtype, requires_grad = None, bool(dtype)
        if not isinstance(requires_grad, (bool, np.bool_)):
            raise ArgumentTypeError(f"Parameter: requires_grad must be a bool; got "
                                    f"{type(requires_grad).__name__}")
        if isinstance(data, Tensor):  # a new leaf of the same array, as PyTorch's
            data = data.detach()
        super().__init__(data, dtype=dtype)
        if requires_grad and self.dtype not in FLOATS:
            raise DTypeError(
                f"a Parameter must be floating (float16/32/64) to require grad; got dtype "
                f"{self.dtype}. Pass dtype=np.float64 (or convert the data first).")
        self.requires_grad_(bool(requires_grad))

    def __repr__(self) -> str:
        body = format_array(self.data, "Parameter(")
        extra = "" if self.dtype == np.float64 else f", dtype={self.dtype}"
        if not self.requires_grad:
            extra += ", requires_grad=False"
        if self.name:
            extra += f", name={self.name!r}"
        return f"Parameter({body}{extra})"

    def __deepcopy__(self, memo: dict[int, Any]) -> Parameter:
        """A parameter of this class with a copy of the data, ``requires_grad`` and the
        name: no ``.grad`` and no attributes of its own, as PyTorch's."""
        return _rebuilt_parameter(type(self), copy.deepcopy(self.data, memo),
                                  self.requires_grad, self.name)

    def __reduce_ex__(self, protocol: Any) -> tuple:
        """``pickle``: the data, ``requires_grad``, the name and the attributes set on it,
        without ``.grad``, as PyTorch's."""
        return (_rebuilt_parameter, (type(self), self.data, self.requires_grad, self.name),
                dict(vars(self)) or None)


def _rebuilt_parameter(cls: type, data: np.ndarray, requires_grad: bool,
                       name: str | None) -> Parameter:
    """A leaf of the Parameter class ``cls`` holding ``data``, without ``.grad``: what a
    deepcopy or an unpickling gives (the class's ``__init__`` is not run: a subclass may
    take other arguments)."""
    parameter = cls.__new__(cls)
    Tensor.__init__(parameter, data, requires_grad=requires_grad, name=name)
    return parameter


class Buffer(Tensor):
    """PyTorch's ``nn.Buffer(data=None, *, persistent=True)``: ``self.name =
    nn.Buffer(t)`` in a Module is ``self.register_buffer("name", t, persistent)``. Until
    assigned it is a tensor of ``data`` (an empty one by default)."""

    __slots__ = ("persistent",)

    def __init__(self, data: Any = None, *, persistent: bool = True) -> None:
        if isinstance(data, Tensor):  # a new leaf of the same array (PyTorch's keeps the flag)
            data = data.detach()
        super().__init__(np.empty(0) if data is None else data)
        self.persistent = persistent

    def __copy__(self) -> Buffer:
        """``copy.copy``: a Tensor's (sharing the data), keeping ``persistent``."""
        copied = super().__copy__()
        copied.persistent = self.persistent
        return copied

    def __reduce_ex__(self, protocol: Any) -> tuple:
        """``pickle`` and ``copy.deepcopy``: a Tensor's, keeping ``persistent`` (as
        PyTorch's Buffer, a tensor whose copies keep the attribute)."""
        rebuild, args = super().__reduce_ex__(protocol)
        return rebuild, args, (None, {"persistent": self.persistent})


def forget_grad(p: Tensor, set_to_none: bool = True) -> None:
    """``zero_grad`` for one tensor, as PyTorch's: ``p.grad = None``, or with
    ``set_to_none=False`` its gradient zeroed in place (the same Tensor and memory, so
    whoever holds ``p.grad`` sees the zeros; a graph that used it refuses, by its version).
    A gradient from ``backward(create_graph=True)`` is detached first, so its graph is
    freed rather than kept alive by the parameter."""
    if set_to_none:
        p.grad = None
        return
    grad = p.grad
    if grad is None:
        return
    if grad.requires_grad:
        grad = p.grad = grad.detach()
    grad.data[...] = 0
    grad.bump_version()
