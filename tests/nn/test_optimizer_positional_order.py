"""Every optimizer takes its positional arguments in PyTorch's order, as far as both have
positional arguments: ``Adagrad(params, 0.1, 0, 0, 0, 1e-10, True)`` passes PyTorch's
``foreach``, which here was ``maximize`` (gradient ascent, silently)."""

import inspect

import numpy as np
import pytest

import autograd as ag
import nn

torch = pytest.importorskip("torch")

NAMES = [name for name in nn.optim.__all__
         if inspect.isclass(getattr(nn.optim, name)) and hasattr(torch.optim, name)
         and issubclass(getattr(nn.optim, name), nn.optim.Optimizer)
         and name != "Optimizer"]


def positional(cls: type) -> list[str]:
    """The names ``cls(...)`` takes by position, after ``params``."""
    kinds = (inspect.Parameter.POSITIONAL_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD)
    names = [p.name for p in inspect.signature(cls.__init__).parameters.values()
             if p.kind in kinds]
    return names[2:]  # self, params


def test_the_optimizers_are_found() -> None:
    assert {"SGD", "Adam", "Adagrad", "Adadelta", "Adamax", "RMSprop"} <= set(NAMES)


@pytest.mark.parametrize("name", NAMES)
def test_positional_arguments_are_pytorchs(name: str) -> None:
    ours, theirs = positional(getattr(nn.optim, name)), positional(getattr(torch.optim, name))
    shared = min(len(ours), len(theirs))
    assert ours[:shared] == theirs[:shared]


def test_pytorchs_foreach_by_position_is_not_maximize() -> None:
    w = ag.Tensor(np.array([1.0, -2.0]), requires_grad=True)
    for optimizer in (nn.optim.Adagrad([w], 0.1, 0, 0, 0, 1e-10, True),
                      nn.optim.Adadelta([w], 1.0, 0.9, 1e-6, 0, True),
                      nn.optim.Adamax([w], 2e-3, (0.9, 0.999), 1e-8, 0, True),
                      nn.optim.RMSprop([w], 0.01, 0.99, 1e-8, 0, 0, False, False, True)):
        assert optimizer.param_groups[0]["maximize"] is False
