"""A scheduler of one's own, written as PyTorch's documentation and countless scripts
write it: a subclass of ``LRScheduler`` (or of the pre-2.0 ``_LRScheduler``) overriding
``get_lr()``. It raised a bare ``NotImplementedError`` here, and ``_LRScheduler`` was
missing. Compared with PyTorch step by step: the lrs, ``get_last_lr()``, ``step(epoch)``,
a place in ``SequentialLR``, and ``get_lr()`` called on a built-in scheduler."""

import warnings

import pytest

import autograd as ag
import nn


def warmup_class(base):
    class WarmupLR(base):
        """Linear warm-up over ``warmup_steps``, then the base lr (a typical script's)."""

        def __init__(self, optimizer, warmup_steps, last_epoch=-1):
            self.warmup_steps = warmup_steps
            super().__init__(optimizer, last_epoch)

        def get_lr(self):
            return [base_lr * min(1.0, (self.last_epoch + 1) / self.warmup_steps)
                    for base_lr in self.base_lrs]

    return WarmupLR


def halving_class(base):
    class Halving(base):
        """Chained on the groups' current lr, as PyTorch's built-ins write get_lr."""

        def get_lr(self):
            if self.last_epoch == 0:
                return [group["lr"] for group in self.optimizer.param_groups]
            return [group["lr"] / 2 for group in self.optimizer.param_groups]

    return Halving


def run(T, optim, base, make):
    p = T.zeros(1, requires_grad=True)
    opt = optim.SGD([{"params": [p]}, {"params": [T.zeros(1, requires_grad=True)],
                                        "lr": 0.3}], lr=0.1)
    scheduler = make(base)(opt)
    lrs = [scheduler.get_last_lr()]
    for epoch in range(6):
        opt.step()
        scheduler.step()
        lrs.append(scheduler.get_last_lr() + [g["lr"] for g in opt.param_groups])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # PyTorch deprecates step(epoch)
        scheduler.step(2)
    lrs.append(scheduler.get_last_lr())
    return lrs, scheduler.last_epoch


@pytest.mark.parametrize("base_name", ["LRScheduler", "_LRScheduler"])
@pytest.mark.parametrize("make", [lambda base: (lambda opt: warmup_class(base)(opt, 4)),
                                  lambda base: (lambda opt: halving_class(base)(opt))])
def test_a_subclass_overriding_get_lr_runs_as_pytorchs(base_name, make):
    torch = pytest.importorskip("torch")
    ours = run(ag, nn.optim, getattr(nn.optim.lr_scheduler, base_name), make)
    theirs = run(torch, torch.optim, getattr(torch.optim.lr_scheduler, base_name), make)
    assert ours[1] == theirs[1]
    for a, b in zip(ours[0], theirs[0], strict=True):
        assert a == pytest.approx(b, rel=1e-12)


def test_a_get_lr_subclass_runs_in_sequential_lr_as_pytorchs():
    torch = pytest.importorskip("torch")
    runs = []
    for T, optim in ((ag, nn.optim), (torch, torch.optim)):
        opt = optim.SGD([T.zeros(1, requires_grad=True)], lr=0.1)
        warmup = warmup_class(optim.lr_scheduler.LRScheduler)(opt, 3)
        decay = optim.lr_scheduler.ExponentialLR(opt, gamma=0.5)
        sequence = optim.lr_scheduler.SequentialLR(opt, [warmup, decay], milestones=[3])
        lrs = []
        for _ in range(6):
            opt.step()
            sequence.step()
            lrs.append(opt.param_groups[0]["lr"])
        runs.append(lrs)
    assert runs[0] == pytest.approx(runs[1], rel=1e-12)


def test_lr_scheduler_is_the_pre_2_0_base_as_in_pytorch():
    assert issubclass(nn.optim.lr_scheduler._LRScheduler, nn.optim.lr_scheduler.LRScheduler)
    assert nn.optim.lr_scheduler._LRScheduler.__module__ == "nn.optim.lr_scheduler"
    torch = pytest.importorskip("torch")
    assert issubclass(torch.optim.lr_scheduler._LRScheduler, torch.optim.lr_scheduler.LRScheduler)


def test_get_lr_of_a_built_in_scheduler_warns_to_use_get_last_lr():
    opt = nn.optim.SGD([ag.zeros(1, requires_grad=True)], lr=0.1)
    scheduler = nn.optim.StepLR(opt, step_size=1, gamma=0.5)
    opt.step()
    scheduler.step()
    with pytest.warns(UserWarning, match="use get_last_lr"):
        assert scheduler.get_lr() == scheduler.get_last_lr() == [0.05]


def test_a_subclass_without_get_lr_says_to_override_it():
    class Nothing(nn.optim.lr_scheduler.LRScheduler):
        pass

    opt = nn.optim.SGD([ag.zeros(1, requires_grad=True)], lr=0.1)
    with pytest.raises(NotImplementedError, match=r"Nothing must override get_lr\(\)"):
        Nothing(opt)
