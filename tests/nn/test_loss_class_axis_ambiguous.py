"""cross_entropy and nll_loss read the classes on the last axis; PyTorch reads them on axis 1
of (N, C, d1, ...). Where a target fits both readings they used to take the last axis
silently: probability targets of an input with 3+ axes (always the input's shape), and
integer labels when every axis after the first has the same length ((N, C, C) with labels
(N, C)). Those are now a ShapeError asking to flatten to (M, C), which both read alike."""

import re

import numpy as np
import pytest

import nn
import nn.functional as F
from autograd import Tensor
from autograd.errors import ShapeError


def _torch_and_ours(torch, name, logits, target, flat_target):
    """PyTorch's loss on (N, C, d1, ...), and ours on the flattening the error asks for."""
    order = (0,) + tuple(range(2, logits.ndim)) + (1,)
    classes = logits.shape[1]
    xt = torch.tensor(logits, requires_grad=True)
    want = getattr(torch.nn.functional, name)(xt, torch.tensor(target))
    want.backward()
    x = Tensor(logits, requires_grad=True)
    got = getattr(F, name)(x.permute(order).reshape(-1, classes), flat_target)
    got.backward()
    np.testing.assert_allclose(got.item(), want.item(), rtol=1e-12)
    np.testing.assert_allclose(x.grad.data, xt.grad.numpy(), rtol=1e-10, atol=1e-15)


@pytest.mark.parametrize("shape", [(2, 3, 4), (2, 3, 4, 5)])
def test_probability_targets_with_three_axes_ask_to_flatten(shape):
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(0)
    logits = rng.normal(size=shape)
    target = rng.dirichlet(np.ones(shape[1]), shape[:1] + shape[2:])  # classes last
    target = np.moveaxis(target, -1, 1)  # PyTorch's layout: classes on axis 1
    message = (r"cross_entropy: probability targets of shape .* read two ways.*"
               r"input\.reshape\(-1, C\)")
    with pytest.raises(ShapeError, match=message):
        F.cross_entropy(logits, target)
    with pytest.raises(ShapeError, match=message):
        nn.CrossEntropyLoss(label_smoothing=0.1)(Tensor(logits), target)
    order = (0,) + tuple(range(2, len(shape))) + (1,)
    flat = target.transpose(order).reshape(-1, shape[1])
    _torch_and_ours(torch, "cross_entropy", logits, target, flat)


@pytest.mark.parametrize("name", ["cross_entropy", "nll_loss"])
@pytest.mark.parametrize("shape", [(2, 3, 3), (2, 4, 4, 4)])
def test_square_label_shapes_ask_to_flatten(name, shape):
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(1)
    logits = rng.normal(size=shape)
    labels = rng.integers(0, shape[1], shape[:1] + shape[2:])
    message = rf"{name}: input of shape {re.escape(str(shape))} with labels of shape .* " \
              r"reads two ways.*labels\.reshape\(-1\)"
    with pytest.raises(ShapeError, match=message):
        getattr(F, name)(logits, labels)
    with pytest.raises(ShapeError, match=message):
        getattr(F, name)(logits, labels, weight=np.ones(shape[-1]))
    _torch_and_ours(torch, name, logits, labels, labels.reshape(-1))


def test_unambiguous_shapes_are_unchanged():
    rng = np.random.default_rng(2)
    logits = rng.normal(size=(2, 5, 3))  # classes last: labels (2, 5)
    labels = rng.integers(0, 3, (2, 5))
    flat = F.cross_entropy(logits.reshape(-1, 3), labels.reshape(-1)).item()
    assert F.cross_entropy(logits, labels).item() == pytest.approx(flat, rel=1e-14)
    assert F.nll_loss(logits, labels).item() == pytest.approx(
        F.nll_loss(logits.reshape(-1, 3), labels.reshape(-1)).item(), rel=1e-14)
    probs = rng.dirichlet(np.ones(3), 4)  # 2-d probability targets: one reading
    assert np.isfinite(F.cross_entropy(logits[0, :4], probs).item())


def test_probability_targets_with_a_weight_ask_to_flatten_too():
    """A segmentation loss on soft masks with class weights (C on axis 1, as PyTorch): the
    weight of C classes used to be refused as the wrong length for the last axis, which
    hid the reason; now the same ShapeError as without a weight."""
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(3)
    logits = rng.normal(size=(2, 3, 4, 5))
    target = np.moveaxis(rng.dirichlet(np.ones(3), (2, 4, 5)), -1, 1)
    weight = np.array([1.0, 2.0, 0.5])
    torch.nn.functional.cross_entropy(torch.tensor(logits), torch.tensor(target),
                                      weight=torch.tensor(weight))  # PyTorch takes it
    message = r"cross_entropy: probability targets of shape .* read two ways"
    with pytest.raises(ShapeError, match=message):
        F.cross_entropy(logits, target, weight=weight)
    with pytest.raises(ShapeError, match=message):
        nn.CrossEntropyLoss(weight=Tensor(weight), label_smoothing=0.1)(Tensor(logits), target)
