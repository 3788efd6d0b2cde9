"""The process-wide default generator, as PyTorch's: ``generator=None`` draws from
``autograd.default_generator``; ``manual_seed``, ``seed``, ``initial_seed``,
``get_rng_state`` and ``set_rng_state`` work on it, and refuse what they cannot use."""

from __future__ import annotations

import threading
from typing import Any, Callable

import numpy as np
import pytest

import autograd as ag
from autograd.errors import UsageError


def _weights() -> ag.Tensor:
    return ag.tensor([[0.1, 0.5, 0.4], [0.3, 0.3, 0.4]])


# every random function and method of autograd, drawing from generator g
DRAWS: dict[str, Callable[[Any], ag.Tensor]] = {
    "rand": lambda g: ag.rand(2, 3, generator=g),
    "randn": lambda g: ag.randn(4, generator=g),
    "randint": lambda g: ag.randint(0, 100, (5,), generator=g),
    "randperm": lambda g: ag.randperm(8, generator=g),
    "rand_like": lambda g: ag.rand_like(ag.zeros(3), generator=g),
    "randn_like": lambda g: ag.randn_like(ag.zeros(3), generator=g),
    "randint_like": lambda g: ag.randint_like(ag.zeros(3), 100, generator=g),
    "normal": lambda g: ag.normal(0.0, 1.0, (4,), generator=g),
    "multinomial": lambda g: ag.multinomial(_weights(), 2, generator=g),
    "bernoulli": lambda g: ag.bernoulli(ag.full((6,), 0.5), generator=g),
    "poisson": lambda g: ag.poisson(ag.full((6,), 3.0), generator=g),
    "Tensor.multinomial": lambda g: _weights().multinomial(3, True, generator=g),
    "Tensor.bernoulli": lambda g: ag.full((6,), 0.5).bernoulli(generator=g),
    "uniform_": lambda g: ag.zeros(4).uniform_(-1.0, 1.0, generator=g),
    "normal_": lambda g: ag.zeros(4).normal_(generator=g),
    "cauchy_": lambda g: ag.zeros(4).cauchy_(generator=g),
    "log_normal_": lambda g: ag.zeros(4).log_normal_(generator=g),
    "exponential_": lambda g: ag.zeros(4).exponential_(generator=g),
    "geometric_": lambda g: ag.zeros(6).geometric_(0.3, generator=g),
    "random_": lambda g: ag.zeros(6).random_(100, generator=g),
    "bernoulli_": lambda g: ag.zeros(6).bernoulli_(0.5, generator=g),
}


@pytest.mark.parametrize("name", DRAWS)
def test_without_a_generator_every_draw_comes_from_the_seeded_default(name: str) -> None:
    """manual_seed(n), then generator=None draws as np.random.default_rng(n) would, and
    again after reseeding."""
    draw = DRAWS[name]
    ag.manual_seed(7)
    first = draw(None).numpy()
    np.testing.assert_array_equal(first, draw(np.random.default_rng(7)).numpy())
    ag.manual_seed(7)
    np.testing.assert_array_equal(draw(None).numpy(), first)


@pytest.mark.parametrize("name", DRAWS)
def test_a_given_generator_overrides_the_default_and_leaves_it_alone(name: str) -> None:
    ag.manual_seed(3)
    before = ag.get_rng_state()
    draw = DRAWS[name]
    np.testing.assert_array_equal(draw(np.random.default_rng(5)).numpy(),
                                  draw(np.random.default_rng(5)).numpy())
    assert ag.get_rng_state() == before


def test_manual_seed_reseeds_one_generator_in_place() -> None:
    held = ag.default_generator
    assert isinstance(held, np.random.Generator)
    assert ag.manual_seed(np.int64(2)) is held and ag.default_generator is held
    first = held.random(3)
    ag.manual_seed(2)
    np.testing.assert_array_equal(held.random(3), first)  # a holder follows the new seed
    ag.manual_seed(3)
    assert not np.array_equal(held.random(3), first)


def test_seed_and_initial_seed_are_torchs() -> None:
    ag.manual_seed(11)
    assert ag.initial_seed() == 11
    new = ag.seed()
    assert isinstance(new, int) and 0 <= new < 2 ** 64 and ag.initial_seed() == new
    np.testing.assert_array_equal(ag.rand(3).numpy(), np.random.default_rng(new).random(3))
    assert ag.seed() != new  # fresh entropy each time
    state = ag.get_rng_state()
    ag.manual_seed(4)
    ag.set_rng_state(state)
    assert ag.initial_seed() == 4  # set_rng_state leaves it, as torch's


def test_get_and_set_rng_state_round_trip() -> None:
    ag.manual_seed(0)
    ag.randn(5)
    state, state_copy = ag.get_rng_state(), ag.get_rng_state()
    after = ag.randn(4).numpy()
    ag.rand(10)
    ag.set_rng_state(state)
    np.testing.assert_array_equal(ag.randn(4).numpy(), after)
    state["state"]["state"] += 1  # a copy: changing it changes nothing
    ag.set_rng_state(state_copy)
    np.testing.assert_array_equal(ag.randn(4).numpy(), after)


@pytest.mark.parametrize("bad", ["0", 1.5, 2.0, True, None, np.random.default_rng(0)])
def test_manual_seed_takes_an_int(bad: Any) -> None:
    with pytest.raises(UsageError, match=r"manual_seed: the seed must be an int, e\.g\. "
                                         r"manual_seed\(0\); got \w+ "):
        ag.manual_seed(bad)
    with pytest.raises(TypeError):
        ag.manual_seed(bad)


def test_manual_seed_refuses_a_seed_below_minus_2_to_63() -> None:
    """-1 wraps around to 2^64 - 1, as PyTorch's; below -2^63 PyTorch refuses too."""
    with pytest.raises(UsageError, match=r"from -2\*\*63 on .*got -9223372036854775809"):
        ag.manual_seed(-2 ** 63 - 1)
    with pytest.raises(ValueError):
        ag.manual_seed(-2 ** 63 - 1)


@pytest.mark.parametrize("bad, got", [
    (1, "got int 1"), ({}, "got dict {}"), ({"bit_generator": "MT19937"}, "a MT19937 state"),
    ({"bit_generator": "PCG64", "state": {"state": 1, "inc": 3}}, "NumPy refuses"),
    (np.random.MT19937(0).state, "a MT19937 state")])
def test_a_wrong_rng_state_is_named_and_changes_nothing(bad: Any, got: str) -> None:
    ag.manual_seed(0)
    before = ag.get_rng_state()
    with pytest.raises(UsageError, match=r"set_rng_state: state must be a dict returned by "
                                         r"autograd\.get_rng_state\(\) .*" + got):
        ag.set_rng_state(bad)
    assert ag.get_rng_state() == before


def test_reseeding_waits_for_a_draw_holding_the_lock() -> None:
    """manual_seed takes the bit generator's lock (the one every NumPy draw holds), so it
    never lands in the middle of a draw."""
    ag.manual_seed(0)
    reseeder = threading.Thread(target=ag.manual_seed, args=(1,))
    with ag.default_generator.bit_generator.lock:  # as a draw in another thread would
        reseeder.start()
        reseeder.join(timeout=0.05)
        assert reseeder.is_alive()  # waiting for the lock
        assert ag.initial_seed() == 0
    reseeder.join()
    assert ag.initial_seed() == 1
