"""torchvision's DeepLabv3 and its segmentation training reference, ported as their readers
write them, once for a library ``T`` (``autograd`` here, ``torch`` there) and run next to
PyTorch's from the same weights in float64 on scikit-learn's digits turned into masks
(background / faint / strong ink, border pixels ignored as 255).

Here: ``models/segmentation/deeplabv3.py`` (``ASPPConv`` with dilated convolutions,
``ASPPPooling``'s image pooling upsampled by ``F.interpolate(mode="bilinear")``, ``ASPP``'s
``torch.cat`` and projection, ``DeepLabHead``, the ``FCNHead`` aux classifier and
``_SimpleSegmentationModel``'s dict output) on a tiny backbone whose last stage trades its
stride for dilation; ``references/segmentation/train.py`` (``criterion`` with
``ignore_index=255`` and the 0.5 aux weight, parameter groups with a tenfold aux learning
rate, SGD with momentum and weight decay, ``LinearLR`` warm-up then ``PolynomialLR`` by
``SequentialLR``, stepped per iteration, ``evaluate`` under ``torch.inference_mode()``) and
``utils.ConfusionMatrix`` (``torch.bincount`` into an int64 matrix updated in place,
``compute`` in float32 by ``.float()``, ``__str__`` by ``.item()`` and ``.tolist()``).

Lines written differently here, and why: the program's ``nn.Dropout(0.5)`` / ``(0.1)`` take
their rate from an argument the test sets to 0, since the two libraries draw different
random masks; the atrous rates (12, 24, 36) are (1, 2, 3) for 4x4 feature maps.
"""

from collections import OrderedDict

import numpy as np
import pytest

import autograd as ag
import nn
import nn.data
import nn.functional as nn_F

from detection_helpers import assert_close


def libraries(torch=None) -> tuple:
    """(T, nn, F, optim, data) for this library, or PyTorch's when ``torch`` is given."""
    if torch is None:
        return ag, nn, nn_F, nn.optim, nn.data
    return torch, torch.nn, torch.nn.functional, torch.optim, torch.utils.data


def digit_masks(n: int) -> tuple:
    """n digits as float64 images (n, 1, 8, 8) and int64 masks: 0 below 4/16 ink, 1 below
    12/16, else 2; the outer ring of pixels is 255 (ignored)."""
    datasets = pytest.importorskip("sklearn.datasets")
    images, _ = datasets.load_digits(return_X_y=True)
    images = images[:n].reshape(n, 1, 8, 8)
    masks = np.digitize(images[:, 0], [4, 12]).astype(np.int64)
    masks[:, [0, -1], :] = 255
    masks[:, :, [0, -1]] = 255
    return images / 16.0, masks


# ------------------------------------------------------------------ models/segmentation
def deeplabv3_classes(T, nn, F, dropout: float):
    class ASPPConv(nn.Sequential):
        def __init__(self, in_channels, out_channels, dilation):
            modules = [
                nn.Conv2d(in_channels, out_channels, 3, padding=dilation, dilation=dilation,
                          bias=False),
                nn.BatchNorm2d(out_channels),
                nn.ReLU(),
            ]
            super().__init__(*modules)

    class ASPPPooling(nn.Sequential):
        def __init__(self, in_channels, out_channels):
            super().__init__(
                nn.AdaptiveAvgPool2d(1),
                nn.Conv2d(in_channels, out_channels, 1, bias=False),
                nn.BatchNorm2d(out_channels),
                nn.ReLU(),
            )

        def forward(self, x):
            size = x.shape[-2:]
            for mod in self:
                x = mod(x)
            return F.interpolate(x, size=size, mode="bilinear", align_corners=False)

    class ASPP(nn.Module):
        def __init__(self, in_channels, atrous_rates, out_channels=8):
            super().__init__()
            modules = []
            modules.append(nn.Sequential(nn.Conv2d(in_channels, out_channels, 1, bias=False),
                                         nn.BatchNorm2d(out_channels), nn.ReLU()))
            rates = tuple(atrous_rates)
            for rate in rates:
                modules.append(ASPPConv(in_channels, out_channels, rate))
            modules.append(ASPPPooling(in_channels, out_channels))
            self.convs = nn.ModuleList(modules)
            self.project = nn.Sequential(
                nn.Conv2d(len(self.convs) * out_channels, out_channels, 1, bias=False),
                nn.BatchNorm2d(out_channels),
                nn.ReLU(),
                nn.Dropout(dropout),
            )

        def forward(self, x):
            _res = []
            for conv in self.convs:
                _res.append(conv(x))
            res = T.cat(_res, dim=1)
            return self.project(res)

    class DeepLabHead(nn.Sequential):
        def __init__(self, in_channels, num_classes, atrous_rates=(1, 2, 3)):
            super().__init__(
                ASPP(in_channels, atrous_rates),
                nn.Conv2d(8, 8, 3, padding=1, bias=False),
                nn.BatchNorm2d(8),
                nn.ReLU(),
                nn.Conv2d(8, num_classes, 1),
            )

    class FCNHead(nn.Sequential):
        def __init__(self, in_channels, channels):
            inter_channels = in_channels // 4
            layers = [
                nn.Conv2d(in_channels, inter_channels, 3, padding=1, bias=False),
                nn.BatchNorm2d(inter_channels),
                nn.ReLU(),
                nn.Dropout(dropout / 5),
                nn.Conv2d(inter_channels, channels, 1),
            ]
            super().__init__(*layers)

    class Backbone(nn.Module):
        """Two stages, the second dilated instead of strided; returns {"out", "aux"}."""

        def __init__(self):
            super().__init__()
            self.layer3 = nn.Sequential(nn.Conv2d(1, 8, 3, stride=2, padding=1, bias=False),
                                        nn.BatchNorm2d(8), nn.ReLU(inplace=True))
            self.layer4 = nn.Sequential(nn.Conv2d(8, 12, 3, padding=2, dilation=2, bias=False),
                                        nn.BatchNorm2d(12), nn.ReLU(inplace=True))

        def forward(self, x):
            aux = self.layer3(x)
            return OrderedDict([("aux", aux), ("out", self.layer4(aux))])

    class DeepLabV3(nn.Module):
        def __init__(self, backbone, classifier, aux_classifier=None):
            super().__init__()
            self.backbone = backbone
            self.classifier = classifier
            self.aux_classifier = aux_classifier

        def forward(self, x):
            input_shape = x.shape[-2:]
            features = self.backbone(x)
            result = OrderedDict()
            x = features["out"]
            x = self.classifier(x)
            x = F.interpolate(x, size=input_shape, mode="bilinear", align_corners=False)
            result["out"] = x
            if self.aux_classifier is not None:
                x = features["aux"]
                x = self.aux_classifier(x)
                x = F.interpolate(x, size=input_shape, mode="bilinear", align_corners=False)
                result["aux"] = x
            return result

    def deeplabv3(num_classes, aux_loss=True):
        aux_classifier = FCNHead(8, num_classes) if aux_loss else None
        return DeepLabV3(Backbone(), DeepLabHead(12, num_classes), aux_classifier)
    return deeplabv3


# ------------------------------------------------------------------ references/segmentation
def confusion_matrix_class(T):
    class ConfusionMatrix:
        def __init__(self, num_classes):
            self.num_classes = num_classes
            self.mat = None

        def update(self, a, b):
            n = self.num_classes
            if self.mat is None:
                self.mat = T.zeros((n, n), dtype=T.int64, device=a.device)
            with T.inference_mode():
                k = (a >= 0) & (a < n)
                inds = n * a[k].to(T.int64) + b[k]
                self.mat += T.bincount(inds, minlength=n**2).reshape(n, n)

        def reset(self):
            self.mat.zero_()

        def compute(self):
            h = self.mat.float()
            acc_global = T.diag(h).sum() / h.sum()
            acc = T.diag(h) / h.sum(1)
            iu = T.diag(h) / (h.sum(1) + h.sum(0) - T.diag(h))
            return acc_global, acc, iu

        def __str__(self):
            acc_global, acc, iu = self.compute()
            return ("global correct: {:.1f}\naverage row correct: {}\nIoU: {}\nmean IoU: {:.1f}"
                    ).format(acc_global.item() * 100,
                             [f"{i:.1f}" for i in (acc * 100).tolist()],
                             [f"{i:.1f}" for i in (iu * 100).tolist()],
                             iu.mean().item() * 100)
    return ConfusionMatrix


def criterion(F, inputs, target):
    losses = {}
    for name, x in inputs.items():
        losses[name] = F.cross_entropy(x, target, ignore_index=255)
    if len(losses) == 1:
        return losses["out"]
    return losses["out"] + 0.5 * losses["aux"]


def evaluate(T, model, data_loader, num_classes):
    model.eval()
    confmat = confusion_matrix_class(T)(num_classes)
    with T.inference_mode():
        for image, target in data_loader:
            output = model(image)
            output = output["out"]
            confmat.update(target.flatten(), output.argmax(1).flatten())
    return confmat


def train_one_epoch(F, model, optimizer, data_loader, lr_scheduler, record):
    model.train()
    for image, target in data_loader:
        output = model(image)
        loss = criterion(F, output, target)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        lr_scheduler.step()
        record += [loss, optimizer.param_groups[0]["lr"], optimizer.param_groups[2]["lr"]]
        record += [p.grad.clone() for p in model.parameters()]


def copy_weights(T, model) -> None:
    """The same starting weights in both runs (a NumPy generator per parameter)."""
    with T.no_grad():
        for k, parameter in enumerate(model.parameters()):
            draw = np.random.default_rng(k).standard_normal(tuple(parameter.shape))
            parameter.copy_(T.tensor(draw * 0.3))


def run_reference(T, nn, F, optim, data, images, masks, epochs=2, lr=0.02) -> list:
    model = deeplabv3_classes(T, nn, F, dropout=0.0)(num_classes=3, aux_loss=True)
    copy_weights(T, model)
    dataset = data.TensorDataset(T.tensor(images), T.tensor(masks))
    data_loader = data.DataLoader(dataset, batch_size=4, shuffle=False, drop_last=True)
    params_to_optimize = [
        {"params": [p for p in model.backbone.parameters() if p.requires_grad]},
        {"params": [p for p in model.classifier.parameters() if p.requires_grad]},
    ]
    params = [p for p in model.aux_classifier.parameters() if p.requires_grad]
    params_to_optimize.append({"params": params, "lr": lr * 10})
    optimizer = optim.SGD(params_to_optimize, lr=lr, momentum=0.9, weight_decay=1e-4)
    iters_per_epoch = len(data_loader)
    lr_warmup_epochs = 1
    main_lr_scheduler = optim.lr_scheduler.PolynomialLR(
        optimizer, total_iters=iters_per_epoch * (epochs - lr_warmup_epochs), power=0.9)
    warmup_iters = iters_per_epoch * lr_warmup_epochs
    warmup_lr_scheduler = optim.lr_scheduler.LinearLR(
        optimizer, start_factor=0.01, total_iters=warmup_iters)
    lr_scheduler = optim.lr_scheduler.SequentialLR(
        optimizer, schedulers=[warmup_lr_scheduler, main_lr_scheduler],
        milestones=[warmup_iters])
    record = []
    for _ in range(epochs):
        train_one_epoch(F, model, optimizer, data_loader, lr_scheduler, record)
        confmat = evaluate(T, model, data_loader, num_classes=3)
        record += [confmat.mat.clone(), *confmat.compute(), str(confmat)]
    return record + list(model.parameters()) + list(model.buffers())


def test_deeplabv3_training_reference(torch):
    images, masks = digit_masks(12)
    ours, theirs = (run_reference(*libraries(), images, masks),
                    run_reference(*libraries(torch), images, masks))
    strings = [(a, b) for a, b in zip(ours, theirs) if isinstance(a, str)]
    assert strings and all(a == b for a, b in strings)
    numbers = [(a, b) for a, b in zip(ours, theirs) if not isinstance(a, str)]
    # compute() is float32 in both (the program's .float()); the rest is float64
    assert_close(*zip(*numbers), rtol=1e-6)


def test_aspp_pooling_rejects_batch_of_one_in_training(torch):
    """ASPPPooling's BatchNorm sees one value per channel for a batch of one image: PyTorch
    refuses it in training mode and accepts it in eval mode; so does this library."""
    for T, lib, F, *_ in (libraries(), libraries(torch)):
        model = deeplabv3_classes(T, lib, F, dropout=0.0)(num_classes=3)
        with pytest.raises(ValueError, match="value per channel"):
            model(T.zeros((1, 1, 8, 8)))
        model.eval()
        assert tuple(model(T.zeros((1, 1, 8, 8)))["out"].shape) == (1, 3, 8, 8)
