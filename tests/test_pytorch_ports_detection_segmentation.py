"""Dense-prediction losses and small segmentation nets as people write them in plain
PyTorch, ported as their readers write them, each written once for a library ``T``
(``autograd`` here, ``torch`` there) with its ``nn``, ``F`` and ``optim``, and run next to
PyTorch's from the same weights on generated images and masks (float64): losses,
gradients and parameters agree to 1e-10.

Here: torchvision's ``sigmoid_focal_loss`` (RetinaNet) as written in its source, DETR's
``dice_loss`` on masks, the multi-class soft Dice and Tversky losses of the
"kornia-style" gists (one-hot by ``torch.eye(C)[labels]`` and by ``F.one_hot``), and two
training runs: milesial's Pytorch-UNet (``DoubleConv``/``Down``/``Up``/``OutConv``, both
the transposed-convolution and the bilinear ``nn.Upsample`` variants, with its
``F.pad`` of the skip and ``torch.cat``) and a tiny FCN head upsampled by
``F.interpolate(size=...)``, trained with ``cross_entropy(ignore_index=)`` and SGD
momentum; torchvision's segmentation models' ``IntermediateLayerGetter`` (an
``nn.ModuleDict`` subclass over a backbone's children) with the "out" and "aux" heads of
its training reference (``losses["out"] + 0.5 * losses["aux"]``); Berman's Lovasz hinge
loss (``lovasz_grad`` with its in-place slice update).

Lines written differently here, and why: the Lovasz code's ``gt_sorted.float()`` is
``.double()``: PyTorch computes ``gts - cumsum`` (a 0-d int64 tensor minus a float32 one)
in float32 and then refuses ``torch.dot`` of float64 and float32, while NumPy's promotion
here gives float64; with ``.double()`` both runs are float64.
"""

from collections import OrderedDict

import numpy as np

import autograd as ag
import nn
import nn.functional as nn_F

from detection_helpers import assert_close


def libraries(torch=None) -> tuple:
    """(T, nn, F, optim) for this library, or PyTorch's when ``torch`` is given."""
    if torch is None:
        return ag, nn, nn_F, nn.optim
    return torch, torch.nn, torch.nn.functional, torch.optim


# ------------------------------------------------------------------ losses
def sigmoid_focal_loss(T, F, inputs, targets, alpha=0.25, gamma=2, reduction="none"):
    p = T.sigmoid(inputs)
    ce_loss = F.binary_cross_entropy_with_logits(inputs, targets, reduction="none")
    p_t = p * targets + (1 - p) * (1 - targets)
    loss = ce_loss * ((1 - p_t) ** gamma)
    if alpha >= 0:
        alpha_t = alpha * targets + (1 - alpha) * (1 - targets)
        loss = alpha_t * loss
    if reduction == "mean":
        loss = loss.mean()
    elif reduction == "sum":
        loss = loss.sum()
    return loss


def dice_loss(inputs, targets, num_boxes):
    inputs = inputs.sigmoid()
    inputs = inputs.flatten(1)
    targets = targets.flatten(1)
    numerator = 2 * (inputs * targets).sum(1)
    denominator = inputs.sum(-1) + targets.sum(-1)
    loss = 1 - (numerator + 1) / (denominator + 1)
    return loss.sum() / num_boxes


def tversky_loss(T, F, logits, true, alpha=0.3, beta=0.7, eps=1e-7):
    num_classes = logits.shape[1]
    true_1_hot = T.eye(num_classes)[true.squeeze(1)]
    true_1_hot = true_1_hot.permute(0, 3, 1, 2).float()
    true_1_hot = true_1_hot.type(logits.type())
    probas = F.softmax(logits, dim=1)
    dims = (0,) + tuple(range(2, true.ndimension()))
    intersection = T.sum(probas * true_1_hot, dims)
    fps = T.sum(probas * (1 - true_1_hot), dims)
    fns = T.sum((1 - probas) * true_1_hot, dims)
    num = intersection
    denom = intersection + (alpha * fps) + (beta * fns)
    tversky = (num / (denom + eps)).mean()
    return (1 - tversky)


def soft_dice_loss(T, F, logits, true, eps=1e-7):
    num_classes = logits.shape[1]
    true_1_hot = F.one_hot(true.squeeze(1), num_classes).permute(0, 3, 1, 2).to(logits.dtype)
    probas = F.softmax(logits, dim=1)
    dims = (0,) + tuple(range(2, true.ndimension()))
    intersection = T.sum(probas * true_1_hot, dims)
    cardinality = T.sum(probas + true_1_hot, dims)
    dice = (2. * intersection / (cardinality + eps)).mean()
    return 1 - dice


def lovasz_grad(gt_sorted):
    p = len(gt_sorted)
    gts = gt_sorted.sum()
    intersection = gts - gt_sorted.double().cumsum(0)  # Berman: .float()
    union = gts + (1 - gt_sorted).double().cumsum(0)
    jaccard = 1. - intersection / union
    if p > 1:  # cover 1-pixel case
        jaccard[1:p] = jaccard[1:p] - jaccard[0:-1]
    return jaccard


def lovasz_hinge_flat(T, F, logits, labels):
    if len(labels) == 0:
        return logits.sum() * 0.
    signs = 2. * labels.double() - 1.  # Berman: .float()
    errors = (1. - logits * signs)
    errors_sorted, perm = T.sort(errors, dim=0, descending=True)
    gt_sorted = labels[perm]
    grad = lovasz_grad(gt_sorted)
    return T.dot(F.relu(errors_sorted), grad)


def test_focal_dice_tversky_losses(torch):
    rng = np.random.default_rng(0)
    logits_np = rng.standard_normal((2, 3, 6, 6)) * 2
    masks_np = (rng.uniform(size=(2, 3, 6, 6)) > 0.7).astype(np.float64)
    labels_np = rng.integers(0, 3, (2, 1, 6, 6))
    runs = []
    for T, _, F, _ in (libraries(), libraries(torch)):
        logits = T.tensor(logits_np, requires_grad=True)
        masks, labels = T.tensor(masks_np), T.tensor(labels_np)
        losses = [sigmoid_focal_loss(T, F, logits, masks, reduction="mean"),
                  sigmoid_focal_loss(T, F, logits, masks, alpha=-1, gamma=0).sum(),
                  dice_loss(logits, masks, 3),
                  tversky_loss(T, F, logits, labels),
                  soft_dice_loss(T, F, logits, labels),
                  lovasz_hinge_flat(T, F, logits[:, 0].flatten(),
                                    (masks[:, 0] > 0).long().flatten()),
                  lovasz_hinge_flat(T, F, logits[:0, 0].flatten(),
                                    masks[:0, 0].long().flatten())]
        sum(losses).backward()
        runs.append(losses + [logits.grad])
    assert_close(*runs)


# ------------------------------------------------------------------ U-Net and FCN
def segmentation_nets(T, nn, F):
    """milesial's U-Net (smaller) and a two-convolution FCN, for library ``T``."""
    class DoubleConv(nn.Module):
        def __init__(self, in_channels, out_channels, mid_channels=None):
            super().__init__()
            if not mid_channels:
                mid_channels = out_channels
            self.double_conv = nn.Sequential(
                nn.Conv2d(in_channels, mid_channels, kernel_size=3, padding=1, bias=False),
                nn.BatchNorm2d(mid_channels),
                nn.ReLU(inplace=True),
                nn.Conv2d(mid_channels, out_channels, kernel_size=3, padding=1, bias=False),
                nn.BatchNorm2d(out_channels),
                nn.ReLU(inplace=True))

        def forward(self, x):
            return self.double_conv(x)

    class Down(nn.Module):
        def __init__(self, in_channels, out_channels):
            super().__init__()
            self.maxpool_conv = nn.Sequential(nn.MaxPool2d(2),
                                              DoubleConv(in_channels, out_channels))

        def forward(self, x):
            return self.maxpool_conv(x)

    class Up(nn.Module):
        def __init__(self, in_channels, out_channels, bilinear=True):
            super().__init__()
            if bilinear:
                self.up = nn.Upsample(scale_factor=2, mode='bilinear', align_corners=True)
                self.conv = DoubleConv(in_channels, out_channels, in_channels // 2)
            else:
                self.up = nn.ConvTranspose2d(in_channels, in_channels // 2, kernel_size=2,
                                             stride=2)
                self.conv = DoubleConv(in_channels, out_channels)

        def forward(self, x1, x2):
            x1 = self.up(x1)
            diffY = x2.size()[2] - x1.size()[2]
            diffX = x2.size()[3] - x1.size()[3]
            x1 = F.pad(x1, [diffX // 2, diffX - diffX // 2, diffY // 2, diffY - diffY // 2])
            x = T.cat([x2, x1], dim=1)
            return self.conv(x)

    class UNet(nn.Module):
        def __init__(self, n_channels, n_classes, bilinear=False):
            super().__init__()
            self.inc = DoubleConv(n_channels, 4)
            self.down1 = Down(4, 8)
            factor = 2 if bilinear else 1
            self.down2 = Down(8, 16 // factor)
            self.up1 = Up(16, 8 // factor, bilinear)
            self.up2 = Up(8, 4, bilinear)
            self.outc = nn.Conv2d(4, n_classes, kernel_size=1)

        def forward(self, x):
            x1 = self.inc(x)
            x2 = self.down1(x1)
            x3 = self.down2(x2)
            x = self.up1(x3, x2)
            x = self.up2(x, x1)
            return self.outc(x)

    class FCN(nn.Module):
        def __init__(self, num_classes):
            super().__init__()
            self.backbone = nn.Sequential(nn.Conv2d(1, 4, 3, stride=2, padding=1), nn.ReLU(),
                                          nn.Conv2d(4, 6, 3, stride=2, padding=1), nn.ReLU())
            self.classifier = nn.Conv2d(6, num_classes, 1)

        def forward(self, x):
            input_shape = x.shape[-2:]
            x = self.classifier(self.backbone(x))
            return F.interpolate(x, size=input_shape, mode="bilinear", align_corners=False)
    return UNet, FCN


def copy_weights(T, model) -> None:
    """The same starting weights in both runs (a NumPy generator per parameter)."""
    with T.no_grad():
        for k, parameter in enumerate(model.parameters()):
            draw = np.random.default_rng(k).standard_normal(tuple(parameter.shape))
            parameter.copy_(T.tensor(draw * 0.3))


def train_segmentation(T, nn, F, optim, images, masks, make_model) -> list:
    model = make_model()
    copy_weights(T, model)
    optimizer = optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    record = []
    for _ in range(2):
        optimizer.zero_grad()
        logits = model(T.tensor(images))
        loss = F.cross_entropy(logits, T.tensor(masks), ignore_index=2)
        loss.backward()
        optimizer.step()
        record += [loss] + [p.grad.clone() for p in model.parameters()]
    model.eval()
    with T.no_grad():
        record.append(model(T.tensor(images)).argmax(1))
    return record + list(model.parameters()) + list(model.buffers())


def test_unet_and_fcn_training(torch):
    rng = np.random.default_rng(1)
    images, masks = rng.standard_normal((2, 1, 10, 10)), rng.integers(0, 3, (2, 10, 10))
    for variant in ("transposed", "bilinear", "fcn"):
        runs = []
        for T, lib, F, optim in (libraries(), libraries(torch)):
            UNet, FCN = segmentation_nets(T, lib, F)
            make_model = {"transposed": lambda: UNet(1, 3, bilinear=False),
                          "bilinear": lambda: UNet(1, 3, bilinear=True),
                          "fcn": lambda: FCN(3)}[variant]
            runs.append(train_segmentation(T, lib, F, optim, images, masks, make_model))
        assert_close(*runs)


# ------------------------------------------------------------------ torchvision's segmentation
def intermediate_layer_getter_class(nn):
    class IntermediateLayerGetter(nn.ModuleDict):
        def __init__(self, model, return_layers):
            if not set(return_layers).issubset([name for name, _ in model.named_children()]):
                raise ValueError("return_layers are not present in model")
            orig_return_layers = return_layers
            return_layers = {str(k): str(v) for k, v in return_layers.items()}
            layers = OrderedDict()
            for name, module in model.named_children():
                layers[name] = module
                if name in return_layers:
                    del return_layers[name]
                if not return_layers:
                    break
            super().__init__(layers)
            self.return_layers = orig_return_layers

        def forward(self, x):
            out = OrderedDict()
            for name, module in self.items():
                x = module(x)
                if name in self.return_layers:
                    out[self.return_layers[name]] = x
            return out
    return IntermediateLayerGetter


def test_intermediate_layer_getter_with_aux_loss(torch):
    images, masks = np.random.default_rng(9).standard_normal((2, 1, 8, 8)), \
        np.random.default_rng(2).integers(0, 3, (2, 8, 8))
    runs = []
    for T, lib, F, optim in (libraries(), libraries(torch)):
        nn = lib  # noqa: F402 (the program's name for its library's nn)
        backbone = nn.Sequential(OrderedDict([
            ("stem", nn.Conv2d(1, 4, 3, padding=1)),
            ("layer1", nn.Sequential(nn.MaxPool2d(2), nn.Conv2d(4, 6, 3, padding=1), nn.ReLU())),
            ("layer2", nn.Sequential(nn.MaxPool2d(2), nn.Conv2d(6, 8, 3, padding=1), nn.ReLU())),
            ("fc", nn.Linear(8, 2))]))
        body = intermediate_layer_getter_class(nn)(backbone, {"layer2": "out", "layer1": "aux"})
        heads = nn.ModuleDict({"out": nn.Conv2d(8, 3, 1), "aux": nn.Conv2d(6, 3, 1)})
        model = nn.ModuleList([body, heads])
        copy_weights(T, model)
        optimizer = optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
        record = [list(body.keys())]
        for _ in range(2):
            x = T.tensor(images)
            features = body(x)
            result = OrderedDict()
            for name in ("out", "aux"):
                result[name] = F.interpolate(heads[name](features[name]), size=x.shape[-2:],
                                             mode="bilinear", align_corners=False)
            losses = {name: F.cross_entropy(v, T.tensor(masks), ignore_index=255)
                      for name, v in result.items()}
            loss = losses["out"] + 0.5 * losses["aux"]
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            record += [loss] + [p.grad.clone() for p in model.parameters()]
        runs.append(record + list(model.parameters()))
    assert runs[0][0] == runs[1][0] == ["stem", "layer1", "layer2"]
    assert_close(runs[0][1:], runs[1][1:])
