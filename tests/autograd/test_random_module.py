"""``autograd.random``, as ``torch.random``: the default generator's seeding functions and
``fork_rng``, which restores the default generator's state on leaving its block (also on
an exception), so that the draws after it are those a run without the block makes. Each
property checked in PyTorch too, side by side."""

import numpy as np
import pytest

import autograd as ag


def draws_after(lib, use_fork: bool, **fork_args) -> np.ndarray:
    lib.random.manual_seed(7)
    first = lib.rand(2)
    if use_fork:
        with lib.random.fork_rng(**fork_args):
            lib.rand(5)  # e.g. an evaluation's sampling, kept out of the training stream
    return np.concatenate([first.numpy(), lib.rand(3).numpy()])


@pytest.mark.parametrize("fork_args", [{}, {"devices": []}, {"enabled": True}])
def test_fork_rng_restores_the_default_generator_as_torch(torch, fork_args) -> None:
    for lib in (ag, torch):
        np.testing.assert_array_equal(draws_after(lib, True, **fork_args),
                                      draws_after(lib, False))


def test_a_disabled_fork_keeps_the_draws_as_torch(torch) -> None:
    for lib in (ag, torch):
        assert not np.array_equal(draws_after(lib, True, enabled=False),
                                  draws_after(lib, False))


def test_fork_rng_restores_after_an_exception_as_torch(torch) -> None:
    for lib in (ag, torch):
        lib.random.manual_seed(3)
        with pytest.raises(KeyError):
            with lib.random.fork_rng():
                lib.rand(4)
                raise KeyError("inside")
        after = lib.rand(2).numpy()
        lib.random.manual_seed(3)
        np.testing.assert_array_equal(after, lib.rand(2).numpy())


def test_the_seeding_functions_are_the_top_level_ones() -> None:
    for name in ("manual_seed", "seed", "initial_seed", "get_rng_state", "set_rng_state"):
        assert getattr(ag.random, name) is getattr(ag, name)
    assert ag.random.manual_seed(5) is ag.default_generator
    assert ag.random.initial_seed() == 5
