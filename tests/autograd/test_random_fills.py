"""The in-place random fills ``bernoulli_ random_ exponential_ geometric_`` (beside
``uniform_ normal_``): the distributions a correct sampler gives, the dtypes PyTorch fills,
the in-place rules (refused on a tensor that requires grad while recording, a write that
a saved graph notices), and every refusal PyTorch makes, named."""

from __future__ import annotations

import numpy as np
import pytest

import autograd as ag
from autograd.errors import DTypeError, GeneratorError, InplaceError, ShapeError, UsageError


def rng(seed: int = 0) -> np.random.Generator:
    return np.random.default_rng(seed)


def test_bernoulli_fills_with_the_probability() -> None:
    t = ag.zeros(20000, dtype=np.float32)
    assert t.bernoulli_(0.3, generator=rng()) is t
    assert set(np.unique(t.numpy())) == {0.0, 1.0} and abs(t.numpy().mean() - 0.3) < 0.01
    per_column = ag.zeros(20000, 3, dtype=np.int64).bernoulli_(ag.tensor([0.0, 0.5, 1.0]),
                                                                generator=rng())
    np.testing.assert_allclose(per_column.numpy().mean(axis=0), [0, 0.5, 1], atol=0.015)
    assert abs(ag.zeros(2000, dtype=np.bool_).bernoulli_(generator=rng()).numpy().mean()
               - 0.5) < 0.05


def test_random_fills_integers_uniform_over_its_range() -> None:
    drawn = ag.zeros(30000).random_(2, 5, generator=rng()).numpy()
    np.testing.assert_allclose(np.bincount(drawn.astype(int) - 2) / drawn.size, [1 / 3] * 3,
                               atol=0.015)
    assert set(ag.zeros(300).random_(3, generator=rng()).numpy()) == {0, 1, 2}
    assert set(ag.zeros(300).random_(to=2, generator=rng()).numpy()) == {0, 1}
    assert set(ag.zeros(300, dtype=np.int8).random_(-3, -1, generator=rng()).numpy()) == {
        -3, -2}


@pytest.mark.parametrize("dtype, largest", [
    (np.uint8, 255), (np.int8, 127), (np.bool_, 1), (np.float16, 2 ** 11),
    (np.float32, 2 ** 24), (np.float64, 2 ** 53)])
def test_random_without_bounds_reaches_the_largest_exact_integer(dtype, largest) -> None:
    drawn = ag.zeros(2000, dtype=dtype).random_(generator=rng()).numpy().astype(np.float64)
    assert drawn.min() >= 0 and drawn.max() <= largest and drawn.max() > largest * 0.9
    assert (drawn == np.round(drawn)).all()
    assert ag.zeros(50, dtype=dtype).random_(1, None, generator=rng()).numpy().min() >= 1


def test_exponential_and_geometric_have_their_moments() -> None:
    drawn = ag.zeros(30000, dtype=np.float32).exponential_(2.0, generator=rng()).numpy()
    assert drawn.dtype == np.float32 and drawn.min() >= 0
    assert abs(drawn.mean() - 0.5) < 0.01 and abs(drawn.var() - 0.25) < 0.015
    trials = ag.zeros(30000, dtype=np.int64).geometric_(0.25, generator=rng()).numpy()
    assert trials.min() == 1 and abs(trials.mean() - 4) < 0.1  # mean 1 / p
    assert abs((trials == 1).mean() - 0.25) < 0.01
    assert (ag.zeros(3).exponential_(np.inf).numpy() == 0).all()  # as PyTorch's


def test_a_seeded_generator_reproduces() -> None:
    for fill in (lambda t, g: t.bernoulli_(0.4, generator=g),
                 lambda t, g: t.random_(0, 100, generator=g),
                 lambda t, g: t.exponential_(generator=g),
                 lambda t, g: t.geometric_(0.5, generator=g)):
        first, second = fill(ag.zeros(6), rng(4)), fill(ag.zeros(6), rng(4))
        np.testing.assert_array_equal(first.numpy(), second.numpy())
        assert fill(ag.zeros(6), None).shape == (6,)  # None: a fresh generator


FILLS = [lambda t: t.bernoulli_(), lambda t: t.bernoulli_(0.5), lambda t: t.random_(),
         lambda t: t.random_(5), lambda t: t.exponential_(), lambda t: t.geometric_(0.5),
         lambda t: t.uniform_(), lambda t: t.normal_()]


@pytest.mark.parametrize("fill", FILLS)
def test_the_in_place_rules_hold(fill) -> None:
    leaf = ag.zeros(3, requires_grad=True)
    with pytest.raises(InplaceError, match="under autograd.no_grad"):
        fill(leaf)
    with ag.no_grad():
        assert fill(leaf) is leaf  # an initialiser under no_grad(), as in PyTorch
    x, w = ag.ones(3, requires_grad=True), ag.ones(3)
    y = (x * w).sum()  # saves w for x's gradient
    fill(w)
    with pytest.raises(InplaceError):
        y.backward()


@pytest.mark.parametrize("name, call", [
    ("bernoulli_", lambda m, t: t.bernoulli_(0.3)),
    ("random_", lambda m, t: t.random_(-2, 3)),
    ("exponential_", lambda m, t: t.exponential_(1.5)),
    ("geometric_", lambda m, t: t.geometric_(0.3))])
@pytest.mark.parametrize("dtype", ["float16", "float32", "int64", "uint8", "bool"])
def test_the_dtypes_filled_as_torch(name, call, dtype) -> None:
    torch = pytest.importorskip("torch")
    try:
        call(torch, torch.zeros(3, dtype=getattr(torch, dtype)))
    except (RuntimeError, NotImplementedError):
        with pytest.raises((DTypeError, UsageError)):
            call(ag, ag.zeros(3, dtype=dtype))
    else:
        assert call(ag, ag.zeros(3, dtype=dtype)).dtype == np.dtype(dtype)


BAD = [  # call (given the module and a float32 zeros tensor of shape (3,)), error, message
    (lambda m, t: t.bernoulli_(1.3), UsageError, r"bernoulli_: .* in \[0, 1\]; got 1.3"),
    (lambda m, t: t.bernoulli_(-0.1), UsageError, r"in \[0, 1\]; got -0.1"),
    (lambda m, t: t.bernoulli_(t + 1.5), UsageError, r"in \[0, 1\]; got 1.5"),
    (lambda m, t: t.bernoulli_(m.zeros(2) + 0.5), ShapeError, "does not broadcast"),
    (lambda m, t: t.bernoulli_(m.zeros(2, 3) + 0.5), ShapeError, "does not broadcast"),
    (lambda m, t: t.random_(5, 2), UsageError, "low must be less than high"),
    (lambda m, t: t.random_(0), UsageError, "low=0, high=0"),
    (lambda m, t: t.random_(2.5), UsageError, "must be an int"),
    (lambda m, t: t.to(m.uint8).random_(300), DTypeError, "does not fit a uint8"),
    (lambda m, t: t.to(m.uint8).random_(-3, 2), DTypeError, "does not fit a uint8"),
    (lambda m, t: t.half().random_(0, 2 ** 20), DTypeError, "does not fit a float16"),
    (lambda m, t: t.exponential_(0.0), UsageError, "lambd .* must be > 0; got 0.0"),
    (lambda m, t: t.exponential_(-1.0), UsageError, "must be > 0"),
    (lambda m, t: t.exponential_(float("nan")), UsageError, "must be > 0"),
    (lambda m, t: t.long().exponential_(), DTypeError, "exponential_: the tensor must be"),
    (lambda m, t: t.geometric_(0.0), UsageError, r"p must be in \(0, 1\); got 0.0"),
    (lambda m, t: t.geometric_(1.0), UsageError, r"p must be in \(0, 1\)"),
    (lambda m, t: t.geometric_(1.5), UsageError, r"p must be in \(0, 1\)"),
    (lambda m, t: t.bool().geometric_(0.5), DTypeError, "this one is bool"),
    (lambda m, t: t.exponential_(t + 1.0), UsageError, "exponential_: lambd must be a number"),
    (lambda m, t: t.exponential_("2"), UsageError, "lambd must be a number, .* got '2'"),
    (lambda m, t: t.geometric_(t + 0.5), UsageError, "geometric_: p must be a number"),
    (lambda m, t: t.geometric_(None), UsageError, "p must be a number, .* got None"),
]


class _Module:
    """``autograd`` with NumPy's dtypes under torch's names, so one lambda calls both."""
    uint8 = np.uint8

    def __getattr__(self, name: str):
        return getattr(ag, name)


@pytest.mark.parametrize("call, error, message", BAD)
def test_bad_input_is_named(call, error, message) -> None:
    with pytest.raises(error, match=message):
        call(_Module(), ag.zeros(3, dtype=np.float32))


@pytest.mark.parametrize("call, error, message", BAD)
def test_torch_refuses_the_same_input(call, error, message) -> None:
    torch = pytest.importorskip("torch")
    with pytest.raises((RuntimeError, TypeError, NotImplementedError)):
        call(torch, torch.zeros(3))


def test_a_generator_that_is_not_numpys_is_named() -> None:
    for fill in ("bernoulli_", "random_", "exponential_"):
        with pytest.raises(GeneratorError, match=f"{fill}: generator must be"):
            getattr(ag.zeros(2), fill)(generator=1)
    with pytest.raises(GeneratorError, match="geometric_: generator must be"):
        ag.zeros(2).geometric_(0.5, generator=1)
