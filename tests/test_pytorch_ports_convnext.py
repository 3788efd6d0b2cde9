"""Facebook Research's ConvNeXt (``convnext_program.py``) trained on scikit-learn's 8x8
digits step for step next to PyTorch (float64, the same starting weights): the depthwise
7x7 convolution, channels-last ``F.layer_norm`` after ``permute``, channels-first LayerNorm
written out with ``mean``/``pow``/``sqrt`` and ``weight[:, None, None]``, layer scale,
``x.mean([-2, -1])`` pooling, ``head_init_scale``. The recipe, shrunk: ``AdamW`` with no
decay for 1-d parameters (timm's ``param_groups_weight_decay``), a per-step cosine schedule
with warmup as ``LambdaLR``, gradient clipping. Every step's loss, gradients and learning
rate, the predictions (with the drop-path model in ``eval()``) and the final parameters
agree.

Written differently: the models start from PyTorch's weights (``weight_sync``: each library
draws its own); drop path trains at rate 0 (the masks would differ) and is checked in
``eval()``, where it is the identity.
"""

import math

import pytest

import autograd as ag
import nn
import nn.functional as nn_F
from convnext_program import convnext_classes
from test_pytorch_ports_nlp_tutorial import Printed, assert_records, weight_sync
from vit_programs import digits_batches
from vit_timm_program import timm_classes


def param_groups_weight_decay(model, weight_decay=1e-5, no_weight_decay_list=()):
    no_weight_decay_list = set(no_weight_decay_list)
    decay = []
    no_decay = []
    for name, param in model.named_parameters():
        if not param.requires_grad:
            continue
        if param.ndim <= 1 or name.endswith(".bias") or name in no_weight_decay_list:
            no_decay.append(param)
        else:
            decay.append(param)
    return [
        {'params': no_decay, 'weight_decay': 0.},
        {'params': decay, 'weight_decay': weight_decay}]


def run(torch, nn, F, optim, clip, batches, held, record, sync, **options):
    """Train a few steps, evaluate (also a drop-path copy of the weights in eval mode)."""
    DropPath = timm_classes(torch, nn, F)["DropPath"]
    ConvNeXt = convnext_classes(torch, nn, F, DropPath)["ConvNeXt"]
    sizes = dict(in_chans=1, num_classes=10, depths=[2, 1], dims=[8, 16], stem_size=2)
    model = ConvNeXt(**sizes, **options)
    sync(model)
    optimizer = optim.AdamW(param_groups_weight_decay(model, 0.05), lr=4e-3)
    warmup, total = 2, len(batches)

    def lr_lambda(step):
        if step < warmup:
            return (step + 1) / warmup
        return 0.5 * (1 + math.cos(math.pi * (step - warmup) / (total - warmup)))

    scheduler = optim.lr_scheduler.LambdaLR(optimizer, lr_lambda)
    criterion = nn.CrossEntropyLoss()
    for images, labels in batches:
        model.train()
        optimizer.zero_grad()
        loss = criterion(model(torch.tensor(images)), torch.tensor(labels))
        loss.backward()
        record.append(float(clip(model.parameters(), 1.0)))
        record += [p.grad for p in model.parameters()]
        record += [loss.item(), optimizer.param_groups[0]["lr"]]
        optimizer.step()
        scheduler.step()
    model.eval()
    dropping = ConvNeXt(**sizes, **options, drop_path_rate=0.2).eval()
    dropping.load_state_dict(model.state_dict())
    with torch.no_grad():
        record.append(model(torch.tensor(held[0])))
        record.append(dropping(torch.tensor(held[0])))
    record += list(model.parameters())


@pytest.mark.parametrize("options", [
    dict(layer_scale_init_value=1e-1, head_init_scale=0.5),
    dict(layer_scale_init_value=0.),
], ids=["layer-scale", "no-layer-scale"])
def test_convnext_trains_like_pytorch(torch, options):
    batches, *held = digits_batches(4, 16)
    ours, theirs = weight_sync()
    want, got = Printed(), Printed()
    run(torch, torch.nn, torch.nn.functional, torch.optim, torch.nn.utils.clip_grad_norm_,
        batches, held, want, theirs, **options)
    run(ag, nn, nn_F, nn.optim, nn.utils.clip_grad_norm_, batches, held, got, ours,
        **options)
    assert_records(got, want)
