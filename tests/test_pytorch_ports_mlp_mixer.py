"""MLP-Mixer (``mixer_program.py``: lucidrains' ``MLPMixer`` with ``Conv1d(kernel_size=1)``
token mixing, timm's ``MlpMixer`` with ``transpose`` token mixing and its JAX-style
``init_weights``, its ResMLP and gMLP blocks) trained on scikit-learn's 8x8 digits step
for step next to PyTorch (float64, the same starting weights) with ``Adam`` and a
``OneCycleLR`` schedule. Every step's loss and gradients, the predictions and the final
parameters agree.

Written differently: the models start from PyTorch's weights (``weight_sync``: each library
draws its own).
"""

import pytest

import autograd as ag
import nn
import nn.functional as nn_F
from mixer_program import mixer_classes
from test_pytorch_ports_nlp_tutorial import Printed, assert_records, weight_sync
from vit_programs import digits_batches
from vit_timm_program import timm_classes


def build(torch, nn, F, which):
    classes = mixer_classes(torch, nn, timm_classes(torch, nn, F)["DropPath"])
    if which == "lucidrains":
        return classes["MLPMixer"](image_size=8, channels=1, patch_size=2, dim=16, depth=2,
                                   num_classes=10)
    if which == "resmlp":  # timm's resmlp: ResBlock, Affine norms, mlp_ratio 4
        return classes["MlpMixer"](mlp_ratio=4, block_layer=classes["ResBlock"],
                                   norm_layer=classes["Affine"])
    if which == "gmlp":  # timm's gmlp: SpatialGatingBlock, mlp_ratio 6
        return classes["MlpMixer"](mlp_ratio=6, block_layer=classes["SpatialGatingBlock"])
    return classes["MlpMixer"]()


def run(torch, nn, F, optim, which, batches, held, record, sync):
    model = build(torch, nn, F, which)
    sync(model)
    optimizer = optim.Adam(model.parameters(), lr=1e-3)
    scheduler = optim.lr_scheduler.OneCycleLR(optimizer, max_lr=1e-2,
                                              total_steps=len(batches))
    for images, labels in batches:
        model.train()
        optimizer.zero_grad()
        loss = F.cross_entropy(model(torch.tensor(images)), torch.tensor(labels))
        loss.backward()
        record += [p.grad for p in model.parameters()] + [loss.item()]
        optimizer.step()
        scheduler.step()
    model.eval()
    with torch.no_grad():
        record.append(model(torch.tensor(held[0])))
    record += list(model.parameters())


@pytest.mark.parametrize("which", ["lucidrains", "timm", "resmlp", "gmlp"])
def test_mlp_mixer_trains_like_pytorch(torch, which):
    batches, *held = digits_batches(4, 16)
    ours, theirs = weight_sync()
    want, got = Printed(), Printed()
    run(torch, torch.nn, torch.nn.functional, torch.optim, which, batches, held, want,
        theirs)
    run(ag, nn, nn_F, nn.optim, which, batches, held, got, ours)
    # atol 1e-10: the token-mixing output bias adds one number to every channel of a token,
    # which the next LayerNorm removes, so its gradient is zero in exact arithmetic; the
    # ~1e-16 of rounding left in each library differs, and Adam scales it up to ~1e-11
    assert_records(got, want, atol=1e-10)
