"""TensorDataset and DataLoader over datasets, against PyTorch's."""
from __future__ import annotations

import numpy as np
import pytest

from autograd import Tensor
from autograd.errors import AutogradError, ShapeError
from nn.data import DataLoader, TensorDataset
from nn.errors import ConfigError


def _numpy(batch: object) -> object:
    """A torch batch (tensors in lists, tuples, dicts) with NumPy arrays for tensors."""
    if isinstance(batch, (list, tuple)):
        return [_numpy(b) for b in batch]
    if isinstance(batch, dict):
        return {k: _numpy(v) for k, v in batch.items()}
    return batch.numpy() if hasattr(batch, "numpy") else batch


def _assert_same(ours: object, theirs: object) -> None:
    if isinstance(theirs, list):
        assert isinstance(ours, (list, tuple)) and len(ours) == len(theirs)
        for a, b in zip(ours, theirs):
            _assert_same(a, b)
    elif isinstance(theirs, dict):
        assert isinstance(ours, dict) and list(ours) == list(theirs)
        for key in theirs:
            _assert_same(ours[key], theirs[key])
    else:
        assert isinstance(ours, (np.ndarray, np.generic))  # a row of a 1-d array: a scalar
        assert ours.dtype == theirs.dtype and ours.shape == theirs.shape
        np.testing.assert_array_equal(ours, theirs)


# ------------------------------------------------------------------ TensorDataset
def test_tensor_dataset_len_and_items_match_torch() -> None:
    torch = pytest.importorskip("torch")
    X = np.arange(12.0).reshape(6, 2)
    y = np.arange(6)
    ours, theirs = TensorDataset(X, y), torch.utils.data.TensorDataset(
        torch.from_numpy(X), torch.from_numpy(y))
    assert len(ours) == len(theirs) == 6
    for i in range(6):
        assert isinstance(ours[i], tuple)
        _assert_same(list(ours[i]), _numpy(theirs[i]))
    _assert_same(list(ours[1:4]), _numpy(theirs[1:4]))


def test_tensor_dataset_takes_tensors_and_lists() -> None:
    X = Tensor(np.ones((3, 2)), requires_grad=True)
    ds = TensorDataset(X, [0, 1, 2])
    assert all(isinstance(a, np.ndarray) for a in ds.tensors)
    assert ds[2][1] == 2 and ds[0][0].shape == (2,)
    assert repr(ds) == "TensorDataset((3, 2), (3,))"


def test_tensor_dataset_errors() -> None:
    with pytest.raises(ShapeError, match=r"TensorDataset: the arrays must have the same "
                                         r"number of rows.*got lengths \[5, 4\]"):
        TensorDataset(np.zeros((5, 2)), np.zeros(4))
    assert issubclass(ShapeError, AutogradError) and issubclass(ShapeError, ValueError)
    with pytest.raises(ConfigError, match=r"TensorDataset needs at least one array"):
        TensorDataset()
    with pytest.raises(ShapeError, match=r"TensorDataset: argument 1 is the single value 3"):
        TensorDataset(np.zeros(3), 3)


def test_loader_over_a_tensor_dataset_matches_torch_batches() -> None:
    torch = pytest.importorskip("torch")
    X = np.arange(20.0).reshape(10, 2)
    y = np.arange(10)
    theirs = torch.utils.data.DataLoader(
        torch.utils.data.TensorDataset(torch.from_numpy(X), torch.from_numpy(y)),
        batch_size=4)
    ours = DataLoader(TensorDataset(X, y), batch_size=4)
    assert len(ours) == len(theirs) == 3
    for a, b in zip(ours, theirs, strict=True):
        assert isinstance(a, tuple)
        _assert_same(a, _numpy(b))
    dropping = DataLoader(TensorDataset(X, y), batch_size=4, drop_last=True)
    assert len(dropping) == 2 == len(list(dropping))


def test_loader_over_a_tensor_dataset_equals_the_arrays_loader() -> None:
    X, y = np.arange(30.0).reshape(15, 2), np.arange(15)
    from_arrays = DataLoader(X, y, batch_size=4, shuffle=True, generator=3)
    from_dataset = DataLoader(TensorDataset(X, y), batch_size=4, shuffle=True, generator=3)
    assert from_dataset.arrays[0] is from_dataset.dataset.tensors[0]  # no copy
    for a, b in zip(from_arrays, from_dataset, strict=True):
        _assert_same(list(a), list(b))


def test_a_dataset_takes_the_options_by_keyword() -> None:
    ds = TensorDataset(np.zeros((4, 2)))
    with pytest.raises(ConfigError, match=r"a dataset is the only positional argument, the "
                                          r"options come by keyword: DataLoader\(dataset, "
                                          r"batch_size=32, shuffle=True\); got 2"):
        DataLoader(ds, 32)
    with pytest.raises(ConfigError, match="only positional argument"):
        DataLoader(np.zeros(4), ds)
