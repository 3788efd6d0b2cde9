"""CosineAnnealingLR takes a float period, as PyTorch's does: DARTS' ``train_search.py``
writes ``CosineAnnealingLR(optimizer, float(args.epochs), eta_min=...)``."""

import numpy as np
import pytest

from nn.errors import ConfigError
from nn.optim import CosineAnnealingLR
from scheduler_helpers import make_optimizer, torch_optimizer, trajectory


@pytest.mark.parametrize("T_max", [5.0, 2.5, np.float64(4.0)])
def test_cosine_annealing_float_period_matches_torch(torch, T_max):
    ours = make_optimizer()
    theirs = torch_optimizer(torch)
    got = trajectory(CosineAnnealingLR(ours, T_max, eta_min=1e-3), ours, steps=14)
    want = trajectory(torch.optim.lr_scheduler.CosineAnnealingLR(
        theirs, float(T_max), eta_min=1e-3), theirs, steps=14)
    np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize("T_max", [0.0, -1.5, float("inf")])
def test_cosine_annealing_period_must_be_positive_and_finite(T_max):
    with pytest.raises(ConfigError, match=r"T_max must be a .*number > 0"):
        CosineAnnealingLR(make_optimizer(), T_max)
