"""fit(resume_from=) with a DataLoader whose sampler draws at random: what is restored."""
from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

import nn
import nn.functional as F
from nn.data import BatchSampler, DataLoader, RandomSampler, WeightedRandomSampler
from nn.models import MLP
from nn.train import ModelCheckpoint, fit

RNG = np.random.default_rng(0)
X = RNG.uniform(size=(60, 4))
Y = (X[:, 0] + X[:, 1] > 1).astype(np.int64)


def _resumed_equals_full(folder: Path, make_loader: Callable[[int], DataLoader]) -> bool:
    """Train 4 epochs at once, and 2 + 2 resumed (the resumed run built from other seeds:
    what the checkpoint restores must win); whether the weights are equal."""
    def run(seed: int, epochs: int, resume: bool) -> dict:
        nn.manual_seed(seed)
        model = MLP([4, 8, 2], output="softmax", rng=0)
        fit(model, F.cross_entropy, nn.optim.SGD(model.parameters(), lr=0.1),
            make_loader(seed), epochs=epochs, progress=False,
            callbacks=[ModelCheckpoint(folder / "c.npz", monitor="loss")],
            resume_from=folder / "c.npz" if resume else None)
        return model.state_dict()

    full = run(1, 4, resume=False)
    run(1, 2, resume=False)
    resumed = run(5, 4, resume=True)
    return all(np.array_equal(full[k], resumed[k]) for k in full)


@pytest.mark.parametrize("make_loader", [
    lambda seed: DataLoader(X, Y, batch_size=16, sampler=RandomSampler(X)),
    lambda seed: DataLoader(X, Y, batch_size=16,
                            sampler=WeightedRandomSampler(np.arange(1.0, 61.0), 60)),
    lambda seed: DataLoader(X, Y, batch_sampler=BatchSampler(RandomSampler(X), 16, False)),
], ids=["random", "weighted", "batch_sampler"])
def test_samplers_on_the_default_generator_resume_bit_for_bit(make_loader: Callable,
                                                              tmp_path: Path) -> None:
    assert _resumed_equals_full(tmp_path, make_loader)


@pytest.mark.parametrize("make_loader", [
    lambda seed: DataLoader(X, Y, batch_size=16, sampler=RandomSampler(X, generator=seed)),
    lambda seed: DataLoader(X, Y, batch_size=16, sampler=WeightedRandomSampler(
        np.arange(1.0, 61.0), 60, generator=seed + 1)),
    lambda seed: DataLoader(X, Y, batch_sampler=BatchSampler(
        RandomSampler(X, generator=seed), 16, False)),
], ids=["random", "weighted", "batch_sampler"])
def test_a_samplers_own_generator_is_restored(make_loader: Callable, tmp_path: Path) -> None:
    assert _resumed_equals_full(tmp_path, make_loader)
