"""DataLoader, TensorDataset and default_collate on autograd Tensors: Tensors in, Tensors
out (PyTorch's rule), NumPy arrays in, NumPy arrays out; batches against torch's."""
from __future__ import annotations

from collections import namedtuple

import numpy as np
import pytest

from autograd import Tensor
from autograd.errors import DataError
from nn.data import (BatchSampler, DataLoader, SequentialSampler, Subset, TensorDataset,
                     default_collate)

Pair = namedtuple("Pair", "x y")


class Samples:
    """A map-style dataset over a list of samples (the same class serves torch)."""

    def __init__(self, samples: list) -> None:
        self.samples = samples

    def __len__(self) -> int:
        return len(self.samples)

    def __getitem__(self, i: int) -> object:
        return self.samples[i]


def _rng_data(n: int = 10) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(0)
    return rng.standard_normal((n, 3)).astype(np.float32), rng.integers(0, 3, n)


def _assert_batch(ours: object, theirs: object, torch: object) -> None:
    """``ours`` holds Tensors exactly where torch's batch holds tensors (of the same
    dtype, shape and values), in the same structure; strings alike."""
    if isinstance(theirs, (list, tuple)) and not isinstance(theirs, str):
        assert isinstance(ours, (list, tuple)) and len(ours) == len(theirs)
        if hasattr(theirs, "_fields"):
            assert type(ours) is type(theirs)
        for a, b in zip(ours, theirs):
            _assert_batch(a, b, torch)
    elif isinstance(theirs, dict):
        assert isinstance(ours, dict) and list(ours) == list(theirs)
        for key in theirs:
            _assert_batch(ours[key], theirs[key], torch)
    elif isinstance(theirs, torch.Tensor):
        assert type(ours) is Tensor and not ours.requires_grad
        assert ours.dtype == theirs.numpy().dtype and ours.shape == tuple(theirs.shape)
        np.testing.assert_array_equal(ours.data, theirs.numpy())
    else:
        assert ours == theirs


def _torch_samples(samples: list, torch: object) -> list:
    """``samples`` with each autograd Tensor as a torch tensor (sharing nothing)."""
    def convert(value: object) -> object:
        if isinstance(value, Tensor):
            return torch.tensor(value.data.copy())
        if isinstance(value, dict):
            return {k: convert(v) for k, v in value.items()}
        if isinstance(value, (tuple, list)):
            items = [convert(v) for v in value]
            return type(value)(*items) if hasattr(value, "_fields") else type(value)(items)
        return value
    return [convert(s) for s in samples]


def _sample_lists() -> dict[str, list]:
    X, y = _rng_data(6)
    rows = [Tensor(X[i]) for i in range(6)]
    return {"tensor_int": [(rows[i], int(y[i])) for i in range(6)],
            "tensor_float_bool": [(rows[i], float(i) / 2, bool(i % 2)) for i in range(6)],
            "numpy_scalar": [(rows[i], np.float32(i), np.int32(i)) for i in range(6)],
            "dict": [{"x": rows[i], "label": int(y[i]), "name": f"s{i}"} for i in range(6)],
            "namedtuple": [Pair(rows[i], Tensor(y[i])) for i in range(6)],
            "nested": [((rows[i], i), [rows[i], 2 * i]) for i in range(6)],
            "tensor_alone": rows}


@pytest.mark.parametrize("name", sorted(_sample_lists()))
def test_a_dataset_of_tensors_batches_as_torchs_default_collate(name: str) -> None:
    torch = pytest.importorskip("torch")
    samples = _sample_lists()[name]
    theirs_samples = _torch_samples(samples, torch)
    ours = list(DataLoader(Samples(samples), batch_size=4,
                           sampler=SequentialSampler(samples)))
    theirs = list(torch.utils.data.DataLoader(
        Samples(theirs_samples), batch_size=4,
        sampler=torch.utils.data.SequentialSampler(theirs_samples)))
    assert len(ours) == len(theirs) == 2
    for a, b in zip(ours, theirs):
        _assert_batch(a, b, torch)
    _assert_batch(default_collate(samples[:3]),
                  torch.utils.data.default_collate(theirs_samples[:3]), torch)


def test_tensor_data_batches_as_torchs_loader_on_every_path() -> None:
    torch = pytest.importorskip("torch")
    X, y = _rng_data(10)
    Xt, yt = torch.from_numpy(X), torch.from_numpy(y)
    rows = [0, 2, 3, 5, 6, 9, 1]
    pairs = {"one tensor": ((Tensor(X),), (Xt,)),
             "tensor dataset": ((TensorDataset(Tensor(X), Tensor(y)),),
                                (torch.utils.data.TensorDataset(Xt, yt),)),
             "subset": ((Subset(TensorDataset(Tensor(X), Tensor(y)), rows),),
                        (torch.utils.data.Subset(torch.utils.data.TensorDataset(Xt, yt),
                                                 rows),)),
             "list of tensors": (([Tensor(x) for x in X],), (list(Xt),))}
    for name, (ours_args, theirs_args) in pairs.items():
        sampler = SequentialSampler(ours_args[0])
        ours = [list(DataLoader(*ours_args, batch_size=4, sampler=sampler)),
                list(DataLoader(*ours_args, batch_size=4)),
                list(DataLoader(*ours_args, batch_sampler=BatchSampler(sampler, 4, False)))]
        theirs = list(torch.utils.data.DataLoader(
            *theirs_args, batch_size=4,
            sampler=torch.utils.data.SequentialSampler(theirs_args[0])))
        for got in ours:
            assert len(got) == len(theirs), name
            for a, b in zip(got, theirs):
                _assert_batch(a, b, torch)


def test_dataloader_of_one_tensor_or_array_yields_tensors() -> None:
    X, _ = _rng_data(10)
    for shuffle in (False, True):
        tensors = list(DataLoader(Tensor(X), batch_size=4, shuffle=shuffle, generator=0))
        arrays = list(DataLoader(X, batch_size=4, shuffle=shuffle, generator=0))
        assert all(type(b) is Tensor and b.dtype == np.float32 for b in tensors + arrays)
        for t, a in zip(tensors, arrays, strict=True):
            np.testing.assert_array_equal(t.data, a.data)


def test_batches_are_constants_whatever_the_data_requires() -> None:
    X, y = _rng_data(6)
    data = Tensor(X.astype(np.float64), requires_grad=True)
    (2 * data).sum().backward()
    for loader in (DataLoader(data, y, batch_size=4),
                   DataLoader(Samples([(data[i], i) for i in range(6)]), batch_size=4)):
        for xb, yb in loader:
            assert type(xb) is Tensor and not xb.requires_grad and xb.grad is None
            assert type(yb) is Tensor and not yb.requires_grad
            assert xb.dtype == np.float64
    assert data.requires_grad  # the data itself is left as it was


def test_in_place_ops_on_a_batch_leave_the_data_alone() -> None:
    """PyTorch code scales its batches in place (``xb /= 255``); its batches are copies,
    so the next epoch sees the same data. Ours too, for every kind of loader, of Tensors
    or of NumPy arrays."""
    X, y = _rng_data(8)
    original = X.copy()
    tensors = (Tensor(X), Tensor(y))
    for loader in (DataLoader(*tensors, batch_size=4),
                   DataLoader(tensors[0], batch_size=4),
                   DataLoader(X, y, batch_size=4), DataLoader(X, batch_size=4),
                   DataLoader(X, y, X, batch_size=4),
                   DataLoader(TensorDataset(*tensors), batch_size=4, shuffle=True),
                   DataLoader(TensorDataset(*tensors), batch_sampler=[[0, 1], [2]])):
        for _ in range(2):
            for batch in loader:
                xb = batch[0] if isinstance(batch, list) else batch
                (xb.data if isinstance(xb, Tensor) else xb)[...] = 0.0  # xb /= 255, xb.mul_(0)
        np.testing.assert_array_equal(X, original)


def test_numpy_data_gives_tensor_batches_as_pytorchs_default_collate() -> None:
    X, y = _rng_data(6)
    for loader in (DataLoader(X, y, batch_size=4),
                   DataLoader(TensorDataset(X, y), batch_size=4),
                   DataLoader(TensorDataset(Tensor(X), y), batch_size=4),
                   DataLoader(Samples([(X[i], int(y[i])) for i in range(6)]), batch_size=4)):
        assert all(type(f) is Tensor for batch in loader for f in batch)
    numbers = default_collate([(X[0], 1), (X[1], 2)])
    assert type(numbers[1]) is Tensor and numbers[1].dtype == np.int64


def test_a_field_mixing_tensors_and_arrays_stacks_into_a_tensor() -> None:
    X, _ = _rng_data(2)
    for samples in ([Tensor(X[0]), X[1]], [X[0], Tensor(X[1])]):
        batch = default_collate(samples)
        assert type(batch) is Tensor
        np.testing.assert_array_equal(batch.data, X[:2])


def test_a_list_of_tensors_of_different_shapes_is_still_named() -> None:
    X, y = _rng_data(10)
    with pytest.raises(DataError, match=r"DataLoader\(X, y\), not DataLoader\(\(X, y\)\)"):
        DataLoader([Tensor(X), Tensor(y)])
