"""segmentation_models.pytorch's losses (``smp/losses/_functional.py``, ``dice.py``,
``tversky.py``, ``focal.py``), ported as their readers write them, once for a library ``T``
(``autograd`` here, ``torch`` there), run next to PyTorch's in float64 on generated logits
and masks: losses and their gradients agree to 1e-10.

Here: ``to_tensor`` (``torch.from_numpy`` of a list through ``np.array``, ``x.type(dtype)``),
``soft_dice_score`` / ``soft_tversky_score`` (``torch.sum(..., dim=dims)``, ``clamp_min``),
``focal_loss_with_logits`` (``target.type(output.type())``, ``torch.exp(-logpt)``,
the reduced-threshold ``focal_term[pt < reduced_threshold] = 1``, ``loss *= ...``,
``loss /= norm_factor``), ``DiceLoss`` subclassing ``torch.nn.modules.loss._Loss`` in its
binary, multiclass and multilabel modes (``log_softmax(dim=1).exp()``,
``F.logsigmoid(y_pred).exp()``, ``F.one_hot((y_true * mask).to(torch.long), C)``,
``.permute(0, 2, 1) * mask.unsqueeze(1)``, ``y_true.type_as(y_pred)``, ``loss *= mask.to
(loss.dtype)``, ``loss[self.classes]``), ``TverskyLoss`` overriding ``compute_score`` and
``aggregate_loss`` (``loss.mean() ** self.gamma``) and ``FocalLoss`` (``functools.partial``
of the functional loss, boolean-mask filtering of ignored pixels, ``loss = 0`` then
``loss += ...`` per class, ``from_logits=False`` through ``torch.clamp`` and logit).

Lines written differently here, and why: ``TverskyLoss.__init__`` sets ``self.gamma``, as
smp's later versions do (the version read forgets it, so ``aggregate_loss`` raises).
"""

import math
from functools import partial

import numpy as np

import autograd as ag
import nn
import nn.functional as nn_F
from nn.modules.loss import _Loss as OurLoss

from detection_helpers import assert_close

BINARY_MODE, MULTICLASS_MODE, MULTILABEL_MODE = "binary", "multiclass", "multilabel"


def smp_losses(T, F, _Loss):
    """smp's functional losses and loss modules for library ``T``."""
    def to_tensor(x, dtype=None):
        if isinstance(x, T.Tensor):
            if dtype is not None:
                x = x.type(dtype)
            return x
        if isinstance(x, np.ndarray):
            x = T.from_numpy(x)
            if dtype is not None:
                x = x.type(dtype)
            return x
        if isinstance(x, (list, tuple)):
            x = np.array(x)
            x = T.from_numpy(x)
            if dtype is not None:
                x = x.type(dtype)
            return x

    def focal_loss_with_logits(output, target, gamma=2.0, alpha=0.25, reduction="mean",
                               normalized=False, reduced_threshold=None, eps=1e-6):
        target = target.type(output.type())
        logpt = F.binary_cross_entropy_with_logits(output, target, reduction="none")
        pt = T.exp(-logpt)
        # compute the loss
        if reduced_threshold is None:
            focal_term = (1.0 - pt).pow(gamma)
        else:
            focal_term = ((1.0 - pt) / reduced_threshold).pow(gamma)
            focal_term[pt < reduced_threshold] = 1
        loss = focal_term * logpt
        if alpha is not None:
            loss *= alpha * target + (1 - alpha) * (1 - target)
        if normalized:
            norm_factor = focal_term.sum().clamp_min(eps)
            loss /= norm_factor
        if reduction == "mean":
            loss = loss.mean()
        if reduction == "sum":
            loss = loss.sum()
        if reduction == "batchwise_mean":
            loss = loss.sum(0)
        return loss

    def soft_dice_score(output, target, smooth=0.0, eps=1e-7, dims=None):
        assert output.size() == target.size()
        if dims is not None:
            intersection = T.sum(output * target, dim=dims)
            cardinality = T.sum(output + target, dim=dims)
        else:
            intersection = T.sum(output * target)
            cardinality = T.sum(output + target)
        dice_score = (2.0 * intersection + smooth) / (cardinality + smooth).clamp_min(eps)
        return dice_score

    def soft_tversky_score(output, target, alpha, beta, smooth=0.0, eps=1e-7, dims=None):
        assert output.size() == target.size()
        if dims is not None:
            intersection = T.sum(output * target, dim=dims)  # TP
            fp = T.sum(output * (1.0 - target), dim=dims)
            fn = T.sum((1 - output) * target, dim=dims)
        else:
            intersection = T.sum(output * target)  # TP
            fp = T.sum(output * (1.0 - target))
            fn = T.sum((1 - output) * target)
        tversky_score = (intersection + smooth) / (
            intersection + alpha * fp + beta * fn + smooth).clamp_min(eps)
        return tversky_score

    class DiceLoss(_Loss):
        def __init__(self, mode, classes=None, log_loss=False, from_logits=True, smooth=0.0,
                     ignore_index=None, eps=1e-7):
            assert mode in {BINARY_MODE, MULTILABEL_MODE, MULTICLASS_MODE}
            super(DiceLoss, self).__init__()
            self.mode = mode
            if classes is not None:
                assert mode != BINARY_MODE, "Masking classes is not supported with mode=binary"
                classes = to_tensor(classes, dtype=T.long)
            self.classes = classes
            self.from_logits = from_logits
            self.smooth = smooth
            self.eps = eps
            self.log_loss = log_loss
            self.ignore_index = ignore_index

        def forward(self, y_pred, y_true):
            assert y_true.size(0) == y_pred.size(0)
            if self.from_logits:
                if self.mode == MULTICLASS_MODE:
                    y_pred = y_pred.log_softmax(dim=1).exp()
                else:
                    y_pred = F.logsigmoid(y_pred).exp()
            bs = y_true.size(0)
            num_classes = y_pred.size(1)
            dims = (0, 2)
            if self.mode == BINARY_MODE:
                y_true = y_true.view(bs, 1, -1)
                y_pred = y_pred.view(bs, 1, -1)
                if self.ignore_index is not None:
                    mask = y_true != self.ignore_index
                    y_pred = y_pred * mask
                    y_true = y_true * mask
            if self.mode == MULTICLASS_MODE:
                y_true = y_true.view(bs, -1)
                y_pred = y_pred.view(bs, num_classes, -1)
                if self.ignore_index is not None:
                    mask = y_true != self.ignore_index
                    y_pred = y_pred * mask.unsqueeze(1)
                    y_true = F.one_hot((y_true * mask).to(T.long), num_classes)  # N,H*W -> N,H*W, C
                    y_true = y_true.permute(0, 2, 1) * mask.unsqueeze(1)  # H, C, H*W
                else:
                    y_true = F.one_hot(y_true, num_classes)  # N,H*W -> N,H*W, C
                    y_true = y_true.permute(0, 2, 1)  # H, C, H*W
            if self.mode == MULTILABEL_MODE:
                y_true = y_true.view(bs, num_classes, -1)
                y_pred = y_pred.view(bs, num_classes, -1)
                if self.ignore_index is not None:
                    mask = y_true != self.ignore_index
                    y_pred = y_pred * mask
                    y_true = y_true * mask
            scores = self.compute_score(y_pred, y_true.type_as(y_pred), smooth=self.smooth,
                                        eps=self.eps, dims=dims)
            if self.log_loss:
                loss = -T.log(scores.clamp_min(self.eps))
            else:
                loss = 1.0 - scores
            mask = y_true.sum(dims) > 0
            loss *= mask.to(loss.dtype)
            if self.classes is not None:
                loss = loss[self.classes]
            return self.aggregate_loss(loss)

        def aggregate_loss(self, loss):
            return loss.mean()

        def compute_score(self, output, target, smooth=0.0, eps=1e-7, dims=None):
            return soft_dice_score(output, target, smooth, eps, dims)

    class TverskyLoss(DiceLoss):
        def __init__(self, mode, classes=None, log_loss=False, from_logits=True, smooth=0.0,
                     ignore_index=None, eps=1e-7, alpha=0.5, beta=0.5, gamma=1.0):
            assert mode in {BINARY_MODE, MULTILABEL_MODE, MULTICLASS_MODE}
            super().__init__(mode, classes, log_loss, from_logits, smooth, ignore_index, eps)
            self.alpha = alpha
            self.beta = beta
            self.gamma = gamma

        def aggregate_loss(self, loss):
            return loss.mean() ** self.gamma

        def compute_score(self, output, target, smooth=0.0, eps=1e-7, dims=None):
            return soft_tversky_score(output, target, self.alpha, self.beta, smooth, eps, dims)

    class FocalLoss(_Loss):
        def __init__(self, mode, alpha=None, gamma=2.0, ignore_index=None, from_logits=True,
                     eps=1e-7, reduction="mean", normalized=False, reduced_threshold=None):
            assert mode in {BINARY_MODE, MULTILABEL_MODE, MULTICLASS_MODE}
            super().__init__()
            self.mode = mode
            self.from_logits = from_logits
            self.ignore_index = ignore_index
            self.reduction = reduction
            self.eps = eps
            self.focal_loss_fn = partial(focal_loss_with_logits, alpha=alpha, gamma=gamma,
                                         reduced_threshold=reduced_threshold,
                                         reduction=reduction, normalized=normalized)

        def forward(self, y_pred, y_true):
            if not self.from_logits:
                y_pred = T.clamp(y_pred, self.eps, 1 - self.eps)
                if self.mode in {BINARY_MODE, MULTILABEL_MODE}:
                    # inverse sigmoid
                    y_pred = T.log(y_pred / (1 - y_pred))
                elif self.mode == MULTICLASS_MODE:
                    y_pred = T.log(y_pred)
            if self.mode in {BINARY_MODE, MULTILABEL_MODE}:
                y_true = y_true.reshape(-1)
                y_pred = y_pred.reshape(-1)
                if self.ignore_index is not None:
                    not_ignored = y_true != self.ignore_index
                    y_pred = y_pred[not_ignored]
                    y_true = y_true[not_ignored]
                loss = self.focal_loss_fn(y_pred, y_true)
            elif self.mode == MULTICLASS_MODE:
                num_classes = y_pred.size(1)
                loss = 0
                if self.ignore_index is not None:
                    not_ignored = y_true != self.ignore_index
                for cls in range(num_classes):
                    cls_y_true = (y_true == cls).long()
                    cls_y_pred = y_pred[:, cls, ...]
                    if self.ignore_index is not None:
                        cls_y_true = cls_y_true[not_ignored]
                        cls_y_pred = cls_y_pred[not_ignored]
                    loss += self.focal_loss_fn(cls_y_pred, cls_y_true)
            return loss
    return DiceLoss, TverskyLoss, FocalLoss


def loss_cases(DiceLoss, TverskyLoss, FocalLoss) -> list:
    """(loss module, target kind) pairs covering the modes and options."""
    return [
        (DiceLoss(MULTICLASS_MODE), "classes"),
        (DiceLoss(MULTICLASS_MODE, ignore_index=255, smooth=1.0), "classes_ignored"),
        (DiceLoss(MULTICLASS_MODE, classes=[0, 2], log_loss=True), "classes"),
        (DiceLoss(BINARY_MODE, ignore_index=255), "binary_ignored"),
        (DiceLoss(MULTILABEL_MODE, from_logits=True), "multilabel"),
        (TverskyLoss(MULTICLASS_MODE, alpha=0.3, beta=0.7, gamma=4 / 3), "classes"),
        (TverskyLoss(BINARY_MODE, ignore_index=255, smooth=0.5), "binary_ignored"),
        (FocalLoss(MULTICLASS_MODE, ignore_index=255), "classes_ignored"),
        (FocalLoss(BINARY_MODE, alpha=0.25, normalized=True), "binary"),
        (FocalLoss(MULTILABEL_MODE, reduced_threshold=0.5, reduction="sum"), "multilabel"),
        (FocalLoss(BINARY_MODE, from_logits=False), "binary_probabilities"),
    ]


def generated_batch(kind: str, rng) -> tuple:
    """(predictions, targets) as NumPy arrays for a target kind, 2 images of 5x6."""
    channels = 3 if kind.startswith("classes") or kind == "multilabel" else 1
    logits = rng.standard_normal((2, channels, 5, 6)) * 2
    if kind.startswith("classes"):
        target = rng.integers(0, 3, (2, 5, 6))
        target[0, 0, :] = 1  # class 0 might be absent from a small draw: keep 2 present
        if kind.endswith("ignored"):
            target[rng.random((2, 5, 6)) < 0.2] = 255
        return logits, target
    if kind == "multilabel":
        return logits, rng.integers(0, 2, (2, 3, 5, 6)).astype(np.float64)
    target = rng.integers(0, 2, (2, 1, 5, 6)).astype(np.float64)
    if kind.endswith("ignored"):
        target[rng.random((2, 1, 5, 6)) < 0.2] = 255
    if kind == "binary_probabilities":
        logits = 1 / (1 + np.exp(-logits))
    return logits, target


def test_smp_losses_and_gradients(torch):
    runs = [[], []]
    for run, (T, F, base) in zip(runs, ((ag, nn_F, OurLoss),
                                        (torch, torch.nn.functional,
                                         torch.nn.modules.loss._Loss))):
        cases = loss_cases(*smp_losses(T, F, base))
        for k, (loss_fn, kind) in enumerate(cases):
            logits, target = generated_batch(kind, np.random.default_rng(k))
            y_pred = T.tensor(logits, requires_grad=True)
            loss = loss_fn(y_pred, T.tensor(target))
            loss.backward()
            run += [loss, y_pred.grad]
    assert_close(*runs)
    assert all(math.isfinite(float(x)) for x in runs[0][::2])


def test_loss_subclass_reduction_attribute(torch):
    """``_Loss`` subclasses get ``self.reduction`` ("mean") from the base, as in PyTorch."""
    for T, base in ((ag, OurLoss), (torch, torch.nn.modules.loss._Loss)):
        DiceLoss = smp_losses(T, nn_F if T is ag else torch.nn.functional, base)[0]
        assert DiceLoss(MULTICLASS_MODE).reduction == "mean"
        assert isinstance(DiceLoss(MULTICLASS_MODE), nn.Module if T is ag else torch.nn.Module)
