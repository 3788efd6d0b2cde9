"""``nn.ops``: torchvision.ops' box functions (box_area, box_iou, generalized_box_iou,
box_convert, clip_boxes_to_image, remove_small_boxes, nms, batched_nms), compared with
torchvision's own code written in plain torch here (torchvision is not installed: its
Python functions are short, and its CPU NMS kernel is a loop over the boxes sorted stably
by decreasing score, dropping those whose IoU with a kept one is > the threshold)."""

import numpy as np
import pytest

import autograd as ag
import nn


def random_boxes(seed: int, n: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    corner = rng.uniform(0, 10, (n, 2))
    return np.concatenate([corner, corner + rng.uniform(1, 5, (n, 2))], 1)


def torch_upcast(torch, t):
    if t.is_floating_point():
        return t if t.dtype in (torch.float32, torch.float64) else t.float()
    return t if t.dtype in (torch.int32, torch.int64) else t.int()


def torch_box_area(torch, boxes):
    boxes = torch_upcast(torch, boxes)
    return (boxes[:, 2] - boxes[:, 0]) * (boxes[:, 3] - boxes[:, 1])


def torch_inter_union(torch, boxes1, boxes2):
    area1, area2 = torch_box_area(torch, boxes1), torch_box_area(torch, boxes2)
    lt = torch.max(boxes1[:, None, :2], boxes2[:, :2])
    rb = torch.min(boxes1[:, None, 2:], boxes2[:, 2:])
    wh = torch_upcast(torch, rb - lt).clamp(min=0)
    inter = wh[:, :, 0] * wh[:, :, 1]
    return inter, area1[:, None] + area2 - inter


def torch_generalized_box_iou(torch, boxes1, boxes2):
    inter, union = torch_inter_union(torch, boxes1, boxes2)
    iou = inter / union
    lti = torch.min(boxes1[:, None, :2], boxes2[:, :2])
    rbi = torch.max(boxes1[:, None, 2:], boxes2[:, 2:])
    whi = torch_upcast(torch, rbi - lti).clamp(min=0)
    areai = whi[:, :, 0] * whi[:, :, 1]
    return iou - (areai - union) / areai


def torch_nms(torch, boxes, scores, iou_threshold):
    """torchvision's CPU kernel, line for line."""
    if boxes.numel() == 0:
        return torch.empty((0,), dtype=torch.int64)
    x1, y1, x2, y2 = boxes.unbind(1)
    areas = (x2 - x1) * (y2 - y1)
    order = scores.sort(stable=True, dim=0, descending=True)[1].tolist()
    suppressed = [False] * len(order)
    keep = []
    for _i, i in enumerate(order):
        if suppressed[i]:
            continue
        keep.append(i)
        for j in order[_i + 1:]:
            if suppressed[j]:
                continue
            w = max(0.0, min(x2[i], x2[j]) - max(x1[i], x1[j]))
            h = max(0.0, min(y2[i], y2[j]) - max(y1[i], y1[j]))
            inter = w * h
            if inter / (areas[i] + areas[j] - inter) > iou_threshold:
                suppressed[j] = True
    return torch.tensor(keep, dtype=torch.int64)


def torch_batched_nms(torch, boxes, scores, idxs, iou_threshold):
    if boxes.numel() == 0:
        return torch.empty((0,), dtype=torch.int64)
    offsets = idxs.to(boxes) * (boxes.max() + torch.tensor(1).to(boxes))
    return torch_nms(torch, boxes + offsets[:, None], scores, iou_threshold)


def same(got, want) -> None:
    want = want.detach().numpy()
    assert got.shape == want.shape and got.dtype == want.dtype, (got, want)
    np.testing.assert_allclose(got.detach().numpy(), want, rtol=1e-12, atol=1e-14)


def test_box_area_iou_giou_values_and_gradients(torch):
    b1, b2 = random_boxes(0, 5), random_boxes(1, 4)
    mine = [ag.tensor(b1, requires_grad=True), ag.tensor(b2, requires_grad=True)]
    theirs = [torch.tensor(b1, requires_grad=True), torch.tensor(b2, requires_grad=True)]
    got = [nn.ops.box_area(mine[0]), nn.ops.box_iou(*mine), nn.ops.generalized_box_iou(*mine)]
    inter, union = torch_inter_union(torch, *theirs)
    want = [torch_box_area(torch, theirs[0]), inter / union,
            torch_generalized_box_iou(torch, *theirs)]
    for g, w in zip(got, want):
        same(g, w)
    (got[1].sum() + 2 * got[2].sum()).backward()
    (want[1].sum() + 2 * want[2].sum()).backward()
    for g, w in zip(mine, theirs):
        same(g.grad, w.grad)


@pytest.mark.parametrize("dtype", ["int16", "int64", "float16", "float32"])
def test_box_area_and_iou_upcast_as_torchvision(torch, dtype):
    boxes = np.round(random_boxes(2, 4))
    mine, theirs = ag.tensor(boxes).to(getattr(ag, dtype)), torch.tensor(boxes).to(
        getattr(torch, dtype))
    same(nn.ops.box_area(mine), torch_box_area(torch, theirs))
    inter, union = torch_inter_union(torch, theirs, theirs)
    same(nn.ops.box_iou(mine, mine), inter / union)


def test_box_convert_round_trips_and_formats(torch):
    boxes = random_boxes(3, 6)
    xyxy = ag.tensor(boxes)
    x1, y1, x2, y2 = torch.tensor(boxes).unbind(-1)
    want = {"xyxy": torch.stack([x1, y1, x2, y2], -1),
            "xywh": torch.stack([x1, y1, x2 - x1, y2 - y1], -1),
            "cxcywh": torch.stack([(x1 + x2) / 2, (y1 + y2) / 2, x2 - x1, y2 - y1], -1)}
    for in_fmt in want:
        for out_fmt in want:
            given = nn.ops.box_convert(xyxy, "xyxy", in_fmt)
            same(nn.ops.box_convert(given, in_fmt, out_fmt), want[out_fmt])
    with pytest.raises(ValueError, match="in_fmt xyxy and out_fmt yxyx"):
        nn.ops.box_convert(xyxy, "xyxy", "yxyx")


def test_clip_and_remove_small_boxes(torch):
    boxes = random_boxes(4, 7) - 2
    clipped = nn.ops.clip_boxes_to_image(ag.tensor(boxes), (9, 7))
    theirs = torch.tensor(boxes)
    want = torch.stack((theirs[..., 0::2].clamp(min=0, max=7),
                        theirs[..., 1::2].clamp(min=0, max=9)), dim=2).reshape(theirs.shape)
    same(clipped, want)
    ws, hs = want[:, 2] - want[:, 0], want[:, 3] - want[:, 1]
    same(nn.ops.remove_small_boxes(clipped, 2.5), torch.where((ws >= 2.5) & (hs >= 2.5))[0])


@pytest.mark.parametrize("threshold", [0.0, 0.2, 0.5, 1.0])
def test_nms_and_batched_nms_as_torchvision(torch, threshold):
    boxes = np.concatenate([random_boxes(5, 10), random_boxes(5, 10)[:6] + 0.3])
    scores = np.random.default_rng(6).uniform(size=len(boxes))
    scores[3] = scores[12]  # a tie: the stable sort keeps the earlier box first
    classes = np.random.default_rng(7).integers(0, 3, len(boxes))
    mine = [ag.tensor(boxes), ag.tensor(scores), ag.tensor(classes)]
    theirs = [torch.tensor(boxes), torch.tensor(scores), torch.tensor(classes)]
    same(nn.ops.nms(*mine[:2], threshold), torch_nms(torch, *theirs[:2], threshold))
    same(nn.ops.batched_nms(*mine, threshold), torch_batched_nms(torch, *theirs, threshold))
    same(nn.ops.nms(mine[0][:0], mine[1][:0], threshold), torch.empty((0,), dtype=torch.int64))
    same(nn.ops.batched_nms(mine[0][:0], mine[1][:0], mine[2][:0], threshold),
         torch.empty((0,), dtype=torch.int64))


def test_nms_checks_shapes_as_torchvision():
    with pytest.raises(ValueError, match="boxes should be a 2d tensor, got 1D"):
        nn.ops.nms(ag.zeros(4), ag.zeros(1), 0.5)
    with pytest.raises(ValueError, match="boxes should have 4 elements in dimension 1"):
        nn.ops.nms(ag.zeros((2, 5)), ag.zeros(2), 0.5)
    with pytest.raises(ValueError, match="same number of elements in dimension 0"):
        nn.ops.nms(ag.zeros((2, 4)), ag.zeros(3), 0.5)
