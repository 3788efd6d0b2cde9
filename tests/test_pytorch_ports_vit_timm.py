"""timm's ``VisionTransformer`` (``vit_timm_program.py``) trained on scikit-learn's 8x8
digits step for step next to PyTorch (float64, the same starting weights), then fine-tuned
at 12x12 as DeiT and MAE do: the trained ``state_dict()``'s ``pos_embed`` resized by
``interpolate_pos_embed`` (bicubic), loaded into the larger model, the images upsampled
with ``F.interpolate(..., mode='bilinear')``. The training is timm's/DeiT's recipe, shrunk:
parameter groups without weight decay for biases, norms and ``no_weight_decay()``,
``AdamW(betas=...)``, ``SequentialLR`` of a ``LinearLR`` warmup and ``CosineAnnealingLR``,
``clip_grad_norm_``, ``CrossEntropyLoss(label_smoothing=0.1)``. Every step's loss,
gradients, gradient norm and learning rate, the predictions and the final parameters agree.

Written differently: the models start from PyTorch's weights (``weight_sync``: each library
draws its own); dropout and drop-path rates are 0 (the masks would differ);
``float(total_norm)`` reads the norm ``clip_grad_norm_`` returns.
"""

import pytest

import autograd as ag
import nn
import nn.functional as nn_F
from test_pytorch_ports_nlp_tutorial import Printed, assert_records, weight_sync
from vit_programs import digits_batches
from vit_timm_program import interpolate_pos_embed, timm_classes


def fit(torch, nn, optim, clip, model, batches, record, resize=None):
    """timm's parameter groups, warmup + cosine, clipping, label smoothing."""
    skip = model.no_weight_decay()
    decay, no_decay = [], []
    for name, param in model.named_parameters():
        if not param.requires_grad:
            continue
        if param.ndim <= 1 or name.endswith(".bias") or name in skip:
            no_decay.append(param)
        else:
            decay.append(param)
    optimizer = optim.AdamW([{'params': no_decay, 'weight_decay': 0.},
                             {'params': decay, 'weight_decay': 0.05}], lr=2e-3,
                            betas=(0.9, 0.999))
    warmup = optim.lr_scheduler.LinearLR(optimizer, start_factor=0.1, total_iters=2)
    cosine = optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=len(batches) - 2)
    scheduler = optim.lr_scheduler.SequentialLR(optimizer, [warmup, cosine], milestones=[2])
    criterion = nn.CrossEntropyLoss(label_smoothing=0.1)
    for images, labels in batches:
        model.train()
        images = torch.tensor(images) if resize is None else resize(torch.tensor(images))
        optimizer.zero_grad()
        loss = criterion(model(images), torch.tensor(labels))
        loss.backward()
        total_norm = clip(model.parameters(), max_norm=1.0)
        record += [p.grad for p in model.parameters()]
        record += [loss.item(), float(total_norm)]
        optimizer.step()
        scheduler.step()
        record.append(optimizer.param_groups[0]["lr"])


def run(torch, nn, F, optim, clip, batches, held, record, sync, **options):
    """Train at 8x8, evaluate, fine-tune at 12x12 from the resized checkpoint."""
    VisionTransformer = timm_classes(torch, nn, F)["VisionTransformer"]
    model = VisionTransformer(**options)
    sync(model)
    fit(torch, nn, optim, clip, model, batches[:5], record)
    model.eval()
    with torch.no_grad():
        record.append(model(torch.tensor(held[0])).argmax(dim=-1))

    def resize(images):
        return F.interpolate(images, size=(12, 12), mode='bilinear', align_corners=False)

    finetune = VisionTransformer(img_size=12, **options)
    checkpoint_model = model.state_dict()
    interpolate_pos_embed(torch, F, finetune, checkpoint_model)
    msg = finetune.load_state_dict(checkpoint_model, strict=False)
    record.append(sorted(msg.missing_keys) + sorted(msg.unexpected_keys))
    record.append(checkpoint_model['pos_embed'])
    fit(torch, nn, optim, clip, finetune, batches[5:], record, resize)
    record += list(finetune.parameters())


@pytest.mark.parametrize("options", [
    dict(global_pool='token', fused_attn=True),
    dict(global_pool='avg', fused_attn=False, qk_norm=True, init_values=1e-1),
], ids=["token-fused", "avg-qknorm-layerscale"])
def test_timm_vit_and_deit_finetune_match_pytorch(torch, options):
    batches, *held = digits_batches(8, 32)
    ours, theirs = weight_sync()
    want, got = Printed(), Printed()
    run(torch, torch.nn, torch.nn.functional, torch.optim, torch.nn.utils.clip_grad_norm_,
        batches, held, want, theirs, **options)
    run(ag, nn, nn_F, nn.optim, nn.utils.clip_grad_norm_, batches, held, got, ours,
        **options)
    assert_records(got, want)


def test_drop_path_keeps_or_drops_whole_samples(torch):
    """timm's drop_path in training: each sample kept (scaled by 1 / keep_prob) or zeroed."""
    drop_path = timm_classes(ag, nn, nn_F)["drop_path"]
    ag.manual_seed(0)
    x = ag.ones(64, 3, 4)
    y = drop_path(x, 0.25, training=True).numpy()
    per_sample = y.reshape(64, -1)
    assert set(per_sample.min(axis=1).round(12)) <= {0.0, round(1 / 0.75, 12)}
    assert (per_sample.min(axis=1) == per_sample.max(axis=1)).all()
    assert drop_path(x, 0.25, training=False) is x
