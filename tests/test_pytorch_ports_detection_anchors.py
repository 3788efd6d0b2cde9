"""Anchor boxes and detection losses as people write them in plain PyTorch, ported as
their readers write them, each written once for a library ``T`` (``autograd`` here,
``torch`` there) and run next to PyTorch's on generated boxes in float64:
d2l's "Anchor Boxes" (``multibox_prior``, ``assign_anchor_to_bbox``, ``offset_boxes``,
``multibox_target``, ``offset_inverse``), the YOLOv1 loss of Aladdin Persson's
from-scratch series on a 3x3 grid, ROI max pooling by hand with ``adaptive_max_pool2d`` on
crops, and DETR's set criterion (classes, L1 and GIoU box terms, cardinality) with an
exhaustive matching over the permutations of a tiny set in place of scipy's Hungarian
solver. Box utilities, NMS and IoU losses: ``test_pytorch_ports_detection_boxes.py``.

Lines written differently here, and why:
- ``T.nonzero(x)`` is ``T.nonzero(x, as_tuple=False)`` and ``.repeat(n, 1)`` of a 2-d
  tensor is ``.tile(n, 1)``: both names mean something else in NumPy, so the library
  asks which one is meant;
- d2l's ``dtype=torch.float32`` for the assigned boxes is left out: float64 runs;
- the ROI pooling's ``rois.data.float()`` is ``rois.detach()`` (``.data`` is NumPy's
  array here);
- DETR's ``F.cross_entropy(logits, classes, self.empty_weight)`` passes the weight by
  keyword: the third place is ``reduction`` here.
"""

import itertools

import numpy as np

import autograd as ag
import nn
import nn.functional as nn_F

from detection_helpers import assert_close, box_cxcywh_to_xyxy, generalized_box_iou


def libraries(torch=None) -> tuple:
    """(T, nn, F) for this library, or PyTorch's when ``torch`` is given."""
    if torch is None:
        return ag, nn, nn_F
    return torch, torch.nn, torch.nn.functional


# ------------------------------------------------------------------ d2l's anchor boxes
def multibox_prior(T, data, sizes, ratios):
    in_height, in_width = data.shape[-2:]
    device, num_sizes, num_ratios = data.device, len(sizes), len(ratios)
    boxes_per_pixel = (num_sizes + num_ratios - 1)
    size_tensor = T.tensor(sizes, device=device)
    ratio_tensor = T.tensor(ratios, device=device)
    offset_h, offset_w = 0.5, 0.5
    steps_h = 1.0 / in_height
    steps_w = 1.0 / in_width
    center_h = (T.arange(in_height, device=device) + offset_h) * steps_h
    center_w = (T.arange(in_width, device=device) + offset_w) * steps_w
    shift_y, shift_x = T.meshgrid(center_h, center_w, indexing='ij')
    shift_y, shift_x = shift_y.reshape(-1), shift_x.reshape(-1)
    w = T.cat((size_tensor * T.sqrt(ratio_tensor[0]),
               sizes[0] * T.sqrt(ratio_tensor[1:]))) * in_height / in_width
    h = T.cat((size_tensor / T.sqrt(ratio_tensor[0]), sizes[0] / T.sqrt(ratio_tensor[1:])))
    # d2l: .T.repeat(in_height * in_width, 1)
    anchor_manipulations = T.stack((-w, -h, w, h)).T.tile(in_height * in_width, 1) / 2
    out_grid = T.stack([shift_x, shift_y, shift_x, shift_y],
                       dim=1).repeat_interleave(boxes_per_pixel, dim=0)
    output = out_grid + anchor_manipulations
    return output.unsqueeze(0)


def box_iou(T, boxes1, boxes2):
    def box_area(boxes):
        return (boxes[:, 2] - boxes[:, 0]) * (boxes[:, 3] - boxes[:, 1])
    areas1 = box_area(boxes1)
    areas2 = box_area(boxes2)
    inter_upperlefts = T.max(boxes1[:, None, :2], boxes2[:, :2])
    inter_lowerrights = T.min(boxes1[:, None, 2:], boxes2[:, 2:])
    inters = (inter_lowerrights - inter_upperlefts).clamp(min=0)
    inter_areas = inters[:, :, 0] * inters[:, :, 1]
    union_areas = areas1[:, None] + areas2 - inter_areas
    return inter_areas / union_areas


def assign_anchor_to_bbox(T, ground_truth, anchors, device, iou_threshold=0.5):
    num_anchors, num_gt_boxes = anchors.shape[0], ground_truth.shape[0]
    jaccard = box_iou(T, anchors, ground_truth)
    anchors_bbox_map = T.full((num_anchors,), -1, dtype=T.long, device=device)
    max_ious, indices = T.max(jaccard, dim=1)
    anc_i = T.nonzero(max_ious >= iou_threshold, as_tuple=False).reshape(-1)
    box_j = indices[max_ious >= iou_threshold]
    anchors_bbox_map[anc_i] = box_j
    col_discard = T.full((num_anchors,), -1)
    row_discard = T.full((num_gt_boxes,), -1)
    for _ in range(num_gt_boxes):
        max_idx = T.argmax(jaccard)
        box_idx = (max_idx % num_gt_boxes).long()
        anc_idx = (max_idx / num_gt_boxes).long()
        anchors_bbox_map[anc_idx] = box_idx
        jaccard[:, box_idx] = col_discard
        jaccard[anc_idx, :] = row_discard
    return anchors_bbox_map


def box_corner_to_center(T, boxes):
    x1, y1, x2, y2 = boxes[:, 0], boxes[:, 1], boxes[:, 2], boxes[:, 3]
    return T.stack(((x1 + x2) / 2, (y1 + y2) / 2, x2 - x1, y2 - y1), axis=-1)


def box_center_to_corner(T, boxes):
    cx, cy, w, h = boxes[:, 0], boxes[:, 1], boxes[:, 2], boxes[:, 3]
    return T.stack((cx - 0.5 * w, cy - 0.5 * h, cx + 0.5 * w, cy + 0.5 * h), axis=-1)


def offset_boxes(T, anchors, assigned_bb, eps=1e-6):
    c_anc = box_corner_to_center(T, anchors)
    c_assigned_bb = box_corner_to_center(T, assigned_bb)
    offset_xy = 10 * (c_assigned_bb[:, :2] - c_anc[:, :2]) / c_anc[:, 2:]
    offset_wh = 5 * T.log(eps + c_assigned_bb[:, 2:] / c_anc[:, 2:])
    return T.cat([offset_xy, offset_wh], axis=1)


def multibox_target(T, anchors, labels):
    batch_size, anchors = labels.shape[0], anchors.squeeze(0)
    batch_offset, batch_mask, batch_class_labels = [], [], []
    device, num_anchors = anchors.device, anchors.shape[0]
    for i in range(batch_size):
        label = labels[i, :, :]
        anchors_bbox_map = assign_anchor_to_bbox(T, label[:, 1:], anchors, device)
        bbox_mask = ((anchors_bbox_map >= 0).float().unsqueeze(-1)).repeat(1, 4)
        class_labels = T.zeros(num_anchors, dtype=T.long, device=device)
        assigned_bb = T.zeros((num_anchors, 4), device=device)  # d2l: dtype=torch.float32
        indices_true = T.nonzero(anchors_bbox_map >= 0, as_tuple=False)
        bb_idx = anchors_bbox_map[indices_true]
        class_labels[indices_true] = label[bb_idx, 0].long() + 1
        assigned_bb[indices_true] = label[bb_idx, 1:]
        offset = offset_boxes(T, anchors, assigned_bb) * bbox_mask
        batch_offset.append(offset.reshape(-1))
        batch_mask.append(bbox_mask.reshape(-1))
        batch_class_labels.append(class_labels)
    return (T.stack(batch_offset), T.stack(batch_mask), T.stack(batch_class_labels))


def offset_inverse(T, anchors, offset_preds):
    anc = box_corner_to_center(T, anchors)
    pred_bbox_xy = (offset_preds[:, :2] * anc[:, 2:] / 10) + anc[:, :2]
    pred_bbox_wh = T.exp(offset_preds[:, 2:] / 5) * anc[:, 2:]
    pred_bbox = T.cat((pred_bbox_xy, pred_bbox_wh), axis=1)
    return box_center_to_corner(T, pred_bbox)


def test_d2l_anchor_boxes(torch):
    runs = []
    for T in (ag, torch):
        X = T.zeros(size=(1, 3, 5, 6))
        anchors = multibox_prior(T, X, sizes=[0.75, 0.5, 0.25], ratios=[1, 2, 0.5])
        ground_truth = T.tensor([[0, 0.1, 0.08, 0.52, 0.92], [1, 0.55, 0.2, 0.9, 0.88]])
        offsets, mask, classes = multibox_target(T, anchors, ground_truth.unsqueeze(dim=0))
        predicted = offset_inverse(T, anchors[0], offsets[0].reshape(-1, 4))
        runs.append([anchors, offsets, mask, classes, predicted])
    assert_close(*runs)
    assert (runs[0][3] > 0).sum() >= 2  # both objects got anchors


# ------------------------------------------------------------------ YOLOv1's loss
def intersection_over_union(T, boxes_preds, boxes_labels):
    box1_x1 = boxes_preds[..., 0:1] - boxes_preds[..., 2:3] / 2
    box1_y1 = boxes_preds[..., 1:2] - boxes_preds[..., 3:4] / 2
    box1_x2 = boxes_preds[..., 0:1] + boxes_preds[..., 2:3] / 2
    box1_y2 = boxes_preds[..., 1:2] + boxes_preds[..., 3:4] / 2
    box2_x1 = boxes_labels[..., 0:1] - boxes_labels[..., 2:3] / 2
    box2_y1 = boxes_labels[..., 1:2] - boxes_labels[..., 3:4] / 2
    box2_x2 = boxes_labels[..., 0:1] + boxes_labels[..., 2:3] / 2
    box2_y2 = boxes_labels[..., 1:2] + boxes_labels[..., 3:4] / 2
    x1 = T.max(box1_x1, box2_x1)
    y1 = T.max(box1_y1, box2_y1)
    x2 = T.min(box1_x2, box2_x2)
    y2 = T.min(box1_y2, box2_y2)
    intersection = (x2 - x1).clamp(0) * (y2 - y1).clamp(0)
    box1_area = abs((box1_x2 - box1_x1) * (box1_y2 - box1_y1))
    box2_area = abs((box2_x2 - box2_x1) * (box2_y2 - box2_y1))
    return intersection / (box1_area + box2_area - intersection + 1e-6)


def yolo_loss_class(T, nn):
    class YoloLoss(nn.Module):
        def __init__(self, S=3, B=2, C=4):
            super().__init__()
            self.mse = nn.MSELoss(reduction="sum")
            self.S, self.B, self.C = S, B, C
            self.lambda_noobj = 0.5
            self.lambda_coord = 5

        def forward(self, predictions, target):
            C = self.C
            predictions = predictions.reshape(-1, self.S, self.S, self.C + self.B * 5)
            iou_b1 = intersection_over_union(T, predictions[..., C + 1:C + 5],
                                             target[..., C + 1:C + 5])
            iou_b2 = intersection_over_union(T, predictions[..., C + 6:C + 10],
                                             target[..., C + 1:C + 5])
            ious = T.cat([iou_b1.unsqueeze(0), iou_b2.unsqueeze(0)], dim=0)
            iou_maxes, bestbox = T.max(ious, dim=0)
            exists_box = target[..., C].unsqueeze(3)
            box_predictions = exists_box * (bestbox * predictions[..., C + 6:C + 10]
                                            + (1 - bestbox) * predictions[..., C + 1:C + 5])
            box_targets = exists_box * target[..., C + 1:C + 5]
            box_predictions[..., 2:4] = (T.sign(box_predictions[..., 2:4])
                                         * T.sqrt(T.abs(box_predictions[..., 2:4] + 1e-6)))
            box_targets[..., 2:4] = T.sqrt(box_targets[..., 2:4])
            box_loss = self.mse(T.flatten(box_predictions, end_dim=-2),
                                T.flatten(box_targets, end_dim=-2))
            pred_box = (bestbox * predictions[..., C + 5:C + 6]
                        + (1 - bestbox) * predictions[..., C:C + 1])
            object_loss = self.mse(T.flatten(exists_box * pred_box),
                                   T.flatten(exists_box * target[..., C:C + 1]))
            no_object_loss = self.mse(
                T.flatten((1 - exists_box) * predictions[..., C:C + 1], start_dim=1),
                T.flatten((1 - exists_box) * target[..., C:C + 1], start_dim=1))
            no_object_loss += self.mse(
                T.flatten((1 - exists_box) * predictions[..., C + 5:C + 6], start_dim=1),
                T.flatten((1 - exists_box) * target[..., C:C + 1], start_dim=1))
            class_loss = self.mse(T.flatten(exists_box * predictions[..., :C], end_dim=-2),
                                  T.flatten(exists_box * target[..., :C], end_dim=-2))
            return (self.lambda_coord * box_loss + object_loss
                    + self.lambda_noobj * no_object_loss + class_loss)
    return YoloLoss


def test_yolo_v1_loss(torch):
    rng = np.random.default_rng(0)
    predictions_np = rng.standard_normal((2, 3 * 3 * 14)) * 0.5 + 0.5
    target_np = np.zeros((2, 3, 3, 14))
    exists = rng.uniform(size=(2, 3, 3)) > 0.5
    target_np[..., 4] = exists
    target_np[..., 5:9] = rng.uniform(0.1, 0.9, (2, 3, 3, 4)) * exists[..., None]
    target_np[..., :4] = np.eye(4)[rng.integers(0, 4, (2, 3, 3))] * exists[..., None]
    runs = []
    for T, lib, _ in (libraries(), libraries(torch)):
        predictions = T.tensor(predictions_np, requires_grad=True)
        loss = yolo_loss_class(T, lib)()(predictions, T.tensor(target_np))
        loss.backward()
        runs.append([loss, predictions.grad])
    assert_close(*runs)


# ------------------------------------------------------------------ ROI pooling by hand
def roi_pooling(T, F, input, rois, size=(2, 2), spatial_scale=1.0):
    output = []
    rois = rois.detach()  # the blog post: rois.data.float() (.data is NumPy's array here)
    num_rois = rois.size(0)
    rois[:, 1:].mul_(spatial_scale)
    rois = rois.long()
    for i in range(num_rois):
        roi = rois[i]
        im_idx = roi[0]
        im = input.narrow(0, im_idx, 1)[..., roi[2]:(roi[4] + 1), roi[1]:(roi[3] + 1)]
        output.append(F.adaptive_max_pool2d(im, size))
    return T.cat(output, 0)


def test_roi_pooling_by_hand(torch):
    rng = np.random.default_rng(1)
    features_np = rng.standard_normal((2, 3, 8, 8))
    rois_np = np.array([[0, 0, 0, 9, 9], [1, 2, 1, 14, 12], [0, 6, 6, 15, 15.5]])
    runs = []
    for T, _, F in (libraries(), libraries(torch)):
        features = T.tensor(features_np, requires_grad=True)
        pooled = roi_pooling(T, F, features, T.tensor(rois_np), (2, 3), spatial_scale=0.5)
        averaged = F.adaptive_avg_pool2d(features[:, :, 1:6, 2:7], (3, 3))
        (pooled.sum() + (averaged ** 2).sum()).backward()
        runs.append([pooled, averaged, features.grad])
    assert_close(*runs)


# ------------------------------------------------------------------ DETR's set criterion
class HungarianMatcher:
    """DETR's matcher; scipy's ``linear_sum_assignment`` replaced by a search over the
    permutations (tiny sets): the cheapest assignment of queries to targets."""

    def __init__(self, T, cost_class=1, cost_bbox=5, cost_giou=2):
        self.T = T
        self.cost_class, self.cost_bbox, self.cost_giou = cost_class, cost_bbox, cost_giou

    def __call__(self, outputs, targets):
        T = self.T
        with T.no_grad():
            bs, num_queries = outputs["pred_logits"].shape[:2]
            out_prob = outputs["pred_logits"].flatten(0, 1).softmax(-1)
            out_bbox = outputs["pred_boxes"].flatten(0, 1)
            tgt_ids = T.cat([v["labels"] for v in targets])
            tgt_bbox = T.cat([v["boxes"] for v in targets])
            cost_class = -out_prob[:, tgt_ids]
            cost_bbox = T.cdist(out_bbox, tgt_bbox, p=1)
            cost_giou = -generalized_box_iou(T, box_cxcywh_to_xyxy(T, out_bbox),
                                             box_cxcywh_to_xyxy(T, tgt_bbox))
            C = self.cost_bbox * cost_bbox + self.cost_class * cost_class \
                + self.cost_giou * cost_giou
            C = C.view(bs, num_queries, -1).cpu()
            sizes = [len(v["boxes"]) for v in targets]
            indices = [exhaustive_assignment(c[i]) for i, c in enumerate(C.split(sizes, -1))]
            return [(T.as_tensor(i, dtype=T.int64), T.as_tensor(j, dtype=T.int64))
                    for i, j in indices]


def exhaustive_assignment(cost):
    """(rows, columns) of the cheapest one-to-one assignment of every column to a row,
    sorted by row as scipy's ``linear_sum_assignment`` returns them."""
    queries, targets = cost.shape
    best = min(itertools.permutations(range(queries), targets),
               key=lambda rows: sum(cost[q, t].item() for t, q in enumerate(rows)))
    columns = sorted(range(targets), key=lambda t: best[t])
    return [best[t] for t in columns], columns


def _get_src_permutation_idx(T, indices):
    batch_idx = T.cat([T.full_like(src, i) for i, (src, _) in enumerate(indices)])
    src_idx = T.cat([src for (src, _) in indices])
    return batch_idx, src_idx


def set_criterion(T, F, outputs, targets, num_classes, eos_coef=0.1):
    """DETR's SetCriterion: loss_ce + 5 loss_bbox + 2 loss_giou, and the cardinality error."""
    indices = HungarianMatcher(T)(outputs, targets)
    empty_weight = T.ones(num_classes + 1)
    empty_weight[-1] = eos_coef
    src_logits = outputs['pred_logits']
    idx = _get_src_permutation_idx(T, indices)
    target_classes_o = T.cat([t["labels"][J] for t, (_, J) in zip(targets, indices)])
    target_classes = T.full(src_logits.shape[:2], num_classes, dtype=T.int64,
                            device=src_logits.device)
    target_classes[idx] = target_classes_o
    # DETR: F.cross_entropy(src_logits.transpose(1, 2), target_classes, self.empty_weight)
    loss_ce = F.cross_entropy(src_logits.transpose(1, 2), target_classes, weight=empty_weight)
    num_boxes = sum(len(t["labels"]) for t in targets)
    num_boxes = T.as_tensor([num_boxes], dtype=T.float,
                            device=next(iter(outputs.values())).device)
    num_boxes = T.clamp(num_boxes, min=1).item()
    src_boxes = outputs['pred_boxes'][idx]
    target_boxes = T.cat([t['boxes'][i] for t, (_, i) in zip(targets, indices)], dim=0)
    loss_bbox = F.l1_loss(src_boxes, target_boxes, reduction='none')
    loss_giou = 1 - T.diag(generalized_box_iou(T, box_cxcywh_to_xyxy(T, src_boxes),
                                               box_cxcywh_to_xyxy(T, target_boxes)))
    tgt_lengths = T.as_tensor([len(v["labels"]) for v in targets], device=src_logits.device)
    card_pred = (src_logits.argmax(-1) != src_logits.shape[-1] - 1).sum(1)
    card_err = F.l1_loss(card_pred.float(), tgt_lengths.float())
    loss = loss_ce + loss_bbox.sum() / num_boxes * 5 + loss_giou.sum() / num_boxes * 2
    return loss, card_err, indices


def test_detr_set_criterion(torch):
    rng = np.random.default_rng(2)

    def cxcywh(n):
        return np.concatenate([rng.uniform(0.3, 0.7, (*n, 2)), rng.uniform(0.1, 0.3, (*n, 2))],
                              -1)
    logits_np, boxes_np = rng.standard_normal((2, 5, 4)), cxcywh((2, 5))
    targets_np = [dict(labels=np.array([1, 0]), boxes=cxcywh((2,))),
                  dict(labels=np.array([2, 2, 0]), boxes=cxcywh((3,)))]
    runs = []
    for T, lib, F in (libraries(), libraries(torch)):
        logits = lib.Parameter(T.tensor(logits_np))
        boxes = lib.Parameter(T.tensor(boxes_np))
        optimizer = (nn.optim if T is ag else torch.optim).AdamW([logits, boxes], lr=0.05)
        record = []
        for _ in range(3):
            targets = [{k: T.tensor(v) for k, v in t.items()} for t in targets_np]
            loss, card_err, indices = set_criterion(
                T, F, {"pred_logits": logits, "pred_boxes": boxes.sigmoid()}, targets, 3)
            optimizer.zero_grad()
            loss.backward()
            record += [loss, card_err, logits.grad.clone(), boxes.grad.clone(),
                       *[i for pair in indices for i in pair]]
            optimizer.step()
        runs.append(record + [logits, boxes])
    assert_close(*runs)
