"""``assert_close``: PyTorch's ``torch.testing.assert_close`` for Tensors, NumPy arrays,
numbers and (nested) sequences and mappings of them.

Two values are close where ``|actual - expected| <= atol + rtol * |expected|``; infinities
must be equal, NaNs only count as equal with ``equal_nan=True``. The default tolerances
depend on the dtype, as PyTorch's do (the larger of the two dtypes' when they differ):

    float16: rtol 1e-3, atol 1e-5    float32: rtol 1.3e-6, atol 1e-5
    float64: rtol 1e-7, atol 1e-7    integers and bool: exact

Two numbers compare as PyTorch's: a NumPy scalar as the Python number it holds
(``np.float32(1.0)`` as ``1.0``, with float64's tolerances). Two Nones are equal (lists of
``.grad`` may hold some); None and anything else are not.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Callable

import numpy as np

from ..errors import NotCloseError, UsageError
from ..tensor import Tensor

__all__ = ["assert_close"]

_TOLERANCES = {np.dtype(np.float16): (1e-3, 1e-5), np.dtype(np.float32): (1.3e-6, 1e-5),
               np.dtype(np.float64): (1e-7, 1e-7), np.dtype(np.complex64): (1.3e-6, 1e-5),
               np.dtype(np.complex128): (1e-7, 1e-7)}


def assert_close(actual: Any, expected: Any, *, rtol: float | None = None,
                 atol: float | None = None, equal_nan: bool = False, check_dtype: bool = True,
                 msg: str | Callable[[str], str] | None = None, **torch_checks: Any) -> None:
    """Raise :class:`NotCloseError` (an ``AssertionError``) unless ``actual`` and
    ``expected`` have the same structure, shapes and (with ``check_dtype``) dtypes, and
    every element is close (module docstring). A Tensor may be compared with an array.

    ``rtol`` and ``atol`` go together (both or neither). ``msg`` replaces the message, or,
    if callable, is given the generated message and returns the one to raise. PyTorch's
    ``check_device``, ``check_layout``, ``check_stride`` and ``allow_subclasses`` are
    taken (there is one device and one layout here, so they change nothing)."""
    unknown = set(torch_checks) - {"check_device", "check_layout", "check_stride",
                                   "allow_subclasses"}
    if unknown:
        raise UsageError(f"assert_close got unexpected keyword argument(s) {sorted(unknown)}")
    if (rtol is None) != (atol is None):
        raise UsageError(f"assert_close: give both rtol and atol, or neither (then they "
                         f"follow the dtype); got rtol={rtol}, atol={atol}")
    try:
        _compare(actual, expected, "", rtol, atol, equal_nan, check_dtype)
    except NotCloseError as mismatch:
        if msg is None:
            raise
        text = msg(str(mismatch)) if callable(msg) else msg
        raise NotCloseError(text) from None


def _compare(actual: Any, expected: Any, where: str, rtol: float | None, atol: float | None,
             equal_nan: bool, check_dtype: bool) -> None:
    if actual is None or expected is None:  # e.g. the .grad of a tensor backward never reached
        if actual is not expected:
            raise NotCloseError(f"{_at(where)}None mismatch: {actual!r:.40} is not "
                                f"{expected!r:.40}")
    elif _is_leaf(actual) or _is_leaf(expected):
        if not (_is_leaf(actual) and _is_leaf(expected)):
            raise NotCloseError(f"{_at(where)}types differ: {type(actual).__name__} and "
                                f"{type(expected).__name__}")
        if _is_number(actual) and _is_number(expected):  # NumPy's scalars as Python's
            actual, expected = (v.item() if isinstance(v, np.generic) else v
                                for v in (actual, expected))
        _compare_arrays(_as_array(actual), _as_array(expected), where, rtol, atol,
                        equal_nan, check_dtype)
    elif isinstance(actual, Mapping) and isinstance(expected, Mapping):
        if list(actual) != list(expected):
            raise NotCloseError(f"{_at(where)}the keys differ: {list(actual)} and "
                                f"{list(expected)}")
        for key in actual:
            _compare(actual[key], expected[key], f"{where}[{key!r}]", rtol, atol,
                     equal_nan, check_dtype)
    elif _is_sequence(actual) and _is_sequence(expected):
        if len(actual) != len(expected):
            raise NotCloseError(f"{_at(where)}the lengths differ: {len(actual)} and "
                                f"{len(expected)}")
        for i, (a, e) in enumerate(zip(actual, expected)):
            _compare(a, e, f"{where}[{i}]", rtol, atol, equal_nan, check_dtype)
    else:
        raise UsageError(f"assert_close compares Tensors, arrays, numbers and sequences or "
                         f"mappings of them; got {type(actual).__name__} and "
                         f"{type(expected).__name__}{' at ' + where if where else ''}")


def _is_leaf(value: Any) -> bool:
    return isinstance(value, (Tensor, np.ndarray, np.generic, bool, int, float, complex))


def _is_number(value: Any) -> bool:
    return isinstance(value, (np.generic, bool, int, float, complex))


def _is_sequence(value: Any) -> bool:
    return isinstance(value, Sequence) and not isinstance(value, (str, bytes))


def _as_array(value: Any) -> np.ndarray:
    return value.detach().numpy() if isinstance(value, Tensor) else np.asarray(value)


def _at(where: str) -> str:
    return f"at {where}: " if where else ""


def _compare_arrays(actual: np.ndarray, expected: np.ndarray, where: str, rtol: float | None,
                    atol: float | None, equal_nan: bool, check_dtype: bool) -> None:
    if actual.shape != expected.shape:
        raise NotCloseError(f"{_at(where)}the shapes differ: {actual.shape} and "
                            f"{expected.shape}")
    if check_dtype and actual.dtype != expected.dtype:
        raise NotCloseError(f"{_at(where)}the dtypes differ: {actual.dtype} and "
                            f"{expected.dtype} (check_dtype=False compares the values)")
    if rtol is None:
        pairs = [_TOLERANCES.get(d, (0.0, 0.0)) for d in (actual.dtype, expected.dtype)]
        rtol, atol = max(p[0] for p in pairs), max(p[1] for p in pairs)
    a, e = actual.astype(np.result_type(actual, expected, np.float64)), expected
    e = e.astype(a.dtype)
    with np.errstate(invalid="ignore", over="ignore"):
        difference = np.abs(a - e)
        close = difference <= atol + rtol * np.abs(e)
    infinite = np.isinf(a) | np.isinf(e)
    close = np.where(infinite, a == e, close)  # an infinity is close only to itself
    if equal_nan:
        close |= np.isnan(a) & np.isnan(e)
    if close.all():
        return
    bad = ~close
    difference = np.where(bad, difference, 0.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        relative = np.where(bad, difference / np.abs(e), 0.0)
    lines = [f"{_at(where)}values are not close!",
             f"Mismatched elements: {int(bad.sum())} / {a.size} ({bad.mean():.1%})"]
    for name, values, allowed in (("absolute", difference, atol),
                                  ("relative", relative, rtol)):
        worst = tuple(int(i) for i in np.unravel_index(
            np.argmax(np.nan_to_num(values, nan=np.inf)), a.shape))
        lines.append(f"Greatest {name} difference: {values[worst]} at index {worst} "
                     f"(up to {allowed} allowed)")
    raise NotCloseError("\n".join(lines))
