"""``autograd.set_printoptions``: PyTorch's names for how Tensors print (NumPy prints
their values, so the options are NumPy's ``array2string`` ones, kept for Tensors only:
NumPy arrays keep printing as NumPy's own ``np.set_printoptions`` says)."""

from __future__ import annotations

import sys
from typing import Any

import numpy as np

from .errors import UsageError

__all__ = ["set_printoptions", "format_array"]

_PROFILES: dict[str, dict[str, Any]] = {
    "default": {},  # NumPy's printing: this library's default
    "short": {"precision": 2, "edgeitems": 2},
    "full": {"threshold": sys.maxsize},
}
_OPTIONS: dict[str, Any] = {}


def set_printoptions(precision: int | None = None, threshold: int | None = None,
                     edgeitems: int | None = None, linewidth: int | None = None,
                     profile: str | None = None, sci_mode: bool | None = None) -> None:
    """How Tensors print, as ``torch.set_printoptions``: digits after the point
    (``precision``), the element count above which the middle is summarised with ``...``
    (``threshold``), elements kept at each end then (``edgeitems``), characters per line
    (``linewidth``), and ``sci_mode`` (True: always scientific; False: never; None:
    NumPy's choice). ``profile`` starts from a preset: ``"default"`` (NumPy's printing,
    this library's default), ``"short"`` (precision 2, 2 edge items) or ``"full"`` (nothing
    summarised); options not given keep their value."""
    if profile is not None:
        if profile not in _PROFILES:
            raise UsageError(f"set_printoptions: profile must be one of {sorted(_PROFILES)}; "
                             f"got {profile!r}")
        _OPTIONS.clear()
        _OPTIONS.update(_PROFILES[profile])
    for key, value in (("precision", precision), ("threshold", threshold),
                       ("edgeitems", edgeitems), ("max_line_width", linewidth)):
        if value is not None:
            if isinstance(value, bool) or not isinstance(value, int) or value < 0:
                raise UsageError(f"set_printoptions: {key} must be an int >= 0; got "
                                 f"{value!r}")
            _OPTIONS[key] = value
    if sci_mode is not None:
        _OPTIONS["sci_mode"] = bool(sci_mode)


def format_array(array: np.ndarray, prefix: str) -> str:
    """``array``'s values as a Tensor's repr shows them after ``prefix`` (e.g.
    ``"Tensor("``, whose length indents the continuation lines), under the options of
    :func:`set_printoptions`. An empty array of other than one axis prints as ``[]``
    followed by its shape, ``[], shape=(0, 3)`` (PyTorch's ``size=(0, 3)``)."""
    if array.size == 0 and array.ndim != 1:
        return f"[], shape={array.shape}"
    options = dict(_OPTIONS)
    sci_mode = options.pop("sci_mode", None)
    if sci_mode is False:
        options["suppress_small"] = True
    elif sci_mode is True:
        digits = options.get("precision", np.get_printoptions()["precision"])
        options["formatter"] = {"float_kind": lambda v: f"{v:.{digits}e}"}
    return np.array2string(array, separator=", ", prefix=prefix, **options)
