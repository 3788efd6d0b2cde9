"""LambdaLR, MultiplicativeLR, ConstantLR, PolynomialLR and ChainedScheduler against
PyTorch's, step by step; their state dicts, errors and the fit callback."""
import math

import numpy as np
import pytest

import nn
import nn.functional as F
import nn.optim
from nn.errors import ArgumentTypeError, ConfigError, StateDictError
from nn.models import MLP
from nn.optim import (SGD, ChainedScheduler, ConstantLR, ExponentialLR, LambdaLR,
                      MultiplicativeLR, PolynomialLR, ReduceLROnPlateau, StepLR)
from nn.train import LRScheduler, fit
from scheduler_helpers import (BASE_LRS, STEPS, assert_resumes_identically, lrs_of,
                               make_optimizer, torch_optimizer, trajectory)

def step_decay(epoch):
    return 0.5 ** (epoch // 4)


class Warmup:
    """A callable object: its attributes go into the state dict (PyTorch's rule)."""

    def __init__(self, steps):
        self.steps = steps

    def __call__(self, epoch):
        return min(1.0, (epoch + 1) / self.steps)


TORCH_CASES = [
    ("LambdaLR", dict(lr_lambda=lambda e: 0.9 ** e)),
    ("LambdaLR", dict(lr_lambda=[step_decay, lambda e: 1.0 / (1 + e)])),
    ("MultiplicativeLR", dict(lr_lambda=lambda e: 0.9)),
    ("MultiplicativeLR", dict(lr_lambda=[lambda e: 0.95, lambda e: 1.0 - 0.01 * e])),
    ("ConstantLR", dict()),
    ("ConstantLR", dict(factor=0.2, total_iters=7)),
    ("ConstantLR", dict(factor=1.0, total_iters=1)),
    ("PolynomialLR", dict()),
    ("PolynomialLR", dict(total_iters=12, power=2.5)),
    ("PolynomialLR", dict(total_iters=9, power=0.5)),
]


@pytest.mark.parametrize("name, kwargs", TORCH_CASES,
                         ids=[f"{c[0]}-{i}" for i, c in enumerate(TORCH_CASES)])
def test_matches_torch(name, kwargs):
    torch = pytest.importorskip("torch")
    opt = make_optimizer(momentum=0.9)
    ours = trajectory(getattr(nn.optim.lr_scheduler, name)(opt, **kwargs), opt)
    topt = torch_optimizer(torch, momentum=0.9)
    want = trajectory(getattr(torch.optim.lr_scheduler, name)(topt, **kwargs), topt)
    np.testing.assert_allclose(ours, want, rtol=1e-12)


@pytest.mark.parametrize("build", [
    lambda o: LambdaLR(o, [step_decay, Warmup(5)]),
    lambda o: MultiplicativeLR(o, lambda e: 0.9),
    lambda o: ConstantLR(o, 0.5, total_iters=10),
    lambda o: PolynomialLR(o, total_iters=15, power=1.5),
])
def test_state_dict_round_trip(build):
    assert_resumes_identically(build, before=7, after=12)


def test_lambda_state_dict_leaves_out_functions_but_saves_callable_objects():
    torch = pytest.importorskip("torch")
    warmup = Warmup(5)
    state = LambdaLR(make_optimizer(), [step_decay, warmup]).state_dict()
    tstate = torch.optim.lr_scheduler.LambdaLR(torch_optimizer(torch),
                                               [step_decay, warmup]).state_dict()
    assert state["lr_lambdas"] == tstate["lr_lambdas"] == [None, {"steps": 5}]
    other = Warmup(2)
    scheduler = LambdaLR(make_optimizer(), [step_decay, other])
    scheduler.load_state_dict(state)
    assert other.steps == 5 and scheduler.lr_lambdas[1] is other


def test_lambda_state_dict_saves_with_a_fit_checkpoint(tmp_path):
    opt = make_optimizer()
    scheduler = LambdaLR(opt, lambda e: 0.9 ** e)
    trajectory(scheduler, opt, steps=3)
    nn.save(tmp_path / "s.npz", scheduler=scheduler)
    again = LambdaLR(make_optimizer(), lambda e: 0.9 ** e)
    nn.load_into(tmp_path / "s.npz", scheduler=again)
    assert again.last_epoch == 3 and again.get_last_lr() == scheduler.get_last_lr()


def test_step_epoch_jumps_to_the_closed_form():
    opt = make_optimizer()
    lam = LambdaLR(opt, lambda e: 0.5 ** e)
    opt.step()
    lam.step(3)
    assert lam.get_last_lr() == pytest.approx([b * 0.125 for b in BASE_LRS], rel=1e-12)
    opt = make_optimizer()
    mult = MultiplicativeLR(opt, lambda e: 1.0 / (e + 1))
    opt.step()
    mult.step()
    mult.step(4)  # no closed form (as PyTorch): the current lr times f(4)
    assert mult.last_epoch == 4
    assert mult.get_last_lr() == pytest.approx([b / 2 / 5 for b in BASE_LRS], rel=1e-12)


CHAINED = [
    lambda lib, o: [lib.ConstantLR(o, 0.25, total_iters=4), lib.ExponentialLR(o, 0.9)],
    lambda lib, o: [lib.PolynomialLR(o, total_iters=20, power=2.0), lib.StepLR(o, 3, 0.5)],
    lambda lib, o: [lib.LinearLR(o, 0.1, total_iters=5), lib.PolynomialLR(o, 10, 0.7)],
]


@pytest.mark.parametrize("build", CHAINED)
def test_stepped_together_they_compose_as_torch(build):
    torch = pytest.importorskip("torch")
    opt, topt = make_optimizer(), torch_optimizer(torch)
    ours, theirs = build(nn.optim, opt), build(torch.optim.lr_scheduler, topt)
    want, got = [], []
    for _ in range(STEPS):
        got.append(lrs_of(opt))
        want.append(lrs_of(topt))
        opt.step()
        topt.step()
        for a, b in zip(ours, theirs):
            a.step()
            b.step()
    np.testing.assert_allclose(got, want, rtol=1e-12)


@pytest.mark.parametrize("name, kwargs", [("ConstantLR", dict(factor=0.3, total_iters=6)),
                                          ("PolynomialLR", dict(total_iters=8, power=1.7))])
def test_step_epoch_is_torchs_closed_form(name, kwargs):
    torch = pytest.importorskip("torch")
    opt, topt = make_optimizer(), torch_optimizer(torch)
    ours = getattr(nn.optim, name)(opt, **kwargs)
    theirs = getattr(torch.optim.lr_scheduler, name)(topt, **kwargs)
    opt.step()
    topt.step()
    for epoch in (3, 0, 6, 8, 11, 5):
        ours.step(epoch)
        with pytest.warns(UserWarning):  # PyTorch deprecates step(epoch)
            theirs.step(epoch)
        np.testing.assert_allclose(ours.get_last_lr(), theirs.get_last_lr(), rtol=1e-12)


def test_constant_lr_with_factor_zero_restores_the_initial_lr():
    opt = make_optimizer()  # PyTorch divides by the factor 0 there
    got = trajectory(ConstantLR(opt, factor=0.0, total_iters=3), opt, steps=5)
    np.testing.assert_array_equal(got, [[0.0, 0.0]] * 3 + [list(BASE_LRS)] * 2)


SEQUENTIAL_CASES = [
    lambda lib, o: [lib.LinearLR(o, 0.5, total_iters=3), lib.MultiplicativeLR(o, lambda e: 0.9)],
    lambda lib, o: [lib.ExponentialLR(o, 0.8), lib.LambdaLR(o, lambda e: 1 / (e + 2))],
]


@pytest.mark.parametrize("build", SEQUENTIAL_CASES)
def test_in_sequential_lr_as_torch(build):
    torch = pytest.importorskip("torch")
    opt, topt = make_optimizer(), torch_optimizer(torch)
    ours = nn.optim.SequentialLR(opt, build(nn.optim, opt), milestones=[4])
    L = torch.optim.lr_scheduler
    theirs = L.SequentialLR(topt, build(L, topt), milestones=[4])
    np.testing.assert_allclose(trajectory(ours, opt, 12), trajectory(theirs, topt, 12),
                               rtol=1e-12)


@pytest.mark.parametrize("build, error, match", [
    (lambda o: LambdaLR(o, 0.9), ArgumentTypeError, r"LambdaLR: lr_lambda must be a func"),
    (lambda o: LambdaLR(o, [step_decay]), ConfigError, r"list of 2 \(one per param group"),
    (lambda o: MultiplicativeLR(o, [step_decay, "x"]), ArgumentTypeError, "at index 1"),
    (lambda o: LambdaLR(o, lambda e: None), ArgumentTypeError,
     r"LambdaLR: lr_lambda\(0\) must be a finite number; got None"),
    (lambda o: trajectory(MultiplicativeLR(o, lambda e: math.nan), o), ConfigError,
     r"lr_lambda\(1\) must be a finite number; got nan"),
    (lambda o: LambdaLR(object(), step_decay), ArgumentTypeError, "needs an nn.optim Opt"),
    (lambda o: ConstantLR(o, factor=1.5), ConfigError,
     r"ConstantLR: factor must be a number in \[0, 1\]; got 1.5"),
    (lambda o: ConstantLR(o, total_iters=0), ConfigError, "total_iters must be an int >= 1"),
    (lambda o: ConstantLR(o, factor="0.5"), ArgumentTypeError, "factor must be a number"),
    (lambda o: PolynomialLR(o, total_iters=5.5), ArgumentTypeError, "round it"),
    (lambda o: PolynomialLR(o, power=-1), ConfigError, "power must be a finite number >= 0"),
    (lambda o: PolynomialLR(o, power=None), ArgumentTypeError, "power must be"),
])
def test_bad_arguments_raise(build, error, match):
    with pytest.raises(error, match=match):
        build(make_optimizer())


def test_load_state_dict_with_the_wrong_number_of_lambdas_raises():
    state = LambdaLR(make_optimizer(), step_decay).state_dict()
    state["lr_lambdas"] = [None]
    with pytest.raises(StateDictError, match="lr_lambdas must be a list of 2"):
        LambdaLR(make_optimizer(), step_decay).load_state_dict(state)


def test_stepping_before_the_optimizer_warns_once():
    scheduler = MultiplicativeLR(make_optimizer(), lambda e: 0.9)
    with pytest.warns(UserWarning, match="before optimizer.step"):
        scheduler.step()


@pytest.mark.parametrize("build", [
    lambda o: LambdaLR(o, lambda e: 0.5 ** e),
    lambda o: MultiplicativeLR(o, lambda e: 0.5),
    lambda o: ConstantLR(o, 0.125, total_iters=7),
    lambda o: PolynomialLR(o, total_iters=6, power=3.0),
    lambda o: ChainedScheduler([ConstantLR(o, 0.25, total_iters=2), ExponentialLR(o, 0.5)]),
])
def test_fit_lr_scheduler_callback(build):
    model = MLP([4, 8, 2], output="softmax", rng=0)
    opt = SGD(model.parameters(), lr=1.0)
    rng = np.random.default_rng(0)
    X = rng.normal(size=(32, 4))
    fit(model, F.cross_entropy, opt, (X, (X[:, 0] > 0).astype(np.int64)), epochs=3,
        batch_size=16, callbacks=[LRScheduler(build(opt))], progress=False)
    assert opt.param_groups[0]["lr"] == pytest.approx(0.5 ** 3, rel=1e-12)


@pytest.mark.parametrize("name", ["LambdaLR", "MultiplicativeLR", "ConstantLR",
                                  "PolynomialLR", "OneCycleLR", "ChainedScheduler"])
def test_pytorch_path(name):
    assert getattr(nn.optim.lr_scheduler, name) is getattr(nn.optim, name)



# ------------------------------------------------------------------------ ChainedScheduler
@pytest.mark.parametrize("build", CHAINED + [
    lambda lib, o: [lib.ConstantLR(o, 0.1, total_iters=20), lib.ExponentialLR(o, 0.9)],
    lambda lib, o: [lib.MultiplicativeLR(o, lambda e: 0.95), lib.CosineAnnealingLR(o, 12)],
])
def test_chained_scheduler_matches_torch(build):
    torch = pytest.importorskip("torch")
    opt, topt = make_optimizer(momentum=0.9), torch_optimizer(torch, momentum=0.9)
    ours = ChainedScheduler(build(nn.optim, opt))
    theirs = torch.optim.lr_scheduler.ChainedScheduler(build(torch.optim.lr_scheduler, topt))
    assert ours.get_last_lr() == pytest.approx(theirs.get_last_lr(), rel=1e-12)
    np.testing.assert_allclose(trajectory(ours, opt), trajectory(theirs, topt), rtol=1e-12)
    assert ours.get_last_lr() == pytest.approx(theirs.get_last_lr(), rel=1e-12)


def test_chained_scheduler_state_dict_round_trip():
    def build(o):
        return ChainedScheduler([ConstantLR(o, 0.5, total_iters=6), StepLR(o, 4, 0.5)], o)
    sched_state = assert_resumes_identically(build, before=5, after=10)
    opt2 = make_optimizer(lrs=(0.5, 0.5))
    scheduler2 = build(opt2)
    scheduler2.load_state_dict(sched_state)
    assert scheduler2.state_dict() == sched_state  # _step_count too, as torch restores it
    sched_state["_schedulers"] = sched_state["_schedulers"][:1]
    with pytest.raises(StateDictError, match="the states of 2 schedulers"):
        scheduler2.load_state_dict(sched_state)


def test_chained_scheduler_warns_once_when_stepped_before_the_optimizer():
    opt = make_optimizer()
    scheduler = ChainedScheduler([ConstantLR(opt), ExponentialLR(opt, 0.9)])
    with pytest.warns(UserWarning, match="ChainedScheduler.step.. was called before") as got:
        scheduler.step()
    assert len(got) == 1


def test_chained_scheduler_bad_arguments_raise():
    opt, other = make_optimizer(), make_optimizer()
    with pytest.raises(ArgumentTypeError, match="schedulers must be a list"):
        ChainedScheduler(ExponentialLR(opt, 0.9))
    with pytest.raises(ConfigError, match="at least one scheduler"):
        ChainedScheduler([])
    with pytest.raises(ArgumentTypeError, match=r"schedulers\[1\] must be an nn.optim sch"):
        ChainedScheduler([ExponentialLR(opt, 0.9), "StepLR"])
    with pytest.raises(ConfigError, match="ReduceLROnPlateau, whose step.. needs the metric"):
        ChainedScheduler([ReduceLROnPlateau(opt)])
    with pytest.raises(ConfigError, match=r"schedulers\[1\] \(StepLR\) belongs to another"):
        ChainedScheduler([ExponentialLR(opt, 0.9), StepLR(other, 2)])
    with pytest.raises(ConfigError, match=r"schedulers\[0\]"):
        ChainedScheduler([ExponentialLR(opt, 0.9)], optimizer=other)
    with pytest.raises(ArgumentTypeError, match="optimizer must be an nn.optim Optimizer"):
        ChainedScheduler([ExponentialLR(opt, 0.9)], optimizer="SGD")
