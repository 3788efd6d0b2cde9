"""Microsoft's Swin Transformer (``swin_program.py``) trained on scikit-learn's 8x8 digits
step for step next to PyTorch (float64, the same starting weights) with the repository's
recipe shrunk: ``set_weight_decay`` (no decay for 1-d parameters, biases,
``no_weight_decay()`` and the ``relative_position_bias_table`` keyword), ``AdamW``,
``clip_grad_norm_``, ``CrossEntropyLoss(label_smoothing=0.1)``. Both window-attention
blocks (plain and shifted, with the attention mask), patch merging, the absolute position
embedding and activation checkpointing run. Every step's loss, gradients and gradient norm,
the buffers (relative position index, shifted-window mask), the predictions and the final
parameters agree.

Written differently: the models start from PyTorch's weights (``weight_sync``: each library
draws its own); ``torch.utils.checkpoint`` is ``nn.checkpoint`` here (this library has no
``torch.utils``); ``float(total_norm)`` reads the norm ``clip_grad_norm_`` returns.
"""

import pytest

import autograd as ag
import nn
from swin_program import swin_classes
from test_pytorch_ports_nlp_tutorial import Printed, assert_records, weight_sync
from vit_programs import digits_batches


def check_keywords_in_name(name, keywords=()):
    isin = False
    for keyword in keywords:
        if keyword in name:
            isin = True
    return isin


def set_weight_decay(model, skip_list=(), skip_keywords=()):
    has_decay = []
    no_decay = []

    for name, param in model.named_parameters():
        if not param.requires_grad:
            continue  # frozen weights
        if len(param.shape) == 1 or name.endswith(".bias") or (name in skip_list) or \
                check_keywords_in_name(name, skip_keywords):
            no_decay.append(param)
        else:
            has_decay.append(param)
    return [{'params': has_decay},
            {'params': no_decay, 'weight_decay': 0.}]


def run(torch, nn, optim, clip, checkpoint, batches, held, record, sync, **options):
    """Build the model, train a few steps, evaluate."""
    SwinTransformer = swin_classes(torch, nn, checkpoint)["SwinTransformer"]
    model = SwinTransformer(img_size=8, patch_size=2, in_chans=1, num_classes=10,
                            embed_dim=16, depths=[2, 2], num_heads=[2, 4], window_size=2,
                            drop_path_rate=0., **options)
    sync(model)
    record.append(sorted(model.state_dict().keys()))
    shifted = model.layers[0].blocks[1]
    record += [shifted.attn_mask, shifted.attn.relative_position_index]
    parameters = set_weight_decay(model, model.no_weight_decay(),
                                  model.no_weight_decay_keywords())
    optimizer = optim.AdamW(parameters, eps=1e-8, betas=(0.9, 0.999), lr=1e-3,
                            weight_decay=0.05)
    criterion = nn.CrossEntropyLoss(label_smoothing=0.1)
    for images, labels in batches:
        model.train()
        optimizer.zero_grad()
        outputs = model(torch.tensor(images))
        loss = criterion(outputs, torch.tensor(labels))
        loss.backward()
        grad_norm = clip(model.parameters(), 5.0)
        record += [p.grad for p in model.parameters()]
        record += [loss.item(), float(grad_norm)]
        optimizer.step()
    model.eval()
    with torch.no_grad():
        record.append(model(torch.tensor(held[0])).argmax(dim=-1))
    record += list(model.parameters())


@pytest.mark.parametrize("options", [
    dict(),
    dict(ape=True, use_checkpoint=True, patch_norm=False),
], ids=["plain", "ape-checkpoint"])
def test_swin_transformer_trains_like_pytorch(torch, options):
    import torch.utils.checkpoint
    batches, *held = digits_batches(4, 16)
    ours, theirs = weight_sync()
    want, got = Printed(), Printed()
    run(torch, torch.nn, torch.optim, torch.nn.utils.clip_grad_norm_, torch.utils.checkpoint,
        batches, held, want, theirs, **options)
    run(ag, nn, nn.optim, nn.utils.clip_grad_norm_, nn.checkpoint, batches, held, got, ours,
        **options)
    assert_records(got, want)
