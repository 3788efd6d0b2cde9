"""``normal``, ``bernoulli`` (and ``Tensor.bernoulli``) and ``poisson``: the moments a
correct sampler gives, PyTorch's overloads, shapes and dtypes, and every refusal PyTorch
makes, named."""

from __future__ import annotations

import numpy as np
import pytest

import autograd as ag
from autograd.errors import DTypeError, GeneratorError, ShapeError, UsageError


def rng(seed: int = 0) -> np.random.Generator:
    return np.random.default_rng(seed)


def test_normal_with_tensors_draws_each_element_from_its_own_mean_and_std() -> None:
    means = ag.tensor(np.tile([0.0, 10.0], (20000, 1)))
    drawn = ag.normal(means, ag.tensor([1.0, 3.0]), generator=rng()).numpy()
    assert drawn.shape == (20000, 2)
    np.testing.assert_allclose(drawn.mean(axis=0), [0, 10], atol=0.1)
    np.testing.assert_allclose(drawn.std(axis=0), [1, 3], rtol=0.03)


def test_normal_with_numbers_and_a_size() -> None:
    drawn = ag.normal(5.0, 2.0, (20000,), generator=rng()).numpy()
    assert drawn.dtype == np.float64  # Python numbers: float64, as elsewhere here
    assert abs(drawn.mean() - 5) < 0.05 and abs(drawn.std() - 2) < 0.05
    assert ag.normal(0, 1, (2,), dtype=np.float32).dtype == np.float32


def test_bernoulli_frequencies_follow_the_probabilities() -> None:
    probabilities = ag.tensor(np.tile([0.0, 0.25, 1.0], (20000, 1)), dtype=np.float32)
    drawn = ag.bernoulli(probabilities, generator=rng()).numpy()
    assert drawn.dtype == np.float32 and set(np.unique(drawn)) <= {0.0, 1.0}
    np.testing.assert_allclose(drawn.mean(axis=0), [0, 0.25, 1], atol=0.01)
    with_p = ag.zeros(20000, dtype=np.int64).bernoulli(0.7, generator=rng()).numpy()
    assert with_p.dtype == np.int64 and abs(with_p.mean() - 0.7) < 0.01


def test_poisson_counts_have_the_rates_as_mean_and_variance() -> None:
    rates = ag.tensor(np.tile([0.0, 0.5, 4.0, 30.0], (20000, 1)))
    counts = ag.poisson(rates, generator=rng()).numpy()
    assert counts.dtype == np.float64 and (counts == np.round(counts)).all()
    np.testing.assert_allclose(counts.mean(axis=0), [0, 0.5, 4, 30], rtol=0.03, atol=1e-12)
    np.testing.assert_allclose(counts.var(axis=0), [0, 0.5, 4, 30], rtol=0.05, atol=1e-12)


def test_seeded_generators_reproduce_and_samples_are_constants() -> None:
    mean = ag.zeros(3, requires_grad=True)
    for make in (lambda g: ag.normal(mean, 1.0, generator=g),
                 lambda g: ag.bernoulli(mean + 0.5, generator=g),
                 lambda g: (mean + 0.5).bernoulli(0.3, generator=g),
                 lambda g: ag.poisson(mean + 2, g)):
        first = make(rng(5))
        np.testing.assert_array_equal(first.numpy(), make(rng(5)).numpy())
        assert not first.requires_grad and first.is_leaf
        assert make(None).shape == (3,)  # None: a fresh generator


CALLS = [  # calls taking the module and a float32 zeros tensor of shape (2, 3)
    lambda m, z: m.normal(z, 1.0),
    lambda m, z: m.normal(z, z + 1),
    lambda m, z: m.normal(z, z[0] + 1),
    lambda m, z: m.normal(z[:, :1], z[:1] + 1),
    lambda m, z: m.normal(0.0, z + 1),
    lambda m, z: m.normal(z[0], z + 1),
    lambda m, z: m.normal(z, z.double() + 1),
    lambda m, z: m.normal(z.double(), z + 1),
    lambda m, z: m.normal(1, z.double() + 1),
    lambda m, z: m.normal(0.0, 1.0, (2, 3), dtype=z.dtype),
    lambda m, z: m.bernoulli(z + 0.5),
    lambda m, z: m.bernoulli(z.double(), 0.3),
    lambda m, z: m.bernoulli(z.long(), p=0.5),
    lambda m, z: m.bernoulli(z.bool(), 0.5),
    lambda m, z: (z + 0.5).bernoulli(),
    lambda m, z: z.half().bernoulli(0.5),
    lambda m, z: m.poisson(z + 2),
    lambda m, z: m.poisson(z.double() + 2, None),
    lambda m, z: m.poisson(z.half() + 2),
]


@pytest.mark.parametrize("call", CALLS)
def test_shapes_and_dtypes_as_torch(call) -> None:
    torch = pytest.importorskip("torch")
    ours = call(ag, ag.zeros(2, 3, dtype=np.float32))
    theirs = call(torch, torch.zeros(2, 3))
    assert ours.shape == tuple(theirs.shape)
    assert str(ours.dtype) == str(theirs.dtype).replace("torch.", "")


BAD = [  # call (given the module and a float32 zeros tensor of shape (3,)), error, message
    (lambda m, z: m.normal(z, -1.0), UsageError, "std must be >= 0; got -1"),
    (lambda m, z: m.normal(0.0, -1.0, (2,)), UsageError, "std must be >= 0"),
    (lambda m, z: m.normal(0.0, z - 1), UsageError, "std must be >= 0"),
    (lambda m, z: m.normal(z, float("nan")), UsageError, "std must be >= 0; got nan"),
    (lambda m, z: m.normal(z.long(), 1.0), DTypeError, "normal: a mean or std tensor"),
    (lambda m, z: m.normal(z, 1.0, (3,)), UsageError, "size goes with a number"),
    (lambda m, z: m.normal(0.0, 1.0), UsageError, "give size as a tuple"),
    (lambda m, z: m.normal(z, m.zeros(2) + 1), ShapeError, "must broadcast together"),
    (lambda m, z: m.bernoulli(z + 1.5), UsageError, r"in \[0, 1\]; got 1.5"),
    (lambda m, z: m.bernoulli(z - 0.5), UsageError, r"in \[0, 1\]; got -0.5"),
    (lambda m, z: m.bernoulli(z + float("nan")), UsageError, r"in \[0, 1\]; got nan"),
    (lambda m, z: m.bernoulli(z.long()), DTypeError, "probabilities must be floating"),
    (lambda m, z: m.bernoulli(z.bool()), DTypeError, "probabilities must be floating"),
    (lambda m, z: m.bernoulli(z, 1.3), UsageError, r"in \[0, 1\]; got 1.3"),
    (lambda m, z: m.bernoulli(z, float("nan")), UsageError, r"in \[0, 1\]; got nan"),
    (lambda m, z: z.bernoulli(z), UsageError, "one probability for every element"),
    (lambda m, z: m.poisson(z - 2), UsageError, "rates must be finite and >= 0"),
    (lambda m, z: m.poisson(z + float("nan")), UsageError, "rates must be finite and >= 0"),
    (lambda m, z: m.poisson(z.long() + 2), DTypeError, "poisson: the rates must be floating"),
    # continuous samples into an integer dtype: were silently truncated (or NumPy's error)
    (lambda m, z: m.normal(0.0, 5.0, (3,), dtype=z.long().dtype), DTypeError,
     "normal: the dtype must be floating"),
    (lambda m, z: m.normal(z, 5.0, dtype=z.long().dtype), DTypeError, "the dtype must be"),
    (lambda m, z: m.rand(3, dtype=z.long().dtype), DTypeError, "rand: the dtype must be"),
    (lambda m, z: m.randn(3, dtype=z.long().dtype), DTypeError, "randn: the dtype must be"),
    (lambda m, z: m.randn(3, dtype=z.bool().dtype), DTypeError, "randn: the dtype must be"),
]


@pytest.mark.parametrize("call, error, message", BAD)
def test_bad_input_is_named(call, error, message) -> None:
    with pytest.raises(error, match=message):
        call(ag, ag.zeros(3, dtype=np.float32))


@pytest.mark.parametrize("call, error, message", BAD)
def test_torch_refuses_the_same_input(call, error, message) -> None:
    torch = pytest.importorskip("torch")
    with pytest.raises((RuntimeError, TypeError, NotImplementedError)):
        call(torch, torch.zeros(3))


def test_rates_torch_turns_into_garbage_are_refused() -> None:
    """PyTorch's poisson gives -9.2e18 for an infinite rate; NumPy cannot draw beyond
    about 1e18. Both are refused here, by name."""
    with pytest.raises(UsageError, match="finite and >= 0"):
        ag.poisson(ag.tensor([np.inf]))
    with pytest.raises(UsageError, match="too large to sample"):
        ag.poisson(ag.tensor([1e19]))


def test_a_generator_that_is_not_numpys_is_named() -> None:
    for call in (lambda: ag.normal(0.0, 1.0, (2,), generator=1),
                 lambda: ag.bernoulli(ag.zeros(2), generator=1),
                 lambda: ag.zeros(2).bernoulli(0.5, generator=1),
                 lambda: ag.poisson(ag.zeros(2), 1)):
        with pytest.raises(GeneratorError, match="generator must be a numpy.random.Generator"):
            call()
