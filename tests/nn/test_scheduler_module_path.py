"""The schedulers report PyTorch's module path (``nn.optim.lr_scheduler``, as
``torch.optim.lr_scheduler``) though they live in several files: d2l's ``train`` tells
the built-in schedulers from its own callables by
``scheduler.__module__ == lr_scheduler.__name__`` and called ``MultiStepLR(epoch)`` when it
was ``nn.optim.schedulers``."""

import pickle

import pytest

import nn
from nn.optim import lr_scheduler


def _scheduler(name: str, optimizer):
    arguments = {"StepLR": (2,), "LinearWarmup": (3,), "MultiStepLR": ([2],),
                 "ExponentialLR": (0.9,),
                 "CosineAnnealingLR": (4,), "CosineAnnealingWarmRestarts": (3,),
                 "CyclicLR": (0.01, 0.1), "LambdaLR": (lambda epoch: 1.0,),
                 "MultiplicativeLR": (lambda epoch: 0.9,), "OneCycleLR": (0.1, 10)}
    return getattr(lr_scheduler, name)(optimizer, *arguments.get(name, ()))


@pytest.mark.parametrize("name", [n for n in lr_scheduler.__all__
                                  if n not in ("LRScheduler", "SequentialLR",
                                               "ChainedScheduler")])
def test_built_in_scheduler_module_is_lr_scheduler_as_pytorchs(name):
    model = nn.Linear(2, 1)
    optimizer = nn.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    scheduler = _scheduler(name, optimizer)
    assert scheduler.__module__ == lr_scheduler.__name__ == "nn.optim.lr_scheduler"
    assert type(scheduler).__module__ == "nn.optim.lr_scheduler"
    torch = pytest.importorskip("torch")
    theirs = getattr(torch.optim.lr_scheduler, name, None)
    if theirs is not None:
        assert theirs.__module__ == torch.optim.lr_scheduler.__name__


def test_every_public_scheduler_class_and_the_base_report_the_path():
    for name in lr_scheduler.__all__:
        cls = getattr(lr_scheduler, name)
        assert cls.__module__ == "nn.optim.lr_scheduler", name
        assert getattr(lr_scheduler, cls.__qualname__) is cls  # pickle finds it there
    assert pickle.loads(pickle.dumps(lr_scheduler.MultiStepLR)) is nn.optim.MultiStepLR


def test_d2l_train_dispatch_steps_built_in_and_calls_its_own():
    """d2l's ``train``: a built-in scheduler steps, a d2l one is called with the epoch."""
    class SquareRootScheduler:
        def __init__(self, lr=0.1):
            self.lr = lr

        def __call__(self, num_update):
            return self.lr * pow(num_update + 1.0, -0.5)

    model = nn.Linear(2, 1)
    trainer = nn.optim.SGD(model.parameters(), lr=0.5)
    for scheduler in (lr_scheduler.MultiStepLR(trainer, milestones=[1], gamma=0.5),
                      SquareRootScheduler(lr=0.1)):
        for epoch in range(2):
            trainer.step()
            if scheduler.__module__ == lr_scheduler.__name__:
                scheduler.step()
            else:
                for param_group in trainer.param_groups:
                    param_group['lr'] = scheduler(epoch)
    assert trainer.param_groups[0]["lr"] == pytest.approx(0.1 * 2 ** -0.5)


def test_a_users_scheduler_subclass_keeps_its_own_module():
    class Halving(lr_scheduler.LRScheduler):
        def get_lr(self):
            return [group["lr"] / 2 for group in self.optimizer.param_groups]

    assert Halving.__module__ == __name__
