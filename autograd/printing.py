"""``autograd.set_printoptions``: PyTorch's names for how Tensors print (NumPy prints
their values, so the options are NumPy's ``array2string`` ones, kept for Tensors only:
NumPy arrays keep printing as NumPy's own ``np.set_printoptions`` says)."""

from __future__ import annotations

import math
import sys
from typing import Any, Callable

import numpy as np

from .errors import UsageError

__all__ = ["set_printoptions", "format_array"]

_PROFILES: dict[str, dict[str, Any]] = {
    "default": {},  # NumPy's printing: this library's default
    "short": {"precision": 2, "edgeitems": 2},
    "full": {"threshold": sys.maxsize},
}
_OPTIONS: dict[str, Any] = {}


def set_printoptions(precision: int | None = None, threshold: int | float | None = None,
                     edgeitems: int | None = None, linewidth: int | None = None,
                     profile: str | None = None, sci_mode: bool | None = None) -> None:
    """How Tensors print, as ``torch.set_printoptions``: digits after the point
    (``precision``), the element count above which the middle is summarised with ``...``
    (``threshold``; ``float("inf")``: never), elements kept at each end then
    (``edgeitems``), characters per line (``linewidth``), and ``sci_mode`` (True: always
    scientific; False: never; None: NumPy's choice; as PyTorch's, each call sets it, so a
    call without it goes back to None). ``profile`` starts from a preset: ``"default"``
    (NumPy's printing, this library's default), ``"short"`` (precision 2, 2 edge items) or
    ``"full"`` (nothing summarised); the other options not given keep their value."""
    if profile is not None:
        if profile not in _PROFILES:
            raise UsageError(f"set_printoptions: profile must be one of {sorted(_PROFILES)}; "
                             f"got {profile!r}")
        _OPTIONS.clear()
        _OPTIONS.update(_PROFILES[profile])
    if isinstance(threshold, float) and threshold >= 0:  # PyTorch's "full" is inf
        threshold = sys.maxsize if threshold == math.inf else int(threshold)
    for name, key, value in (("precision", "precision", precision),
                             ("threshold", "threshold", threshold),
                             ("edgeitems", "edgeitems", edgeitems),
                             ("linewidth", "max_line_width", linewidth)):
        if value is not None:
            if isinstance(value, bool) or not isinstance(value, int) or value < 0:
                raise UsageError(f"set_printoptions: {name} must be an int >= 0"
                                 f"{' (or inf)' if name == 'threshold' else ''}; got {value!r}")
            _OPTIONS[key] = value
    _OPTIONS["sci_mode"] = None if sci_mode is None else bool(sci_mode)


def format_array(array: np.ndarray, prefix: str) -> str:
    """``array``'s values as a Tensor's repr shows them after ``prefix`` (e.g.
    ``"Tensor("``, whose length indents the continuation lines), under the options of
    :func:`set_printoptions`. An empty array of other than one axis prints as ``[]``
    followed by its shape, ``[], shape=(0, 3)`` (PyTorch's ``size=(0, 3)``)."""
    if array.size == 0 and array.ndim != 1:
        return f"[], shape={array.shape}"
    options = dict(_OPTIONS)
    sci_mode = options.pop("sci_mode", None)
    digits = options.get("precision", np.get_printoptions()["precision"])
    if sci_mode is True:
        options["formatter"] = {"float_kind": lambda v: f"{v:.{digits}e}"}
    elif sci_mode is False and array.dtype.kind == "f":
        options["formatter"] = {"float_kind": _positional(array, digits)}
    return np.array2string(array, separator=", ", prefix=prefix, **options)


def _positional(array: np.ndarray, digits: int) -> Callable[[Any], str]:
    """A formatter that never switches to an exponent (NumPy's own does from 1e8 on):
    ``digits`` after the point (none when every value is whole, as ``1.``: PyTorch's
    rule), right-aligned to the widest of the array's extremes."""
    finite = np.isfinite(array)
    whole = bool(np.all(np.mod(array, 1, where=finite, out=np.zeros_like(array)) == 0))

    def text(v: Any) -> str:
        return np.format_float_positional(v, precision=0 if whole else digits,
                                          unique=False, trim="." if whole else "k")
    ends = [array.max(where=finite, initial=0), array.min(where=finite, initial=0)]
    width = max(len(text(v)) for v in ends + [np.inf if not finite.all() else 0])
    return lambda v: text(v).rjust(width)
