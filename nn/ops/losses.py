"""torchvision.ops' losses for detection: RetinaNet's sigmoid focal loss and the IoU losses
of box regression (generalized, distance and complete IoU), with torchvision's semantics.

The box losses compare boxes1[i] with boxes2[i] (shapes (N, 4) or (4,), x1 <= x2 and
y1 <= y2), are symmetric, and take ``eps`` (1e-7) against division by zero. Integer and
float16 boxes are computed in float32, as torchvision's ``_upcast_non_float``.
``reduction`` is "none" (the default here, as in torchvision), "mean" (0 for no boxes)
or "sum".
"""

from __future__ import annotations

import math

import autograd as ag
from autograd import Tensor

from ..functional import binary_cross_entropy_with_logits
from ..functional.loss_base import check_reduction

__all__ = ["sigmoid_focal_loss", "generalized_box_iou_loss", "distance_box_iou_loss",
           "complete_box_iou_loss"]


def _reduce(name: str, loss: Tensor, reduction: str) -> Tensor:
    """torchvision's reduction of the box losses: "mean" of no boxes is 0, not NaN."""
    check_reduction(name, reduction)
    if reduction == "mean":
        return loss.mean() if loss.numel() > 0 else 0.0 * loss.sum()
    return loss.sum() if reduction == "sum" else loss


def sigmoid_focal_loss(inputs: Tensor, targets: Tensor, alpha: float = 0.25,
                       gamma: float = 2, reduction: str = "none") -> Tensor:
    """Focal loss on logits x with binary targets t (same shape): with p = sigmoid(x) and
    p_t = p t + (1 - p)(1 - t), loss = alpha_t (1 - p_t)^gamma BCE(x, t), where
    alpha_t = alpha t + (1 - alpha)(1 - t) (no weighting when alpha < 0)."""
    check_reduction("sigmoid_focal_loss", reduction)
    p = ag.sigmoid(inputs)
    ce_loss = binary_cross_entropy_with_logits(inputs, targets, reduction="none")
    p_t = p * targets + (1 - p) * (1 - targets)
    loss = ce_loss * ((1 - p_t) ** gamma)
    if alpha >= 0:
        loss = (alpha * targets + (1 - alpha) * (1 - targets)) * loss
    if reduction == "mean":  # NaN for no elements, as torchvision's (its box losses give 0)
        return loss.mean()
    return _reduce("sigmoid_focal_loss", loss, reduction)


def _upcast_non_float(t: Tensor) -> Tensor:
    return t if t.dtype in (ag.float32, ag.float64) else t.to(ag.float32)


def _corners(boxes1: Tensor, boxes2: Tensor) -> tuple:
    boxes1, boxes2 = _upcast_non_float(boxes1), _upcast_non_float(boxes2)
    return boxes1.unbind(dim=-1), boxes2.unbind(dim=-1)


def _inter_union(first: tuple, second: tuple) -> tuple[Tensor, Tensor]:
    """Areas of the intersection (0 where the boxes do not overlap) and of the union."""
    x1, y1, x2, y2 = first
    x1g, y1g, x2g, y2g = second
    left, top = ag.maximum(x1, x1g), ag.maximum(y1, y1g)
    right, bottom = ag.minimum(x2, x2g), ag.minimum(y2, y2g)
    overlap = (bottom > top) & (right > left)
    inter = ag.where(overlap, (right - left) * (bottom - top), 0.0)
    union = (x2 - x1) * (y2 - y1) + (x2g - x1g) * (y2g - y1g) - inter
    return inter, union


def _enclosing(first: tuple, second: tuple) -> tuple[Tensor, Tensor]:
    """Width and height of the smallest box enclosing both."""
    x1, y1, x2, y2 = first
    x1g, y1g, x2g, y2g = second
    return (ag.maximum(x2, x2g) - ag.minimum(x1, x1g),
            ag.maximum(y2, y2g) - ag.minimum(y1, y1g))


def generalized_box_iou_loss(boxes1: Tensor, boxes2: Tensor, reduction: str = "none",
                             eps: float = 1e-7) -> Tensor:
    """1 - GIoU = 1 - IoU + (|C| - |A u B|) / |C|, C the smallest box enclosing A and B;
    IoU = |A n B| / (|A u B| + eps), the last quotient over |C| + eps."""
    first, second = _corners(boxes1, boxes2)
    inter, union = _inter_union(first, second)
    width, height = _enclosing(first, second)
    area_c = width * height
    loss = 1 - (inter / (union + eps) - (area_c - union) / (area_c + eps))
    return _reduce("generalized_box_iou_loss", loss, reduction)


def _diou_and_iou(first: tuple, second: tuple, eps: float) -> tuple[Tensor, Tensor]:
    inter, union = _inter_union(first, second)
    iou = inter / (union + eps)
    width, height = _enclosing(first, second)
    diagonal_squared = width ** 2 + height ** 2 + eps
    x1, y1, x2, y2 = first
    x1g, y1g, x2g, y2g = second
    centres_squared = ((x2 + x1) / 2 - (x1g + x2g) / 2) ** 2 \
        + ((y2 + y1) / 2 - (y1g + y2g) / 2) ** 2
    return 1 - iou + centres_squared / diagonal_squared, iou


def distance_box_iou_loss(boxes1: Tensor, boxes2: Tensor, reduction: str = "none",
                          eps: float = 1e-7) -> Tensor:
    """1 - DIoU = 1 - IoU + rho^2 / c^2: rho the distance of the centres, c the diagonal of
    the enclosing box (c^2 + eps)."""
    check_reduction("distance_box_iou_loss", reduction)
    loss, _ = _diou_and_iou(*_corners(boxes1, boxes2), eps)
    return _reduce("distance_box_iou_loss", loss, reduction)


def complete_box_iou_loss(boxes1: Tensor, boxes2: Tensor, reduction: str = "none",
                          eps: float = 1e-7) -> Tensor:
    """1 - CIoU = 1 - DIoU + alpha v, v = 4 / pi^2 (atan(w_g / h_g) - atan(w / h))^2 the
    aspect-ratio term, alpha = v / (1 - IoU + v + eps) held constant (no gradient)."""
    check_reduction("complete_box_iou_loss", reduction)
    first, second = _corners(boxes1, boxes2)
    diou_loss, iou = _diou_and_iou(first, second, eps)
    x1, y1, x2, y2 = first
    x1g, y1g, x2g, y2g = second
    v = (4 / math.pi ** 2) * (ag.arctan((x2g - x1g) / (y2g - y1g))
                              - ag.arctan((x2 - x1) / (y2 - y1))) ** 2
    with ag.no_grad():
        alpha = v / (1 - iou + v + eps)
    return _reduce("complete_box_iou_loss", diou_loss + alpha * v, reduction)
