"""Making tensors: ``zeros``, ``ones``, ``full``, their ``*_like`` forms, ``eye``,
``arange``, ``linspace``, ``logspace``, ``rand`` and ``randn`` (and ``rand_like randn_like
randint randint_like randperm``), with PyTorch's signatures, and ``asarray``.

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

import math
from typing import Any, Callable

import numpy as np

from ._arrays import (as_dtype, as_size, check_representable, count_argument, numeric,
                      to_array)
from ._random import as_generator, below
from ._sampling import draw_integers, float_dtype, integer_range, whole_number
from .errors import DTypeError, GeneratorError, ShapeError, UsageError
from .keyword_aliases import keyword_aliases
from .layouts import check_layout
from .memory_formats import check_memory_format
from .out_argument import accepts_out, creation_with_out
from .tensor import Tensor, as_tensor, tensor
from .torch_shapes import check_device

__all__ = ["zeros", "ones", "full", "zeros_like", "ones_like", "full_like", "empty",
           "empty_like", "eye", "arange", "linspace", "logspace", "asarray", "rand", "randn",
           "rand_like", "randn_like", "randint", "randint_like", "randperm", "GeneratorError"]


def _size(sizes: tuple[Any, ...], op: str, keyword: Any = None) -> tuple[int, ...]:
    """``as_size``, also taking an integer Tensor of one element as one size, as PyTorch
    does (its ``__index__``): ``zeros(n, 3)`` with ``n = tensor([2])``. A Tensor of
    several elements is no size there either (write ``zeros(*t.tolist())``)."""
    def entries(given: tuple[Any, ...]) -> tuple[Any, ...]:
        if len(given) == 1 and isinstance(given[0], (tuple, list)):
            given = tuple(given[0])
        return tuple(int(n.item()) if isinstance(n, Tensor) and n.dtype.kind in "iu"
                     and n.numel() == 1 else n for n in given)
    return as_size(entries(sizes), op, None if keyword is None else entries((keyword,)))


def _allocated(op: str, shape: tuple[int, ...], dtype: np.dtype,
               make: Callable[[], np.ndarray]) -> np.ndarray:
    """``make()``, the new array of ``shape`` and ``dtype``, or a ShapeError (PyTorch's
    RuntimeError) when it has more bytes than NumPy can index or the machine can give
    (NumPy's bare ValueError and MemoryError)."""
    size = math.prod(shape) * np.dtype(dtype).itemsize
    advice = f"{op}: the size {shape} of {np.dtype(dtype)} takes {size:.3g} bytes"
    if size > np.iinfo(np.intp).max:
        raise ShapeError(f"{advice}, more than NumPy can index; ask for fewer elements")
    try:
        return make()
    except MemoryError:
        raise ShapeError(f"{advice}, more than this machine could allocate; ask for "
                         f"fewer elements (or a smaller dtype)") from None


def _filled(shape: tuple[int, ...], fill_value: Any, dtype: np.dtype, op: str) -> np.ndarray:
    """``np.full`` with a checked fill value: a number (None or a string: DTypeError) or,
    NumPy's habit, an array of them that broadcasts to ``shape``, each of which ``dtype``
    holds (``check_representable``: NaN, inf or 300 in an int8 tensor is a DTypeError,
    as in PyTorch, where NumPy would store garbage)."""
    fill = numeric(fill_value, f"{op}: fill_value")
    check_representable(fill, np.dtype(dtype), f"{op}: fill_value")
    trailing = shape[len(shape) - fill.ndim:]  # NumPy's rule: fill's axes line up with the last
    if fill.ndim > len(shape) or any(f not in (1, n) for f, n in zip(fill.shape, trailing)):
        raise ShapeError(f"{op}: fill_value of shape {fill.shape} does not broadcast to the "
                         f"size {shape}")
    return _allocated(op, shape, dtype, lambda: np.full(shape, fill, dtype=dtype))


def _leaf(array: np.ndarray, requires_grad: bool, device: Any, op: str,
          layout: Any = None) -> Tensor:
    """A new leaf holding ``array``; ``device`` must be the CPU, ``layout`` strided."""
    check_device(device, f"{op}(device=...)")
    check_layout(layout, op)
    return Tensor(array, requires_grad=requires_grad)


def _dtype(dtype: Any) -> np.dtype:
    return np.dtype(np.float64) if dtype is None else as_dtype(dtype, "dtype")


@creation_with_out
def zeros(*sizes: Any, size: Any = None, dtype: Any = None, requires_grad: bool = False,
          device: Any = None, layout: Any = None) -> Tensor:
    """A tensor of zeros of the given size."""
    array = _filled(_size(sizes, "zeros", size), 0, _dtype(dtype), "zeros")
    return _leaf(array, requires_grad, device, "zeros", layout)


@creation_with_out
def ones(*sizes: Any, size: Any = None, dtype: Any = None, requires_grad: bool = False,
         device: Any = None, layout: Any = None) -> Tensor:
    """A tensor of ones of the given size."""
    array = _filled(_size(sizes, "ones", size), 1, _dtype(dtype), "ones")
    return _leaf(array, requires_grad, device, "ones", layout)


@creation_with_out
def empty(*sizes: Any, size: Any = None, dtype: Any = None, requires_grad: bool = False,
          device: Any = None, layout: Any = None) -> Tensor:
    """PyTorch's ``empty``: a tensor of the given size to be written before it is read;
    zeros here (an array is never left uninitialised), as ``new_empty``."""
    array = _filled(_size(sizes, "empty", size), 0, _dtype(dtype), "empty")
    return _leaf(array, requires_grad, device, "empty", layout)


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
    return _leaf(_filled(shape, fill_value, _dtype(dtype), "full"), requires_grad, device, "full",
                 layout)


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
    return _leaf(np.zeros(shape, dtype=dtype), requires_grad, device, "zeros_like", layout)


@keyword_aliases(t="input")
@accepts_out
def empty_like(input: Any, dtype: Any = None, requires_grad: bool = False, *,  # noqa: A002
               device: Any = None, memory_format: Any = None, layout: Any = None) -> Tensor:
    """PyTorch's ``empty_like``: zeros here, with the shape (and dtype) of ``input``."""
    shape, dtype = _like(input, dtype, memory_format, "empty_like")
    return _leaf(np.zeros(shape, dtype=dtype), requires_grad, device, "empty_like", layout)


@keyword_aliases(t="input")
@accepts_out
def ones_like(input: Any, dtype: Any = None, requires_grad: bool = False, *,  # noqa: A002
              device: Any = None, memory_format: Any = None, layout: Any = None) -> Tensor:
    """Ones with the shape (and dtype, unless given) of ``input``."""
    shape, dtype = _like(input, dtype, memory_format, "ones_like")
    return _leaf(np.ones(shape, dtype=dtype), requires_grad, device, "ones_like", layout)


@keyword_aliases(t="input")
def full_like(input: Any, fill_value: float, dtype: Any = None,  # noqa: A002
              requires_grad: bool = False, *, device: Any = None,
              memory_format: Any = None, layout: Any = None) -> Tensor:
    """``fill_value`` everywhere, with the shape (and dtype, unless given) of ``input``."""
    shape, dtype = _like(input, dtype, memory_format, "full_like")
    return _leaf(_filled(shape, fill_value, dtype, "full_like"), requires_grad, device, "full_like",
                 layout)


@creation_with_out
def eye(n: int, m: int | None = None, dtype: Any = None,
        requires_grad: bool = False, *, device: Any = None) -> Tensor:
    """The n x m identity matrix (square when m is None)."""
    n, m = (count_argument("eye", name, k) for name, k in (("n", n), ("m", n if m is None
                                                                     else m)))
    return _leaf(np.eye(n, m, dtype=_dtype(dtype)), requires_grad, device, "eye")


def _range_number(value: Any, name: str, op: str) -> int | float:
    """One number of ``arange``/``linspace`` as a Python number (a 0-d tensor too)."""
    array = numeric(value, f"{op}: {name}")
    if array.ndim != 0:
        raise UsageError(f"{op}: {name} is one number; got shape {array.shape}")
    return array.item()


def _arange_count(start: float, end: float, step: float, dtype: np.dtype) -> int:
    """How many values ``arange`` gives, as PyTorch counts them: ceil((end - start) /
    step) in float64 of the numbers as given; for int64, of the numbers truncated to
    integers, exactly (so ``arange(2.5)`` has 3 values in int32 and 2 in int64). A step
    that truncates to 0 is an error in every integer dtype (PyTorch's in int64; in the
    others it repeats start)."""
    if not (step > 0 or step < 0):
        raise UsageError(f"arange: step must be nonzero; got {step!r}")
    if (step > 0 and end < start) or (step < 0 and end > start):
        raise UsageError(f"arange: the bounds {start!r} -> {end!r} and the step {step!r} "
                         f"disagree in sign; swap the bounds or negate the step")
    if dtype.kind in "iu" and math.trunc(step) == 0:
        raise UsageError(f"arange: step {step!r} is 0 as an integer, the step of a {dtype} "
                         f"arange; pass a whole step (or a float dtype)")
    if dtype == np.int64:
        first, last, stride = (math.trunc(x) for x in (start, end, step))
        return -((first - last) // stride)  # exact ceil((last - first) / stride)
    count = (end - start) / step  # (inf for 1e300 / 1e-300)
    if count > np.iinfo(np.int64).max:
        raise ShapeError(f"arange: {start!r} -> {end!r} by {step!r} is {count:.3g} values, "
                         f"more than an int64 can count; use a larger step")
    return math.ceil(count)


@creation_with_out
def arange(start: float, end: float | None = None, step: float = 1, dtype: Any = None,
           requires_grad: bool = False, *, device: Any = None) -> Tensor:
    """The values start + i * step, for i = 0, 1, ... while below ``end`` (above it for a
    negative step): ``_arange_count`` of them (start 0 when one number is given).
    Without ``dtype`` they are int64 if all three are ints, else float64. For an integer
    dtype PyTorch truncates start and step to integers first: ``arange(-0.5, 5,
    dtype=int16)`` is 0..5, and ``arange(0, 3, 0.5, dtype=int64)`` has step 0, an error;
    values the dtype cannot hold are a DTypeError (PyTorch wraps them)."""
    if end is None:
        start, end = 0, start
    start, end, step = (_range_number(x, name, "arange") for x, name in
                        ((start, "start"), (end, "end"), (step, "step")))
    if dtype is None:
        dtype = np.int64 if all(isinstance(x, int) for x in (start, end, step)) else np.float64
    dtype = as_dtype(dtype, "dtype")
    if dtype == np.bool_:
        raise DTypeError("arange makes numbers, not bools, as PyTorch's; for a mask write "
                         "arange(n) < k (or .bool())")
    if not (math.isfinite(start) and math.isfinite(end)):
        raise UsageError(f"arange: the bounds must be finite; got {start!r} -> {end!r}")
    if dtype.kind in "iu":
        check_representable([start, end, step], np.dtype(np.int64), "arange")
    count = _arange_count(start, end, step, dtype)
    index = _allocated("arange", (count,), dtype, lambda: np.arange(count))
    if dtype.kind in "iu" and count > 0:  # in int64, as PyTorch
        start, step = math.trunc(start), math.trunc(step)
        check_representable([start, start + step * (count - 1)], dtype, "arange")
    return _leaf((start + step * index).astype(dtype), requires_grad, device, "arange")


def _truncated_linspace(start: float, end: float, steps: int, dtype: np.dtype) -> np.ndarray:
    """PyTorch's ``linspace`` for an integer dtype: start and end truncated to integers
    a and b of the dtype, then a + (b - a) i / (steps - 1) truncated toward 0 (NumPy
    would round down), here in exact integer arithmetic. (PyTorch's float64 arithmetic
    can land just below a whole number: its ``linspace(5, -3, 7, dtype=int64)[3]`` is 0
    where (5 - 8 * 3 / 6) is 1.)"""
    check_representable([start, end], dtype, "linspace")
    first, last = math.trunc(start), math.trunc(end)
    gaps = max(steps - 1, 1)
    scaled = [first * gaps + (last - first) * i for i in range(steps)]  # value * gaps
    return np.array([n // gaps if n >= 0 else -(-n // gaps) for n in scaled], dtype=dtype)


@creation_with_out
def linspace(start: float, end: float, steps: int, dtype: Any = None,
             requires_grad: bool = False, *, device: Any = None) -> Tensor:
    """``steps`` evenly spaced values from ``start`` to ``end``, both included; for an
    integer dtype truncated toward 0, as PyTorch's (``_truncated_linspace``)."""
    steps = count_argument("linspace", "steps", steps)
    dtype = _dtype(dtype)
    start, end = (_range_number(x, name, "linspace") for x, name in
                  ((start, "start"), (end, "end")))
    values = _truncated_linspace(start, end, steps, dtype) if dtype.kind in "iu" else \
        np.linspace(start, end, steps, dtype=dtype)
    return _leaf(values, requires_grad, device, "linspace")


@creation_with_out
def logspace(start: float, end: float, steps: int, base: float = 10.0, dtype: Any = None,
             requires_grad: bool = False, *, device: Any = None) -> Tensor:
    """``steps`` values base ** t for t evenly spaced from ``start`` to ``end``."""
    steps, dtype = count_argument("logspace", "steps", steps), _dtype(dtype)
    values = np.logspace(start, end, steps, base=base)  # (NumPy's, then cast to dtype)
    if dtype.kind in "iu":  # 10 ** 3 in uint8 would store garbage
        check_representable(values, dtype, "logspace")
    return _leaf(values.astype(dtype, copy=False), requires_grad, device, "logspace")


def asarray(obj: Any, *, dtype: Any = None, device: Any = None, copy: bool | None = None,
            requires_grad: bool | None = None) -> Tensor:
    """``obj`` as a Tensor, sharing its memory where it can (PyTorch's ``asarray``):
    ``copy=True`` always copies, ``copy=False`` refuses to (a dtype that converts is a
    ``UsageError``), None copies only to convert. A Tensor stays itself (in its graph)
    unless copied or converted, or ``requires_grad=False`` asks for its detached alias;
    ``requires_grad=True`` makes the result a leaf that requires grad."""
    check_device(device, "asarray(device=...)")
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
    dtype = float_dtype(_dtype(dtype), "the dtype", "rand")
    sample = as_generator(generator, "rand").random(shape)
    return _leaf(below(sample, 0.0, 1.0, dtype), requires_grad, device, "rand")


@creation_with_out
def randn(*sizes: Any, size: Any = None, generator: Any = None, dtype: Any = None,
           requires_grad: bool = False, device: Any = None) -> Tensor:
    """Standard normal samples drawn from ``generator``."""
    shape = _size(sizes, "randn", size)
    dtype = float_dtype(_dtype(dtype), "the dtype", "randn")
    sample = as_generator(generator, "randn").standard_normal(shape)
    return _leaf(sample.astype(dtype, copy=False), requires_grad, device, "randn")


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
    return _leaf(draw_integers(rng, first, last, shape, dtype), requires_grad, device, "randint")


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
    return _leaf(drawn, requires_grad, device, "randint_like")


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
    return _leaf(order.astype(dtype), requires_grad, device, "randperm")


@accepts_out
def rand_like(input: Any, *, generator: Any = None, dtype: Any = None,  # noqa: A002
              requires_grad: bool = False, device: Any = None, memory_format: Any = None) -> Tensor:
    """``rand`` with the shape (and floating dtype, unless given) of ``input``."""
    shape, dtype = _like(input, dtype, memory_format, "rand_like")
    dtype = float_dtype(dtype, "the dtype", "rand_like")
    sample = as_generator(generator, "rand_like").random(shape)
    return _leaf(below(sample, 0.0, 1.0, dtype), requires_grad, device, "rand_like")


@accepts_out
def randn_like(input: Any, *, generator: Any = None, dtype: Any = None,  # noqa: A002
               requires_grad: bool = False, device: Any = None,
               memory_format: Any = None) -> Tensor:
    """``randn`` with the shape (and floating dtype, unless given) of ``input``."""
    shape, dtype = _like(input, dtype, memory_format, "randn_like")
    dtype = float_dtype(dtype, "the dtype", "randn_like")
    sample = as_generator(generator, "randn_like").standard_normal(shape)
    return _leaf(sample.astype(dtype, copy=False), requires_grad, device, "randn_like")
