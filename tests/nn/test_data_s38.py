"""nn.data fixes of session 38: PyTorch's positional ``DataLoader(ds, None)``, the flags and
path types of ``load_mnist``, checked noise helpers (finite amounts, real data, a seed or
None as rng), string weights and overflowing sums in ``WeightedRandomSampler``, negative
``DistributedSampler`` seeds and ``random_split`` fractions whose float sum is above 1.
Expected values are computed here with NumPy or by hand."""
from __future__ import annotations

import math
import random
import warnings

import numpy as np
import pytest

import nn
from autograd.errors import AutogradError, DataError, DTypeError
from nn.data import (DataLoader, DistributedSampler, WeightedRandomSampler, gaussian_noise,
                     load_mnist, masking_noise, random_split, read_idx, salt_and_pepper)
from nn.errors import ArgumentTypeError, ConfigError


class Rows:
    """A map-style dataset: sample i is the row ``[i, i]``."""

    def __len__(self) -> int:
        return 3

    def __getitem__(self, i: int) -> np.ndarray:
        return np.ones(2) * i


# ---------------------------------------------------------- 1: DataLoader(ds, None)
def test_positional_none_is_pytorchs_unbatched_loading() -> None:
    loader = DataLoader(Rows(), None)
    assert loader.batch_size is None and len(loader) == 3
    for i, sample in enumerate(loader):
        np.testing.assert_array_equal(sample.data, [i, i])


def test_a_list_of_samples_takes_positional_none_and_a_shuffle() -> None:
    samples = [(np.ones(2) * i, i) for i in range(3)]
    loader = DataLoader(samples, None, True, generator=0)
    assert loader.batch_size is None and loader.shuffle is True
    seen = sorted(int(label) for _, label in loader)
    assert seen == [0, 1, 2]


def test_a_numpy_bool_shuffle_by_position_is_a_flag() -> None:
    loader = DataLoader(Rows(), 2, np.True_, generator=0)
    assert loader.shuffle is True and len(loader) == 2


@pytest.mark.parametrize("options", [("a",), ([0, 1], 2), (2.0, "yes", None)])
def test_a_bad_positional_option_is_named_as_an_option(options: tuple) -> None:
    samples = [(np.ones(2), 1)] * 3  # a list of samples: was a 'ragged' DataError
    for dataset in (samples, Rows()):
        with pytest.raises(ConfigError, match=r"by position.*by keyword"):
            DataLoader(dataset, *options)


# ---------------------------------------------------------- 2: load_mnist flags
@pytest.mark.parametrize("value", ["test", None, 1, "False"])
def test_load_mnist_train_and_download_must_be_bools(tmp_path, value: object) -> None:
    with pytest.raises(ArgumentTypeError, match="train must be True or False"):
        load_mnist(tmp_path, train=value)
    with pytest.raises(ArgumentTypeError, match="download must be True or False"):
        load_mnist(tmp_path, download=value)


def test_load_mnist_and_read_idx_refuse_paths_of_the_wrong_type(tmp_path) -> None:
    with pytest.raises(ArgumentTypeError, match="path must be a str or os.PathLike"):
        load_mnist(5)
    with pytest.raises(ArgumentTypeError, match="path must be a str or os.PathLike"):
        read_idx(None)
    with pytest.raises(FileNotFoundError):  # Python's own class, kept catchable
        read_idx(tmp_path / "missing")


def test_load_mnist_given_a_file_says_it_needs_the_folder(tmp_path) -> None:
    file = tmp_path / "train-images-idx3-ubyte"
    file.write_bytes(b"")
    with pytest.raises(FileNotFoundError, match="is a file, not the folder"):
        load_mnist(file)


# ---------------------------------------------------------- 3, 4: noise helpers
@pytest.mark.parametrize("fn, bad", [(gaussian_noise, math.inf), (gaussian_noise, math.nan),
                                     (masking_noise, math.inf), (salt_and_pepper, math.nan)])
def test_noise_amounts_must_be_finite(fn, bad: float) -> None:
    with pytest.raises(ConfigError, match="must be a"):
        fn(np.ones(3), bad, np.random.default_rng(0))


@pytest.mark.parametrize("fn", [gaussian_noise, masking_noise, salt_and_pepper])
@pytest.mark.parametrize("data, error", [([1.0, None], DTypeError),
                                         (np.ones(2, complex), DTypeError),
                                         ("abc", DTypeError), (["1", "2"], DTypeError),
                                         ([[1], [1, 2]], DataError)])
def test_noise_data_must_be_real_numbers(fn, data: object, error: type) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # was: NumPy's ComplexWarning and a result
        with pytest.raises(error) as caught:
            fn(data, 0.1, np.random.default_rng(0))
    assert isinstance(caught.value, AutogradError)


@pytest.mark.parametrize("name", ["low", "high"])
@pytest.mark.parametrize("value, error", [(math.nan, ConfigError), (-math.inf, ConfigError),
                                          ("a", ArgumentTypeError)])
def test_salt_and_pepper_values_must_be_finite_numbers(name: str, value: object,
                                                       error: type) -> None:
    with pytest.raises(error, match=name):
        salt_and_pepper(np.ones(3), 0.5, np.random.default_rng(0), **{name: value})


def test_salt_and_pepper_values_must_fit_the_dtype() -> None:
    largest = float(np.finfo(np.float16).max)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # was: an overflow RuntimeWarning and inf
        with pytest.raises(ConfigError, match="representable in the data's dtype float16"):
            salt_and_pepper(np.ones(3, np.float16), 1.0, np.random.default_rng(0),
                            high=largest * 16)
        out = salt_and_pepper(np.ones(4, np.float16), 1.0, np.random.default_rng(0),
                              low=-largest, high=largest)
    assert out.dtype == np.float16 and set(np.abs(out.astype(float))) == {largest}


@pytest.mark.parametrize("fn, amount", [(gaussian_noise, 0.3), (masking_noise, 0.3),
                                        (salt_and_pepper, 0.3)])
def test_noise_rng_may_be_a_seed_or_none(fn, amount: float) -> None:
    x = np.linspace(0.0, 1.0, 12).reshape(3, 4)
    np.testing.assert_array_equal(fn(x, amount, 7), fn(x, amount, np.random.default_rng(7)))
    nn.manual_seed(3)
    first = fn(x, amount)
    nn.manual_seed(3)
    np.testing.assert_array_equal(fn(x, amount, None), first)


def test_gaussian_noise_from_a_seed_is_x_plus_std_times_normal_draws() -> None:
    x = np.arange(6.0)
    expected = x + 0.5 * np.random.default_rng(11).standard_normal(6)
    np.testing.assert_allclose(gaussian_noise(x, 0.5, 11), expected)


# ---------------------------------------------------------- 5, 6: samplers
@pytest.mark.parametrize("weights", [["1", "3"], [b"1", b"3"], [1.0, None]])
def test_weighted_sampler_refuses_weights_that_are_no_numbers(weights: list) -> None:
    with pytest.raises(ArgumentTypeError, match="weights must be numbers"):
        WeightedRandomSampler(weights, 4)


def test_weighted_sampler_weights_whose_sum_overflows_sample_by_proportion() -> None:
    huge = np.finfo(np.float64).max
    with np.errstate(over="ignore"):
        assert not np.isfinite(np.sum([huge, huge, huge / 2]))
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no overflow on the way either
        drawn = list(WeightedRandomSampler([huge, huge, huge / 2], 50, generator=4))
        counts = np.bincount(list(WeightedRandomSampler([huge, huge], 20000, generator=5)))
    same = list(WeightedRandomSampler([2.0, 2.0, 1.0], 50, generator=4))
    assert drawn == same  # probabilities 2/5, 2/5, 1/5 both times, the same draws
    assert abs(counts[0] / 20000 - 0.5) < 5 * math.sqrt(0.25 / 20000)


def test_weighted_sampler_all_zero_weights_are_still_refused() -> None:
    with pytest.raises(ConfigError, match=r"all 2 weights are 0"):
        WeightedRandomSampler([0.0, 0.0], 2)


def test_distributed_sampler_takes_negative_seeds_and_epochs() -> None:
    data = list(range(10))
    negative = DistributedSampler(data, seed=-1)
    order = list(negative)
    assert sorted(order) == data
    # seed + epoch modulo 2**64, as torch.Generator.manual_seed: -1 is 2**64 - 1
    assert order == list(np.random.default_rng(2 ** 64 - 1).permutation(10))
    negative.set_epoch(-2)  # seed + epoch = -3
    assert negative.epoch == -2
    assert list(negative) == list(np.random.default_rng(2 ** 64 - 3).permutation(10))
    shifted = DistributedSampler(data, seed=4)
    shifted.set_epoch(-4)  # seed + epoch = 0: the order of seed 0, epoch 0
    assert list(shifted) == list(DistributedSampler(data, seed=0))


def _fractions_summing_above_one() -> list[float]:
    """Normalised random fractions whose float sum rounds to just above 1."""
    draw = random.Random(0)
    for _ in range(10000):
        raw = [draw.random() for _ in range(draw.randint(2, 5))]
        fractions = [r / sum(raw) for r in raw]
        if sum(fractions) > 1:
            return fractions
    raise AssertionError("no such fractions found")


def test_random_split_refuses_fractions_whose_float_sum_is_above_one() -> None:
    fractions = _fractions_summing_above_one()
    assert math.isclose(sum(fractions), 1) and sum(fractions) > 1
    with pytest.raises(ConfigError, match="not above it"):
        random_split(list(range(20)), fractions, generator=0)
    lowered = fractions[:-1] + [1 - sum(fractions[:-1])]  # the message's advice
    assert sum(lowered) <= 1
    sizes = [len(s) for s in random_split(list(range(20)), lowered, generator=0)]
    assert sum(sizes) == 20
