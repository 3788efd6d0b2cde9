"""Optimizers and schedulers next to PyTorch where they once parted (fuzzing pass s33):
the squared-gradient averages near the float range's end, Adafactor's lerp at weight 1,
Rprop with a NaN gradient, LBFGS over empty parameters or with lr=0, LinearLR(0)."""
import numpy as np
import pytest

import autograd
import nn
from autograd.errors import UsageError
from nn.errors import ConfigError
from nn.optim.line_search import cubic_minimum

# |g| whose square overflows while (1 - beta2) g^2 stays finite (beta2 up to 0.9)
BIG = {np.float32: 3e19, np.float64: 3e154}
SQUARE_AVERAGES = [("Adam", {"lr": 0.1}), ("AdamW", {"lr": 0.1}), ("NAdam", {}),
                   ("RAdam", {}), ("Adadelta", {}), ("RMSprop", {"lr": 0.1}),
                   ("RMSprop", {"lr": 0.1, "alpha": 1.0}),
                   ("RMSprop", {"lr": 0.1, "centered": True})]


def steps_side_by_side(torch, name, kwargs, start, grads):
    """Run ``nn.optim.<name>`` and ``torch.optim.<name>`` over the same gradients; return
    both parameters and optimizers."""
    ours = autograd.Tensor(start.copy(), requires_grad=True)
    theirs = torch.tensor(start.copy(), requires_grad=True)
    opt = getattr(nn.optim, name)([ours], **kwargs)
    topt = getattr(torch.optim, name)([theirs], **kwargs)
    for g in grads:
        ours.grad = autograd.Tensor(g.copy())
        theirs.grad = torch.tensor(g.copy())
        opt.step()
        topt.step()
    return ours, opt, theirs, topt


def assert_same_state(opt, ours, topt, theirs, rtol):
    np.testing.assert_allclose(ours.data, theirs.detach().numpy(), rtol=rtol)
    tstate = topt.state[theirs]
    for key, value in opt.state[ours].items():
        if key != "step":
            np.testing.assert_allclose(np.asarray(value.data), tstate[key].numpy(),
                                       rtol=rtol, err_msg=key)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("name, kwargs", SQUARE_AVERAGES,
                         ids=[f"{n}{k}" for n, k in SQUARE_AVERAGES])
def test_squared_gradient_average_stays_finite_as_torch(torch, name, kwargs, dtype):
    """v = b v + (1 - b) g^2 as ((1 - b) g) g: g g alone would overflow to inf."""
    start = np.array([0.5, -0.25], dtype)
    grads = [np.array([BIG[dtype], -BIG[dtype]], dtype), np.array([1.0, -2.0], dtype)]
    with np.errstate(over="ignore"):  # NAdam's v / (1 - b2^t) overflows, in both
        ours, opt, theirs, topt = steps_side_by_side(torch, name, kwargs, start, grads)
    assert np.isfinite(opt.state[ours]["exp_avg_sq" if "exp_avg_sq" in opt.state[ours]
                                       else "square_avg"].data).all()
    assert_same_state(opt, ours, topt, theirs, rtol=1e-5 if dtype == np.float32 else 1e-12)


@pytest.mark.parametrize("shape", [(3,), (2, 3)])
def test_adafactor_weight_one_takes_the_new_variance_as_torch(torch, shape):
    """beta2_decay=0: the new statistic's weight t^0 is 1, so the variance is the new
    g^2 exactly (torch.lerp's rounding), however large the old one was."""
    rng = np.random.default_rng(0)
    start = rng.normal(size=shape)
    grads = [np.full(shape, 1e10), np.full(shape, -3e9), rng.normal(size=shape)]
    ours, opt, theirs, topt = steps_side_by_side(
        torch, "Adafactor", {"lr": 0.01, "beta2_decay": 0.0}, start, grads)
    assert_same_state(opt, ours, topt, theirs, rtol=1e-12)


@pytest.mark.parametrize("start", [np.array([0.5, -0.5, 0.25]), np.array(0.5)],
                         ids=["vector", "0-d"])
def test_rprop_skips_a_nan_gradient_as_torch(torch, start):
    """torch.sign(NaN) is 0: the coordinate does not move, and recovers at the next step."""
    nan = np.full(start.shape, np.nan)
    if start.ndim:
        nan[1:] = [1.0, -1.0]
    grads = [nan, np.ones(start.shape), -np.ones(start.shape), np.ones(start.shape)]
    ours, opt, theirs, topt = steps_side_by_side(torch, "Rprop", {"lr": 0.1}, start, grads)
    assert np.isfinite(ours.data).all()
    assert_same_state(opt, ours, topt, theirs, rtol=1e-12)


def squares_closure(opt, params):
    def closure():
        opt.zero_grad()
        loss = sum((p * p).sum() for p in params)
        loss.backward()
        return loss
    return closure


def test_lbfgs_over_empty_parameters_is_a_named_error_at_step(torch):
    """No numbers to optimize: a UsageError (a RuntimeError, as torch's) that says so."""
    params = [autograd.Tensor(np.ones(0), requires_grad=True),
              autograd.Tensor(np.ones((2, 0)), requires_grad=True)]
    opt = nn.optim.LBFGS(params)  # built before a lazy module's first call: allowed
    with pytest.raises(UsageError, match=r"no numbers.*\(0,\), \(2, 0\).*at least one"):
        opt.step(squares_closure(opt, params))
    theirs = [torch.ones(0, requires_grad=True), torch.ones((2, 0), requires_grad=True)]
    topt = torch.optim.LBFGS(theirs)
    with pytest.raises(RuntimeError):
        topt.step(squares_closure(topt, theirs))


def test_cubic_minimum_of_a_degenerate_bracket():
    """t1 == t2: no cubic to fit; the point itself, or the middle of the bounds given."""
    assert cubic_minimum(0.5, 1.0, -2.0, 0.5, 1.0, -2.0) == 0.5
    assert cubic_minimum(0, 1.0, -2.0, 0, 1.0, -2.0, bounds=(0.0, 0.0)) == 0.0
    assert cubic_minimum(1.0, 3.0, -1.0, 1.0, 2.0, 1.0, bounds=(1.0, 4.0)) == (1.0 + 4.0) / 2


def test_lbfgs_lr_zero_with_strong_wolfe_stays_put():
    """lr=0 makes every trial step 0 (a bracket [0, 0]): the parameters stay where they
    are, step after step, and each step returns the loss there."""
    start = np.array([1.0, -2.0, 0.5])
    p = autograd.Tensor(start.copy(), requires_grad=True)
    opt = nn.optim.LBFGS([p], lr=0.0, line_search_fn="strong_wolfe")
    closure = squares_closure(opt, [p])
    for _ in range(3):
        assert float(opt.step(closure)) == float((start * start).sum())
        np.testing.assert_array_equal(p.data, start)


def test_linear_lr_refuses_start_factor_zero_as_torch(torch):
    """PyTorch's LinearLR wants start_factor in (0, 1]; LinearWarmup may start at 0."""
    p = autograd.Tensor(np.ones(2), requires_grad=True)
    opt = nn.optim.SGD([p], lr=0.1)
    with pytest.raises(ConfigError, match=r"start_factor.*\(0, 1\].*LinearWarmup"):
        nn.optim.lr_scheduler.LinearLR(opt, start_factor=0.0)
    topt = torch.optim.SGD([torch.ones(2, requires_grad=True)], lr=0.1)
    with pytest.raises(ValueError):
        torch.optim.lr_scheduler.LinearLR(topt, start_factor=0.0)
    warmup = nn.optim.lr_scheduler.LinearWarmup(opt, warmup_steps=4)
    assert warmup.start_factor == 0.0 and opt.param_groups[0]["lr"] == 0.0
    with pytest.raises(ConfigError, match="start_factor"):
        nn.optim.lr_scheduler.LinearWarmup(opt, warmup_steps=4, start_factor=-0.5)
