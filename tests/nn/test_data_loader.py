"""DataLoader and the noise functions of nn.data."""
from __future__ import annotations

import math

import numpy as np
import pytest

from autograd import Tensor
from autograd.errors import AutogradError, DataError, ShapeError
from nn.data import DataLoader, gaussian_noise, masking_noise, salt_and_pepper


def test_batches_cover_the_rows_in_order_without_shuffle() -> None:
    X, y = np.arange(20.0).reshape(10, 2), np.arange(10)
    loader = DataLoader(X, y, batch_size=4)
    batches = list(loader)
    assert len(loader) == len(batches) == math.ceil(10 / 4)
    np.testing.assert_array_equal(np.concatenate([b[0] for b in batches]), X)
    np.testing.assert_array_equal(np.concatenate([b[1] for b in batches]), y)
    assert [len(b[1]) for b in batches] == [4, 4, 2]


def test_drop_last_and_len() -> None:
    loader = DataLoader(np.zeros((10, 3)), batch_size=4, drop_last=True)
    assert len(loader) == 2 == len(list(loader))
    assert all(b.shape == (4, 3) for b in loader)  # one array: batches of it, no tuple


def test_shuffle_keeps_rows_aligned_and_reshuffles_every_epoch() -> None:
    X = np.arange(50)
    loader = DataLoader(X, X * 10, batch_size=7, shuffle=True, generator=0)
    first = np.concatenate([b[0] for b in loader])
    second = np.concatenate([b[0] for b in loader])
    for xb, yb in loader:
        np.testing.assert_array_equal(yb, xb * 10)
    assert sorted(first) == list(X) and sorted(second) == list(X)
    assert not np.array_equal(first, second)
    expected = np.random.default_rng(0).permutation(50)  # the same draws, recomputed
    np.testing.assert_array_equal(first, expected)


def test_mismatched_lengths_are_a_named_error() -> None:
    with pytest.raises(ShapeError, match="same number of rows"):
        DataLoader(np.zeros((5, 2)), np.zeros(4))
    assert issubclass(ShapeError, AutogradError)


def test_a_bad_generator_is_named_as_the_argument_it_was_given_as() -> None:
    with pytest.raises(TypeError, match=r"generator must be a numpy.random.Generator, an "
                                        r"int seed or None; got str 'abc'. Pass e.g. "
                                        r"generator=np.random.default_rng\(0\)"):
        DataLoader(np.zeros(3), shuffle=True, generator="abc")


def test_ragged_rows_are_a_data_error() -> None:
    with pytest.raises(DataError, match="DataLoader: array 1 is a ragged nested sequence"):
        DataLoader(np.zeros((2, 2)), [[1, 2], [3]])
    with pytest.raises(ValueError, match="differ in structure"):  # at collate, as PyTorch
        next(iter(DataLoader([[1.0], [2.0, 3.0]])))


def test_a_lone_list_of_ragged_lists_is_a_dataset_of_samples(torch) -> None:
    """PyTorch reads any list as a map-style dataset: token sequences of varied length,
    padded by the collate_fn, are the Hugging Face habit (they are no rows of one array)."""
    sequences = [[5, 3, 7], [4, 9], [8, 6, 10, 2], [1]]

    def collate_for(library, pad_sequence):
        def collate(examples):
            return pad_sequence([library.tensor(e) for e in examples], batch_first=True)
        return collate

    from nn.utils.rnn import pad_sequence
    import autograd
    ours = list(DataLoader(sequences, batch_size=3,
                           collate_fn=collate_for(autograd, pad_sequence)))
    theirs = list(torch.utils.data.DataLoader(
        sequences, batch_size=3,
        collate_fn=collate_for(torch, torch.nn.utils.rnn.pad_sequence)))
    assert len(ours) == len(theirs) == 2
    for got, want in zip(ours, theirs):
        np.testing.assert_array_equal(got.numpy(), want.numpy())
    assert [len(b) for b in DataLoader(sequences, batch_size=2, collate_fn=list)] == [2, 2]


@pytest.mark.parametrize("bad", [0, -1, 2.5, True])
def test_bad_batch_size(bad: object) -> None:
    with pytest.raises(ValueError, match="batch_size"):
        DataLoader(np.zeros(3), batch_size=bad)


def test_gaussian_noise_statistics_and_dtype() -> None:
    x = np.full((200, 50), 0.5, dtype=np.float32)
    out = gaussian_noise(x, 0.1, np.random.default_rng(1))
    assert out.dtype == np.float32 and out.shape == x.shape
    expected = x + 0.1 * np.random.default_rng(1).standard_normal(x.shape)
    np.testing.assert_allclose(out, expected, rtol=1e-6)
    assert np.all(x == 0.5)  # the clean input is untouched


def test_masking_noise_zeroes_a_fraction_p() -> None:
    x = np.ones((400, 50))
    out = masking_noise(x, 0.3, np.random.default_rng(2))
    assert set(np.unique(out)) <= {0.0, 1.0}
    assert abs((out == 0).mean() - 0.3) < 0.02


def test_salt_and_pepper_hits_a_fraction_p_with_both_values() -> None:
    x = np.full((400, 50), 0.5)
    out = salt_and_pepper(x, 0.2, np.random.default_rng(3))
    changed = out != 0.5
    assert abs(changed.mean() - 0.2) < 0.02
    assert set(np.unique(out[changed])) == {0.0, 1.0}
    assert abs((out[changed] == 1.0).mean() - 0.5) < 0.05


@pytest.mark.parametrize("fn", [masking_noise, salt_and_pepper])
def test_noise_rejects_bad_probability_and_generator(fn: object) -> None:
    with pytest.raises(ValueError, match=r"in \[0, 1\]"):
        fn(np.zeros(3), 1.5, np.random.default_rng())
    with pytest.raises(TypeError, match="Generator"):
        fn(np.zeros(3), 0.1, "0")


def test_pytorchs_positional_batch_size_is_named_with_the_keyword_to_use() -> None:
    """torch.utils.data.DataLoader(data, 32) takes batch_size by position; here the
    positional arguments are arrays, and the error said only 'array 1 is a scalar'."""
    X = np.zeros((8, 2))
    for extra in [(4,), (4, True), (np.int64(4),)]:
        with pytest.raises(ShapeError, match=r"argument 1 is the single value 4.*by keyword: "
                                             r"DataLoader\(X, y, batch_size=32"):
            DataLoader(X, *extra)


@pytest.mark.parametrize("value, name", [((i for i in range(3)), "generator"),
                                         (iter([1, 2]), "list_iterator"), (None, "NoneType"),
                                         ({"x": 1}, "dict")])
def test_an_object_that_is_no_array_is_named_by_its_type(value: object, name: str) -> None:
    with pytest.raises(ShapeError, match=rf"array 0 is a {name}, not an array of samples.*"
                                         r"np\.array\(list\(it\)\)"):
        DataLoader(value)
    with pytest.raises(ShapeError, match=r"array 0 is a scalar \(3\.0\)"):
        DataLoader(3.0)


@pytest.mark.parametrize("fn, amount", [(gaussian_noise, 0.1), (masking_noise, 0.3),
                                        (salt_and_pepper, 0.2)])
def test_noise_keeps_float_dtypes_and_makes_integer_images_float64(fn, amount) -> None:
    """As the module docstring says: MNIST's uint8 pixels come back as float64."""
    rng = np.random.default_rng(0)
    for dtype, expected in ((np.float32, np.float32), (np.float64, np.float64),
                            (np.uint8, np.float64), (np.bool_, np.float64)):
        x = (rng.random((3, 4)) * 2).astype(dtype)
        out = fn(x, amount, np.random.default_rng(1))
        assert out.dtype == expected and out.shape == x.shape, dtype


def test_one_array_gives_its_batches_as_pytorchs_loader_of_a_tensor_does() -> None:
    """``for xb in DataLoader(X)`` hands the model an array (a 1-tuple made Linear see a
    (1, N, in) input); a TensorDataset of one array gives 1-tuples, as in PyTorch."""
    torch = pytest.importorskip("torch")
    X = np.arange(12.0).reshape(6, 2)
    ours = list(DataLoader(X, batch_size=4))
    theirs = list(torch.utils.data.DataLoader(torch.from_numpy(X), batch_size=4))
    assert all(type(b) is Tensor for b in ours)  # as torch's: a Tensor, not a 1-list
    for b, tb in zip(ours, theirs, strict=True):
        np.testing.assert_array_equal(b.data, tb.numpy())
    from nn.data import TensorDataset
    wrapped = next(iter(DataLoader(TensorDataset(X), batch_size=4)))
    torch_wrapped = next(iter(torch.utils.data.DataLoader(
        torch.utils.data.TensorDataset(torch.from_numpy(X)), batch_size=4)))
    assert type(wrapped) is type(torch_wrapped) is list and len(wrapped) == 1
    batches = DataLoader(X, batch_sampler=[[0, 5], [1]])
    assert [b.tolist() for b in batches] == [[[0.0, 1.0], [10.0, 11.0]], [[2.0, 3.0]]]
