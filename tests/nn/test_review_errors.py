"""Named errors (DataError / ArgumentTypeError / DTypeError) instead of bare NumPy or
Python ones for ragged or non-numeric loss weights, running statistics and cyclic
momentum bounds."""

import numpy as np
import pytest

import nn
import nn.functional as F
from autograd.errors import AutogradError, DataError, DTypeError
from nn.errors import ArgumentTypeError

RAGGED = [[1.0, 2.0], [1.0]]


@pytest.mark.parametrize("make", [
    lambda w: nn.CrossEntropyLoss(weight=w),
    lambda w: nn.NLLLoss(weight=w),
    lambda w: nn.BCELoss(weight=w),
    lambda w: nn.BCEWithLogitsLoss(weight=w),
    lambda w: nn.BCEWithLogitsLoss(pos_weight=w),
], ids=["cross_entropy", "nll", "bce", "bce_logits_weight", "bce_logits_pos_weight"])
def test_loss_modules_refuse_ragged_and_object_weights_by_name(make):
    with pytest.raises(DataError, match="ragged.*same length"):
        make(RAGGED)
    with pytest.raises(DataError, match="objects"):
        make([1.0, None])
    with pytest.raises(DTypeError, match="real numbers"):
        make(["a", "b"])


@pytest.mark.parametrize("call", [
    lambda w: F.cross_entropy(np.zeros((2, 2)), np.array([0, 1]), weight=w),
    lambda w: F.nll_loss(np.zeros((2, 2)), np.array([0, 1]), weight=w),
    lambda w: F.binary_cross_entropy(np.full((2, 2), 0.5), np.zeros((2, 2)), weight=w),
    lambda w: F.binary_cross_entropy_with_logits(np.zeros((2, 2)), np.zeros((2, 2)),
                                                 weight=w),
    lambda w: F.binary_cross_entropy_with_logits(np.zeros((2, 2)), np.zeros((2, 2)),
                                                 pos_weight=w),
], ids=["cross_entropy", "nll", "bce", "bce_logits_weight", "bce_logits_pos_weight"])
def test_loss_functions_refuse_ragged_weights_by_name(call):
    with pytest.raises(DataError, match="weight.*ragged"):
        call(RAGGED)


@pytest.mark.parametrize("stats", [("abc", "def"), (RAGGED, RAGGED), ([None] * 3, [1] * 3)])
def test_batch_norm_in_evaluation_refuses_non_numeric_running_statistics(stats):
    with pytest.raises(AutogradError, match="running_mean must be .*numbers") as info:
        F.batch_norm(np.ones((4, 3)), *stats)
    assert isinstance(info.value, (DataError, ArgumentTypeError))


@pytest.mark.parametrize("name", ["base_momentum", "max_momentum", "base_lr", "max_lr"])
@pytest.mark.parametrize("value", ["a", None, [0.1, "b"], True])
def test_cyclic_lr_bounds_must_be_numbers(name, value):
    layer = nn.Linear(2, 2)
    opt = nn.optim.SGD(layer.parameters(), lr=0.1, momentum=0.9)
    kwargs = {"base_lr": 0.01, "max_lr": 0.1, name: value}
    match = rf"CyclicLR: {name}(\[1\])? must be a finite number >= 0; got "
    with pytest.raises(ArgumentTypeError, match=match):
        nn.optim.CyclicLR(opt, **kwargs)


def test_loss_modules_convert_weights_with_the_functional_helper():
    """One conversion for the modules and the functions: same values, same errors."""
    from nn import losses
    from nn.functional.weighted import weight_values
    assert not hasattr(losses, "_weight_array")
    for weight in ([1, 2], np.array([0.5, 2.0], np.float32), 3.0):
        module = nn.BCEWithLogitsLoss(weight=weight, pos_weight=weight)
        expected = weight_values("BCEWithLogitsLoss", "weight", weight)
        for buffer in (module.weight, module.pos_weight):
            np.testing.assert_array_equal(buffer.data, expected)
            assert buffer.dtype == expected.dtype
