"""Where the order statistics sit: plain NumPy on the data, no gradient.

Each function works along the LAST axis of an array ``data`` of shape ``R + (n,)`` and
returns positions in the ascending, stable sorting order of each row (``np.argsort``
with ``kind="stable"``: NaN last, equal values in their original order), or, for the
running extremes and ``mode``, indices into the row itself. The order ops
(``autograd.order_methods``) gather the values with ``take_along_axis``, so a value's
gradient goes back to the element it was read from.

NaN follows the library whose rule is asked for: torch's ``median``/``quantile`` of a
row holding NaN is NaN (the first NaN for ``median``, the last sorted element for
``quantile``); the ``nan*`` variants skip NaN and count only the other elements.
"""

from __future__ import annotations

import numpy as np

__all__ = ["sorted_order", "stable_argsort", "nan_counts", "lower_median", "middle_pair",
           "quantile_positions", "quantile_weight_rate", "running_extreme_indices",
           "mode_positions", "INTERPOLATIONS"]

#: The interpolations both libraries have (NumPy's ``method=``, torch's
#: ``interpolation=``); those with a weight between two order statistics are
#: differentiable in both neighbours, the others pick one element.
INTERPOLATIONS = ("linear", "lower", "higher", "midpoint", "nearest")


def sorted_order(data: np.ndarray) -> np.ndarray:
    """The stable ascending order of each row (NaN last)."""
    return stable_argsort(data, -1)


def stable_argsort(data: np.ndarray, axis: int) -> np.ndarray:
    """``np.argsort(data, axis, kind="stable")``, sooner: NumPy's default sort is 3-6x
    faster on floats, and its order is the stable one when no two values of a row are
    equal and no row holds NaN (which it checks on the sorted values); otherwise, and for
    integers and booleans (where ties are the rule), the stable sort. Rows of up to 32
    take the stable sort too: it is as fast there (100 rows of 16: 7 against 25 us)."""
    if data.dtype.kind == "f" and data.shape[axis] > 32:
        order = np.argsort(data, axis=axis)
        ordered = np.take_along_axis(data, order, axis)
        along = (slice(None),) * (axis % data.ndim)  # index along ``axis``: along + (i,)
        if not (np.isnan(ordered[along + (-1,)]).any()  # NaN sorts last: there if any
                or (ordered[along + (slice(1, None),)]
                    == ordered[along + (slice(None, -1),)]).any()):
            return order
    return np.argsort(data, axis=axis, kind="stable")


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


def quantile_positions(data: np.ndarray, q: np.ndarray, method: str, skip_nan: bool,
                       numpy_rule: bool) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
    """(low, high, weight) for the quantiles ``q`` (a 1-d float64 array in [0, 1]) of
    each row, each of shape ``R + (len(q),)``: the quantile is
    lerp(sorted[low], sorted[high], weight), or sorted[low] when weight is None (the
    methods that pick one element).

    The rank is r = q (count - 1). ``linear`` interpolates between floor(r) and the next
    position with weight r - floor(r); ``midpoint`` with weight 1/2 (0 at an integer
    r); ``lower``/``higher``/``nearest`` take floor(r), ceil(r), round-half-even(r).
    The two libraries differ only in which neighbour carries a zero weight, which shows
    only when it is infinite (NaN then): torch (``numpy_rule=False``) computes r in the
    data's dtype and takes ceil(r) as the upper neighbour, NumPy in float64 with
    floor(r) + 1, and at the last position the weight NumPy's ``_get_gamma`` gives
    (r + 1). A row holding NaN gives its last sorted element, a NaN (not ``skip_nan``).
    """
    n, nans = data.shape[-1], nan_counts(data)
    count = (n - nans if skip_nan else np.full_like(nans, n))[..., None]
    float_type = np.float64 if numpy_rule or data.dtype.kind != "f" else data.dtype.type
    rank = q.astype(float_type) * (count - 1).astype(float_type)
    has_nan = (nans > 0)[..., None]
    if not skip_nan:
        rank = np.where(has_nan, float_type(n - 1), rank)
    else:  # an all-NaN row: its first element (torch), any NaN (NumPy's is a NaN fill)
        rank = np.where(count > 0, rank, float_type(0))
    intp = np.intp
    if method in ("lower", "higher", "nearest"):
        pick = {"lower": np.floor, "higher": np.ceil, "nearest": np.round}[method]
        return pick(rank).astype(intp), pick(rank).astype(intp), None
    if method == "midpoint" and numpy_rule:
        rank = 0.5 * (np.floor(rank) + np.ceil(rank))
    low = np.floor(rank)
    if not numpy_rule:
        weight = np.full_like(rank, 0.5) if method == "midpoint" else rank - low
        return low.astype(intp), np.ceil(rank).astype(intp), weight
    last = np.maximum(count - 1, 0)
    above = rank >= last
    weight = np.where(above, rank + 1, rank - low)  # NumPy's gamma: r - (-1) at the end
    if method == "midpoint":
        weight = np.where(rank % 1 == 0, 0.0, 0.5)
    high = np.where(above, last, low + 1)
    return np.where(above, last, low).astype(intp), high.astype(intp), weight


def quantile_weight_rate(data: np.ndarray, method: str, skip_nan: bool) -> np.ndarray:
    """d weight / d q of ``quantile_positions``' weights, shape ``R + (1,)``: between
    integer ranks the ``linear`` weight is r - floor(r) = q (count - 1) - floor(r), so
    its rate is count - 1 (both libraries' rule); 0 for the other methods (a constant
    weight or none) and for a row whose result is fixed (holding NaN, or all NaN)."""
    n, nans = data.shape[-1], nan_counts(data)
    count = n - nans if skip_nan else np.where(nans > 0, 1, n)
    rate = np.maximum(count - 1, 0) if method == "linear" else np.zeros_like(count)
    return rate[..., None]


def running_extreme_indices(data: np.ndarray, largest: bool) -> np.ndarray:
    """torch's ``cummax``/``cummin`` indices along the last axis: where the running
    maximum (minimum) was last attained, so ties give the latest index; from the first
    NaN on the running value is NaN and the index that of the latest NaN."""
    running = (np.maximum if largest else np.minimum).accumulate(data, axis=-1)
    hit = data == running
    if data.dtype.kind == "f":
        hit |= np.isnan(data) & np.isnan(running)
    positions = np.arange(data.shape[-1])
    return np.maximum.accumulate(np.where(hit, positions, 0), axis=-1)


def mode_positions(data: np.ndarray, order: np.ndarray) -> np.ndarray:
    """torch's ``mode``: the index of the most frequent value of each row, the smallest
    among equally frequent ones, at its last occurrence. NaNs count as one value,
    larger than every other (torch leaves their count to its unstable sort)."""
    ordered = np.take_along_axis(data, order, axis=-1)
    same = ordered[..., 1:] == ordered[..., :-1]
    if data.dtype.kind == "f":
        same |= np.isnan(ordered[..., 1:]) & np.isnan(ordered[..., :-1])
    n = data.shape[-1]
    starts_run = np.concatenate([np.ones(same.shape[:-1] + (1,), bool), ~same], axis=-1)
    ends_run = np.concatenate([~same, np.ones(same.shape[:-1] + (1,), bool)], axis=-1)
    positions = np.arange(n)
    run_start = np.maximum.accumulate(np.where(starts_run, positions, 0), axis=-1)
    run_length = np.where(ends_run, positions - run_start + 1, 0)
    best_end = np.argmax(run_length, axis=-1)  # the first longest run: the smallest value
    return np.take_along_axis(order, best_end[..., None], axis=-1)[..., 0]
