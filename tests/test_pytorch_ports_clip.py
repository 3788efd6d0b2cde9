"""OpenAI's CLIP (``clip_program.py``) trained contrastively on scikit-learn's 8x8 digits
paired with generated captions ("a photo of the digit k" / "digit k" as token ids, the EOT
token the largest id) step for step next to PyTorch (float64, the same starting weights),
then used zero-shot as CLIP's README does. Training as in the CLIP repository's
fine-tuning answer and open_clip: ``AdamW`` with no decay for gains, biases and
``logit_scale``, the symmetric cross-entropy over ``logits_per_image`` and
``logits_per_text``, ``logit_scale.clamp_(0, math.log(100))`` under ``no_grad``; or
open_clip's SigLIP loss (``logsigmoid`` of +-1 labels times the logits, a learned
``logit_bias``). Every step's loss, gradients and temperature, the zero-shot
similarities, ``topk`` values and indices, and the final parameters agree.

Written differently: the models start from PyTorch's weights (``weight_sync``: each library
draws its own).
"""

import math

import numpy as np
import pytest

import autograd as ag
import nn
import nn.functional as nn_F
from clip_program import clip_classes
from test_pytorch_ports_nlp_tutorial import Printed, assert_records, weight_sync
from vit_programs import digits_batches

SOT, A, PHOTO, OF, THE, DIGIT, EOT = 1, 2, 3, 4, 5, 6, 17  # digits k are 7 + k
CONTEXT = 8


def caption(label: int, short: bool) -> list:
    """Token ids of "digit k" or "a photo of the digit k", padded with 0 after EOT."""
    words = [DIGIT, 7 + label] if short else [A, PHOTO, OF, THE, DIGIT, 7 + label]
    tokens = [SOT] + words + [EOT]
    return tokens + [0] * (CONTEXT - len(tokens))


def tokenize(labels, short_every=2) -> np.ndarray:
    return np.array([caption(int(k), i % short_every == 0) for i, k in enumerate(labels)])


class SigLipLoss:
    """open_clip's SigLIP loss (one process): a sigmoid per image-text pair, +1 on the
    diagonal and -1 elsewhere, summed and divided by the batch size."""

    def __init__(self, torch, F):
        self.torch, self.F = torch, F

    def get_ground_truth(self, device, dtype, num_logits, negative_only=False):
        labels = -self.torch.ones((num_logits, num_logits), device=device, dtype=dtype)
        if not negative_only:
            labels = 2 * self.torch.eye(num_logits, device=device, dtype=dtype) + labels
        return labels

    def get_logits(self, image_features, text_features, logit_scale, logit_bias=None):
        logits = logit_scale * image_features @ text_features.T
        if logit_bias is not None:
            logits += logit_bias
        return logits

    def __call__(self, image_features, text_features, logit_scale, logit_bias=None):
        logits = self.get_logits(image_features, text_features, logit_scale, logit_bias)
        labels = self.get_ground_truth(image_features.device, image_features.dtype,
                                       image_features.shape[0])
        return -self.F.logsigmoid(labels * logits).sum() / image_features.shape[0]


def build(torch, nn, siglip):
    CLIP = clip_classes(torch, nn)["CLIP"]
    model = CLIP(embed_dim=8, image_resolution=8, vision_layers=2, vision_width=16,
                 vision_patch_size=4, context_length=CONTEXT, vocab_size=EOT + 1,
                 transformer_width=16, transformer_heads=2, transformer_layers=2,
                 in_channels=1)
    if siglip:  # open_clip's init_logit_scale = log(10), init_logit_bias = -10
        model.logit_scale = nn.Parameter(torch.ones([]) * np.log(10))
        model.logit_bias = nn.Parameter(torch.ones([]) * -10)
    return model


def contrastive_loss(torch, nn, F, model, images, texts, siglip):
    """CLIP's symmetric cross-entropy, or SigLIP's on open_clip's normalized features."""
    if siglip:
        image_features = F.normalize(model.encode_image(images), dim=-1)
        text_features = F.normalize(model.encode_text(texts), dim=-1)
        return SigLipLoss(torch, F)(image_features, text_features, model.logit_scale.exp(),
                                    model.logit_bias)
    loss_img = nn.CrossEntropyLoss()
    loss_txt = nn.CrossEntropyLoss()
    logits_per_image, logits_per_text = model(images, texts)
    ground_truth = torch.arange(len(images), dtype=torch.long)
    return (loss_img(logits_per_image, ground_truth)
            + loss_txt(logits_per_text, ground_truth)) / 2


def run(torch, nn, F, optim, batches, held, record, sync, siglip=False):
    model = build(torch, nn, siglip)
    sync(model)

    def exclude(n, p):
        return p.ndim < 2 or "bn" in n or "ln" in n or "bias" in n or 'logit_scale' in n

    def include(n, p):
        return not exclude(n, p)

    named_parameters = list(model.named_parameters())
    gain_or_bias_params = [p for n, p in named_parameters if exclude(n, p) and p.requires_grad]
    rest_params = [p for n, p in named_parameters if include(n, p) and p.requires_grad]
    optimizer = optim.AdamW([
        {"params": gain_or_bias_params, "weight_decay": 0.},
        {"params": rest_params, "weight_decay": 0.2},
    ], lr=5e-3, betas=(0.9, 0.98), eps=1e-6)
    for images, labels in batches:
        images, texts = torch.tensor(images), torch.tensor(tokenize(labels))
        optimizer.zero_grad()
        total_loss = contrastive_loss(torch, nn, F, model, images, texts, siglip)
        total_loss.backward()
        record += [p.grad for p in model.parameters()]
        optimizer.step()
        with torch.no_grad():
            model.logit_scale.clamp_(0, math.log(100))
        record += [total_loss.item(), model.logit_scale.item()]

    # zero-shot classification as in CLIP's README
    model.eval()
    image_input = torch.tensor(held[0][:20])
    text_inputs = torch.tensor(tokenize(range(10), short_every=10 ** 6))
    with torch.no_grad():
        image_features = model.encode_image(image_input)
        text_features = model.encode_text(text_inputs)
    image_features /= image_features.norm(dim=-1, keepdim=True)
    text_features /= text_features.norm(dim=-1, keepdim=True)
    similarity = (100.0 * image_features @ text_features.T).softmax(dim=-1)
    values, indices = similarity[0].topk(5)
    record += [similarity, values, indices]
    record += list(model.parameters())


@pytest.mark.parametrize("siglip", [False, True], ids=["clip", "siglip"])
def test_clip_trains_and_classifies_zero_shot_like_pytorch(torch, siglip):
    batches, *held = digits_batches(3, 12)
    ours, theirs = weight_sync()
    want, got = Printed(), Printed()
    run(torch, torch.nn, torch.nn.functional, torch.optim, batches, held, want, theirs,
        siglip)
    run(ag, nn, nn_F, nn.optim, batches, held, got, ours, siglip)
    # atol 1e-10: the key bias's gradient is zero in exact arithmetic (it adds q . b_k to
    # every score of a row, which softmax ignores); both libraries leave ~1e-12 of rounding
    assert_records(got, want, atol=1e-10)
