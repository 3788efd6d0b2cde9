"""Edge cases of nn's losses and normalisation found by differential testing against
PyTorch: all labels ignored, empty batches in BatchNorm1d, PyTorch's (N, C, d1, ...)
layout given to cross_entropy."""


import numpy as np
import pytest

import nn
import nn.functional as F
from autograd import Tensor


def normal(seed, shape):
    return np.random.default_rng(seed).standard_normal(shape)


# ------------------------------------------------------------------ all labels ignored
ALL_IGNORED = [
    ("cross_entropy", {}, np.full(5, -100)),
    ("cross_entropy", {"weight": np.array([0.5, 1.0, 2.0, 1.5])}, np.full(5, -100)),
    ("cross_entropy", {"label_smoothing": 0.2}, np.full(5, -100)),
    ("cross_entropy", {"ignore_index": 2}, np.full(5, 2)),
    ("nll_loss", {}, np.full(5, -100)),
    ("nll_loss", {"ignore_index": 1, "weight": np.array([0.5, 1.0, 2.0, 1.5])},
     np.full(5, 1)),
]


@pytest.mark.parametrize("name, options, labels", ALL_IGNORED)
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_all_ignored_mean_is_nan_with_zero_gradient_as_torch(name, options, labels, dtype):
    torch = pytest.importorskip("torch")
    logits = normal(0, (5, 4)).astype(dtype)
    x = Tensor(logits, requires_grad=True)
    loss = getattr(F, name)(x, labels, **options)
    loss.backward()
    xt = torch.tensor(logits, requires_grad=True)
    topts = {k: torch.tensor(v.astype(dtype)) if isinstance(v, np.ndarray) else v
             for k, v in options.items()}
    expected = getattr(torch.nn.functional, name)(xt, torch.tensor(labels), **topts)
    expected.backward()
    assert np.isnan(loss.item()) and np.isnan(expected.item())
    assert loss.dtype == dtype
    np.testing.assert_array_equal(x.grad.data, xt.grad.numpy())  # zeros, not NaN


def test_batch_partly_ignored_keeps_its_gradient():
    """Only an all-ignored batch changes: one kept sample still trains."""
    torch = pytest.importorskip("torch")
    logits, labels = normal(1, (3, 4)), np.array([-100, 2, -100])
    x, xt = Tensor(logits, requires_grad=True), torch.tensor(logits, requires_grad=True)
    F.cross_entropy(x, labels).backward()
    torch.nn.functional.cross_entropy(xt, torch.tensor(labels)).backward()
    np.testing.assert_allclose(x.grad.data, xt.grad.numpy(), rtol=1e-12, atol=1e-15)


# ------------------------------------------------------------------ empty batches
def bn_pair(torch, **options):
    ours = nn.BatchNorm1d(3, **options)
    theirs = torch.nn.BatchNorm1d(3, dtype=torch.float64, **options)
    if ours.weight is not None:
        ours.weight.data[:], ours.bias.data[:] = normal(2, 3), normal(3, 3)
        with torch.no_grad():
            theirs.weight.copy_(torch.tensor(ours.weight.data))
            theirs.bias.copy_(torch.tensor(ours.bias.data))
    return ours, theirs


def check_bn_step(torch, ours, theirs, x):
    xo, xt = Tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    y, yt = ours(xo), theirs(xt)
    assert y.shape == tuple(yt.shape)
    g = normal(4, y.shape)
    y.backward(Tensor(g))
    yt.backward(torch.tensor(g))
    np.testing.assert_allclose(y.data, yt.detach().numpy(), rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(xo.grad.data, xt.grad.numpy(), rtol=1e-10, atol=1e-12)
    for name, p in ours.named_parameters():
        np.testing.assert_allclose(p.grad.data, getattr(theirs, name).grad.numpy(),
                                   rtol=1e-10, atol=1e-12)
    ours.zero_grad()
    theirs.zero_grad()
    for name, buffer in theirs.named_buffers():
        np.testing.assert_allclose(getattr(ours, name).data, buffer.numpy(), rtol=1e-12)


@pytest.mark.parametrize("options", [{}, {"momentum": None}, {"affine": False},
                                     {"track_running_stats": False}])
@pytest.mark.parametrize("empty_shape", [(0, 3), (0, 3, 4), (2, 3, 0)])
@pytest.mark.parametrize("training", [True, False])
def test_batchnorm1d_empty_batch_as_torch(options, empty_shape, training):
    """An empty batch gives an empty output and leaves the running statistics alone
    (num_batches_tracked still counts it, as PyTorch's); training goes on after it."""
    torch = pytest.importorskip("torch")
    ours, theirs = bn_pair(torch, **options)
    ours.train(training)
    theirs.train(training)
    for step, shape in enumerate([(5, 3, 2), empty_shape, (4, 3, 2)]):
        check_bn_step(torch, ours, theirs, normal(10 + step, shape) * 2 + 1)


def test_batch_norm_function_empty_batch():
    torch = pytest.importorskip("torch")
    for shape in [(0, 3), (4, 0), (1, 3, 0)]:
        mean, var = np.zeros(shape[1]), np.ones(shape[1])
        x = Tensor(np.zeros(shape), requires_grad=True)
        y = F.batch_norm(x, mean, var, training=True)
        expected = torch.nn.functional.batch_norm(
            torch.zeros(shape, dtype=torch.float64), torch.tensor(mean), torch.tensor(var),
            training=True)
        assert y.shape == tuple(expected.shape)
        y.sum().backward()
        assert x.grad.shape == shape
        np.testing.assert_array_equal(mean, 0.0)
        np.testing.assert_array_equal(var, 1.0)


def test_batchnorm1d_one_value_per_channel_still_raises():
    from autograd.errors import ShapeError
    for shape in [(1, 3), (1, 3, 1)]:
        with pytest.raises(ShapeError, match="more than one value per channel"):
            nn.BatchNorm1d(3)(np.zeros(shape))
        with pytest.raises(ShapeError, match="more than one value per channel"):
            F.batch_norm(np.zeros(shape), None, None, training=True)


# ------------------------------------------------------------------ PyTorch's class axis
@pytest.mark.parametrize("reduction", ["mean", "none"])
@pytest.mark.parametrize("name", ["cross_entropy", "nll_loss"])
@pytest.mark.parametrize("shape", [(2, 4, 5), (2, 4, 3, 5)])
def test_torch_layout_that_only_pytorch_reads_is_pytorchs(name, shape, reduction):
    """PyTorch's (N, C, d1, ...) with labels (N, d1, ...) that do not fit the classes
    last, (N, C, d1, ...)[:-1], means PyTorch's layout (d2l's MaskedSoftmaxCELoss passes
    ``pred.permute(0, 2, 1)``): PyTorch's losses and gradients, "none" shaped as labels;
    the classes-last input gives the same."""
    torch = pytest.importorskip("torch")
    logits = normal(5, shape)
    labels = np.random.default_rng(6).integers(0, shape[1], shape[:1] + shape[2:])
    order = (0,) + tuple(range(2, len(shape))) + (1,)
    xt = torch.tensor(logits, requires_grad=True)
    expected = getattr(torch.nn.functional, name)(xt, torch.tensor(labels),
                                                  reduction=reduction)
    expected.sum().backward()
    for permuted in (False, True):
        x = Tensor(logits, requires_grad=True)
        loss = getattr(F, name)(x.permute(order) if permuted else x, labels,
                                reduction=reduction)
        loss.sum().backward()
        assert loss.shape == tuple(expected.shape)
        np.testing.assert_allclose(loss.data, expected.detach().numpy(), rtol=1e-12)
        np.testing.assert_allclose(x.grad.data, xt.grad.numpy(), rtol=1e-10, atol=1e-14)
    module = nn.CrossEntropyLoss(reduction=reduction, ignore_index=1, label_smoothing=0.1)
    theirs = torch.nn.CrossEntropyLoss(reduction=reduction, ignore_index=1,
                                       label_smoothing=0.1)
    np.testing.assert_allclose(module(Tensor(logits), labels).data,
                               theirs(torch.tensor(logits), torch.tensor(labels)).numpy(),
                               rtol=1e-12)


def test_flatten_hint_kept_for_column_labels():
    from autograd.errors import ShapeError
    with pytest.raises(ShapeError, match=r"labels.reshape\(-1\)"):
        F.cross_entropy(normal(0, (4, 3)), np.zeros((4, 1), int))
