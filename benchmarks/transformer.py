"""transformer: one AdamW step of a tiny GPT-like character model, float32: tokens
(batch 16, length 32, vocabulary 32) -> ``nn.Embedding(32, 64)`` plus a learned
position ``nn.Embedding(64, 64)`` -> 2 x ``nn.TransformerEncoderLayer(64, 4,
dim_feedforward=256, dropout=0.0, activation="gelu", batch_first=True,
norm_first=True)`` with the causal mask (``src_mask`` and ``is_causal=True``, as PyTorch
requires) -> ``nn.LayerNorm(64)`` -> ``nn.Linear(64, 32)`` -> the cross-entropy of the
next token (mean); AdamW (lr 1e-3, weight decay 0.01, decoupled: p = p (1 - lr wd),
then Adam on the raw gradient, as ``nn.optim.AdamW`` and ``torch.optim.AdamW``).

The engine runs the library's layers; the baseline is the same step by hand in NumPy
(``benchmarks/transformer_numpy.py``: forward, backward and AdamW, with the exact GELU
of both libraries' default through a float32 erf approximation), and PyTorch runs it
too."""

from __future__ import annotations

from typing import Any, Callable

import numpy as np

import autograd as ag
import nn
import nn.functional as F

from .breakdown import NOTE, adam_step_candidates
from .harness import Case, Settings, measure, same_layout
from .transformer_numpy import NumpyTransformer

__all__ = ["run", "TinyGPT", "torch_gpt"]

VOCAB, WIDTH, HEADS, FEEDFORWARD, LAYERS, CONTEXT = 32, 64, 4, 256, 2, 64
BATCH, LENGTH = 16, 32
LR, BETAS, EPS, WEIGHT_DECAY = 1e-3, (0.9, 0.999), 1e-8, 0.01
TARGET = "none: it shows where a small transformer stands"
LAYER_OPTIONS = dict(dim_feedforward=FEEDFORWARD, dropout=0.0, activation="gelu",
                     batch_first=True, norm_first=True)


class TinyGPT(nn.Module):
    """Token and position embeddings, causal pre-norm encoder layers, a final layer norm
    and a linear head: logits (N, L, VOCAB) for tokens (N, L)."""

    def __init__(self, rng: np.random.Generator) -> None:
        super().__init__()
        self.tok_emb = nn.Embedding(VOCAB, WIDTH, rng=rng, dtype=np.float32)
        self.pos_emb = nn.Embedding(CONTEXT, WIDTH, rng=rng, dtype=np.float32)
        self.layers = nn.ModuleList([
            nn.TransformerEncoderLayer(WIDTH, HEADS, **LAYER_OPTIONS, rng=rng,
                                       dtype=np.float32) for _ in range(LAYERS)])
        self.norm = nn.LayerNorm(WIDTH, dtype=np.float32)
        self.head = nn.Linear(WIDTH, VOCAB, rng=rng, dtype=np.float32)

    def forward(self, tokens: np.ndarray) -> ag.Tensor:
        length = tokens.shape[1]
        mask = nn.generate_square_subsequent_mask(length, dtype=np.float32)
        x = self.tok_emb(tokens) + self.pos_emb(np.arange(length))
        for layer in self.layers:
            x = layer(x, src_mask=mask, is_causal=True)
        return self.head(self.norm(x))


def torch_gpt(torch: Any, params: list[np.ndarray]) -> tuple[Callable[[Any, Any], Any], list]:
    """(loss function (tokens, targets) -> tensor, parameters in the baseline's order):
    TinyGPT written with ``torch.nn``, starting from ``params``."""
    tnn, f32 = torch.nn, torch.float32
    modules = tnn.ModuleDict(dict(
        tok_emb=tnn.Embedding(VOCAB, WIDTH, dtype=f32),
        pos_emb=tnn.Embedding(CONTEXT, WIDTH, dtype=f32),
        layers=tnn.ModuleList([tnn.TransformerEncoderLayer(WIDTH, HEADS, **LAYER_OPTIONS,
                                                           dtype=f32)
                               for _ in range(LAYERS)]),
        norm=tnn.LayerNorm(WIDTH, dtype=f32), head=tnn.Linear(WIDTH, VOCAB, dtype=f32)))
    tp = list(modules.parameters())
    with torch.no_grad():
        for p, value in zip(tp, params, strict=True):
            p.copy_(torch.from_numpy(value))

    def loss_fn(tokens: Any, targets: Any) -> Any:
        length = tokens.shape[1]
        mask = tnn.Transformer.generate_square_subsequent_mask(length, dtype=f32)
        x = modules["tok_emb"](tokens) + modules["pos_emb"](torch.arange(length))
        for layer in modules["layers"]:
            x = layer(x, src_mask=mask, is_causal=True)
        logits = modules["head"](modules["norm"](x))
        return torch.nn.functional.cross_entropy(logits.reshape(-1, VOCAB), targets)
    return loss_fn, tp


def _parameter_order() -> list[str]:
    """The baseline's parameter order: PyTorch's ``named_parameters`` for TinyGPT."""
    layer = [f"{part}.{kind}" for part in ("self_attn.in_proj", "self_attn.out_proj",
                                           "linear1", "linear2", "norm1", "norm2")
             for kind in ("weight", "bias")]
    layer = [name.replace("in_proj.", "in_proj_") for name in layer]
    return (["tok_emb.weight", "pos_emb.weight"]
            + [f"layers.{k}.{name}" for k in range(LAYERS) for name in layer]
            + ["norm.weight", "norm.bias", "head.weight", "head.bias"])


def run(settings: Settings, batch: int | None = None, length: int | None = None
        ) -> list[Case]:
    batch = batch or (4 if settings.quick else BATCH)
    length = length or (8 if settings.quick else LENGTH)
    rng = np.random.default_rng(5)
    text = rng.integers(0, VOCAB, (batch, length + 1))
    tokens = np.ascontiguousarray(text[:, :-1])
    targets = text[:, 1:].reshape(-1)  # the next token at every position
    model = TinyGPT(np.random.default_rng(0))
    named = dict(model.named_parameters())
    if list(named) != _parameter_order():
        raise RuntimeError(f"TinyGPT has parameters {list(named)}; the benchmark's NumPy "
                           f"baseline expects {_parameter_order()}: update "
                           f"benchmarks/transformer.py")
    params = list(named.values())
    arrays = same_layout(p.data for p in params)
    by_hand = NumpyTransformer(arrays, HEADS, LR, BETAS, EPS, WEIGHT_DECAY)
    adam = dict(lr=LR, betas=BETAS, eps=EPS, weight_decay=WEIGHT_DECAY)
    optimizer = nn.optim.AdamW(params, **adam)

    def loss_fn() -> ag.Tensor:
        return F.cross_entropy(model(tokens).reshape(-1, VOCAB), targets)

    def torch_parts(torch: Any) -> tuple[Callable[[], Any], list]:
        tloss, tparams = torch_gpt(torch, arrays)
        tt, ty = torch.from_numpy(tokens), torch.from_numpy(targets)
        return (lambda: tloss(tt, ty)), tparams

    candidates, note = adam_step_candidates(
        settings, by_hand, (tokens, targets), "autograd + nn.Transformer", loss_fn,
        params, optimizer, adam, torch_parts, torch_optimizer="AdamW")
    title = (f"{LAYERS}-layer causal pre-norm TransformerEncoderLayer({WIDTH}, {HEADS}, "
             f"ff {FEEDFORWARD}, GELU) + embeddings + LayerNorm + Linear head, float32, "
             f"vocabulary {VOCAB}, length {length}, batch {batch}, next-token "
             f"cross-entropy, one AdamW step")
    # gradients here are about 1e-3 at most: atol 1e-7 keeps the check relative (1e-4)
    case = measure("transformer", title, "ms/step", 1e-3, candidates, settings, rtol=1e-4,
                   atol=1e-7, target=TARGET)
    case.notes += [NOTE] + ([note] if note else [])
    return [case]
