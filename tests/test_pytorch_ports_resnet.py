"""A small ResNet as torchvision's ``torchvision/models/resnet.py`` and the CIFAR training
scripts write it, ported as their readers write it: ``conv3x3``/``conv1x1`` helpers
(``bias=False``), ``BasicBlock`` with ``ReLU(inplace=True)``, ``out += identity`` and the
``downsample`` ``nn.Sequential`` shortcut, ``_make_layer``, ``AdaptiveAvgPool2d((1, 1))``,
``torch.flatten(x, 1)``, the ``self.modules()`` init loop (``kaiming_normal_`` with
``mode="fan_out"``, ``constant_`` on the norms) and ``zero_init_residual``; trained with
``SGD(momentum=0.9, nesterov=True, weight_decay=5e-4)`` and ``CosineAnnealingLR`` or
``MultiStepLR``, the CIFAR script's random crop (``padding=2``) and horizontal flip,
``outputs.max(1)`` / ``predicted.eq(targets).sum().item()``, then ``model.eval()`` under
``torch.no_grad()`` and the checkpoint round trip (``state_dict()``, save, load,
``load_state_dict``) of a network wrapped in ``nn.DataParallel`` (its ``module.`` keys
stripped on loading; ``nn.DataParallel`` was missing: fixed). Written once for a library
``torch`` (``autograd`` here), it runs step for step next to PyTorch (float64) on
scikit-learn's 8x8 digits upsampled to 16x16: losses, gradients, parameters, learning
rates, BatchNorm's running statistics and the eval outputs agree to 1e-10. The
squeeze-and-excitation and MobileNet blocks: ``test_pytorch_ports_resnet_blocks.py``.

Lines written differently here, and why:
- ``torch.save(state, path)`` / ``torch.load(path)`` are ``nn.save`` / ``nn.load`` (NumPy's
  format, never pickle): the program takes them as ``save`` and ``load``;
- ``outputs.max(1)`` is ``outputs.max(dim=1)``: ``x.max(1)`` is NumPy's values or
  PyTorch's (values, indices) pair, so the bare int raises ``UsageError`` (README);
- the crops' offsets and the flips are drawn with NumPy and fed to both runs (the two
  libraries' generators differ), as are the transforms' draws in the CIFAR script;
- the test's glue (marked): PyTorch's initial weights loaded into ours after the
  constructor, hooks recording each optimizer step.
"""

import numpy as np
import pytest

import autograd as ag
from pytorch_examples_helpers import assert_steps, digits, record_steps


def libraries(torch=None) -> tuple:
    """(torch, nn, F, optim, data, save, load) for this library, or PyTorch's."""
    if torch is None:
        import nn.data
        return ag, nn, nn.functional, nn.optim, nn.data, nn.save, nn.load
    return (torch, torch.nn, torch.nn.functional, torch.optim, torch.utils.data, torch.save,
            torch.load)


def resnet(torch, nn):
    """torchvision's definitions (CIFAR stem: a 3x3 first convolution, no max-pool)."""
    def conv3x3(in_planes, out_planes, stride=1, groups=1, dilation=1):
        """3x3 convolution with padding"""
        return nn.Conv2d(in_planes, out_planes, kernel_size=3, stride=stride,
                         padding=dilation, groups=groups, bias=False, dilation=dilation)

    def conv1x1(in_planes, out_planes, stride=1):
        """1x1 convolution"""
        return nn.Conv2d(in_planes, out_planes, kernel_size=1, stride=stride, bias=False)

    class BasicBlock(nn.Module):
        expansion = 1

        def __init__(self, inplanes, planes, stride=1, downsample=None, norm_layer=None):
            super(BasicBlock, self).__init__()
            if norm_layer is None:
                norm_layer = nn.BatchNorm2d
            self.conv1 = conv3x3(inplanes, planes, stride)
            self.bn1 = norm_layer(planes)
            self.relu = nn.ReLU(inplace=True)
            self.conv2 = conv3x3(planes, planes)
            self.bn2 = norm_layer(planes)
            self.downsample = downsample
            self.stride = stride

        def forward(self, x):
            identity = x

            out = self.conv1(x)
            out = self.bn1(out)
            out = self.relu(out)

            out = self.conv2(out)
            out = self.bn2(out)

            if self.downsample is not None:
                identity = self.downsample(x)

            out += identity
            out = self.relu(out)

            return out

    class ResNet(nn.Module):
        def __init__(self, block, layers, num_classes=10, zero_init_residual=False,
                     norm_layer=None):
            super(ResNet, self).__init__()
            if norm_layer is None:
                norm_layer = nn.BatchNorm2d
            self._norm_layer = norm_layer

            self.inplanes = 8
            self.conv1 = nn.Conv2d(1, self.inplanes, kernel_size=3, stride=1, padding=1,
                                   bias=False)
            self.bn1 = norm_layer(self.inplanes)
            self.relu = nn.ReLU(inplace=True)
            self.layer1 = self._make_layer(block, 8, layers[0])
            self.layer2 = self._make_layer(block, 16, layers[1], stride=2)
            self.layer3 = self._make_layer(block, 32, layers[2], stride=2)
            self.avgpool = nn.AdaptiveAvgPool2d((1, 1))
            self.fc = nn.Linear(32 * block.expansion, num_classes)

            for m in self.modules():
                if isinstance(m, nn.Conv2d):
                    nn.init.kaiming_normal_(m.weight, mode="fan_out", nonlinearity="relu")
                elif isinstance(m, (nn.BatchNorm2d, nn.GroupNorm)):
                    nn.init.constant_(m.weight, 1)
                    nn.init.constant_(m.bias, 0)

            # Zero-initialize the last BN in each residual branch, so that the residual
            # branch starts with zeros, and each residual block behaves like an identity.
            if zero_init_residual:
                for m in self.modules():
                    if isinstance(m, BasicBlock):
                        nn.init.constant_(m.bn2.weight, 0)

        def _make_layer(self, block, planes, blocks, stride=1):
            norm_layer = self._norm_layer
            downsample = None
            if stride != 1 or self.inplanes != planes * block.expansion:
                downsample = nn.Sequential(
                    conv1x1(self.inplanes, planes * block.expansion, stride),
                    norm_layer(planes * block.expansion),
                )

            layers = []
            layers.append(block(self.inplanes, planes, stride, downsample, norm_layer))
            self.inplanes = planes * block.expansion
            for _ in range(1, blocks):
                layers.append(block(self.inplanes, planes, norm_layer=norm_layer))

            return nn.Sequential(*layers)

        def _forward_impl(self, x):
            x = self.conv1(x)
            x = self.bn1(x)
            x = self.relu(x)

            x = self.layer1(x)
            x = self.layer2(x)
            x = self.layer3(x)

            x = self.avgpool(x)
            x = torch.flatten(x, 1)
            x = self.fc(x)

            return x

        def forward(self, x):
            return self._forward_impl(x)

    def resnet8(**kwargs):
        return ResNet(BasicBlock, [1, 1, 1], **kwargs)

    return resnet8, BasicBlock


def augment(torch, F, inputs, offsets, flips):
    """The CIFAR script's ``RandomCrop(16, padding=2)`` and ``RandomHorizontalFlip()`` on a
    batch, with the offsets and flips drawn beforehand."""
    padded = F.pad(inputs, (2, 2, 2, 2))
    crops = [padded[i, :, r:r + 16, c:c + 16] for i, (r, c) in enumerate(offsets)]
    batch = torch.stack(crops)
    flip = torch.tensor(flips).view(-1, 1, 1, 1)
    return torch.where(flip, batch.flip(3), batch)


def train_and_evaluate(torch, images, labels, draws, schedule, path, sync, record):
    """The CIFAR script's training loop, evaluation and checkpoint, for library ``torch``."""
    torch_, nn, F, optim, data, save, load = libraries(torch)
    torch = torch_
    torch.manual_seed(0)
    torch.cuda.manual_seed_all(0)  # the scripts' set_seed (was a MissingNameError: fixed)
    resnet8, BasicBlock = resnet(torch, nn)
    net = resnet8(zero_init_residual=True)
    record.append([type(m).__name__ for m in net.modules()])
    record.append([float(m.bn2.weight.detach().abs().sum()) for m in net.modules()
                   if isinstance(m, BasicBlock)])
    sync(net)  # the test's glue: PyTorch's initial weights in both
    device = 'cuda' if torch.cuda.is_available() else 'cpu'
    net = net.to(device)
    net = nn.DataParallel(net)  # the ImageNet example wraps it on every device

    x = F.interpolate(torch.tensor(images), scale_factor=2, mode="bilinear",
                      align_corners=False)
    trainset = data.TensorDataset(x, torch.tensor(labels))
    trainloader = data.DataLoader(trainset, batch_size=16, shuffle=False)

    criterion = nn.CrossEntropyLoss()
    optimizer = optim.SGD(net.parameters(), lr=0.1, momentum=0.9, nesterov=True,
                          weight_decay=5e-4)
    if schedule == "cosine":
        scheduler = optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=3)
    else:
        scheduler = optim.lr_scheduler.MultiStepLR(optimizer, milestones=[1, 2], gamma=0.1)
    steps = []
    record_steps(optimizer, steps)  # the test's glue

    for epoch in range(3):
        net.train()
        train_loss = 0
        correct = 0
        total = 0
        for batch_idx, (inputs, targets) in enumerate(trainloader):
            offsets, flips = draws[epoch][batch_idx]
            inputs = augment(torch, F, inputs, offsets, flips)
            optimizer.zero_grad()
            outputs = net(inputs)
            loss = criterion(outputs, targets)
            loss.backward()
            optimizer.step()

            train_loss += loss.item()
            _, predicted = outputs.max(dim=1)  # outputs.max(1): see above
            total += targets.size(0)
            correct += predicted.eq(targets).sum().item()
        record.append((train_loss / (batch_idx + 1), 100. * correct / total))
        scheduler.step()
        record.append(scheduler.get_last_lr())
    record.append(steps)

    net.eval()
    with torch.no_grad():
        outputs = net(x)
        record.append(outputs.numpy().copy())
        record.append(outputs.requires_grad)
        _, predicted = outputs.max(dim=1)
        acc = 100. * predicted.eq(torch.tensor(labels)).sum().item() / len(labels)
    state = {"net": net.state_dict(), "acc": acc, "epoch": epoch}
    record.append({k: v.numpy().copy() for k, v in state["net"].items()})
    save(state, path)

    checkpoint = load(path)
    restored = resnet8()
    restored.load_state_dict({k.replace("module.", "", 1): v  # saved from DataParallel
                              for k, v in checkpoint["net"].items()})
    record.append(list(net.module.state_dict()) == list(restored.state_dict()))
    record.append((checkpoint["acc"], checkpoint["epoch"]))
    restored.eval()
    with torch.no_grad():
        record.append(restored(x).numpy().copy())


def assert_same(got, want) -> None:
    """Records of the two runs agree: numbers to 1e-10, everything else exactly."""
    if isinstance(got, dict):
        assert list(got) == list(want)
        for key in got:
            np.testing.assert_allclose(got[key], want[key], rtol=1e-10, atol=1e-12,
                                       err_msg=key)
    elif isinstance(got, list) and got and isinstance(got[0], list):
        assert_steps(got, want)
    elif isinstance(got, (list, tuple, np.ndarray, float)) and not isinstance(
            got, list) or (isinstance(got, list) and got and isinstance(got[0], float)):
        np.testing.assert_allclose(np.asarray(got, float), np.asarray(want, float),
                                   rtol=1e-10, atol=1e-12)
    else:
        assert got == want


@pytest.mark.parametrize("schedule", ["cosine", "multistep"])
def test_resnet_trains_step_for_step_as_torch(torch, tmp_path, schedule):
    images, labels = digits(32, lambda x: x)
    rng = np.random.default_rng(0)
    draws = [[(rng.integers(0, 5, size=(16, 2)).tolist(), (rng.random(16) < 0.5).tolist())
              for _ in range(2)] for _ in range(3)]
    states = []

    def theirs(model):
        states.append({k: v.detach().numpy().copy() for k, v in model.state_dict().items()})

    def ours(model):
        model.load_state_dict(states.pop())

    want, got = [], []
    train_and_evaluate(torch, images, labels, draws, schedule, tmp_path / "theirs.pth",
                       theirs, want)
    train_and_evaluate(None, images, labels, draws, schedule, tmp_path / "ours.pth", ours,
                       got)
    assert len(got) == len(want)
    for i, (a, b) in enumerate(zip(got, want)):
        try:
            assert_same(a, b)
        except AssertionError as error:
            raise AssertionError(f"record {i}: {error}") from error
