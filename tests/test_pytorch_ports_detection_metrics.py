"""Detection and segmentation metrics as people write them in plain PyTorch, ported as
their readers write them, once for a library ``T`` (``autograd`` here, ``torch`` there)
and run next to PyTorch's on generated predictions: Aladdin Persson's
``mean_average_precision`` (greedy matching of detections to ground truths by IoU,
``torch.cumsum``, ``torch.divide``, ``torch.trapz``), the mean IoU of a confusion matrix
built with ``torch.bincount`` and averaged by ``torch.nanmean`` (FCN's ``label_accuracy_score``),
and torchvision's ``masks_to_boxes`` by ``torch.where`` on each mask. The values agree to
1e-12. No line is written differently.
"""

from collections import Counter

import numpy as np

import autograd as ag

from detection_helpers import assert_close


def intersection_over_union(T, boxes_preds, boxes_labels):
    box1_x1, box1_y1 = boxes_preds[..., 0:1], boxes_preds[..., 1:2]
    box1_x2, box1_y2 = boxes_preds[..., 2:3], boxes_preds[..., 3:4]
    box2_x1, box2_y1 = boxes_labels[..., 0:1], boxes_labels[..., 1:2]
    box2_x2, box2_y2 = boxes_labels[..., 2:3], boxes_labels[..., 3:4]
    x1 = T.max(box1_x1, box2_x1)
    y1 = T.max(box1_y1, box2_y1)
    x2 = T.min(box1_x2, box2_x2)
    y2 = T.min(box1_y2, box2_y2)
    intersection = (x2 - x1).clamp(0) * (y2 - y1).clamp(0)
    box1_area = abs((box1_x2 - box1_x1) * (box1_y2 - box1_y1))
    box2_area = abs((box2_x2 - box2_x1) * (box2_y2 - box2_y1))
    return intersection / (box1_area + box2_area - intersection + 1e-6)


def mean_average_precision(T, pred_boxes, true_boxes, iou_threshold=0.5, num_classes=3):
    """pred_boxes: [[train_idx, class_prediction, prob_score, x1, y1, x2, y2], ...]."""
    average_precisions = []
    epsilon = 1e-6
    for c in range(num_classes):
        detections = [detection for detection in pred_boxes if detection[1] == c]
        ground_truths = [true_box for true_box in true_boxes if true_box[1] == c]
        amount_bboxes = Counter([gt[0] for gt in ground_truths])
        for key, val in amount_bboxes.items():
            amount_bboxes[key] = T.zeros(val)
        detections.sort(key=lambda x: x[2], reverse=True)
        TP = T.zeros((len(detections)))
        FP = T.zeros((len(detections)))
        total_true_bboxes = len(ground_truths)
        if total_true_bboxes == 0:
            continue
        for detection_idx, detection in enumerate(detections):
            ground_truth_img = [bbox for bbox in ground_truths if bbox[0] == detection[0]]
            best_iou = 0
            for idx, gt in enumerate(ground_truth_img):
                iou = intersection_over_union(T, T.tensor(detection[3:]), T.tensor(gt[3:]))
                if iou > best_iou:
                    best_iou = iou
                    best_gt_idx = idx
            if best_iou > iou_threshold:
                if amount_bboxes[detection[0]][best_gt_idx] == 0:
                    TP[detection_idx] = 1
                    amount_bboxes[detection[0]][best_gt_idx] = 1
                else:
                    FP[detection_idx] = 1
            else:
                FP[detection_idx] = 1
        TP_cumsum = T.cumsum(TP, dim=0)
        FP_cumsum = T.cumsum(FP, dim=0)
        recalls = TP_cumsum / (total_true_bboxes + epsilon)
        precisions = T.divide(TP_cumsum, (TP_cumsum + FP_cumsum + epsilon))
        precisions = T.cat((T.tensor([1]), precisions))
        recalls = T.cat((T.tensor([0]), recalls))
        average_precisions.append(T.trapz(precisions, recalls))
    return sum(average_precisions) / len(average_precisions)


def generated_detections(seed: int):
    """Ground truths on 3 images and noisy detections of them, plus a few false ones."""
    rng = np.random.default_rng(seed)
    true_boxes, pred_boxes = [], []
    for image in range(3):
        for _ in range(3):
            c = int(rng.integers(0, 3))
            corner = rng.uniform(0, 10, 2)
            box = [*corner, *(corner + rng.uniform(2, 5, 2))]
            true_boxes.append([image, c, 1.0, *box])
            for _ in range(int(rng.integers(1, 3))):
                pred_boxes.append([image, c, float(rng.uniform()),
                                   *(np.array(box) + rng.normal(0, 0.6, 4))])
        corner = rng.uniform(0, 10, 2)
        pred_boxes.append([image, int(rng.integers(0, 3)), float(rng.uniform()), *corner,
                           *(corner + 2)])
    return pred_boxes, true_boxes


def test_mean_average_precision(torch):
    pred_boxes, true_boxes = generated_detections(0)
    runs = [[mean_average_precision(T, [list(p) for p in pred_boxes], true_boxes, threshold)
             for threshold in (0.3, 0.5, 0.7)] for T in (ag, torch)]
    assert_close(*runs)


def label_accuracy_score(T, label_trues, label_preds, n_class):
    def _fast_hist(label_true, label_pred):
        mask = (label_true >= 0) & (label_true < n_class)
        return T.bincount(n_class * label_true[mask] + label_pred[mask],
                          minlength=n_class ** 2).reshape(n_class, n_class)
    hist = T.zeros((n_class, n_class), dtype=T.int64)
    for lt, lp in zip(label_trues, label_preds):
        hist += _fast_hist(lt.flatten(), lp.flatten())
    hist = hist.double()
    acc = T.diag(hist).sum() / hist.sum()
    acc_cls = T.nanmean(T.diag(hist) / hist.sum(dim=1))
    iu = T.diag(hist) / (hist.sum(dim=1) + hist.sum(dim=0) - T.diag(hist))
    mean_iu = T.nanmean(iu)
    freq = hist.sum(dim=1) / hist.sum()
    fwavacc = (freq[freq > 0] * iu[freq > 0]).sum()
    return acc, acc_cls, mean_iu, fwavacc, iu


def masks_to_boxes(T, masks):
    if masks.numel() == 0:
        return T.zeros((0, 4), device=masks.device, dtype=T.float)
    n = masks.shape[0]
    bounding_boxes = T.zeros((n, 4), device=masks.device, dtype=T.float)
    for index, mask in enumerate(masks):
        y, x = T.where(mask != 0)
        bounding_boxes[index, 0] = T.min(x)
        bounding_boxes[index, 1] = T.min(y)
        bounding_boxes[index, 2] = T.max(x)
        bounding_boxes[index, 3] = T.max(y)
    return bounding_boxes


def test_mean_iou_and_masks_to_boxes(torch):
    rng = np.random.default_rng(1)
    trues = rng.integers(-1, 4, (2, 6, 6))  # -1: ignored pixels; class 4 is never seen
    preds = np.where(rng.uniform(size=trues.shape) < 0.7, trues.clip(0),
                     rng.integers(0, 4, trues.shape))
    masks = rng.uniform(size=(3, 7, 5)) > 0.7
    runs = []
    for T in (ag, torch):
        scores = label_accuracy_score(T, T.tensor(trues), T.tensor(preds), 5)
        runs.append([*scores, masks_to_boxes(T, T.tensor(masks)),
                     masks_to_boxes(T, T.tensor(masks[:0]))])
    assert_close(*runs)
    assert np.isnan(runs[0][4].numpy()[4])  # the absent class: 0 / 0, skipped by nanmean
