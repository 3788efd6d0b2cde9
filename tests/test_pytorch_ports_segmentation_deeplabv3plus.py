"""VainF's DeepLabV3Plus-Pytorch (``network/_deeplab.py``, ``network/utils.py``,
``utils/scheduler.py``, ``utils/loss.py``, ``metrics/stream_metrics.py``, ``main.py``),
ported as its readers write it, once for a library ``T`` (``autograd`` here, ``torch``
there), run next to PyTorch's from the same weights in float64 on scikit-learn's digits
turned into masks.

Here: ``ASPPPooling(nn.Sequential)`` whose ``forward`` calls
``super(ASPPPooling, self).forward(x)``; ``ASPP`` with ``nn.Dropout``; ``DeepLabHeadV3Plus``
(the 1x1 projection of the low-level features, the ASPP output upsampled to their size by
``F.interpolate`` and concatenated, ``_init_weight`` by ``nn.init.kaiming_normal_`` and
``nn.init.constant_``); ``convert_to_separable_conv`` (rebuilding every 3x3 ``nn.Conv2d``
as an ``AtrousSeparableConvolution`` from its tuple-valued ``kernel_size``, ``stride``,
``padding``, ``dilation`` and its ``bias`` (None), a depthwise ``groups=in_channels``
convolution and a pointwise one, re-attaching children by ``add_module``);
``set_bn_momentum``; the backbone at 0.1x the learning rate in SGD's parameter groups;
``PolyLR`` as an ``_LRScheduler`` subclass (``self.last_epoch``, ``self.base_lrs``, a
``min_lr`` floor); its ``FocalLoss`` (``cross_entropy(reduction='none', ignore_index=255)``,
``torch.exp(-ce_loss)``); ``main.py``'s loop (``loss.detach().cpu().numpy()`` summed into
``interval_loss``) and ``validate`` with ``outputs.detach().max(dim=1)[1].cpu().numpy()``
into ``StreamSegMetrics`` (a NumPy confusion matrix by ``np.bincount``: overall, mean and
frequency-weighted accuracy, mean and per-class IoU).

Lines written differently here, and why: ``images.to(device, dtype=torch.float32)`` is
``dtype=torch.float64``, so that both runs are float64 (PyTorch refuses float32 images in a
float64 network); ``nn.Dropout(0.1)`` takes ``p`` from the test, 0, as the two libraries
draw different masks; ``kaiming_normal_`` draws are replaced by the test's seeded draws
afterwards (the libraries' generators differ).
"""

import numpy as np
import pytest

import autograd as ag
import nn
import nn.functional as nn_F

from detection_helpers import assert_close


def libraries(torch=None) -> tuple:
    """(T, nn, F, optim) for this library, or PyTorch's when ``torch`` is given."""
    if torch is None:
        return ag, nn, nn_F, nn.optim
    return torch, torch.nn, torch.nn.functional, torch.optim


def digit_masks(n: int) -> tuple:
    """n digits as float64 images (n, 1, 8, 8) and int64 masks: 0 below 4/16 ink, 1 below
    12/16, else 2; the left column is 255 (ignored)."""
    datasets = pytest.importorskip("sklearn.datasets")
    images, _ = datasets.load_digits(return_X_y=True)
    images = images[:n].reshape(n, 1, 8, 8)
    masks = np.digitize(images[:, 0], [4, 12]).astype(np.int64)
    masks[:, :, 0] = 255
    return images / 16.0, masks


def deeplab_v3plus(T, nn, F, dropout: float):
    class ASPPConv(nn.Sequential):
        def __init__(self, in_channels, out_channels, dilation):
            modules = [
                nn.Conv2d(in_channels, out_channels, 3, padding=dilation, dilation=dilation,
                          bias=False),
                nn.BatchNorm2d(out_channels),
                nn.ReLU(inplace=True)
            ]
            super(ASPPConv, self).__init__(*modules)

    class ASPPPooling(nn.Sequential):
        def __init__(self, in_channels, out_channels):
            super(ASPPPooling, self).__init__(
                nn.AdaptiveAvgPool2d(1),
                nn.Conv2d(in_channels, out_channels, 1, bias=False),
                nn.BatchNorm2d(out_channels),
                nn.ReLU(inplace=True))

        def forward(self, x):
            size = x.shape[-2:]
            x = super(ASPPPooling, self).forward(x)
            return F.interpolate(x, size=size, mode='bilinear', align_corners=False)

    class ASPP(nn.Module):
        def __init__(self, in_channels, atrous_rates):
            super(ASPP, self).__init__()
            out_channels = 8
            modules = []
            modules.append(nn.Sequential(
                nn.Conv2d(in_channels, out_channels, 1, bias=False),
                nn.BatchNorm2d(out_channels),
                nn.ReLU(inplace=True)))
            rate1, rate2, rate3 = tuple(atrous_rates)
            modules.append(ASPPConv(in_channels, out_channels, rate1))
            modules.append(ASPPConv(in_channels, out_channels, rate2))
            modules.append(ASPPConv(in_channels, out_channels, rate3))
            modules.append(ASPPPooling(in_channels, out_channels))
            self.convs = nn.ModuleList(modules)
            self.project = nn.Sequential(
                nn.Conv2d(5 * out_channels, out_channels, 1, bias=False),
                nn.BatchNorm2d(out_channels),
                nn.ReLU(inplace=True),
                nn.Dropout(dropout),)

        def forward(self, x):
            res = []
            for conv in self.convs:
                res.append(conv(x))
            res = T.cat(res, dim=1)
            return self.project(res)

    class DeepLabHeadV3Plus(nn.Module):
        def __init__(self, in_channels, low_level_channels, num_classes,
                     aspp_dilate=[1, 2, 3]):
            super(DeepLabHeadV3Plus, self).__init__()
            self.project = nn.Sequential(
                nn.Conv2d(low_level_channels, 6, 1, bias=False),
                nn.BatchNorm2d(6),
                nn.ReLU(inplace=True),
            )
            self.aspp = ASPP(in_channels, aspp_dilate)
            self.classifier = nn.Sequential(
                nn.Conv2d(14, 8, 3, padding=1, bias=False),
                nn.BatchNorm2d(8),
                nn.ReLU(inplace=True),
                nn.Conv2d(8, num_classes, 1)
            )
            self._init_weight()

        def forward(self, feature):
            low_level_feature = self.project(feature['low_level'])
            output_feature = self.aspp(feature['out'])
            output_feature = F.interpolate(output_feature, size=low_level_feature.shape[2:],
                                           mode='bilinear', align_corners=False)
            return self.classifier(T.cat([low_level_feature, output_feature], dim=1))

        def _init_weight(self):
            for m in self.modules():
                if isinstance(m, nn.Conv2d):
                    nn.init.kaiming_normal_(m.weight)
                elif isinstance(m, (nn.BatchNorm2d, nn.GroupNorm)):
                    nn.init.constant_(m.weight, 1)
                    nn.init.constant_(m.bias, 0)

    class Backbone(nn.Module):
        """Stands for IntermediateLayerGetter(resnet, {'layer4': 'out', 'layer1': 'low_level'})."""

        def __init__(self):
            super().__init__()
            self.layer1 = nn.Sequential(nn.Conv2d(1, 4, 3, stride=2, padding=1, bias=False),
                                        nn.BatchNorm2d(4), nn.ReLU(inplace=True))
            self.layer4 = nn.Sequential(nn.Conv2d(4, 8, 3, stride=2, padding=1, bias=False),
                                        nn.BatchNorm2d(8), nn.ReLU(inplace=True))

        def forward(self, x):
            low_level = self.layer1(x)
            return {'low_level': low_level, 'out': self.layer4(low_level)}

    class DeepLabV3(nn.Module):
        def __init__(self, backbone, classifier):
            super(DeepLabV3, self).__init__()
            self.backbone = backbone
            self.classifier = classifier

        def forward(self, x):
            input_shape = x.shape[-2:]
            features = self.backbone(x)
            x = self.classifier(features)
            x = F.interpolate(x, size=input_shape, mode='bilinear', align_corners=False)
            return x

    class AtrousSeparableConvolution(nn.Module):
        def __init__(self, in_channels, out_channels, kernel_size,
                     stride=1, padding=0, dilation=1, bias=True):
            super(AtrousSeparableConvolution, self).__init__()
            self.body = nn.Sequential(
                nn.Conv2d(in_channels, in_channels, kernel_size=kernel_size, stride=stride,
                          padding=padding, dilation=dilation, bias=bias, groups=in_channels),
                nn.Conv2d(in_channels, out_channels, kernel_size=1, stride=1, padding=0,
                          bias=bias),
            )

        def forward(self, x):
            return self.body(x)

    def convert_to_separable_conv(module):
        new_module = module
        if isinstance(module, nn.Conv2d) and module.kernel_size[0] > 1:
            new_module = AtrousSeparableConvolution(module.in_channels, module.out_channels,
                                                    module.kernel_size, module.stride,
                                                    module.padding, module.dilation,
                                                    module.bias)
        for name, child in module.named_children():
            new_module.add_module(name, convert_to_separable_conv(child))
        return new_module

    def deeplabv3plus(num_classes, separable_conv=True):
        model = DeepLabV3(Backbone(), DeepLabHeadV3Plus(8, 4, num_classes))
        if separable_conv:
            convert_to_separable_conv(model.classifier)
        return model
    return deeplabv3plus


def set_bn_momentum(nn, model, momentum=0.1):
    for m in model.modules():
        if isinstance(m, nn.BatchNorm2d):
            m.momentum = momentum


def poly_lr_class(_LRScheduler):
    class PolyLR(_LRScheduler):
        def __init__(self, optimizer, max_iters, power=0.9, last_epoch=-1, min_lr=1e-6):
            self.power = power
            self.max_iters = max_iters  # avoid zero lr
            self.min_lr = min_lr
            super(PolyLR, self).__init__(optimizer, last_epoch)

        def get_lr(self):
            return [max(base_lr * (1 - self.last_epoch / self.max_iters) ** self.power,
                        self.min_lr) for base_lr in self.base_lrs]
    return PolyLR


def focal_loss_class(T, nn, F):
    class FocalLoss(nn.Module):
        def __init__(self, alpha=1, gamma=0, size_average=True, ignore_index=255):
            super(FocalLoss, self).__init__()
            self.alpha = alpha
            self.gamma = gamma
            self.ignore_index = ignore_index
            self.size_average = size_average

        def forward(self, inputs, targets):
            ce_loss = F.cross_entropy(inputs, targets, reduction='none',
                                      ignore_index=self.ignore_index)
            pt = T.exp(-ce_loss)
            focal_loss = self.alpha * (1 - pt) ** self.gamma * ce_loss
            if self.size_average:
                return focal_loss.mean()
            else:
                return focal_loss.sum()
    return FocalLoss


class StreamSegMetrics(object):
    """Stream Metrics for Semantic Segmentation Task"""

    def __init__(self, n_classes):
        self.n_classes = n_classes
        self.confusion_matrix = np.zeros((n_classes, n_classes))

    def update(self, label_trues, label_preds):
        for lt, lp in zip(label_trues, label_preds):
            self.confusion_matrix += self._fast_hist(lt.flatten(), lp.flatten())

    def _fast_hist(self, label_true, label_pred):
        mask = (label_true >= 0) & (label_true < self.n_classes)
        hist = np.bincount(
            self.n_classes * label_true[mask].astype(int) + label_pred[mask],
            minlength=self.n_classes ** 2,
        ).reshape(self.n_classes, self.n_classes)
        return hist

    def get_results(self):
        hist = self.confusion_matrix
        acc = np.diag(hist).sum() / hist.sum()
        acc_cls = np.diag(hist) / hist.sum(axis=1)
        acc_cls = np.nanmean(acc_cls)
        iu = np.diag(hist) / (hist.sum(axis=1) + hist.sum(axis=0) - np.diag(hist))
        mean_iu = np.nanmean(iu)
        freq = hist.sum(axis=1) / hist.sum()
        fwavacc = (freq[freq > 0] * iu[freq > 0]).sum()
        cls_iu = dict(zip(range(self.n_classes), iu))
        return {"Overall Acc": acc, "Mean Acc": acc_cls, "FreqW Acc": fwavacc,
                "Mean IoU": mean_iu, "Class IoU": cls_iu}


def main(T, nn, F, optim, images, masks, loss_type, total_itrs=4, lr=0.01) -> list:
    model = deeplab_v3plus(T, nn, F, dropout=0.0)(num_classes=3, separable_conv=True)
    with T.no_grad():  # the same draws in both runs, in place of kaiming_normal_'s
        for k, parameter in enumerate(model.parameters()):
            draw = np.random.default_rng(k).standard_normal(tuple(parameter.shape))
            parameter.copy_(T.tensor(draw * 0.4))
    set_bn_momentum(nn, model.backbone, momentum=0.01)
    optimizer = optim.SGD(params=[
        {'params': model.backbone.parameters(), 'lr': 0.1 * lr},
        {'params': model.classifier.parameters(), 'lr': lr},
    ], lr=lr, momentum=0.9, weight_decay=1e-4)
    scheduler = poly_lr_class(optim.lr_scheduler._LRScheduler)(optimizer, total_itrs,
                                                               power=0.9)
    if loss_type == 'focal_loss':
        criterion = focal_loss_class(T, nn, F)(ignore_index=255, size_average=True, gamma=2)
    elif loss_type == 'cross_entropy':
        criterion = nn.CrossEntropyLoss(ignore_index=255, reduction='mean')
    record, interval_loss, cur_itrs = [], 0, 0
    model.train()
    while cur_itrs < total_itrs:
        for i in range(0, len(images), 3):
            cur_itrs += 1
            images_ = T.tensor(images[i:i + 3]).to('cpu', dtype=T.float64)
            labels = T.tensor(masks[i:i + 3]).to('cpu', dtype=T.long)
            optimizer.zero_grad()
            outputs = model(images_)
            loss = criterion(outputs, labels)
            loss.backward()
            optimizer.step()
            np_loss = loss.detach().cpu().numpy()
            interval_loss += np_loss
            scheduler.step()
            record += [loss, scheduler.get_last_lr()]
            record += [p.grad.clone() for p in model.parameters()]
            if cur_itrs >= total_itrs:
                break
    metrics = StreamSegMetrics(3)
    model.eval()
    with T.no_grad():
        outputs = model(T.tensor(images))
        preds = outputs.detach().max(dim=1)[1].cpu().numpy()
        targets = T.tensor(masks).cpu().numpy()
        metrics.update(targets, preds)
    score = metrics.get_results()
    record += [interval_loss, preds] + [v for k, v in score.items() if k != "Class IoU"]
    record += list(score["Class IoU"].values())
    return record + list(model.parameters()) + list(model.buffers())


@pytest.mark.parametrize("loss_type", ["focal_loss", "cross_entropy"])
def test_deeplabv3plus_training(torch, loss_type):
    images, masks = digit_masks(6)
    assert_close(main(*libraries(), images, masks, loss_type),
                 main(*libraries(torch), images, masks, loss_type))


def test_separable_conversion_keeps_structure(torch):
    """Every 3x3 convolution of the head becomes a depthwise + pointwise pair in both."""
    names = []
    for T, lib, F, _ in (libraries(), libraries(torch)):
        model = deeplab_v3plus(T, lib, F, dropout=0.0)(num_classes=3)
        names.append([(name, type(m).__name__) for name, m in model.named_modules()])
        depthwise = [m for m in model.modules()
                     if isinstance(m, lib.Conv2d) and m.groups > 1]
        assert [m.kernel_size for m in depthwise] == [(3, 3)] * 4
        assert [m.dilation for m in depthwise] == [(1, 1), (2, 2), (3, 3), (1, 1)]
    assert names[0] == names[1]
