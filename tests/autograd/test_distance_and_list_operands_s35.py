"""p = 0 distances with NaN and infinite coordinates as PyTorch's (pairwise_distance counts a
NaN difference as nonzero; cdist and pdist give NaN), and a Python list beside an integer
Tensor read as NumPy reads it, int64 (session 35)."""

import warnings

import numpy as np
import pytest

import autograd as ag
import nn.functional as F


def _coordinates(rng: np.random.Generator, shape: tuple) -> np.ndarray:
    values = rng.integers(-1, 2, shape).astype(np.float64)
    special = rng.random(shape) < 0.15
    values[special] = rng.choice([np.nan, np.inf, -np.inf], special.sum())
    return values


@pytest.mark.filterwarnings("ignore:invalid value:RuntimeWarning")  # inf - inf, as NumPy
@pytest.mark.parametrize("seed", range(40))
def test_p0_distances_with_nan_and_inf_match_pytorch(torch, seed: int) -> None:
    rng = np.random.default_rng(seed)
    a, b = _coordinates(rng, (3, 4)), _coordinates(rng, (2, 4))
    tf = torch.nn.functional
    cases = [
        (F.pairwise_distance(ag.tensor(a[:2]), ag.tensor(b), p=0),
         tf.pairwise_distance(torch.tensor(a[:2]), torch.tensor(b), p=0)),
        (F.pdist(ag.tensor(a), p=0), tf.pdist(torch.tensor(a), p=0)),
        (ag.cdist(ag.tensor(a), ag.tensor(b), p=0), torch.cdist(torch.tensor(a),
                                                                torch.tensor(b), p=0)),
    ]
    for ours, theirs in cases:
        np.testing.assert_array_equal(ours.data, theirs.numpy())


def test_p0_distances_keep_a_zero_gradient() -> None:
    rng = np.random.default_rng(0)
    x = ag.tensor(rng.random((3, 4)), requires_grad=True)
    (ag.cdist(x, x.detach() * 2, p=0).sum() + F.pdist(x, p=0).sum()
     + F.pairwise_distance(x, x.detach() * 2, p=0).sum()).backward()
    np.testing.assert_array_equal(x.grad.data, np.zeros((3, 4)))


def test_an_integer_tensor_beside_a_list_of_ints_stays_integer_as_numpy() -> None:
    big = np.array([2 ** 60 + 1, 3])
    t = ag.tensor(big)
    for ours, expected in [(t + [0, 0], big + [0, 0]), ([1, 2] - t, [1, 2] - big),
                           (t * [2, 1], big * [2, 1]),
                           (np.concatenate([t, [1, 2]]), np.concatenate([big, [1, 2]])),
                           (np.where(np.array([True, False]), t, [7, 7]),
                            np.where(np.array([True, False]), big, [7, 7]))]:
        assert ours.dtype == expected.dtype
        np.testing.assert_array_equal(ours.data, expected)
    flags = np.array([True, False])
    assert (ag.tensor(flags) + [1, 1]).dtype == (flags + [1, 1]).dtype


def test_a_float_tensor_beside_a_list_promotes_as_numpy() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for dtype in (np.float16, np.float32, np.float64):
            x = np.ones(2, dtype)
            for other in ([1, 2], [0.5, 2.0]):
                assert (ag.tensor(x) + other).dtype == (x + other).dtype
