"""TensorDataset and DataLoader over datasets, against PyTorch's."""
from __future__ import annotations

import numpy as np
import pytest

from autograd import Tensor
from autograd.errors import AutogradError, DataError, DTypeError, ShapeError
from nn.data import DataLoader, TensorDataset
from nn.errors import ConfigError


def _numpy(batch: object) -> object:
    """Torch tensors (in lists, tuples, dicts) as NumPy arrays."""
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
    elif isinstance(theirs, Tensor) or type(theirs).__module__.startswith("torch"):
        # a batch: a Tensor without grad, as PyTorch's default collate makes one
        assert type(ours) is Tensor and not ours.requires_grad
        _assert_same(ours.data, theirs.data if isinstance(theirs, Tensor) else theirs.numpy())
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
    assert type(ds.tensors[0]) is Tensor and not ds.tensors[0].requires_grad  # detached
    assert ds.tensors[0].data is X.data and type(ds.tensors[1]) is np.ndarray
    assert ds[2][1] == 2 and ds[0][0].shape == (2,) and type(ds[0][0]) is Tensor
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
        assert isinstance(a, list)  # PyTorch collates a tuple of fields into a list
        _assert_same(a, b)
    dropping = DataLoader(TensorDataset(X, y), batch_size=4, drop_last=True)
    assert len(dropping) == 2 == len(list(dropping))


def test_loader_over_a_tensor_dataset_equals_the_arrays_loader() -> None:
    X, y = np.arange(30.0).reshape(15, 2), np.arange(15)
    from_arrays = DataLoader(X, y, batch_size=4, shuffle=True, generator=3)
    from_dataset = DataLoader(TensorDataset(X, y), batch_size=4, shuffle=True, generator=3)
    assert from_dataset.arrays[0] is from_dataset.dataset.tensors[0]  # no copy
    for a, b in zip(from_arrays, from_dataset, strict=True):
        _assert_same(list(a), list(b))


def test_a_dataset_takes_batch_size_and_shuffle_by_position_as_pytorchs() -> None:
    """d2l's ``data.DataLoader(dataset, batch_size, shuffle=is_train)``: PyTorch's
    positional order; arrays never follow a dataset."""
    ds = TensorDataset(np.arange(10.0))
    loader = DataLoader(ds, 4, True, generator=0)
    assert (loader.batch_size, loader.shuffle) == (4, True)
    assert DataLoader(ds, 3, shuffle=True).shuffle and len(DataLoader(ds, 3)) == 4
    with pytest.raises(ConfigError, match="given both by position and by keyword"):
        DataLoader(ds, 4, batch_size=4)
    with pytest.raises(ConfigError, match="at most two options by position; got 3"):
        DataLoader(ds, 4, True, None)
    with pytest.raises(ConfigError, match=r"a dataset is the only array-like positional "
                                          r"argument .*got 2"):
        DataLoader(ds, np.zeros(10))
    with pytest.raises(ConfigError, match="only array-like positional argument"):
        DataLoader(np.zeros(4), ds)


# ------------------------------------------------------------------ map-style datasets
class Pairs:
    """A map-style dataset as in PyTorch tutorials: ``(x_i, y_i)`` built on the fly."""

    def __init__(self, n: int = 10) -> None:
        self.x = np.arange(n * 3, dtype=np.float32).reshape(n, 3)
        self.y = np.arange(n) % 3
        self.seen: list[object] = []

    def __len__(self) -> int:
        return len(self.x)

    def __getitem__(self, i: int) -> tuple[np.ndarray, int]:
        self.seen.append(i)
        return self.x[i], int(self.y[i])


class Records(Pairs):
    def __getitem__(self, i: int) -> dict[str, object]:
        return {"image": self.x[i], "label": int(self.y[i]), "weight": 0.5 * i}


class Images(Pairs):
    def __getitem__(self, i: int) -> np.ndarray:
        return self.x[i]


def _torch_batches(torch: object, dataset: object, order: object = None, **options: object
                   ) -> list[object]:
    loader = torch.utils.data.DataLoader(dataset, sampler=order, **options)
    return list(loader)


@pytest.mark.parametrize("dataset", [Pairs(), Records(), Images()],
                         ids=["tuple", "dict", "array"])
@pytest.mark.parametrize("drop_last", [False, True])
def test_batches_of_a_dataset_match_torch(dataset: object, drop_last: bool) -> None:
    torch = pytest.importorskip("torch")
    ours = DataLoader(dataset, batch_size=4, drop_last=drop_last)
    theirs = _torch_batches(torch, dataset, batch_size=4, drop_last=drop_last)
    assert len(ours) == len(theirs) == (2 if drop_last else 3)
    for a, b in zip(ours, theirs, strict=True):
        _assert_same(a, b)


def test_shuffled_batches_follow_the_generator_as_arrays_do() -> None:
    torch = pytest.importorskip("torch")
    dataset = Pairs(11)
    ours = DataLoader(dataset, batch_size=4, shuffle=True, generator=7)
    arrays = DataLoader(dataset.x, dataset.y, batch_size=4, shuffle=True, generator=7)
    order = np.random.default_rng(7).permutation(11).tolist()
    theirs = _torch_batches(torch, dataset, order, batch_size=4)
    for a, b, c in zip(ours, arrays, theirs, strict=True):
        assert isinstance(a, list)  # PyTorch collates a tuple of fields into a list
        _assert_same(a, c)
        _assert_same(list(a), list(b))
    assert dataset.seen[:11] == order and all(type(i) is int for i in dataset.seen)
    epochs = [np.concatenate([b[1] for b in ours]) for _ in range(2)]
    assert not np.array_equal(*epochs)  # a new order every epoch


def test_a_dataset_of_numbers_tensors_and_namedtuples_matches_torch() -> None:
    torch = pytest.importorskip("torch")
    from collections import namedtuple
    Sample = namedtuple("Sample", "x y")
    samples = [Sample(Tensor(np.full(2, float(i))), float(i)) for i in range(5)]

    class Named:
        def __len__(self) -> int:
            return len(samples)

        def __getitem__(self, i: int) -> object:
            return samples[i]

    batch = next(iter(DataLoader(Named(), batch_size=5)))
    assert type(batch) is Sample and type(batch.x) is Tensor and type(batch.y) is Tensor
    batch = Sample(*(field.data for field in batch))  # numbers beside a Tensor: a Tensor
    torch_samples = [Sample(torch.full((2,), float(i), dtype=torch.float64), float(i))
                     for i in range(5)]
    _assert_same(list(batch), _numpy(torch.utils.data.default_collate(torch_samples)))
    labels = Pairs(5).y.tolist()
    numbers = next(iter(DataLoader(labels, batch_size=5)))  # a list: one array, its batch
    torch_numbers = next(iter(torch.utils.data.DataLoader(labels, batch_size=5)))
    np.testing.assert_array_equal(numbers, torch_numbers.numpy())


def test_a_subclass_of_tensor_dataset_is_read_through_its_getitem() -> None:
    class Doubled(TensorDataset):
        def __getitem__(self, i: int) -> tuple[np.ndarray, ...]:
            return tuple(2 * a[i] for a in self.tensors)

    loader = DataLoader(Doubled(np.arange(4.0)), batch_size=4)
    assert loader.arrays is None
    np.testing.assert_array_equal(next(iter(loader))[0], [0.0, 2.0, 4.0, 6.0])


def test_what_a_dataset_loader_yields_goes_into_models_and_losses() -> None:
    import nn
    import nn.functional as F
    from nn.models import MLP
    from nn.train import fit
    model = MLP([3, 4, 3], rng=0)
    loader = DataLoader(Pairs(), batch_size=4, shuffle=True, generator=0)
    for xb, yb in loader:
        F.cross_entropy(model(xb), yb).backward()
    opt = nn.optim.SGD(model.parameters(), lr=0.01)
    history = fit(model, F.cross_entropy, opt, loader, epochs=2, progress=False)
    assert len(history) == 2
    assert "Pairs of 10 samples" in repr(loader)


def test_samples_that_do_not_stack_are_named_errors() -> None:
    class Ragged(Pairs):
        def __getitem__(self, i: int) -> tuple[np.ndarray, int]:
            return np.zeros(2 + i), i

    with pytest.raises(ShapeError, match=r"DataLoader: the samples' field \[0\] differ in "
                                         r"shape within a batch: \(2,\) in the first, "
                                         r"\(3,\) in sample 1 of the batch; give every "
                                         r"sample the same shape"):
        list(DataLoader(Ragged(), batch_size=4))

    class Missing(Pairs):
        def __getitem__(self, i: int) -> tuple[object, ...]:
            return (self.x[i], None)

    with pytest.raises(DTypeError, match=r"the samples' field \[1\] must be arrays or numbers "
                                         r"of bool, integer or float dtype, strings.*has a "
                                         r"NoneType"):
        list(DataLoader(Missing(), batch_size=4))

    class Uneven(Pairs):
        def __getitem__(self, i: int) -> object:
            return (self.x[i], i) if i else {"x": self.x[i]}

    with pytest.raises(DataError, match=r"the samples differ in structure within a batch: "
                                        r"the first is a dict of 1, sample 1 of the batch a "
                                        r"tuple of 2"):
        list(DataLoader(Uneven(), batch_size=4))
    class Renamed(Pairs):
        def __getitem__(self, i: int) -> object:
            return {"x": self.x[i]} if i else {"image": self.x[i]}

    with pytest.raises(DataError, match=r"the samples differ in structure within a batch: "
                                        r"the first is a dict of 1, sample 1 of the batch a "
                                        r"dict of 1"):
        list(DataLoader(Renamed(), batch_size=4))
    assert DataLoader(Pairs(), 32).batch_size == 32  # PyTorch's positional batch_size


def test_list_samples_and_strings_collate_into_lists_as_in_torch() -> None:
    torch = pytest.importorskip("torch")

    class Named(Pairs):
        def __getitem__(self, i: int) -> list[object]:
            return [self.x[i], f"item {i}"]

    dataset = Named(3)
    ours = next(iter(DataLoader(dataset, batch_size=3)))
    theirs = torch.utils.data.default_collate([dataset[i] for i in range(3)])
    assert type(ours) is type(theirs) is list and type(ours[1]) is tuple
    # strings stay strings, in the tuple torch's transpose makes
    assert ours[1] == theirs[1] == ("item 0", "item 1", "item 2")
    np.testing.assert_array_equal(ours[0], theirs[0].numpy())


# ------------------------------------------------------------------ lists of samples
def test_a_list_of_sample_tuples_is_a_dataset_as_in_torch() -> None:
    torch = pytest.importorskip("torch")
    X, y = np.arange(30.0).reshape(10, 3), np.arange(10) % 2
    samples = list(zip(X, y.tolist()))  # (x_i, label_i): fields of different shapes
    ours = DataLoader(samples, batch_size=4, shuffle=True, generator=1)
    order = np.random.default_rng(1).permutation(10).tolist()
    theirs = _torch_batches(torch, samples, order, batch_size=4)
    for a, b in zip(ours, theirs, strict=True):
        assert isinstance(a, list)  # PyTorch collates a tuple of fields into a list
        _assert_same(a, b)
    records = [{"x": X[i], "y": int(y[i])} for i in range(10)]  # a list of dicts
    for a, b in zip(DataLoader(records, batch_size=4),
                    _torch_batches(torch, records, batch_size=4), strict=True):
        _assert_same(a, b)


def test_a_list_of_rows_stays_one_array() -> None:
    rows = [[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]]
    batch = next(iter(DataLoader(rows, batch_size=3)))  # one array: its batch itself
    np.testing.assert_array_equal(batch, np.asarray(rows))
    points = [(1.0, 2.0), (3.0, 4.0)]  # tuples of numbers: rows too, as in NumPy
    batch = next(iter(DataLoader(points, batch_size=2)))
    np.testing.assert_array_equal(batch, np.asarray(points))


def test_tuples_of_same_shaped_arrays_are_ambiguous() -> None:
    X = np.arange(12.0).reshape(4, 3)
    with pytest.raises(DataError, match=r"a list of 2-tuples of arrays of one shape is "
                                        r"ambiguous: PyTorch reads it as samples \(x_i, "
                                        r"y_i\), NumPy as one array of shape \(4, 2, 3\). "
                                        r"For samples pass the arrays, DataLoader\(X, y\)"):
        DataLoader(list(zip(X, X + 1)))
    with pytest.raises(DataError, match="ambiguous"):
        DataLoader([(Tensor(x), Tensor(x)) for x in X])
    with pytest.raises(DataError, match="array 1 is a ragged nested sequence"):
        DataLoader(X, list(zip(X, [0, 1, 2, 3])))  # only a lone argument is a dataset


# ------------------------------------------------------------------ what batches are
def test_every_path_yields_the_arrays_path_batches_as_tensors() -> None:
    import nn.functional as F
    from nn.models import MLP
    X = np.random.default_rng(0).random((8, 3))
    y = np.arange(8) % 3
    tensors = [(Tensor(X[i], requires_grad=True), Tensor(y[i])) for i in range(8)]

    class FromTensors:
        def __len__(self) -> int:
            return 8

        def __getitem__(self, i: int) -> tuple[Tensor, Tensor]:
            return tensors[i]

    loaders = [DataLoader(X, y, batch_size=4),
               DataLoader(TensorDataset(Tensor(X), Tensor(y)), batch_size=4),
               DataLoader(FromTensors(), batch_size=4),
               DataLoader(list(zip(X, y.tolist())), batch_size=4)]
    model = MLP([3, 5, 3], rng=0)
    expected = [b for b in loaders[0]]
    for loader in loaders:  # Tensors whatever the data's kind, as PyTorch's default collate
        for (xb, yb), (x0, y0) in zip(loader, expected, strict=True):
            assert type(xb) is Tensor and type(yb) is Tensor
            assert not (xb.requires_grad or yb.requires_grad)
            np.testing.assert_array_equal(xb, x0)
            np.testing.assert_array_equal(yb, y0)
            assert F.cross_entropy(model(xb), yb).shape == ()
