"""Indices that NumPy and PyTorch read differently, refused with a UsageError that names
both readings and how to spell each one so that both libraries agree (the rule of the
README's "Where NumPy and PyTorch disagree").

Where the axes of an index's arrays go. Both libraries put them where the first array
stands when the arrays are neighbours in the index, and first otherwise. They differ on
what separates: NumPy counts an int as an index array (with arrays present) and an
``...`` as a separator even when it covers no axis; PyTorch applies the ints first (as
``select``) and an empty ``...`` is nothing. So an int is never a separator for PyTorch,
and when NumPy's arrays (ints included) are neighbours, PyTorch's are too, at the same
axis. The readings differ exactly when NumPy's are not neighbours (first) and PyTorch's
are, behind at least one axis of the output: ``x[0, :, idx]`` (PyTorch: ``x[0][:, idx]``),
``x[:, i, ..., j]`` with an ``...`` that covers no axis.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..errors import UsageError
from .generic import is_tensor

__all__ = ["refuse_ambiguous_index", "refuse_list_of_indices", "refuse_uint8_index",
           "put_index", "refuse_none_in_indices"]


def put_index(index: Any, op: str = "t[index]") -> Any:
    """The index of ``index_put(index, v)`` / ``index_add``: a list of index tensors (or
    arrays) is PyTorch's tuple of them, one per leading axis; a uint8 array is refused
    (``refuse_uint8_index``, its message naming ``op``); any other index as it is."""
    if isinstance(index, list) and any(is_tensor(p) or isinstance(p, np.ndarray)
                                       for p in index):
        index = tuple(index)
    refuse_uint8_index(index, op)
    return index


def refuse_none_in_indices(indices: Any, op: str) -> None:
    """PyTorch's ``index_put(indices, values)`` takes a tuple of index tensors, one per
    leading axis; a None among them is a UsageError: PyTorch refuses it (its internal op
    reads it as the whole axis, ``:``), NumPy's index would read it as a new axis."""
    parts = indices if isinstance(indices, (tuple, list)) else (indices,)
    for k, part in enumerate(parts):
        if part is None:
            raise UsageError(f"{op}: indices[{k}] is None; it takes index tensors, one per "
                             f"leading axis, as PyTorch's (which refuses None: a whole axis "
                             f"to its internal op, a new axis to NumPy). For a whole axis "
                             f"write x[:, i] = v, or x.at[:, i].set(v) for a copy")


def refuse_uint8_index(index: Any, op: str = "t[index]") -> None:
    """``t[index]`` with a uint8 array in ``index`` (a Tensor or ndarray, 0-d too; not a
    NumPy scalar, an int to both) reads as a mask in PyTorch and as positions in NumPy: a
    UsageError naming both spellings (and ``op``, the operation given the index)."""
    for part in index if isinstance(index, tuple) else (index,):
        if getattr(part, "dtype", None) == np.uint8 and not isinstance(part, np.generic):
            raise UsageError(f"{op}: an index array of dtype uint8 and shape "
                             f"{np.shape(part)} means two things: PyTorch reads it as a mask "
                             f"(x[mask.byte()], deprecated there), NumPy as positions. Say "
                             f"which: index.bool() for the mask, index.long() for positions")


def refuse_list_of_indices(index: Any) -> None:
    """``x[seq]`` with a list of fewer than 32 entries holding lists, arrays, tensors,
    slices, None or ...: PyTorch reads it as the tuple ``x[tuple(seq)]`` (deprecated
    there), NumPy as one index array: a UsageError naming both spellings."""
    if not isinstance(index, list) or len(index) >= 32:
        return
    if any(isinstance(p, (list, tuple, np.ndarray, slice)) or p is None or p is Ellipsis
           or is_tensor(p) for p in index):
        raise UsageError(f"t[index]: a list of {len(index)} indices (lists, arrays, tensors, "
                         f"slices) means two things: PyTorch reads it as a tuple, one index "
                         f"per axis (deprecated there), NumPy as one index array. Say which: "
                         f"x[tuple(seq)] for PyTorch's reading, x[autograd.tensor(seq)] for "
                         f"NumPy's")


def refuse_ambiguous_index(parts: tuple, ndim: int | None) -> None:
    """A UsageError where NumPy and PyTorch put the axes of the index arrays in ``parts``
    (ints, slices, None, ..., integer or boolean arrays, True/False) in different places
    (see the module's docstring). ``ndim`` None: an index with ``...`` waits for it."""
    arrays = ints = False  # (one plain loop: most indices, x[:, a:b], leave here at once)
    for part in parts:
        if type(part) is slice or part is None:
            continue
        if isinstance(part, np.ndarray) or part is True or part is False:
            arrays = True
        else:  # what index_parts leaves: an int or ...
            ints = True
    if not (arrays and ints):
        return  # (nothing the two read apart)
    width = _ellipsis_width(parts, ndim)
    if width is None:
        return
    numpy_at = _arrays_at(_axis_kinds(parts, width, numpy=True))
    torch_at = _arrays_at(_axis_kinds(parts, width, numpy=False))
    if numpy_at != torch_at:
        why = ("counts an int as an index array" if any(_is_int(p) for p in parts)
               else "reads an empty ... as a separator")
        raise UsageError(
            f"t[index]: the index [{_spell(parts)}] means two things: NumPy {why} and puts "
            f"the axes of the index arrays first, PyTorch keeps them at axis {torch_at}. "
            f"Say which: "
            f"{_torch_spelling(parts, width)} for PyTorch's reading, "
            f"{_numpy_spelling(parts, width)} for NumPy's")


def _is_array(part: Any) -> bool:
    return isinstance(part, (bool, np.ndarray))  # (True and False are boolean indices)


def _is_int(part: Any) -> bool:
    return isinstance(part, (int, np.integer)) and not isinstance(part, bool)


def _axes_taken(part: Any) -> int:
    """How many axes of the tensor one part indexes (None, ... and True/False: none)."""
    if part is None or part is Ellipsis or isinstance(part, bool):
        return 0
    return part.ndim if isinstance(part, np.ndarray) and part.dtype == bool else 1


def _ellipsis_width(parts: tuple, ndim: int | None) -> int | None:
    """How many axes the index's ``...`` covers (0 without one); None if that is not
    known (ndim None) or the index is invalid (NumPy's indexing then names the error)."""
    ellipses = sum(p is Ellipsis for p in parts)
    if not ellipses:
        return 0
    taken = sum(_axes_taken(p) for p in parts)
    return None if ndim is None or ellipses > 1 or taken > ndim else ndim - taken


def _axis_kinds(parts: tuple, width: int, numpy: bool) -> str:
    """One letter per part as a reading sees it: a for an index array, d for an axis of
    the output, | for NumPy's separator that makes none (an empty ...)."""
    def kind(p: Any) -> str:
        if _is_array(p) or _is_int(p):
            return "a" if numpy or not _is_int(p) else ""
        if p is Ellipsis:
            return "d" * width or ("|" if numpy else "")
        return "d"  # a slice, None
    return "".join(kind(p) for p in parts)


def _arrays_at(kinds: str) -> int:
    """The output axis where the arrays' axes go: where the first array stands if they
    are neighbours, 0 otherwise."""
    first, last = kinds.index("a"), kinds.rindex("a")
    return kinds[:first].count("d") if set(kinds[first:last + 1]) == {"a"} else 0


def _torch_spelling(parts: tuple, width: int) -> str:
    """PyTorch's reading as an index both read alike: the ints first, then the rest
    (without an empty ...)."""
    rest = tuple(p for p in parts if not _is_int(p) and (p is not Ellipsis or width))
    ints: list = []
    for p in parts:  # (... written out: x[..., 0] would take the last axis)
        ints.extend([p] if _is_int(p) else [slice(None)] * (width if p is Ellipsis
                                                             else _axes_taken(p)))
    while ints and not _is_int(ints[-1]):
        ints.pop()
    return f"x[{_spell(tuple(ints))}][{_spell(rest)}]" if ints else f"x[{_spell(rest)}]"


def _numpy_spelling(parts: tuple, width: int) -> str:
    """NumPy's reading as an index both read alike: each int a one-element list, and,
    where an empty ... kept the arrays apart, their axes moved to the front."""
    listed = tuple(np.array([p]) if _is_int(p) else p
                   for p in parts if p is not Ellipsis or width)
    at = _arrays_at(_axis_kinds(listed, width, numpy=True))
    if at == 0:
        return f"x[{_spell(listed)}]"
    k = max(p.ndim if isinstance(p, np.ndarray) and p.dtype != bool else 1
            for p in listed if _is_array(p))
    moves = f"{at}, 0" if k == 1 else f"{tuple(range(at, at + k))}, {tuple(range(k))}"
    return f"x[{_spell(listed)}].movedim({moves})"


def _spell(parts: tuple) -> str:
    """An index as Python spells it between the brackets (small arrays as lists)."""
    def one(p: Any) -> str:
        if isinstance(p, slice):
            text = ":".join("" if v is None else str(v) for v in (p.start, p.stop))
            return text + ("" if p.step is None else f":{p.step}")
        if isinstance(p, np.ndarray):
            return str(p.tolist()) if p.size <= 6 else f"<{p.dtype} array of shape {p.shape}>"
        return "..." if p is Ellipsis else str(p)
    return ", ".join(one(p) for p in parts)
