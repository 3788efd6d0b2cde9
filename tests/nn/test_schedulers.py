"""Learning-rate schedulers against their closed forms, computed independently here."""
import math

import numpy as np
import pytest

import autograd
from nn.optim import (SGD, CosineAnnealingLR, CosineAnnealingWarmRestarts, CyclicLR,
                      ExponentialLR, LinearLR, LinearWarmup, MultiStepLR, ReduceLROnPlateau,
                      SequentialLR, StepLR)

BASE_LRS = (0.1, 0.03)  # two param groups, to check that each uses its own base lr
EPOCHS = 40


def make_optimizer(lrs=BASE_LRS):
    groups = [{"params": [autograd.Tensor(np.zeros(2), requires_grad=True)], "lr": lr}
              for lr in lrs]
    return SGD(groups, lr=1.0)


def trajectory(scheduler, epochs=EPOCHS):
    """lr of every group at epochs 0..epochs-1, read from the optimizer itself."""
    lrs = []
    for _ in range(epochs):
        current = [g["lr"] for g in scheduler.optimizer.param_groups]
        assert scheduler.get_last_lr() == current
        lrs.append(current)
        scheduler.optimizer.step()  # no gradients: changes nothing, but in the right order
        scheduler.step()
    return np.array(lrs)


def expected(fn, lrs=BASE_LRS, epochs=EPOCHS):
    return np.array([[fn(base, e) for base in lrs] for e in range(epochs)])


def cosine(base, eta_min, t, period):
    return eta_min + (base - eta_min) * (1 + math.cos(math.pi * t / period)) / 2


def warm_restarts_reference(base, epochs, T_0, T_mult, eta_min):
    """Walk the cycles one step at a time (SGDR): T_cur counts up, a restart at T_i."""
    out, t_cur, t_i = [], 0, T_0
    for _ in range(epochs):
        out.append(cosine(base, eta_min, t_cur, t_i))
        t_cur += 1
        if t_cur >= t_i:
            t_cur, t_i = 0, t_i * T_mult
    return out


def cyclic_reference(base, top, e, up, down, mode, gamma=1.0):
    """Position inside the current cycle -> rising or falling straight line."""
    period = up + down
    pos, cycle = e % period, e // period
    height = pos / up if pos <= up else 1 - (pos - up) / down
    scale = {"triangular": 1.0, "triangular2": 0.5 ** cycle, "exp_range": gamma ** e}[mode]
    return base + (top - base) * height * scale


CLOSED_FORMS = [
    ("StepLR", lambda o: StepLR(o, step_size=7, gamma=0.5),
     lambda b, e: b * 0.5 ** math.floor(e / 7)),
    ("StepLR default gamma", lambda o: StepLR(o, step_size=3),
     lambda b, e: b * 0.1 ** (e // 3)),
    ("MultiStepLR", lambda o: MultiStepLR(o, milestones=[25, 5, 12], gamma=0.3),
     lambda b, e: b * 0.3 ** sum(e >= m for m in (5, 12, 25))),
    ("ExponentialLR", lambda o: ExponentialLR(o, gamma=0.9), lambda b, e: b * 0.9 ** e),
    ("CosineAnnealingLR", lambda o: CosineAnnealingLR(o, T_max=15, eta_min=1e-3),
     lambda b, e: 1e-3 + (b - 1e-3) * (1 + math.cos(math.pi * e / 15)) / 2),
    ("LinearLR", lambda o: LinearLR(o, start_factor=0.25, end_factor=0.75, total_iters=10),
     lambda b, e: b * (0.25 + 0.5 * min(e, 10) / 10)),
    ("LinearLR defaults", lambda o: LinearLR(o),
     lambda b, e: b * (1 / 3 + (1 - 1 / 3) * min(e, 5) / 5)),
    ("LinearWarmup", lambda o: LinearWarmup(o, warmup_steps=8),
     lambda b, e: b * min(e, 8) / 8),
    ("LinearWarmup start", lambda o: LinearWarmup(o, warmup_steps=4, start_factor=0.1),
     lambda b, e: b * (0.1 + 0.9 * min(e / 4, 1.0))),
]


@pytest.mark.parametrize("name, build, closed_form", CLOSED_FORMS,
                         ids=[c[0] for c in CLOSED_FORMS])
def test_closed_forms(name, build, closed_form):
    """Stepped one epoch at a time (the chained rule) and jumped with ``step(epoch)``
    (the scheduler's own closed form, in any order: the current lr is ignored)."""
    want = expected(closed_form)
    got = trajectory(build(make_optimizer()))
    np.testing.assert_allclose(got, want, rtol=1e-12)
    jumping = build(make_optimizer())
    jumping.optimizer.step()
    for epoch in [*range(EPOCHS - 1, -1, -3), *range(EPOCHS)]:
        jumping.step(epoch=epoch)
        np.testing.assert_allclose(jumping.get_last_lr(), want[epoch], rtol=1e-12,
                                   err_msg=f"step(epoch={epoch})")


@pytest.mark.parametrize("T_0, T_mult", [(5, 1), (3, 2), (2, 3)])
def test_cosine_warm_restarts(T_0, T_mult):
    got = trajectory(CosineAnnealingWarmRestarts(make_optimizer(), T_0, T_mult, eta_min=0.01))
    want = np.array([warm_restarts_reference(b, EPOCHS, T_0, T_mult, 0.01)
                     for b in BASE_LRS]).T
    np.testing.assert_allclose(got, want, rtol=1e-12)


@pytest.mark.parametrize("mode, up, down, gamma", [
    ("triangular", 4, None, 1.0), ("triangular", 3, 7, 1.0),
    ("triangular2", 5, 3, 1.0), ("exp_range", 4, 4, 0.97)])
def test_cyclic(mode, up, down, gamma):
    opt = make_optimizer()
    got = trajectory(CyclicLR(opt, base_lr=[0.01, 0.002], max_lr=0.2, step_size_up=up,
                              step_size_down=down, mode=mode, gamma=gamma))
    down = up if down is None else down
    want = np.array([[cyclic_reference(b, 0.2, e, up, down, mode, gamma)
                      for b in (0.01, 0.002)] for e in range(EPOCHS)])
    np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-15)


def test_sequential_warmup_then_cosine():
    opt = make_optimizer()
    warmup = LinearWarmup(opt, warmup_steps=5, start_factor=0.2)
    decay = CosineAnnealingLR(opt, T_max=30)
    got = trajectory(SequentialLR(opt, [warmup, decay], milestones=[5]))

    def closed_form(b, e):
        return b * (0.2 + 0.8 * e / 5) if e < 5 else cosine(b, 0.0, e - 5, 30)
    np.testing.assert_allclose(got, expected(closed_form), rtol=1e-12)


def test_second_scheduler_starts_from_the_current_lr():
    """As in PyTorch: a scheduler attached later chains from the lr it finds (0.05 here),
    while its closed form (``step(epoch)``) still counts from the original initial_lr."""
    opt = make_optimizer()
    opt.step()
    StepLR(opt, step_size=1, gamma=0.5).step()
    found = [g["lr"] for g in opt.param_groups]
    np.testing.assert_allclose(found, [b * 0.5 for b in BASE_LRS], rtol=1e-15)
    scheduler = ExponentialLR(opt, gamma=0.5)
    got = trajectory(scheduler, epochs=3)
    np.testing.assert_allclose(got, [[lr * 0.5 ** e for lr in found] for e in range(3)],
                               rtol=1e-15)
    scheduler.step(epoch=4)
    np.testing.assert_allclose(scheduler.get_last_lr(), [b * 0.5 ** 4 for b in BASE_LRS],
                               rtol=1e-15)


@pytest.mark.parametrize("build", [c[1] for c in CLOSED_FORMS] + [
    lambda o: CosineAnnealingWarmRestarts(o, 3, 2),
    lambda o: CyclicLR(o, 0.01, 0.1, step_size_up=3, mode="triangular2"),
    lambda o: SequentialLR(o, [LinearLR(o, 0.5, total_iters=3), ExponentialLR(o, 0.8)], [3]),
])
def test_state_dict_round_trip(build):
    opt = make_optimizer()
    scheduler = build(opt)
    for _ in range(11):
        opt.step()
        scheduler.step()
    opt_state, sched_state = opt.state_dict(), scheduler.state_dict()
    rest = trajectory(scheduler, epochs=12)

    opt2 = make_optimizer(lrs=(0.5, 0.5))
    scheduler2 = build(opt2)
    opt2.load_state_dict(opt_state)
    scheduler2.load_state_dict(sched_state)
    np.testing.assert_array_equal(trajectory(scheduler2, epochs=12), rest)


def test_load_state_dict_of_another_scheduler_raises():
    opt = make_optimizer()
    with pytest.raises(ValueError, match="do not match the expected"):
        StepLR(opt, 3).load_state_dict(CosineAnnealingLR(make_optimizer(), 5).state_dict())


# ------------------------------------------------------------ ReduceLROnPlateau
def plateau_lrs(metrics, **kwargs):
    opt = make_optimizer(lrs=(1.0,))
    scheduler = ReduceLROnPlateau(opt, **kwargs)
    out = []
    for m in metrics:
        scheduler.step(m)
        assert scheduler.get_last_lr() == [opt.param_groups[0]["lr"]]
        out.append(opt.param_groups[0]["lr"])
    return np.array(out)


def reductions_for_flat_metric(steps, patience, cooldown):
    """A metric that never improves after step 1: the 1st cut comes patience + 1 bad
    steps after it, then every cooldown + patience + 1 steps."""
    first, period = 1 + patience + 1, cooldown + patience + 1
    return np.array([0 if k < first else 1 + (k - first) // period
                     for k in range(1, steps + 1)])


@pytest.mark.parametrize("patience, cooldown", [(0, 0), (2, 0), (3, 2), (10, 1)])
def test_plateau_flat_metric(patience, cooldown):
    got = plateau_lrs([5.0] * 40, patience=patience, cooldown=cooldown, factor=0.5, eps=0)
    want = 0.5 ** reductions_for_flat_metric(40, patience, cooldown)
    np.testing.assert_allclose(got, want, rtol=1e-12)


def test_plateau_improving_metric_never_reduces():
    assert np.all(plateau_lrs(np.linspace(10, 1, 30), patience=0) == 1.0)
    assert np.all(plateau_lrs(np.linspace(1, 10, 30), mode="max", patience=0) == 1.0)


@pytest.mark.parametrize("mode, sign", [("min", -1), ("max", 1)])
def test_plateau_threshold_modes(mode, sign):
    """In mode "max" an improvement is a rise: the same bars, mirrored."""
    tiny = 10.0 * (1 + sign * 1e-6) ** np.arange(30)  # improves by 1e-6 relative: < 1e-4
    flat = 0.1 ** reductions_for_flat_metric(30, 3, 0)
    np.testing.assert_allclose(plateau_lrs(tiny, mode=mode, patience=3), flat, rtol=1e-12)
    np.testing.assert_allclose(plateau_lrs(tiny, mode=mode, patience=3, threshold=1e-7), 1.0)
    steps = 10.0 + sign * 0.01 * np.arange(30)  # improves by 0.01 absolute, 0.29 in all
    np.testing.assert_allclose(plateau_lrs(steps, mode=mode, patience=3, threshold=0.5,
                                           threshold_mode="abs"), flat, rtol=1e-12)
    np.testing.assert_allclose(plateau_lrs(steps, mode=mode, patience=3,
                                           threshold_mode="abs"), 1.0)


def test_plateau_min_lr_and_eps():
    got = plateau_lrs([1.0] * 30, patience=0, factor=0.5, min_lr=0.1)
    want = np.maximum(0.5 ** reductions_for_flat_metric(30, 0, 0), 0.1)
    np.testing.assert_allclose(got, want, rtol=1e-12)
    # a cut smaller than eps is skipped: the lr stays put
    assert np.all(plateau_lrs([1.0] * 10, patience=0, factor=0.5, eps=0.6) == 1.0)


def test_plateau_state_dict_round_trip():
    rng = np.random.default_rng(0)
    metrics = rng.uniform(size=40)
    opt = make_optimizer()
    scheduler = ReduceLROnPlateau(opt, patience=2, cooldown=1)
    for m in metrics[:20]:
        scheduler.step(m)
    opt2 = make_optimizer()
    scheduler2 = ReduceLROnPlateau(opt2, patience=2, cooldown=1)
    opt2.load_state_dict(opt.state_dict())
    scheduler2.load_state_dict(scheduler.state_dict())
    for m in metrics[20:]:
        scheduler.step(m)
        scheduler2.step(m)
        assert scheduler.get_last_lr() == scheduler2.get_last_lr()
    assert scheduler.get_last_lr() != [0.1, 0.03]  # the test did see reductions


BAD = [
    (lambda o: StepLR(o, step_size=0), r"^StepLR: step_size must be an int >= 1; got 0\.$"),
    (lambda o: MultiStepLR(o, milestones=[3, -1]), r"milestone must be an int >= 0; got -1"),
    (lambda o: CosineAnnealingLR(o, T_max=0), r"T_max must be a finite number > 0; got 0"),
    (lambda o: CosineAnnealingWarmRestarts(o, T_0=5, T_mult=0), r"T_mult must be .*; got 0"),
    (lambda o: LinearLR(o, start_factor=1.5), r"start_factor must be .*; got 1\.5"),
    (lambda o: LinearLR(o, total_iters=0), r"LinearLR: total_iters must be .*; got 0"),
    (lambda o: LinearWarmup(o, warmup_steps=0), r"LinearWarmup: warmup_steps must be"),
    (lambda o: CyclicLR(o, 0.1, 1.0, mode="sine"), r"Invalid mode: 'sine'"),
    (lambda o: CyclicLR(o, [0.1], 1.0), r"base_lr must be .*list of 2 .*; got \[0\.1\]"),
    (lambda o: ReduceLROnPlateau(o, factor=1.0), r"factor must be a number in \[0, 1\); got 1"),
    (lambda o: ReduceLROnPlateau(o, mode="up"), r"Invalid mode: 'up'"),
    (lambda o: ReduceLROnPlateau(o, threshold_mode="x"), r"Invalid threshold_mode"),
    (lambda o: SequentialLR(o, [StepLR(o, 2), StepLR(o, 3)], [0]), r"milestone must be .*; got 0"),
]


@pytest.mark.parametrize("build, match", BAD)
def test_bad_arguments_raise(build, match):
    with pytest.raises(ValueError, match=match):
        build(make_optimizer())


NUMPY_INTS = [
    lambda o, n: StepLR(o, step_size=n(3), gamma=0.5),
    lambda o, n: MultiStepLR(o, milestones=[n(2), n(5)]),
    lambda o, n: LinearLR(o, total_iters=n(4)),
    lambda o, n: LinearWarmup(o, warmup_steps=n(4)),
    lambda o, n: CosineAnnealingLR(o, T_max=n(7)),
    lambda o, n: CosineAnnealingWarmRestarts(o, T_0=n(3), T_mult=n(2)),
]


@pytest.mark.parametrize("build", NUMPY_INTS)
def test_numpy_integers_are_ints(build):
    """Counts computed with NumPy (np.int64) are accepted, as Python ints and as by
    PyTorch, and stored as Python ints (the schedule and the state dict are the same)."""
    with_numpy, with_python = build(make_optimizer(), np.int64), build(make_optimizer(), int)
    assert with_numpy.state_dict() == with_python.state_dict()
    for value in with_numpy.state_dict().values():
        assert not isinstance(value, np.integer)
    np.testing.assert_array_equal(trajectory(with_numpy), trajectory(with_python))
    with_numpy.step(np.int64(2))
    assert type(with_numpy.last_epoch) is int
    plateau = ReduceLROnPlateau(make_optimizer(), patience=np.int64(1), cooldown=np.int32(1))
    assert type(plateau.patience) is type(plateau.cooldown) is int
    for wrong_type in (True, 2.5):  # ArgumentTypeError (a TypeError), as nn._checks' rule
        with pytest.raises(TypeError, match=f"patience must be an int >= 0; got {wrong_type}"):
            ReduceLROnPlateau(make_optimizer(), patience=wrong_type)
    with pytest.raises(TypeError, match=r"step_size must be .*; got 2\.5 \(float\)"):
        StepLR(make_optimizer(), step_size=2.5)


def test_scheduler_needs_an_optimizer():
    with pytest.raises(TypeError, match="needs an nn.optim Optimizer"):
        StepLR(object(), step_size=1)


TORCH_CASES = [
    ("StepLR", dict(step_size=7, gamma=0.5)),
    ("MultiStepLR", dict(milestones=[5, 12, 12, 25], gamma=0.3)),
    ("ExponentialLR", dict(gamma=0.9)),
    ("CosineAnnealingLR", dict(T_max=15, eta_min=1e-3)),
    ("CosineAnnealingWarmRestarts", dict(T_0=3, T_mult=2, eta_min=0.01)),
    ("LinearLR", dict(start_factor=0.25, end_factor=0.75, total_iters=10)),
    ("CyclicLR", dict(base_lr=0.01, max_lr=0.2, step_size_up=3, step_size_down=5,
                      mode="triangular2")),
    ("CyclicLR", dict(base_lr=0.01, max_lr=0.2, step_size_up=4, mode="exp_range",
                      gamma=0.97)),
]


@pytest.mark.parametrize("name, kwargs", TORCH_CASES, ids=[c[0] for c in TORCH_CASES])
def test_matches_torch(name, kwargs):
    torch = pytest.importorskip("torch")
    import nn.optim
    ours = getattr(nn.optim, name)(make_optimizer(), **kwargs)
    groups = [{"params": [torch.zeros(1, requires_grad=True)], "lr": lr} for lr in BASE_LRS]
    torch_opt = torch.optim.SGD(groups, lr=1.0, momentum=0.9)
    extra = {"cycle_momentum": False} if name == "CyclicLR" else {}
    theirs = getattr(torch.optim.lr_scheduler, name)(torch_opt, **kwargs, **extra)
    want = []
    for _ in range(EPOCHS):
        want.append([g["lr"] for g in torch_opt.param_groups])
        torch_opt.step()
        theirs.step()
    np.testing.assert_allclose(trajectory(ours), np.array(want), rtol=1e-12)
