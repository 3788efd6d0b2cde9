"""lucidrains' ``simple_vit.py`` (the fixed 2-d sin-cos position embedding from
``torch.meshgrid(..., indexing="ij")``, ``torch.arange``, outer products by broadcasting
and ``torch.cat((x.sin(), x.cos(), ...), dim=1)``, cast with ``pe.type(torch.float32)`` and
added in place with ``x += self.pos_embedding.to(device)``) and torchvision's
``VisionTransformer`` shrunk, with ``nn.TransformerEncoder(nn.TransformerEncoderLayer(...,
batch_first=True, norm_first=True, activation="gelu"), num_layers)`` as its encoder
(``torch._assert`` on the image size, ``conv_proj`` patches reshaped and permuted, the
class token ``expand``-ed, ``torch.empty(...).normal_(std=0.02)`` position Parameter,
``trunc_normal_`` / ``zeros_`` init), both trained on scikit-learn's 8x8 digits step for
step next to PyTorch (float64, the same starting weights): each step's loss and gradients,
the learning rates, the final parameters and the predictions agree.

Written differently: see ``vit_programs.py`` and ``vit_programs_more.py`` (einops written
out); the models start from PyTorch's weights (``weight_sync``); dropout is 0.
"""

import numpy as np

import autograd as ag
import nn
from test_pytorch_ports_nlp_tutorial import Printed, assert_records, weight_sync
from vit_programs import digits_batches, posemb_sincos_2d, warmup_cosine
from vit_programs_more import simple_vit_classes, torchvision_vit_class


def train(torch, lib, optim, model, batches, held, record, sync, lr=3e-3):
    """(torch.nn is nn here.) A few AdamW steps under warmup + cosine, label smoothing,
    then evaluation."""
    sync(model)
    optimizer = optim.AdamW(model.parameters(), lr=lr, weight_decay=0.05)
    scheduler = optim.lr_scheduler.LambdaLR(optimizer, warmup_cosine(2, len(batches)))
    criterion = lib.CrossEntropyLoss(label_smoothing=0.1)
    for images, labels in batches:
        model.train()
        optimizer.zero_grad()
        loss = criterion(model(torch.tensor(images)), torch.tensor(labels))
        loss.backward()
        record += [p.grad for p in model.parameters()]
        optimizer.step()
        scheduler.step()
        record += [loss.item(), scheduler.get_last_lr()[0]]
    model.eval()
    with torch.no_grad():
        predicted = model(torch.tensor(held[0])).argmax(dim=-1)
    record += [predicted, (predicted == torch.tensor(held[1])).sum().item()]
    record += list(model.parameters())


def test_posemb_sincos_2d_matches_pytorch(torch):
    for h, w, dim in [(2, 2, 16), (3, 5, 8)]:
        ours, theirs = posemb_sincos_2d(ag, h, w, dim), posemb_sincos_2d(torch, h, w, dim)
        assert ours.dtype == np.float32 and theirs.dtype == torch.float32
        np.testing.assert_array_equal(ours.numpy(), theirs.numpy())
        ours = posemb_sincos_2d(ag, h, w, dim, dtype=ag.float64)
        theirs = posemb_sincos_2d(torch, h, w, dim, dtype=torch.float64)
        np.testing.assert_allclose(ours.numpy(), theirs.numpy(), rtol=1e-15, atol=1e-15)


def test_simple_vit_training_matches_pytorch(torch):
    batches, *held = digits_batches(5, 32)
    sizes = dict(image_size=8, patch_size=4, num_classes=10, dim=16, depth=2, heads=2,
                 mlp_dim=32, channels=1, dim_head=8)
    ours, theirs = weight_sync()
    want, got = Printed(), Printed()
    train(torch, torch.nn, torch.optim, simple_vit_classes(torch, torch.nn)["SimpleViT"](**sizes),
          batches, held, want, theirs)
    train(ag, nn, nn.optim, simple_vit_classes(ag, nn)["SimpleViT"](**sizes),
          batches, held, got, ours)
    assert_records(got, want)


def test_torchvision_vit_with_transformer_encoder_matches_pytorch(torch):
    batches, *held = digits_batches(5, 32)
    sizes = dict(image_size=8, patch_size=4, num_layers=2, num_heads=2, hidden_dim=16,
                 mlp_dim=32, channels=1)
    ours, theirs = weight_sync()
    want, got = Printed(), Printed()
    train(torch, torch.nn, torch.optim, torchvision_vit_class(torch, torch.nn)(**sizes), batches,
          held, want, theirs)
    train(ag, nn, nn.optim, torchvision_vit_class(ag, nn)(**sizes), batches, held, got, ours)
    assert_records(got, want)
