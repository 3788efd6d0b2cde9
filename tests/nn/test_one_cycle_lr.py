"""OneCycleLR against PyTorch's, step by step (lr and momentum or beta1, every phase,
several param groups); its state dict, errors and the fit callback."""
import numpy as np
import pytest

import nn.functional as F
import nn.optim
from nn.errors import ArgumentTypeError, ConfigError
from nn.models import MLP
from nn.optim import SGD, Adagrad, Adam, OneCycleLR
from nn.train import LRScheduler, fit
from scheduler_helpers import make_optimizer, torch_optimizer, trajectory

ONE_CYCLE = [
    dict(max_lr=1.0, total_steps=30),
    dict(max_lr=[0.5, 0.2], epochs=5, steps_per_epoch=6, pct_start=0.25,
         anneal_strategy="linear", div_factor=10.0, final_div_factor=100.0),
    dict(max_lr=0.4, total_steps=30, three_phase=True, base_momentum=[0.8, 0.7],
         max_momentum=0.9),
    dict(max_lr=0.4, total_steps=30, three_phase=True, anneal_strategy="linear",
         pct_start=0.4),
    dict(max_lr=0.3, total_steps=30, pct_start=0.05),  # a warm-up shorter than one step
    dict(max_lr=0.3, total_steps=7, pct_start=0.5),
]


def lrs_and_momenta(scheduler, optimizer, steps):
    """Each group's lr and momentum (or beta1) before every step, the last step included
    (step total_steps: its lr is set, not used)."""
    out = []
    for _ in range(steps):
        out.append([(g["lr"], g["betas"][0] if "betas" in g else g["momentum"])
                    for g in optimizer.param_groups])
        optimizer.step()
        scheduler.step()
    out.append([(g["lr"], g["betas"][0] if "betas" in g else g["momentum"])
                for g in optimizer.param_groups])
    return np.array(out)


@pytest.mark.parametrize("kwargs", ONE_CYCLE)
@pytest.mark.parametrize("name, opt_kwargs", [("SGD", dict(momentum=0.9)), ("Adam", {})])
def test_one_cycle_matches_torch(kwargs, name, opt_kwargs):
    torch = pytest.importorskip("torch")
    opt = make_optimizer(cls=getattr(nn.optim, name), **opt_kwargs)
    topt = torch_optimizer(torch, name=name, **opt_kwargs)
    steps = kwargs.get("total_steps") or kwargs["epochs"] * kwargs["steps_per_epoch"]
    ours = lrs_and_momenta(OneCycleLR(opt, **kwargs), opt, steps)
    theirs = lrs_and_momenta(torch.optim.lr_scheduler.OneCycleLR(topt, **kwargs), topt, steps)
    np.testing.assert_allclose(ours, theirs, rtol=1e-12, atol=1e-15)
    assert [g["initial_lr"] for g in opt.param_groups] == pytest.approx(
        [g["initial_lr"] for g in topt.param_groups], rel=1e-15)


def test_one_cycle_without_momentum_cycling():
    torch = pytest.importorskip("torch")
    opt, topt = make_optimizer(cls=Adagrad), torch_optimizer(torch, name="Adagrad")
    kwargs = dict(max_lr=0.2, total_steps=12, cycle_momentum=False)
    ours = trajectory(OneCycleLR(opt, **kwargs), opt, 12)
    want = trajectory(torch.optim.lr_scheduler.OneCycleLR(topt, **kwargs), topt, 12)
    np.testing.assert_allclose(ours, want, rtol=1e-12)
    with pytest.raises(ConfigError, match="Adagrad has neither.*cycle_momentum=False"):
        OneCycleLR(make_optimizer(cls=Adagrad), max_lr=0.2, total_steps=12)


def test_one_cycle_state_dict_round_trip():
    def build(o):
        return OneCycleLR(o, max_lr=[0.5, 0.2], total_steps=25, three_phase=True)
    opt = make_optimizer(cls=Adam)
    scheduler = build(opt)
    lrs_and_momenta(scheduler, opt, 9)
    opt_state, sched_state = opt.state_dict(), scheduler.state_dict()
    rest = lrs_and_momenta(scheduler, opt, 15)
    opt2 = make_optimizer(lrs=(0.5, 0.5), cls=Adam)
    scheduler2 = build(opt2)
    opt2.load_state_dict(opt_state)
    scheduler2.load_state_dict(sched_state)
    np.testing.assert_array_equal(lrs_and_momenta(scheduler2, opt2, 15), rest)


def test_one_cycle_past_total_steps_raises():
    opt = make_optimizer(momentum=0.9)
    scheduler = OneCycleLR(opt, max_lr=0.1, total_steps=4)
    trajectory(scheduler, opt, 3)
    scheduler.step()  # step 4: the lr after the last batch (as PyTorch)
    with pytest.raises(ConfigError, match="step 5 is past total_steps=4"):
        scheduler.step()


@pytest.mark.parametrize("kwargs, error, match", [
    (dict(max_lr=0.1), ConfigError, "pass total_steps, or both epochs and steps_per_epoch"),
    (dict(max_lr=0.1, epochs=3), ConfigError, "steps_per_epoch=None"),
    (dict(max_lr=0.1, total_steps=0), ConfigError, "total_steps must be an int >= 1"),
    (dict(max_lr=0.1, epochs=2, steps_per_epoch=2.0), ArgumentTypeError, "Pass an int"),
    (dict(max_lr=[0.1], total_steps=5), ConfigError, "list of 2 numbers"),
    (dict(max_lr=-1.0, total_steps=5), ConfigError, "max_lr must be"),
    (dict(max_lr=0.1, total_steps=5, pct_start=1.5), ConfigError, r"pct_start .*\[0, 1\]"),
    (dict(max_lr=0.1, total_steps=5, anneal_strategy="cosine"), ConfigError,
     "'cos' or 'linear'"),
    (dict(max_lr=0.1, total_steps=5, div_factor=0), ConfigError, "div_factor must be"),
    (dict(max_lr=0.1, total_steps=5, three_phase=1), ArgumentTypeError, "True or False"),
    (dict(max_lr=0.1, total_steps=10, pct_start=0.1), ConfigError, "phase of zero steps"),
    (dict(max_lr=0.1, total_steps=10, pct_start=1.0), ConfigError, "phase of zero steps"),
])
def test_one_cycle_bad_arguments_raise(kwargs, error, match):
    with pytest.raises(error, match=match):
        OneCycleLR(make_optimizer(momentum=0.9), **kwargs)


def test_one_cycle_per_batch_in_fit():
    torch = pytest.importorskip("torch")
    model = MLP([4, 8, 2], output="softmax", rng=0)
    opt = SGD(model.parameters(), lr=1.0, momentum=0.9)
    X = np.random.default_rng(0).normal(size=(64, 4))
    scheduler = OneCycleLR(opt, max_lr=0.5, epochs=3, steps_per_epoch=4)
    fit(model, F.cross_entropy, opt, (X, (X[:, 0] > 0).astype(np.int64)), epochs=3,
        batch_size=16, callbacks=[LRScheduler(scheduler, step_every="batch")],
        progress=False)
    topt = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=1.0, momentum=0.9)
    theirs = torch.optim.lr_scheduler.OneCycleLR(topt, max_lr=0.5, epochs=3, steps_per_epoch=4)
    for _ in range(12):
        topt.step()
        theirs.step()
    assert scheduler.last_epoch == 12
    assert opt.param_groups[0]["lr"] == pytest.approx(topt.param_groups[0]["lr"], rel=1e-12)
    assert opt.param_groups[0]["momentum"] == pytest.approx(topt.param_groups[0]["momentum"])
