"""Learning-rate schedulers against ``torch.optim.lr_scheduler``, continued (session 35
findings): PyTorch's public names (``in_cooldown``, ``mode_worse``, ``scale_fn``), the
``step(epoch)`` deprecation warning, constructors that refuse without touching the
optimizer, and named errors for ``milestones=5`` and a resume without ``initial_lr``."""


import numpy as np
import pytest

import autograd as ag
import nn
from nn.errors import ArgumentTypeError, ConfigError, NameNotFoundError


def sgd(T, optim, lr=0.1, **kwargs):
    """An SGD on one parameter, ours (T = autograd) or PyTorch's (T = torch)."""
    return optim.SGD([T.zeros(2, requires_grad=True)], lr=lr, **kwargs)


def libraries(torch):
    return [(ag, nn.optim), (torch, torch.optim)]


# ------------------------------------------------------------- 6. PyTorch's names
def test_plateau_in_cooldown_and_mode_worse_as_pytorchs(torch):
    seen = []
    for T, optim in libraries(torch):
        for mode in ("min", "max"):
            scheduler = optim.lr_scheduler.ReduceLROnPlateau(sgd(T, optim), mode=mode,
                                                             patience=0, cooldown=2)
            states = [scheduler.in_cooldown]
            for metric in (1.0, 1.0, 1.0, 1.0, 1.0):
                scheduler.step(metric)
                states.append(scheduler.in_cooldown)
            seen.append((mode, scheduler.mode_worse, states))
    assert seen[:2] == seen[2:]


@pytest.mark.parametrize("kwargs", [
    dict(mode="triangular"), dict(mode="triangular2"), dict(mode="exp_range", gamma=0.9),
    dict(scale_fn=lambda x: 1 / (1 + x), scale_mode="iterations"),
])
def test_cyclic_lr_scale_fn_is_public_as_pytorchs(torch, kwargs):
    values = []
    for T, optim in libraries(torch):
        scheduler = optim.lr_scheduler.CyclicLR(sgd(T, optim, momentum=0.9), 0.01, 0.1,
                                                step_size_up=3, **kwargs)
        values.append([scheduler.scale_fn(x) for x in (1, 2, 3, 7.5)])
    np.testing.assert_allclose(values[0], values[1], rtol=1e-12)


@pytest.mark.parametrize("name, args", [("StepLR", (2,)), ("ExponentialLR", (0.9,)),
                                        ("LambdaLR", (lambda e: 0.9 ** e,))])
def test_step_epoch_warns_that_it_is_deprecated_as_pytorch(torch, name, args):
    for T, optim in libraries(torch):
        opt = sgd(T, optim)
        scheduler = getattr(optim.lr_scheduler, name)(opt, *args)
        opt.step()
        with pytest.warns(UserWarning, match="epoch"):
            scheduler.step(3)


# ----------------------------------------- 7. constructors that refuse change nothing
@pytest.mark.parametrize("make", [
    lambda o: nn.optim.OneCycleLR(o, max_lr=1.0, total_steps=10),
    lambda o: nn.optim.CyclicLR(o, 0.01, 0.1),
])
def test_a_refused_cycling_scheduler_leaves_the_optimizer_as_it_was(make):
    opt = nn.optim.Adagrad([ag.zeros(2, requires_grad=True)], lr=0.1)  # no momentum
    before = [dict(g) for g in opt.param_groups]
    with pytest.raises(ConfigError, match="cycle_momentum"):
        make(opt)
    assert [dict(g) for g in opt.param_groups] == before
    scheduler = nn.optim.StepLR(opt, 2)  # a retry starts from the lr the user set
    assert scheduler.base_lrs == [0.1]


# --------------------------------------------------------------- 8. named errors
def test_milestones_that_are_not_a_list_get_a_named_type_error(torch):
    with pytest.raises(TypeError):
        torch.optim.lr_scheduler.MultiStepLR(sgd(torch, torch.optim), milestones=5)
    with pytest.raises(ArgumentTypeError, match=r"milestones must be a list of ints.*got 5"):
        nn.optim.MultiStepLR(sgd(ag, nn.optim), milestones=5)


def test_a_resume_without_initial_lr_is_a_key_error_as_pytorchs(torch):
    for T, optim in libraries(torch):
        with pytest.raises(KeyError):
            optim.lr_scheduler.StepLR(sgd(T, optim), 2, last_epoch=3)
    with pytest.raises(NameNotFoundError, match=r"param_groups\[0\] has no 'initial_lr'"):
        nn.optim.StepLR(sgd(ag, nn.optim), 2, last_epoch=3)
