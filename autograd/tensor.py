"""``Tensor``: a NumPy array that remembers the operation that made it.

A tensor made by an op holds that op (``grad_fn``); the op holds its input tensors
(``parents``). That chain of references *is* the graph ``backward()`` walks. Leaves
(tensors made by you) have no op. 0-d tensors are the scalar case.
"""

from __future__ import annotations

from operator import attrgetter
from typing import Any, Iterator

import numpy as np

from .clock import next_seq
from .errors import DataError, DTypeError, InplaceError, ShapeError
from .inplace import InplaceOps
from .tensor_methods import OpMethods

__all__ = ["Tensor", "tensor", "as_tensor"]

_FLOATS = (np.float16, np.float32, np.float64)
_FLOAT_SCALARS = (np.float32, np.float64)  # item() converts these with float()


def _check_dtype(dtype: np.dtype) -> None:
    if dtype.kind == "O":
        raise DataError(
            "cannot make a Tensor from object data (mixed types, None, or arrays of "
            "arrays). Convert it to a numeric array first, e.g. np.asarray(x, dtype=float).")
    if dtype.kind not in "biuf":
        raise DTypeError(
            f"a Tensor holds bool, integer or float data; got dtype {dtype}. "
            f"Convert the data to numbers first (e.g. np.asarray(x, dtype=np.float64)).")


def _to_array(data: Any, dtype: Any = None) -> np.ndarray:
    """Turn ``data`` into an ndarray: arrays keep their dtype, Python data becomes float64."""
    if isinstance(data, Tensor):
        array = data._data
    elif isinstance(data, (np.ndarray, np.generic)):
        array = np.asarray(data)
    else:
        try:
            array = np.asarray(data)
        except ValueError as exc:
            raise DataError(
                f"cannot make a Tensor from ragged nested sequences ({exc}). Every row "
                f"must have the same length; pad them or build one tensor per row.") from None
        if dtype is None and array.dtype.kind in "biuf":
            dtype = np.float64
    _check_dtype(array.dtype)
    if dtype is not None:
        dtype = np.dtype(dtype)
        _check_dtype(dtype)
        array = array.astype(dtype, copy=False)
    return array


class Tensor(InplaceOps, OpMethods):
    """An n-d array with automatic differentiation (``requires_grad=True`` to track it).

    ``Tensor(data)`` wraps an existing array without copying (``autograd.tensor`` copies).
    Python numbers and lists become float64; NumPy arrays keep their dtype. ``.grad`` is
    ``None`` until a backward pass reaches this tensor; gradients then accumulate
    (``+=``) until you reset them with ``zero_grad()`` (which sets ``grad = None``).
    """

    # ``_version`` (time of the latest in-place write) and ``_name`` are set only when
    # used: a recorded op then stores two attributes fewer (read them with getattr).
    __slots__ = ("_data", "_grad", "_requires_grad", "_op", "_seq", "_version", "_retains_grad",
                 "_name")
    __array_ufunc__ = None  # so ``ndarray * Tensor`` calls Tensor.__rmul__
    __hash__ = object.__hash__  # identity: ``==`` is elementwise

    def __init__(self, data: Any, requires_grad: bool = False, dtype: Any = None,
                 name: str | None = None) -> None:
        self._data = _to_array(data, dtype)
        self._grad = None
        self._requires_grad = False
        self._op = None
        self._seq = next_seq()
        self._retains_grad = False
        if name is not None:
            self.name = name
        if requires_grad:
            self.requires_grad_(True)

    @staticmethod
    def _make(data: np.ndarray, op: Any) -> "Tensor":
        """Fast internal constructor: ``data`` is a valid ndarray, ``op`` made it (or None).

        Internally ``_data`` may also be a NumPy scalar (``np.float64``), which is what
        NumPy returns for 0-d results: arithmetic on it is ten times faster than on a 0-d
        array, which matters for scalar graphs. ``.data`` always hands out an ndarray."""
        t = _new(Tensor)
        t._data = data
        t._grad = None
        t._requires_grad = op is not None
        t._op = op
        t._seq = next_seq()
        t._retains_grad = False
        return t

    # ----------------------------------------------------------- data and gradient
    @property
    def data(self) -> np.ndarray:
        """The live array. Assigning to it is untracked (as in PyTorch): use it for
        initialisation and optimizer updates, never inside a computation you differentiate."""
        data = self._data
        if type(data) is not np.ndarray:  # a NumPy scalar kept by a 0-d op (see _make)
            data = self._data = np.asarray(data)
        return data

    @data.setter
    def data(self, value: Any) -> None:
        array = _to_array(value)
        if self._requires_grad and array.dtype not in _FLOATS:
            raise DTypeError(f"this tensor requires grad, so .data must stay floating; "
                             f"got dtype {array.dtype}")
        self._data = array

    # Plain reads use C-level getters (operator.attrgetter): no Python frame per access,
    # which counts on hot paths (optimizers and layers read .grad and .shape every step).
    def _set_grad(self, value: Any) -> None:
        if value is not None:
            value = value if isinstance(value, Tensor) else Tensor(value, dtype=self.dtype)
            if value.shape != self.shape:
                raise ShapeError(f"grad must have this tensor's shape {self.shape}; "
                                 f"got {value.shape}")
        self._grad = value

    grad = property(attrgetter("_grad"), _set_grad, doc="dL/dself accumulated by backward(), "
                    "a Tensor of this tensor's shape, or None.")
    requires_grad = property(attrgetter("_requires_grad"),
                             lambda self, flag: self.requires_grad_(flag),
                             doc="Whether operations on this tensor are recorded for backward.")

    def requires_grad_(self, flag: bool = True) -> "Tensor":
        """Start (or stop) tracking this leaf; returns self."""
        if self._op is not None and not flag:
            raise InplaceError("requires_grad can only be turned off on a leaf; "
                               "use .detach() to get an untracked copy of a computed tensor")
        if flag and self._data.dtype not in _FLOATS:
            raise DTypeError(
                f"requires_grad=True needs a floating dtype (float16/32/64); this tensor is "
                f"{self._data.dtype}. Convert it first, e.g. Tensor(x, dtype=np.float64).")
        self._requires_grad = bool(flag)
        return self

    def retain_grad(self) -> None:
        """Keep ``.grad`` on this intermediate (non-leaf) tensor after backward."""
        if not self._requires_grad:
            raise InplaceError("retain_grad() on a tensor that does not require grad")
        self._retains_grad = True

    def zero_grad(self) -> None:
        """Forget the accumulated gradient (sets ``grad = None``, as PyTorch's default)."""
        self._grad = None

    def detach(self) -> "Tensor":
        """A new leaf sharing this tensor's array, not tracked."""
        return Tensor._make(self._data, None)

    @property
    def name(self) -> str | None:
        """An optional label, shown by ``repr``, drawings and gradcheck messages."""
        return getattr(self, "_name", None)

    @name.setter
    def name(self, value: str | None) -> None:
        if value is not None and not isinstance(value, str):
            raise TypeError(f"Tensor.name must be a str or None; got {type(value).__name__}")
        self._name = value

    @property
    def is_leaf(self) -> bool:
        """True for tensors you made; False for results of recorded ops."""
        return self._op is None

    grad_fn = property(attrgetter("_op"),
                       doc="The op that made this tensor (a ``Function``), or None for a leaf.")

    def backward(self, grad: Any = None, retain_graph: bool | None = None,
                 create_graph: bool = False) -> None:
        """Accumulate d(self)/d(leaf) into every leaf's ``.grad``.

        ``grad`` is dL/dself; it may be omitted only for a single-element tensor (then 1).
        """
        _engine.backward(self, grad, retain_graph, create_graph)  # positional: a faster call

    # ----------------------------------------------------------- array protocol
    shape = property(attrgetter("_data.shape"), doc="Shape tuple, as NumPy's.")
    ndim = property(attrgetter("_data.ndim"), doc="Number of axes.")
    size = property(attrgetter("_data.size"), doc="Number of elements.")
    dtype = property(attrgetter("_data.dtype"), doc="NumPy dtype of the data.")

    def numpy(self) -> np.ndarray:
        """The underlying array (shared, not a copy)."""
        return self.data

    def item(self) -> Any:
        """The value of a one-element tensor as a Python number."""
        data = self._data
        if type(data) in _FLOAT_SCALARS:  # a 0-d result (see _make), e.g. a loss
            return float(data)  # as data.item(), ten times faster
        if data.size != 1:
            raise ShapeError(f"item() needs a tensor with one element; shape is {self.shape}")
        return data.item()

    def __array__(self, dtype: Any = None, copy: bool | None = None) -> np.ndarray:
        data = self.data
        if dtype is not None and dtype != data.dtype:
            return data.astype(dtype)
        return data.copy() if copy else data

    def __len__(self) -> int:
        if self._data.ndim == 0:
            raise TypeError("len() of a 0-d tensor")
        return len(self._data)

    def __iter__(self) -> Iterator["Tensor"]:
        if self._data.ndim == 0:
            raise TypeError("iteration over a 0-d tensor")
        return (self[i] for i in range(len(self._data)))

    def __bool__(self) -> bool:
        return bool(self._data)

    def __float__(self) -> float:
        return float(self.item())

    def __int__(self) -> int:
        return int(self.item())

    def __repr__(self) -> str:
        body = np.array2string(self.data, separator=", ", prefix="Tensor(")
        extra = ""
        if self._data.dtype != np.float64:
            extra += f", dtype={self._data.dtype}"
        if self._op is not None:
            extra += f", grad_fn={self._op.name}"
        elif self._requires_grad:
            extra += ", requires_grad=True"
        if self.name:
            extra += f", name={self.name!r}"
        return f"Tensor({body}{extra})"

    # ----------------------------------------------------------- operators
    # Python numbers are op state (AddScalar(2.0)...): checked inline, this is the hot path
    def __add__(self, other: Any) -> "Tensor":
        if type(other) is float or type(other) is int:
            op = _new(_AddScalar)  # AddScalar(other) without the __init__ call
            op.c = other
            return _apply1(op, self)
        return _ops.add(self, other)

    def __radd__(self, other: Any) -> "Tensor":
        return _ops.add(other, self)

    def __sub__(self, other: Any) -> "Tensor":
        if type(other) is float or type(other) is int:
            op = _new(_AddScalar)
            op.c = -other
            return _apply1(op, self)
        return _ops.sub(self, other)

    def __rsub__(self, other: Any) -> "Tensor":
        return _ops.sub(other, self)

    def __mul__(self, other: Any) -> "Tensor":
        if type(other) is float or type(other) is int:
            op = _new(_MulScalar)
            op.c = other
            return _apply1(op, self)
        return _ops.mul(self, other)

    def __rmul__(self, other: Any) -> "Tensor":
        if type(other) is float or type(other) is int:
            op = _new(_MulScalar)
            op.c = other
            return _apply1(op, self)
        return _ops.mul(other, self)

    def __truediv__(self, other: Any) -> "Tensor":
        return _ops.div(self, other)

    def __rtruediv__(self, other: Any) -> "Tensor":
        return _ops.div(other, self)

    def __pow__(self, other: Any) -> "Tensor":
        return _ops.pow(self, other)

    def __rpow__(self, other: Any) -> "Tensor":
        return _ops.pow(other, self)

    def __matmul__(self, other: Any) -> "Tensor":
        return _ops.matmul(self, other)

    def __rmatmul__(self, other: Any) -> "Tensor":
        return _ops.matmul(other, self)

    def __neg__(self) -> "Tensor":
        return _ops.neg(self)

    def __pos__(self) -> "Tensor":
        return self

    def __abs__(self) -> "Tensor":
        return _ops.abs(self)

    def __getitem__(self, index: Any) -> "Tensor":
        return _ops.getitem(self, index)

    def __eq__(self, other: Any) -> "Tensor":  # type: ignore[override]
        return _ops.compare(np.equal, self, other)

    def __ne__(self, other: Any) -> "Tensor":  # type: ignore[override]
        return _ops.compare(np.not_equal, self, other)

    def __lt__(self, other: Any) -> "Tensor":
        return _ops.compare(np.less, self, other)

    def __le__(self, other: Any) -> "Tensor":
        return _ops.compare(np.less_equal, self, other)

    def __gt__(self, other: Any) -> "Tensor":
        return _ops.compare(np.greater, self, other)

    def __ge__(self, other: Any) -> "Tensor":
        return _ops.compare(np.greater_equal, self, other)

    # ----------------------------------------------------------- methods (see autograd.ops)
    def exp(self) -> "Tensor": return _apply1(_Exp(), self)
    def log(self) -> "Tensor": return _ops.log(self)
    def sqrt(self) -> "Tensor": return _ops.sqrt(self)
    def abs(self) -> "Tensor": return _ops.abs(self)
    def tanh(self) -> "Tensor": return _apply1(_Tanh(), self)
    def sigmoid(self) -> "Tensor": return _apply1(_Sigmoid(), self)
    def relu(self) -> "Tensor": return _apply1(_Relu(), self)
    def pow(self, exponent: Any) -> "Tensor": return _ops.pow(self, exponent)
    def clip(self, lo: Any = None, hi: Any = None) -> "Tensor": return _ops.clip(self, lo, hi)
    def astype(self, dtype: Any) -> "Tensor": return _ops.astype(self, dtype)
    def matmul(self, other: Any) -> "Tensor": return _ops.matmul(self, other)

    def reshape(self, *shape: Any) -> "Tensor":
        return _ops.reshape(self, shape[0] if len(shape) == 1 else shape)

    def flatten(self) -> "Tensor": return _ops.reshape(self, (-1,))

    @property
    def T(self) -> "Tensor":
        """All axes reversed (NumPy's ``.T``)."""
        return _ops.transpose(self, None)

    def swapaxes(self, axis1: int, axis2: int) -> "Tensor":
        return _ops.swapaxes(self, axis1, axis2)

    def broadcast_to(self, shape: Any) -> "Tensor": return _ops.broadcast_to(self, shape)


_new = object.__new__


def tensor(data: Any, requires_grad: bool = False, dtype: Any = None) -> Tensor:
    """A new leaf tensor holding a *copy* of ``data`` (``Tensor(data)`` shares arrays)."""
    return Tensor(np.array(_to_array(data, dtype), copy=True), requires_grad=requires_grad)


def as_tensor(x: Any) -> Tensor:
    """``x`` itself if it is a Tensor, else a constant (untracked) Tensor sharing its data."""
    return x if isinstance(x, Tensor) else Tensor(x)


# The ops need Tensor, so they are imported after it.
from . import engine as _engine, ops as _ops, tensor_methods as _methods  # noqa: E402
from .function import apply1 as _apply1  # noqa: E402
from .ops.arithmetic import AddScalar as _AddScalar, MulScalar as _MulScalar  # noqa: E402
from .ops.elementwise import (Exp as _Exp, Relu as _Relu, Sigmoid as _Sigmoid,  # noqa: E402
                              Tanh as _Tanh)

_methods._ops = _ops  # the op methods (sin, prod, flip...) call the ops module
