"""torchvision's MobileNetV2 (``torchvision/models/mobilenetv2.py``), shrunk, trained and
then fused for deployment, ported as its readers write it: ``_make_divisible``,
``Conv2dNormActivation(..., activation_layer=nn.ReLU6)``, ``InvertedResidual`` (expansion
1x1, depthwise ``groups=hidden_dim``, linear projection, ``self.use_res_connect``), the
``inverted_residual_setting`` loop with ``width_mult`` and ``round_nearest``, the classifier
``nn.Dropout(p=dropout)`` + ``nn.Linear``, the init loop and
``nn.functional.adaptive_avg_pool2d(x, (1, 1))``. Trained with ``SGD(momentum=0.9,
weight_decay=4e-5)``, ``CosineAnnealingLR`` and ``label_smoothing=0.1``; then every
Conv-BN pair of the evaluation model folded twice: with ``torch.nn.utils.fusion.
fuse_conv_bn_eval`` (missing here: fixed) and with YOLOv5's ``fuse_conv_and_bn`` (a new
``nn.Conv2d(...).requires_grad_(False)``, ``torch.diag(bn.weight.div(torch.sqrt(bn.eps +
bn.running_var)))``, ``fusedconv.weight.copy_(torch.mm(w_bn, w_conv).view(...))``), the
fused models giving the unfused one's outputs. Written once for a library ``torch``, it
runs step for step next to PyTorch (float64) on scikit-learn's digits: losses, gradients,
parameters, running statistics and outputs agree to 1e-10.

Lines written differently here: none in the program. The test's glue (marked) loads our
initial weights into PyTorch's model, replays our dropout masks and records each step.
"""

import copy
from typing import Callable, List, Optional

import numpy as np

from pytorch_examples_helpers import (assert_steps, digits, record_dropout, record_steps,
                                      replay_dropout)
from test_pytorch_ports_resnet import libraries


def mobilenet_v2(torch, nn):
    """torchvision's definitions for the library ``torch``."""
    def _make_divisible(v: float, divisor: int, min_value: Optional[int] = None) -> int:
        if min_value is None:
            min_value = divisor
        new_v = max(min_value, int(v + divisor / 2) // divisor * divisor)
        # Make sure that round down does not go down by more than 10%.
        if new_v < 0.9 * v:
            new_v += divisor
        return new_v

    class Conv2dNormActivation(nn.Sequential):
        def __init__(self, in_channels, out_channels, kernel_size=3, stride=1, padding=None,
                     groups=1, norm_layer=nn.BatchNorm2d, activation_layer=nn.ReLU,
                     dilation=1, inplace=True, bias=None):
            if padding is None:
                padding = (kernel_size - 1) // 2 * dilation
            if bias is None:
                bias = norm_layer is None
            layers = [nn.Conv2d(in_channels, out_channels, kernel_size, stride, padding,
                                dilation=dilation, groups=groups, bias=bias)]
            if norm_layer is not None:
                layers.append(norm_layer(out_channels))
            if activation_layer is not None:
                params = {} if inplace is None else {"inplace": inplace}
                layers.append(activation_layer(**params))
            super().__init__(*layers)
            self.out_channels = out_channels

    class InvertedResidual(nn.Module):
        def __init__(self, inp: int, oup: int, stride: int, expand_ratio: int,
                     norm_layer: Optional[Callable[..., nn.Module]] = None) -> None:
            super().__init__()
            self.stride = stride
            if stride not in [1, 2]:
                raise ValueError(f"stride should be 1 or 2 instead of {stride}")
            if norm_layer is None:
                norm_layer = nn.BatchNorm2d
            hidden_dim = int(round(inp * expand_ratio))
            self.use_res_connect = self.stride == 1 and inp == oup

            layers: List[nn.Module] = []
            if expand_ratio != 1:
                # pw
                layers.append(Conv2dNormActivation(inp, hidden_dim, kernel_size=1,
                                                   norm_layer=norm_layer,
                                                   activation_layer=nn.ReLU6))
            layers.extend(
                [
                    # dw
                    Conv2dNormActivation(hidden_dim, hidden_dim, stride=stride,
                                         groups=hidden_dim, norm_layer=norm_layer,
                                         activation_layer=nn.ReLU6),
                    # pw-linear
                    nn.Conv2d(hidden_dim, oup, 1, 1, 0, bias=False),
                    norm_layer(oup),
                ]
            )
            self.conv = nn.Sequential(*layers)
            self.out_channels = oup
            self._is_cn = stride > 1

        def forward(self, x):
            if self.use_res_connect:
                return x + self.conv(x)
            else:
                return self.conv(x)

    class MobileNetV2(nn.Module):
        def __init__(self, num_classes=1000, width_mult=1.0, inverted_residual_setting=None,
                     round_nearest=8, block=None, norm_layer=None, dropout=0.2,
                     in_channels=3):
            super().__init__()
            if block is None:
                block = InvertedResidual
            if norm_layer is None:
                norm_layer = nn.BatchNorm2d
            input_channel = 8  # shrunk: 32 and 1280
            last_channel = 32
            if inverted_residual_setting is None:
                inverted_residual_setting = [
                    # t, c, n, s
                    [1, 8, 1, 1],
                    [6, 12, 2, 2],
                    [6, 16, 2, 1],
                ]
            # only check the first element, assuming user knows t,c,n,s are required
            if len(inverted_residual_setting) == 0 or len(inverted_residual_setting[0]) != 4:
                raise ValueError(f"inverted_residual_setting should be non-empty or a 4-element "
                                 f"list, got {inverted_residual_setting}")

            # building first layer (shrunk: stride 1 for 8x8 digits)
            input_channel = _make_divisible(input_channel * width_mult, round_nearest)
            self.last_channel = _make_divisible(last_channel * max(1.0, width_mult),
                                                round_nearest)
            features: List[nn.Module] = [
                Conv2dNormActivation(in_channels, input_channel, stride=1,
                                     norm_layer=norm_layer, activation_layer=nn.ReLU6)
            ]
            # building inverted residual blocks
            for t, c, n, s in inverted_residual_setting:
                output_channel = _make_divisible(c * width_mult, round_nearest)
                for i in range(n):
                    stride = s if i == 0 else 1
                    features.append(block(input_channel, output_channel, stride,
                                          expand_ratio=t, norm_layer=norm_layer))
                    input_channel = output_channel
            # building last several layers
            features.append(
                Conv2dNormActivation(input_channel, self.last_channel, kernel_size=1,
                                     norm_layer=norm_layer, activation_layer=nn.ReLU6)
            )
            # make it nn.Sequential
            self.features = nn.Sequential(*features)

            # building classifier
            self.classifier = nn.Sequential(
                nn.Dropout(p=dropout),
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
                    nn.init.zeros_(m.bias)

        def _forward_impl(self, x):
            # This exists since TorchScript doesn't support inheritance, so the superclass
            # method (this one) needs to have a name other than `forward` that can be
            # accessed in a subclass
            x = self.features(x)
            # Cannot use "squeeze" as batch-size can be 1
            x = nn.functional.adaptive_avg_pool2d(x, (1, 1))
            x = torch.flatten(x, 1)
            x = self.classifier(x)
            return x

        def forward(self, x):
            return self._forward_impl(x)

    return MobileNetV2


def fuse_conv_and_bn(torch, nn, conv, bn):
    """YOLOv5's utils/torch_utils.py."""
    # Fuse Conv2d() and BatchNorm2d() layers https://tehnokv.com/posts/fusing-batchnorm-and-conv/
    fusedconv = (
        nn.Conv2d(
            conv.in_channels,
            conv.out_channels,
            kernel_size=conv.kernel_size,
            stride=conv.stride,
            padding=conv.padding,
            dilation=conv.dilation,
            groups=conv.groups,
            bias=True,
        )
        .requires_grad_(False)
        .to(conv.weight.device)
    )

    # Prepare filters
    w_conv = conv.weight.clone().view(conv.out_channels, -1)
    w_bn = torch.diag(bn.weight.div(torch.sqrt(bn.eps + bn.running_var)))
    fusedconv.weight.copy_(torch.mm(w_bn, w_conv).view(fusedconv.weight.shape))

    # Prepare spatial bias
    b_conv = torch.zeros(conv.weight.size(0), device=conv.weight.device) if conv.bias is None \
        else conv.bias
    b_bn = bn.bias - bn.weight.mul(bn.running_mean).div(torch.sqrt(bn.running_var + bn.eps))
    fusedconv.bias.copy_(torch.mm(w_bn, b_conv.reshape(-1, 1)).reshape(-1) + b_bn)

    return fusedconv


def fuse_model(nn, model, fuse):
    """Replace each Conv2d followed by a BatchNorm2d in a Sequential by their fusion."""
    for module in model.modules():
        if isinstance(module, nn.Sequential):
            for i in range(len(module) - 1):
                if isinstance(module[i], nn.Conv2d) and isinstance(module[i + 1],
                                                                   nn.BatchNorm2d):
                    module[i] = fuse(module[i], module[i + 1])
                    module[i + 1] = nn.Identity()
    return model


def run(torch, images, labels, sync, dropout, record):
    """Training, evaluation and the two fusions for the library ``torch``."""
    torch, nn, F, optim, data, _, _ = libraries(torch)
    torch.manual_seed(0)
    model = mobilenet_v2(torch, nn)(num_classes=10, in_channels=1)
    record.append([name for name, _ in model.named_parameters()])
    sync(model)  # the test's glue: our initial weights in both
    dropout(model)  # the test's glue: PyTorch's run keeps what ours kept
    x = torch.tensor(images)
    loader = data.DataLoader(data.TensorDataset(x, torch.tensor(labels)), batch_size=12)
    criterion = nn.CrossEntropyLoss(label_smoothing=0.1)
    optimizer = optim.SGD(model.parameters(), lr=0.05, momentum=0.9, weight_decay=4e-5)
    scheduler = optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=2)
    steps = []
    record_steps(optimizer, steps)  # the test's glue
    for epoch in range(2):
        model.train()
        for image, target in loader:
            output = model(image)
            loss = criterion(output, target)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            record.append(loss.item())
        scheduler.step()
    record.append(steps)

    model.eval()
    with torch.no_grad():
        output = model(x)
    record.append(output.numpy().copy())
    record.append({k: v.numpy().copy() for k, v in model.state_dict().items()})
    fused = fuse_model(nn, copy.deepcopy(model), nn.utils.fusion.fuse_conv_bn_eval)
    with torch.no_grad():
        record.append(fused(x).numpy().copy())
    yolo = fuse_model(nn, copy.deepcopy(model),
                      lambda conv, bn: fuse_conv_and_bn(torch, nn, conv, bn))
    with torch.no_grad():
        record.append(yolo(x).numpy().copy())
    record.append(sum(isinstance(m, nn.BatchNorm2d) for m in yolo.modules()))


def test_mobilenet_v2_trains_and_fuses_step_for_step_as_torch(torch):
    images, labels = digits(24, lambda x: x)
    states, masks, want, got = [], [], [], []
    run(None, images, labels,
        lambda m: states.append({k: v.detach().numpy().copy()
                                 for k, v in m.state_dict().items()}),
        lambda m: record_dropout(m, masks), got)
    run(torch, images, labels,
        lambda m: m.load_state_dict({k: torch.tensor(v) for k, v in states.pop().items()}),
        lambda m: replay_dropout(torch, m, masks), want)
    assert not masks and not states and len(got) == len(want)
    assert got[0] == want[0] and got[-1] == want[-1] == 0
    np.testing.assert_allclose(got[-3], got[-5], rtol=1e-9, atol=1e-12)  # fused = unfused
    np.testing.assert_allclose(got[-2], got[-5], rtol=1e-9, atol=1e-12)
    for i, (a, b) in enumerate(zip(got[1:-1], want[1:-1])):
        if isinstance(a, dict):
            assert list(a) == list(b)
            for key in a:
                np.testing.assert_allclose(a[key], b[key], rtol=1e-10, atol=1e-12,
                                           err_msg=key)
        elif isinstance(a, list):
            assert_steps(a, b)
        else:
            np.testing.assert_allclose(a, b, rtol=1e-10, atol=1e-12, err_msg=f"record {i}")
