"""The schedulers' deprecated ``verbose=`` has been removed, as in PyTorch 2.14: a named
TypeError that says so, for every scheduler."""
import inspect
import pickle

import numpy as np
import pytest

import autograd
import nn.optim
from nn.errors import ArgumentTypeError

ARGS = {"StepLR": {"step_size": 2}, "MultiStepLR": {"milestones": [2]},
        "ExponentialLR": {"gamma": 0.9}, "CosineAnnealingLR": {"T_max": 5},
        "ReduceLROnPlateau": {}, "CyclicLR": {"base_lr": 0.01, "max_lr": 0.1},
        "OneCycleLR": {"max_lr": 0.1, "total_steps": 10},
        "CosineAnnealingWarmRestarts": {"T_0": 3}, "LambdaLR": {"lr_lambda": lambda e: 1.0},
        "LinearLR": {}, "ConstantLR": {}, "PolynomialLR": {}}


def optimizer():
    return nn.optim.SGD([autograd.Tensor(np.ones(2), requires_grad=True)], lr=0.1,
                        momentum=0.9)


@pytest.mark.parametrize("name", sorted(ARGS))
@pytest.mark.parametrize("verbose", [False, True])
def test_verbose_is_a_named_error(name, verbose):
    with pytest.raises(ArgumentTypeError, match=r"verbose argument was deprecated and has "
                                                 r"been removed.*get_last_lr"):
        getattr(nn.optim, name)(optimizer(), **ARGS[name], verbose=verbose)


@pytest.mark.parametrize("name", ["StepLR", "ReduceLROnPlateau", "CosineAnnealingLR"])
def test_as_torch(name):
    torch = pytest.importorskip("torch")
    tcls = getattr(torch.optim.lr_scheduler, name)
    if "verbose" in inspect.signature(tcls).parameters:
        pytest.skip("this torch still takes verbose= (deprecated); 2.14 raises TypeError, "
                    "which the test above pins")
    topt = torch.optim.SGD([torch.nn.Parameter(torch.ones(2))], lr=0.1)
    with pytest.raises(TypeError, match="verbose"):
        tcls(topt, **ARGS[name], verbose=False)
    with pytest.raises(TypeError, match="verbose"):
        getattr(nn.optim, name)(optimizer(), **ARGS[name], verbose=False)


def test_schedulers_without_verbose_still_build_and_pickle():
    sched = nn.optim.StepLR(optimizer(), step_size=2)
    assert pickle.loads(pickle.dumps(sched)).get_last_lr() == [0.1]
