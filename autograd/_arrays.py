"""Turning user data into the array a Tensor holds, and the dtypes a gradient may have."""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np

from .errors import DataError, DTypeError, ShapeError, SizeOrDataWarning, UsageError

__all__ = ["size_entry", "FLOATS", "to_array", "check_dtype", "as_dtype",
           "check_requires_grad", "positional_or_keyword", "shape_argument", "as_size",
           "integers", "numeric", "is_int", "int_argument", "count_argument", "argument_ndim",
           "check_representable"]

FLOATS = (np.float16, np.float32, np.float64)


def check_dtype(dtype: np.dtype) -> None:
    """DataError/DTypeError unless ``dtype`` is bool, integer or float."""
    if dtype.kind == "O":
        raise DataError(
            "cannot make a Tensor from object data (mixed types, None, or arrays of "
            "arrays). Convert it to a numeric array first, e.g. np.asarray(x, dtype=float).")
    if dtype.kind not in "biuf":
        raise DTypeError(
            f"a Tensor holds bool, integer or float data; got dtype {dtype}. "
            f"Convert the data to numbers first (e.g. np.asarray(x, dtype=np.float64)).")


def is_int(value: Any) -> bool:
    """A Python or NumPy integer, not a bool (an axis, a size, a count)."""
    return isinstance(value, (int, np.integer)) and not isinstance(value, (bool, np.bool_))


def size_entry(value: Any) -> Any:
    """``value``, or the int a 0-d integer Tensor holds (PyTorch takes one as a size, as
    in ``randint(..., size=(lengths.sum(),))``). Anything else comes back unchanged for
    the caller's check."""
    if getattr(value, "ndim", None) == 0 and getattr(value, "dtype", None) is not None \
            and value.dtype.kind in "iu" and not isinstance(value, np.generic):
        return int(value.item())
    return value


def int_argument(op: str, name: str, value: Any) -> int:
    """``value`` as an int: a Python or NumPy int, or a 0-d integer Tensor (PyTorch takes
    one); a float, a bool, None or anything else is a ``UsageError`` (PyTorch's
    TypeError), never truncated or read as 0 and 1."""
    value = size_entry(value)
    if not is_int(value):
        raise UsageError(f"{op}: {name} must be an int; got {type(value).__name__} "
                         f"{value!r}")
    return int(value)


def count_argument(op: str, name: str, value: Any) -> int:
    """``value`` as a count (``linspace``'s steps, ``eye``'s n): an int, as
    ``int_argument`` takes it (a UsageError, PyTorch's TypeError, for 2.5), and >= 0 (a
    ShapeError)."""
    count = int_argument(op, name, value)
    if count < 0:
        raise ShapeError(f"{op}: {name} must be >= 0; got {count}")
    return count


def as_size(size: tuple[Any, ...], op: str, keyword: Any = None) -> tuple[int, ...]:
    """``(2, 3)`` from ``op(2, 3)``, ``op((2, 3))`` or PyTorch's ``op(size=(2, 3))``
    (``keyword``); ShapeError unless every entry is an int >= 0."""
    size = positional_or_keyword(op, size, keyword, "size")
    if len(size) == 1 and isinstance(size[0], (tuple, list)):
        size = tuple(size[0])
    size = tuple(size_entry(n) for n in size)
    if not all(is_int(n) for n in size):
        raise ShapeError(f"{op}: sizes must be ints, as {op}(2, 3) or {op}((2, 3)); "
                         f"got {size!r}")
    if any(n < 0 for n in size):
        raise ShapeError(f"{op}: sizes must be >= 0; got {size!r}")
    return tuple(int(n) for n in size)


def positional_or_keyword(op: str, positional: tuple, keyword: Any, name: str) -> tuple:
    """The arguments of ``x.op(*positional)``, or ``(keyword,)`` for PyTorch's keyword form
    ``x.op(name=keyword)`` (``new_zeros(size=)``, ``permute(dims=)``); both at once is a
    ``UsageError``."""
    if keyword is None:
        return positional
    if positional:
        raise UsageError(f"{op}: give the {name} once, by position or as {name}=; got "
                         f"{positional!r} and {name}={keyword!r}")
    return (keyword,)


def shape_argument(op: str, name: str, shape: tuple[Any, ...], keyword: dict[str, Any]
                   ) -> tuple[Any, ...]:
    """The positional shape of ``op(2, 3)`` / ``op((2, 3))``, or ``(value,)`` of PyTorch's
    keyword ``op(name=value)`` (``reshape(shape=...)``, ``view(size=...)``); a
    ``UsageError`` (a TypeError) for both at once or another keyword."""
    if set(keyword) - {name}:
        raise UsageError(f"{op}() got an unexpected keyword argument "
                         f"{sorted(set(keyword) - {name})[0]!r}; the shape is {name}=")
    if name not in keyword:
        return shape
    if shape:
        raise UsageError(f"{op}: give the shape once, by position or as {name}=; got "
                         f"{shape!r} and {name}={keyword[name]!r}")
    return (keyword[name],)


def integers(value: Any, what: str) -> np.ndarray:
    """``value`` (an int, or ints in a list, an array or a Tensor) as an integer array;
    DTypeError naming ``what`` for floats, bools, None and strings: a count, a shift or
    a diagonal cannot be 2.5 (NumPy would truncate it or fail deep inside)."""
    array = np.asarray(getattr(value, "_data", value))
    if array.dtype.kind not in "iu":
        raise DTypeError(f"{what}: expected an int (or ints); got {value!r:.60} "
                         f"({type(value).__name__})")
    return array


def argument_ndim(value: Any, what: str) -> int:
    """``np.ndim`` of an argument of counts or axes; DTypeError naming ``what`` for ragged
    nesting such as ``([2], 1)``, which NumPy cannot make an array of."""
    try:
        return np.ndim(value)
    except ValueError:  # NumPy's "inhomogeneous shape"
        raise DTypeError(f"{what}: expected an int or a sequence of ints; got {value!r:.60}, "
                         f"which mixes sequences and numbers") from None


def numeric(value: Any, what: str) -> np.ndarray:
    """``value`` (a number, nested lists of numbers, an array) as an array; DTypeError
    naming ``what`` for None, strings, complex numbers and other objects. NumPy would
    store None as NaN in a float array and parse "3" as 3.0; PyTorch refuses both."""
    try:
        array = np.asarray(value)
    except ValueError:  # ragged nested lists
        raise DataError(f"{what}: expected a number or an array of numbers; got ragged "
                        f"nested sequences") from None
    if array.dtype.kind not in "biuf":
        shown = repr(value) if len(repr(value)) <= 40 else repr(value)[:37] + "..."
        raise DTypeError(f"{what}: expected a number or an array of numbers (bool, int or "
                         f"float); got {shown} ({type(value).__name__}). Pass the value as "
                         f"a number, e.g. 0.0 (float('nan') if NaN is what you mean).")
    return array


def check_requires_grad(data: Any, requires_grad: Any, dtype: Any, what: str,
                        name: Any = None) -> None:
    """UsageError (a TypeError, as PyTorch's) unless ``requires_grad`` is a bool.
    ``Tensor(3, 4)`` is PyTorch's size constructor ``torch.Tensor(*size)``; read here as
    ``Tensor(data=3, requires_grad=4)`` it would be the number 3 requiring grad. One
    Python int, ``Tensor(16)``, is the number here and a size there: a SizeOrDataWarning
    (once per line that writes it) says what to write for either."""
    if isinstance(requires_grad, (bool, np.bool_)):
        if type(data) is int and dtype is None:
            warnings.warn(
                f"{what}({data}) is the number {float(data)} here ({what} takes data, as "
                f"torch.tensor does); PyTorch's torch.Tensor({data}) is a tensor of {data} "
                f"uninitialised elements. For that write autograd.empty({data}) (or zeros) "
                f"and initialise it; for the number write {what}({data}.0), which does not "
                f"warn.", SizeOrDataWarning, stacklevel=3)
        return
    if is_int(data) and is_int(requires_grad):
        sizes = ", ".join(str(int(n)) for n in (data, requires_grad, dtype, name)
                          if is_int(n))
        raise UsageError(
            f"{what}({sizes}): PyTorch's torch.Tensor(*size) makes an uninitialised tensor of "
            f"that shape; here {what}(data, requires_grad) takes data ({what}(3) is the "
            f"number 3.0), and requires_grad must be a bool. Write autograd.empty({sizes}) "
            f"(or autograd.zeros({sizes})) and initialise it, e.g. with nn.init.")
    raise UsageError(f"{what}(): requires_grad must be a bool (True or False), as in "
                     f"PyTorch; got {requires_grad!r}")


def as_dtype(dtype: Any, what: str) -> np.dtype:
    """``dtype`` (np.float32, "float32", float, ...) as a NumPy dtype a Tensor may hold:
    DTypeError naming ``what`` for one NumPy does not know (a torch dtype, a typo) or one
    that is not bool, integer or float (object, str, complex), which NumPy would take."""
    try:
        result = np.dtype(dtype)
    except TypeError:
        hint = " (a torch dtype: write np.float32 or 'float32')" if (
            type(dtype).__module__ == "torch") else ""
        raise DTypeError(f"{what}: expected a NumPy dtype such as np.float32, 'float32' "
                         f"or float; got {dtype!r}{hint}") from None
    if result.kind not in "biuf":
        raise DTypeError(f"{what}: expected a bool, integer or float dtype (what a Tensor "
                         f"holds); got {result}. For NumPy data of another dtype, convert "
                         f"the array: t.numpy().astype(...).")
    return result


def check_representable(values: Any, dtype: np.dtype, what: str) -> None:
    """DTypeError unless every one of ``values`` (numbers, an array) is a number of
    ``dtype`` as it stands, which PyTorch checks before it stores a number ("value cannot
    be converted to type ... without overflow"); NumPy's cast would store garbage. An
    integer dtype holds the finite x with min <= x <= max (so not NaN, inf, 300 in uint8,
    nor -0.5 in uint8, 2.0**63 in int64); a float dtype every x with |x| <= its largest
    finite value, or x = +-inf or NaN (1e6 would become inf in float16). bool holds any
    number (nonzero is True)."""
    values = np.asarray(values)
    if values.dtype == object:  # Python ints beyond uint64: compared as floats
        values = values.astype(np.float64)
    if dtype.kind == "b" or values.dtype.kind == "b" or values.size == 0:
        return
    if dtype.kind == "f":
        largest = float(np.finfo(dtype).max)
        with np.errstate(invalid="ignore"):
            bad = np.abs(values.astype(np.float64)) > largest  # NaN and inf compare False
        bad &= np.isfinite(values)
        limits = f"finite values of magnitude at most {largest:g} (or inf, NaN)"
    else:
        info = np.iinfo(dtype)
        # a float x <= max is tested as ceil(x) < max + 1, a power of 2 that float64 holds
        # exactly, where float(max) rounds 2**63 - 1 up to 2**63 (NaN fails both tests)
        top = np.ceil(values) if values.dtype.kind == "f" else values
        with np.errstate(invalid="ignore"):
            bad = ~((values >= info.min) & (top < info.max + 1))
        limits = f"integers in [{info.min}, {info.max}]"
    if bad.any():
        raise DTypeError(f"{what}: {values[bad].flat[0].item()!r} cannot be stored in "
                         f"{dtype}, which holds {limits}. Pass values in that range, or ask "
                         f"for a wider dtype (dtype=np.float64 or np.int64).")


def to_array(data: Any, dtype: Any = None, python_ints: Any = np.float64) -> np.ndarray:
    """``data`` as an ndarray: arrays (and array-likes with ``__array__``, e.g. a torch
    or pandas object) keep their dtype, and so do lists of NumPy floating scalars
    (``[np.float32(1.0)]`` is float32, as in NumPy and PyTorch; ``[np.int32(1)]`` too
    unless ``python_ints`` is a float dtype); Python floats become
    float64 (bools stay bool:
    masks, as in NumPy and PyTorch; Python ints become ``python_ints``: int64 for
    ``autograd.tensor``), a Tensor gives its own array (shared, not copied).
    Data in a byte order other than the machine's (as read from a big-endian file) is
    converted to it: a copy. Python numbers converted to an integer ``dtype`` must fit
    it, as in PyTorch (``check_representable``): ``tensor([300], dtype=np.uint8)`` is a
    DTypeError, where arrays convert as ``astype`` does (300 becomes 44, as PyTorch's)."""
    python_data = False
    if isinstance(data, (np.ndarray, np.generic)):  # the common case first (a loader's
        array = np.asarray(data)                     # batches): no look-up of ``_data``
    elif hasattr(data, "_data"):  # a Tensor
        array = np.asarray(data._data)
    elif hasattr(data, "__array__"):  # another library's array
        try:
            array = np.asarray(data)
        except RuntimeError as exc:  # e.g. a torch tensor that requires grad
            raise DataError(
                f"cannot read a {type(data).__module__}.{type(data).__name__} as an array "
                f"({exc}). Give its values "
                f"without their history, e.g. Tensor(t.detach().numpy()) for a torch "
                f"tensor.") from None
    else:
        array = _python_array(data, dtype is None and np.dtype(python_ints).kind == "i")
        # Python ints (NumPy's int64) become python_ints, and Tensor(...), which is float
        # as torch.Tensor, casts any integers; NumPy integer scalars keep their dtype in
        # autograd.tensor (as np.array and torch.tensor); bools stay masks
        if dtype is None and array.dtype.kind in "iu" and (
                array.dtype == np.int64 or np.dtype(python_ints).kind == "f"):
            dtype = python_ints
        python_data = True
    check_dtype(array.dtype)
    if not array.dtype.isnative:  # '>f8' on this machine: every op returns native data
        array = array.astype(array.dtype.newbyteorder("="))
    if dtype is not None:
        dtype = as_dtype(dtype, "Tensor")
        if python_data and dtype.kind in "iu":
            check_representable(array, dtype, "tensor(data, dtype=...)")
        array = array.astype(dtype, copy=False)
    return array


_PLAIN = frozenset((float, int, bool))


def _python_array(data: Any, ints_stay_ints: bool) -> np.ndarray:
    """NumPy's array of Python data (numbers, nested lists), read as PyTorch reads it: a
    Tensor inside a list is its one number (``[loss1, loss2]`` of shape-(1,) losses has
    shape (2,)); ints stay int64 where ``ints_stay_ints`` (``tensor()`` without a dtype),
    so one beyond int64 is a DataError, as PyTorch's overflow, where NumPy would make the
    data uint64 or float64 (losing the low digits); ints beyond uint64 beside floats, or
    in ``Tensor()``, become float64 (NumPy: an object array)."""
    items = _tensor_items(data) if isinstance(data, (list, tuple)) else data
    try:
        array = np.asarray(items)
    except ValueError as exc:
        raise DataError(
            f"cannot make a Tensor from ragged nested sequences ({exc}). Every row "
            f"must have the same length; pad them or build one tensor per row.") from None
    kind = array.dtype.kind
    if kind == "O" or ints_stay_ints and (kind == "u" or kind == "f" and array.size and max(
            array.max(), -array.min()) >= 2.0 ** 63):  # (what ints beyond int64 make)
        leaves = list(np.asarray(items, dtype=object).flat)
        if all(type(v) in _PLAIN for v in leaves):
            big = [v for v in leaves if type(v) is int and not -2 ** 63 <= v < 2 ** 63]
            if ints_stay_ints and big and float not in set(map(type, leaves)):
                raise DataError(
                    f"the Python int {big[0]} is out of int64's range: Python ints make an "
                    f"int64 tensor, as in PyTorch (whose error is an overflow). Pass "
                    f"dtype=np.uint64 or np.float64, or write the numbers as floats.")
            if kind == "O":
                return array.astype(np.float64)
    return array


def _tensor_items(data: list | tuple) -> list | tuple:
    """``data`` with each Tensor inside its nested lists replaced by its one value, as a
    0-d array of its dtype (PyTorch reads it as ``t.item()``)."""
    kinds = set(map(type, data))
    if kinds <= _PLAIN or not any(k in (list, tuple) or hasattr(k, "_requires_grad")
                                  for k in kinds):
        return data  # numbers (NumPy's too), arrays: nothing to replace
    return [_tensor_items(v) if isinstance(v, (list, tuple)) else
            _tensor_item(v) if hasattr(v, "_requires_grad") else v for v in data]


def _tensor_item(t: Any) -> np.ndarray:
    """A Tensor in a list as the 0-d array of its one element; UsageError for one that
    requires grad (a tensor of its value would leave the graph) or has several elements."""
    if t._requires_grad:
        raise UsageError(
            "a list of tensors that require grad: a tensor of their values would cut them "
            "out of the graph (no gradient would reach them). Use autograd.stack([...]) to "
            "join them in the graph, or pass t.detach() for constant values.")
    if t.size != 1:
        raise UsageError(
            f"a list of tensors is read as a list of their numbers (as PyTorch reads it), so "
            f"each must hold one element; got one of shape {t.shape}. Use autograd.stack"
            f"([...]) or autograd.cat to join tensors, or t.tolist() for nested lists.")
    return np.reshape(t._data, ())
