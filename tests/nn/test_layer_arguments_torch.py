"""nn functions and layers where fuzzing bad arguments against torch.nn found a wrong
value or a bare error: cosine_similarity of inputs that broadcast, convolution and pooling
of an input with an empty spatial axis or a weight with an empty kernel axis, ragged bags,
bool inputs to losses, AdaptiveLogSoftmaxWithLoss's div_value."""
from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pytest

import autograd as ag
import nn
import nn.functional as F
from autograd.errors import AutogradError, DataError, DTypeError, ShapeError
from nn.errors import ArgumentTypeError, ConfigError

OURS = SimpleNamespace(nn=nn, ones=ag.ones)  # spelled as torch: lib.nn.functional, lib.ones


@pytest.mark.parametrize("shapes", [((2, 3), (2, 1)), ((2, 3), (3,)), ((4, 1, 3), (2, 3))])
def test_cosine_similarity_broadcasts_first_as_pytorch(shapes, torch) -> None:
    """The norms were taken before broadcasting: a cosine of 1.6 for (2, 3) and (2, 1)."""
    rng = np.random.default_rng(0)
    a, b = (rng.standard_normal(s) for s in shapes)
    dim = len(np.broadcast_shapes(*shapes)) - 1
    theirs = torch.nn.functional.cosine_similarity(torch.tensor(a), torch.tensor(b), dim=dim)
    ours = F.cosine_similarity(ag.tensor(a), ag.tensor(b), dim=dim)
    np.testing.assert_allclose(ours.numpy(), theirs.numpy(), rtol=1e-12)
    assert np.all(np.abs(ours.numpy()) <= 1 + 1e-12)
    x = ag.tensor(a, requires_grad=True)
    assert ag.gradcheck(lambda x: F.cosine_similarity(x, ag.tensor(b), dim=dim), [x])
    with pytest.raises(ShapeError):
        F.cosine_similarity(ag.ones(2, 3), ag.ones(2), dim=1)


EMPTY_SPATIAL = {
    "max_pool2d": lambda lib, x: lib.nn.functional.max_pool2d(x, 2, padding=1),
    "avg_pool2d": lambda lib, x: lib.nn.functional.avg_pool2d(x, 2, padding=1),
    "conv2d": lambda lib, x: lib.nn.functional.conv2d(x, lib.ones(2, 1, 2, 2), padding=1),
    "unfold": lambda lib, x: lib.nn.functional.unfold(x, 2, padding=1),
}


@pytest.mark.parametrize("call", EMPTY_SPATIAL.values(), ids=EMPTY_SPATIAL)
def test_an_empty_spatial_axis_is_refused_even_with_padding(call, torch) -> None:
    """Padding made windows of padding alone: -inf, 0 or the bias came back."""
    with pytest.raises(RuntimeError):
        call(torch, torch.zeros(1, 1, 0, 5))
    with pytest.raises(ShapeError, match="include an empty one"):
        call(OURS, ag.zeros(1, 1, 0, 5))


def test_an_empty_batch_still_passes(torch) -> None:
    assert F.conv2d(ag.zeros(0, 1, 4, 4), ag.ones(2, 1, 2, 2)).shape == tuple(
        torch.nn.functional.conv2d(torch.zeros(0, 1, 4, 4), torch.ones(2, 1, 2, 2)).shape)
    assert F.max_pool2d(ag.zeros(0, 1, 4, 4), 2).shape == (0, 1, 2, 2)


@pytest.mark.parametrize("call", [
    lambda lib, x: lib.nn.functional.conv1d(x, lib.ones(3, 2, 0)),
    lambda lib, x: lib.nn.functional.conv2d(x[..., None], lib.ones(3, 2, 0, 1)),
    lambda lib, x: lib.nn.functional.conv_transpose1d(x, lib.ones(2, 3, 0)),
])
def test_a_weight_with_an_empty_kernel_axis_is_refused(call, torch) -> None:
    """conv1d gave six outputs from five inputs, all equal to the bias."""
    with pytest.raises(RuntimeError):
        call(torch, torch.ones(1, 2, 5))
    with pytest.raises(ShapeError, match="kernel"):
        call(OURS, ag.ones(1, 2, 5))


@pytest.mark.parametrize("call", [
    lambda: nn.EmbeddingBag(10, 3)([[1, 2], [3]]),
    lambda: F.embedding_bag(ag.tensor([1, 2, 3]), ag.ones(10, 3), [0, [2]]),
])
def test_ragged_bags_are_a_data_error(call) -> None:
    with pytest.raises(DataError, match="ragged"):
        call()


@pytest.mark.parametrize("call", [
    lambda x: F.cross_entropy(x, ag.tensor([0, 2])),
    lambda x: F.binary_cross_entropy(x, ag.tensor(np.full((2, 3), 0.5))),
    lambda x: F.binary_cross_entropy_with_logits(x, ag.tensor(np.full((2, 3), 0.5))),
    lambda x: F.softshrink(x),
])
def test_bool_inputs_to_losses_are_a_dtype_error(call) -> None:
    """NumPy's bare TypeError (it cannot negate bools) came through; PyTorch refuses."""
    with pytest.raises(DTypeError, match="bool tensor"):
        call(ag.tensor(np.array([[True, False, True], [False, True, True]])))


@pytest.mark.parametrize("value, error", [(0.0, ConfigError), (float("nan"), ConfigError),
                                          (-1.0, ConfigError), (1e-300, ConfigError),
                                          (True, ArgumentTypeError),
                                          ("4", ArgumentTypeError)])
def test_adaptive_softmax_checks_div_value(value, error) -> None:
    with pytest.raises(error, match="div_value"):
        nn.AdaptiveLogSoftmaxWithLoss(16, 20, [5, 10], div_value=value)
    sizes = [t[0].out_features for t in
             nn.AdaptiveLogSoftmaxWithLoss(16, 20, [5, 10], div_value=0.5).tail]
    assert sizes == [32, 64]  # a div_value below 1 widens the clusters, as PyTorch


def test_every_refusal_here_is_a_library_error() -> None:
    for call in (lambda: F.max_pool1d(ag.zeros(1, 1, 0), 2, padding=1),
                 lambda: nn.EmbeddingBag(4, 2)([[0], [1, 2]])):
        with pytest.raises(AutogradError):
            call()


def test_a_bool_input_with_a_float_target_still_works_in_regression_losses(torch) -> None:
    """PyTorch promotes it (mse_loss of bool and float); only the losses whose formula
    needs numbers refuse it."""
    mask, target = np.array([True, False]), np.array([1.0, 0.5])
    ours = F.mse_loss(ag.tensor(mask), ag.tensor(target))
    theirs = torch.nn.functional.mse_loss(torch.tensor(mask), torch.tensor(target))
    np.testing.assert_allclose(float(ours), float(theirs))
