"""torchvision's DenseNet (``torchvision/models/densenet.py``), shrunk and ported as its
readers write it: ``_DenseLayer`` with ``bn_function`` (``torch.cat(inputs, 1)`` of every
earlier feature map), ``@torch.jit._overload_method`` stubs of ``forward`` (missing here:
fixed), ``memory_efficient`` through ``cp.checkpoint(closure, *input,
use_reentrant=False)`` (``torch.utils.checkpoint``), ``F.dropout(new_features,
p=self.drop_rate, training=self.training)``; ``_DenseBlock`` as an ``nn.ModuleDict``
(``self.items()``), ``_Transition`` as an ``nn.Sequential`` with ``AvgPool2d``; the stem
built from an ``OrderedDict``, ``add_module`` of each block, the official init loop,
``F.relu(features, inplace=True)`` and ``F.adaptive_avg_pool2d``; and ``_load_state_dict``'s
regular expression renaming old checkpoints' ``norm.1`` keys to ``norm1``. Trained a few
steps with ``SGD(momentum=0.9, nesterov=True, weight_decay=1e-4)`` on scikit-learn's
digits, once with ``memory_efficient=True`` (the checkpointed ``norm1`` counts each batch
twice, updating its statistics again when backward recomputes it, in both libraries), then
evaluated and the old-style checkpoint reloaded (it lacks ``num_batches_tracked``, which
BatchNorm refused here: fixed).
Written once for a library ``torch``, it runs step for step next to PyTorch (float64):
losses, gradients, parameters, running statistics and outputs agree to 1e-10.

Lines written differently here: ``import torch.utils.checkpoint as cp`` is
``nn.checkpoint`` here (``torch.utils.data`` is ``nn.data``): the program takes it as
``cp``. The test's glue (marked) loads our initial weights into PyTorch's model and
replays our dropout masks and records each optimizer step.
"""

import re
from collections import OrderedDict

import numpy as np
import pytest

from pytorch_examples_helpers import (MaskedDropout, assert_steps, digits, record_steps)
from test_pytorch_ports_resnet import libraries


def densenet(torch, nn, F, cp):
    """torchvision's definitions for the library ``torch``."""
    from typing import List
    Tensor = torch.Tensor

    class _DenseLayer(nn.Module):
        def __init__(self, num_input_features: int, growth_rate: int, bn_size: int,
                     drop_rate: float, memory_efficient: bool = False) -> None:
            super().__init__()
            self.norm1 = nn.BatchNorm2d(num_input_features)
            self.relu1 = nn.ReLU(inplace=True)
            self.conv1 = nn.Conv2d(num_input_features, bn_size * growth_rate, kernel_size=1,
                                   stride=1, bias=False)

            self.norm2 = nn.BatchNorm2d(bn_size * growth_rate)
            self.relu2 = nn.ReLU(inplace=True)
            self.conv2 = nn.Conv2d(bn_size * growth_rate, growth_rate, kernel_size=3,
                                   stride=1, padding=1, bias=False)

            self.drop_rate = float(drop_rate)
            self.memory_efficient = memory_efficient

        def bn_function(self, inputs: List[Tensor]) -> Tensor:
            concated_features = torch.cat(inputs, 1)
            bottleneck_output = self.conv1(self.relu1(self.norm1(concated_features)))
            return bottleneck_output

        # todo: rewrite when torchscript supports any
        def any_requires_grad(self, input: List[Tensor]) -> bool:
            for tensor in input:
                if tensor.requires_grad:
                    return True
            return False

        @torch.jit.unused  # noqa: T484
        def call_checkpoint_bottleneck(self, input: List[Tensor]) -> Tensor:
            def closure(*inputs):
                return self.bn_function(inputs)

            return cp.checkpoint(closure, *input, use_reentrant=False)

        @torch.jit._overload_method  # noqa: F811
        def forward(self, input: List[Tensor]) -> Tensor:  # noqa: D102
            pass

        @torch.jit._overload_method  # noqa: F811
        def forward(self, input: Tensor) -> Tensor:  # noqa: F811
            pass

        # torchscript does not yet support *args, so we overload method
        # allowing it to take either a List[Tensor] or single Tensor
        def forward(self, input: Tensor) -> Tensor:  # noqa: F811
            if isinstance(input, Tensor):
                prev_features = [input]
            else:
                prev_features = input

            if self.memory_efficient and self.any_requires_grad(prev_features):
                if torch.jit.is_scripting():
                    raise Exception("Memory Efficient not supported in JIT")

                bottleneck_output = self.call_checkpoint_bottleneck(prev_features)
            else:
                bottleneck_output = self.bn_function(prev_features)

            new_features = self.conv2(self.relu2(self.norm2(bottleneck_output)))
            if self.drop_rate > 0:
                new_features = F.dropout(new_features, p=self.drop_rate,
                                         training=self.training)
            return new_features

    class _DenseBlock(nn.ModuleDict):
        _version = 2

        def __init__(self, num_layers: int, num_input_features: int, bn_size: int,
                     growth_rate: int, drop_rate: float, memory_efficient: bool = False
                     ) -> None:
            super().__init__()
            for i in range(num_layers):
                layer = _DenseLayer(
                    num_input_features + i * growth_rate,
                    growth_rate=growth_rate,
                    bn_size=bn_size,
                    drop_rate=drop_rate,
                    memory_efficient=memory_efficient,
                )
                self.add_module("denselayer%d" % (i + 1), layer)

        def forward(self, init_features: Tensor) -> Tensor:
            features = [init_features]
            for name, layer in self.items():
                new_features = layer(features)
                features.append(new_features)
            return torch.cat(features, 1)

    class _Transition(nn.Sequential):
        def __init__(self, num_input_features: int, num_output_features: int) -> None:
            super().__init__()
            self.norm = nn.BatchNorm2d(num_input_features)
            self.relu = nn.ReLU(inplace=True)
            self.conv = nn.Conv2d(num_input_features, num_output_features, kernel_size=1,
                                  stride=1, bias=False)
            self.pool = nn.AvgPool2d(kernel_size=2, stride=2)

    class DenseNet(nn.Module):
        def __init__(self, growth_rate=32, block_config=(6, 12, 24, 16),
                     num_init_features=64, bn_size=4, drop_rate=0, num_classes=1000,
                     memory_efficient=False, in_channels=3):
            super().__init__()
            # First convolution (shrunk: 3x3, stride 1, for 8x8 digits)
            self.features = nn.Sequential(
                OrderedDict(
                    [
                        ("conv0", nn.Conv2d(in_channels, num_init_features, kernel_size=3,
                                            stride=1, padding=1, bias=False)),
                        ("norm0", nn.BatchNorm2d(num_init_features)),
                        ("relu0", nn.ReLU(inplace=True)),
                        ("pool0", nn.MaxPool2d(kernel_size=3, stride=1, padding=1)),
                    ]
                )
            )

            # Each denseblock
            num_features = num_init_features
            for i, num_layers in enumerate(block_config):
                block = _DenseBlock(
                    num_layers=num_layers,
                    num_input_features=num_features,
                    bn_size=bn_size,
                    growth_rate=growth_rate,
                    drop_rate=drop_rate,
                    memory_efficient=memory_efficient,
                )
                self.features.add_module("denseblock%d" % (i + 1), block)
                num_features = num_features + num_layers * growth_rate
                if i != len(block_config) - 1:
                    trans = _Transition(num_input_features=num_features,
                                        num_output_features=num_features // 2)
                    self.features.add_module("transition%d" % (i + 1), trans)
                    num_features = num_features // 2

            # Final batch norm
            self.features.add_module("norm5", nn.BatchNorm2d(num_features))

            # Linear layer
            self.classifier = nn.Linear(num_features, num_classes)

            # Official init from torch repo.
            for m in self.modules():
                if isinstance(m, nn.Conv2d):
                    nn.init.kaiming_normal_(m.weight)
                elif isinstance(m, nn.BatchNorm2d):
                    nn.init.constant_(m.weight, 1)
                    nn.init.constant_(m.bias, 0)
                elif isinstance(m, nn.Linear):
                    nn.init.constant_(m.bias, 0)

        def forward(self, x: Tensor) -> Tensor:
            features = self.features(x)
            out = F.relu(features, inplace=True)
            out = F.adaptive_avg_pool2d(out, (1, 1))
            out = torch.flatten(out, 1)
            out = self.classifier(out)
            return out

    def _load_state_dict(model, state_dict):
        # '.'s are no longer allowed in module names, but previous _DenseLayer
        # has keys 'norm.1', 'relu.1', 'conv.1', 'norm.2', 'relu.2', 'conv.2'.
        # They are also in the checkpoints in model_urls. This pattern is used
        # to find such keys.
        pattern = re.compile(
            r"^(.*denselayer\d+\.(?:norm|relu|conv))\.((?:[12])\.(?:weight|bias|running_mean|"
            r"running_var))$"
        )
        for key in list(state_dict.keys()):
            res = pattern.match(key)
            if res:
                new_key = res.group(1) + res.group(2)
                state_dict[new_key] = state_dict[key]
                del state_dict[key]
        model.load_state_dict(state_dict)

    return DenseNet, _load_state_dict


def run(torch, images, labels, memory_efficient, sync, masks, record):
    """Training, evaluation and an old-style checkpoint's reload for the library ``torch``."""
    ours = torch is None
    torch, nn, F, optim, data, _, _ = libraries(torch)
    cp = nn.checkpoint if ours else torch.utils.checkpoint
    F = MaskedDropout(F, masks, replay=not ours, tensor=torch.tensor)  # the test's glue
    DenseNet, _load_state_dict = densenet(torch, nn, F, cp)
    kwargs = dict(growth_rate=4, block_config=(2, 2), num_init_features=8, bn_size=2,
                  drop_rate=0.2, num_classes=10, memory_efficient=memory_efficient,
                  in_channels=1)
    model = DenseNet(**kwargs)
    record.append([name for name, _ in model.named_parameters()])
    sync(model)  # the test's glue: our initial weights in both
    loader = data.DataLoader(data.TensorDataset(torch.tensor(images), torch.tensor(labels)),
                             batch_size=12)
    criterion = nn.CrossEntropyLoss()
    optimizer = optim.SGD(model.parameters(), lr=0.1, momentum=0.9, nesterov=True,
                          weight_decay=1e-4)
    steps = []
    record_steps(optimizer, steps)  # the test's glue
    model.train()
    for inputs, targets in loader:
        optimizer.zero_grad()
        loss = criterion(model(inputs), targets)
        loss.backward()
        optimizer.step()
        record.append(loss.item())
    record.append(steps)
    model.eval()
    x = torch.tensor(images)
    with torch.no_grad():
        record.append(model(x).numpy().copy())
    old = {re.sub(r"(denselayer\d+\.(?:norm|conv))([12])\.", r"\1.\2.", k): v
           for k, v in model.state_dict().items()
           if not k.endswith("num_batches_tracked")}  # an old (PyTorch 0.3) checkpoint
    restored = DenseNet(**kwargs)
    _load_state_dict(restored, old)
    restored.eval()
    with torch.no_grad():
        record.append(restored(x).numpy().copy())
    record.append({k: v.numpy().copy() for k, v in model.state_dict().items()})


@pytest.mark.parametrize("memory_efficient", [False, True])
def test_densenet_trains_step_for_step_as_torch(torch, memory_efficient):
    images, labels = digits(36, lambda x: x)
    states, masks, want, got = [], [], [], []
    run(None, images, labels, memory_efficient,
        lambda m: states.append({k: v.detach().numpy().copy()
                                 for k, v in m.state_dict().items()}), masks, got)
    assert masks
    run(torch, images, labels, memory_efficient,
        lambda m: m.load_state_dict({k: torch.tensor(v) for k, v in states.pop().items()}),
        masks, want)
    assert not masks and not states and len(got) == len(want)
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
