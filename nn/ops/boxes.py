"""torchvision.ops' box functions: areas, pairwise IoU and generalized IoU, format
conversion, clipping, and non-maximum suppression, with torchvision's semantics.

Boxes are rows (x1, y1, x2, y2) with x1 <= x2 and y1 <= y2 unless a format says otherwise.
Areas and intersections are computed in the boxes' dtype after torchvision's upcast
(float16 -> float32, int8/int16/uint8 -> int32), so integer boxes give integer areas and
IoU is their true quotient. Everything but ``nms`` / ``batched_nms`` / ``remove_small_boxes``
(which return int64 indices) is differentiable.
"""

from __future__ import annotations

import numpy as np

import autograd as ag
from autograd import Tensor
from autograd.errors import ShapeError

from ..errors import ConfigError

__all__ = ["box_area", "box_iou", "generalized_box_iou", "box_convert", "clip_boxes_to_image",
           "remove_small_boxes", "nms", "batched_nms"]

BOX_FORMATS = ("xyxy", "xywh", "cxcywh")


def _upcast(t: Tensor) -> Tensor:
    """torchvision's ``_upcast``: float16/bfloat16 to float32, small integers to int32, so
    products of coordinates do not overflow."""
    if t.is_floating_point():
        return t if t.dtype in (np.float32, np.float64) else t.to(ag.float32)
    return t if t.dtype in (np.int32, np.int64) else t.to(ag.int32)


def box_area(boxes: Tensor) -> Tensor:
    """(x2 - x1) (y2 - y1) of each of the N boxes (N, 4): shape (N,)."""
    boxes = _upcast(boxes)
    return (boxes[:, 2] - boxes[:, 0]) * (boxes[:, 3] - boxes[:, 1])


def _inter_union(boxes1: Tensor, boxes2: Tensor) -> tuple[Tensor, Tensor]:
    """Pairwise intersection and union areas, both (N, M)."""
    area1, area2 = box_area(boxes1), box_area(boxes2)
    top_left = ag.maximum(boxes1[:, None, :2], boxes2[:, :2])
    bottom_right = ag.minimum(boxes1[:, None, 2:], boxes2[:, 2:])
    sides = _upcast(bottom_right - top_left).clamp(min=0)
    inter = sides[:, :, 0] * sides[:, :, 1]
    return inter, area1[:, None] + area2 - inter


def box_iou(boxes1: Tensor, boxes2: Tensor) -> Tensor:
    """Intersection over union of every pair: |A n B| / |A u B|, shape (N, M)."""
    inter, union = _inter_union(boxes1, boxes2)
    return inter / union


def generalized_box_iou(boxes1: Tensor, boxes2: Tensor) -> Tensor:
    """Generalized IoU of every pair: IoU - (|C| - |A u B|) / |C|, with C the smallest box
    enclosing A and B; in [-1, 1], and informative for boxes that do not overlap."""
    inter, union = _inter_union(boxes1, boxes2)
    iou = inter / union
    top_left = ag.minimum(boxes1[:, None, :2], boxes2[:, :2])
    bottom_right = ag.maximum(boxes1[:, None, 2:], boxes2[:, 2:])
    sides = _upcast(bottom_right - top_left).clamp(min=0)
    enclosing = sides[:, :, 0] * sides[:, :, 1]
    return iou - (enclosing - union) / enclosing


def _to_xyxy(boxes: Tensor, fmt: str) -> Tensor:
    a, b, c, d = boxes.unbind(-1)
    if fmt == "xywh":
        return ag.stack([a, b, a + c, b + d], dim=-1)
    return ag.stack([a - 0.5 * c, b - 0.5 * d, a + 0.5 * c, b + 0.5 * d], dim=-1)  # cxcywh


def _from_xyxy(boxes: Tensor, fmt: str) -> Tensor:
    x1, y1, x2, y2 = boxes.unbind(-1)
    if fmt == "xywh":
        return ag.stack([x1, y1, x2 - x1, y2 - y1], dim=-1)
    return ag.stack([(x1 + x2) / 2, (y1 + y2) / 2, x2 - x1, y2 - y1], dim=-1)  # cxcywh


def box_convert(boxes: Tensor, in_fmt: str, out_fmt: str) -> Tensor:
    """Boxes (..., 4) from ``in_fmt`` to ``out_fmt``, each of "xyxy" (corners), "xywh"
    (top-left corner, width, height) and "cxcywh" (centre, width, height); a copy when the
    two are equal. torchvision's rotated formats (xywhr, cxcywhr, xyxyxyxy) are not here."""
    if in_fmt not in BOX_FORMATS or out_fmt not in BOX_FORMATS:
        raise ConfigError(f"box_convert: unsupported bounding box conversion for given in_fmt "
                          f"{in_fmt} and out_fmt {out_fmt}; formats here are {BOX_FORMATS} "
                          f"(torchvision's rotated ones are not supported)")
    if in_fmt == out_fmt:
        return boxes.clone()
    if in_fmt != "xyxy":
        boxes = _to_xyxy(boxes, in_fmt)
    return boxes if out_fmt == "xyxy" else _from_xyxy(boxes, out_fmt)


def clip_boxes_to_image(boxes: Tensor, size: tuple[int, int]) -> Tensor:
    """Boxes (..., 4) clamped into an image of ``size`` = (height, width): x into
    [0, width], y into [0, height]."""
    height, width = size
    xs = boxes[..., 0::2].clamp(min=0, max=width)
    ys = boxes[..., 1::2].clamp(min=0, max=height)
    return ag.stack((xs, ys), dim=boxes.dim()).reshape(boxes.shape)


def remove_small_boxes(boxes: Tensor, min_size: float) -> Tensor:
    """int64 indices of the boxes whose width and height are both >= ``min_size``."""
    widths, heights = boxes[:, 2] - boxes[:, 0], boxes[:, 3] - boxes[:, 1]
    return ag.where((widths >= min_size) & (heights >= min_size))[0]


def _check_nms_shapes(boxes: Tensor, scores: Tensor) -> None:
    if boxes.dim() != 2:
        raise ShapeError(f"nms: boxes should be a 2d tensor, got {boxes.dim()}D")
    if boxes.shape[1] != 4:
        raise ShapeError(f"nms: boxes should have 4 elements in dimension 1, got "
                         f"{boxes.shape[1]}")
    if scores.dim() != 1:
        raise ShapeError(f"nms: scores should be a 1d tensor, got {scores.dim()}D")
    if boxes.shape[0] != scores.shape[0]:
        raise ShapeError(f"nms: boxes and scores should have same number of elements in "
                         f"dimension 0, got {boxes.shape[0]} and {scores.shape[0]}")


def nms(boxes: Tensor, scores: Tensor, iou_threshold: float) -> Tensor:
    """Non-maximum suppression: visit the boxes by decreasing score (a stable sort: ties
    keep their order), keep a box unless a kept one overlaps it with IoU > iou_threshold.
    Returns the kept indices (int64), by decreasing score. Not differentiable."""
    _check_nms_shapes(boxes, scores)
    corners = boxes.detach().numpy()
    order = np.argsort(-scores.detach().numpy(), kind="stable")
    x1, y1, x2, y2 = corners.T
    areas = (x2 - x1) * (y2 - y1)
    suppressed = np.zeros(len(order), dtype=bool)
    keep = []
    for position, i in enumerate(order):
        if suppressed[i]:
            continue
        keep.append(i)
        rest = order[position + 1:]
        widths = np.maximum(0, np.minimum(x2[i], x2[rest]) - np.maximum(x1[i], x1[rest]))
        heights = np.maximum(0, np.minimum(y2[i], y2[rest]) - np.maximum(y1[i], y1[rest]))
        inter = widths * heights
        suppressed[rest[inter / (areas[i] + areas[rest] - inter) > iou_threshold]] = True
    return ag.tensor(np.array(keep, dtype=np.int64))


def batched_nms(boxes: Tensor, scores: Tensor, idxs: Tensor, iou_threshold: float) -> Tensor:
    """``nms`` within each category ``idxs[i]`` (boxes of different categories never
    suppress each other), by torchvision's shift of each category's boxes by
    idx (max coordinate + 1). Returns int64 indices by decreasing score."""
    if boxes.numel() == 0:
        return ag.empty((0,), dtype=ag.int64)
    boxes = boxes.detach()
    offsets = idxs.to(boxes.dtype) * (boxes.max() + 1)
    return nms(boxes + offsets[:, None], scores, iou_threshold)
