"""A grouped-query decoder with a KV cache, as Meta's LLaMA ``model.py`` (the inference
side llama2.c's training port leaves out) and Mistral's reference write it, next to
PyTorch (float64, the same weights):
- grouped-query and multi-query attention, k/v heads expanded by
  ``repeat_interleave(n_rep, dim=1)`` before a hand-written softmax attention, or left to
  ``F.scaled_dot_product_attention(..., attn_mask=mask, enable_gqa=True)``;
- Mistral's sliding-window mask ``torch.log(torch.triu(torch.tril(ones), diagonal=-W))``
  and LLaMA's causal one, ``torch.triu(torch.full(..., -inf), diagonal=1)`` beside
  ``torch.zeros((seqlen, start_pos))`` by ``torch.hstack``;
- the caches as buffers, written ``self.cache_k[:bsz, start_pos:start_pos + seqlen] = xk``
  under ``@torch.inference_mode()`` (Meta's) or ``cache_k.index_copy_(1, positions, xk)``
  (Hugging Face's static cache);
- ``nn.RMSNorm`` and ``F.rms_norm``, the SwiGLU feed-forward, rotary pairs in real numbers.
Training steps agree with PyTorch to 1e-10, and decoding a prompt then one token at a
time gives the logits of the full forward (in both libraries, and equal to each other).

Lines written differently here: ``torch.nn.functional`` is ``F`` and ``torch.nn`` is
``nn`` (``autograd`` never imports ``nn``); ``precompute_freqs_cis`` returns the cos and
sin of its angles (the rewrite the complex form's error names; see
``test_pytorch_ports_attention_rotary.py``) in float64; ``self.output(h).float()`` (an
upcast from bfloat16) drops the ``.float()``, and the attention's ``scores.float()`` is
``scores.double()``: float32 softmaxes and losses round differently in the last place.
"""

import math
from dataclasses import dataclass
from typing import Optional

import numpy as np
import pytest

import autograd as ag
from test_pytorch_ports_attention_moe import both_layers
from test_pytorch_ports_attention_rotary import apply_rotary_emb_real
from test_pytorch_ports_gpt_lecture import assert_records, libraries


@dataclass
class ModelArgs:
    dim: int = 16
    n_layers: int = 2
    n_heads: int = 4
    n_kv_heads: Optional[int] = 2
    vocab_size: int = 11
    norm_eps: float = 1e-5
    max_batch_size: int = 2
    max_seq_len: int = 12
    sliding_window: Optional[int] = None
    cache: str = "slice"  # or "index_copy"
    sdpa: bool = False  # F.scaled_dot_product_attention(enable_gqa=True)


def llama_program(torch, nn, F):
    def precompute_freqs_cis(dim: int, end: int, theta: float = 10000.0):
        freqs = 1.0 / (theta ** (torch.arange(0, dim, 2)[: (dim // 2)].double() / dim))
        t = torch.arange(end, device=freqs.device)
        freqs = torch.outer(t, freqs)
        return torch.cos(freqs), torch.sin(freqs)

    class Attention(nn.Module):
        def __init__(self, args: ModelArgs):
            super().__init__()
            self.n_kv_heads = args.n_heads if args.n_kv_heads is None else args.n_kv_heads
            self.n_local_heads = args.n_heads
            self.n_local_kv_heads = self.n_kv_heads
            self.n_rep = self.n_local_heads // self.n_local_kv_heads
            self.head_dim = args.dim // args.n_heads
            self.sdpa, self.cache = args.sdpa, args.cache
            self.wq = nn.Linear(args.dim, args.n_heads * self.head_dim, bias=False)
            self.wk = nn.Linear(args.dim, self.n_kv_heads * self.head_dim, bias=False)
            self.wv = nn.Linear(args.dim, self.n_kv_heads * self.head_dim, bias=False)
            self.wo = nn.Linear(args.n_heads * self.head_dim, args.dim, bias=False)
            shape = (args.max_batch_size, args.max_seq_len, self.n_local_kv_heads,
                     self.head_dim)
            self.register_buffer("cache_k", torch.zeros(shape), persistent=False)
            self.register_buffer("cache_v", torch.zeros(shape), persistent=False)

        def forward(self, x, start_pos, freqs_cos, freqs_sin, mask, use_cache):
            bsz, seqlen, _ = x.shape
            xq, xk, xv = self.wq(x), self.wk(x), self.wv(x)
            xq = xq.view(bsz, seqlen, self.n_local_heads, self.head_dim)
            xk = xk.view(bsz, seqlen, self.n_local_kv_heads, self.head_dim)
            xv = xv.view(bsz, seqlen, self.n_local_kv_heads, self.head_dim)
            xq, xk = apply_rotary_emb_real(torch, xq, xk, freqs_cos, freqs_sin)
            if not use_cache:
                keys, values = xk, xv
            elif self.cache == "slice":
                self.cache_k[:bsz, start_pos: start_pos + seqlen] = xk
                self.cache_v[:bsz, start_pos: start_pos + seqlen] = xv
                keys = self.cache_k[:bsz, : start_pos + seqlen]
                values = self.cache_v[:bsz, : start_pos + seqlen]
            else:
                cache_position = torch.arange(start_pos, start_pos + seqlen)
                self.cache_k.index_copy_(1, cache_position, xk)
                self.cache_v.index_copy_(1, cache_position, xv)
                keys = self.cache_k[:, : start_pos + seqlen]
                values = self.cache_v[:, : start_pos + seqlen]
            xq = xq.transpose(1, 2)  # (bs, n_local_heads, seqlen, head_dim)
            keys = keys.transpose(1, 2)  # (bs, n_local_kv_heads, cache_len + seqlen, head_dim)
            values = values.transpose(1, 2)
            if self.sdpa:
                output = F.scaled_dot_product_attention(xq, keys, values, attn_mask=mask,
                                                        enable_gqa=True)
            else:
                # repeat k/v heads if n_kv_heads < n_heads
                keys = keys.repeat_interleave(self.n_rep, dim=1)
                values = values.repeat_interleave(self.n_rep, dim=1)
                scores = torch.matmul(xq, keys.transpose(2, 3)) / math.sqrt(self.head_dim)
                if mask is not None:
                    scores = scores + mask  # (bs, n_local_heads, seqlen, cache_len + seqlen)
                scores = F.softmax(scores.double(), dim=-1).type_as(xq)
                output = torch.matmul(scores, values)  # (bs, n_local_heads, seqlen, head_dim)
            output = output.transpose(1, 2).contiguous().view(bsz, seqlen, -1)
            return self.wo(output)

    class FeedForward(nn.Module):
        def __init__(self, dim: int, hidden_dim: int):
            super().__init__()
            self.w1 = nn.Linear(dim, hidden_dim, bias=False)
            self.w2 = nn.Linear(hidden_dim, dim, bias=False)
            self.w3 = nn.Linear(dim, hidden_dim, bias=False)

        def forward(self, x):
            return self.w2(F.silu(self.w1(x)) * self.w3(x))

    class TransformerBlock(nn.Module):
        def __init__(self, layer_id: int, args: ModelArgs):
            super().__init__()
            self.attention = Attention(args)
            self.feed_forward = FeedForward(args.dim, 2 * args.dim)
            self.attention_norm = nn.RMSNorm(args.dim, eps=args.norm_eps)
            self.ffn_weight = nn.Parameter(torch.ones(args.dim))
            self.norm_eps = args.norm_eps

        def forward(self, x, start_pos, freqs_cos, freqs_sin, mask, use_cache):
            h = x + self.attention(self.attention_norm(x), start_pos, freqs_cos, freqs_sin,
                                   mask, use_cache)
            normed = F.rms_norm(h, (h.shape[-1],), self.ffn_weight, self.norm_eps)
            return h + self.feed_forward(normed)

    class Transformer(nn.Module):
        def __init__(self, params: ModelArgs):
            super().__init__()
            self.params = params
            self.tok_embeddings = nn.Embedding(params.vocab_size, params.dim)
            self.layers = nn.ModuleList(
                [TransformerBlock(layer_id, params) for layer_id in range(params.n_layers)])
            self.norm = nn.RMSNorm(params.dim, eps=params.norm_eps)
            self.output = nn.Linear(params.dim, params.vocab_size, bias=False)
            freqs_cos, freqs_sin = precompute_freqs_cis(params.dim // params.n_heads,
                                                        params.max_seq_len * 2)
            self.register_buffer("freqs_cos", freqs_cos, persistent=False)
            self.register_buffer("freqs_sin", freqs_sin, persistent=False)

        def make_mask(self, seqlen, start_pos, h):
            if self.params.sliding_window is not None:  # Mistral's, cropped to the new rows
                total = start_pos + seqlen
                mask = torch.full((total, total), fill_value=1, dtype=h.dtype)
                mask = torch.tril(mask, diagonal=0)
                # make the mask banded to account for sliding window
                mask = torch.triu(mask, diagonal=-self.params.sliding_window)
                return torch.log(mask)[start_pos:]
            mask = None
            if seqlen > 1:
                mask = torch.full((seqlen, seqlen), float("-inf"), device=h.device)
                mask = torch.triu(mask, diagonal=1)
                # When performing key-value caching, we compute the attention scores only
                # for the new sequence. Thus, the matrix of scores is of size (seqlen,
                # cache_len + seqlen), and the only masked entries are (i, j) for j > cache_len
                # + i, since row i corresponds to token cache_len + i.
                mask = torch.hstack([torch.zeros((seqlen, start_pos), device=h.device),
                                     mask]).type_as(h)
            return mask

        def forward(self, tokens, start_pos: int = 0, use_cache: bool = False):
            _bsz, seqlen = tokens.shape
            h = self.tok_embeddings(tokens)
            freqs_cos = self.freqs_cos[start_pos: start_pos + seqlen]
            freqs_sin = self.freqs_sin[start_pos: start_pos + seqlen]
            mask = self.make_mask(seqlen, start_pos, h)
            for layer in self.layers:
                h = layer(h, start_pos, freqs_cos, freqs_sin, mask, use_cache)
            h = self.norm(h)
            return self.output(h)  # .float() in Meta's: see the docstring

        @torch.inference_mode()
        def decode(self, tokens, prompt_len: int):
            """The logits of every position by the cache: the prompt at once, then one
            token at a time."""
            logits = [self(tokens[:, :prompt_len], 0, use_cache=True)]
            for cur_pos in range(prompt_len, tokens.shape[1]):
                logits.append(self(tokens[:, cur_pos: cur_pos + 1], cur_pos, use_cache=True))
            return torch.cat(logits, dim=1)

    return Transformer


VARIANTS = [dict(), dict(n_kv_heads=1, cache="index_copy"), dict(sdpa=True),
            dict(sliding_window=3, cache="index_copy", sdpa=True), dict(sliding_window=2)]


def train_records(torch, model, tokens, steps: int = 2) -> list:
    torch_, _, F, optim = libraries(torch)
    optimizer = optim.AdamW(model.parameters(), lr=1e-2)
    records = []
    for _ in range(steps):
        x = torch_.tensor(tokens)
        logits = model(x[:, :-1])
        loss = F.cross_entropy(logits.reshape(-1, logits.size(-1)), x[:, 1:].reshape(-1))
        optimizer.zero_grad()
        loss.backward()
        records += [loss.item()] + [p.grad.numpy().copy() for p in model.parameters()]
        optimizer.step()
    return records + [p.detach().numpy() for p in model.parameters()]


@pytest.mark.parametrize("variant", VARIANTS, ids=str)
def test_grouped_query_decoder_trains_as_torch(torch, variant: dict) -> None:
    tokens = np.random.default_rng(0).integers(0, 11, (2, 9))
    ours, theirs = both_layers(torch, llama_program, ModelArgs(**variant))
    assert_records(train_records(None, ours, tokens), train_records(torch, theirs, tokens))


@pytest.mark.parametrize("variant", VARIANTS, ids=str)
def test_kv_cache_decoding_gives_the_full_forward_logits(torch, variant: dict) -> None:
    tokens = np.random.default_rng(1).integers(0, 11, (2, 8))
    ours, theirs = both_layers(torch, llama_program, ModelArgs(**variant))
    runs = []
    for lib, model in ((ag, ours), (torch, theirs)):
        with lib.no_grad():
            full = model(lib.tensor(tokens)).numpy()
        cached = model.decode(lib.tensor(tokens), prompt_len=3).numpy()
        np.testing.assert_allclose(cached, full, rtol=1e-10, atol=1e-12)
        runs.append(cached)
    np.testing.assert_allclose(runs[0], runs[1], rtol=1e-10, atol=1e-12)
