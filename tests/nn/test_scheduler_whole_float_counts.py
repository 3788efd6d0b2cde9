"""Step counts given as whole floats, as PyTorch takes them: GPyTorch's deep-kernel
examples write ``MultiStepLR(optimizer, milestones=[0.5 * args.epochs, 0.75 *
args.epochs])``, others ``StepLR(optimizer, step_size=epochs / 3)``. They were refused
here ("must be an int"). A count with a fraction (2.5) is never reached by ``step()``
(PyTorch skips it silently): here it stays an ``ArgumentTypeError``, now saying to round
it."""

import numpy as np
import pytest

from nn.errors import ArgumentTypeError
from nn.optim import lr_scheduler
from scheduler_helpers import make_optimizer, torch_optimizer, trajectory

CASES = [
    ("StepLR", dict(step_size=3.0, gamma=0.5)),
    ("MultiStepLR", dict(milestones=[0.5 * 8, 0.75 * 8], gamma=0.1)),
    ("MultiStepLR", dict(milestones=[np.float64(4.0), 4.0, 7], gamma=0.5)),
    ("LinearLR", dict(start_factor=0.25, total_iters=4.0)),
    ("ConstantLR", dict(factor=0.5, total_iters=3.0)),
    ("PolynomialLR", dict(total_iters=6.0, power=2.0)),
]


@pytest.mark.parametrize("name, kwargs", CASES, ids=[f"{c[0]}-{i}" for i, c in enumerate(CASES)])
def test_whole_float_counts_match_torch(torch, name, kwargs):
    ours = make_optimizer()
    theirs = torch_optimizer(torch)
    got = trajectory(getattr(lr_scheduler, name)(ours, **kwargs), ours, steps=12)
    want = trajectory(getattr(torch.optim.lr_scheduler, name)(theirs, **kwargs), theirs,
                      steps=12)
    np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize("build", [
    lambda o: lr_scheduler.MultiStepLR(o, milestones=[2.5, 4]),
    lambda o: lr_scheduler.StepLR(o, step_size=2.5),
    lambda o: lr_scheduler.LinearLR(o, total_iters=1.5),
], ids=["MultiStepLR", "StepLR", "LinearLR"])
def test_a_fractional_count_says_to_round_it(build):
    with pytest.raises(ArgumentTypeError, match=r"got [12]\.5 .*never reaches [12]\.5.*round it"):
        build(make_optimizer())
