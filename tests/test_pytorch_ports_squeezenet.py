"""torchvision's SqueezeNet 1.1 (``torchvision/models/squeezenet.py``), shrunk and ported
as its readers write it: the ``Fire`` module (a 1x1 ``squeeze`` convolution, then
``torch.cat`` of the 1x1 and 3x3 ``expand`` branches along the channels, each with
``ReLU(inplace=True)``), ``MaxPool2d(kernel_size=3, stride=2, ceil_mode=True)`` on odd
sizes, a classifier of ``nn.Dropout(p=dropout)``, a 1x1 ``final_conv``, ``ReLU`` and
``AdaptiveAvgPool2d((1, 1))`` (no Linear layer), ``torch.flatten(x, 1)``, and the init
loop (``init.normal_(m.weight, mean=0.0, std=0.01)`` on ``m is final_conv``,
``init.kaiming_uniform_`` elsewhere, ``init.constant_(m.bias, 0)``). Trained a few steps
with ``SGD(momentum=0.9, weight_decay=2e-4)`` and ``StepLR`` on scikit-learn's digits
upsampled to 16x16, then evaluated under ``torch.inference_mode()``, and top-1/top-5
accuracy computed as the ImageNet example does (``output.topk(maxk, 1, True, True)``,
``pred.t()``, ``correct[:k].reshape(-1).float().sum(0, keepdim=True)``). Written once for
a library ``torch``, it runs step for step next to PyTorch (float64): losses, gradients,
parameters and outputs agree to 1e-10.

Lines written differently here: none in the program. The test's glue (marked) loads our
initial weights into PyTorch's model, replays our dropout masks and records each step.
"""

import numpy as np

from pytorch_examples_helpers import (assert_steps, digits, record_dropout, record_steps,
                                      replay_dropout)
from test_pytorch_ports_resnet import libraries


def squeezenet(torch, nn):
    """torchvision's definitions for the library ``torch``."""
    init = nn.init

    class Fire(nn.Module):
        def __init__(self, inplanes: int, squeeze_planes: int, expand1x1_planes: int,
                     expand3x3_planes: int) -> None:
            super().__init__()
            self.inplanes = inplanes
            self.squeeze = nn.Conv2d(inplanes, squeeze_planes, kernel_size=1)
            self.squeeze_activation = nn.ReLU(inplace=True)
            self.expand1x1 = nn.Conv2d(squeeze_planes, expand1x1_planes, kernel_size=1)
            self.expand1x1_activation = nn.ReLU(inplace=True)
            self.expand3x3 = nn.Conv2d(squeeze_planes, expand3x3_planes, kernel_size=3,
                                       padding=1)
            self.expand3x3_activation = nn.ReLU(inplace=True)

        def forward(self, x):
            x = self.squeeze_activation(self.squeeze(x))
            return torch.cat(
                [self.expand1x1_activation(self.expand1x1(x)),
                 self.expand3x3_activation(self.expand3x3(x))], 1
            )

    class SqueezeNet(nn.Module):
        def __init__(self, version: str = "1_1", num_classes: int = 1000,
                     dropout: float = 0.5) -> None:
            super().__init__()
            self.num_classes = num_classes
            if version == "1_1":  # shrunk: one input channel, a quarter of the widths
                self.features = nn.Sequential(
                    nn.Conv2d(1, 16, kernel_size=3, stride=1),
                    nn.ReLU(inplace=True),
                    nn.MaxPool2d(kernel_size=3, stride=2, ceil_mode=True),
                    Fire(16, 4, 8, 8),
                    Fire(16, 4, 8, 8),
                    nn.MaxPool2d(kernel_size=3, stride=2, ceil_mode=True),
                    Fire(16, 8, 16, 16),
                )
            else:
                raise ValueError(f"Unsupported SqueezeNet version {version}: 1_1 expected")

            # Final convolution is initialized differently from the rest
            final_conv = nn.Conv2d(32, self.num_classes, kernel_size=1)
            self.classifier = nn.Sequential(
                nn.Dropout(p=dropout), final_conv, nn.ReLU(inplace=True),
                nn.AdaptiveAvgPool2d((1, 1))
            )

            for m in self.modules():
                if isinstance(m, nn.Conv2d):
                    if m is final_conv:
                        init.normal_(m.weight, mean=0.0, std=0.01)
                    else:
                        init.kaiming_uniform_(m.weight)
                    if m.bias is not None:
                        init.constant_(m.bias, 0)

        def forward(self, x):
            x = self.features(x)
            x = self.classifier(x)
            return torch.flatten(x, 1)

    return SqueezeNet


def accuracy(torch, output, target, topk=(1,)):
    """Computes the accuracy over the k top predictions for the specified values of k"""
    with torch.no_grad():
        maxk = max(topk)
        batch_size = target.size(0)

        _, pred = output.topk(maxk, 1, True, True)
        pred = pred.t()
        correct = pred.eq(target.view(1, -1).expand_as(pred))

        res = []
        for k in topk:
            correct_k = correct[:k].reshape(-1).float().sum(0, keepdim=True)
            res.append(correct_k.mul_(100.0 / batch_size))
        return res


def run(torch, images, labels, sync, dropout, record):
    """Training and evaluation for the library ``torch``."""
    torch, nn, F, optim, data, _, _ = libraries(torch)
    torch.manual_seed(0)
    model = squeezenet(torch, nn)(num_classes=10)
    record.append([name for name, _ in model.named_parameters()])
    sync(model)  # the test's glue: our initial weights in both
    dropout(model)  # the test's glue: PyTorch's run keeps what ours kept
    x = F.interpolate(torch.tensor(images), scale_factor=2, mode="nearest")
    assert tuple(model.features(x).shape) == (len(images), 32, 3, 3)  # ceil_mode: 14, 7, 3
    loader = data.DataLoader(data.TensorDataset(x, torch.tensor(labels)), batch_size=16)
    criterion = nn.CrossEntropyLoss()
    optimizer = optim.SGD(model.parameters(), lr=0.04, momentum=0.9, weight_decay=2e-4)
    scheduler = optim.lr_scheduler.StepLR(optimizer, step_size=1, gamma=0.5)
    steps = []
    record_steps(optimizer, steps)  # the test's glue
    for epoch in range(2):
        model.train()
        for images_, target in loader:
            output = model(images_)
            loss = criterion(output, target)
            acc1, acc5 = accuracy(torch, output, target, topk=(1, 5))
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            record += [loss.item(), acc1[0].item(), acc5[0].item()]
        scheduler.step()
    record.append(steps)
    model.eval()
    with torch.inference_mode():
        record.append(model(x).numpy().copy())


def test_squeezenet_trains_step_for_step_as_torch(torch):
    images, labels = digits(32, lambda x: x)
    states, masks, want, got = [], [], [], []
    run(None, images, labels,
        lambda m: states.append({k: v.detach().numpy().copy()
                                 for k, v in m.state_dict().items()}),
        lambda m: record_dropout(m, masks), got)
    run(torch, images, labels,
        lambda m: m.load_state_dict({k: torch.tensor(v) for k, v in states.pop().items()}),
        lambda m: replay_dropout(torch, m, masks), want)
    assert not masks and not states and len(got) == len(want)
    assert got[0] == want[0]
    for i, (a, b) in enumerate(zip(got[1:], want[1:])):
        if isinstance(a, list):
            assert_steps(a, b)
        else:
            np.testing.assert_allclose(a, b, rtol=1e-10, atol=1e-12, err_msg=f"record {i}")
