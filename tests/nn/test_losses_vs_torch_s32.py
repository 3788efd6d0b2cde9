"""Losses against PyTorch, from session 32's differential fuzzing: CTC padding and
unbatched target lengths, cross-entropy / NLL with no classes, class weights that sum to
0, a negative variance number on an empty batch, ``weight=`` of mse / l1 / huber (PyTorch
2.13's functional forms) and a multilabel soft-margin weight that requires grad."""

import warnings

import numpy as np
import pytest

import nn.functional as F
from autograd import Tensor
from autograd.errors import ShapeError
from nn.errors import ConfigError


def normal(seed, shape):
    return np.random.default_rng(seed).standard_normal(shape)


def grads_of(loss_fn, *arrays, torch=None):
    """The loss and the gradients w.r.t. ``arrays``: ours (torch None) or torch's."""
    if torch is None:
        leaves = [Tensor(a, requires_grad=True) for a in arrays]
        loss = loss_fn(*leaves)
        loss.sum().backward()
        return loss.data, [leaf.grad.data for leaf in leaves]
    leaves = [torch.tensor(a, requires_grad=True) for a in arrays]
    loss = loss_fn(*leaves)
    loss.sum().backward()
    return loss.detach().numpy(), [leaf.grad.numpy() for leaf in leaves]


def assert_same(ours, theirs):
    np.testing.assert_allclose(ours[0], theirs[0], rtol=1e-12, atol=1e-12)
    for mine, other in zip(ours[1], theirs[1]):
        np.testing.assert_allclose(mine, other, rtol=1e-12, atol=1e-12)


# ------------------------------------------------------------------ ctc_loss
@pytest.mark.parametrize("padding", [3, 7, -100, -4])
def test_ctc_padding_past_each_target_is_ignored_as_torch(torch, padding):
    logits = normal(0, (6, 2, 3))
    targets = np.array([[1, 2, 1], [2, padding, padding]])
    args = ([6, 5], [3, 1])

    def ours(x):
        return F.ctc_loss(F.log_softmax(x, axis=2), targets, *args, reduction="none")

    def theirs(x):
        return torch.nn.functional.ctc_loss(x.log_softmax(2), torch.tensor(targets), *args,
                                            reduction="none")
    assert_same(grads_of(ours, logits), grads_of(theirs, logits, torch=torch))


def test_ctc_unbatched_target_longer_than_its_length_raises_as_torch(torch):
    log_probs = np.log(np.full((4, 3), 1 / 3))
    with pytest.raises(RuntimeError, match="size 1"):
        torch.nn.functional.ctc_loss(torch.tensor(log_probs), torch.tensor([1, 2, 2]),
                                     torch.tensor(4), torch.tensor(1))
    with pytest.raises(ShapeError, match="exactly its target_length = 1"):
        F.ctc_loss(Tensor(log_probs), np.array([1, 2, 2]), 4, 1)


# ------------------------------------------------------------------ no classes
EMPTY_CASES = [  # not label_smoothing with "sum": PyTorch's NaN is its e / C = 0.1 / 0
    ("cross_entropy", {}),
    ("cross_entropy", {"weight": np.zeros(0)}),
    ("nll_loss", {}),
    ("nll_loss", {"weight": np.zeros(0)}),
]


@pytest.mark.parametrize("name, options", EMPTY_CASES)
@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_no_classes_and_no_samples_as_torch(torch, name, options, reduction):
    labels = np.zeros(0, dtype=np.int64)
    x = Tensor(np.zeros((0, 0)), requires_grad=True)
    loss = getattr(F, name)(x, labels, reduction=reduction, **options)
    loss.sum().backward()
    topts = {k: torch.tensor(v) if isinstance(v, np.ndarray) else v
             for k, v in options.items()}
    expected = getattr(torch.nn.functional, name)(
        torch.zeros(0, 0), torch.tensor(labels), reduction=reduction, **topts)
    assert loss.shape == tuple(expected.shape)
    np.testing.assert_array_equal(loss.data, expected.numpy())
    assert x.grad.shape == (0, 0)


@pytest.mark.parametrize("reduction", ["mean", "none"])  # "sum": PyTorch's 0 * (0.1 / 0)
def test_no_classes_and_no_samples_with_label_smoothing_as_torch(torch, reduction):
    x = Tensor(np.zeros((0, 0)), requires_grad=True)
    loss = F.cross_entropy(x, np.zeros(0, dtype=np.int64), reduction=reduction,
                           label_smoothing=0.1)
    expected = torch.nn.functional.cross_entropy(
        torch.zeros(0, 0), torch.zeros(0, dtype=torch.long), reduction=reduction,
        label_smoothing=0.1)
    np.testing.assert_array_equal(loss.data, expected.numpy())


@pytest.mark.parametrize("name", ["cross_entropy", "nll_loss"])
@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_no_classes_every_label_ignored_as_torch(torch, name, reduction):
    labels = np.full(2, -100)
    x = Tensor(np.zeros((2, 0)), requires_grad=True)
    loss = getattr(F, name)(x, labels, reduction=reduction)
    expected = getattr(torch.nn.functional, name)(torch.zeros(2, 0), torch.tensor(labels),
                                                  reduction=reduction)
    np.testing.assert_array_equal(loss.data, expected.numpy())


def test_cross_entropy_no_classes_with_pytorch_layout_axes(torch):
    x = Tensor(np.zeros((0, 5, 0)), requires_grad=True)
    loss = F.cross_entropy(x, np.zeros((0, 5), dtype=np.int64), reduction="sum")
    loss.backward()
    assert loss.item() == 0.0 and x.grad.shape == (0, 5, 0)


# ------------------------------------------------------------------ weights summing to 0
ZERO_WEIGHT_CASES = [
    ("cross_entropy", {"weight": np.array([1.0, 0.0, 1.0])}, np.array([1, 1])),
    ("cross_entropy", {"weight": np.array([1.0, 0.0, 1.0]), "label_smoothing": 0.2},
     np.array([1, 1])),
    ("cross_entropy", {"weight": np.array([1.0, 0.0, 1.0])}, np.array([1, -100])),
    ("nll_loss", {"weight": np.array([1.0, 0.0, 1.0])}, np.array([1, 1])),
    ("nll_loss", {"weight": np.array([0.0, 0.0, 1.0]), "ignore_index": 2},
     np.array([1, 2])),
]


@pytest.mark.parametrize("name, options, labels", ZERO_WEIGHT_CASES)
def test_picked_weights_summing_to_zero_give_nan_gradient_as_torch(torch, name, options,
                                                                    labels):
    logits = normal(1, (2, 3))
    topts = {k: torch.tensor(v) if isinstance(v, np.ndarray) else v
             for k, v in options.items()}

    def ours(x):
        return getattr(F, name)(x, labels, **options)

    def theirs(x):
        return getattr(torch.nn.functional, name)(x, torch.tensor(labels), **topts)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # NumPy's inf * 0 in the backward
        loss, (grad,) = grads_of(ours, logits)
    expected_loss, (expected_grad,) = grads_of(theirs, logits, torch=torch)
    np.testing.assert_array_equal(np.isnan(loss), np.isnan(expected_loss))
    np.testing.assert_array_equal(np.isnan(grad), np.isnan(expected_grad))
    np.testing.assert_allclose(grad[~np.isnan(grad)], expected_grad[~np.isnan(grad)])


# ------------------------------------------------------------------ gaussian_nll_loss
def test_gaussian_negative_var_number_on_empty_batch_raises_as_torch(torch):
    with pytest.raises(ValueError, match="negative"):
        torch.nn.functional.gaussian_nll_loss(torch.zeros(0, 2), torch.zeros(0, 2), -1.0)
    for var in (-1.0, -1, np.float32(-0.5)):
        with pytest.raises(ConfigError, match="negative"):
            F.gaussian_nll_loss(Tensor(np.zeros((0, 2))), np.zeros((0, 2)), var)


# ------------------------------------------------------------------ weight= of regression
REGRESSION = [("mse_loss", {}), ("l1_loss", {}), ("huber_loss", {}),
              ("huber_loss", {"delta": 0.5})]


@pytest.mark.parametrize("name, options", REGRESSION)
@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_regression_weight_as_torch(torch, name, options, reduction):
    x, y = normal(2, (3, 4)), normal(3, (3, 4))
    w = np.abs(normal(4, (3, 4))) * 3  # sum(w) != numel: "mean" tells the two rules apart

    def ours(a, weight):
        return getattr(F, name)(a, y, reduction=reduction, weight=weight, **options)

    def theirs(a, weight):
        return getattr(torch.nn.functional, name)(a, torch.tensor(y), reduction=reduction,
                                                  weight=weight, **options)
    assert_same(grads_of(ours, x, w), grads_of(theirs, x, w, torch=torch))


@pytest.mark.parametrize("name", ["mse_loss", "l1_loss", "huber_loss"])
def test_regression_constant_weight_and_empty_batch_as_torch(torch, name):
    x, y, w = normal(5, (2, 3)), normal(6, (2, 3)), np.arange(6.0).reshape(2, 3)
    ours = getattr(F, name)(Tensor(x), y, weight=w)
    theirs = getattr(torch.nn.functional, name)(torch.tensor(x), torch.tensor(y),
                                                weight=torch.tensor(w))
    np.testing.assert_allclose(ours.item(), theirs.item(), rtol=1e-12)
    empty = getattr(F, name)(Tensor(np.zeros((0, 3))), np.zeros((0, 3)), weight=np.zeros((0, 3)))
    expected = getattr(torch.nn.functional, name)(torch.zeros(0, 3), torch.zeros(0, 3),
                                                  weight=torch.zeros(0, 3))
    np.testing.assert_array_equal(empty.data, expected.numpy())


@pytest.mark.parametrize("name", ["mse_loss", "l1_loss", "huber_loss"])
def test_regression_weight_is_not_broadcast_as_torch(torch, name):
    x = np.zeros((2, 3))
    with pytest.raises(ValueError, match="same size"):
        getattr(torch.nn.functional, name)(torch.tensor(x), torch.tensor(x),
                                           weight=torch.ones(3))
    with pytest.raises(ShapeError, match=r"one weight per element, shape \(2, 3\)"):
        getattr(F, name)(Tensor(x), x, weight=np.ones(3))


# ------------------------------------------------------------------ multilabel soft margin
@pytest.mark.parametrize("weight_shape", [(4,), (3, 4), (1, 4)])
def test_multilabel_soft_margin_weight_gets_its_gradient_as_torch(torch, weight_shape):
    x, w = normal(7, (3, 4)), np.abs(normal(8, weight_shape))
    y = (normal(9, (3, 4)) > 0).astype(float)

    def ours(a, weight):
        return F.multilabel_soft_margin_loss(a, y, weight)

    def theirs(a, weight):
        return torch.nn.functional.multilabel_soft_margin_loss(a, torch.tensor(y), weight)
    assert_same(grads_of(ours, x, w), grads_of(theirs, x, w, torch=torch))


IGNORED_ROW_CASES = [
    ("nll_loss", {}),
    ("nll_loss", {"weight": np.array([1.0, 2.0, 0.5])}),
    ("cross_entropy", {"label_smoothing": 0.2}),
    ("cross_entropy", {"weight": np.array([1.0, 2.0, 0.5]), "label_smoothing": 0.2}),
]


@pytest.mark.parametrize("name, options", IGNORED_ROW_CASES)
@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_ignored_sample_with_minus_inf_scores_counts_for_nothing_as_torch(
        torch, name, options, reduction):
    scores = normal(10, (3, 3))
    scores[1] = [-np.inf, -np.inf, 0.0]  # e.g. masked logits of a padding position
    labels = np.array([2, -100, 1])
    topts = {k: torch.tensor(v) if isinstance(v, np.ndarray) else v
             for k, v in options.items()}

    def ours(x):
        return getattr(F, name)(x, labels, reduction=reduction, **options)

    def theirs(x):
        return getattr(torch.nn.functional, name)(x, torch.tensor(labels),
                                                  reduction=reduction, **topts)
    assert_same(grads_of(ours, scores), grads_of(theirs, scores, torch=torch))
