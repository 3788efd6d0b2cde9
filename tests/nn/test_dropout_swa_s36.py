"""Session 36's dropout and SWA findings: ``training=`` of the dropout functions is
checked (a truthy string dropped), and a custom ``avg_fn`` that returns nothing is named
(its None was written into the average as NaN)."""

import numpy as np
import pytest

import autograd
import nn
import nn.functional as F
from nn.errors import ArgumentTypeError
from nn.optim.swa_utils import AveragedModel

DROPOUTS = [F.dropout, F.alpha_dropout, F.dropout1d, F.dropout2d, F.dropout3d,
            F.feature_alpha_dropout]


@pytest.mark.parametrize("function", DROPOUTS)
@pytest.mark.parametrize("training", ["no", 1, None])
def test_training_must_be_a_bool(function, training) -> None:
    x = autograd.ones(2, 3, 4, 4, 4)
    with pytest.raises(ArgumentTypeError, match=f"{function.__name__}: training"):
        function(x, 0.5, training)


@pytest.mark.parametrize("function", DROPOUTS)
def test_training_false_passes_the_input_through(function) -> None:
    shape = (2, 3, 4) if function is F.dropout1d else (2, 3, 4, 4, 4)
    x = autograd.tensor(np.random.default_rng(0).standard_normal(shape))
    np.testing.assert_array_equal(function(x, 0.5, False).detach().numpy(),
                                  x.detach().numpy())


def test_an_avg_fn_that_returns_nothing_is_named() -> None:
    model = nn.Linear(2, 2)
    averaged = AveragedModel(model, avg_fn=lambda avg, cur, n: None)
    averaged.update_parameters(model)  # the first call copies
    before = averaged.module.weight.detach().numpy().copy()
    with pytest.raises(ArgumentTypeError, match="forget to return"):
        averaged.update_parameters(model)
    np.testing.assert_array_equal(averaged.module.weight.detach().numpy(), before)


def test_an_avg_fn_returning_the_mean_still_averages() -> None:
    model = nn.Linear(2, 2)
    averaged = AveragedModel(model, avg_fn=lambda avg, cur, n: (avg * n + cur) / (n + 1))
    first = model.weight.detach().numpy().copy()
    averaged.update_parameters(model)
    with autograd.no_grad():
        model.weight.add_(2.0)
    averaged.update_parameters(model)
    np.testing.assert_allclose(averaged.module.weight.detach().numpy(), first + 1.0)
