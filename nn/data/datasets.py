"""``TensorDataset`` (aligned arrays as a map-style dataset), the default collate that
stacks a dataset's samples into a batch, and the checks of the arrays given to
``DataLoader`` or ``TensorDataset``.

The loader's rule is PyTorch's default collate: Tensors, NumPy arrays and numbers all
come back as autograd Tensors (the data's dtype, no graph, ``requires_grad=False``, a
copy), strings as lists of strings. ``TensorDataset`` itself keeps NumPy arrays as NumPy
arrays (``ds[i]`` gives NumPy rows); its loader's batches are Tensors."""
from __future__ import annotations

import copy
import numbers
from collections.abc import Mapping, MutableMapping, MutableSequence, Sequence
from typing import Any

import numpy as np

from autograd import Tensor, as_tensor
from autograd.errors import DataError, DTypeError, ShapeError, TensorIndexError

from ..errors import ArgumentTypeError, ConfigError
from .base import Dataset

__all__ = ["TensorDataset", "default_collate", "default_convert"]


class TensorDataset(Dataset):
    """Aligned arrays (``X``, ``y``, ...) as a dataset, PyTorch's ``TensorDataset``:
    ``len(ds)`` is the number of rows and ``ds[i]`` the tuple ``(X[i], y[i], ...)``.

    The arrays may be Tensors, NumPy arrays or nested lists; ``ds.tensors`` (PyTorch's
    attribute name) holds a Tensor as a Tensor without grad (the Tensor itself, or
    ``t.detach()`` of one that requires grad) and anything else as a NumPy array, so
    ``ds[i]`` gives Tensors for Tensors and NumPy rows for arrays. A ``DataLoader`` over
    it slices every batch from these arrays at once, as ``DataLoader(X, y)`` does, and
    gives Tensors either way (PyTorch's default collate).
    """

    def __init__(self, *tensors: Any) -> None:
        if not tensors:
            raise ConfigError("TensorDataset needs at least one array, e.g. "
                              "TensorDataset(X, y)")
        self.tensors = aligned_arrays(tensors, "TensorDataset")

    def __len__(self) -> int:
        return len(self.tensors[0])

    def __getitem__(self, index: Any) -> tuple[np.ndarray | Tensor, ...]:
        try:
            return tuple(a[index] for a in self.tensors)
        except IndexError as error:  # NumPy's, for NumPy arrays: named as a Tensor's is
            raise TensorIndexError(f"TensorDataset: index {index!r} does not select among "
                                   f"its {len(self)} samples ({error}); give ints in "
                                   f"[-{len(self)}, {len(self)}), slices or lists of them"
                                   ) from None

    def __repr__(self) -> str:
        shapes = ", ".join(str(a.shape) for a in self.tensors)
        return f"TensorDataset({shapes})"


def is_map_style(value: Any) -> bool:
    """Whether ``value`` is a map-style dataset: it has ``__len__`` and ``__getitem__`` and
    is no array of samples itself (NumPy array, Tensor, list, tuple, dict, string, or
    anything NumPy converts through ``__array__`` or the buffer protocol, e.g. pandas)."""
    kind = type(value)
    if not (hasattr(kind, "__len__") and hasattr(kind, "__getitem__")):
        return False
    if isinstance(value, (np.ndarray, Tensor, Sequence, Mapping, str, bytes, memoryview)):
        return False
    return not (hasattr(value, "__array__") or hasattr(value, "__array_interface__"))


def is_sample_list(value: Any) -> bool:
    """Whether a list or tuple given alone to ``DataLoader`` is a list of samples
    (PyTorch's ``DataLoader(list(zip(X, y)))``) rather than the rows of one array: its
    elements are dicts, or tuples whose fields NumPy cannot join into one array (fields
    of different shapes, such as ``(x_i, label_i)``) or that hold text (``(label_i,
    text_i)``, which NumPy would turn into one array of strings), or Tensors of one shape (their
    batches are Tensors, as PyTorch's loader of a list of tensors gives). A list of
    lists, of arrays, or of tuples of numbers, stays one array. Tuples of arrays of one
    shape could be either: DataError saying how to pass each. Lists (or tuples) of
    different lengths, such as token sequences a ``collate_fn`` pads, are samples too, as
    PyTorch reads any list: NumPy cannot join them into rows."""
    if not isinstance(value, (list, tuple)) or not value:
        return False
    if all(isinstance(sample, Mapping) for sample in value):
        return True
    if all(isinstance(sample, Tensor) for sample in value):  # of shapes that differ:
        return len({sample.shape for sample in value}) == 1  # DataLoader([X, y]), named
    if not all(isinstance(sample, (tuple, list)) for sample in value):
        return False
    if any(isinstance(field, (str, bytes)) for field in value[0]):
        return True  # (label, text): NumPy would make all of it one array of strings
    try:
        joined = np.asarray(value)
    except ValueError:  # ragged: the fields or lengths differ, so these are no rows
        return True
    if not all(isinstance(sample, tuple) for sample in value):
        return False
    if any(isinstance(field, (np.ndarray, Tensor)) for field in value[0]):
        raise DataError(
            f"DataLoader: a list of {len(value[0])}-tuples of arrays of one shape is "
            f"ambiguous: PyTorch reads it as samples (x_i, y_i), NumPy as one array of shape "
            f"{joined.shape}. For samples pass the arrays, DataLoader(X, y) or "
            f"DataLoader(TensorDataset(X, y)) with X = np.stack([s[0] for s in data]), ...; "
            f"for one array pass DataLoader(np.asarray(data))")
    return False


def collate(samples: list[Any], field: str = "") -> Any:
    """A batch of ``samples`` as PyTorch's default collate makes it: a tuple, list or
    other sequence of fields (not a string) gives a list of batched fields (so ``if
    isinstance(data, list): data = data[0]`` reads as there; a mutable sequence such as
    a deque gives one of its type, another one its type when it can be made from a list,
    as there), a namedtuple a namedtuple, a dict a dict (a mapping its type, the same
    way), strings a list (a tuple for a field of sequence samples, as there), and
    Tensors, NumPy arrays or numbers one autograd Tensor stacked along a new first axis
    (a copy, ``requires_grad=False``, no graph), so ``xb.to(device)``, ``yb.long()`` and
    ``xb.size(0)`` work on every batch. The dtype is the samples' (NumPy scalars and
    arrays keep theirs); Python ints give int64, floats float64 and bools bool, as there.
    ``field`` names the part being collated, for errors."""
    if isinstance(samples, (str, bytes, Mapping)) or not (hasattr(samples, "__len__")
                                                         and hasattr(samples, "__getitem__")):
        raise ArgumentTypeError(f"default_collate takes the list of a batch's samples; got "
                                f"{type(samples).__name__}")
    if len(samples) == 0:
        raise ConfigError("default_collate needs at least one sample; got an empty list "
                          "(a batch has at least one)")
    first = samples[0]
    if isinstance(first, Mapping):
        _check_structure(samples, Mapping, field)
        return _like(first, {key: collate([s[key] for s in samples], f"{field}[{key!r}]")
                             for key in first})
    if _is_sequence(first):
        _check_structure(samples, Sequence, field)
        fields = [collate(tuple(s[i] for s in samples), f"{field}[{i}]")
                  for i in range(len(first))]  # a field's samples: a tuple, as zip's there
        return _like(first, fields)
    if isinstance(first, (str, bytes)):  # as given: a tuple of a field, a batch's list
        return samples if isinstance(samples, tuple) else list(samples)
    return Tensor(_stack(samples, field))


def default_convert(data: Any) -> Any:
    """One sample as PyTorch's ``default_convert`` leaves it, what a ``DataLoader`` with
    ``batch_size=None`` gives for each sample (nothing is stacked): a NumPy array or
    scalar becomes an autograd Tensor sharing its memory (``autograd.as_tensor``; arrays
    of strings or objects stay as they are), the fields of a dict, namedtuple, tuple or
    other sequence are converted one by one into the same container type (a tuple into a
    list, as there), and Tensors, Python numbers, strings and anything else stay as they
    are."""
    if isinstance(data, (np.ndarray, np.generic)):
        return data if data.dtype.kind in "SUO" else as_tensor(data)
    if isinstance(data, Mapping):
        return _like(data, {key: default_convert(data[key]) for key in data})
    if _is_sequence(data):
        return _like(data, [default_convert(field) for field in data])
    return data


def _is_sequence(value: Any) -> bool:
    """Whether collate and convert treat ``value`` as a sequence of fields: a tuple, list,
    range, deque or other ``Sequence`` that is no string."""
    return isinstance(value, Sequence) and not isinstance(value, (str, bytes))


def _like(first: Any, fields: Any) -> Any:
    """``fields`` (a dict or list) in the container type of ``first``, as PyTorch's
    collate and convert rebuild it: a namedtuple of the fields; a list for a tuple; a
    copy of a mutable mapping or sequence with the fields put in (its type and extra
    attributes kept); another type made from the fields; or the fields themselves when
    the type can do none of these (``range``)."""
    if isinstance(first, tuple):
        return type(first)(*fields) if hasattr(first, "_fields") else fields
    if type(first) in (dict, list):
        return fields
    try:
        if isinstance(first, (MutableMapping, MutableSequence)):
            clone = copy.copy(first)
            for key, value in (fields.items() if isinstance(fields, dict)
                               else enumerate(fields)):
                clone[key] = value
            return clone
        return type(first)(fields)
    except TypeError:
        return fields


default_collate = collate  # PyTorch's name, for a collate_fn that calls it


def _check_structure(samples: list[Any], kind: Any, field: str) -> None:
    """Every sample is a ``kind`` with the first one's keys or length (else DataError)."""
    first = samples[0]
    for j, sample in enumerate(samples):
        same = isinstance(sample, kind) and (
            set(sample) == set(first) if isinstance(first, Mapping)
            else len(sample) == len(first))
        if not same:
            raise DataError(
                f"DataLoader: {_describe(field)} differ in structure within a batch: the "
                f"first is {_summary(first)}, sample {j} of the batch {_summary(sample)}; "
                f"__getitem__ must return the same fields for every index")


def _stack(samples: list[Any], field: str) -> np.ndarray:
    try:
        arrays = [s.data if isinstance(s, Tensor) else np.asarray(s) for s in samples]
    except ValueError as exc:  # NumPy's message for ragged nesting
        raise DataError(f"DataLoader: {_describe(field)} are ragged nested sequences, "
                        f"which are not arrays: {exc}") from None
    for j, array in enumerate(arrays):
        check_python_ints(samples[j], array, f"sample {j} of {_describe(field)}")
        if array.dtype.kind not in "biuf":  # what a Tensor holds (PyTorch's TypeError)
            raise DTypeError(
                f"DataLoader: {_describe(field)} must be arrays or numbers of bool, integer "
                f"or float dtype, strings, or tuples, lists or dicts of them; sample {j} of "
                f"the batch has a {type(samples[j]).__name__} of dtype {array.dtype}")
        if array.shape != arrays[0].shape:
            raise ShapeError(
                f"DataLoader: {_describe(field)} differ in shape within a batch: "
                f"{arrays[0].shape} in the first, {array.shape} in sample {j} of the batch; "
                f"give every sample the same shape (pad or crop), as PyTorch's default "
                f"collate requires")
    return np.stack(arrays)


def check_python_ints(value: Any, array: np.ndarray, what: str,
                      owner: str = "DataLoader") -> None:
    """Python ints become int64, as PyTorch's; one outside int64's range made NumPy's
    ``array`` of ``value`` uint64 or float64 (the int rounded), which would pass silently,
    or object: a DataError instead (PyTorch's overflow ValueError). Arrays and NumPy scalars keep
    their dtype and are not checked."""
    if isinstance(value, (np.ndarray, np.generic, Tensor)):
        return
    suspect = array.dtype == np.uint64 or array.dtype.hasobject or (
        array.dtype.kind == "f" and array.size > 0
        and float(np.max(np.abs(array), initial=0.0)) >= 2.0 ** 63)
    if suspect and any(type(v) is int and not -2 ** 63 <= v < 2 ** 63
                       for v in np.asarray(value, dtype=object).ravel()):
        raise DataError(f"{owner}: {what} holds a Python int outside int64's range "
                        f"[-2**63, 2**63), which a batch cannot hold exactly (PyTorch: "
                        f"overflow); give such numbers as floats, or as a NumPy array of "
                        f"the dtype you want (np.uint64)")


def _describe(field: str) -> str:
    return f"the samples' field {field}" if field else "the samples"


def _summary(sample: Any) -> str:
    size = f" of {len(sample)}" if isinstance(sample, (Sequence, Mapping)) else ""
    return f"a {type(sample).__name__}{size}"


def aligned_arrays(values: tuple[Any, ...], owner: str) -> tuple[np.ndarray | Tensor, ...]:
    """``values``, checked to have the same number of rows (else ``ShapeError``): each
    Tensor as a Tensor without grad (itself, or its ``detach()``), anything else as a
    NumPy array."""
    arrays = tuple(as_array(a, i, owner) for i, a in enumerate(values))
    lengths = [len(a) for a in arrays]
    if len(set(lengths)) > 1:
        raise ShapeError(
            f"{owner}: the arrays must have the same number of rows (one row per "
            f"sample); got lengths {lengths}. Check that X and y come from the same "
            f"split.")
    return tuple(_constant(v) if isinstance(v, Tensor) else a for v, a in zip(values, arrays))


def _constant(tensor: Tensor) -> Tensor:
    """``tensor`` itself when it requires no grad, else a detached Tensor sharing its data:
    batches are data, not part of a graph."""
    return tensor.detach() if tensor.requires_grad else tensor


def as_array(value: Any, position: int, owner: str = "DataLoader") -> np.ndarray:
    """``value`` (an array of samples) as a NumPy array; ``owner`` names the caller."""
    try:
        array = value.data if isinstance(value, Tensor) else np.asarray(value)
    except ValueError as exc:  # NumPy's message for ragged nesting
        if isinstance(value, (list, tuple)) and all(
                isinstance(v, (np.ndarray, Tensor)) for v in value):  # DataLoader((X, y))
            shapes = ", ".join(str(np.shape(v)) for v in value)
            raise DataError(f"{owner}: array {position} is a {type(value).__name__} of "
                            f"{len(value)} arrays of shapes {shapes}, which are no rows of "
                            f"one array; pass them as separate arguments: {owner}(X, y), "
                            f"not {owner}((X, y))") from None
        raise DataError(f"{owner}: array {position} is a ragged nested sequence (rows of "
                        f"different lengths), which is not an array: {exc}. Give rows of "
                        f"equal length, e.g. a NumPy array.") from None
    if array.ndim == 0:
        raise ShapeError(_not_an_array(value, position, owner))
    check_python_ints(value, array, f"array {position}", owner)
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
