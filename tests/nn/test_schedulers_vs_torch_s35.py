"""Learning-rate schedulers against ``torch.optim.lr_scheduler`` (session 35 findings):
a subclass of a built-in that overrides ``get_lr()``, PyTorch's ``_get_lr_called_within_step``
and ``_is_initial`` flags, ``CosineAnnealingWarmRestarts.step(float)`` with ``T_cur``/``T_i``,
the optimizer state after a full linear ``OneCycleLR`` run, a nested ``SequentialLR``,
``SequentialLR``'s ``_milestones`` (the rest: test_scheduler_names_s35.py)."""

import math
import warnings

import numpy as np
import pytest

import autograd as ag
import nn
from nn.errors import ArgumentTypeError, ConfigError
from scheduler_helpers import lrs_after_steps


def sgd(T, optim, lr=0.1, **kwargs):
    """An SGD on one parameter, ours (T = autograd) or PyTorch's (T = torch)."""
    return optim.SGD([T.zeros(2, requires_grad=True)], lr=lr, **kwargs)


def libraries(torch):
    return [(ag, nn.optim), (torch, torch.optim)]


# ----------------------------------------------- 1. a built-in's subclass with get_lr()
def warm_restart(L):
    class WarmRestart(L.CosineAnnealingLR):
        """SGDR written as a CosineAnnealingLR subclass (a common script's)."""

        def __init__(self, optimizer, T_max=3, T_mult=2, eta_min=0.0, last_epoch=-1):
            self.T_mult = T_mult
            super().__init__(optimizer, T_max, eta_min, last_epoch)

        def get_lr(self):
            if self.last_epoch == self.T_max:
                self.last_epoch, self.T_max = 0, self.T_max * self.T_mult
            return [self.eta_min + (b - self.eta_min)
                    * (1 + math.cos(math.pi * self.last_epoch / self.T_max)) / 2
                    for b in self.base_lrs]

    return WarmRestart


def warm_step(L):
    class WarmStep(L.StepLR):
        """StepLR with a 3-step linear warm-up in get_lr."""

        def get_lr(self):
            if self.last_epoch < 3:
                return [b * (self.last_epoch + 1) / 3 for b in self.base_lrs]
            return [b * self.gamma ** ((self.last_epoch - 3) // self.step_size)
                    for b in self.base_lrs]

    return WarmStep


def warmup_then_super(L):
    class WarmupCosine(L.CosineAnnealingLR):
        """A warm-up, then the built-in's own lrs through super().get_lr()."""

        def get_lr(self):
            if self.last_epoch < 2:
                return [b * (self.last_epoch + 1) / 2 for b in self.base_lrs]
            return super().get_lr()

    return WarmupCosine


@pytest.mark.parametrize("make", [
    lambda L, o: warm_restart(L)(o),
    lambda L, o: warm_step(L)(o, step_size=2, gamma=0.5),
    lambda L, o: warmup_then_super(L)(o, T_max=6, eta_min=0.01),
])
def test_a_built_ins_subclass_overriding_get_lr_is_stepped_with_it(torch, make):
    runs = []
    for T, optim in libraries(torch):
        opt = sgd(T, optim)
        runs.append(lrs_after_steps(opt, make(optim.lr_scheduler, opt), 12))
    np.testing.assert_allclose(runs[0], runs[1], rtol=1e-12, atol=1e-15)


def test_step_epoch_of_such_a_subclass_takes_the_built_ins_closed_form(torch):
    runs = []
    for T, optim in libraries(torch):
        opt = sgd(T, optim)
        scheduler = warm_step(optim.lr_scheduler)(opt, step_size=2, gamma=0.5)
        opt.step()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # step(epoch) is deprecated in both
            scheduler.step(5)
        runs.append(scheduler.get_last_lr() + lrs_after_steps(opt, scheduler, 3))
    np.testing.assert_allclose(runs[0], runs[1], rtol=1e-12)


def test_super_get_lr_of_a_direct_subclass_raises_not_implemented(torch):
    for _, optim in libraries(torch):
        class Lazy(optim.lr_scheduler.LRScheduler):
            def get_lr(self):
                return super().get_lr()

        with pytest.raises(NotImplementedError):
            Lazy(sgd(ag if optim is nn.optim else torch, optim))


# --------------------------------------- 2. _get_lr_called_within_step and _is_initial
def flag_recorder(L):
    class Recorder(L.LRScheduler):
        """Records PyTorch's flags in each get_lr() call (pl_bolts' guard)."""

        def __init__(self, optimizer, last_epoch=-1):
            self.seen = []
            super().__init__(optimizer, last_epoch)

        def get_lr(self):
            self.seen.append((self._get_lr_called_within_step, self._is_initial))
            if not self._get_lr_called_within_step:
                warnings.warn("use get_last_lr()")
            return [b * 0.5 ** self.last_epoch for b in self.base_lrs]

    return Recorder


def test_get_lr_sees_pytorchs_flags_inside_step_and_in_the_constructor(torch):
    seen = []
    for T, optim in libraries(torch):
        opt = sgd(T, optim)
        scheduler = flag_recorder(optim.lr_scheduler)(opt)
        lrs = lrs_after_steps(opt, scheduler, 3)
        with pytest.warns(UserWarning, match="use get_last_lr"):
            scheduler.get_lr()
        seen.append((scheduler.seen, lrs, scheduler._get_lr_called_within_step,
                     scheduler._is_initial))
    assert seen[0][0] == seen[1][0]
    np.testing.assert_allclose(seen[0][1], seen[1][1], rtol=1e-12)
    assert seen[0][2:] == seen[1][2:] == (False, False)


def test_the_flags_stay_out_of_the_state_dict_so_a_saved_state_loads():
    opt = sgd(ag, nn.optim)
    scheduler = flag_recorder(nn.optim.lr_scheduler)(opt)
    lrs_after_steps(opt, scheduler, 2)
    state = scheduler.state_dict()
    assert "_get_lr_called_within_step" not in state and "_is_initial" not in state
    fresh = flag_recorder(nn.optim.lr_scheduler)(sgd(ag, nn.optim))
    fresh.load_state_dict(state)
    assert fresh.last_epoch == scheduler.last_epoch


# ------------------------------------------- 3. CosineAnnealingWarmRestarts.step(float)
def cawr_run(optim, opt, calls):
    scheduler = optim.lr_scheduler.CosineAnnealingWarmRestarts(opt, T_0=5, T_mult=2,
                                                                eta_min=0.001)
    out = []
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # PyTorch documents step(epoch) here: no warning
        for epoch in calls:
            opt.step()
            scheduler.step(epoch)
            out.append((opt.param_groups[0]["lr"], float(scheduler.T_cur),
                        float(scheduler.T_i), scheduler.last_epoch))
    return out, scheduler


def test_cosine_warm_restarts_takes_fractional_epochs_as_pytorchs_docstring(torch):
    calls = [e + i / 4 for e in range(4) for i in range(4)]  # step(epoch + i / iters)
    calls += [None, None, 26, None, 7.5, None]  # interleaved, as its docstring shows
    runs = [cawr_run(optim, sgd(T, optim), calls)[0] for T, optim in libraries(torch)]
    np.testing.assert_allclose(np.array(runs[0]), np.array(runs[1]), rtol=1e-12, atol=1e-15)


def test_cosine_warm_restarts_state_round_trips_mid_cycle(torch):
    opt = sgd(ag, nn.optim)
    _, scheduler = cawr_run(nn.optim, opt, [0, 0.5, 3.25, None])
    opt2 = sgd(ag, nn.optim)
    _, scheduler2 = cawr_run(nn.optim, opt2, [])
    opt2.load_state_dict(opt.state_dict())
    scheduler2.load_state_dict(scheduler.state_dict())
    assert (scheduler2.T_cur, scheduler2.T_i) == (scheduler.T_cur, scheduler.T_i) == (4.25, 5)
    assert lrs_after_steps(opt2, scheduler2, 4) == lrs_after_steps(opt, scheduler, 4)


def test_a_cosine_warm_restarts_state_without_t_cur_still_loads():
    opt = sgd(ag, nn.optim)
    _, scheduler = cawr_run(nn.optim, opt, [None] * 7)  # epoch 7: T_cur 2 of T_i 10
    state = scheduler.state_dict()
    del state["T_cur"], state["T_i"]  # as saved by earlier versions
    _, fresh = cawr_run(nn.optim, sgd(ag, nn.optim), [])
    fresh.load_state_dict(state)
    assert (fresh.T_cur, fresh.T_i) == (scheduler.T_cur, scheduler.T_i)


def test_a_negative_epoch_is_refused_by_both(torch):
    for T, optim in libraries(torch):
        opt = sgd(T, optim)
        scheduler = optim.lr_scheduler.CosineAnnealingWarmRestarts(opt, T_0=3)
        opt.step()
        with pytest.raises(ValueError):
            scheduler.step(-0.5)


# ---------------------------------- 4. the state dict after a full linear OneCycleLR run
def one_cycle_checkpoint(T, optim):
    opt = sgd(T, optim, momentum=0.9)
    scheduler = optim.lr_scheduler.OneCycleLR(opt, max_lr=0.1, total_steps=20,
                                              anneal_strategy="linear")
    lrs_after_steps(opt, scheduler, 20)  # the last step runs past the ramp: lr < 0 in both
    return opt.state_dict()


def test_the_optimizer_state_after_a_linear_one_cycle_run_loads_as_in_pytorch(torch):
    lrs = []
    for T, optim in libraries(torch):
        fresh = sgd(T, optim, momentum=0.9)
        fresh.load_state_dict(one_cycle_checkpoint(T, optim))
        lrs.append(fresh.param_groups[0]["lr"])
        fresh.step()
    assert lrs[0] < 0
    assert lrs[0] == pytest.approx(lrs[1], rel=1e-12)


def test_a_negative_lr_no_scheduler_wrote_is_still_refused():
    opt = sgd(ag, nn.optim, momentum=0.9)
    state = opt.state_dict()
    state["param_groups"][0]["lr"] = -0.1
    with pytest.raises(ConfigError, match="lr must be a finite number >= 0"):
        sgd(ag, nn.optim, momentum=0.9).load_state_dict(state)


def test_a_scheduled_group_still_needs_a_finite_lr_and_valid_momentum():
    state = one_cycle_checkpoint(ag, nn.optim)
    for key, value in (("lr", -math.inf), ("lr", math.nan), ("momentum", -0.5)):
        bad = {"state": state["state"],
               "param_groups": [{**state["param_groups"][0], key: value}]}
        target = sgd(ag, nn.optim, momentum=0.9)
        with pytest.raises(ConfigError):
            target.load_state_dict(bad)
        assert target.param_groups[0]["lr"] == 0.1  # left as it was


# ---------------------------------------------------------- 5. nested SequentialLR
@pytest.mark.parametrize("make", [
    lambda L, o: L.SequentialLR(o, [
        L.SequentialLR(o, [L.LinearLR(o, 0.1, total_iters=3), L.ExponentialLR(o, 0.9)], [3]),
        L.ConstantLR(o, 0.5, 2)], [6]),
    lambda L, o: L.SequentialLR(o, [
        L.SequentialLR(o, [L.PolynomialLR(o, 5), L.LinearLR(o, 0.2)], [3]),
        L.StepLR(o, 2, 0.5)], [5]),
    lambda L, o: L.SequentialLR(o, [
        L.ChainedScheduler([L.ConstantLR(o, 0.5, 3), L.StepLR(o, 2, 0.5)]),
        L.LinearLR(o, 0.3, total_iters=4)], [5]),
    lambda L, o: L.SequentialLR(o, [
        L.LinearLR(o, 0.5, total_iters=2), L.CosineAnnealingWarmRestarts(o, 3, 2)], [4]),
])
def test_a_sequential_lr_may_start_with_a_combining_scheduler_as_pytorchs(torch, make):
    runs = []
    for T, optim in libraries(torch):
        opt = sgd(T, optim)
        runs.append(lrs_after_steps(opt, make(optim.lr_scheduler, opt), 14))
    np.testing.assert_allclose(runs[0], runs[1], rtol=1e-12)


def test_a_nested_sequential_lr_round_trips_its_state():
    def build(opt):
        L = nn.optim.lr_scheduler
        inner = L.SequentialLR(opt, [L.LinearLR(opt, 0.1, total_iters=3),
                                     L.ExponentialLR(opt, 0.9)], [3])
        return L.SequentialLR(opt, [inner, L.ConstantLR(opt, 0.5, 2)], [6])

    opt = sgd(ag, nn.optim)
    scheduler = build(opt)
    lrs_after_steps(opt, scheduler, 4)
    opt2 = sgd(ag, nn.optim)
    scheduler2 = build(opt2)
    opt2.load_state_dict(opt.state_dict())
    scheduler2.load_state_dict(scheduler.state_dict())
    assert lrs_after_steps(opt2, scheduler2, 6) == lrs_after_steps(opt, scheduler, 6)


def test_sequential_lr_state_has_pytorchs_keys_and_loads_the_old_ones(torch):
    keys = []
    for T, optim in libraries(torch):
        opt = sgd(T, optim)
        L = optim.lr_scheduler
        scheduler = L.SequentialLR(opt, [L.ConstantLR(opt, 0.5, 2), L.StepLR(opt, 2)], [3])
        assert scheduler._milestones == [3]
        keys.append(set(scheduler.state_dict()))
    assert keys[0] == keys[1]
    opt = sgd(ag, nn.optim)
    L = nn.optim.lr_scheduler
    scheduler = L.SequentialLR(opt, [L.ConstantLR(opt, 0.5, 2), L.StepLR(opt, 2)], [3])
    lrs_after_steps(opt, scheduler, 4)
    scheduler_state = scheduler.state_dict()
    state = {"last_epoch": scheduler_state["last_epoch"],
             "milestones": scheduler_state["_milestones"],  # the keys of earlier versions
             "_last_lr": scheduler_state["_last_lr"],
             "schedulers": scheduler_state["_schedulers"]}
    opt2 = sgd(ag, nn.optim)
    fresh = L.SequentialLR(opt2, [L.ConstantLR(opt2, 0.5, 2), L.StepLR(opt2, 2)], [3])
    fresh.load_state_dict(state)
    assert fresh.state_dict() == scheduler_state


@pytest.mark.parametrize("member, error, match", [
    (lambda L, o, other: L.StepLR(other, 2), ConfigError, r"schedulers\[1\].*another optimizer"),
    (lambda L, o, other: L.ReduceLROnPlateau(o), ConfigError, r"ReduceLROnPlateau.*metric"),
    (lambda L, o, other: "StepLR", ArgumentTypeError, r"schedulers\[1\] must be an nn.optim"),
    (lambda L, o, other: L.SequentialLR(o, [L.StepLR(o, 2)], []), ConfigError,
     r"schedulers\[1\] is a SequentialLR.*only schedulers\[0\]"),
])
def test_sequential_lr_names_why_it_refuses_a_member(member, error, match):
    L, opt, other = nn.optim.lr_scheduler, sgd(ag, nn.optim), sgd(ag, nn.optim)
    with pytest.raises(error, match=match):
        L.SequentialLR(opt, [L.ConstantLR(opt, 0.5, 2), member(L, opt, other)], [3])


def test_a_milestone_restart_does_not_warn_about_step_epoch():
    opt = sgd(ag, nn.optim)
    L = nn.optim.lr_scheduler
    scheduler = L.SequentialLR(opt, [L.ConstantLR(opt, 0.5, 2), L.StepLR(opt, 2)], [2])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        lrs_after_steps(opt, scheduler, 4)
