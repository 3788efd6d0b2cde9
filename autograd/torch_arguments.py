"""PyTorch's keyword names beside NumPy's, for the methods that take both (``p=`` for
``ord=`` in ``norm``, ``dims=`` for ``axis=`` in ``flip``...). Giving two spellings of one
argument is an error that names them.
"""

from __future__ import annotations

import numbers
import warnings
from typing import Any

import numpy as np

from ._arrays import argument_ndim, as_dtype
from .errors import DTypeError, ShapeError, TensorIndexError, UsageError
from .ops.reductions import single_axis
from .ops.shape import int_tuple, swapped_axes

__all__ = ["pick_one", "joined_ints", "tile_reps", "repeat_spelling", "torch_index_add",
           "alpha_overload", "integer_alpha", "number_first", "check_mask_value", "keyword_factors",
           "widening_dtype", "swap_permutation", "broadcast_target"]


def pick_one(op: str, default: Any = None, **spellings: Any) -> Any:
    """The one of ``spellings`` (NumPy's name first, then PyTorch's) that was given, else
    ``default``; two given is a ``UsageError`` naming them."""
    given = {name: value for name, value in spellings.items() if value is not None}
    if len(given) > 1:
        names = " and ".join(f"{name}={value!r}" for name, value in given.items())
        raise UsageError(f"{op}: got {names}; they are names of one argument (NumPy's and "
                         f"PyTorch's). Pass only one.")
    return next(iter(given.values()), default)


def joined_ints(first: Any, more: tuple, op: str) -> Any:
    """NumPy's one int or sequence, or PyTorch's separate ints (``x.tile(2, 1)`` is
    ``x.tile((2, 1))``, ``x.flip(0, 1)`` is ``x.flip((0, 1))``)."""
    if not more:
        return first
    if argument_ndim(first, op) != 0:
        raise ShapeError(f"{op}: got the sequence {first!r} followed by {more!r}; pass them "
                         f"either as one sequence or as separate ints")
    return (first,) + more


def tile_reps(reps: Any, more: tuple) -> Any:
    """``tile``'s repetitions, in NumPy's or PyTorch's form (see ``joined_ints``)."""
    if reps is None:
        raise UsageError("tile: needs the repetitions per axis (reps, or PyTorch's dims=), "
                         "e.g. x.tile((2, 1)) or x.tile(2, 1); got none")
    return joined_ints(reps, more, "tile")


def repeat_spelling(ndim: int, position: tuple, repeats: Any, axis: Any,
                    size: int = -1) -> tuple[str, Any]:
    """Which library ``x.repeat(...)`` of an ``ndim``-d tensor of ``size`` elements is
    spelled in: ``("repeat", repeats)`` for NumPy's (each element repeated; ``axis`` from
    its keyword), ``("tile", reps)`` for PyTorch's (the whole tensor repeated, NumPy's
    ``tile``). NumPy's keywords ``repeats=``/``axis=`` decide; three or more counts are
    PyTorch's alone, one count of a 0-d tensor or of a 1-d tensor of one element means
    the same in both, and of a 2-d or larger tensor NumPy's alone (PyTorch's needs a
    count per axis). Two counts whose second is no axis of the tensor, and one sequence
    of at least ``ndim`` counts that is neither one count nor one per element, are
    PyTorch's alone (NumPy's would raise):
    d2l's ``x.repeat((n, 1))`` of a 1-d x. What both read differently (one count of a
    1-d tensor, two counts, one sequence) is a ``UsageError`` naming the two spellings."""
    if repeats is not None or axis is not None:
        if len(position) != (repeats is None):
            raise UsageError(f"repeat: got {len(position)} positional argument(s) with "
                             f"{'repeats=' if repeats is not None else 'axis='}; NumPy's form "
                             f"is x.repeat(repeats, axis=...)")
        if axis is None and not position and _numpy_cannot_read(ndim, size, (repeats,)):
            return "tile", tuple(repeats)  # PyTorch's x.repeat(repeats=(2, 1))
        return "repeat", position[0] if repeats is None else repeats
    if not position:
        raise UsageError("repeat: needs the number of repeats, e.g. x.repeat(2, axis=0)")
    if len(position) >= 3:
        return "tile", position
    single = len(position) == 1 and argument_ndim(position[0], "repeat") == 0
    if single and ndim != 1:
        return "repeat", position[0]
    if single and size == 1:  # one element: each element repeated is the whole repeated
        return "tile", position
    if _numpy_cannot_read(ndim, size, position):
        return "tile", tuple(position[0]) if len(position) == 1 else position
    given = ", ".join(map(repr, position))
    raise UsageError(
        f"x.repeat({given}) of a {ndim}-d tensor means two things: PyTorch's repeat "
        f"repeats the whole tensor (NumPy's tile), NumPy's repeats each element. Say "
        f"which: x.tile({given}) for PyTorch's, x.repeat({position[0]!r}, axis=...) or "
        f"x.repeat_interleave({position[0]!r}, dim=...) for NumPy's (axis None flattens).")


def _numpy_cannot_read(ndim: int, size: int, position: tuple) -> bool:
    """Whether NumPy's ``x.repeat(*position)`` would raise where PyTorch's can apply: two
    ints whose second names no axis, or one sequence of at least ``ndim`` counts whose
    length is neither 1 nor the number of elements (NumPy's flattened reading)."""
    if len(position) == 2 and all(isinstance(p, (int, np.integer)) for p in position):
        return not -ndim <= position[1] < ndim
    if len(position) == 1 and argument_ndim(position[0], "repeat") == 1:
        length = len(position[0])
        return length >= max(ndim, 1) and length not in (1, size)
    return False


def torch_index_add(x: Any, first: Any, second: Any, source: Any, dim: Any,
                    alpha: Any, op: str = "index_add") -> tuple[tuple, Any]:
    """PyTorch's ``x.index_add(dim, index, source, alpha=1)`` (positional, or ``dim=`` and
    ``source=`` by name) as NumPy's index expression and the value to add there:
    ``x[:, ..., index] += alpha * source`` along axis ``dim``. As PyTorch: ``index`` holds
    integers in ``[0, x.shape[dim])`` (1-d, or one number), and ``source`` has x's shape
    with ``len(index)`` along ``dim`` (it is not broadcast)."""
    if dim is None:
        dim, index = first, second
    elif second is not None:
        raise UsageError(f"{op}: got dim= and two positional arguments; write "
                         f"{op}(dim, index, source) or index_add(index, v)")
    else:
        index = first
    axis = single_axis(dim, x.ndim, op)
    idx = np.asarray(getattr(index, "data", index))
    if idx.ndim > 1 or idx.dtype.kind not in "iu":
        raise TensorIndexError(f"{op}: index must be integers, 1-d or one number, as "
                               f"PyTorch's; got {idx.dtype} of shape {idx.shape}")
    idx = idx.reshape(-1)
    if idx.size and (idx.min() < 0 or idx.max() >= x.shape[axis]):
        raise TensorIndexError(f"{op}: index values must be in [0, {x.shape[axis]}) "
                               f"along dim {axis} (PyTorch takes no negative ones); got "
                               f"{idx.min()}..{idx.max()}")
    expected = x.shape[:axis] + (idx.size,) + x.shape[axis + 1:]
    if np.shape(source) != expected:
        raise ShapeError(f"{op}: source must have shape {expected} (the tensor's, with "
                         f"len(index) = {idx.size} along dim {axis}; it is not broadcast, as "
                         f"in PyTorch); got {np.shape(source)}")
    scaled = source if alpha == 1 else source * integer_alpha(x.dtype, alpha, op)
    return (slice(None),) * axis + (idx,), scaled


def integer_alpha(dtype: np.dtype, alpha: Any, op: str) -> Any:
    """``alpha`` to scale a source of ``dtype`` by: a whole float is an int for an integer
    dtype (PyTorch's ``alpha=2.0``), so the source keeps its dtype; a fractional one is
    refused (PyTorch truncates it in index_add, refuses it in add)."""
    if dtype.kind not in "biu" or not isinstance(alpha, (float, np.floating)):
        return alpha
    if not float(alpha).is_integer():
        raise DTypeError(f"{op}: alpha={alpha!r} is not a whole number, which a {dtype} "
                         f"tensor cannot take (PyTorch's add refuses it, index_add truncates "
                         f"it); pass alpha={int(alpha)}, or convert the tensor first "
                         f"(x.double())")
    return int(alpha)


def number_first(op: str, keyword: str, args: tuple, given: Any, n: int) -> tuple:
    """(the ``n`` tensor operands, the keyword's value or None) of ``x.op(*args,
    keyword=given)``, also from PyTorch's deprecated overload that puts the number first
    (``x.add_(alpha, other)``, ``x.addcmul_(value, t1, t2)``: older tutorials' and
    optimizers' ``p.add_(-lr, p.grad)``), which warns as PyTorch's does. Any other extra
    positional argument is a ``UsageError``: the keyword is keyword-only in PyTorch."""
    if len(args) == n:
        return args, given
    first, rest = args[0], args[1:]
    operands = ", ".join(["other"] if n == 1 else [f"tensor{i + 1}" for i in range(n)])
    number = isinstance(first, numbers.Number) and not isinstance(first, bool)
    if _constant_scalar_tensor(first) and len(rest) == n:
        first, number = first.item(), True  # PyTorch takes it as the number (DARTS' add_(R, v))
    if (len(rest) == n and number and given is None
            and all(hasattr(t, "shape") for t in rest)):
        warnings.warn(f"x.{op}({keyword}, {operands}) is PyTorch's deprecated overload (it "
                      f"warns too); write x.{op}({operands}, {keyword}={first!r})",
                      FutureWarning, stacklevel=3)
        return rest, first
    if len(args) < n:
        raise UsageError(f"{op} takes {n} tensors; got {len(args)}")
    raise UsageError(f"{op}: {keyword} is a keyword argument, as in PyTorch: write "
                     f"x.{op}({operands}, {keyword}={args[n]!r}) (the old x.{op}({keyword}, "
                     f"{operands}), a number first and no {keyword}=, also works, with a "
                     f"warning)")


def _constant_scalar_tensor(value: Any) -> bool:
    """True for a 0-d tensor that needs no gradient: PyTorch's number-first overloads
    accept one where the number goes (a 1-element 1-d tensor, or one needing grad, not)."""
    return (hasattr(value, "item") and hasattr(value, "requires_grad")
            and getattr(value, "ndim", None) == 0 and not value.requires_grad)


def alpha_overload(op: str, other: Any, more: tuple, alpha: Any) -> tuple[Any, Any]:
    """(other, alpha) of ``x.add_(other, alpha=a)`` or of the deprecated ``x.add_(a,
    other)`` (``number_first``)."""
    (other,), alpha = number_first(op, "alpha", (other,) + more, alpha, 1)
    return other, alpha


def check_mask_value(op: str, value: Any) -> None:
    """``masked_fill``'s value is one number or a 0-d tensor, as PyTorch's (UsageError)."""
    shape = np.shape(getattr(value, "data", value))
    if shape != ():
        raise UsageError(f"{op} takes one value (a number or a 0-d tensor), as PyTorch; got "
                         f"shape {shape}. For values per element write "
                         f"x = autograd.where(mask, values, x).")


def keyword_factors(op: str, tensors: tuple, tensor1: Any, tensor2: Any) -> tuple:
    """The positional tensors of ``addcmul``/``addcdiv``, then PyTorch's keywords
    ``tensor1=``, ``tensor2=`` in the places they name (one given both ways is a
    ``UsageError``)."""
    if (tensor1 is not None and tensors) or (tensor2 is not None and len(tensors) > 1):
        raise UsageError(f"{op}: got {len(tensors)} tensors by position and tensor1= or "
                         f"tensor2= for one of them; pass each factor once, e.g. "
                         f"x.{op}(tensor1, tensor2, value=1)")
    return tensors + tuple(t for t in (tensor1, tensor2) if t is not None)


def widening_dtype(op: str, given: np.dtype, dtype: Any) -> np.dtype:
    """``dtype`` as a NumPy dtype, refused (``DTypeError``, as PyTorch's) where casting
    ``given`` to it would lose precision."""
    wanted = as_dtype(dtype, f"{op}(dtype=...)")
    if not np.can_cast(given, wanted, "safe"):
        raise DTypeError(f"{op}: dtype={wanted} is narrower than the input's {given}; pass "
                         f"{given} or a wider float dtype, or cast the input first")
    return wanted


def swap_permutation(shape: tuple, axis0: Any, axis1: Any, axis2: Any) -> tuple[int, ...]:
    """The permutation of ``swapaxes`` named as PyTorch's (``axis0, axis1``) or as NumPy's
    (``axis1=, axis2=``: then ``axis1`` is the first axis); three axes is a ``UsageError``."""
    if axis2 is not None:
        if axis0 is not None and axis1 is not None:
            raise UsageError(f"swapaxes: got axis0={axis0!r}, axis1={axis1!r} and "
                             f"axis2={axis2!r}; pass two axes: PyTorch's axis0, axis1 or "
                             f"NumPy's axis1, axis2")
        axis0, axis1 = axis0 if axis1 is None else axis1, axis2
    return swapped_axes(shape, axis0, axis1)


def broadcast_target(shape: tuple, size: Any, numpy_shape: Any) -> list[int]:
    """The shape ``broadcast_to`` makes of ``shape``: ``size`` (PyTorch's name; NumPy's
    ``shape=`` too), where -1 keeps the length of the axis it meets, counted from the right
    as broadcasting aligns them."""
    if numpy_shape is not None:
        size = pick_one("broadcast_to", shape=numpy_shape, size=size)
    sizes = int_tuple(size, "broadcast_to")
    return [shape[i] if n == -1 and -i <= len(shape) else n
            for i, n in enumerate(sizes, -len(sizes))]
