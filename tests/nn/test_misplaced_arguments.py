"""The first mistakes of a new user, each a named error that says what to pass:
the model itself given to an optimizer, a number as ``step``'s closure, ``None`` given to
``ReduceLROnPlateau.step``, a non-function given to ``Module.apply``. Each raised Python's
or NumPy's error from inside before ('Linear' object is not iterable, ...)."""

import numpy as np
import pytest

import nn
from nn.errors import ArgumentTypeError


def test_the_model_itself_given_to_an_optimizer(torch):
    with pytest.raises(ArgumentTypeError, match=r"Pass model.parameters\(\)"):
        nn.optim.SGD(nn.Linear(2, 2), lr=0.1)
    with pytest.raises(TypeError):  # PyTorch refuses it too, less clearly
        torch.optim.SGD(torch.nn.Linear(2, 2), lr=0.1)


def test_a_parameter_list_is_still_parameters():
    params = nn.ParameterList([nn.Parameter(np.ones(2))])
    optimizer = nn.optim.SGD(params, lr=0.1)
    assert optimizer.param_groups[0]["params"] == list(params)


def test_step_closure_must_be_a_function():
    optimizer = nn.optim.SGD([nn.Parameter(np.ones(2))], lr=0.1)
    with pytest.raises(ArgumentTypeError, match="closure must be a function"):
        optimizer.step(3)


@pytest.mark.parametrize("metric", [None, "low"])
def test_plateau_needs_the_monitored_number(metric, torch):
    scheduler = nn.optim.lr_scheduler.ReduceLROnPlateau(
        nn.optim.SGD([nn.Parameter(np.ones(2))], lr=0.1))
    with pytest.raises(ArgumentTypeError, match="monitored number"):
        scheduler.step(metric)
    assert scheduler.num_bad_epochs == 0  # nothing was recorded
    with pytest.raises((TypeError, ValueError)):
        torch.optim.lr_scheduler.ReduceLROnPlateau(
            torch.optim.SGD([torch.ones(2, requires_grad=True)], lr=0.1)).step(metric)


def test_module_apply_needs_a_function():
    with pytest.raises(ArgumentTypeError, match="fn must be a function"):
        nn.Linear(2, 2).apply(3)
