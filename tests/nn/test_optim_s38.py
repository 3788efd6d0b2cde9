"""Session 38 optimizer and scheduler fixes: the group keys the library's schedulers write
(SWALR's swa_lr) load; SWALR inside ChainedScheduler/SequentialLR anneals as when stepped
alone; a group's own keys ("name") load as PyTorch's while another optimizer's state is
still refused; PyTorch's switches in a param group are checked and not kept;
MultiStepLR.milestones is a Counter and ReduceLROnPlateau's state dict has mode_worse."""
import math
import warnings
from collections import Counter

import numpy as np
import pytest

import autograd
import nn
from nn.errors import ArgumentTypeError, ConfigError, StateDictError
from nn.optim import SGD, Adam, Adamax, SparseAdam, lr_scheduler, swa_utils
from nn.optim.optimizer import Optimizer
from scheduler_helpers import lrs_after_steps


def param(n=2):
    return nn.Parameter(autograd.Tensor(np.ones(n)))


def linear_swa(start, swa_lr, anneal_epochs, steps):
    """SWALR's linear annealing from ``start``: swa_lr * a + start * (1 - a), a = t / T."""
    return [swa_lr * min(1, t / anneal_epochs) + start * (1 - min(1, t / anneal_epochs))
            for t in range(steps + 1)]


# ----------------------------------------------- 1. keys the schedulers write load
@pytest.mark.parametrize("attach", [
    lambda opt: swa_utils.SWALR(opt, swa_lr=0.05),
    lambda opt: lr_scheduler.OneCycleLR(opt, max_lr=1.0, total_steps=10),
    lambda opt: lr_scheduler.CyclicLR(opt, base_lr=0.01, max_lr=0.1, step_size_up=2),
    lambda opt: lr_scheduler.StepLR(opt, step_size=1),
], ids=["SWALR", "OneCycleLR", "CyclicLR", "StepLR"])
def test_a_state_dict_written_by_a_library_scheduler_loads_into_a_fresh_optimizer(attach):
    opt = SGD([param()], lr=0.1, momentum=0.9)
    scheduler = attach(opt)
    opt.step()
    scheduler.step()
    saved = opt.state_dict()
    fresh = SGD([param()], lr=0.1, momentum=0.9)
    fresh.load_state_dict(saved)
    expected = {k: v for k, v in saved["param_groups"][0].items() if k != "params"}
    assert {k: v for k, v in fresh.param_groups[0].items() if k != "params"} == expected


def test_swalr_resumes_on_the_loaded_optimizer():
    opt = SGD([param()], lr=0.1)
    swa = swa_utils.SWALR(opt, swa_lr=0.05, anneal_epochs=4, anneal_strategy="linear")
    opt.step()
    swa.step()
    fresh = SGD([param()], lr=0.1)
    fresh.load_state_dict(opt.state_dict())
    assert fresh.param_groups[0]["swa_lr"] == 0.05
    assert fresh.param_groups[0]["lr"] == pytest.approx(0.1 * 0.75 + 0.05 * 0.25)


# --------------------------------- 2. SWALR inside ChainedScheduler / SequentialLR
def test_swalr_in_a_chained_scheduler_anneals_as_alone():
    opt = SGD([param()], lr=0.1)
    swa = swa_utils.SWALR(opt, swa_lr=0.05, anneal_epochs=4, anneal_strategy="linear")
    chained = lrs_after_steps(opt, lr_scheduler.ChainedScheduler([swa]), 5)
    np.testing.assert_allclose(chained, linear_swa(0.1, 0.05, 4, 5), rtol=1e-12)
    assert swa._step_count == 6  # its constructor's step and five


def test_swalr_after_a_cosine_in_a_sequential_lr_starts_its_annealing_at_the_milestone():
    """The SWA recipe: cosine for 4 epochs, then SWALR restarted at its step 0 (lr as
    found, .01464) and annealed linearly to 0.05 over 3 steps."""
    opt = SGD([param()], lr=0.1)
    sequential = lr_scheduler.SequentialLR(
        opt, [lr_scheduler.CosineAnnealingLR(opt, T_max=4),
              swa_utils.SWALR(opt, swa_lr=0.05, anneal_epochs=3, anneal_strategy="linear")],
        milestones=[4])
    lrs = lrs_after_steps(opt, sequential, 8)
    cosine = [0.1 * (1 + math.cos(math.pi * e / 4)) / 2 for e in range(4)]
    expected = cosine + linear_swa(cosine[3], 0.05, 3, 4)  # epochs 4 to 8
    np.testing.assert_allclose(lrs, expected, rtol=1e-12)


@pytest.mark.parametrize("combine", [
    lambda opt, s: lr_scheduler.ChainedScheduler([s]),
    lambda opt, s: lr_scheduler.SequentialLR(opt, [s], milestones=[]),
], ids=["ChainedScheduler", "SequentialLR"])
def test_a_combiner_stepped_before_the_optimizer_warns_once(combine):
    opt = SGD([param()], lr=0.1)
    combined = combine(opt, lr_scheduler.ExponentialLR(opt, gamma=0.5))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        combined.step()
        combined.step()
    assert [str(w.message).split(".step()")[0] for w in caught] == [type(combined).__name__]
    opt2 = SGD([param()], lr=0.1)
    combined2 = combine(opt2, lr_scheduler.ExponentialLR(opt2, gamma=0.5))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        lrs_after_steps(opt2, combined2, 2)


# ------------------------------------------------- 4. a group's own keys load
def test_custom_group_keys_load_into_an_optimizer_built_without_them():
    enc, dec = param(), param()
    opt = Adam([{"params": [enc], "name": "encoder", "lr_scale": 0.1, "tags": ["a", "b"]},
                {"params": [dec], "name": "decoder"}], lr=1e-3)
    opt.param_groups[1]["added_later"] = 7
    fresh = Adam([{"params": [param()]}, {"params": [param()]}], lr=1e-3)
    fresh.load_state_dict(opt.state_dict())
    first, second = fresh.param_groups
    assert (first["name"], first["lr_scale"], first["tags"]) == ("encoder", 0.1, ["a", "b"])
    assert (second["name"], second["added_later"]) == ("decoder", 7)


@pytest.mark.parametrize("saved_cls, loading_cls, wrong", [
    (Adam, Adamax, r"missing: none; unexpected: \['amsgrad', 'decoupled_weight_decay'\]"),
    (Adamax, Adam, r"missing: \['amsgrad'\]"),  # decoupled_weight_decay came later
    (Adam, SGD, r"missing: \['dampening', 'momentum', 'nesterov'\]; unexpected: "
                r"\['amsgrad', 'betas', 'decoupled_weight_decay', 'eps'\]"),
])
def test_another_optimizers_state_dict_is_still_refused(saved_cls, loading_cls, wrong):
    p = param()
    saved = saved_cls([p], lr=0.1)
    p.grad = autograd.Tensor(np.ones(2))
    saved.step()
    with pytest.raises(StateDictError, match=wrong):
        loading_cls([param()], lr=0.1).load_state_dict(saved.state_dict())


# ------------------------------ 5. PyTorch's switches in a param group
@pytest.mark.parametrize("group, error, message", [
    ({"differentiable": True}, ConfigError, "differentiable=True"),
    ({"foreach": "yes"}, ArgumentTypeError, "foreach must be True or False"),
    ({"fused": 3}, ArgumentTypeError, "fused"),
    ({"capturable": None}, ArgumentTypeError, "capturable"),
])
def test_a_param_group_runs_the_constructors_switch_checks(group, error, message):
    with pytest.raises(error, match=message):
        SGD([param()], lr=0.1).add_param_group({"params": [param()], **group})
    with pytest.raises(error, match=message):
        SGD([{"params": [param()], **group}], lr=0.1)


def test_accepted_switches_are_not_kept_and_the_state_dict_loads_into_a_twin():
    opt = Adam([{"params": [param()], "foreach": True, "capturable": False}], lr=0.1)
    opt.add_param_group({"params": [param()], "fused": None, "differentiable": False})
    assert all(not {"foreach", "fused", "capturable", "differentiable"} & set(g)
               for g in opt.param_groups)
    twin = Adam([param()], lr=0.1)
    twin.add_param_group({"params": [param()]})
    twin.load_state_dict(opt.state_dict())


def test_a_switch_the_constructor_does_not_take_is_refused_in_a_group():
    with pytest.raises(ArgumentTypeError, match=r"\['fused'\].*does not take"):
        SparseAdam([{"params": [param()], "fused": True}], lr=0.1)


def test_a_custom_optimizer_keeping_a_switch_in_its_defaults_keeps_it():
    class Keeper(Optimizer):
        def __init__(self, params, lr=0.1, foreach=None):
            super().__init__(params, dict(lr=lr, foreach=foreach))

    opt = Keeper([param()])
    opt.add_param_group({"params": [param()], "foreach": "mine"})
    assert [g["foreach"] for g in opt.param_groups] == [None, "mine"]


# ------------------------------------------------ 7. attribute types as PyTorch's
def test_multistep_milestones_are_a_counter_and_count_repeats():
    opt = SGD([param()], lr=1.0)
    scheduler = lr_scheduler.MultiStepLR(opt, milestones=[5, 2, 5], gamma=0.5)
    assert scheduler.milestones == Counter({2: 1, 5: 2})
    assert (scheduler.milestones[5], scheduler.milestones[3]) == (2, 0)
    expected = [0.5 ** (int(e >= 2) + 2 * int(e >= 5)) for e in range(8)]
    np.testing.assert_allclose(lrs_after_steps(opt, scheduler, 7), expected, rtol=1e-12)


@pytest.mark.parametrize("saved_milestones", [Counter({2: 1, 5: 2}), {5: 2, 2: 1}, [2, 5, 5]],
                         ids=["Counter (PyTorch's)", "dict", "list of an earlier version"])
def test_multistep_state_dict_loads_a_counter_or_a_list(saved_milestones):
    opt = SGD([param()], lr=1.0)
    scheduler = lr_scheduler.MultiStepLR(opt, milestones=[2, 5, 5], gamma=0.5)
    lrs_after_steps(opt, scheduler, 3)
    state = scheduler.state_dict()
    assert state["milestones"] == {2: 1, 5: 2}
    state["milestones"] = saved_milestones
    opt2 = SGD([param()], lr=1.0)
    opt2.load_state_dict(opt.state_dict())
    resumed = lr_scheduler.MultiStepLR(opt2, milestones=[9])
    resumed.load_state_dict(state)
    assert resumed.milestones == Counter({2: 1, 5: 2})
    assert lrs_after_steps(opt2, resumed, 4)[1:] == lrs_after_steps(opt, scheduler, 4)[1:]


@pytest.mark.parametrize("bad", [{2: 0}, {-1: 1}, ["2"], 5])
def test_a_bad_saved_milestones_is_a_state_dict_error(bad):
    scheduler = lr_scheduler.MultiStepLR(SGD([param()], lr=1.0), milestones=[2])
    state = {**scheduler.state_dict(), "milestones": bad}
    with pytest.raises(StateDictError, match="'milestones' must be a Counter"):
        scheduler.load_state_dict(state)


def test_scheduler_state_dicts_go_through_nn_save(tmp_path):
    opt = SGD([param()], lr=1.0)
    multistep = lr_scheduler.MultiStepLR(opt, milestones=[2, 5, 5], gamma=0.5)
    plateau = lr_scheduler.ReduceLROnPlateau(opt, mode="max")
    nn.save(tmp_path / "ckpt.npz", multistep=multistep.state_dict(),
            plateau=plateau.state_dict())
    loaded = nn.load(tmp_path / "ckpt.npz")
    resumed = lr_scheduler.MultiStepLR(SGD([param()], lr=1.0), milestones=[9])
    resumed.load_state_dict(loaded["multistep"])
    assert resumed.milestones == Counter({2: 1, 5: 2})
    assert loaded["plateau"]["mode_worse"] == -math.inf


@pytest.mark.parametrize("mode, worst", [("min", math.inf), ("max", -math.inf)])
def test_plateau_state_dict_has_mode_worse_and_an_older_one_still_loads(mode, worst):
    opt = SGD([param()], lr=1.0)
    scheduler = lr_scheduler.ReduceLROnPlateau(opt, mode=mode)
    assert scheduler.state_dict()["mode_worse"] == worst
    older = {k: v for k, v in scheduler.state_dict().items() if k != "mode_worse"}
    other = "max" if mode == "min" else "min"
    fresh = lr_scheduler.ReduceLROnPlateau(SGD([param()], lr=1.0), mode=other)
    fresh.load_state_dict(older)
    assert (fresh.mode, fresh.mode_worse) == (mode, worst)
    assert fresh.state_dict() == scheduler.state_dict()
