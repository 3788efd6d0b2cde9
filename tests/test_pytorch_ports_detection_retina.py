"""A RetinaNet-style one-stage detector as people write it in plain PyTorch with
``from torchvision.ops import box_iou, sigmoid_focal_loss, generalized_box_iou_loss,
batched_nms``, ported as its readers write it: the program is written once for a library
``T`` with its ``nn``, ``F``, ``optim`` and ``ops`` (``nn.ops`` here; for PyTorch,
torchvision's functions written in torch, ``detection_helpers.torchvision_ops``, as
torchvision is not installed), and trains next to PyTorch from the same weights on
generated 8x8 images of rectangles (float64): losses, gradients, parameters, and the
boxes kept by NMS agree to 1e-10.

The detector: a two-convolution backbone (stride 2), RetinaNet's classification head
(prior-probability bias ``-log((1 - pi) / pi)``) and box head, two square anchors per
cell, anchors matched to objects by ``box_iou`` (IoU >= 0.5 foreground, < 0.4
background, in between ignored), the focal loss over the anchors that count and the
GIoU and L1 losses of the foreground boxes, both divided by the number of foreground
anchors; inference keeps the top scores, decodes the boxes and runs ``batched_nms``.
No line is written differently.
"""

import math

import numpy as np

import autograd as ag
import nn
import nn.functional as nn_F

from detection_helpers import assert_close, torchvision_ops

NUM_CLASSES, ANCHOR_SIZES, STRIDE = 3, (3.0, 5.0), 2


def libraries(torch=None) -> tuple:
    """(T, nn, F, optim, ops) for this library, or PyTorch's when ``torch`` is given."""
    if torch is None:
        return ag, nn, nn_F, nn.optim, nn.ops
    return torch, torch.nn, torch.nn.functional, torch.optim, torchvision_ops(torch)


def detector_class(T, nn):
    class RetinaLite(nn.Module):
        def __init__(self, num_classes, num_anchors, prior_probability=0.01):
            super().__init__()
            self.num_classes, self.num_anchors = num_classes, num_anchors
            self.backbone = nn.Sequential(nn.Conv2d(1, 8, 3, padding=1), nn.ReLU(),
                                          nn.MaxPool2d(2), nn.Conv2d(8, 8, 3, padding=1),
                                          nn.ReLU())
            self.cls_logits = nn.Conv2d(8, num_anchors * num_classes, 3, padding=1)
            self.bbox_reg = nn.Conv2d(8, num_anchors * 4, 3, padding=1)
            for layer in (self.cls_logits, self.bbox_reg):
                nn.init.normal_(layer.weight, std=0.01)
                nn.init.constant_(layer.bias, 0)
            nn.init.constant_(self.cls_logits.bias,
                              -math.log((1 - prior_probability) / prior_probability))

        def forward(self, x):
            features = self.backbone(x)
            N, _, H, W = features.shape
            cls = self.cls_logits(features).view(N, self.num_anchors, self.num_classes, H, W)
            cls = cls.permute(0, 3, 4, 1, 2).reshape(N, -1, self.num_classes)
            reg = self.bbox_reg(features).view(N, self.num_anchors, 4, H, W)
            reg = reg.permute(0, 3, 4, 1, 2).reshape(N, -1, 4)
            return cls, reg
    return RetinaLite


def make_anchors(T, height, width):
    """(H W A, 4) square anchors centred on each cell of the stride-2 feature map."""
    ys = (T.arange(height) + 0.5) * STRIDE
    xs = (T.arange(width) + 0.5) * STRIDE
    cy, cx = T.meshgrid(ys, xs, indexing="ij")
    centres = T.stack([cx, cy, cx, cy], dim=-1).reshape(-1, 1, 4)
    sizes = T.tensor(ANCHOR_SIZES)
    half = T.stack([-sizes, -sizes, sizes, sizes], dim=-1) / 2
    return (centres + half).reshape(-1, 4)


def encode(T, matched, anchors):
    """Box deltas (dx, dy, dw, dh) of ``matched`` boxes relative to their anchors."""
    widths, heights = anchors[:, 2] - anchors[:, 0], anchors[:, 3] - anchors[:, 1]
    dx = ((matched[:, 0] + matched[:, 2]) - (anchors[:, 0] + anchors[:, 2])) / 2 / widths
    dy = ((matched[:, 1] + matched[:, 3]) - (anchors[:, 1] + anchors[:, 3])) / 2 / heights
    dw = T.log((matched[:, 2] - matched[:, 0]) / widths)
    dh = T.log((matched[:, 3] - matched[:, 1]) / heights)
    return T.stack([dx, dy, dw, dh], dim=1)


def decode(T, deltas, anchors):
    widths, heights = anchors[:, 2] - anchors[:, 0], anchors[:, 3] - anchors[:, 1]
    ctr_x, ctr_y = anchors[:, 0] + 0.5 * widths, anchors[:, 1] + 0.5 * heights
    pred_ctr_x = deltas[:, 0] * widths + ctr_x
    pred_ctr_y = deltas[:, 1] * heights + ctr_y
    pred_w = T.exp(deltas[:, 2].clamp(max=math.log(1000.0 / 16))) * widths
    pred_h = T.exp(deltas[:, 3].clamp(max=math.log(1000.0 / 16))) * heights
    return T.stack([pred_ctr_x - 0.5 * pred_w, pred_ctr_y - 0.5 * pred_h,
                    pred_ctr_x + 0.5 * pred_w, pred_ctr_y + 0.5 * pred_h], dim=1)


def detection_loss(T, F, ops, cls, reg, anchors, targets):
    """Focal loss over the anchors that count, GIoU + L1 over the foreground ones."""
    losses = []
    for cls_i, reg_i, target in zip(cls, reg, targets):
        iou = ops.box_iou(target["boxes"], anchors)
        matched_vals, matches = iou.max(dim=0)
        foreground = matched_vals >= 0.5
        valid = foreground | (matched_vals < 0.4)
        num_foreground = max(1, int(foreground.sum()))
        gt_classes_target = T.zeros_like(cls_i)
        gt_classes_target[foreground, target["labels"][matches[foreground]]] = 1.0
        cls_loss = ops.sigmoid_focal_loss(cls_i[valid], gt_classes_target[valid],
                                          reduction="sum") / num_foreground
        matched_boxes = target["boxes"][matches[foreground]]
        box_loss = F.l1_loss(reg_i[foreground],
                             encode(T, matched_boxes, anchors[foreground]), reduction="sum")
        giou_loss = ops.generalized_box_iou_loss(
            decode(T, reg_i[foreground], anchors[foreground]), matched_boxes, reduction="sum")
        losses.append(cls_loss + (box_loss + giou_loss) / num_foreground)
    return sum(losses) / len(losses)


def postprocess(T, ops, cls, reg, anchors, topk=10, score_thresh=0.0, nms_thresh=0.3):
    detections = []
    for cls_i, reg_i in zip(cls, reg):
        scores = T.sigmoid(cls_i).flatten()
        keep = scores > score_thresh
        scores, idxs = scores[keep], T.where(keep)[0]
        scores, order = scores.topk(min(topk, idxs.numel()))
        idxs = idxs[order]
        anchor_idxs = T.div(idxs, NUM_CLASSES, rounding_mode="floor")
        labels = idxs % NUM_CLASSES
        boxes = decode(T, reg_i[anchor_idxs], anchors[anchor_idxs])
        kept = ops.batched_nms(boxes, scores, labels, nms_thresh)
        detections.append({"boxes": boxes[kept], "scores": scores[kept], "labels": labels[kept]})
    return detections


def generated_scenes(seed: int, n: int):
    """n 8x8 images with one or two bright rectangles, their boxes near anchors, labels."""
    rng = np.random.default_rng(seed)
    centres = (np.arange(4) + 0.5) * STRIDE
    images, targets = np.zeros((n, 1, 8, 8)), []
    for k in range(n):
        count = 1 + k % 2
        cx, cy = rng.choice(centres, count), rng.choice(centres, count)
        size = rng.choice(ANCHOR_SIZES, count) + rng.uniform(-0.4, 0.4, count)
        boxes = np.stack([cx - size / 2, cy - size / 2, cx + size / 2, cy + size / 2], 1)
        labels = rng.integers(0, NUM_CLASSES, count)
        for (x1, y1, x2, y2), label in zip(boxes, labels):
            images[k, 0, max(0, int(y1)):int(np.ceil(y2)), max(0, int(x1)):int(np.ceil(x2))] \
                += 1 + label
        targets.append({"boxes": boxes, "labels": labels})
    return images + 0.1 * rng.standard_normal(images.shape), targets


def train_detector(T, nn, F, optim, ops, images, targets_np, start) -> list:
    T.manual_seed(0)
    model = detector_class(T, nn)(NUM_CLASSES, len(ANCHOR_SIZES))
    with T.no_grad():  # the same starting weights in both runs (PyTorch's draw)
        for parameter, value in zip(model.parameters(), start):
            parameter.copy_(T.tensor(value))
    optimizer = optim.SGD(model.parameters(), lr=0.05, momentum=0.9, weight_decay=1e-4)
    anchors = make_anchors(T, 4, 4)
    targets = [{k: T.tensor(v) for k, v in t.items()} for t in targets_np]
    record = []
    for _ in range(3):
        cls, reg = model(T.tensor(images))
        loss = detection_loss(T, F, ops, cls, reg, anchors, targets)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        record += [loss] + [p.grad.clone() for p in model.parameters()]
    model.eval()
    with T.no_grad():
        for detections in postprocess(T, ops, *model(T.tensor(images)), anchors):
            record += [detections["boxes"], detections["scores"], detections["labels"]]
    return record + list(model.parameters())


def test_retina_lite_training_and_nms(torch):
    images, targets = generated_scenes(0, 4)
    torch.manual_seed(0)
    start = [p.detach().numpy().copy() for p in
             detector_class(torch, torch.nn)(NUM_CLASSES, len(ANCHOR_SIZES)).parameters()]
    runs = [train_detector(*libraries(lib), images, targets, start)
            for lib in (None, torch)]
    assert_close(*runs)
