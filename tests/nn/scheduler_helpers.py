"""Shared by the scheduler tests: optimizers with two param groups (ours and PyTorch's,
each group with its own lr), and the lr trajectory a scheduler gives them."""
import numpy as np

import autograd
from nn.optim import SGD

BASE_LRS = (0.1, 0.03)  # two param groups, each with its own lr
STEPS = 30


def make_optimizer(lrs=BASE_LRS, cls=SGD, **kwargs):
    groups = [{"params": [autograd.Tensor(np.zeros(2), requires_grad=True)], "lr": lr}
              for lr in lrs]
    return cls(groups, lr=1.0, **kwargs)


def torch_optimizer(torch, lrs=BASE_LRS, name="SGD", **kwargs):
    groups = [{"params": [torch.zeros(1, requires_grad=True)], "lr": lr} for lr in lrs]
    return getattr(torch.optim, name)(groups, lr=1.0, **kwargs)


def lrs_of(optimizer):
    return [g["lr"] for g in optimizer.param_groups]


def lrs_after_steps(optimizer, scheduler, steps):
    """The first group's lr after construction, then after each of ``steps``
    (optimizer.step(), then scheduler.step()); any library's optimizer and scheduler."""
    lrs = [optimizer.param_groups[0]["lr"]]
    for _ in range(steps):
        optimizer.step()
        scheduler.step()
        lrs.append(optimizer.param_groups[0]["lr"])
    return lrs


def trajectory(scheduler, optimizer, steps=STEPS):
    """Each group's lr before every step (optimizer.step(), then scheduler.step())."""
    out = []
    for _ in range(steps):
        out.append(lrs_of(optimizer))
        optimizer.step()
        scheduler.step()
    return np.array(out)


def assert_resumes_identically(build, before, after):
    """A scheduler built by ``build(optimizer)`` and stepped ``before`` times, saved and
    loaded into a fresh one, gives the same next ``after`` lrs."""
    opt = make_optimizer()
    scheduler = build(opt)
    trajectory(scheduler, opt, steps=before)
    opt_state, sched_state = opt.state_dict(), scheduler.state_dict()
    rest = trajectory(scheduler, opt, steps=after)
    opt2 = make_optimizer(lrs=(0.5, 0.5))
    scheduler2 = build(opt2)
    opt2.load_state_dict(opt_state)
    scheduler2.load_state_dict(sched_state)
    np.testing.assert_array_equal(trajectory(scheduler2, opt2, steps=after), rest)
    return sched_state
