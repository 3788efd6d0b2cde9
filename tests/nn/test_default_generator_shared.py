"""nn's default generator is autograd's: ``nn.manual_seed`` is ``autograd.manual_seed``,
and ``rng=None``/``generator=None`` in nn (init, dropout, layers) draws from
``autograd.default_generator``, as ``torch.manual_seed`` seeds everything in PyTorch."""

from __future__ import annotations

from typing import Any, Callable

import numpy as np
import pytest

import autograd as ag
import nn
import nn.functional as F
from nn import init
from nn._random import default_generator

# nn's random functions and layers, drawing from generator g
DRAWS: dict[str, Callable[[Any], np.ndarray]] = {
    "F.dropout": lambda g: F.dropout(ag.ones(10), 0.5, training=True, generator=g).numpy(),
    "F.dropout2d": lambda g: F.dropout2d(ag.ones(2, 4, 3, 3), 0.5, generator=g).numpy(),
    "init.normal_": lambda g: init.normal_(ag.zeros(5), rng=g).numpy(),
    "Linear": lambda g: nn.Linear(3, 2, rng=g).weight.detach().numpy(),
    "Dropout": lambda g: nn.Dropout(0.5, rng=g)(ag.ones(10)).numpy(),
}


@pytest.mark.parametrize("name", DRAWS)
def test_nn_without_a_generator_draws_from_autograds_default(name: str) -> None:
    draw = DRAWS[name]
    ag.manual_seed(5)
    first = draw(None)
    np.testing.assert_array_equal(first, draw(np.random.default_rng(5)))
    nn.manual_seed(5)
    np.testing.assert_array_equal(draw(None), first)


def test_nn_and_autograd_share_one_generator() -> None:
    assert nn.manual_seed is ag.manual_seed
    assert default_generator() is ag.default_generator
    assert nn.manual_seed(1) is ag.default_generator
    dropout = nn.Dropout(0.5)  # holds the default generator, built before the reseed
    x = ag.ones(8)

    def run() -> tuple[np.ndarray, ...]:  # nn and autograd draws interleaved
        return ag.randn(3).numpy(), dropout(x).numpy(), ag.rand(2).numpy(), \
            F.dropout(x, 0.5).numpy()

    ag.manual_seed(9)
    first = run()
    nn.manual_seed(9)
    for got, expected in zip(run(), first):
        np.testing.assert_array_equal(got, expected)
    state = ag.get_rng_state()
    first = run()
    ag.set_rng_state(state)
    for got, expected in zip(run(), first):
        np.testing.assert_array_equal(got, expected)
