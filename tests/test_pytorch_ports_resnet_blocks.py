"""The blocks that residual-network code adds to ResNet's, ported as their readers write
them: the squeeze-and-excitation layer of the SENet repositories (``SELayer``:
``AdaptiveAvgPool2d(1)``, ``nn.Sequential`` of bias-free ``Linear``, ``ReLU(inplace=True)``
and ``Sigmoid``, ``x * y.expand_as(x)``) inside an ``SEBasicBlock``; torchvision's
``SqueezeExcitation`` (1x1 ``Conv2d`` ``fc1``/``fc2``, ``F.adaptive_avg_pool2d(input, 1)``,
MobileNetV3's ``Hardswish``); the MobileNet depthwise-separable block
(``groups=in_planes``, then a 1x1 pointwise convolution) and torchvision's
``InvertedResidual`` (``ReLU6(inplace=True)``, ``_make_divisible``,
``self.use_res_connect``) with timm's ``DropPath`` (stochastic depth: ``(keep_prob +
torch.rand(shape, dtype=x.dtype, device=x.device)).floor_()``, which was missing: fixed);
MobileNetV2's init loop (``kaiming_normal_(mode="fan_out")``, ``zeros_``, ``ones_``,
``normal_(m.weight, 0, 0.01)``) and classifier (``nn.Dropout(0.2)``). Trained a few steps
with ``CrossEntropyLoss(label_smoothing=0.1)``, ``SGD(momentum=0.9, nesterov=True,
weight_decay=5e-4)``, ``clip_grad_norm_`` and ``MultiStepLR``, then ``model.eval()`` under
``torch.no_grad()`` and a ``state_dict()`` round trip. Written once for a library
``torch``, it runs step for step next to PyTorch (float64) on scikit-learn's digits padded
to 12x12: losses, gradients, parameters, running statistics and outputs agree to 1e-10.

MobileNetV3's ``scale_activation=nn.Hardsigmoid`` is left out: PyTorch's float64
Hardsigmoid backward multiplies by the float32 constant 1/6 (its gradients are off by a
relative 3e-8; ours are exact), which no 1e-10 comparison survives.

Lines written differently here: none in the programs; the test's glue (marked) loads
our initial weights into PyTorch's model after the constructor (ours runs first: its
dropout masks and ``torch.rand`` draws are replayed in PyTorch's run), and records each
optimizer step.
"""

import numpy as np

from pytorch_examples_helpers import (Draws, assert_steps, digits, record_dropout,
                                      record_steps, replay_dropout)
from test_pytorch_ports_resnet import libraries


class RandDraws(Draws):
    """``Draws`` with ``torch.rand`` recorded (ours) or replayed (PyTorch's)."""

    def rand(self, *args, **kwargs):
        return self._draw("rand", *args, **kwargs)


def blocks(torch, nn, F):
    """The repositories' definitions for the library ``torch``."""
    class SELayer(nn.Module):
        def __init__(self, channel, reduction=16):
            super(SELayer, self).__init__()
            self.avg_pool = nn.AdaptiveAvgPool2d(1)
            self.fc = nn.Sequential(
                nn.Linear(channel, channel // reduction, bias=False),
                nn.ReLU(inplace=True),
                nn.Linear(channel // reduction, channel, bias=False),
                nn.Sigmoid()
            )

        def forward(self, x):
            b, c, _, _ = x.size()
            y = self.avg_pool(x).view(b, c)
            y = self.fc(y).view(b, c, 1, 1)
            return x * y.expand_as(x)

    class SEBasicBlock(nn.Module):
        expansion = 1

        def __init__(self, inplanes, planes, stride=1, downsample=None, *, reduction=4):
            super(SEBasicBlock, self).__init__()
            self.conv1 = nn.Conv2d(inplanes, planes, 3, stride, padding=1, bias=False)
            self.bn1 = nn.BatchNorm2d(planes)
            self.relu = nn.ReLU(inplace=True)
            self.conv2 = nn.Conv2d(planes, planes, 3, 1, padding=1, bias=False)
            self.bn2 = nn.BatchNorm2d(planes)
            self.se = SELayer(planes, reduction)
            self.downsample = downsample
            self.stride = stride

        def forward(self, x):
            residual = x
            out = self.conv1(x)
            out = self.bn1(out)
            out = self.relu(out)

            out = self.conv2(out)
            out = self.bn2(out)
            out = self.se(out)

            if self.downsample is not None:
                residual = self.downsample(x)

            out += residual
            out = self.relu(out)

            return out

    class SqueezeExcitation(nn.Module):
        """torchvision.ops.SqueezeExcitation"""
        def __init__(self, input_channels, squeeze_channels, activation=nn.ReLU,
                     scale_activation=nn.Sigmoid):
            super().__init__()
            self.avgpool = nn.AdaptiveAvgPool2d(1)
            self.fc1 = nn.Conv2d(input_channels, squeeze_channels, 1)
            self.fc2 = nn.Conv2d(squeeze_channels, input_channels, 1)
            self.activation = activation()
            self.scale_activation = scale_activation()

        def _scale(self, input):
            scale = F.adaptive_avg_pool2d(input, 1)
            scale = self.fc1(scale)
            scale = self.activation(scale)
            scale = self.fc2(scale)
            return self.scale_activation(scale)

        def forward(self, input):
            scale = self._scale(input)
            return scale * input

    class Block(nn.Module):
        '''Depthwise conv + Pointwise conv'''
        def __init__(self, in_planes, out_planes, stride=1):
            super(Block, self).__init__()
            self.conv1 = nn.Conv2d(in_planes, in_planes, kernel_size=3, stride=stride,
                                   padding=1, groups=in_planes, bias=False)
            self.bn1 = nn.BatchNorm2d(in_planes)
            self.conv2 = nn.Conv2d(in_planes, out_planes, kernel_size=1, stride=1, padding=0,
                                   bias=False)
            self.bn2 = nn.BatchNorm2d(out_planes)

        def forward(self, x):
            out = F.relu(self.bn1(self.conv1(x)))
            out = F.relu(self.bn2(self.conv2(out)))
            return out

    def _make_divisible(v, divisor, min_value=None):
        if min_value is None:
            min_value = divisor
        new_v = max(min_value, int(v + divisor / 2) // divisor * divisor)
        # Make sure that round down does not go down by more than 10%.
        if new_v < 0.9 * v:
            new_v += divisor
        return new_v

    def drop_path(x, drop_prob: float = 0., training: bool = False):
        if drop_prob == 0. or not training:
            return x
        keep_prob = 1 - drop_prob
        shape = (x.shape[0],) + (1,) * (x.ndim - 1)  # work with diff dim tensors
        random_tensor = keep_prob + torch.rand(shape, dtype=x.dtype, device=x.device)
        random_tensor.floor_()  # binarize
        output = x.div(keep_prob) * random_tensor
        return output

    class DropPath(nn.Module):
        """Drop paths (Stochastic Depth) per sample (when applied in main path of
        residual blocks)."""
        def __init__(self, drop_prob=None):
            super(DropPath, self).__init__()
            self.drop_prob = drop_prob

        def forward(self, x):
            return drop_path(x, self.drop_prob, self.training)

    class InvertedResidual(nn.Module):
        def __init__(self, inp, oup, stride, expand_ratio, drop_path_rate=0.):
            super().__init__()
            self.stride = stride
            hidden_dim = int(round(inp * expand_ratio))
            self.use_res_connect = self.stride == 1 and inp == oup

            layers = []
            if expand_ratio != 1:
                layers.extend([nn.Conv2d(inp, hidden_dim, 1, 1, 0, bias=False),
                               nn.BatchNorm2d(hidden_dim), nn.ReLU6(inplace=True)])
            layers.extend([
                # dw
                nn.Conv2d(hidden_dim, hidden_dim, 3, stride, 1, groups=hidden_dim,
                          bias=False),
                nn.BatchNorm2d(hidden_dim),
                nn.ReLU6(inplace=True),
                # pw-linear
                nn.Conv2d(hidden_dim, oup, 1, 1, 0, bias=False),
                nn.BatchNorm2d(oup),
            ])
            self.conv = nn.Sequential(*layers)
            self.out_channels = oup
            self.drop_path = DropPath(drop_path_rate) if drop_path_rate > 0. else nn.Identity()

        def forward(self, x):
            if self.use_res_connect:
                return x + self.drop_path(self.conv(x))
            else:
                return self.conv(x)

    class Net(nn.Module):
        """A small net of the four blocks, MobileNetV2's init loop and classifier."""
        def __init__(self, num_classes=10, width_mult=1.0):
            super().__init__()
            input_channel = _make_divisible(8 * width_mult, 4)
            self.stem = nn.Sequential(nn.Conv2d(1, input_channel, 3, 1, 1, bias=False),
                                      nn.BatchNorm2d(input_channel), nn.ReLU6(inplace=True))
            self.features = nn.Sequential(
                SEBasicBlock(input_channel, input_channel),
                Block(input_channel, 16, stride=2),
                InvertedResidual(16, 16, 1, expand_ratio=2, drop_path_rate=0.25),
                SqueezeExcitation(16, _make_divisible(16 // 4, 4), activation=nn.Hardswish),
                InvertedResidual(16, 24, 2, expand_ratio=3),
            )
            self.last_channel = 24
            self.classifier = nn.Sequential(
                nn.Dropout(0.2),
                nn.Linear(self.last_channel, num_classes),
            )

            # weight initialization
            for m in self.modules():
                if isinstance(m, nn.Conv2d):
                    nn.init.kaiming_normal_(m.weight, mode="fan_out")
                    if m.bias is not None:
                        nn.init.zeros_(m.bias)
                elif isinstance(m, (nn.BatchNorm2d, nn.GroupNorm)):
                    nn.init.ones_(m.weight)
                    nn.init.zeros_(m.bias)
                elif isinstance(m, nn.Linear):
                    nn.init.normal_(m.weight, 0, 0.01)
                    if m.bias is not None:
                        nn.init.zeros_(m.bias)

        def forward(self, x):
            x = self.stem(x)
            x = self.features(x)
            # Cannot use "squeeze" as batch-size can be 1
            x = nn.functional.adaptive_avg_pool2d(x, (1, 1))
            x = torch.flatten(x, 1)
            x = self.classifier(x)
            return x

    return Net


def run(torch, images, labels, sync, dropout, draws, record):
    """Training, evaluation and the state-dict round trip for the library ``torch``."""
    torch_, nn, F, optim, data, _, _ = libraries(torch)
    torch = RandDraws(torch_, draws=draws) if torch is None else RandDraws(torch_,
                                                                          replay=draws)
    torch.manual_seed(0)
    Net = blocks(torch, nn, F)
    model = Net()
    record.append([name for name, _ in model.named_parameters()])
    sync(model)  # the test's glue: our initial weights in both
    dropout(model)  # the test's glue: PyTorch's run keeps what ours kept

    x = F.pad(torch.tensor(images), (2, 2, 2, 2))
    loader = data.DataLoader(data.TensorDataset(x, torch.tensor(labels)), batch_size=12)
    criterion = nn.CrossEntropyLoss(label_smoothing=0.1)
    optimizer = optim.SGD(model.parameters(), lr=0.05, momentum=0.9, nesterov=True,
                          weight_decay=5e-4)
    scheduler = optim.lr_scheduler.MultiStepLR(optimizer, milestones=[1], gamma=0.1)
    steps = []
    record_steps(optimizer, steps)  # the test's glue
    for epoch in range(2):
        model.train()
        for image, target in loader:
            output = model(image)
            loss = criterion(output, target)
            optimizer.zero_grad()
            loss.backward()
            record.append(float(nn.utils.clip_grad_norm_(model.parameters(), 1.0)))
            optimizer.step()
            record.append(loss.item())
        scheduler.step()
    record.append(steps)

    model.eval()
    with torch.no_grad():
        output = model(x)
    record.append(output.numpy().copy())
    state = model.state_dict()
    record.append({k: v.numpy().copy() for k, v in state.items()})
    restored = Net()
    restored.load_state_dict(state)
    restored.eval()
    with torch.no_grad():
        record.append(restored(x).numpy().copy())


def test_se_and_mobilenet_blocks_train_step_for_step_as_torch(torch):
    images, labels = digits(24, lambda x: x)
    states, masks, draws = [], [], []
    want, got = [], []
    run(None, images, labels,
        lambda m: states.append({k: v.detach().numpy().copy()
                                 for k, v in m.state_dict().items()}),
        lambda m: record_dropout(m, masks), draws, got)
    assert len(draws) == 4 and draws[0].shape == (12, 1, 1, 1)
    run(torch, images, labels,
        lambda m: m.load_state_dict({k: torch.tensor(v) for k, v in states.pop().items()}),
        lambda m: replay_dropout(torch, m, masks), list(draws), want)
    assert not masks and not states
    assert len(got) == len(want)
    for i, (a, b) in enumerate(zip(got, want)):
        if isinstance(a, dict):
            assert list(a) == list(b)
            for key in a:
                np.testing.assert_allclose(a[key], b[key], rtol=1e-10, atol=1e-12,
                                           err_msg=key)
        elif isinstance(a, list) and a and isinstance(a[0], list):
            assert_steps(a, b)
        elif isinstance(a, list) and a and isinstance(a[0], str):
            assert a == b
        else:
            np.testing.assert_allclose(a, b, rtol=1e-10, atol=1e-12, err_msg=f"record {i}")
