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


def torchvision_ops(torch):
    """What the ports import from ``torchvision.ops``, written in torch as torchvision's
    source has it (torchvision is not installed here); ``nn.ops`` is the library's."""
    from types import SimpleNamespace

    def box_iou(boxes1, boxes2):
        area1 = (boxes1[:, 2] - boxes1[:, 0]) * (boxes1[:, 3] - boxes1[:, 1])
        area2 = (boxes2[:, 2] - boxes2[:, 0]) * (boxes2[:, 3] - boxes2[:, 1])
        lt = torch.max(boxes1[:, None, :2], boxes2[:, :2])
        rb = torch.min(boxes1[:, None, 2:], boxes2[:, 2:])
        wh = (rb - lt).clamp(min=0)
        inter = wh[:, :, 0] * wh[:, :, 1]
        return inter / (area1[:, None] + area2 - inter)

    def sigmoid_focal_loss(inputs, targets, alpha=0.25, gamma=2, reduction="none"):
        p = torch.sigmoid(inputs)
        ce_loss = torch.nn.functional.binary_cross_entropy_with_logits(inputs, targets,
                                                                       reduction="none")
        p_t = p * targets + (1 - p) * (1 - targets)
        loss = ce_loss * ((1 - p_t) ** gamma)
        if alpha >= 0:
            loss = (alpha * targets + (1 - alpha) * (1 - targets)) * loss
        return loss.mean() if reduction == "mean" else loss.sum() if reduction == "sum" else loss

    def generalized_box_iou_loss(boxes1, boxes2, reduction="none", eps=1e-7):
        x1, y1, x2, y2 = boxes1.unbind(dim=-1)
        x1g, y1g, x2g, y2g = boxes2.unbind(dim=-1)
        xkis1, ykis1 = torch.max(x1, x1g), torch.max(y1, y1g)
        xkis2, ykis2 = torch.min(x2, x2g), torch.min(y2, y2g)
        intsctk = torch.zeros_like(x1)
        mask = (ykis2 > ykis1) & (xkis2 > xkis1)
        intsctk[mask] = (xkis2[mask] - xkis1[mask]) * (ykis2[mask] - ykis1[mask])
        unionk = (x2 - x1) * (y2 - y1) + (x2g - x1g) * (y2g - y1g) - intsctk
        area_c = (torch.max(x2, x2g) - torch.min(x1, x1g)) * (torch.max(y2, y2g)
                                                              - torch.min(y1, y1g))
        loss = 1 - (intsctk / (unionk + eps) - (area_c - unionk) / (area_c + eps))
        return loss.mean() if reduction == "mean" else loss.sum() if reduction == "sum" else loss

    def nms(boxes, scores, iou_threshold):  # the CPU kernel's loop
        order = scores.sort(stable=True, dim=0, descending=True)[1].tolist()
        iou = box_iou(boxes, boxes)
        suppressed, keep = set(), []
        for position, i in enumerate(order):
            if i in suppressed:
                continue
            keep.append(i)
            suppressed |= {j for j in order[position + 1:] if iou[i, j] > iou_threshold}
        return torch.tensor(keep, dtype=torch.int64)

    def batched_nms(boxes, scores, idxs, iou_threshold):
        if boxes.numel() == 0:
            return torch.empty((0,), dtype=torch.int64)
        offsets = idxs.to(boxes) * (boxes.max() + torch.tensor(1).to(boxes))
        return nms(boxes + offsets[:, None], scores, iou_threshold)

    return SimpleNamespace(box_iou=box_iou, sigmoid_focal_loss=sigmoid_focal_loss,
                           generalized_box_iou_loss=generalized_box_iou_loss, nms=nms,
                           batched_nms=batched_nms)
