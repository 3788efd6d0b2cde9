"""``Tensor``: a NumPy array that remembers the operation that made it.

A tensor made by an op holds that op (``grad_fn``); the op holds its input tensors
(``parents``). That chain of references *is* the graph ``backward()`` walks. Leaves
(tensors made by you) have no op. 0-d tensors are the scalar case.

The class is its core (here: data, gradient, flags, backward, shape and dtype, copy and
pickle) on top of the method sets in ``tensor_mixins.TensorMixins``: the operators and
differentiable methods, PyTorch's and NumPy's names for them, the in-place operators and
the ways Python and NumPy read its values.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

import numpy as np

from ._arrays import FLOATS, check_requires_grad, to_array
from .clock import advance, next_seq, record_write
from .engine import accumulate_into, run_backward, seed
from .errors import (BackwardError, DataError, DTypeError, MissingNameError, ShapeError,
                     UsageError)
from .function import Function
from .hooks import RemovableHandle, add_hook
from .tensor_advice import (LABEL_HINT, flag_of_computed_tensor, unexpected_keyword,
                            warn_non_leaf_grad)
from .tensor_mixins import TensorMixins
from .size_tuple import Size
from .tensor_protocols import TRACKED_READS
from .torch_shapes import check_device
from .torch_spellings import ElementCount
from .views import detached_view

__all__ = ["Tensor", "tensor", "as_tensor", "from_numpy"]


class Tensor(TensorMixins):
    """An n-d array with automatic differentiation (``requires_grad=True`` to track it).

    ``Tensor(data)`` wraps an existing array without copying (``autograd.tensor`` copies).
    Python numbers and lists become float64; NumPy arrays keep their dtype. ``.grad`` is
    ``None`` until a backward pass reaches this tensor; gradients then accumulate
    (``+=``) until you reset them with ``zero_grad()`` (which sets ``grad = None``).
    """

    __slots__ = ("_data", "_grad", "_requires_grad", "_op", "_seq", "_retains_grad", "_name",
                 "_hooks", "_views", "__weakref__")  # weakref.ref(t) works, as on PyTorch's tensors
    __hash__ = object.__hash__  # identity: ``==`` is elementwise

    def __init__(self, data: Any, requires_grad: bool = False, dtype: Any = None,
                 name: str | None = None, **unexpected: Any) -> None:
        if unexpected:
            raise unexpected_keyword("Tensor", unexpected)
        check_requires_grad(data, requires_grad, dtype, "Tensor", name)  # Tensor(3, 4): a size
        if isinstance(data, Size):  # Tensor(x.size()): a shape, as torch.Tensor reads it
            data = np.zeros(data)
        self._fill(_array_of(data, dtype), None)
        if name is not None:
            self.name = name
        if requires_grad:
            self.requires_grad_(True)

    @staticmethod
    def _make(data: np.ndarray, op: Function | None) -> "Tensor":
        """The internal constructor: ``data`` is a valid array, ``op`` made it (or None).

        ``data`` may also be a NumPy scalar (``np.float64``), which NumPy returns for 0-d
        results: arithmetic on it is ten times faster than on a 0-d array, which matters
        for scalar graphs. ``.data`` always hands out an ndarray."""
        t = object.__new__(Tensor)
        t._fill(data, op)
        return t

    def _fill(self, data: np.ndarray, op: Function | None) -> None:
        self._data = data
        self._grad = None  # an array (as the engine stores it) or a Tensor: see .grad
        self._requires_grad = op is not None
        self._op = op
        self._seq = next_seq()  # creation number: backward goes newest first
        self._retains_grad = False
        self._hooks = None  # register_hook: {handle id: hook}
        self._views = None  # views.take_view: weak references to the views taken of it

    # ----------------------------------------------------------- data and gradient
    @property
    def data(self) -> np.ndarray:
        """The live array. Assigning to it is untracked (as in PyTorch): use it for
        initialisation and optimizer updates, never inside a computation you differentiate.
        A graph built before the assignment refuses to backward (``InplaceError``): its
        ops read their inputs' arrays when the backward runs. Assigning the same array
        back, as ``t.data *= m`` ends, is NumPy writing into ``.data``: not a write (as
        PyTorch's ``.data``). It takes an array or a Tensor, not a number or a list (as
        PyTorch): ``t.data[...] = v`` sets values."""
        data = self._data
        if type(data) is not np.ndarray:  # a NumPy scalar kept by a 0-d op (see _make)
            data = self._data = np.asarray(data)
        return data

    @data.setter
    def data(self, value: Any) -> None:
        # Python numbers and lists (PyTorch refuses them too); a NumPy scalar is NumPy's
        # 0-d result (p.data - lr * p.grad.data for a 0-d p), taken as a 0-d array
        if isinstance(value, (int, float, list, tuple)) and not isinstance(value, np.generic):
            raise UsageError(
                f".data takes an array or a Tensor (it replaces the whole array, shape and "
                f"dtype included); got a {type(value).__name__}, which would make this "
                f"{self.dtype} tensor of shape {self.shape} a float64 one of shape "
                f"{np.shape(value)}. To set its values in place write t.data[...] = value; "
                f"to replace it, pass an array: t.data = np.asarray(value, dtype=...).")
        array = to_array(value)
        if self._requires_grad and array.dtype not in FLOATS:
            raise DTypeError(f"this tensor requires grad, so .data must stay floating; "
                             f"got dtype {array.dtype}")
        if array is self._data:  # t.data *= m: NumPy wrote in place, unseen (as PyTorch)
            return
        self._data = array
        record_write(array)  # a graph that used the old value refuses to backward

    @property
    def grad(self) -> "Tensor | None":
        """dL/dself accumulated by backward(), a Tensor of this tensor's shape, or None
        (with PyTorch's warning for a non-leaf that did not ``retain_grad()``)."""
        g = self._grad
        if g is None and self._op is not None and not self._retains_grad:
            warn_non_leaf_grad()
        elif g is not None and not isinstance(g, Tensor):  # the engine stores arrays
            g = self._grad = Tensor._make(g, None)
        return g

    @grad.setter
    def grad(self, value: Any) -> None:
        """A gradient of this tensor's shape and dtype (numbers and arrays are converted
        to the dtype; a Tensor must have it, as in PyTorch), or None to forget it."""
        if value is not None:
            if not isinstance(value, Tensor):
                value = Tensor(value, dtype=self.dtype)
            elif value.dtype != self.dtype:
                raise DTypeError(f"grad must have this tensor's dtype {self.dtype}; got a "
                                 f"{value.dtype} Tensor. Convert it: .astype({self.dtype}).")
            if value.shape != self.shape:
                raise ShapeError(f"grad must have this tensor's shape {self.shape}; got "
                                 f"{value.shape}. To reset it, assign None (or call "
                                 f"zero_grad()); backward then starts from zero.")
        self._grad = value

    @property
    def requires_grad(self) -> bool:
        """Whether operations on this tensor are recorded for backward."""
        return self._requires_grad

    @requires_grad.setter
    def requires_grad(self, flag: bool) -> None:
        if self._op is not None:  # PyTorch refuses it too, True included
            raise flag_of_computed_tensor(self._op.name())
        self.requires_grad_(flag)

    def requires_grad_(self, requires_grad: bool = True) -> "Tensor":
        """Start (or stop) tracking this leaf; returns self (PyTorch's argument name)."""
        check_requires_grad(None, requires_grad, None, "requires_grad_")  # a bool, as PyTorch
        if self._op is not None and not requires_grad:
            raise UsageError("requires_grad can only be turned off on a leaf; "
                             "use .detach() to get an untracked copy of a computed tensor")
        if requires_grad and self._data.dtype not in FLOATS:
            raise DTypeError(
                f"requires_grad=True needs a floating dtype (float16/32/64); this tensor is "
                f"{self._data.dtype}. Convert it first, e.g. Tensor(x, dtype=np.float64).")
        self._requires_grad = bool(requires_grad)
        return self

    def retain_grad(self) -> None:
        """Keep ``.grad`` on this intermediate (non-leaf) tensor after backward (a leaf
        keeps it anyway)."""
        if not self._requires_grad:
            raise UsageError("retain_grad() on a tensor that does not require grad: no gradient"
                             " will reach it. Create its inputs with requires_grad=True.")
        self._retains_grad = self._op is not None

    def register_hook(self, hook: Callable[["Tensor"], Any]) -> RemovableHandle:
        """Call ``hook(grad)`` during each backward with this tensor's complete gradient
        dL/dself; it may return None or a replacement of the same shape and dtype, which
        the pass uses instead (see ``autograd.hooks``). Returns a handle: ``.remove()``."""
        if not self._requires_grad:
            raise UsageError("register_hook on a tensor that does not require grad: no "
                             "gradient will reach it. Create it (or its inputs) with "
                             "requires_grad=True.")
        if not callable(hook):
            raise UsageError(f"register_hook needs a function hook(grad); got "
                             f"{type(hook).__name__}")
        self._hooks, handle = add_hook(self._hooks, hook)
        return handle

    def zero_grad(self) -> None:
        """Forget the accumulated gradient (sets ``grad = None``, as PyTorch's default)."""
        self._grad = None

    def detach(self) -> "Tensor":
        """A new leaf sharing this tensor's array (and its version), not tracked."""
        return detached_view(self)

    def detach_(self) -> "Tensor":
        """Stop tracking this tensor, in place (PyTorch's ``detach_``); returns self, now
        an untracked leaf holding the same array (d2l's ``s.detach_()`` of an RNN state
        between minibatches). A computed tensor is itself the node of the graphs built
        on it before, and its history goes: it takes a new creation number, so a backward
        through one of those graphs raises ``UsageError`` (PyTorch's would still go
        through the old history; write ``t = t.detach()`` to keep it)."""
        if self._op is not None:
            self._op, self._retains_grad = None, False
            self._seq = advance()  # the clock moves on: older ops meeting it ask as_used
        self._requires_grad = False
        return self

    def bump_version(self) -> None:
        """Record that this tensor's array was changed in place outside autograd (NumPy
        writing into ``.data``, as optimizers do): a backward that reads it will refuse."""
        record_write(self.data)

    @property
    def name(self) -> str | None:
        """An optional label, shown by ``repr``, drawings and gradcheck messages."""
        return getattr(self, "_name", None)

    @name.setter
    def name(self, value: str | None) -> None:
        if value is not None and not isinstance(value, str):
            raise UsageError(f"Tensor.name must be a str or None; got {type(value).__name__}")
        self._name = value

    @property
    def label(self) -> None:
        """Not an attribute here: micrograd's ``label`` is ``name`` (the error says so)."""
        raise MissingNameError(LABEL_HINT.format("read t.name"))

    @label.setter
    def label(self, value: Any) -> None:
        raise MissingNameError(LABEL_HINT.format(f"write t.name = {value!r}, or pass name= "
                                                 f"when making it"))

    @property
    def is_leaf(self) -> bool:
        """True for tensors you made; False for results of recorded ops."""
        return self._op is None

    @property
    def retains_grad(self) -> bool:
        """Whether this non-leaf keeps its ``.grad`` (``retain_grad()`` was called)."""
        return self._retains_grad

    @property
    def grad_fn(self) -> Function | None:
        """The op that made this tensor (a ``Function``), or None for a leaf."""
        return self._op

    def backward(self, grad: Any = None, retain_graph: bool | None = None,
                 create_graph: bool = False, *, gradient: Any = None,
                 inputs: "Tensor | Iterable[Tensor] | None" = None) -> None:
        """Accumulate d(self)/d(leaf) into every leaf's ``.grad``.

        ``grad`` is dL/dself (``gradient=``, PyTorch's name, is accepted too); it may be
        omitted only for a single-element tensor (then 1). Afterwards the graph's links
        to the activations are released unless ``retain_graph=True`` (the default when
        ``create_graph=True``). With ``inputs`` (PyTorch's), only those tensors' ``.grad``
        is written, leaves or not, and the pass stops at them.
        """
        if gradient is not None:
            if grad is not None:
                raise UsageError("backward: got both grad= and gradient=; they are two names "
                                 "(ours and PyTorch's) for dL/dself. Pass only one.")
            grad = gradient
        retain = create_graph if retain_graph is None else retain_graph
        targets = None if inputs is None else _backward_inputs(inputs)
        found = run_backward([self], [seed(self, grad, create_graph)], retain, create_graph,
                             targets)
        if targets is not None:
            accumulate_into(targets, found)

    # ----------------------------------------------------------- shape and dtype
    @property
    def shape(self) -> tuple[int, ...]:
        """Shape tuple, as NumPy's."""
        return self._data.shape

    @property
    def ndim(self) -> int:
        """Number of axes."""
        return self._data.ndim

    @property
    def size(self) -> int:
        """Number of elements (NumPy's); also callable as PyTorch's ``x.size(dim)``."""
        return ElementCount(self._data.size, self._data.shape)

    @property
    def dtype(self) -> np.dtype:
        """NumPy dtype of the data."""
        return self._data.dtype

    # ----------------------------------------------------------- copy and pickle
    def __reduce_ex__(self, protocol: Any) -> tuple:
        """``pickle`` and ``copy.deepcopy``: the array, ``requires_grad``, ``.grad`` (as an
        array) and the name, not the graph nor hooks. A tensor computed by ops comes back
        as a leaf, as PyTorch's pickle gives (its deepcopy refuses). Carrying the graph
        would copy its creation numbers too, and the backward pass orders nodes by them."""
        grad = self._grad  # the engine's array, or a Tensor once .grad was read
        grad = grad.data if isinstance(grad, Tensor) else grad
        return _rebuild, (type(self), self.data, self._requires_grad, grad, self.name)

    def __copy__(self) -> "Tensor":
        """``copy.copy``: a leaf sharing this tensor's array, without ``.grad`` (as PyTorch)."""
        return _rebuild(type(self), self.data, self._requires_grad, None, self.name)


def _backward_inputs(inputs: Any) -> list[Tensor]:
    """``backward(inputs=)``: one Tensor or several, each once, each requiring grad."""
    if not isinstance(inputs, (Tensor, Iterable)) or isinstance(inputs, (str, bytes, dict)):
        raise UsageError(f"backward: inputs= is a Tensor or a list of Tensors (whose .grad "
                         f"to accumulate); got {type(inputs).__name__}")
    tensors = [inputs] if isinstance(inputs, Tensor) else list(inputs)
    for i, t in enumerate(tensors):
        if not isinstance(t, Tensor) or not t._requires_grad:
            raise BackwardError(f"backward: inputs[{i}] is not a tensor that requires grad "
                                f"({type(t).__name__}); inputs= names tensors whose .grad to "
                                f"accumulate, created with requires_grad=True")  # as grad()
    if not tensors:
        raise UsageError("backward: inputs= is empty; leave it out to reach every leaf")
    return list({id(t): t for t in tensors}.values())


def _array_of(data: Any, dtype: Any = None, python_ints: Any = np.float64,
              what: str = "Tensor") -> np.ndarray:
    """``to_array(data, dtype, python_ints)``, refusing a tensor that requires grad, alone or
    in a list (micrograd's ``Tensor([h1, h2])``, seen as NumPy reads each one through
    ``__array__``: ``TRACKED_READS``): an untracked tensor of it would cut it out of the graph."""
    before = TRACKED_READS.count
    array = to_array(data, dtype, python_ints)
    if TRACKED_READS.count != before or (isinstance(data, Tensor) and data._requires_grad):
        raise UsageError(
            f"{what}(h) or {what}([h1, h2]) of tensors that require grad would make an "
            f"untracked tensor of their values and cut them out of the graph. Use h itself "
            f"(autograd.as_tensor(h) is h) or h.clone() in the graph, autograd.stack([h1, "
            f"h2]) to join them, or h.detach() for constant values.")
    return array


def _rebuild(cls: type, data: np.ndarray, requires_grad: bool, grad: np.ndarray | None,
             name: str | None) -> Tensor:
    """A leaf of class ``cls`` (Tensor, or a subclass such as nn's Parameter) from what
    ``__reduce_ex__`` kept; a new creation number, as for any tensor made now."""
    t = cls.__new__(cls)
    Tensor.__init__(t, data, requires_grad=requires_grad, name=name)
    t._grad = grad
    return t


def tensor(data: Any, requires_grad: bool = False, dtype: Any = None, *,
           device: Any = None, name: str | None = None, **unexpected: Any) -> Tensor:
    """A new leaf tensor holding a *copy* of ``data`` (``Tensor(data)`` shares arrays) on
    the CPU (``device`` "cpu" or None); ``name`` labels it in graph drawings. Python data
    keeps its kind, as in PyTorch and NumPy: ints give int64 (``tensor([1, 0, 4])``), bools
    bool, floats float64 (``Tensor(data)`` makes Python numbers float64, as PyTorch's)."""
    if unexpected:
        raise unexpected_keyword("tensor", unexpected)
    check_device(device, "tensor(device=...)")
    array = np.array(_array_of(data, dtype, np.int64, "tensor"), copy=True)
    python_ints = dtype is None and isinstance(data, (int, list, tuple))
    if requires_grad and python_ints and array.dtype.kind == "i":
        raise DTypeError("tensor(..., requires_grad=True): Python ints make an int64 tensor "
                         "(as in PyTorch), and requires_grad needs a floating dtype. Write the "
                         "numbers as floats (0.0 for 0, [1., 2.]) or pass dtype=np.float64.")
    return Tensor(array, requires_grad=requires_grad, name=name)


def as_tensor(x: Any, dtype: Any = None, device: Any = None) -> Tensor:
    """``x`` itself if it is a Tensor (``x.to(dtype)`` for another dtype, in the graph), else
    an untracked Tensor sharing ``x``'s data unless ``dtype`` converts it (PyTorch's). Lists
    and numbers are read as ``tensor`` reads them: Python ints give int64 (labels)."""
    if device is not None:  # (nn's ops lift every input through here)
        check_device(device, "as_tensor(device=...)")
    if isinstance(x, Tensor):
        return x if dtype is None else x.to(dtype)
    if dtype is None and isinstance(x, np.ndarray):
        return Tensor(x)
    return Tensor(_array_of(x, dtype, python_ints=np.int64))


def from_numpy(array: np.ndarray) -> Tensor:
    """A constant tensor sharing ``array``'s memory (PyTorch's ``from_numpy``; as
    ``Tensor(array)``): writes through either are seen by the other."""
    if not isinstance(array, np.ndarray):
        raise UsageError(f"from_numpy needs a numpy.ndarray; got {type(array).__name__}. "
                         f"Use autograd.tensor(data) to copy other data into a tensor.")
    if array.dtype.kind not in "biuf":
        raise DTypeError(f"from_numpy: a Tensor holds bool, integer or float data; got an array "
                         f"of dtype {array.dtype}. Convert it first, e.g. a.astype(np.float64).")
    if not array.dtype.isnative:
        raise DataError(f"from_numpy: the array's byte order ({array.dtype}) is not this "
                        f"machine's. Convert it first: a.astype(a.dtype.newbyteorder('=')).")
    return Tensor(array)
