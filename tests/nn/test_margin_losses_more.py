"""F.multilabel_margin_loss / nn.MultiLabelMarginLoss and
F.triplet_margin_with_distance_loss / nn.TripletMarginWithDistanceLoss against PyTorch
(values and gradients), by finite differences, and their named errors."""

import numpy as np
import pytest

import nn
import nn.functional as F
from autograd import DTypeError, ShapeError, Tensor, gradcheck
from nn.errors import ArgumentTypeError, ConfigError

RNG = np.random.default_rng(4)
X = RNG.standard_normal((4, 5))
LISTS = np.array([[3, 0, -1, 2, 4],     # classes 3 and 0; the rest after -1 is ignored
                  [-1, 1, 2, 3, 4],     # no class listed: loss 0
                  [1, 1, 4, -1, -1],    # a class listed twice counts twice (as PyTorch)
                  [0, 1, 2, 3, 4]])     # every class listed: no hinge, loss 0


def _both(torch, ours_fn, torch_fn, arrays):
    """Values and input gradients of both for one random upstream gradient."""
    ours = [Tensor(a, requires_grad=True) for a in arrays]
    theirs = [torch.tensor(a, requires_grad=True) for a in arrays]
    y, yt = ours_fn(*ours), torch_fn(*theirs)
    up = RNG.standard_normal(y.shape)
    (y * up).sum().backward()
    (yt * torch.tensor(up)).sum().backward()
    np.testing.assert_allclose(y.data, yt.detach().numpy(), rtol=1e-12, atol=1e-14)
    for a, at in zip(ours, theirs):
        np.testing.assert_allclose(a.grad, at.grad.numpy(), rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_multilabel_margin_loss_follows_torch(reduction):
    torch = pytest.importorskip("torch")
    labels = torch.tensor(LISTS)
    _both(torch, lambda x: F.multilabel_margin_loss(x, LISTS, reduction=reduction),
          lambda x: torch.nn.functional.multilabel_margin_loss(x, labels,
                                                               reduction=reduction), [X])
    _both(torch, lambda x: F.multilabel_margin_loss(x, LISTS[0], reduction=reduction),
          lambda x: torch.nn.functional.multilabel_margin_loss(x, labels[0],
                                                               reduction=reduction), [X[0]])
    module = nn.MultiLabelMarginLoss(reduction=reduction)
    want = torch.nn.MultiLabelMarginLoss(reduction=reduction)(torch.tensor(X), labels)
    np.testing.assert_allclose(module(X, LISTS).data, want.numpy(), rtol=1e-12)


def test_multilabel_margin_loss_gradient_and_errors():
    assert gradcheck(lambda x: F.multilabel_margin_loss(x, LISTS),
                     [Tensor(X, requires_grad=True)])
    with pytest.raises(ConfigError, match="target index 5 is out of range for 5 classes"):
        F.multilabel_margin_loss(X, np.where(LISTS == 4, 5, LISTS))
    with pytest.raises(ConfigError, match="target index -2"):
        F.multilabel_margin_loss(X, np.where(LISTS == 4, -2, LISTS))
    with pytest.raises(DTypeError, match="must be integers"):
        F.multilabel_margin_loss(X, LISTS.astype(float))
    with pytest.raises(ShapeError, match="input's shape"):
        F.multilabel_margin_loss(X, LISTS[:, :3])
    with pytest.raises(ShapeError, match=r"\(C,\) or \(N, C\)"):
        F.multilabel_margin_loss(np.ones((2, 2, 2)), np.zeros((2, 2, 2), int))


A, POS, NEG = (RNG.standard_normal((4, 3)) for _ in range(3))
NEG[1] = POS[1] + 1e-3  # d(pos, neg) < d(a, neg) somewhere, so swap matters


def _cosine_distance(x, y):
    return 1.0 - F.cosine_similarity(x, y, dim=-1)


@pytest.mark.parametrize("swap", [False, True])
@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize("custom", [False, True])
def test_triplet_margin_with_distance_loss_follows_torch(swap, reduction, custom):
    torch = pytest.importorskip("torch")
    theirs_distance = (lambda x, y: 1.0 - torch.nn.functional.cosine_similarity(x, y, dim=-1)
                       ) if custom else None
    ours_distance = _cosine_distance if custom else None
    _both(torch,
          lambda a, p, n: F.triplet_margin_with_distance_loss(
              a, p, n, distance_function=ours_distance, margin=0.7, swap=swap,
              reduction=reduction),
          lambda a, p, n: torch.nn.functional.triplet_margin_with_distance_loss(
              a, p, n, distance_function=theirs_distance, margin=0.7, swap=swap,
              reduction=reduction), [A, POS, NEG])


def test_triplet_margin_with_distance_module_and_default_distance():
    torch = pytest.importorskip("torch")
    module = nn.TripletMarginWithDistanceLoss(margin=2.0, swap=True)
    assert isinstance(module.distance_function, nn.PairwiseDistance)
    assert "(distance_function): PairwiseDistance()" in repr(module)
    want = torch.nn.TripletMarginWithDistanceLoss(margin=2.0, swap=True)(
        *(torch.tensor(t) for t in (A, POS, NEG)))
    np.testing.assert_allclose(module(A, POS, NEG).data, want.numpy(), rtol=1e-12)
    # the default distance is pairwise_distance, as triplet_margin_loss's with p = 2
    np.testing.assert_allclose(F.triplet_margin_with_distance_loss(A, POS, NEG).data,
                               F.triplet_margin_loss(A, POS, NEG).data, rtol=1e-12)
    assert gradcheck(lambda a, p, n: F.triplet_margin_with_distance_loss(
        a, p, n, distance_function=_cosine_distance, margin=1.5),
        [Tensor(t, requires_grad=True) for t in (A, POS, NEG)])


def test_triplet_margin_with_distance_errors():
    with pytest.raises(ConfigError, match="margin"):
        F.triplet_margin_with_distance_loss(A, POS, NEG, margin=0.0)
    with pytest.raises(ConfigError, match="margin"):
        nn.TripletMarginWithDistanceLoss(margin=-1.0)
    with pytest.raises(ArgumentTypeError, match="distance_function must be a callable"):
        F.triplet_margin_with_distance_loss(A, POS, NEG, distance_function=2)
    with pytest.raises(ArgumentTypeError, match="distance_function must be a callable"):
        nn.TripletMarginWithDistanceLoss(distance_function="cosine")
    with pytest.raises(ShapeError, match="shapes differ"):
        F.triplet_margin_with_distance_loss(A, POS, NEG[:2])
    with pytest.raises(TypeError):
        F.triplet_margin_with_distance_loss(A, POS, NEG, None)  # keyword-only, as PyTorch
