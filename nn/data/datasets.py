"""``TensorDataset`` (aligned arrays as a map-style dataset) and the checks that turn
the arrays given to ``DataLoader`` or ``TensorDataset`` into NumPy arrays."""
from __future__ import annotations

import numbers
from typing import Any

import numpy as np

from autograd import Tensor
from autograd.errors import DataError, DTypeError, ShapeError

from ..errors import ConfigError

__all__ = ["TensorDataset"]


class TensorDataset:
    """Aligned arrays (``X``, ``y``, ...) as a dataset, PyTorch's ``TensorDataset``:
    ``len(ds)`` is the number of rows and ``ds[i]`` the tuple ``(X[i], y[i], ...)``.

    The arrays may be NumPy arrays, Tensors (their ``.data`` is used) or nested lists;
    ``ds.tensors`` holds them as NumPy arrays (PyTorch's attribute name). A
    ``DataLoader`` over it slices every batch from these arrays at once, as
    ``DataLoader(X, y)`` does.
    """

    def __init__(self, *tensors: Any) -> None:
        if not tensors:
            raise ConfigError("TensorDataset needs at least one array, e.g. "
                              "TensorDataset(X, y)")
        self.tensors = aligned_arrays(tensors, "TensorDataset")

    def __len__(self) -> int:
        return len(self.tensors[0])

    def __getitem__(self, index: Any) -> tuple[np.ndarray, ...]:
        return tuple(a[index] for a in self.tensors)

    def __repr__(self) -> str:
        shapes = ", ".join(str(a.shape) for a in self.tensors)
        return f"TensorDataset({shapes})"


def aligned_arrays(values: tuple[Any, ...], owner: str) -> tuple[np.ndarray, ...]:
    """``values`` as NumPy arrays with the same number of rows (else ``ShapeError``)."""
    arrays = tuple(as_array(a, i, owner) for i, a in enumerate(values))
    lengths = [len(a) for a in arrays]
    if len(set(lengths)) > 1:
        raise ShapeError(
            f"{owner}: the arrays must have the same number of rows (one row per "
            f"sample); got lengths {lengths}. Check that X and y come from the same "
            f"split.")
    return arrays


def as_array(value: Any, position: int, owner: str = "DataLoader") -> np.ndarray:
    """``value`` (an array of samples) as a NumPy array; ``owner`` names the caller."""
    try:
        array = value.data if isinstance(value, Tensor) else np.asarray(value)
    except ValueError as exc:  # NumPy's message for ragged nesting
        raise DataError(f"{owner}: array {position} is a ragged nested sequence (rows of "
                        f"different lengths), which is not an array: {exc}. Give rows of "
                        f"equal length, e.g. a NumPy array.") from None
    if array.ndim == 0:
        raise ShapeError(_not_an_array(value, position, owner))
    if array.dtype.hasobject:
        raise DTypeError(f"{owner}: array {position} has dtype object; give numeric "
                         f"arrays (e.g. np.asarray(x, dtype=np.float64))")
    return array


def _not_an_array(value: Any, position: int, owner: str) -> str:
    """Why ``value`` (NumPy made a 0-d array of it) is no array of samples."""
    if isinstance(value, (numbers.Number, np.generic)) and position > 0:
        if owner != "DataLoader":
            return (f"{owner}: argument {position} is the single value {value}, not an "
                    f"array of samples; give arrays with a first axis of samples")
        return (f"{owner}: argument {position} is the single value {value}, not an array "
                f"of samples. The arrays come first and the options by keyword: "
                f"DataLoader(X, y, batch_size=32, shuffle=True) (PyTorch's DataLoader(data, "
                f"32) passes batch_size by position; here every argument before the keywords "
                f"is an array)")
    if isinstance(value, (numbers.Number, np.generic, str, bytes)):
        return (f"{owner}: array {position} is a scalar ({value!r}); every array needs a "
                f"first axis of samples")
    return (f"{owner}: array {position} is a {type(value).__name__}, not an array of "
            f"samples; give a NumPy array or a list of rows (an iterator or generator: "
            f"np.array(list(it)))")
