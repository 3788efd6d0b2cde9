"""torchvision's Swin Transformer (V1 and V2) and ConvNeXt (``torchvision_*_program.py``)
trained on scikit-learn's 8x8 digits step for step next to PyTorch (float64, the same
starting weights), built from ``nn.ops``' ``MLP``, ``Permute``, ``StochasticDepth`` and
``Conv2dNormActivation`` here and from torchvision's written in plain torch there
(torchvision is not installed). Windows of 3 on a 4x4 grid make
``shifted_window_attention`` pad (``F.pad``) before the cyclic shift; the second stage's
window covers the whole grid, so it does not shift. V2 adds cosine attention with a
clamped ``logit_scale`` and the continuous position bias MLP. Training as torchvision's
classification reference, shrunk: ``AdamW``, ``CrossEntropyLoss(label_smoothing=0.1)``,
a linear warmup then cosine (``SequentialLR``). Every step's loss and gradients, the
predictions of the trained weights loaded into a model with stochastic depth (``eval()``),
and the final parameters agree.

Written differently: the models start from PyTorch's weights (``weight_sync``: each library
draws its own); stochastic depth trains at rate 0 (the masks would differ).
"""

from types import SimpleNamespace

import pytest

import autograd as ag
import nn
import nn.functional as nn_F
from test_pytorch_ports_nlp_tutorial import Printed, assert_records, weight_sync
from torchvision_convnext_program import torchvision_convnext_classes
from torchvision_swin_program import torchvision_swin_classes
from vit_programs import digits_batches


def torchvision_ops(torch) -> SimpleNamespace:
    """torchvision.ops' MLP, Permute and StochasticDepth, written in plain torch."""

    def stochastic_depth(input, p, mode, training=True):
        if not training or p == 0.0:
            return input
        survival_rate = 1.0 - p
        size = [input.shape[0]] + [1] * (input.ndim - 1) if mode == "row" else \
            [1] * input.ndim
        noise = torch.empty(size, dtype=input.dtype).bernoulli_(survival_rate)
        if survival_rate > 0.0:
            noise.div_(survival_rate)
        return input * noise

    class StochasticDepth(torch.nn.Module):
        def __init__(self, p, mode):
            super().__init__()
            self.p, self.mode = p, mode

        def forward(self, input):
            return stochastic_depth(input, self.p, self.mode, self.training)

    class Permute(torch.nn.Module):
        def __init__(self, dims):
            super().__init__()
            self.dims = dims

        def forward(self, x):
            return torch.permute(x, self.dims)

    class MLP(torch.nn.Sequential):
        def __init__(self, in_channels, hidden_channels, norm_layer=None,
                     activation_layer=torch.nn.ReLU, inplace=None, bias=True, dropout=0.0):
            params = {} if inplace is None else {"inplace": inplace}
            layers, in_dim = [], in_channels
            for hidden_dim in hidden_channels[:-1]:
                layers.append(torch.nn.Linear(in_dim, hidden_dim, bias=bias))
                if norm_layer is not None:
                    layers.append(norm_layer(hidden_dim))
                layers.append(activation_layer(**params))
                layers.append(torch.nn.Dropout(dropout, **params))
                in_dim = hidden_dim
            layers.append(torch.nn.Linear(in_dim, hidden_channels[-1], bias=bias))
            layers.append(torch.nn.Dropout(dropout, **params))
            super().__init__(*layers)

    class Conv2dNormActivation(torch.nn.Sequential):
        """Only what ConvNeXt's stem uses: int kernel, explicit padding, no activation."""

        def __init__(self, in_channels, out_channels, kernel_size=3, stride=1, padding=None,
                     norm_layer=torch.nn.BatchNorm2d, activation_layer=torch.nn.ReLU,
                     bias=None):
            padding = (kernel_size - 1) // 2 if padding is None else padding
            layers = [torch.nn.Conv2d(in_channels, out_channels, kernel_size, stride, padding,
                                      bias=norm_layer is None if bias is None else bias)]
            if norm_layer is not None:
                layers.append(norm_layer(out_channels))
            if activation_layer is not None:
                layers.append(activation_layer(inplace=True))
            super().__init__(*layers)

    return SimpleNamespace(MLP=MLP, Permute=Permute, StochasticDepth=StochasticDepth,
                           Conv2dNormActivation=Conv2dNormActivation)


def build(torch, nn, F, ops, which, stochastic_depth_prob=0.0):
    if which.startswith("swin"):
        SwinTransformer = torchvision_swin_classes(torch, nn, F, ops)["SwinTransformer"]
        return SwinTransformer(
            patch_size=[2, 2], embed_dim=16, depths=[2, 2], num_heads=[2, 4],
            window_size=[3, 3], num_classes=10, in_channels=1,
            stochastic_depth_prob=stochastic_depth_prob, use_v2=which == "swin_v2")
    classes = torchvision_convnext_classes(torch, nn, F, ops)
    CNBlockConfig = classes["CNBlockConfig"]
    block_setting = [CNBlockConfig(8, 16, 2), CNBlockConfig(16, None, 1)]
    return classes["ConvNeXt"](block_setting, stochastic_depth_prob=stochastic_depth_prob,
                               layer_scale=1e-1, num_classes=10, in_channels=1, stem_size=2)


def run(torch, nn, F, optim, ops, which, batches, held, record, sync):
    model = build(torch, nn, F, ops, which)
    sync(model)
    optimizer = optim.AdamW(model.parameters(), lr=2e-3, weight_decay=0.05)
    warmup = optim.lr_scheduler.LinearLR(optimizer, start_factor=0.1, total_iters=2)
    cosine = optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=len(batches) - 2)
    scheduler = optim.lr_scheduler.SequentialLR(optimizer, [warmup, cosine], milestones=[2])
    criterion = nn.CrossEntropyLoss(label_smoothing=0.1)
    for images, labels in batches:
        model.train()
        optimizer.zero_grad()
        loss = criterion(model(torch.tensor(images)), torch.tensor(labels))
        loss.backward()
        record += [p.grad for p in model.parameters()] + [loss.item()]
        optimizer.step()
        scheduler.step()
    dropping = build(torch, nn, F, ops, which, stochastic_depth_prob=0.2)
    dropping.load_state_dict(model.state_dict())
    dropping.eval()
    with torch.no_grad():
        record.append(dropping(torch.tensor(held[0])))
    record += list(model.parameters())


@pytest.mark.parametrize("which", ["swin", "swin_v2", "convnext"])
def test_torchvision_swin_and_convnext_train_like_pytorch(torch, which):
    batches, *held = digits_batches(3, 16)
    ours, theirs = weight_sync()
    want, got = Printed(), Printed()
    run(torch, torch.nn, torch.nn.functional, torch.optim, torchvision_ops(torch), which,
        batches, held, want, theirs)
    run(ag, nn, nn_F, nn.optim, nn.ops, which, batches, held, got, ours)
    assert_records(got, want, atol=1e-10)  # 200 records of training: another BLAS's
    # summation order moved a parameter of size 3e-3 by 2e-12 (O(1) values agree to 1e-10)
