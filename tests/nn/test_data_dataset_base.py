"""nn.data.Dataset (PyTorch's base class, ``a + b``) and the small habits of torch scripts."""
from __future__ import annotations

import numpy as np
import pytest

from nn.data import (ConcatDataset, DataLoader, Dataset, Subset, TensorDataset,
                     random_split)
from nn.errors import ArgumentTypeError, ConfigError


def _squares(base: type) -> type:
    """The dataset of a PyTorch tutorial, subclassing ``base`` (ours or torch's)."""

    class Squares(base):
        def __init__(self, n: int) -> None:
            self.x = np.linspace(-1.0, 1.0, n, dtype=np.float32).reshape(n, 1)

        def __len__(self) -> int:
            return len(self.x)

        def __getitem__(self, i: int) -> tuple[np.ndarray, np.ndarray]:
            return self.x[i], self.x[i] ** 2

    return Squares


def test_a_dataset_subclass_loads_as_torch() -> None:
    torch = pytest.importorskip("torch")
    ours, theirs = _squares(Dataset)(10), _squares(torch.utils.data.Dataset)(10)
    ours_loader = DataLoader(ours, batch_size=4)
    theirs_loader = torch.utils.data.DataLoader(theirs, batch_size=4)
    assert len(ours_loader) == len(theirs_loader) == 3
    assert len(ours_loader.dataset) == len(theirs_loader.dataset) == 10
    for a, b in zip(ours_loader, theirs_loader, strict=True):
        for u, v in zip(a, b, strict=True):
            assert u.dtype == v.numpy().dtype
            np.testing.assert_array_equal(u, v.numpy())


def test_adding_datasets_concatenates_them_as_torch() -> None:
    torch = pytest.importorskip("torch")
    ours = _squares(Dataset)(3) + TensorDataset(np.ones((2, 1), np.float32),
                                                np.zeros((2, 1), np.float32))
    theirs = _squares(torch.utils.data.Dataset)(3) + torch.utils.data.TensorDataset(
        torch.ones(2, 1), torch.zeros(2, 1))
    assert isinstance(ours, ConcatDataset) and len(ours) == len(theirs) == 5
    for i in range(5):
        for u, v in zip(ours[i], theirs[i], strict=True):
            np.testing.assert_array_equal(u, np.asarray(v))
    assert len(ours + ours) == 10


def test_the_library_datasets_are_datasets() -> None:
    ds = TensorDataset(np.arange(4.0))
    for value in [ds, Subset(ds, [1]), ConcatDataset([ds]), *random_split(ds, [2, 2])]:
        assert isinstance(value, Dataset)


def test_iterating_and_slicing_a_tensor_dataset_as_torch() -> None:
    torch = pytest.importorskip("torch")
    X, y = np.arange(8.0).reshape(4, 2), np.arange(4)
    ours = TensorDataset(X, y)
    theirs = torch.utils.data.TensorDataset(torch.from_numpy(X), torch.from_numpy(y))
    assert len(list(ours)) == len(list(theirs)) == 4
    for a, b in zip(ours, theirs, strict=True):
        for u, v in zip(a, b, strict=True):
            np.testing.assert_array_equal(u, v.numpy())
    for u, v in zip(ours[[0, 3]], theirs[[0, 3]], strict=True):
        np.testing.assert_array_equal(u, v.numpy())


def test_a_dataset_without_len_or_getitem_is_a_named_error() -> None:
    class Unsized(Dataset):
        def __getitem__(self, i: int) -> np.ndarray:
            return np.zeros(2)

    for make, what in [(lambda: DataLoader(Unsized()), "DataLoader: the dataset"),
                       (lambda: Subset(Unsized(), [0]), "Subset: the dataset"),
                       (lambda: ConcatDataset([Unsized()]), "ConcatDataset: dataset 0"),
                       (lambda: Dataset() + Unsized(), "ConcatDataset: dataset 0")]:
        with pytest.raises(ArgumentTypeError, match=rf"{what} is a \w+, not a dataset with "
                                                    rf"__len__ \(the number of samples\) and "
                                                    rf"__getitem__\(i\) \(sample i\)"):
            make()
    with pytest.raises(ArgumentTypeError, match=r"\(it lacks __len__\)"):
        DataLoader(Unsized())


def test_batch_size_says_what_to_do() -> None:
    with pytest.raises(ConfigError, match=r"batch_size must be a positive int, or None for "
                                          r"samples one at a time \(unbatched\); got 0"):
        DataLoader(np.zeros(3), batch_size=0)
