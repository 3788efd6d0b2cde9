"""Where the order statistics sit: plain NumPy on the data, no gradient.

Each function works along the LAST axis of an array ``data`` of shape ``R + (n,)`` and
returns positions in the ascending, stable sorting order of each row (``np.argsort``
with ``kind="stable"``: NaN last, equal values in their original order). The order ops
(``autograd.order_methods``) gather the values with ``take_along_axis``, so a value's
gradient goes back to the element it was read from.

NaN follows the library whose rule is asked for: the ``median`` of a row holding NaN is
NaN (its first NaN); ``nanmedian`` skips NaN and counts only the other elements.
"""

from __future__ import annotations

import numpy as np

__all__ = ["sorted_order", "nan_counts", "lower_median", "middle_pair"]


def sorted_order(data: np.ndarray) -> np.ndarray:
    """The stable ascending order of each row (NaN last)."""
    return np.argsort(data, axis=-1, kind="stable")


def nan_counts(data: np.ndarray) -> np.ndarray:
    """How many NaN each row holds (0 for integer and bool data)."""
    if data.dtype.kind not in "fc":
        return np.zeros(data.shape[:-1], dtype=np.intp)
    return np.isnan(data).sum(axis=-1)


def lower_median(data: np.ndarray, skip_nan: bool) -> np.ndarray:
    """torch's ``median(dim)`` / ``nanmedian(dim)``: the position of the lower median,
    (count - 1) // 2 of the ``count`` values. A row holding NaN gives its first NaN
    (``median``), or, in ``nanmedian``, NaN is skipped and an all-NaN row gives its first
    element."""
    n, nans = data.shape[-1], nan_counts(data)
    count = n - nans
    if skip_nan:
        return np.where(count > 0, (count - 1) // 2, 0)
    return np.where(nans > 0, count, (n - 1) // 2)


def middle_pair(data: np.ndarray, skip_nan: bool) -> tuple[np.ndarray, np.ndarray]:
    """NumPy's ``median``/``nanmedian``: the positions of the two middle values,
    (count - 1) // 2 and count // 2 (one element twice for an odd count). A row holding
    NaN gives its first NaN twice (``median``); ``nanmedian`` counts the other values
    only (an all-NaN row: its first element, a NaN)."""
    n, nans = data.shape[-1], nan_counts(data)
    count = n - nans
    if skip_nan:
        low, high = (count - 1) // 2, count // 2
        return np.where(count > 0, low, 0), np.where(count > 0, high, 0)
    first_nan = np.minimum(count, n - 1)
    return (np.where(nans > 0, first_nan, (n - 1) // 2),
            np.where(nans > 0, first_nan, n // 2))
