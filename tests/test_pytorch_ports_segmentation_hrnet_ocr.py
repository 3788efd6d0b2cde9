"""HRNet-Semantic-Segmentation's OCR head (``lib/models/seg_hrnet_ocr.py``), its OHEM
criterion (``lib/core/criterion.py``) and confusion matrix (``lib/utils/utils.py``), ported
as their readers write them, once for a library ``T`` (``autograd`` here, ``torch``
there), run next to PyTorch's from the same weights in float64 on scikit-learn's digits
turned into masks.

Here: the multi-resolution fusion (branches upsampled to the first one's size by
``F.interpolate(mode='bilinear')`` and concatenated); ``SpatialGather_Module`` (class
regions: ``probs.view(b, k, -1)``, ``F.softmax(self.scale * probs, dim=2)``,
``torch.matmul(probs, feats).permute(0, 2, 1).unsqueeze(3)``); ``_ObjectAttentionBlock``
(pixel-region attention: queries, keys and values from 1x1 ``Conv2d`` + ``BNReLU``,
``(self.key_channels**-.5) * sim_map``, ``context.view(b, key_channels, *x.size()[2:])``,
its ``MaxPool2d((scale, scale))`` and upsampling back when ``scale > 1``);
``SpatialOCR_Module`` (``torch.cat([context, feats], 1)``, ``Dropout2d``); the head's
``[out_aux, out]`` list; ``OhemCrossEntropy`` (``reduction='none'`` pixel losses,
``target.clone()`` with ignored labels set to 0, ``pred.gather(1, tmp_target.unsqueeze(1))``,
``.contiguous().view(-1,)[mask].contiguous().sort()``, ``max(min_value, self.thresh)`` of a
0-d tensor and a float, the kept pixels ``pixel_losses[mask][ind][pred < threshold]``) and
the balance weights of the aux and main outputs; ``get_confusion_matrix`` (NumPy:
``np.argmax`` of the transposed scores, ``np.bincount``, a double loop) and the IoU of
``tools/train.py``.

Lines written differently here, and why: ``dtype=np.int`` is ``dtype=int`` (NumPy 2 has
no ``np.int``); the OHEM ``.sort()`` is ``.sort(dim=-1)`` (a bare ``sort()`` is refused
here: NumPy's gives the values, PyTorch's the pair); ``Dropout2d(dropout)`` gets
``dropout=0`` from the test (the libraries draw different masks);
``config.MODEL.ALIGN_CORNERS`` and ``config.LOSS.BALANCE_WEIGHTS`` are module constants.
"""

import numpy as np
import pytest

import autograd as ag
import nn
import nn.functional as nn_F

from detection_helpers import assert_close

ALIGN_CORNERS = False
BALANCE_WEIGHTS = [0.4, 1]


def libraries(torch=None) -> tuple:
    """(T, nn, F, optim) for this library, or PyTorch's when ``torch`` is given."""
    if torch is None:
        return ag, nn, nn_F, nn.optim
    return torch, torch.nn, torch.nn.functional, torch.optim


def digit_masks(n: int) -> tuple:
    """n digits as float64 images (n, 1, 8, 8) and int64 masks: 0 below 4/16 ink, 1 below
    12/16, else 2; the bottom row is 255 (ignored)."""
    datasets = pytest.importorskip("sklearn.datasets")
    images, _ = datasets.load_digits(return_X_y=True)
    images = images[:n].reshape(n, 1, 8, 8)
    masks = np.digitize(images[:, 0], [4, 12]).astype(np.int64)
    masks[:, -1, :] = 255
    return images / 16.0, masks


def hrnet_ocr(T, nn, F, dropout: float):
    def BNReLU(num_features):
        return nn.Sequential(nn.BatchNorm2d(num_features), nn.ReLU())

    class SpatialGather_Module(nn.Module):
        def __init__(self, cls_num=0, scale=1):
            super(SpatialGather_Module, self).__init__()
            self.cls_num = cls_num
            self.scale = scale

        def forward(self, feats, probs):
            batch_size, c, h, w = probs.size(0), probs.size(1), probs.size(2), probs.size(3)  # noqa: F841,E501
            probs = probs.view(batch_size, c, -1)
            feats = feats.view(batch_size, feats.size(1), -1)
            feats = feats.permute(0, 2, 1)  # batch x hw x c
            probs = F.softmax(self.scale * probs, dim=2)  # batch x k x hw
            ocr_context = T.matmul(probs, feats).permute(0, 2, 1).unsqueeze(3)  # batch x k x c
            return ocr_context

    class _ObjectAttentionBlock(nn.Module):
        def __init__(self, in_channels, key_channels, scale=1):
            super(_ObjectAttentionBlock, self).__init__()
            self.scale = scale
            self.in_channels = in_channels
            self.key_channels = key_channels
            self.pool = nn.MaxPool2d(kernel_size=(scale, scale))
            self.f_pixel = nn.Sequential(
                nn.Conv2d(in_channels=self.in_channels, out_channels=self.key_channels,
                          kernel_size=1, stride=1, padding=0, bias=False),
                BNReLU(self.key_channels),
                nn.Conv2d(in_channels=self.key_channels, out_channels=self.key_channels,
                          kernel_size=1, stride=1, padding=0, bias=False),
                BNReLU(self.key_channels))
            self.f_object = nn.Sequential(
                nn.Conv2d(in_channels=self.in_channels, out_channels=self.key_channels,
                          kernel_size=1, stride=1, padding=0, bias=False),
                BNReLU(self.key_channels),
                nn.Conv2d(in_channels=self.key_channels, out_channels=self.key_channels,
                          kernel_size=1, stride=1, padding=0, bias=False),
                BNReLU(self.key_channels))
            self.f_down = nn.Sequential(
                nn.Conv2d(in_channels=self.in_channels, out_channels=self.key_channels,
                          kernel_size=1, stride=1, padding=0, bias=False),
                BNReLU(self.key_channels))
            self.f_up = nn.Sequential(
                nn.Conv2d(in_channels=self.key_channels, out_channels=self.in_channels,
                          kernel_size=1, stride=1, padding=0, bias=False),
                BNReLU(self.in_channels))

        def forward(self, x, proxy):
            batch_size, h, w = x.size(0), x.size(2), x.size(3)
            if self.scale > 1:
                x = self.pool(x)
            query = self.f_pixel(x).view(batch_size, self.key_channels, -1)
            query = query.permute(0, 2, 1)
            key = self.f_object(proxy).view(batch_size, self.key_channels, -1)
            value = self.f_down(proxy).view(batch_size, self.key_channels, -1)
            value = value.permute(0, 2, 1)
            sim_map = T.matmul(query, key)
            sim_map = (self.key_channels**-.5) * sim_map
            sim_map = F.softmax(sim_map, dim=-1)
            context = T.matmul(sim_map, value)
            context = context.permute(0, 2, 1).contiguous()
            context = context.view(batch_size, self.key_channels, *x.size()[2:])
            context = self.f_up(context)
            if self.scale > 1:
                context = F.interpolate(input=context, size=(h, w), mode='bilinear',
                                        align_corners=ALIGN_CORNERS)
            return context

    class SpatialOCR_Module(nn.Module):
        def __init__(self, in_channels, key_channels, out_channels, scale=1, dropout=0.1):
            super(SpatialOCR_Module, self).__init__()
            self.object_context_block = _ObjectAttentionBlock(in_channels, key_channels, scale)
            _in_channels = 2 * in_channels
            self.conv_bn_dropout = nn.Sequential(
                nn.Conv2d(_in_channels, out_channels, kernel_size=1, padding=0, bias=False),
                BNReLU(out_channels),
                nn.Dropout2d(dropout))

        def forward(self, feats, proxy_feats):
            context = self.object_context_block(feats, proxy_feats)
            output = self.conv_bn_dropout(T.cat([context, feats], 1))
            return output

    class HighResolutionNetOCR(nn.Module):
        """Two branches stand for HRNet's four; the OCR head is the program's."""

        def __init__(self, num_classes=3, ocr_mid_channels=8, ocr_key_channels=4, scale=1):
            super().__init__()
            self.stem = nn.Sequential(nn.Conv2d(1, 6, 3, padding=1, bias=False), BNReLU(6))
            self.branch2 = nn.Sequential(nn.Conv2d(6, 6, 3, stride=2, padding=1, bias=False),
                                         BNReLU(6))
            last_inp_channels = 12
            self.conv3x3_ocr = nn.Sequential(
                nn.Conv2d(last_inp_channels, ocr_mid_channels, kernel_size=3, stride=1,
                          padding=1),
                nn.BatchNorm2d(ocr_mid_channels),
                nn.ReLU(inplace=True))
            self.ocr_gather_head = SpatialGather_Module(num_classes)
            self.ocr_distri_head = SpatialOCR_Module(
                in_channels=ocr_mid_channels, key_channels=ocr_key_channels,
                out_channels=ocr_mid_channels, scale=scale, dropout=dropout)
            self.cls_head = nn.Conv2d(ocr_mid_channels, num_classes, kernel_size=1, stride=1,
                                      padding=0, bias=True)
            self.aux_head = nn.Sequential(
                nn.Conv2d(last_inp_channels, last_inp_channels, kernel_size=1, stride=1,
                          padding=0),
                nn.BatchNorm2d(last_inp_channels),
                nn.ReLU(inplace=True),
                nn.Conv2d(last_inp_channels, num_classes, kernel_size=1, stride=1, padding=0,
                          bias=True))

        def forward(self, x):
            x = [self.stem(x)]
            x.append(self.branch2(x[0]))
            x0_h, x0_w = x[0].size(2), x[0].size(3)
            x1 = F.interpolate(x[1], size=(x0_h, x0_w), mode='bilinear',
                               align_corners=ALIGN_CORNERS)
            feats = T.cat([x[0], x1], 1)
            out_aux_seg = []
            # ocr
            out_aux = self.aux_head(feats)
            # compute contrast feature
            feats = self.conv3x3_ocr(feats)
            context = self.ocr_gather_head(feats, out_aux)
            feats = self.ocr_distri_head(feats, context)
            out = self.cls_head(feats)
            out_aux_seg.append(out_aux)
            out_aux_seg.append(out)
            return out_aux_seg
    return HighResolutionNetOCR


def ohem_cross_entropy(T, nn, F):
    class OhemCrossEntropy(nn.Module):
        def __init__(self, ignore_label=-1, thres=0.7, min_kept=100000, weight=None):
            super(OhemCrossEntropy, self).__init__()
            self.thresh = thres
            self.min_kept = max(1, min_kept)
            self.ignore_label = ignore_label
            self.criterion = nn.CrossEntropyLoss(weight=weight, ignore_index=ignore_label,
                                                 reduction='none')

        def _ce_forward(self, score, target):
            loss = self.criterion(score, target)
            return loss.mean()

        def _ohem_forward(self, score, target, **kwargs):
            pred = F.softmax(score, dim=1)
            pixel_losses = self.criterion(score, target).contiguous().view(-1)
            mask = target.contiguous().view(-1) != self.ignore_label

            tmp_target = target.clone()
            tmp_target[tmp_target == self.ignore_label] = 0
            pred = pred.gather(1, tmp_target.unsqueeze(1))
            # .sort() in the program: refused here (NumPy's sort gives the values,
            # PyTorch's the pair), so the dim is named
            pred, ind = pred.contiguous().view(-1,)[mask].contiguous().sort(dim=-1)
            min_value = pred[min(self.min_kept, pred.numel() - 1)]
            threshold = max(min_value, self.thresh)

            pixel_losses = pixel_losses[mask][ind]
            pixel_losses = pixel_losses[pred < threshold]
            return pixel_losses.mean()

        def forward(self, score, target):
            weights = BALANCE_WEIGHTS
            assert len(weights) == len(score)
            functions = [self._ce_forward] * (len(weights) - 1) + [self._ohem_forward]
            return sum([w * func(x, target) for (w, x, func) in zip(weights, score, functions)])
    return OhemCrossEntropy


def get_confusion_matrix(label, pred, size, num_class, ignore=-1):
    """Calcute the confusion matrix by given label and pred"""
    output = pred.cpu().numpy().transpose(0, 2, 3, 1)
    seg_pred = np.asarray(np.argmax(output, axis=3), dtype=np.uint8)
    seg_gt = np.asarray(label.cpu().numpy()[:, :size[-2], :size[-1]], dtype=int)
    ignore_index = seg_gt != ignore
    seg_gt = seg_gt[ignore_index]
    seg_pred = seg_pred[ignore_index]
    index = (seg_gt * num_class + seg_pred).astype('int32')
    label_count = np.bincount(index)
    confusion_matrix = np.zeros((num_class, num_class))
    for i_label in range(num_class):
        for i_pred in range(num_class):
            cur_index = i_label * num_class + i_pred
            if cur_index < len(label_count):
                confusion_matrix[i_label, i_pred] = label_count[cur_index]
    return confusion_matrix


def train(T, nn, F, optim, images, masks, scale, min_kept, iterations=3) -> list:
    model = hrnet_ocr(T, nn, F, dropout=0.0)(scale=scale)
    with T.no_grad():
        for k, parameter in enumerate(model.parameters()):
            draw = np.random.default_rng(k).standard_normal(tuple(parameter.shape))
            parameter.copy_(T.tensor(draw * 0.4))
    criterion = ohem_cross_entropy(T, nn, F)(ignore_label=255, thres=0.9, min_kept=min_kept)
    optimizer = optim.SGD([{'params': filter(lambda p: p.requires_grad, model.parameters()),
                            'lr': 0.01}], lr=0.01, momentum=0.9, weight_decay=5e-4,
                          nesterov=False)
    record = []
    model.train()
    for i_iter in range(iterations):
        images_, labels = T.tensor(images), T.tensor(masks).long()
        outputs = model(images_)
        loss = criterion(outputs, labels)
        model.zero_grad()
        loss.backward()
        optimizer.step()
        record += [loss] + [p.grad.clone() for p in model.parameters()]
    model.eval()
    confusion_matrix = np.zeros((3, 3))
    with T.no_grad():
        pred = model(T.tensor(images))[-1]
        confusion_matrix += get_confusion_matrix(T.tensor(masks), pred, masks.shape, 3, 255)
    pos = confusion_matrix.sum(1)
    res = confusion_matrix.sum(0)
    tp = np.diag(confusion_matrix)
    IoU_array = (tp / np.maximum(1.0, pos + res - tp))
    mean_IoU = IoU_array.mean()
    return record + [confusion_matrix, IoU_array, mean_IoU] + list(model.parameters())


@pytest.mark.parametrize("scale, min_kept", [(1, 40), (2, 10_000)])
def test_hrnet_ocr_with_ohem_training(torch, scale, min_kept):
    images, masks = digit_masks(4)
    assert_close(train(*libraries(), images, masks, scale, min_kept),
                 train(*libraries(torch), images, masks, scale, min_kept))
