"""``DataLoader``'s batches against PyTorch's default collate, for every kind of sample:
NumPy arrays of each dtype, NumPy scalars, 0-d arrays, Python numbers, strings, and
tuples, lists, dicts and namedtuples of them, nested. As there, arrays and numbers come
back as Tensors (the dtype PyTorch gives, ``requires_grad=False``, a copy), strings as
lists (a tuple for a field of tuple samples); so the habits of PyTorch's loop work on
every batch: ``xb.to(device)``, ``yb.long()``, ``xb.float()``, ``yb.size(0)``,
``x.new_tensor(...)``."""
from __future__ import annotations

from collections import namedtuple

import numpy as np
import pytest

import autograd as ag
import nn
import nn.data
from autograd import Tensor
from autograd.errors import DTypeError
from nn.data import DataLoader, TensorDataset, default_collate

Point = namedtuple("Point", "x label")

DTYPES = [np.float64, np.float32, np.float16, np.int64, np.int32, np.int16, np.int8,
          np.uint8, np.bool_]


def _kinds() -> dict[str, list]:
    """Name -> three samples of that kind."""
    rng = np.random.default_rng(0)
    kinds = {}
    for dtype in DTYPES:
        name = np.dtype(dtype).name
        kinds[f"array {name}"] = [(rng.random((2, 3)) * 5).astype(dtype) for _ in range(3)]
        kinds[f"scalar {name}"] = [dtype(i) for i in range(3)]
        kinds[f"0-d array {name}"] = [np.array(i, dtype=dtype) for i in range(3)]
    kinds.update({
        "python int": [3, 1, 4], "python float": [0.5, 1.5, -2.0],
        "python bool": [True, False, True], "str": ["a", "bc", "d"],
        "bytes": [b"a", b"bc", b"d"],
        "tuple": [(rng.random(3), i) for i in range(3)],
        "list": [[rng.random(3), float(i), "s"] for i in range(3)],
        "dict": [{"x": rng.random((2, 2)), "y": i, "name": f"n{i}"} for i in range(3)],
        "namedtuple": [Point(rng.random(3).astype(np.float32), i) for i in range(3)],
        "nested": [{"pair": (rng.random(2), [i, 0.5 * i]), "ids": np.arange(3) + i}
                   for i in range(3)],
    })
    return kinds


KINDS = _kinds()


def assert_like_torch(ours: object, theirs: object, where: str = "batch") -> None:
    """``ours`` has ``theirs``'s structure, and a Tensor (same dtype, shape and values,
    no grad) wherever ``theirs`` has a torch tensor."""
    if type(theirs).__module__.startswith("torch"):
        assert type(ours) is Tensor and not ours.requires_grad, where
        expected = theirs.numpy()
        assert ours.dtype == expected.dtype and ours.shape == expected.shape, where
        np.testing.assert_array_equal(ours.data, expected, err_msg=where)
    elif isinstance(theirs, dict):
        assert type(ours) is dict and list(ours) == list(theirs), where
        for key in theirs:
            assert_like_torch(ours[key], theirs[key], f"{where}[{key!r}]")
    elif isinstance(theirs, (list, tuple)):
        assert type(ours) is type(theirs), where  # a field's strings: zip's tuple
        assert len(ours) == len(theirs), where
        for i, (a, b) in enumerate(zip(ours, theirs)):
            assert_like_torch(a, b, f"{where}[{i}]")
    else:
        assert type(ours) is type(theirs) and ours == theirs, where


@pytest.mark.parametrize("kind", list(KINDS))
def test_default_collate_matches_torch_for_each_kind_of_sample(kind: str, torch) -> None:
    samples = KINDS[kind]
    assert_like_torch(default_collate(samples),
                      torch.utils.data.default_collate(samples), kind)


class Samples(nn.data.Dataset):
    """A map-style dataset handing out the given samples (PyTorch's loader reads it too)."""

    def __init__(self, samples: list) -> None:
        self.samples = samples

    def __len__(self) -> int:
        return len(self.samples)

    def __getitem__(self, i: int) -> object:
        return self.samples[i]


@pytest.mark.parametrize("kind", ["array float32", "scalar int64", "python float", "tuple",
                                  "dict", "namedtuple", "nested", "str"])
def test_loader_over_a_dataset_matches_torch_for_each_kind(kind: str, torch) -> None:
    samples = KINDS[kind] * 3
    ours = list(DataLoader(Samples(samples), batch_size=4))
    theirs = list(torch.utils.data.DataLoader(Samples(samples), batch_size=4))
    assert len(ours) == len(theirs) == 3
    for i, (a, b) in enumerate(zip(ours, theirs)):
        assert_like_torch(a, b, f"{kind}, batch {i}")


def test_loaders_of_numpy_arrays_give_tensors_as_torchs(torch) -> None:
    X = np.arange(30.0).reshape(10, 3).astype(np.float32)
    y = np.arange(10) % 3
    data = torch.utils.data
    pairs = [(DataLoader(X, batch_size=4), data.DataLoader(X, batch_size=4)),
             (DataLoader(list(X), batch_size=4), data.DataLoader(list(X), batch_size=4)),
             (DataLoader(X, y, batch_size=4),  # ours: PyTorch's TensorDataset's batches
              data.DataLoader(data.TensorDataset(torch.from_numpy(X), torch.from_numpy(y)),
                              batch_size=4)),
             (DataLoader(TensorDataset(X, y), batch_size=4),
              data.DataLoader(data.TensorDataset(torch.from_numpy(X), torch.from_numpy(y)),
                              batch_size=4)),
             (DataLoader(list(zip(X, y.tolist())), batch_size=4),
              data.DataLoader(list(zip(X, y.tolist())), batch_size=4))]
    for number, (ours, theirs) in enumerate(pairs):
        batches = list(theirs)
        assert len(list(ours)) == len(batches) == 3
        for i, (a, b) in enumerate(zip(ours, batches)):
            assert_like_torch(a, b, f"loader {number}, batch {i}")


def test_batches_are_copies_of_the_samples() -> None:
    X = np.zeros((4, 3))
    for loader in (DataLoader(Samples(list(X)), batch_size=2), DataLoader(X, batch_size=2),
                   DataLoader(X, X, batch_size=2)):
        for batch in loader:
            for field in batch if isinstance(batch, list) else [batch]:
                field.data[...] = 1.0  # xb.add_(1) in PyTorch's loop: its batch is a copy
        np.testing.assert_array_equal(X, 0.0)


def test_strings_and_what_no_tensor_holds() -> None:
    X = np.zeros((3, 2))
    names = np.array(["a", "b", "c"])
    batch = next(iter(DataLoader(X, names, batch_size=2)))
    assert type(batch[0]) is Tensor and batch[1] == ["a", "b"]
    assert all(type(name) is str for name in batch[1])
    with pytest.raises(DTypeError, match=r"array 1 has dtype complex128.*Convert it to numbers"):
        DataLoader(X, np.zeros(3, dtype=complex))
    with pytest.raises(DTypeError, match=r"must be arrays or numbers of bool, integer or "
                                         r"float dtype.*complex"):
        default_collate([1j, 2j])  # PyTorch's TypeError names what it found too
    assert next(iter(DataLoader(X, names, batch_size=2, collate_fn=list)))[0][1] == "a"


# ------------------------------------------------------------------ a PyTorch user's loop
def libraries(torch=None) -> tuple:
    """(T, lib, optim, data) for this library, or for PyTorch when ``torch`` is given."""
    if torch is None:
        return ag, nn, nn.optim, nn.data
    return torch, torch.nn, torch.optim, torch.utils.data


class Digits:
    """A dataset of NumPy samples, ``(features, label)``, as scripts write them."""

    def __init__(self, X: np.ndarray, y: np.ndarray) -> None:
        self.X, self.y = X, y

    def __len__(self) -> int:
        return len(self.X)

    def __getitem__(self, i: int) -> tuple[np.ndarray, np.int64]:
        return self.X[i], self.y[i]


def train(T, lib, optim, data, X, y, start) -> list[float]:
    """Two epochs of the usual loop over NumPy data: ``.to(device)``, ``y.long()``,
    ``yb.size(0)``, ``target.float()``; each batch's loss and the epoch's accuracy."""
    device = T.device("cpu")
    model = lib.Sequential(lib.Linear(8, 16), lib.Tanh(), lib.Linear(16, 3)).to(device)
    with T.no_grad():
        for p, value in zip(model.parameters(), start, strict=True):
            p.copy_(T.tensor(value))
    head = lib.Linear(8, 1).float()  # pytorch-fm's habit: float32 scores, target.float()
    with T.no_grad():
        head.weight.copy_(T.tensor(start[0][:1], dtype=T.float32))
        head.bias.zero_()
    opt = optim.SGD(list(model.parameters()) + list(head.parameters()), lr=0.1)
    loader = data.DataLoader(Digits(X, y), batch_size=16)
    records = []
    for _ in range(2):
        correct, seen = 0, 0
        for xb, yb in loader:
            xb, yb = xb.to(device), yb.to(device)
            out = model(xb)
            loss = lib.functional.cross_entropy(out, yb.long())
            score = head(xb.float()).squeeze(1)
            target = (yb == 0).float()
            loss = loss + lib.functional.binary_cross_entropy_with_logits(score, target)
            opt.zero_grad()
            loss.backward()
            opt.step()
            correct += (out.argmax(1) == yb).sum().item()
            seen += yb.size(0)
            records.append(loss.item())
            records.append(xb.new_tensor([seen]).sum().item())
        records.append(correct / seen)
    return records


def test_a_pytorch_training_loop_over_numpy_samples_runs_as_there(torch) -> None:
    rng = np.random.default_rng(1)
    X, y = rng.normal(size=(40, 8)), rng.integers(0, 3, 40)
    start = [rng.normal(scale=0.3, size=s) for s in [(16, 8), (16,), (3, 16), (3,)]]
    ours = train(*libraries(), X, y, start)
    theirs = train(*libraries(torch), X, y, start)
    np.testing.assert_allclose(ours, theirs, rtol=1e-6, atol=1e-7)  # a float32 head


def test_a_string_field_of_tuple_samples_is_a_tuple_as_torch(torch):
    """zip(*batch) there: the strings of a field come back as a tuple, a batch of strings
    alone as the list it is."""
    for data in ([("a", 1), ("b", 2)], ["a", "b"], [{"k": "a"}, {"k": "b"}],
                 [["a", ["x"]], ["b", ["y"]]]):
        ours = next(iter(DataLoader(data, batch_size=2)))
        theirs = next(iter(torch.utils.data.DataLoader(data, batch_size=2)))
        assert repr(_strings_only(ours)) == repr(_strings_only(theirs))


def _strings_only(batch):
    """The batch's structure with its tensors replaced by their lists."""
    if isinstance(batch, dict):
        return {k: _strings_only(v) for k, v in batch.items()}
    if isinstance(batch, (list, tuple)):
        return type(batch)(_strings_only(v) for v in batch)
    return batch if isinstance(batch, str) else batch.tolist()
