"""Shared by the detection ports (``test_pytorch_ports_detection_*.py``): generated boxes,
the comparison of two runs, and DETR's ``util/box_ops.py`` as its readers write it, once
for a library ``T`` (``autograd`` or ``torch``)."""

import numpy as np


def random_boxes(seed: int, n: int, scale: float = 10.0) -> np.ndarray:
    """n boxes (x1, y1, x2, y2) with corners in [0, scale) and sides in [1, scale / 2)."""
    rng = np.random.default_rng(seed)
    corner = rng.uniform(0, scale, (n, 2))
    return np.concatenate([corner, corner + rng.uniform(1, scale / 2, (n, 2))], 1)


def assert_close(got, want, rtol: float = 1e-10, atol: float = 1e-12) -> None:
    assert len(got) == len(want)
    for i, (a, b) in enumerate(zip(got, want)):
        a = a.detach().numpy() if hasattr(a, "detach") else np.asarray(a)
        b = b.detach().numpy() if hasattr(b, "detach") else np.asarray(b)
        assert a.shape == b.shape and a.dtype == b.dtype, (i, a.shape, b.shape, a.dtype, b.dtype)
        np.testing.assert_allclose(a, b, rtol=rtol, atol=atol, err_msg=f"item {i}")


# ------------------------------------------------------------------ DETR's box_ops.py
def box_cxcywh_to_xyxy(T, x):
    x_c, y_c, w, h = x.unbind(-1)
    b = [(x_c - 0.5 * w), (y_c - 0.5 * h), (x_c + 0.5 * w), (y_c + 0.5 * h)]
    return T.stack(b, dim=-1)


def box_xyxy_to_cxcywh(T, x):
    x0, y0, x1, y1 = x.unbind(-1)
    b = [(x0 + x1) / 2, (y0 + y1) / 2, (x1 - x0), (y1 - y0)]
    return T.stack(b, dim=-1)


def box_area(boxes):
    return (boxes[:, 2] - boxes[:, 0]) * (boxes[:, 3] - boxes[:, 1])


def box_iou(T, boxes1, boxes2):
    area1 = box_area(boxes1)
    area2 = box_area(boxes2)
    lt = T.max(boxes1[:, None, :2], boxes2[:, :2])  # [N,M,2]
    rb = T.min(boxes1[:, None, 2:], boxes2[:, 2:])  # [N,M,2]
    wh = (rb - lt).clamp(min=0)  # [N,M,2]
    inter = wh[:, :, 0] * wh[:, :, 1]  # [N,M]
    union = area1[:, None] + area2 - inter
    iou = inter / union
    return iou, union


def generalized_box_iou(T, boxes1, boxes2):
    assert (boxes1[:, 2:] >= boxes1[:, :2]).all()
    assert (boxes2[:, 2:] >= boxes2[:, :2]).all()
    iou, union = box_iou(T, boxes1, boxes2)
    lt = T.min(boxes1[:, None, :2], boxes2[:, :2])
    rb = T.max(boxes1[:, None, 2:], boxes2[:, 2:])
    wh = (rb - lt).clamp(min=0)  # [N,M,2]
    area = wh[:, :, 0] * wh[:, :, 1]
    return iou - (area - union) / area
