"""hszhao's semseg PSPNet (``model/pspnet.py``) and its training loop (``tool/train.py``,
``util/util.py``), ported as their readers write them, once for a library ``T``
(``autograd`` here, ``torch`` there), run next to PyTorch's from the same weights in
float64 on scikit-learn's digits padded to 9x9 and turned into masks.

Here: the pyramid pooling module ``PPM`` (its ``self.features = []`` list later replaced by
an ``nn.ModuleList``; ``nn.AdaptiveAvgPool2d(bin)`` for bins 1, 2, 3, 6 on a 3x3 map, so
bins overlap and bin 6 upsamples; each branch brought back by
``F.interpolate(..., align_corners=True)``), ``PSPNet.forward``'s ``(x_size[2] - 1) % 8``
check and zoom-factor size, the aux head built only ``if self.training``, the training
return ``x.max(1)[1], main_loss, aux_loss``; ``nn.CrossEntropyLoss(ignore_index=255)`` as a
default argument; SGD over ``dict(params=module.parameters(), lr=...)`` groups (generators),
``poly_learning_rate`` written into ``param_groups[index]['lr']`` with a tenfold rate for the
new modules; ``intersectionAndUnionGPU`` (in-place masking of the prediction, ``torch.histc``)
and ``AverageMeter`` over ``.cpu().numpy()`` arrays giving mIoU / mAcc / allAcc.

Lines written differently here, and why: ``Dropout2d(p=dropout)`` gets ``dropout=0`` from
the test (the two libraries draw different masks); ``x.max(1)[1]`` is ``x.max(dim=1)[1]``
(positional ``max(1)`` is refused here: NumPy's gives the values, PyTorch's the pair);
``intersectionAndUnionGPU`` calls ``torch.histc`` on ``.double()`` copies because PyTorch's
CPU ``histc`` refuses int64 (its CUDA one accepts it), and so does this library.
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


def padded_digit_masks(n: int) -> tuple:
    """n digits as float64 images (n, 1, 9, 9) (a zero row and column appended) and int64
    masks: 0 below 4/16 ink, 1 below 12/16, else 2; the appended pixels are 255."""
    datasets = pytest.importorskip("sklearn.datasets")
    images, _ = datasets.load_digits(return_X_y=True)
    images = np.pad(images[:n].reshape(n, 1, 8, 8), ((0, 0), (0, 0), (0, 1), (0, 1)))
    masks = np.digitize(images[:, 0], [4, 12]).astype(np.int64)
    masks[:, -1, :] = 255
    masks[:, :, -1] = 255
    return images / 16.0, masks


# ------------------------------------------------------------------ model/pspnet.py
def pspnet_classes(T, nn, F):
    class PPM(nn.Module):
        def __init__(self, in_dim, reduction_dim, bins):
            super(PPM, self).__init__()
            self.features = []
            for bin in bins:
                self.features.append(nn.Sequential(
                    nn.AdaptiveAvgPool2d(bin),
                    nn.Conv2d(in_dim, reduction_dim, kernel_size=1, bias=False),
                    nn.BatchNorm2d(reduction_dim),
                    nn.ReLU(inplace=True)
                ))
            self.features = nn.ModuleList(self.features)

        def forward(self, x):
            x_size = x.size()
            out = [x]
            for f in self.features:
                out.append(F.interpolate(f(x), x_size[2:], mode='bilinear', align_corners=True))
            return T.cat(out, 1)

    class PSPNet(nn.Module):
        """The ResNet backbone is five small stages, the last two dilated (output stride 4
        instead of 8, so zoom_factor 8 still gives the input size)."""

        def __init__(self, bins=(1, 2, 3, 6), dropout=0.1, classes=2, zoom_factor=8,
                     use_ppm=True, criterion=nn.CrossEntropyLoss(ignore_index=255)):
            super(PSPNet, self).__init__()
            assert 2048 % len(bins) == 0
            assert classes > 1
            assert zoom_factor in [1, 2, 4, 8]
            self.zoom_factor = zoom_factor
            self.use_ppm = use_ppm
            self.criterion = criterion

            def stage(cin, cout, stride=1, dilation=1):
                return nn.Sequential(nn.Conv2d(cin, cout, 3, stride, padding=dilation,
                                               dilation=dilation, bias=False),
                                     nn.BatchNorm2d(cout), nn.ReLU(inplace=True))
            self.layer0 = stage(1, 4, stride=2)
            self.layer1, self.layer2 = stage(4, 4, stride=2), stage(4, 6)
            self.layer3, self.layer4 = stage(6, 8, dilation=2), stage(8, 8, dilation=4)

            fea_dim = 8
            if use_ppm:
                self.ppm = PPM(fea_dim, int(fea_dim / len(bins)), bins)
                fea_dim *= 2
            self.cls = nn.Sequential(
                nn.Conv2d(fea_dim, 6, kernel_size=3, padding=1, bias=False),
                nn.BatchNorm2d(6),
                nn.ReLU(inplace=True),
                nn.Dropout2d(p=dropout),
                nn.Conv2d(6, classes, kernel_size=1)
            )
            if self.training:
                self.aux = nn.Sequential(
                    nn.Conv2d(8, 4, kernel_size=3, padding=1, bias=False),
                    nn.BatchNorm2d(4),
                    nn.ReLU(inplace=True),
                    nn.Dropout2d(p=dropout),
                    nn.Conv2d(4, classes, kernel_size=1)
                )

        def forward(self, x, y=None):
            x_size = x.size()
            assert (x_size[2] - 1) % 8 == 0 and (x_size[3] - 1) % 8 == 0
            h = int((x_size[2] - 1) / 8 * self.zoom_factor + 1)
            w = int((x_size[3] - 1) / 8 * self.zoom_factor + 1)

            x = self.layer0(x)
            x = self.layer1(x)
            x = self.layer2(x)
            x_tmp = self.layer3(x)
            x = self.layer4(x_tmp)
            if self.use_ppm:
                x = self.ppm(x)
            x = self.cls(x)
            if self.zoom_factor != 1:
                x = F.interpolate(x, size=(h, w), mode='bilinear', align_corners=True)

            if self.training:
                aux = self.aux(x_tmp)
                if self.zoom_factor != 1:
                    aux = F.interpolate(aux, size=(h, w), mode='bilinear', align_corners=True)
                main_loss = self.criterion(x, y)
                aux_loss = self.criterion(aux, y)
                # x.max(1)[1] in the program: positional x.max(1) is refused here (NumPy's
                # max(1) is the values, PyTorch's the pair), so the dim is named
                return x.max(dim=1)[1], main_loss, aux_loss
            else:
                return x
    return PSPNet


# ------------------------------------------------------------------ util/util.py
class AverageMeter(object):
    """Computes and stores the average and current value"""

    def __init__(self):
        self.reset()

    def reset(self):
        self.val = 0
        self.avg = 0
        self.sum = 0
        self.count = 0

    def update(self, val, n=1):
        self.val = val
        self.sum += val * n
        self.count += n
        self.avg = self.sum / self.count


def poly_learning_rate(base_lr, curr_iter, max_iter, power=0.9):
    """poly learning rate policy"""
    lr = base_lr * (1 - float(curr_iter) / max_iter) ** power
    return lr


def intersectionAndUnionGPU(T, output, target, K, ignore_index=255):
    assert (output.dim() in [1, 2, 3])
    assert output.shape == target.shape
    output = output.view(-1)
    target = target.view(-1)
    output[target == ignore_index] = ignore_index
    intersection = output[output == target]
    area_intersection = T.histc(intersection.double(), bins=K, min=0, max=K - 1)
    area_output = T.histc(output.double(), bins=K, min=0, max=K - 1)
    area_target = T.histc(target.double(), bins=K, min=0, max=K - 1)
    area_union = area_output + area_target - area_intersection
    return area_intersection, area_union, area_target


# ------------------------------------------------------------------ tool/train.py
def train(T, nn, F, optim, images, masks, epochs=2, base_lr=0.01, batch_size=4) -> list:
    model = pspnet_classes(T, nn, F)(classes=3, dropout=0.0, zoom_factor=8,
                                     criterion=nn.CrossEntropyLoss(ignore_index=255))
    with T.no_grad():
        for k, parameter in enumerate(model.parameters()):
            draw = np.random.default_rng(k).standard_normal(tuple(parameter.shape))
            parameter.copy_(T.tensor(draw * 0.3))
    modules_ori = [model.layer0, model.layer1, model.layer2, model.layer3, model.layer4]
    modules_new = [model.ppm, model.cls, model.aux]
    params_list = []
    for module in modules_ori:
        params_list.append(dict(params=module.parameters(), lr=base_lr))
    for module in modules_new:
        params_list.append(dict(params=module.parameters(), lr=base_lr * 10))
    index_split = 5
    optimizer = optim.SGD(params_list, lr=base_lr, momentum=0.9, weight_decay=1e-4)
    record = []
    n_batches = len(images) // batch_size
    max_iter = epochs * n_batches
    for epoch in range(epochs):
        intersection_meter, union_meter = AverageMeter(), AverageMeter()
        target_meter = AverageMeter()
        model.train()
        for i in range(n_batches):
            input = T.tensor(images[i * batch_size:(i + 1) * batch_size])
            target = T.tensor(masks[i * batch_size:(i + 1) * batch_size])
            output, main_loss, aux_loss = model(input, target)
            main_loss, aux_loss = T.mean(main_loss), T.mean(aux_loss)
            loss = main_loss + 0.4 * aux_loss
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            record += [loss, output.clone()] + [p.grad.clone() for p in model.parameters()]

            intersection, union, target = intersectionAndUnionGPU(T, output, target, 3, 255)
            intersection, union, target = (intersection.cpu().numpy(), union.cpu().numpy(),
                                           target.cpu().numpy())
            intersection_meter.update(intersection), union_meter.update(union)
            target_meter.update(target)
            accuracy = sum(intersection_meter.val) / (sum(target_meter.val) + 1e-10)
            current_iter = epoch * n_batches + i + 1
            current_lr = poly_learning_rate(base_lr, current_iter, max_iter, power=0.9)
            for index in range(0, index_split):
                optimizer.param_groups[index]['lr'] = current_lr
            for index in range(index_split, len(optimizer.param_groups)):
                optimizer.param_groups[index]['lr'] = current_lr * 10
            record += [output, accuracy]
        iou_class = intersection_meter.sum / (union_meter.sum + 1e-10)
        accuracy_class = intersection_meter.sum / (target_meter.sum + 1e-10)
        mIoU = np.mean(iou_class)
        mAcc = np.mean(accuracy_class)
        allAcc = sum(intersection_meter.sum) / (sum(target_meter.sum) + 1e-10)
        record += [iou_class, mIoU, mAcc, allAcc]
    model.eval()
    with T.no_grad():
        record.append(model(T.tensor(images)))
    return record + list(model.parameters()) + list(model.buffers())


def test_pspnet_training(torch):
    images, masks = padded_digit_masks(8)
    assert_close(train(*libraries(), images, masks), train(*libraries(torch), images, masks))


def test_ppm_features_list_becomes_module_list(torch):
    """PPM assigns a plain list to ``self.features`` and then an ``nn.ModuleList``: both
    libraries register the branches (state_dict keys and parameter count agree)."""
    keys = []
    for T, lib, F, _ in (libraries(), libraries(torch)):
        model = pspnet_classes(T, lib, F)(classes=3)
        keys.append((list(model.ppm.state_dict()), len(list(model.parameters())),
                     hasattr(model, "aux")))
        model.eval()
        assert tuple(model(T.zeros((2, 1, 9, 9))).shape) == (2, 3, 9, 9)
    assert keys[0] == keys[1]
