"""Making tensors: ``zeros``, ``ones``, ``full``, their ``*_like`` forms, ``eye``,
``arange``, ``linspace``, ``logspace``, ``rand`` and ``randn`` (and ``rand_like randn_like
randint randint_like randperm``), with PyTorch's signatures, and ``asarray``. The ranges
``arange linspace logspace`` live in ``autograd.ranges``, imported here.

Sizes are given as ``zeros(2, 3)``, ``zeros((2, 3))`` or ``zeros(size=(2, 3))`` (PyTorch's
keyword, as d2l writes ``torch.rand(size=(2, 4))``). The dtype is float64 unless ``dtype=``
says otherwise (``arange`` of integers stays integer, as in NumPy and PyTorch);
``requires_grad=True`` makes a leaf to differentiate. Random tensors draw from
the ``numpy.random.Generator`` passed as ``generator=``, or from
``autograd.default_generator`` if None (``autograd.manual_seed(n)`` reseeds it), so a
seeded generator reproduces them. PyTorch's ``device=`` takes the CPU only ("cpu", None,
``torch.device("cpu")``; else ``UsageError``), its ``layout=`` (``zeros ones empty full``
and the ``*_like`` forms) only ``autograd.strided``, dense, or None (see ``layouts``).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ._arrays import as_dtype, as_size, check_representable, count_argument, numeric, to_array
from ._creation_common import allocated, dtype_or_float64, new_leaf
from ._random import as_generator, below
from ._sampling import draw_integers, float_dtype, integer_range, whole_number
from .errors import GeneratorError, ShapeError, UsageError
from .keyword_aliases import keyword_aliases
from .memory_formats import check_memory_format
from .out_argument import accepts_out, creation_with_out
from .ranges import arange, linspace, logspace
from .tensor import Tensor, as_tensor, tensor
from .torch_shapes import check_device

__all__ = ["zeros", "ones", "full", "zeros_like", "ones_like", "full_like", "empty",
           "empty_like", "eye", "arange", "linspace", "logspace", "asarray", "rand", "randn",
           "rand_like", "randn_like", "randint", "randint_like", "randperm", "GeneratorError"]


def _size(sizes: tuple[Any, ...], op: str, keyword: Any = None) -> tuple[int, ...]:
    """``as_size``, also taking an integer Tensor of one element as one size, as PyTorch
    does (its ``__index__``): ``zeros(n, 3)`` with ``n = tensor([2])``. A Tensor of
    several elements is no size there either (write ``zeros(*t.tolist())``), nor is a
    sequence inside the sequence (``zeros([[2, 3]])``: a ShapeError, as PyTorch's)."""
    def entries(given: tuple[Any, ...]) -> tuple[Any, ...]:
        if len(given) == 1 and isinstance(given[0], (tuple, list)):
            given = tuple(given[0])
        if any(isinstance(n, (tuple, list)) for n in given):
            raise ShapeError(f"{op}: sizes must be ints, as {op}(2, 3) or {op}((2, 3)); "
                             f"got the nested {given!r}")
        return tuple(int(n.item()) if isinstance(n, Tensor) and n.dtype.kind in "iu"
                     and n.numel() == 1 else n for n in given)
    return as_size(entries(sizes), op, None if keyword is None else entries((keyword,)))


def _check_fill_tensor(fill_value: Any, op: str) -> None:
    """A Tensor fill value must be one number that does not require grad, as PyTorch's
    (a TypeError there): several elements would broadcast into the result rather than
    fill it, and a fill would cut the graph of one that requires grad."""
    if not isinstance(fill_value, Tensor):
        return
    if fill_value.ndim != 0:
        raise UsageError(f"{op}: fill_value is one number (or a 0-d tensor), as in PyTorch; "
                         f"got a Tensor of shape {tuple(fill_value.shape)}. To repeat its "
                         f"values over a size write t.expand(size).clone()")
    if fill_value.requires_grad:
        raise UsageError(f"{op}: fill_value requires grad, and filling would cut its graph "
                         f"(PyTorch refuses it too). For a constant pass fill_value.detach() "
                         f"(or .item()); to keep the gradient write fill_value.expand(size)")


def _filled(shape: tuple[int, ...], fill_value: Any, dtype: np.dtype, op: str) -> np.ndarray:
    """``np.full`` with a checked fill value: a number (None or a string: DTypeError), a
    0-d Tensor that does not require grad (``_check_fill_tensor``) or, NumPy's habit, a
    list or array of numbers that broadcasts to ``shape``, each of which ``dtype``
    holds (``check_representable``: NaN, inf or 300 in an int8 tensor is a DTypeError,
    as in PyTorch, where NumPy would store garbage)."""
    _check_fill_tensor(fill_value, op)
    fill = numeric(fill_value, f"{op}: fill_value")
    check_representable(fill, np.dtype(dtype), f"{op}: fill_value")
    trailing = shape[len(shape) - fill.ndim:]  # NumPy's rule: fill's axes line up with the last
    if fill.ndim > len(shape) or any(f not in (1, n) for f, n in zip(fill.shape, trailing)):
        raise ShapeError(f"{op}: fill_value of shape {fill.shape} does not broadcast to the "
                         f"size {shape}")
    return allocated(op, shape, dtype, lambda: np.full(shape, fill, dtype=dtype))


@creation_with_out
def zeros(*sizes: Any, size: Any = None, dtype: Any = None, requires_grad: bool = False,
          device: Any = None, layout: Any = None) -> Tensor:
    """A tensor of zeros of the given size."""
    array = _filled(_size(sizes, "zeros", size), 0, dtype_or_float64(dtype), "zeros")
    return new_leaf(array, requires_grad, device, "zeros", layout)


@creation_with_out
def ones(*sizes: Any, size: Any = None, dtype: Any = None, requires_grad: bool = False,
         device: Any = None, layout: Any = None) -> Tensor:
    """A tensor of ones of the given size."""
    array = _filled(_size(sizes, "ones", size), 1, dtype_or_float64(dtype), "ones")
    return new_leaf(array, requires_grad, device, "ones", layout)


@creation_with_out
def empty(*sizes: Any, size: Any = None, dtype: Any = None, requires_grad: bool = False,
          device: Any = None, layout: Any = None) -> Tensor:
    """PyTorch's ``empty``: a tensor of the given size to be written before it is read;
    zeros here (an array is never left uninitialised), as ``new_empty``."""
    array = _filled(_size(sizes, "empty", size), 0, dtype_or_float64(dtype), "empty")
    return new_leaf(array, requires_grad, device, "empty", layout)


@creation_with_out
def full(size: Any, fill_value: float, dtype: Any = None,
         requires_grad: bool = False, *, device: Any = None, layout: Any = None) -> Tensor:
    """A tensor of the given size filled with ``fill_value``; without ``dtype``, of the
    fill value's kind, as PyTorch and NumPy: bool for a bool, int64 for an integer, else
    float64."""
    shape = _size((size,), "full")
    if dtype is None:
        kind = numeric(fill_value, "full: fill_value").dtype.kind
        dtype = {"b": np.bool_, "i": np.int64, "u": np.int64}.get(kind)
    array = _filled(shape, fill_value, dtype_or_float64(dtype), "full")
    return new_leaf(array, requires_grad, device, "full", layout)


def _like(t: Any, dtype: Any, memory_format: Any = None,
          owner: str = "a *_like function") -> tuple[tuple[int, ...], np.dtype]:
    """The shape and dtype of a ``*_like`` result (``memory_format``: see memory_formats)."""
    check_memory_format(memory_format, owner)
    t = as_tensor(t)
    return t.shape, (t.dtype if dtype is None else as_dtype(dtype, "dtype"))


@keyword_aliases(t="input")
@accepts_out
def zeros_like(input: Any, dtype: Any = None, requires_grad: bool = False, *,  # noqa: A002
               device: Any = None, memory_format: Any = None, layout: Any = None) -> Tensor:
    """Zeros with the shape (and dtype, unless given) of ``input``."""
    shape, dtype = _like(input, dtype, memory_format, "zeros_like")
    return new_leaf(np.zeros(shape, dtype=dtype), requires_grad, device, "zeros_like", layout)


@keyword_aliases(t="input")
@accepts_out
def empty_like(input: Any, dtype: Any = None, requires_grad: bool = False, *,  # noqa: A002
               device: Any = None, memory_format: Any = None, layout: Any = None) -> Tensor:
    """PyTorch's ``empty_like``: zeros here, with the shape (and dtype) of ``input``."""
    shape, dtype = _like(input, dtype, memory_format, "empty_like")
    return new_leaf(np.zeros(shape, dtype=dtype), requires_grad, device, "empty_like", layout)


@keyword_aliases(t="input")
@accepts_out
def ones_like(input: Any, dtype: Any = None, requires_grad: bool = False, *,  # noqa: A002
              device: Any = None, memory_format: Any = None, layout: Any = None) -> Tensor:
    """Ones with the shape (and dtype, unless given) of ``input``."""
    shape, dtype = _like(input, dtype, memory_format, "ones_like")
    return new_leaf(np.ones(shape, dtype=dtype), requires_grad, device, "ones_like", layout)


@keyword_aliases(t="input")
def full_like(input: Any, fill_value: float, dtype: Any = None,  # noqa: A002
              requires_grad: bool = False, *, device: Any = None,
              memory_format: Any = None, layout: Any = None) -> Tensor:
    """``fill_value`` everywhere, with the shape (and dtype, unless given) of ``input``."""
    shape, dtype = _like(input, dtype, memory_format, "full_like")
    array = _filled(shape, fill_value, dtype, "full_like")
    return new_leaf(array, requires_grad, device, "full_like", layout)


@creation_with_out
def eye(n: int, m: int | None = None, dtype: Any = None,
        requires_grad: bool = False, *, device: Any = None) -> Tensor:
    """The n x m identity matrix (square when m is None)."""
    n, m = (count_argument("eye", name, k) for name, k in (("n", n), ("m", n if m is None
                                                                     else m)))
    return new_leaf(np.eye(n, m, dtype=dtype_or_float64(dtype)), requires_grad, device, "eye")


def _shared_array(obj: Any) -> Any:
    """The memory of ``obj`` (an array-like: a buffer, another library's array) as an
    ndarray, for ``asarray(copy=False)``; a UsageError for a list, a number or a NumPy
    scalar, which have none to share (NumPy 2's and PyTorch's ValueError). An object
    NumPy cannot read comes back as it is, for ``to_array``'s error."""
    try:
        return np.asarray(obj, copy=False)
    except ValueError:
        raise UsageError(f"asarray(copy=False): a {type(obj).__name__} has no memory to "
                         f"share with a tensor, so its values would be copied; leave "
                         f"copy=None (or pass copy=True) to copy them") from None
    except RuntimeError:  # (a torch tensor that requires grad: to_array says what to do)
        return obj


def asarray(obj: Any, *, dtype: Any = None, device: Any = None, copy: bool | None = None,
            requires_grad: bool | None = None) -> Tensor:
    """``obj`` as a Tensor, sharing its memory where it can (PyTorch's ``asarray``):
    ``copy=True`` always copies, ``copy=False`` refuses to (a dtype that converts, or a
    list or number, which has no memory to share, is a ``UsageError``), None copies only
    to convert. A Tensor stays itself (in its graph) unless copied or converted, or
    ``requires_grad=False`` asks for its detached alias; ``requires_grad=True`` makes the
    result a leaf that requires grad."""
    check_device(device, "asarray(device=...)")
    if copy is False and not isinstance(obj, (Tensor, np.ndarray)):
        obj = _shared_array(obj)
    if isinstance(obj, np.ndarray) and copy is False and not obj.dtype.isnative:
        raise UsageError(f"asarray(copy=False): the array's byte order ({obj.dtype}) is not "
                         f"this machine's, so it cannot be shared; leave copy=None to convert")
    source = obj.data if isinstance(obj, Tensor) else to_array(obj, python_ints=np.int64)
    converts = dtype is not None and np.dtype(as_dtype(dtype, "dtype")) != source.dtype
    if copy is False and converts:
        raise UsageError(f"asarray(copy=False): the {source.dtype} data cannot be shared as "
                         f"{np.dtype(as_dtype(dtype, 'dtype'))}; leave copy=None to convert")
    if isinstance(obj, Tensor) and not (copy or converts):
        result = obj.detach() if requires_grad is False else obj
    elif isinstance(obj, Tensor):
        result = obj.to(dtype) if converts else obj.clone()
        result = result.detach() if requires_grad is False else result
    elif isinstance(obj, np.ndarray):
        result = as_tensor(obj.copy() if copy else obj, dtype)
    else:  # lists and numbers, nothing to share: read as torch.tensor reads them
        result = tensor(obj, dtype=dtype)
    return result.requires_grad_(True) if requires_grad else result


@creation_with_out
def rand(*sizes: Any, size: Any = None, generator: Any = None, dtype: Any = None,
         requires_grad: bool = False, device: Any = None) -> Tensor:
    """Uniform samples in [0, 1) drawn from ``generator``."""
    shape = _size(sizes, "rand", size)
    dtype = float_dtype(dtype_or_float64(dtype), "the dtype", "rand")
    sample = as_generator(generator, "rand").random(shape)
    return new_leaf(below(sample, 0.0, 1.0, dtype), requires_grad, device, "rand")


@creation_with_out
def randn(*sizes: Any, size: Any = None, generator: Any = None, dtype: Any = None,
           requires_grad: bool = False, device: Any = None) -> Tensor:
    """Standard normal samples drawn from ``generator``."""
    shape = _size(sizes, "randn", size)
    dtype = float_dtype(dtype_or_float64(dtype), "the dtype", "randn")
    sample = as_generator(generator, "randn").standard_normal(shape)
    return new_leaf(sample.astype(dtype, copy=False), requires_grad, device, "randn")


@creation_with_out
def randint(low: int = 0, high: Any = None, size: Any = None, *, generator: Any = None,
            dtype: Any = None, requires_grad: bool = False, device: Any = None) -> Tensor:
    """Integers uniform in [low, high) drawn from ``generator``, int64 unless ``dtype``
    says, with PyTorch's two call forms: ``randint(high, size)`` (low is 0) and
    ``randint(low, high, size)``; ``size`` is a tuple, as in PyTorch."""
    if size is None and isinstance(high, (tuple, list)):  # randint(high, size)
        low, high, size = 0, low, high
    elif high is None:  # randint(high, size=(...))
        low, high = 0, low
    if not isinstance(size, (tuple, list)):
        raise UsageError(f"randint: size must be a tuple, as randint(10, (2, 3)) or "
                         f"randint(0, 10, (2, 3)); got size={size!r}")
    shape = as_size((tuple(size),), "randint")
    dtype = np.dtype(np.int64) if dtype is None else as_dtype(dtype, "dtype")
    first, last = integer_range(low, high, dtype, "randint")
    rng = as_generator(generator, "randint")
    drawn = draw_integers(rng, first, last, shape, dtype)
    return new_leaf(drawn, requires_grad, device, "randint")


def randint_like(input: Any, low: int = 0, high: Any = None, *,  # noqa: A002
                 generator: Any = None, dtype: Any = None, requires_grad: bool = False,
                 device: Any = None, memory_format: Any = None) -> Tensor:
    """``randint`` with the shape (and dtype, unless given) of ``input``: ``randint_like(x,
    high)`` or ``randint_like(x, low, high)``."""
    shape, dtype = _like(input, dtype, memory_format, "randint_like")
    if high is None:
        low, high = 0, low
    first, last = integer_range(low, high, dtype, "randint_like")
    drawn = draw_integers(as_generator(generator, "randint_like"), first, last, shape, dtype)
    return new_leaf(drawn, requires_grad, device, "randint_like")


@creation_with_out
def randperm(n: int, *, generator: Any = None, dtype: Any = None,
             requires_grad: bool = False, device: Any = None) -> Tensor:
    """A random permutation of 0 .. n-1 drawn from ``generator`` (int64 unless ``dtype``
    says): ``x[randperm(len(x))]`` shuffles, as in PyTorch."""
    (n,) = as_size((whole_number(n, "n", "randperm"),), "randperm")
    dtype = np.dtype(np.int64) if dtype is None else as_dtype(dtype, "dtype")
    if n > 0:
        integer_range(0, n, dtype, "randperm")
    order = as_generator(generator, "randperm").permutation(n)
    return new_leaf(order.astype(dtype), requires_grad, device, "randperm")


@accepts_out
def rand_like(input: Any, *, generator: Any = None, dtype: Any = None,  # noqa: A002
              requires_grad: bool = False, device: Any = None, memory_format: Any = None) -> Tensor:
    """``rand`` with the shape (and floating dtype, unless given) of ``input``."""
    shape, dtype = _like(input, dtype, memory_format, "rand_like")
    dtype = float_dtype(dtype, "the dtype", "rand_like")
    sample = as_generator(generator, "rand_like").random(shape)
    return new_leaf(below(sample, 0.0, 1.0, dtype), requires_grad, device, "rand_like")


@accepts_out
def randn_like(input: Any, *, generator: Any = None, dtype: Any = None,  # noqa: A002
               requires_grad: bool = False, device: Any = None,
               memory_format: Any = None) -> Tensor:
    """``randn`` with the shape (and floating dtype, unless given) of ``input``."""
    shape, dtype = _like(input, dtype, memory_format, "randn_like")
    dtype = float_dtype(dtype, "the dtype", "randn_like")
    sample = as_generator(generator, "randn_like").standard_normal(shape)
    return new_leaf(sample.astype(dtype, copy=False), requires_grad, device, "randn_like")
