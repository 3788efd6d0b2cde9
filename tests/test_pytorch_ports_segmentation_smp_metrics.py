"""segmentation_models.pytorch's metrics (``smp/metrics/functional.py``), ported as their
readers write them, once for a library ``T`` (``autograd`` here, ``torch`` there), run next
to PyTorch's on generated predictions and masks: the per-image, per-class counts and every
score under every reduction agree.

Here: ``get_stats``' checks (``torch.is_floating_point``, its ``ValueError`` messages),
``_get_stats_multiclass`` under ``@torch.no_grad()`` (``torch.prod(torch.tensor(dims))
.long()``, ``torch.where(ignore, -1, output)`` with a Python scalar, ``ignore.view(bs, -1)
.sum(1)``, ``torch.histc`` of ``.float()`` copies, rows written by ``tp_count[i] =
tp.long()``), ``_get_stats_multilabel`` after ``torch.where(output >= threshold, 1, 0)``,
``_handle_zero_division`` (``torch.isnan``, ``torch.any``, ``warnings.warn``,
``torch.tensor(value, dtype=x.dtype).to(x.device)``), ``_compute_metric``'s micro, macro,
weighted, micro-imagewise, macro-imagewise and none reductions with class weights, and the
public ``fbeta_score``, ``f1_score``, ``iou_score``, ``accuracy``, ``recall``,
``balanced_accuracy``.

Lines written differently here, and why: the public metrics, each a ten-line wrapper of
``_compute_metric`` in smp, are made by one small ``metric`` helper to keep the file short.
One intermediate differs by design: ``num_elements - tp``
(a 0-d int64 tensor minus float32 counts) is float64 here (NumPy's promotion, see the
README's ``result_type``) and float32 in PyTorch; the counts are whole, and ``.long()``
makes both int64 before they are returned.
"""

import warnings

import numpy as np
import pytest

import autograd as ag

from detection_helpers import assert_close


def smp_metrics(T):
    """smp's ``metrics/functional.py`` for library ``T``: (get_stats, {name: metric})."""
    def get_stats(output, target, mode, ignore_index=None, threshold=None, num_classes=None):
        if T.is_floating_point(target):
            raise ValueError(f"Target should be one of the integer types, got {target.dtype}.")
        if T.is_floating_point(output) and threshold is None:
            raise ValueError(f"Output should be one of the integer types if ``threshold`` is "
                             f"not None, got {output.dtype}.")
        if T.is_floating_point(output) and mode == "multiclass":
            raise ValueError(f"For ``multiclass`` mode ``target`` should be one of the integer "
                             f"types, got {output.dtype}.")
        if mode not in {"binary", "multiclass", "multilabel"}:
            raise ValueError(f"``mode`` should be in ['binary', 'multiclass', 'multilabel'], "
                             f"got mode={mode}.")
        if mode == "multiclass" and threshold is not None:
            raise ValueError("``threshold`` parameter does not supported for this 'multiclass' "
                             "mode")
        if output.shape != target.shape:
            raise ValueError("Dimensions should match, but ``output`` shape is not equal to "
                             f"``target`` shape, {output.shape} != {target.shape}")
        if mode != "multiclass" and ignore_index is not None:
            raise ValueError(f"``ignore_index`` parameter is not supproted for '{mode}' mode")
        if mode == "multiclass" and num_classes is None:
            raise ValueError("``num_classes`` attribute should be not ``None`` for "
                             "'multiclass' mode.")
        if mode == "multiclass":
            tp, fp, fn, tn = _get_stats_multiclass(output, target, num_classes, ignore_index)
        else:
            if threshold is not None:
                output = T.where(output >= threshold, 1, 0)
                target = T.where(target >= threshold, 1, 0)
            tp, fp, fn, tn = _get_stats_multilabel(output, target)
        return tp, fp, fn, tn

    @T.no_grad()
    def _get_stats_multiclass(output, target, num_classes, ignore_index):
        batch_size, *dims = output.shape
        num_elements = T.prod(T.tensor(dims)).long()
        if ignore_index is not None:
            ignore = target == ignore_index
            output = T.where(ignore, -1, output)
            target = T.where(ignore, -1, target)
            ignore_per_sample = ignore.view(batch_size, -1).sum(1)
        tp_count = T.zeros(batch_size, num_classes, dtype=T.long)
        fp_count = T.zeros(batch_size, num_classes, dtype=T.long)
        fn_count = T.zeros(batch_size, num_classes, dtype=T.long)
        tn_count = T.zeros(batch_size, num_classes, dtype=T.long)
        for i in range(batch_size):
            target_i = target[i]
            output_i = output[i]
            mask = output_i == target_i
            matched = T.where(mask, target_i, -1)
            tp = T.histc(matched.float(), bins=num_classes, min=0, max=num_classes - 1)
            fp = T.histc(output_i.float(), bins=num_classes, min=0, max=num_classes - 1) - tp
            fn = T.histc(target_i.float(), bins=num_classes, min=0, max=num_classes - 1) - tp
            tn = num_elements - tp - fp - fn
            if ignore_index is not None:
                tn = tn - ignore_per_sample[i]
            tp_count[i] = tp.long()
            fp_count[i] = fp.long()
            fn_count[i] = fn.long()
            tn_count[i] = tn.long()
        return tp_count, fp_count, fn_count, tn_count

    @T.no_grad()
    def _get_stats_multilabel(output, target):
        batch_size, num_classes, *dims = target.shape
        output = output.view(batch_size, num_classes, -1)
        target = target.view(batch_size, num_classes, -1)
        tp = (output * target).sum(2)
        fp = output.sum(2) - tp
        fn = target.sum(2) - tp
        tn = T.prod(T.tensor(dims)) - (tp + fp + fn)
        return tp, fp, fn, tn

    def _handle_zero_division(x, zero_division):
        nans = T.isnan(x)
        if T.any(nans) and zero_division == "warn":
            warnings.warn("Zero division in metric calculation!")
        value = zero_division if zero_division != "warn" else 0
        value = T.tensor(value, dtype=x.dtype).to(x.device)
        x = T.where(nans, value, x)
        return x

    def _compute_metric(metric_fn, tp, fp, fn, tn, reduction=None, class_weights=None,
                        zero_division="warn", **metric_kwargs):
        if class_weights is None and reduction is not None and "weighted" in reduction:
            raise ValueError(f"Class weights should be provided for `{reduction}` reduction")
        class_weights = class_weights if class_weights is not None else 1.0
        class_weights = T.tensor(class_weights).to(tp.device)
        class_weights = class_weights / class_weights.sum()
        if reduction == "micro":
            tp, fp, fn, tn = tp.sum(), fp.sum(), fn.sum(), tn.sum()
            score = metric_fn(tp, fp, fn, tn, **metric_kwargs)
        elif reduction == "macro" or reduction == "weighted":
            tp, fp, fn, tn = tp.sum(0), fp.sum(0), fn.sum(0), tn.sum(0)
            score = metric_fn(tp, fp, fn, tn, **metric_kwargs)
            score = _handle_zero_division(score, zero_division)
            score = (score * class_weights).mean()
        elif reduction == "micro-imagewise":
            tp, fp, fn, tn = tp.sum(1), fp.sum(1), fn.sum(1), tn.sum(1)
            score = metric_fn(tp, fp, fn, tn, **metric_kwargs)
            score = _handle_zero_division(score, zero_division)
            score = score.mean()
        elif reduction == "macro-imagewise" or reduction == "weighted-imagewise":
            score = metric_fn(tp, fp, fn, tn, **metric_kwargs)
            score = _handle_zero_division(score, zero_division)
            score = (score.mean(0) * class_weights).mean()
        elif reduction == "none" or reduction is None:
            score = metric_fn(tp, fp, fn, tn, **metric_kwargs)
            score = _handle_zero_division(score, zero_division)
        else:
            raise ValueError("`reduction` should be in [micro, macro, weighted, "
                             "micro-imagewise, macro-imagesize, weighted-imagewise, none, None]")
        return score

    def _fbeta_score(tp, fp, fn, tn, beta=1):
        beta_tp = (1 + beta**2) * tp
        beta_fn = (beta**2) * fn
        score = beta_tp / (beta_tp + beta_fn + fp)
        return score

    def _iou_score(tp, fp, fn, tn):
        return tp / (tp + fp + fn)

    def _accuracy(tp, fp, fn, tn):
        return (tp + tn) / (tp + fp + fn + tn)

    def _sensitivity(tp, fp, fn, tn):
        return tp / (tp + fn)

    def _specificity(tp, fp, fn, tn):
        return tn / (tn + fp)

    def _balanced_accuracy(tp, fp, fn, tn):
        return (_sensitivity(tp, fp, fn, tn) + _specificity(tp, fp, fn, tn)) / 2

    def metric(metric_fn, **fixed):
        def compute(tp, fp, fn, tn, reduction=None, class_weights=None, zero_division=1.0,
                    **kwargs):
            return _compute_metric(metric_fn, tp, fp, fn, tn, reduction=reduction,
                                   class_weights=class_weights, zero_division=zero_division,
                                   **fixed, **kwargs)
        return compute

    return get_stats, {"fbeta_score": metric(_fbeta_score), "f1_score": metric(_fbeta_score,
                                                                                beta=1.0),
                       "iou_score": metric(_iou_score), "accuracy": metric(_accuracy),
                       "recall": metric(_sensitivity),
                       "balanced_accuracy": metric(_balanced_accuracy)}


REDUCTIONS = ["micro", "macro", "weighted", "micro-imagewise", "macro-imagewise",
              "weighted-imagewise", None]


def all_scores(T, mode: str) -> list:
    rng = np.random.default_rng(3)
    get_stats, metrics = smp_metrics(T)
    if mode == "multiclass":
        output = rng.integers(0, 4, (3, 5, 6))
        target = rng.integers(0, 4, (3, 5, 6))
        target[target == 3] = 255  # class 3 never in the target: zero divisions
        stats = get_stats(T.tensor(output), T.tensor(target), mode="multiclass",
                          ignore_index=255, num_classes=4)
    else:
        output = rng.random((3, 4, 5, 6))
        target = rng.integers(0, 2, (3, 4, 5, 6))
        target[:, 3] = 0
        stats = get_stats(T.tensor(output), T.tensor(target), mode="multilabel",
                          threshold=0.5)
    record = list(stats)
    for name, fn in metrics.items():
        for reduction in REDUCTIONS:
            weights = [1.0, 2.0, 0.5, 1.0] if reduction and "weighted" in reduction else None
            kwargs = {"beta": 2} if name == "fbeta_score" else {}
            record.append(fn(*stats, reduction=reduction, class_weights=weights, **kwargs))
            record.append(fn(*stats, reduction=reduction, class_weights=weights,
                             zero_division=0.0, **kwargs))
    return record


@pytest.mark.parametrize("mode", ["multiclass", "multilabel"])
def test_smp_metrics(torch, mode):
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # zero_division is given: nothing to warn about
        ours, theirs = all_scores(ag, mode), all_scores(torch, mode)
    assert [x.dtype for x in ours[:4]] == [ag.int64] * 4
    assert_close(ours, theirs)


def test_get_stats_refusals_and_warning(torch):
    for T in (ag, torch):
        get_stats, metrics = smp_metrics(T)
        with pytest.raises(ValueError, match="Target should be one of the integer types"):
            get_stats(T.zeros(2, 3), T.zeros(2, 3), mode="multilabel", threshold=0.5)
        with pytest.raises(ValueError, match="``num_classes`` attribute should be not"):
            get_stats(T.zeros(2, 3, dtype=T.long), T.zeros(2, 3, dtype=T.long), "multiclass")
        stats = get_stats(T.tensor([[0, 1]]), T.tensor([[0, 0]]), "multiclass", num_classes=3)
        with pytest.warns(UserWarning, match="Zero division"):
            metrics["iou_score"](*stats, reduction="macro", zero_division="warn")
