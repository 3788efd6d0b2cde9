"""nn's warnings point at the line of the user's code that led to them
(``_checks.caller_outside_nn``), also when a module inside a Sequential, a model or
``fit`` raised them: a fixed stacklevel named nn's own files there."""
from __future__ import annotations

import warnings

import numpy as np

import autograd as ag
import nn


def warned_at(call) -> set[str]:
    """The files the warnings of ``call()`` point at."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        call()
    assert caught, "no warning"
    return {w.filename for w in caught}


def test_functional_warnings_raised_by_modules_name_the_caller() -> None:
    x = ag.Tensor(np.ones((2, 3, 4)))
    log_q = ag.Tensor(np.log(np.full((2, 3), 1 / 3)))
    calls = [
        lambda: nn.Sequential(nn.Identity(), nn.Dropout2d(0.5))(x),  # 3-d input
        lambda: nn.Sequential(nn.Identity(), nn.InstanceNorm1d(5))(x),  # unused features
        lambda: nn.KLDivLoss()(log_q, ag.Tensor(np.full((2, 3), 1 / 3))),  # "mean"
        lambda: nn.functional.dropout2d(x, 0.5),  # called directly: the same line
    ]
    for call in calls:
        assert warned_at(call) == {__file__}


def test_a_constructor_inside_a_users_model_names_the_users_line() -> None:
    class Model(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.rnn = nn.LSTM(3, 4, num_layers=1, dropout=0.2)  # dropout has no effect

    assert warned_at(Model) == {__file__}


def test_deprecated_names_and_schedulers_name_the_caller() -> None:
    model = nn.Linear(2, 2, rng=0)
    optimizer = nn.optim.SGD(model.parameters(), lr=0.1)
    scheduler = nn.optim.lr_scheduler.StepLR(optimizer, step_size=1)
    assert warned_at(scheduler.step) == {__file__}  # before optimizer.step()
    assert warned_at(scheduler.get_lr) == {__file__}
    assert warned_at(lambda: nn.init.normal(model.weight)) == {__file__}
    assert warned_at(lambda: nn.data.random_split(range(2), [0.9, 0.1])) == {__file__}
