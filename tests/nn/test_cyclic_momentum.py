"""CyclicLR cycles momentum (SGD, RMSprop) or beta1 (Adam) inversely to the lr, as
PyTorch does by default (cycle_momentum=True); it used to reject the keyword."""
import numpy as np
import pytest

import autograd as ag
import nn
from nn.errors import ConfigError
from nn.optim import SGD, Adagrad, Adam, CyclicLR, RMSprop

KWARGS = dict(base_lr=1e-4, max_lr=5e-4, step_size_up=3, step_size_down=2)


def rosenbrock(p):
    return (1 - p[0]) ** 2 + 100 * (p[1] - p[0] ** 2) ** 2


def run(make_opt, steps=12, **kwargs):
    """Parameter, lr and momentum-like value after each step of minimising Rosenbrock."""
    p = ag.Tensor([-1.5, 2.0], requires_grad=True)
    opt = make_opt([p])
    sched = CyclicLR(opt, **KWARGS, **kwargs)
    out = []
    for _ in range(steps):
        opt.zero_grad()
        rosenbrock(p).backward()
        opt.step()
        sched.step()
        group = opt.param_groups[0]
        momentum = group["betas"][0] if "betas" in group else group.get("momentum")
        out.append([*p.data, group["lr"], momentum])
    return np.array(out)


CASES = [(lambda ps: SGD(ps, lr=0.1, momentum=0.9), "SGD", dict(lr=0.1, momentum=0.9)),
         (lambda ps: SGD(ps, lr=0.1, momentum=0.5, nesterov=True), "SGD",
          dict(lr=0.1, momentum=0.5, nesterov=True)),
         (lambda ps: Adam(ps, lr=0.1), "Adam", dict(lr=0.1)),
         (lambda ps: RMSprop(ps, lr=0.1, momentum=0.5), "RMSprop", dict(lr=0.1, momentum=0.5))]


@pytest.mark.parametrize("make_opt, torch_name, torch_kwargs", CASES,
                         ids=["sgd", "nesterov", "adam", "rmsprop"])
@pytest.mark.parametrize("mode", ["triangular", "exp_range"])
def test_matches_torch_with_default_momentum_cycling(make_opt, torch_name, torch_kwargs,
                                                     mode):
    torch = pytest.importorskip("torch")
    extra = dict(mode=mode, gamma=0.9, base_momentum=0.7, max_momentum=0.95)
    ours = run(make_opt, **extra)
    p = torch.tensor([-1.5, 2.0], dtype=torch.float64, requires_grad=True)
    opt = getattr(torch.optim, torch_name)([p], **torch_kwargs)
    sched = torch.optim.lr_scheduler.CyclicLR(opt, **KWARGS, **extra)
    want = []
    for _ in range(len(ours)):
        opt.zero_grad()
        rosenbrock(p).backward()
        opt.step()
        sched.step()
        group = opt.param_groups[0]
        momentum = group["betas"][0] if "betas" in group else group["momentum"]
        want.append([*p.detach().numpy(), group["lr"], momentum])
    assert np.isfinite(ours).all()
    np.testing.assert_allclose(ours, np.array(want), rtol=1e-10, atol=1e-12)


def test_momentum_moves_inversely_to_the_lr():
    got = run(lambda ps: SGD(ps, lr=0.1, momentum=0.9))
    lr, momentum = got[:, 2], got[:, 3]
    ramp = (lr - KWARGS["base_lr"]) / (KWARGS["max_lr"] - KWARGS["base_lr"])
    np.testing.assert_allclose(momentum, 0.9 - (0.9 - 0.8) * ramp)


def test_cycle_momentum_false_leaves_momentum_alone():
    got = run(lambda ps: SGD(ps, lr=0.1, momentum=0.3), cycle_momentum=False)
    assert set(got[:, 3]) == {0.3}
    assert run(lambda ps: Adagrad(ps, lr=0.1), cycle_momentum=False)[-1, 2] > 0


def test_an_optimizer_without_momentum_needs_cycle_momentum_false():
    with pytest.raises(ConfigError, match="Adagrad has neither.*cycle_momentum=False"):
        run(lambda ps: Adagrad(ps, lr=0.1))


def test_state_round_trip_and_an_old_state_without_momentum_cycling(tmp_path):
    p = ag.Tensor([1.0], requires_grad=True)
    opt = SGD([p], lr=0.1, momentum=0.9)
    sched = CyclicLR(opt, **KWARGS)
    for _ in range(4):
        opt.step()
        sched.step()
    nn.save(tmp_path / "c.npz", sched=sched)
    again = CyclicLR(SGD([p], lr=0.1, momentum=0.9), **KWARGS)
    nn.load_into(tmp_path / "c.npz", sched=again)
    assert again.state_dict() == sched.state_dict()
    old = {k: v for k, v in sched.state_dict().items()
           if k not in ("cycle_momentum", "use_beta1", "base_momentums", "max_momentums")}
    again.load_state_dict(old)
    assert again.cycle_momentum is False


class Point(nn.Module):
    """The Rosenbrock point as a module, so a checkpoint can hold it."""

    def __init__(self):
        super().__init__()
        self.p = nn.Parameter(np.array([-1.5, 2.0]))


def train(point, opt, sched, steps):
    """Per step: the parameters, lr and momentum-like value after it."""
    out = []
    for _ in range(steps):
        opt.zero_grad()
        rosenbrock(point.p).backward()
        opt.step()
        sched.step()
        group = opt.param_groups[0]
        momentum = group["betas"][0] if "betas" in group else group["momentum"]
        out.append([*point.p.data, group["lr"], momentum])
    return out


@pytest.mark.parametrize("make_opt", [CASES[0][0], CASES[2][0], CASES[3][0]],
                         ids=["sgd", "adam", "rmsprop"])
def test_a_run_restored_mid_cycle_continues_exactly_as_the_uninterrupted_one(make_opt,
                                                                             tmp_path):
    extra = dict(mode="exp_range", gamma=0.9, base_momentum=0.7, max_momentum=0.95)

    def fresh():
        point = Point()
        opt = make_opt(point.parameters())
        return point, opt, CyclicLR(opt, **KWARGS, **extra)

    whole = train(*fresh(), steps=12)
    point, opt, sched = fresh()
    first = train(point, opt, sched, steps=5)
    nn.save(tmp_path / "mid.npz", model=point, opt=opt, sched=sched)
    point, opt, sched = fresh()  # a new process: built anew, then restored
    nn.load_into(tmp_path / "mid.npz", model=point, opt=opt, sched=sched)
    rest = train(point, opt, sched, steps=7)
    np.testing.assert_array_equal(np.array(first + rest), np.array(whole))
