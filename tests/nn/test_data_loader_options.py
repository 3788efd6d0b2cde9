"""DataLoader's PyTorch options: collate_fn, sampler, num_workers, pin_memory (batch_sampler:
test_data_batch_sampler.py)."""
from __future__ import annotations

import numpy as np
import pytest

from autograd.errors import TensorIndexError
from nn.data import DataLoader, Subset, TensorDataset, default_collate
from nn.errors import ArgumentTypeError, ConfigError


def _data(n: int = 10) -> tuple[np.ndarray, np.ndarray]:
    return np.arange(2.0 * n).reshape(n, 2), np.arange(n) * 10


def _torch_dataset(torch: object, *arrays: np.ndarray) -> object:
    return torch.utils.data.TensorDataset(*(torch.from_numpy(a) for a in arrays))


def _same_batches(ours: object, theirs: object) -> None:
    """Batches of NumPy arrays equal to torch's batches of tensors (in tuples/lists)."""
    ours, theirs = list(ours), list(theirs)
    assert len(ours) == len(theirs)
    for a, b in zip(ours, theirs, strict=True):
        assert len(a) == len(b)
        for u, v in zip(a, b, strict=True):
            v = v.numpy() if hasattr(v, "numpy") else np.asarray(v)
            assert np.asarray(u).dtype == v.dtype
            np.testing.assert_array_equal(u, v)


# ------------------------------------------------------------------ collate_fn
def _pad_collate(samples: list) -> tuple[list, np.ndarray]:
    """A collate_fn as in tutorials: keeps the inputs as a list, sums the targets."""
    return [x for x, _ in samples], np.array([sum(int(t) for _, t in samples)])


@pytest.mark.parametrize("kind", ["arrays", "tensor_dataset", "subset"])
def test_collate_fn_gets_the_list_of_samples_as_torch(kind: str) -> None:
    torch = pytest.importorskip("torch")
    X, y = _data()
    ours = {"arrays": lambda **o: DataLoader(X, y, **o),
            "tensor_dataset": lambda **o: DataLoader(TensorDataset(X, y), **o),
            "subset": lambda **o: DataLoader(Subset(TensorDataset(X, y), range(10)), **o)}[kind]
    seen: list[list] = []

    def ours_collate(samples: list) -> object:
        seen.append(samples)
        return _pad_collate(samples)

    loader = ours(batch_size=4, collate_fn=ours_collate)
    theirs = torch.utils.data.DataLoader(_torch_dataset(torch, X, y), batch_size=4,
                                         collate_fn=_pad_collate)
    for a, b in zip(loader, theirs, strict=True):
        assert len(a[0]) == len(b[0])
        for u, v in zip(a[0], b[0], strict=True):
            np.testing.assert_array_equal(u, v.numpy())
        np.testing.assert_array_equal(a[1], b[1])
    assert [len(s) for s in seen] == [4, 4, 2] and isinstance(seen[0][0], tuple)
    assert loader.collate_fn is ours_collate


def test_default_collate_is_the_loaders_own() -> None:
    X, y = _data()
    plain, explicit = DataLoader(X, y, batch_size=3), DataLoader(X, y, batch_size=3,
                                                                  collate_fn=default_collate)
    assert plain.collate_fn is default_collate and explicit.arrays is not None  # sliced
    for a, b in zip(plain, explicit, strict=True):
        for u, v in zip(a, b, strict=True):
            np.testing.assert_array_equal(u, v)


# ------------------------------------------------------------------ sampler
@pytest.mark.parametrize("drop_last", [False, True])
@pytest.mark.parametrize("indices", [[5, 1, 1, 9, -1, 0, 3], range(9, -1, -2), []],
                         ids=["list", "range", "empty"])
def test_sampler_orders_the_epoch_as_torch(indices: object, drop_last: bool) -> None:
    torch = pytest.importorskip("torch")
    X, y = _data()
    theirs = torch.utils.data.DataLoader(_torch_dataset(torch, X, y), batch_size=3,
                                         sampler=indices, drop_last=drop_last)
    for data in [(X, y), (TensorDataset(X, y),), (list(zip(X, y)),)]:
        ours = DataLoader(*data, batch_size=3, sampler=indices, drop_last=drop_last)
        assert len(ours) == len(theirs)
        _same_batches(ours, theirs)


def test_a_sampler_is_iterated_again_every_epoch() -> None:
    class Reversed:
        def __init__(self) -> None:
            self.epochs = 0

        def __len__(self) -> int:
            return 4

        def __iter__(self) -> object:
            self.epochs += 1
            return iter([3, 2, 1, 0] if self.epochs % 2 else [0, 1, 2, 3])

    sampler = Reversed()
    loader = DataLoader(np.arange(4), batch_size=4, sampler=sampler)
    np.testing.assert_array_equal(next(iter(loader)), [3, 2, 1, 0])
    np.testing.assert_array_equal(next(iter(loader)), [0, 1, 2, 3])
    assert loader.sampler is sampler


def test_sampler_errors() -> None:
    X, y = _data()
    with pytest.raises(ConfigError, match=r"sampler and shuffle=True both choose the order"):
        DataLoader(X, y, sampler=[0, 1], shuffle=True)
    with pytest.raises(ArgumentTypeError, match=r"sampler must give the indices .* of an "
                                                r"epoch at every iter\(\); got float"):
        DataLoader(X, y, sampler=2.5)  # (no len() is needed: PyTorch's asks none)
    with pytest.raises(TensorIndexError, match=r"the sampler gave index 10, out of range for a "
                                               r"dataset of 10 samples"):
        list(DataLoader(X, y, sampler=[0, 10]))
    with pytest.raises(ArgumentTypeError, match=r"the sampler must give int indices; it gave "
                                                r"float64"):
        list(DataLoader(X, y, sampler=[0.0, 1.0]))


# ------------------------------------------------------------------ the other options
@pytest.mark.parametrize("workers", [0, 4])
def test_workers_and_pinned_memory_are_accepted_as_no_ops(workers: int) -> None:
    X, y = _data()
    loader = DataLoader(TensorDataset(X, y), batch_size=4, num_workers=workers,
                        pin_memory=True)
    assert loader.num_workers == workers and loader.pin_memory is True
    _same_batches(loader, DataLoader(X, y, batch_size=4))


def test_unsupported_options_are_named_errors() -> None:
    X, y = _data()
    with pytest.raises(ConfigError, match=r"num_workers must be an int >= 0; got -1"):
        DataLoader(X, y, num_workers=-1)
    with pytest.raises(ArgumentTypeError, match=r"collate_fn must be a function of the list "
                                                r"of samples; got int"):
        DataLoader(X, y, collate_fn=3)


def test_a_loader_of_arrays_has_a_tensor_dataset_as_torch_users_read_it() -> None:
    X, y = _data()
    loader = DataLoader(X, y, batch_size=4)
    assert isinstance(loader.dataset, TensorDataset) and len(loader.dataset) == 10
    assert loader.dataset.tensors[0] is X and loader.arrays[0] is X  # no copy
    assert repr(loader) == "DataLoader((10, 2), (10,), batch_size=4, shuffle=False, " \
                           "drop_last=False)"
