"""Schedulers chain as PyTorch's do: each step scales the group's current lr.

Expected values come from the documented step rules applied here, one step at a time,
independently of the library; with torch installed, also from torch itself.
"""
import math
import warnings

import numpy as np
import pytest

import autograd
from nn.optim import (SGD, Adagrad, Adam, AdamW, CosineAnnealingLR, ExponentialLR,
                      LinearWarmup, MultiStepLR, ReduceLROnPlateau, RMSprop,
                      StepLR)

STEPS = 30


def make_optimizer(lr=1.0):
    return SGD([autograd.Tensor(np.zeros(2), requires_grad=True)], lr=lr)


def run(opt, schedulers, steps=STEPS, before_step=None):
    """lr seen by each optimizer step; every scheduler is stepped after it."""
    lrs = []
    for t in range(steps):
        if before_step is not None:
            before_step(t, opt)
        lrs.append(opt.param_groups[0]["lr"])
        opt.step()
        for scheduler in schedulers:
            scheduler.step()
    return np.array(lrs)


def torch_run(build, steps=STEPS, before_step=None):
    """The same run with torch.optim (skips the test without torch)."""
    torch = pytest.importorskip("torch")
    opt = torch.optim.SGD([torch.zeros(2, requires_grad=True)], lr=1.0)
    schedulers = build(opt, torch.optim.lr_scheduler)
    return run(opt, schedulers, steps, before_step)


def test_exponential_and_step_compose():
    opt = make_optimizer()
    got = run(opt, [ExponentialLR(opt, gamma=0.9), StepLR(opt, step_size=2, gamma=0.5)])
    lr, want = 1.0, []
    for epoch in range(STEPS):  # the lr used at epoch, then both step rules for epoch + 1
        want.append(lr)
        lr *= 0.9
        if (epoch + 1) % 2 == 0:
            lr *= 0.5
    np.testing.assert_allclose(got, want, rtol=1e-14)
    assert got[1] == pytest.approx(0.9 * 0.5 ** 0) and got[2] == pytest.approx(0.405)


def step_and_plateau_lrs(opt, step, plateau, epochs=12):
    lrs = []
    for _ in range(epochs):
        lrs.append(opt.param_groups[0]["lr"])
        opt.step()
        step.step()
        plateau.step(1.0)  # a flat metric: a cut after every two bad steps
    return lrs


def test_step_lr_keeps_the_plateau_cuts():
    opt = make_optimizer(lr=0.5)
    lrs = step_and_plateau_lrs(opt, StepLR(opt, step_size=3, gamma=0.5),
                               ReduceLROnPlateau(opt, factor=0.1, patience=1))
    lr, bad, want = 0.5, -1, []  # the first metric sets "best", so it is not bad
    for epoch in range(12):
        want.append(lr)
        if (epoch + 1) % 3 == 0:
            lr *= 0.5
        bad += 1
        if bad > 1:
            lr, bad = lr * 0.1, 0
    np.testing.assert_allclose(lrs, want, rtol=1e-14)
    assert min(lrs) < 0.5 * 0.5 ** 4 * 0.01


def test_step_lr_and_plateau_match_torch():
    torch = pytest.importorskip("torch")
    theirs = torch.optim.SGD([torch.zeros(2, requires_grad=True)], lr=0.5)
    sched = torch.optim.lr_scheduler
    want = step_and_plateau_lrs(theirs, sched.StepLR(theirs, 3, 0.5),
                                sched.ReduceLROnPlateau(theirs, factor=0.1, patience=1))
    opt = make_optimizer(lr=0.5)
    got = step_and_plateau_lrs(opt, StepLR(opt, 3, 0.5),
                               ReduceLROnPlateau(opt, factor=0.1, patience=1))
    np.testing.assert_allclose(got, want, rtol=1e-14)


def test_a_manual_lr_change_survives_the_next_step():
    opt = make_optimizer()
    scheduler = StepLR(opt, step_size=1, gamma=0.5)
    opt.step()
    scheduler.step()
    opt.param_groups[0]["lr"] = 0.1
    opt.step()
    scheduler.step()
    assert opt.param_groups[0]["lr"] == 0.1 * 0.5
    assert scheduler.get_last_lr() == [0.1 * 0.5]


@pytest.mark.parametrize("T_max", [4, 7])
def test_cosine_recursion_follows_the_closed_form_when_alone(T_max):
    """Over several periods (the cosine rises again past T_max, as PyTorch's does)."""
    opt = make_optimizer()
    got = run(opt, [CosineAnnealingLR(opt, T_max=T_max, eta_min=0.01)])
    want = [0.01 + 0.99 * (1 + math.cos(math.pi * e / T_max)) / 2 for e in range(STEPS)]
    np.testing.assert_allclose(got, want, rtol=1e-9, atol=1e-12)


def test_linear_warmup_from_zero_chains_with_a_decay():
    """A factor of 0 cannot be scaled from: the step after it takes the closed form."""
    opt = make_optimizer()
    got = run(opt, [LinearWarmup(opt, warmup_steps=4), ExponentialLR(opt, gamma=0.8)],
              steps=10)
    lr, want = 0.0, []
    for epoch in range(10):
        want.append(lr)
        e = epoch + 1
        lr = 1.0 * 1 / 4 if epoch == 0 else (lr * (e / (e - 1)) if e <= 4 else lr)
        lr *= 0.8
    np.testing.assert_allclose(got, want, rtol=1e-14)


def test_step_with_an_epoch_jumps_to_the_closed_form():
    opt = make_optimizer()
    scheduler = MultiStepLR(opt, milestones=[2, 5], gamma=0.1)
    opt.param_groups[0]["lr"] = 123.0  # ignored by the closed form
    opt.step()
    scheduler.step(epoch=6)
    assert scheduler.last_epoch == 6
    assert opt.param_groups[0]["lr"] == pytest.approx(1.0 * 0.1 ** 2, rel=1e-15)
    with pytest.raises(ValueError, match="epoch"):
        scheduler.step(epoch=-1)


@pytest.mark.parametrize("make", [
    lambda lib, opt: lib.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=10, last_epoch=3),
    lambda lib, opt: lib.optim.lr_scheduler.ExponentialLR(opt, 0.5, last_epoch=3),
    lambda lib, opt: lib.optim.lr_scheduler.LinearLR(opt, 0.25, total_iters=8, last_epoch=3),
    lambda lib, opt: lib.optim.lr_scheduler.PolynomialLR(opt, total_iters=8, last_epoch=3),
    lambda lib, opt: lib.optim.lr_scheduler.MultiplicativeLR(opt, lambda e: 0.9,
                                                             last_epoch=3),
    lambda lib, opt: lib.optim.lr_scheduler.StepLR(opt, 2, last_epoch=3),
])
def test_a_schedule_resumed_with_last_epoch_steps_as_torch(make, torch):
    """Built with last_epoch=N on an optimizer whose state brought lr and initial_lr, a
    chaining schedule keeps the lr it found in its constructor's step and goes on from it
    (PyTorch 2.13's initial step; ours multiplied once more, a step ahead)."""
    import nn
    lrs = []
    for lib, tensor in ((nn, autograd.Tensor(np.zeros(1), requires_grad=True)),
                        (torch, torch.zeros(1, requires_grad=True))):
        opt = lib.optim.SGD([tensor], lr=1.0)
        opt.param_groups[0].update(lr=0.3, initial_lr=1.0)  # as a loaded state dict
        scheduler = make(lib, opt)
        seen = [opt.param_groups[0]["lr"]]
        for _ in range(4):
            opt.step()
            scheduler.step()
            seen.append(opt.param_groups[0]["lr"])
        lrs.append(seen)
    np.testing.assert_allclose(lrs[0], lrs[1], rtol=1e-12)


# ------------------------------------------------------------------ against torch
COMBINATIONS = {
    "exponential+step": lambda o, m: [m.ExponentialLR(o, 0.9), m.StepLR(o, 2, 0.5)],
    "multistep+cosine": lambda o, m: [m.MultiStepLR(o, [3, 3, 8], 0.5),
                                      m.CosineAnnealingLR(o, T_max=6, eta_min=0.05)],
    "linear+exponential": lambda o, m: [m.LinearLR(o, 0.25, 0.9, total_iters=6),
                                        m.ExponentialLR(o, 0.95)],
    "step+linear": lambda o, m: [m.StepLR(o, 4, 0.3), m.LinearLR(o, 0.5, total_iters=9)],
}


@pytest.mark.parametrize("name", COMBINATIONS)
def test_chained_schedulers_match_torch(name):
    import nn.optim
    want = torch_run(COMBINATIONS[name])
    opt = make_optimizer()
    got = run(opt, COMBINATIONS[name](opt, nn.optim))
    np.testing.assert_allclose(got, want, rtol=1e-13)


def manual_cut(t, opt):
    if t == 5:
        opt.param_groups[0]["lr"] = 0.1


def test_manual_change_matches_torch():
    def build(opt, m):
        return [m.StepLR(opt, 3, 0.5), m.ExponentialLR(opt, 0.97)]
    import nn.optim
    want = torch_run(build, before_step=manual_cut)
    opt = make_optimizer()
    got = run(opt, build(opt, nn.optim), before_step=manual_cut)
    np.testing.assert_allclose(got, want, rtol=1e-13)


# ------------------------------------------------------------------ step order warning
def test_scheduler_stepped_before_the_optimizer_warns_once():
    opt = make_optimizer()
    scheduler = StepLR(opt, step_size=1)
    with pytest.warns(UserWarning, match=r"before optimizer\.step\(\)"):
        scheduler.step()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        scheduler.step()  # once only
        opt2 = make_optimizer()
        scheduler2 = ExponentialLR(opt2, 0.5)
        opt2.step()
        scheduler2.step()  # the right order: silent


# ------------------------------------------------------------------ maximize
OPTIMIZERS = [
    (SGD, dict(lr=0.1)), (SGD, dict(lr=0.1, momentum=0.9, nesterov=True)),
    (SGD, dict(lr=0.1, momentum=0.5, weight_decay=0.1)),
    (Adam, dict(lr=0.1, weight_decay=0.1)), (AdamW, dict(lr=0.1, amsgrad=True)),
    (Adagrad, dict(lr=0.1, weight_decay=0.1)),
    (RMSprop, dict(lr=0.01, momentum=0.9, centered=True, weight_decay=0.1)),
]


def ascend(cls, kwargs, maximize, steps=5):
    """Parameters after `steps` updates on f(p) = -sum((p - 1)^2): the gradient given is
    df/dp with maximize=True, and d(-f)/dp (the same update by definition) without."""
    p = autograd.Tensor(np.array([0.3, -2.0, 4.0]), requires_grad=True)
    opt = cls([p], maximize=maximize, **kwargs)
    for _ in range(steps):
        sign = 1.0 if maximize else -1.0
        p.grad = autograd.Tensor(sign * -2 * (p.data - 1))
        grad_before = p.grad.data.copy()
        opt.step()
        np.testing.assert_array_equal(p.grad.data, grad_before)  # the gradient is kept
    return p.data.copy()


@pytest.mark.parametrize("cls, kwargs", OPTIMIZERS, ids=[c[0].__name__ for c in OPTIMIZERS])
def test_maximize_is_descent_on_the_negated_gradient(cls, kwargs):
    np.testing.assert_array_equal(ascend(cls, kwargs, True), ascend(cls, kwargs, False))
    assert cls([autograd.Tensor(np.zeros(1), requires_grad=True)], **kwargs) \
        .param_groups[0]["maximize"] is False
    with pytest.raises(TypeError, match="maximize must be True or False"):  # a wrong type
        cls([autograd.Tensor(np.zeros(1), requires_grad=True)], maximize="yes", **kwargs)


@pytest.mark.parametrize("cls, kwargs", OPTIMIZERS, ids=[c[0].__name__ for c in OPTIMIZERS])
def test_maximize_matches_torch(cls, kwargs):
    torch = pytest.importorskip("torch")
    start = np.array([0.3, -2.0, 4.0])
    ours = ascend(cls, kwargs, True)
    p = torch.tensor(start, requires_grad=True)
    opt = getattr(torch.optim, cls.__name__)([p], maximize=True, **kwargs)
    for _ in range(5):
        p.grad = -2 * (p.detach() - 1)
        opt.step()
    np.testing.assert_allclose(ours, p.detach().numpy(), rtol=1e-13, atol=1e-15)


def test_a_state_saved_before_step_counting_still_loads():
    opt = make_optimizer()
    saved = StepLR(opt, 3).state_dict()
    del saved["_step_count"]
    restored = StepLR(make_optimizer(), 3)
    restored.load_state_dict(saved)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        restored.step()  # counts as stepped before: no warning
