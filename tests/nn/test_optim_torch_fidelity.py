"""Optimizers and schedulers where fuzzing their arguments against torch.optim found them
lenient or different: a param group added after a scheduler, a set of params, ASGD's and
Muon's hyper-parameters, ASGD's state shapes, Adagrad's state from the start,
ReduceLROnPlateau's min_lr for a new group and its deprecated epoch argument."""
from __future__ import annotations

import numpy as np
import pytest

import autograd
import nn
from autograd.errors import AutogradError
from nn.errors import ArgumentTypeError, ConfigError, StateDictError


def _param(size: int = 2) -> autograd.Tensor:
    return autograd.Tensor(np.zeros(size), requires_grad=True)


SCHEDULERS = {
    "LambdaLR": lambda S, o: S.LambdaLR(o, lambda e: 0.5 ** e),
    "MultiplicativeLR": lambda S, o: S.MultiplicativeLR(o, lambda e: 0.5),
    "CyclicLR": lambda S, o: S.CyclicLR(o, 0.01, 0.1, step_size_up=2, cycle_momentum=False),
    "CosineAnnealingWarmRestarts": lambda S, o: S.CosineAnnealingWarmRestarts(o, 3),
    "OneCycleLR": lambda S, o: S.OneCycleLR(o, max_lr=1.0, total_steps=10),
}


@pytest.mark.parametrize("make", SCHEDULERS.values(), ids=SCHEDULERS)
def test_a_group_added_after_the_scheduler_is_refused_as_pytorch(make, torch) -> None:
    """The new group kept its lr for ever (MultiplicativeLR: a bare IndexError); PyTorch
    fails at the next step too."""
    p, q = torch.zeros(1, requires_grad=True), torch.zeros(1, requires_grad=True)
    opt = torch.optim.SGD([p], lr=0.1)
    scheduler = make(torch.optim.lr_scheduler, opt)
    opt.add_param_group({"params": [q], "lr": 0.3})
    opt.step()
    with pytest.raises((ValueError, KeyError)):
        scheduler.step()
    opt = nn.optim.SGD([_param()], lr=0.1)
    scheduler = make(nn.optim.lr_scheduler, opt)
    opt.add_param_group({"params": [_param()], "lr": 0.3})
    opt.step()
    with pytest.raises(ConfigError, match="add_param_group after the scheduler"):
        scheduler.step()


def test_step_schedules_go_on_with_a_new_group_as_pytorch(torch) -> None:
    """StepLR chains from each group's lr, so a group added later is scheduled too."""
    lrs = []
    for lib, tensor in ((nn, _param), (torch, lambda: torch.zeros(1, requires_grad=True))):
        opt = lib.optim.SGD([tensor()], lr=0.1)
        scheduler = lib.optim.lr_scheduler.StepLR(opt, 1, gamma=0.5)
        opt.add_param_group({"params": [tensor()], "lr": 0.3})
        opt.step()
        scheduler.step()
        lrs.append([g["lr"] for g in opt.param_groups])
    np.testing.assert_allclose(lrs[0], lrs[1])


def test_plateau_gives_a_new_group_its_one_min_lr_and_refuses_a_short_list(torch) -> None:
    for min_lr in (0.02, [0.02]):
        results = []
        for lib, tensor in ((nn, _param), (torch, lambda: torch.zeros(1, requires_grad=True))):
            opt = lib.optim.SGD([tensor()], lr=0.1)
            scheduler = lib.optim.lr_scheduler.ReduceLROnPlateau(opt, patience=0,
                                                                 min_lr=min_lr)
            opt.add_param_group({"params": [tensor()], "lr": 0.3})
            scheduler.step(1.0)
            try:
                scheduler.step(2.0)
                results.append([g["lr"] for g in opt.param_groups])
            except (RuntimeError, ConfigError) as exc:
                results.append(type(exc))
        if isinstance(min_lr, list):
            assert results == [ConfigError, RuntimeError]
        else:
            np.testing.assert_allclose(results[0], results[1])
            np.testing.assert_allclose(results[0], [0.02, 0.03])


def test_plateau_state_saved_before_default_min_lr_still_loads() -> None:
    scheduler = nn.optim.lr_scheduler.ReduceLROnPlateau(nn.optim.SGD([_param()], lr=0.1))
    state = scheduler.state_dict()
    del state["default_min_lr"]
    scheduler.load_state_dict(state)
    assert scheduler.default_min_lr is None


def test_plateau_step_takes_pytorchs_deprecated_epoch(torch) -> None:
    ours = nn.optim.lr_scheduler.ReduceLROnPlateau(nn.optim.SGD([_param()], lr=0.1))
    theirs = torch.optim.lr_scheduler.ReduceLROnPlateau(
        torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=0.1))
    with pytest.warns(UserWarning):
        theirs.step(1.0, 5)
    with pytest.warns(UserWarning, match="deprecated"):
        ours.step(1.0, 5)
    assert ours.last_epoch == theirs.last_epoch == 5


def test_a_set_of_params_in_a_group_is_refused_as_pytorch(torch) -> None:
    with pytest.raises(TypeError):
        torch.optim.SGD([{"params": {torch.zeros(1, requires_grad=True)}}], lr=0.1)
    with pytest.raises(ArgumentTypeError, match="ordered"):
        nn.optim.SGD([{"params": {_param()}}], lr=0.1)


def test_asgd_state_of_another_shape_is_refused_at_load() -> None:
    small = nn.optim.ASGD([_param(2)], lr=0.1)
    small.param_groups[0]["params"][0].grad = np.ones(2)
    small.step()
    big = nn.optim.ASGD([_param(3)], lr=0.1)
    with pytest.raises(StateDictError, match="'ax'"):
        big.load_state_dict(small.state_dict())


@pytest.mark.parametrize("make", [
    lambda: nn.optim.ASGD([_param()], lambd=None),
    lambda: nn.optim.ASGD([_param()], alpha="x"),
    lambda: nn.optim.ASGD([_param()], t0=None),
    lambda: nn.optim.Muon([autograd.Tensor(np.zeros((2, 2)), requires_grad=True)],
                          ns_coefficients="abc"),
    lambda: nn.optim.Muon([autograd.Tensor(np.zeros((2, 2)), requires_grad=True)],
                          ns_coefficients=0.5),
    lambda: nn.optim.Muon([autograd.Tensor(np.zeros((2, 2)), requires_grad=True)],
                          ns_coefficients=(1.0, "b", 2.0)),
])
def test_hyper_parameters_are_checked_when_built(make) -> None:
    """They failed with bare NumPy or Python errors at the first step."""
    with pytest.raises(AutogradError):
        make()


def test_adagrads_state_exists_before_the_first_step_as_pytorch(torch) -> None:
    ours = nn.optim.Adagrad([_param()], initial_accumulator_value=0.5)
    theirs = torch.optim.Adagrad([torch.zeros(2, requires_grad=True)],
                                 initial_accumulator_value=0.5)
    ours_state, their_state = ours.state_dict()["state"], theirs.state_dict()["state"]
    assert list(ours_state) == list(their_state) == [0]
    assert float(ours_state[0]["step"]) == float(their_state[0]["step"]) == 0.0
    np.testing.assert_array_equal(np.asarray(ours_state[0]["sum"]),
                                  their_state[0]["sum"].numpy())
    q = _param()
    ours.add_param_group({"params": [q]})  # a later group starts at its first step
    q.grad = np.ones(2)
    ours.step()
    assert float(ours.state[q]["step"]) == 1.0
