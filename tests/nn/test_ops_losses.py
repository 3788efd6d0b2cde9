"""``nn.ops``' losses: torchvision's sigmoid_focal_loss, generalized_box_iou_loss,
distance_box_iou_loss and complete_box_iou_loss, compared in value and gradient with
torchvision's code written in plain torch here (torchvision is not installed)."""

import numpy as np
import pytest

import autograd as ag
import nn


def random_boxes(seed: int, n: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    corner = rng.uniform(0, 10, (n, 2))
    return np.concatenate([corner, corner + rng.uniform(1, 5, (n, 2))], 1)


def torch_reduce(loss, reduction):
    if reduction == "mean":
        return loss.mean() if loss.numel() > 0 else 0.0 * loss.sum()
    return loss.sum() if reduction == "sum" else loss


def torch_focal(torch, inputs, targets, alpha=0.25, gamma=2, reduction="none"):
    p = torch.sigmoid(inputs)
    ce_loss = torch.nn.functional.binary_cross_entropy_with_logits(inputs, targets,
                                                                   reduction="none")
    p_t = p * targets + (1 - p) * (1 - targets)
    loss = ce_loss * ((1 - p_t) ** gamma)
    if alpha >= 0:
        loss = (alpha * targets + (1 - alpha) * (1 - targets)) * loss
    return torch_reduce(loss, reduction)


def torch_box_losses(torch, boxes1, boxes2, eps=1e-7):
    """torchvision's giou_loss, diou_loss and ciou_loss (unreduced)."""
    x1, y1, x2, y2 = boxes1.unbind(dim=-1)
    x1g, y1g, x2g, y2g = boxes2.unbind(dim=-1)
    xkis1, ykis1 = torch.max(x1, x1g), torch.max(y1, y1g)
    xkis2, ykis2 = torch.min(x2, x2g), torch.min(y2, y2g)
    intsctk = torch.zeros_like(x1)
    mask = (ykis2 > ykis1) & (xkis2 > xkis1)
    intsctk[mask] = (xkis2[mask] - xkis1[mask]) * (ykis2[mask] - ykis1[mask])
    unionk = (x2 - x1) * (y2 - y1) + (x2g - x1g) * (y2g - y1g) - intsctk
    iouk = intsctk / (unionk + eps)
    xc1, yc1 = torch.min(x1, x1g), torch.min(y1, y1g)
    xc2, yc2 = torch.max(x2, x2g), torch.max(y2, y2g)
    area_c = (xc2 - xc1) * (yc2 - yc1)
    giou = 1 - (iouk - ((area_c - unionk) / (area_c + eps)))
    diagonal_distance_squared = ((xc2 - xc1) ** 2) + ((yc2 - yc1) ** 2) + eps
    centers_distance_squared = (((x2 + x1) / 2 - (x1g + x2g) / 2) ** 2
                                + ((y2 + y1) / 2 - (y1g + y2g) / 2) ** 2)
    diou = 1 - iouk + (centers_distance_squared / diagonal_distance_squared)
    v = (4 / (torch.pi ** 2)) * torch.pow(
        (torch.atan((x2g - x1g) / (y2g - y1g)) - torch.atan((x2 - x1) / (y2 - y1))), 2)
    with torch.no_grad():
        alpha = v / (1 - iouk + v + eps)
    return giou, diou, diou + alpha * v


def same(got, want) -> None:
    want = want.detach().numpy()
    assert got.shape == want.shape and got.dtype == want.dtype, (got, want)
    np.testing.assert_allclose(got.detach().numpy(), want, rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("reduction", ["none", "mean", "sum"])
@pytest.mark.parametrize("alpha, gamma", [(0.25, 2), (-1, 0), (0.5, 1.5)])
def test_sigmoid_focal_loss(torch, reduction, alpha, gamma):
    rng = np.random.default_rng(0)
    logits, targets = rng.standard_normal((3, 5)) * 3, (rng.uniform(size=(3, 5)) > 0.6) * 1.0
    mine, theirs = ag.tensor(logits, requires_grad=True), torch.tensor(logits,
                                                                      requires_grad=True)
    got = nn.ops.sigmoid_focal_loss(mine, ag.tensor(targets), alpha, gamma, reduction)
    want = torch_focal(torch, theirs, torch.tensor(targets), alpha, gamma, reduction)
    same(got, want)
    got.sum().backward()
    want.sum().backward()
    same(mine.grad, theirs.grad)


@pytest.mark.parametrize("reduction", ["none", "mean", "sum"])
def test_box_iou_losses(torch, reduction):
    boxes1, boxes2 = random_boxes(1, 6), random_boxes(2, 6)
    boxes2[0] += 20  # no overlap: the intersection is 0
    boxes2[1] = boxes1[1]  # the same box: loss 0
    functions = [nn.ops.generalized_box_iou_loss, nn.ops.distance_box_iou_loss,
                 nn.ops.complete_box_iou_loss]
    for k, function in enumerate(functions):
        mine = ag.tensor(boxes1, requires_grad=True), ag.tensor(boxes2, requires_grad=True)
        theirs = torch.tensor(boxes1, requires_grad=True), torch.tensor(boxes2,
                                                                         requires_grad=True)
        got = function(*mine, reduction=reduction)
        want = torch_reduce(torch_box_losses(torch, *theirs)[k], reduction)
        same(got, want)
        (got ** 2).sum().backward()
        (want ** 2).sum().backward()
        for g, w in zip(mine, theirs):
            same(g.grad, w.grad)


def test_box_losses_single_boxes_empty_sets_and_upcast(torch):
    one, other = random_boxes(3, 2)
    for function, k in [(nn.ops.generalized_box_iou_loss, 0),
                        (nn.ops.distance_box_iou_loss, 1), (nn.ops.complete_box_iou_loss, 2)]:
        same(function(ag.tensor(one), ag.tensor(other)),
             torch_box_losses(torch, torch.tensor(one), torch.tensor(other))[k])
        empty = function(ag.zeros((0, 4)), ag.zeros((0, 4)), reduction="mean")
        assert empty.shape == () and empty.item() == 0.0
        integer = function(ag.tensor([[0, 0, 2, 2]]), ag.tensor([[1, 1, 3, 4]]))
        assert integer.dtype == ag.float32  # torchvision's _upcast_non_float


def test_bad_reduction_is_named():
    with pytest.raises(ValueError, match="sigmoid_focal_loss: reduction must be"):
        nn.ops.sigmoid_focal_loss(ag.zeros(3), ag.zeros(3), reduction="avg")
    with pytest.raises(ValueError, match="complete_box_iou_loss: reduction must be"):
        nn.ops.complete_box_iou_loss(ag.zeros((1, 4)), ag.ones((1, 4)), reduction="avg")
