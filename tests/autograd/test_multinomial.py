"""``autograd.multinomial`` and ``Tensor.multinomial``: the frequencies a correct sampler
gives (with and without replacement), shapes and dtypes as PyTorch's, and every refusal
PyTorch makes, named."""

from __future__ import annotations

import numpy as np
import pytest

import autograd as ag
from autograd.errors import DTypeError, GeneratorError, ShapeError, UsageError

WEIGHTS = [1.0, 2.0, 3.0, 4.0]  # unnormalised: probabilities 0.1, 0.2, 0.3, 0.4


def rng(seed: int = 0) -> np.random.Generator:
    return np.random.default_rng(seed)


def test_with_replacement_frequencies_follow_the_weights() -> None:
    drawn = ag.multinomial(WEIGHTS, 20000, replacement=True, generator=rng()).numpy()
    frequencies = np.bincount(drawn, minlength=4) / drawn.size
    np.testing.assert_allclose(frequencies, [0.1, 0.2, 0.3, 0.4], atol=0.015)


def test_without_replacement_follows_successive_draws() -> None:
    """P(first i, then j) = p_i * p_j / (1 - p_i): the second draw renormalises."""
    weights = ag.tensor(np.tile([[1.0, 2.0, 5.0]], (20000, 1)))
    drawn = weights.multinomial(2, generator=rng(1)).numpy()
    assert (drawn[:, 0] != drawn[:, 1]).all()  # never the same category twice
    p = np.array([1.0, 2.0, 5.0]) / 8
    for i in range(3):
        np.testing.assert_allclose((drawn[:, 0] == i).mean(), p[i], atol=0.015)
        for j in range(3):
            if i != j:
                observed = ((drawn[:, 0] == i) & (drawn[:, 1] == j)).mean()
                np.testing.assert_allclose(observed, p[i] * p[j] / (1 - p[i]), atol=0.015)


def test_rows_are_separate_distributions() -> None:
    weights = ag.tensor([[0.0, 1.0, 0.0], [1.0, 0.0, 1.0]])
    drawn = weights.multinomial(500, replacement=True, generator=rng()).numpy()
    assert (drawn[0] == 1).all()
    assert set(drawn[1]) == {0, 2} and abs((drawn[1] == 0).mean() - 0.5) < 0.1


def test_zero_weights_are_never_drawn_until_the_others_are_used_up() -> None:
    drawn = ag.multinomial([0.0, 3.0, 0.0, 1.0], 4, generator=rng()).numpy()
    assert set(drawn[:2]) == {1, 3} and set(drawn[2:]) == {0, 2}
    with_replacement = ag.multinomial([0.0, 3.0, 0.0, 1.0], 200, True, generator=rng())
    assert set(with_replacement.numpy()) == {1, 3}


def test_extreme_weights_still_sample() -> None:
    drawn = ag.multinomial([1e308, 1e308], 200, True, generator=rng()).numpy()
    assert set(drawn) == {0, 1}
    assert (ag.multinomial([5e-324, 0.0], 5, True, generator=rng()).numpy() == 0).all()


def test_a_seeded_generator_reproduces_and_the_samples_are_constants() -> None:
    weights = ag.tensor(WEIGHTS, requires_grad=True)
    first = weights.multinomial(3, generator=rng(7))
    np.testing.assert_array_equal(first.numpy(), weights.multinomial(3, generator=rng(7)).numpy())
    assert not first.requires_grad and first.is_leaf
    assert ag.multinomial(WEIGHTS, 2).shape == (2,)  # generator=None: a fresh one


@pytest.mark.parametrize("shape, num_samples, replacement", [
    ((4,), 2, False), ((4,), 4, False), ((4,), 9, True), ((3, 4), 2, False),
    ((3, 4), 5, True), ((0, 4), 2, False), ((1, 1), 1, False)])
def test_shapes_and_dtypes_as_torch(shape, num_samples, replacement) -> None:
    torch = pytest.importorskip("torch")
    weights = np.random.default_rng(0).random(shape) + 0.1
    expected = torch.multinomial(torch.tensor(weights), num_samples, replacement)
    for dtype in (np.float16, np.float32, np.float64):
        ours = ag.multinomial(weights.astype(dtype), num_samples, replacement)
        assert ours.shape == tuple(expected.shape) and ours.dtype == np.int64
        assert ((ours.numpy() >= 0) & (ours.numpy() < shape[-1])).all()


BAD = [  # weights, num_samples, replacement, error, message
    ([1, 2], 1, False, DTypeError, "must be floating"),
    (np.ones((2, 2, 2)), 1, False, ShapeError, "1-d .* or 2-d"),
    (1.0, 1, False, ShapeError, "1-d .* or 2-d"),
    ([1.0, 2.0], 0, False, UsageError, "num_samples must be >= 1"),
    ([1.0, 2.0], -1, True, UsageError, "num_samples must be >= 1"),
    ([1.0, 2.0], 2.0, False, UsageError, "num_samples must be an int"),
    ([1.0, 2.0], True, False, UsageError, "num_samples must be an int"),
    ([1.0, 2.0, 3.0], 4, False, UsageError, "cannot draw 4 samples without replacement"),
    ([1.0, -1.0], 1, False, UsageError, "finite and >= 0"),
    ([1.0, np.nan], 1, True, UsageError, "finite and >= 0"),
    ([1.0, np.inf], 1, False, UsageError, "finite and >= 0"),
    ([0.0, 0.0], 1, True, UsageError, "row 0 of the weights is all zeros"),
    ([[1.0, 1.0], [0.0, 0.0]], 1, False, UsageError, "row 1 of the weights is all zeros"),
]


@pytest.mark.parametrize("weights, num_samples, replacement, error, message", BAD)
def test_bad_input_is_named(weights, num_samples, replacement, error, message) -> None:
    with pytest.raises(error, match=message):
        ag.multinomial(np.asarray(weights), num_samples, replacement)


@pytest.mark.parametrize("weights, num_samples, replacement, error, message", BAD)
def test_torch_refuses_the_same_input(weights, num_samples, replacement, error,
                                      message) -> None:
    torch = pytest.importorskip("torch")
    with pytest.raises((RuntimeError, TypeError)):
        torch.multinomial(torch.tensor(np.asarray(weights)), num_samples, replacement)


def test_a_generator_that_is_not_numpys_is_named() -> None:
    with pytest.raises(GeneratorError, match="multinomial: generator must be"):
        ag.multinomial(WEIGHTS, 1, generator=0)
