"""lucidrains/vit-pytorch's ``ViT`` (``vit_programs.py``) trained on scikit-learn's 8x8
digits step for step next to PyTorch (float64, the same starting weights): the einops
patch embedding written with ``reshape``/``permute``, torchvision's ``Conv2d`` +
``flatten(2).transpose(1, 2)``, and ``img.unfold(2, p, p).unfold(3, p, p)``; the class
token ``expand``-ed and ``torch.cat``-ed, a learned ``nn.Parameter`` position embedding
added in place (``x += ...``), pre-norm blocks
with hand-written attention (``chunk(3, dim=-1)``, ``matmul(q, k.transpose(-1, -2)) *
scale``, ``nn.Softmax(dim=-1)``) or ``nn.MultiheadAttention(batch_first=True)``,
``nn.GELU()``, class-token or mean pooling, the ``trunc_normal_(std=.02)`` init loop,
``AdamW`` with weight decay under a warmup + cosine ``LambdaLR``,
``CrossEntropyLoss(label_smoothing=0.1)``, and ``torch.no_grad()`` evaluation with
``argmax``. Every step's loss, the first step's gradients, the learning rates, the final
parameters and the predictions agree.

Written differently: the models start from PyTorch's weights (``weight_sync``: random
numbers differ), after each library ran its own init loop; dropout is 0, but in one test
where PyTorch's ``nn.Dropout`` records the masks it draws and ours replays them
(``dropout_sync``).
"""

import numpy as np
import pytest

import autograd as ag
import nn
from test_pytorch_ports_nlp_tutorial import Printed, assert_records, weight_sync
from vit_programs import digits_batches, init_weights, vit_classes, warmup_cosine

SIZES = dict(image_size=8, patch_size=4, num_classes=10, dim=16, depth=2, heads=2,
             mlp_dim=32, channels=1, dim_head=8, dropout=0., emb_dropout=0.)


def train_vit(torch, lib, optim, batches, held, record, sync, **options):
    """(torch.optim is nn.optim here.) Build, initialise, train a few AdamW steps and
    evaluate one ViT."""
    c = vit_classes(torch, lib)
    model = c["ViT"](**{**SIZES, **options})
    init_weights(lib, model)
    for p in model.parameters():
        assert p.requires_grad
    sync(model)
    steps = len(batches)
    optimizer = optim.AdamW(model.parameters(), lr=3e-3, weight_decay=0.05)
    scheduler = optim.lr_scheduler.LambdaLR(optimizer, warmup_cosine(2, steps))
    criterion = lib.CrossEntropyLoss(label_smoothing=0.1)
    model.train()
    for step, (images, labels) in enumerate(batches):
        images, labels = torch.tensor(images), torch.tensor(labels)
        optimizer.zero_grad()
        loss = criterion(model(images), labels)
        loss.backward()
        if step == 0:
            record += [p.grad for p in model.parameters()]
        optimizer.step()
        scheduler.step()
        record.append(loss.item())
        record.append(scheduler.get_last_lr()[0])
    model.eval()
    with torch.no_grad():
        logits = model(torch.tensor(held[0]))
        predicted = logits.argmax(dim=-1)
        accuracy = (predicted == torch.tensor(held[1])).float().mean().item()
    record.append(logits)
    record.append(predicted)
    record.append(accuracy)
    record += [p for p in model.parameters()]
    record.append(list(dict(model.named_parameters())))


def dropout_sync(torch) -> tuple:
    """(ours, theirs, masks): ``nn`` namespaces whose ``Dropout`` records PyTorch's masks
    (``theirs``, run first) and multiplies ours by them (``ours``), scaled by 1 / (1 - p)."""
    masks = []

    class Recording(torch.nn.Dropout):
        def forward(self, x):
            out = super().forward(x)
            if self.training and self.p > 0:
                masks.append((out != 0).numpy())
            return out

    class Replaying(nn.Dropout):
        def forward(self, x):
            if self.training and self.p > 0:
                return x * ag.tensor(masks.pop(0)) / (1 - self.p)
            return super().forward(x)

    class Namespace:
        def __init__(self, lib, Dropout):
            self.lib, self.Dropout = lib, Dropout

        def __getattr__(self, name):
            return getattr(self.lib, name)

    return Namespace(nn, Replaying), Namespace(torch.nn, Recording), masks


def test_vit_with_dropout_masks_replayed_matches_pytorch(torch):
    batches, *held = digits_batches(4, 32)
    ours, theirs = weight_sync()
    our_nn, their_nn, masks = dropout_sync(torch)
    want, got = Printed(), Printed()
    train_vit(torch, their_nn, torch.optim, batches, held, want, theirs, dropout=0.1,
              emb_dropout=0.1)
    assert len(masks) == 4 * (1 + 2 * 4)  # per step: embedding, and 4 in each of 2 blocks
    train_vit(ag, our_nn, nn.optim, batches, held, got, ours, dropout=0.1, emb_dropout=0.1)
    assert masks == []
    assert_records(got, want)


@pytest.mark.parametrize("options", [
    dict(pool="cls"),
    dict(pool="mean"),
    dict(pool="cls", patches="conv"),
    dict(pool="mean", patches="unfold"),
], ids=["einops-cls", "einops-mean", "conv-cls", "unfold-mean"])
def test_vit_training_matches_pytorch(torch, options):
    batches, *held = digits_batches(6, 32)
    ours, theirs = weight_sync()
    want, got = Printed(), Printed()
    train_vit(torch, torch.nn, torch.optim, batches, held, want, theirs, **options)
    train_vit(ag, nn, nn.optim, batches, held, got, ours, **options)
    assert_records(got, want)


def test_vit_with_multihead_attention_matches_pytorch(torch):
    batches, *held = digits_batches(4, 32)
    ours, theirs = weight_sync()
    want, got = Printed(), Printed()
    tc, oc = vit_classes(torch, torch.nn), vit_classes(ag, nn)
    train_vit(torch, torch.nn, torch.optim, batches, held, want, theirs, pool="mean",
              attention=tc["MHAttention"])
    train_vit(ag, nn, nn.optim, batches, held, got, ours, pool="mean", attention=oc["MHAttention"])
    assert_records(got, want)


def test_init_loop_draws_as_pytorch_does(torch):
    """The trunc_normal_ loop's weights: within [-2, 2] (absolute, as PyTorch), std .02."""
    model = vit_classes(ag, nn)["ViT"](**SIZES)
    init_weights(nn, model)
    weights = np.concatenate([m.weight.detach().numpy().ravel() for m in model.modules()
                              if isinstance(m, nn.Linear)])
    assert abs(weights.std() - 0.02) < 0.002
    norms = [m for m in model.modules() if isinstance(m, nn.LayerNorm)]
    assert all(np.all(m.weight.detach().numpy() == 1) for m in norms)
