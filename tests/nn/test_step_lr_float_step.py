"""``StepLR(optimizer, 1.0, gamma=0.1)``, as PyTorch's torchtext text-classification
tutorial writes it: PyTorch takes a whole float step size; so does StepLR here (it was an
``ArgumentTypeError``). A fractional one stays an error."""

import pytest

import nn
from autograd import Tensor
from nn.errors import ArgumentTypeError


def learning_rates(optim, parameter, step_size, epochs: int = 5) -> list:
    optimizer = optim.SGD([parameter], lr=5.0)
    scheduler = optim.lr_scheduler.StepLR(optimizer, step_size, gamma=0.1)
    rates = []
    for _ in range(epochs):
        optimizer.step()
        scheduler.step()
        rates.append(scheduler.get_last_lr()[0])
    return rates


@pytest.mark.parametrize("step_size", [1.0, 2.0])
def test_whole_float_step_size_matches_torch(torch, step_size: float) -> None:
    ours = learning_rates(nn.optim, nn.Parameter(Tensor([1.0])), step_size)
    theirs = learning_rates(torch.optim, torch.nn.Parameter(torch.ones(1)), step_size)
    assert ours == pytest.approx(theirs, rel=1e-15)


def test_fractional_step_size_is_still_refused() -> None:
    optimizer = nn.optim.SGD([nn.Parameter(Tensor([1.0]))], lr=1.0)
    with pytest.raises(ArgumentTypeError, match="step_size must be an int"):
        nn.optim.lr_scheduler.StepLR(optimizer, 1.5)
