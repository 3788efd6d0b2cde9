"""Object-detection box code as people write it in plain PyTorch (DETR's ``box_ops.py``,
torchvision's ``_box_convert`` / ``boxes.py`` / ``_utils.BoxCoder`` / ``Matcher`` and its
IoU losses, and the hand-written NMS of many blog posts), ported as its readers write it:
each function is written once for a library ``T`` (``autograd`` here, ``torch`` there)
and runs next to PyTorch's on the same generated boxes in float64; values, kept indices
and gradients agree to 1e-10.

Anchors, YOLOv1, ROI pooling and DETR's set loss: ``test_pytorch_ports_detection_anchors.py``;
focal, Dice and Tversky losses and the segmentation nets:
``test_pytorch_ports_detection_segmentation.py``.

Lines written differently here, and why:
- ``torch.atan`` is ``T.arctan`` (NumPy's name here; PyTorch has both);
- ``x.nonzero()`` is ``x.nonzero(as_tuple=False)``: NumPy's ``nonzero`` gives a tuple,
  PyTorch's a tensor of positions, so the library asks which one is meant;
- clipping boxes in place (``boxes[:, 0::2] = boxes[:, 0::2].clamp(...)``) works here,
  but PyTorch refuses it in a graph (the clamp saved the view), so the port clamps
  out of place as torchvision's ``clip_boxes_to_image`` does.
"""

import math

import numpy as np

import autograd as ag

from detection_helpers import (assert_close, box_cxcywh_to_xyxy, box_iou,
                               box_xyxy_to_cxcywh, generalized_box_iou, random_boxes)


# ------------------------------------------------------------------ DETR's box_ops.py
def test_detr_box_ops(torch):
    runs = []
    for T in (ag, torch):
        boxes1 = T.tensor(random_boxes(0, 5), requires_grad=True)
        boxes2 = T.tensor(random_boxes(1, 4), requires_grad=True)
        round_trip = box_cxcywh_to_xyxy(T, box_xyxy_to_cxcywh(T, boxes1))
        iou, union = box_iou(T, round_trip, boxes2)
        giou = generalized_box_iou(T, round_trip, boxes2)
        (1 - giou).sum().backward()
        runs.append([iou, union, giou, boxes1.grad, boxes2.grad])
    assert_close(*runs)


# ------------------------------------------------------------------ torchvision's IoU losses
def _loss_inter_union(T, boxes1, boxes2):
    x1, y1, x2, y2 = boxes1.unbind(dim=-1)
    x1g, y1g, x2g, y2g = boxes2.unbind(dim=-1)
    xkis1 = T.max(x1, x1g)
    ykis1 = T.max(y1, y1g)
    xkis2 = T.min(x2, x2g)
    ykis2 = T.min(y2, y2g)
    intsctk = T.zeros_like(x1)
    mask = (ykis2 > ykis1) & (xkis2 > xkis1)
    intsctk[mask] = (xkis2[mask] - xkis1[mask]) * (ykis2[mask] - ykis1[mask])
    unionk = (x2 - x1) * (y2 - y1) + (x2g - x1g) * (y2g - y1g) - intsctk
    return intsctk, unionk


def generalized_box_iou_loss(T, boxes1, boxes2, reduction="none", eps=1e-7):
    intsctk, unionk = _loss_inter_union(T, boxes1, boxes2)
    iouk = intsctk / (unionk + eps)
    x1, y1, x2, y2 = boxes1.unbind(dim=-1)
    x1g, y1g, x2g, y2g = boxes2.unbind(dim=-1)
    xc1 = T.min(x1, x1g)
    yc1 = T.min(y1, y1g)
    xc2 = T.max(x2, x2g)
    yc2 = T.max(y2, y2g)
    area_c = (xc2 - xc1) * (yc2 - yc1)
    miouk = iouk - ((area_c - unionk) / (area_c + eps))
    loss = 1 - miouk
    if reduction == "mean":
        loss = loss.mean() if loss.numel() > 0 else 0.0 * loss.sum()
    elif reduction == "sum":
        loss = loss.sum()
    return loss


def _diou_iou_loss(T, boxes1, boxes2, eps=1e-7):
    intsct, union = _loss_inter_union(T, boxes1, boxes2)
    iou = intsct / (union + eps)
    x1, y1, x2, y2 = boxes1.unbind(dim=-1)
    x1g, y1g, x2g, y2g = boxes2.unbind(dim=-1)
    xc1 = T.min(x1, x1g)
    yc1 = T.min(y1, y1g)
    xc2 = T.max(x2, x2g)
    yc2 = T.max(y2, y2g)
    diagonal_distance_squared = ((xc2 - xc1) ** 2) + ((yc2 - yc1) ** 2) + eps
    x_p = (x2 + x1) / 2
    y_p = (y2 + y1) / 2
    x_g = (x1g + x2g) / 2
    y_g = (y1g + y2g) / 2
    centers_distance_squared = ((x_p - x_g) ** 2) + ((y_p - y_g) ** 2)
    loss = 1 - iou + (centers_distance_squared / diagonal_distance_squared)
    return loss, iou


def complete_box_iou_loss(T, boxes1, boxes2, reduction="none", eps=1e-7):
    diou_loss, iou = _diou_iou_loss(T, boxes1, boxes2, eps)
    x1, y1, x2, y2 = boxes1.unbind(dim=-1)
    x1g, y1g, x2g, y2g = boxes2.unbind(dim=-1)
    w_pred = x2 - x1
    h_pred = y2 - y1
    w_gt = x2g - x1g
    h_gt = y2g - y1g
    # torch.atan in torchvision: T.arctan here (NumPy's name)
    v = (4 / (T.pi ** 2)) * T.pow((T.arctan(w_gt / h_gt) - T.arctan(w_pred / h_pred)), 2)
    with T.no_grad():
        alpha = v / (1 - iou + v + eps)
    loss = diou_loss + alpha * v
    if reduction == "mean":
        loss = loss.mean() if loss.numel() > 0 else 0.0 * loss.sum()
    elif reduction == "sum":
        loss = loss.sum()
    return loss


def test_torchvision_iou_losses(torch):
    runs = []
    boxes2_np = random_boxes(3, 6)
    boxes2_np[0] += 20  # one pair that does not overlap: the masked intersection is 0
    for T in (ag, torch):
        boxes1 = T.tensor(random_boxes(2, 6), requires_grad=True)
        boxes2 = T.tensor(boxes2_np)
        giou = generalized_box_iou_loss(T, boxes1, boxes2, reduction="mean")
        diou, _ = _diou_iou_loss(T, boxes1, boxes2)
        ciou = complete_box_iou_loss(T, boxes1, boxes2, reduction="sum")
        (giou + diou.sum() + ciou).backward()
        runs.append([giou, diou, ciou, boxes1.grad])
    assert_close(*runs)


# ------------------------------------------------------------------ NMS by hand
def nms_while_loop(T, boxes, scores, threshold):
    """The blog-post NMS: sort, keep the best, drop what overlaps it, repeat."""
    order = scores.argsort(descending=True)
    areas = (boxes[:, 2] - boxes[:, 0]) * (boxes[:, 3] - boxes[:, 1])
    keep = []
    while order.numel() > 0:
        i = order[0].item()
        keep.append(i)
        if order.numel() == 1:
            break
        xx1 = boxes[order[1:], 0].clamp(min=boxes[i, 0].item())
        yy1 = boxes[order[1:], 1].clamp(min=boxes[i, 1])
        xx2 = boxes[order[1:], 2].clamp(max=boxes[i, 2])
        yy2 = boxes[order[1:], 3].clamp(max=boxes[i, 3])
        inter = (xx2 - xx1).clamp(min=0) * (yy2 - yy1).clamp(min=0)
        iou = inter / (areas[i] + areas[order[1:]] - inter)
        idx = (iou <= threshold).nonzero(as_tuple=False).squeeze()  # PyTorch: .nonzero()
        if idx.numel() == 0:
            break
        order = order[idx + 1]
        if order.dim() == 0:
            order = order.unsqueeze(0)
    return T.LongTensor(keep)


def nms_iou_matrix(T, boxes, scores, threshold):
    """NMS over the pairwise IoU matrix, with a boolean mask of suppressed boxes."""
    _, order = scores.sort(0, descending=True)
    iou, _ = box_iou(T, boxes, boxes)
    suppressed = T.zeros(len(boxes), dtype=T.bool)
    keep = []
    for idx in order.tolist():
        if suppressed[idx]:
            continue
        keep.append(idx)
        suppressed |= iou[idx] > threshold
    return T.as_tensor(keep, dtype=T.long)


def batched_nms_offsets(T, boxes, scores, idxs, threshold):
    """torchvision's coordinate trick: one NMS over all classes, boxes of each class
    shifted apart so that boxes of different classes never overlap."""
    if boxes.numel() == 0:
        return T.empty((0,), dtype=T.int64, device=boxes.device)
    max_coordinate = boxes.max()
    offsets = idxs.to(boxes) * (max_coordinate + T.tensor(1).to(boxes))
    boxes_for_nms = boxes + offsets[:, None]
    return nms_iou_matrix(T, boxes_for_nms, scores, threshold)


def batched_nms_loop(T, boxes, scores, idxs, threshold):
    """torchvision's other way: NMS per class, then the kept ones sorted by score."""
    keep_mask = T.zeros_like(scores, dtype=T.bool)
    for class_id in T.unique(idxs):
        curr_indices = T.where(idxs == class_id)[0]
        curr_keep_indices = nms_while_loop(T, boxes[curr_indices], scores[curr_indices],
                                           threshold)
        keep_mask[curr_indices[curr_keep_indices]] = True
    keep_indices = T.where(keep_mask)[0]
    return keep_indices[scores[keep_indices].sort(descending=True)[1]]


def test_hand_written_nms(torch):
    boxes_np = np.concatenate([random_boxes(4, 8), random_boxes(4, 8)[:5] + 0.4,
                               random_boxes(5, 4)])
    scores_np = np.random.default_rng(6).uniform(size=len(boxes_np))
    classes_np = np.random.default_rng(7).integers(0, 3, len(boxes_np))
    runs = []
    for T in (ag, torch):
        boxes, scores, classes = T.tensor(boxes_np), T.tensor(scores_np), T.tensor(classes_np)
        runs.append([nms_while_loop(T, boxes, scores, threshold)
                     for threshold in (0.1, 0.3, 0.5)]
                    + [nms_iou_matrix(T, boxes, scores, 0.3),
                       batched_nms_offsets(T, boxes, scores, classes, 0.3),
                       batched_nms_offsets(T, boxes[:0], scores[:0], classes[:0], 0.3),
                       batched_nms_loop(T, boxes, scores, classes, 0.3)])
    assert_close(*runs)
    assert np.array_equal(runs[0][3].numpy(), runs[0][1].numpy())  # both ways, at 0.3
    assert np.array_equal(np.sort(runs[0][4].numpy()), np.sort(runs[0][6].numpy()))


# ------------------------------------------------------------------ torchvision's BoxCoder
def encode_boxes(T, reference_boxes, proposals, weights):
    wx, wy, ww, wh = weights[0], weights[1], weights[2], weights[3]
    proposals_x1, proposals_y1 = proposals[:, 0].unsqueeze(1), proposals[:, 1].unsqueeze(1)
    proposals_x2, proposals_y2 = proposals[:, 2].unsqueeze(1), proposals[:, 3].unsqueeze(1)
    reference_x1, reference_y1 = reference_boxes[:, 0:1], reference_boxes[:, 1:2]
    reference_x2, reference_y2 = reference_boxes[:, 2:3], reference_boxes[:, 3:4]
    ex_widths = proposals_x2 - proposals_x1
    ex_heights = proposals_y2 - proposals_y1
    ex_ctr_x = proposals_x1 + 0.5 * ex_widths
    ex_ctr_y = proposals_y1 + 0.5 * ex_heights
    gt_widths = reference_x2 - reference_x1
    gt_heights = reference_y2 - reference_y1
    gt_ctr_x = reference_x1 + 0.5 * gt_widths
    gt_ctr_y = reference_y1 + 0.5 * gt_heights
    targets_dx = wx * (gt_ctr_x - ex_ctr_x) / ex_widths
    targets_dy = wy * (gt_ctr_y - ex_ctr_y) / ex_heights
    targets_dw = ww * T.log(gt_widths / ex_widths)
    targets_dh = wh * T.log(gt_heights / ex_heights)
    return T.cat((targets_dx, targets_dy, targets_dw, targets_dh), dim=1)


def decode_single(T, rel_codes, boxes, weights=(10.0, 10.0, 5.0, 5.0),
                  bbox_xform_clip=math.log(1000.0 / 16)):
    boxes = boxes.to(rel_codes.dtype)
    widths = boxes[:, 2] - boxes[:, 0]
    heights = boxes[:, 3] - boxes[:, 1]
    ctr_x = boxes[:, 0] + 0.5 * widths
    ctr_y = boxes[:, 1] + 0.5 * heights
    wx, wy, ww, wh = weights
    dx = rel_codes[:, 0::4] / wx
    dy = rel_codes[:, 1::4] / wy
    dw = rel_codes[:, 2::4] / ww
    dh = rel_codes[:, 3::4] / wh
    dw = T.clamp(dw, max=bbox_xform_clip)  # prevent sending too large values into exp()
    dh = T.clamp(dh, max=bbox_xform_clip)
    pred_ctr_x = dx * widths[:, None] + ctr_x[:, None]
    pred_ctr_y = dy * heights[:, None] + ctr_y[:, None]
    pred_w = T.exp(dw) * widths[:, None]
    pred_h = T.exp(dh) * heights[:, None]
    c_to_c_h = T.tensor(0.5, dtype=pred_ctr_y.dtype, device=pred_h.device) * pred_h
    c_to_c_w = T.tensor(0.5, dtype=pred_ctr_x.dtype, device=pred_w.device) * pred_w
    pred_boxes = T.stack((pred_ctr_x - c_to_c_w, pred_ctr_y - c_to_c_h,
                          pred_ctr_x + c_to_c_w, pred_ctr_y + c_to_c_h), dim=2).flatten(1)
    return pred_boxes


def clip_boxes_to_image(T, boxes, size):
    dim = boxes.dim()
    boxes_x = boxes[..., 0::2]
    boxes_y = boxes[..., 1::2]
    height, width = size
    boxes_x = boxes_x.clamp(min=0, max=width)
    boxes_y = boxes_y.clamp(min=0, max=height)
    clipped_boxes = T.stack((boxes_x, boxes_y), dim=dim)
    return clipped_boxes.reshape(boxes.shape)


def remove_small_boxes(T, boxes, min_size):
    ws, hs = boxes[:, 2] - boxes[:, 0], boxes[:, 3] - boxes[:, 1]
    keep = (ws >= min_size) & (hs >= min_size)
    return T.where(keep)[0]


def test_box_coder_encode_decode_clip(torch):
    runs = []
    for T in (ag, torch):
        proposals = T.tensor(random_boxes(8, 6), requires_grad=True)
        reference = T.tensor(random_boxes(9, 6))
        weights = T.as_tensor((10.0, 10.0, 5.0, 5.0), dtype=proposals.dtype,
                              device=proposals.device)
        codes = encode_boxes(T, reference, proposals, weights)
        decoded = decode_single(T, codes * 1.1 + T.tensor([[0.0, 0.0, 30.0, 0.0]]), proposals)
        clipped = clip_boxes_to_image(T, decoded, (9, 12))
        keep = remove_small_boxes(T, clipped, 1.0)
        (decoded.sum() + (clipped[keep] ** 2).sum()).backward()
        runs.append([codes, decoded, clipped, keep, proposals.grad,
                     T.tensor(T.finfo(decoded.dtype).eps)])
    assert_close(*runs)


# ------------------------------------------------------------------ torchvision's Matcher
def match(T, match_quality_matrix, high_threshold=0.7, low_threshold=0.3,
          allow_low_quality_matches=True):
    """Each prediction (column) gets the ground truth (row) of highest IoU, -1 below
    ``low_threshold``, -2 between the thresholds; with ``allow_low_quality_matches`` each
    ground truth keeps its best predictions whatever their IoU."""
    matched_vals, matches = match_quality_matrix.max(dim=0)
    all_matches = matches.clone() if allow_low_quality_matches else None
    below_low_threshold = matched_vals < low_threshold
    between_thresholds = (matched_vals >= low_threshold) & (matched_vals < high_threshold)
    matches[below_low_threshold] = -1
    matches[between_thresholds] = -2
    if allow_low_quality_matches:
        highest_quality_foreach_gt, _ = match_quality_matrix.max(dim=1)
        gt_pred_pairs_of_highest_quality = T.where(
            match_quality_matrix == highest_quality_foreach_gt[:, None])
        pred_inds_to_update = gt_pred_pairs_of_highest_quality[1]
        matches[pred_inds_to_update] = all_matches[pred_inds_to_update]
    return matches


def test_matcher_and_sampler_masks(torch):
    runs = []
    for T in (ag, torch):
        iou, _ = box_iou(T, T.tensor(random_boxes(10, 3)), T.tensor(random_boxes(11, 9)))
        matches = match(T, iou)
        strict = match(T, iou, allow_low_quality_matches=False)
        positive = T.where(matches >= 0)[0]
        negative = T.where(matches == -1)[0]
        pos_idx_per_image_mask = T.zeros_like(matches, dtype=T.uint8)
        pos_idx_per_image_mask[positive] = 1
        top_values, top_indices = iou.flatten().topk(min(4, iou.numel()))
        runs.append([matches, strict, positive, negative, pos_idx_per_image_mask,
                     matches.clamp(min=0), top_values, top_indices])
    assert_close(*runs)
