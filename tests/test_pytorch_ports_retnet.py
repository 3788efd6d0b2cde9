"""RetNet's multi-scale retention as Microsoft's ``torchscale`` writes it
(``torchscale/architecture/retnet.py`` and ``component/multiscale_retention.py``), next to
PyTorch (float64, the same weights):
- ``RetNetRelPos``: angles by ``torch.linspace``, ``unsqueeze(-1).repeat(1, 2).flatten()``,
  per-head decays ``log(1 - 2 ** (-5 - arange(heads, dtype=...)))``, the decay
  mask by ``torch.masked_fill(index[:, None] - index[None, :], ~mask.bool(), inf)``,
  ``exp``, ``torch.nan_to_num`` and row scaling by ``sum(...).sqrt()``;
- ``theta_shift`` with ``rotate_every_two`` (``torch.stack((-x2, x1), dim=-1).flatten(-2)``);
- the chunkwise recurrent form (``chunk_recurrent_forward``: ``inner_mask``,
  ``cross_decay``, ``query_inner_decay``, ``value_inner_decay``, and a loop over chunks
  carrying ``kv_state`` and its detached ``.max(dim=-1, keepdim=True).values`` scale);
- the parallel form, normalised by ``qk_mat.detach().abs().sum(...).clamp(min=1, max=5e4)``,
  and the recurrent form with its running ``scale``; an RMSNorm without affine weights
  (``nn.RMSNorm(..., elementwise_affine=False)``), the swish gate, ``k *= self.scaling``
  and torchscale's ``xavier_uniform_(..., gain=2 ** -2.5)`` init.
Training steps of a small decoder (parallel and chunkwise) agree with PyTorch to 1e-10,
and the chunkwise form and decoding one token at a time by the recurrent form give the
parallel form's logits (in both libraries).

Lines written differently here: the decays' ``arange(..., dtype=torch.float)`` is
``torch.double``: the float32 mask then comes from float32 ``exp``, whose last bit NumPy
and PyTorch round differently (29 of 128 entries one ulp apart; gradients 1e-6 apart).
torchscale's own ``RMSNorm`` class is PyTorch's
``nn.RMSNorm``; with a negligible ``eps`` (the equivalence test: 1e-30, as this library's
norms refuse PyTorch's ``eps=0`` on purpose) both forms agree to rounding, since the norm
then undoes the parallel form's extra row scaling.
"""

from dataclasses import dataclass

import numpy as np
import pytest

import autograd as ag
from test_pytorch_ports_attention_moe import both_layers
from test_pytorch_ports_gpt_lecture import assert_records, libraries


@dataclass
class RetNetConfig:
    vocab_size: int = 13
    decoder_embed_dim: int = 16
    decoder_value_embed_dim: int = 32
    decoder_retention_heads: int = 2
    decoder_ffn_embed_dim: int = 32
    decoder_layers: int = 2
    layernorm_eps: float = 1e-6
    recurrent_chunk_size: int = 4


def retnet_program(torch, nn, F):
    def rotate_every_two(x):
        x1 = x[:, :, :, ::2]
        x2 = x[:, :, :, 1::2]
        x = torch.stack((-x2, x1), dim=-1)
        return x.flatten(-2)  # in einsum notation: rearrange(x, '... d j -> ... (d j)')

    def theta_shift(x, sin, cos):
        return (x * cos) + (rotate_every_two(x) * sin)

    class RetNetRelPos(nn.Module):
        def __init__(self, args):
            super().__init__()
            angle = 1.0 / (10000 ** torch.linspace(
                0, 1, args.decoder_embed_dim // args.decoder_retention_heads // 2))
            angle = angle.unsqueeze(-1).repeat(1, 2).flatten()
            # dtype=torch.float in torchscale: see the docstring
            decay = torch.log(
                1 - 2 ** (-5 - torch.arange(args.decoder_retention_heads, dtype=torch.double)))
            self.register_buffer("angle", angle)
            self.register_buffer("decay", decay)
            self.recurrent_chunk_size = args.recurrent_chunk_size

        def forward(self, slen, activate_recurrent=False, chunkwise_recurrent=False):
            if activate_recurrent:
                sin = torch.sin(self.angle * (slen - 1))
                cos = torch.cos(self.angle * (slen - 1))
                return (sin, cos), self.decay.exp()
            if chunkwise_recurrent:
                index = torch.arange(slen).to(self.decay)
                sin = torch.sin(index[:, None] * self.angle[None, :])
                cos = torch.cos(index[:, None] * self.angle[None, :])
                block_index = torch.arange(self.recurrent_chunk_size).to(self.decay)
                mask = torch.tril(torch.ones(self.recurrent_chunk_size,
                                             self.recurrent_chunk_size).to(self.decay))
                mask = torch.masked_fill(block_index[:, None] - block_index[None, :],
                                         ~mask.bool(), float("inf"))
                mask = torch.exp(mask * self.decay[:, None, None])
                mask = torch.nan_to_num(mask)
                value_inner_decay = mask[:, -1] / mask[:, -1].sum(dim=-1, keepdim=True)
                value_inner_decay = value_inner_decay.unsqueeze(-1)
                scale = mask.sum(dim=-1, keepdim=True).sqrt()
                inner_mask = mask / scale
                cross_decay = torch.exp(self.decay * self.recurrent_chunk_size)
                query_inner_decay = torch.exp(self.decay[:, None] * (block_index + 1))
                query_inner_decay = query_inner_decay[:, :, None] / (
                    scale / mask[:, -1].sum(dim=-1)[:, None, None])
                cross_decay = cross_decay[:, None, None]
                return (sin, cos), (inner_mask, cross_decay, query_inner_decay,
                                    value_inner_decay)
            index = torch.arange(slen).to(self.decay)
            sin = torch.sin(index[:, None] * self.angle[None, :])
            cos = torch.cos(index[:, None] * self.angle[None, :])
            mask = torch.tril(torch.ones(slen, slen).to(self.decay))
            mask = torch.masked_fill(index[:, None] - index[None, :], ~mask.bool(), float("inf"))
            mask = torch.exp(mask * self.decay[:, None, None])
            mask = torch.nan_to_num(mask)
            mask = mask / mask.sum(dim=-1, keepdim=True).sqrt()
            return (sin, cos), mask

    class MultiScaleRetention(nn.Module):
        def __init__(self, args, embed_dim, value_dim, num_heads):
            super().__init__()
            self.embed_dim, self.value_dim, self.num_heads = embed_dim, value_dim, num_heads
            self.head_dim = self.value_dim // num_heads
            self.key_dim = self.embed_dim // num_heads
            self.scaling = self.key_dim ** -0.5
            self.gate_fn = F.silu  # get_activation_fn("swish")
            self.q_proj = nn.Linear(embed_dim, embed_dim, bias=False)
            self.k_proj = nn.Linear(embed_dim, embed_dim, bias=False)
            self.v_proj = nn.Linear(embed_dim, value_dim, bias=False)
            self.g_proj = nn.Linear(embed_dim, value_dim, bias=False)
            self.out_proj = nn.Linear(value_dim, embed_dim, bias=False)
            self.group_norm = nn.RMSNorm(self.head_dim, eps=args.layernorm_eps,
                                         elementwise_affine=False)
            self.reset_parameters()

        def reset_parameters(self):
            nn.init.xavier_uniform_(self.q_proj.weight, gain=2 ** -2.5)
            nn.init.xavier_uniform_(self.k_proj.weight, gain=2 ** -2.5)
            nn.init.xavier_uniform_(self.v_proj.weight, gain=2 ** -2.5)
            nn.init.xavier_uniform_(self.g_proj.weight, gain=2 ** -2.5)
            nn.init.xavier_uniform_(self.out_proj.weight, gain=2 ** -1)

        def parallel_forward(self, qr, kr, v, mask):
            bsz, tgt_len, embed_dim = v.size()
            vr = v.view(bsz, tgt_len, self.num_heads, self.head_dim).transpose(1, 2)
            qk_mat = qr @ kr.transpose(-1, -2)  # bsz * m * tgt_len * tgt_len
            qk_mat = qk_mat * mask
            # invariant after normalization
            qk_mat = qk_mat / qk_mat.detach().abs().sum(dim=-1, keepdim=True).clamp(min=1,
                                                                                   max=5e4)
            output = torch.matmul(qk_mat, vr)
            return output.transpose(1, 2)

        def recurrent_forward(self, qr, kr, v, decay, incremental_state):
            bsz = v.size(0)
            v = v.view(bsz, self.num_heads, self.head_dim, 1)
            kv = kr * v
            if "prev_key_value" in incremental_state:
                prev_kv = incremental_state["prev_key_value"]
                prev_scale = incremental_state["scale"]
                scale = prev_scale * decay + 1
                kv = (prev_kv * (prev_scale.sqrt() * decay / scale.sqrt()).view(
                    self.num_heads, 1, 1) + kv / scale.sqrt().view(self.num_heads, 1, 1))
            else:
                scale = torch.ones_like(decay)
            incremental_state["prev_key_value"] = kv
            incremental_state["scale"] = scale
            return torch.sum(qr * kv, dim=3)

        def chunk_recurrent_forward(self, qr, kr, v, inner_mask):
            mask, cross_decay, query_inner_decay, value_inner_decay = inner_mask
            bsz, tgt_len, embed_dim = v.size()
            chunk_len = mask.size(1)
            num_chunks = tgt_len // chunk_len
            assert tgt_len % chunk_len == 0
            qr = qr.view(bsz, self.num_heads, num_chunks, chunk_len,
                         self.key_dim).transpose(1, 2)
            kr = kr.view(bsz, self.num_heads, num_chunks, chunk_len,
                         self.key_dim).transpose(1, 2)
            v = v.view(bsz, num_chunks, chunk_len, self.num_heads, self.head_dim).transpose(2, 3)
            kr_t = kr.transpose(-1, -2)
            qk_mat = qr @ kr_t  # bsz * num_heads * chunk_len * chunk_len
            qk_mat = qk_mat * mask
            inner_scale = qk_mat.detach().abs().sum(dim=-1, keepdim=True).clamp(min=1)
            qk_mat = qk_mat / inner_scale
            inner_output = torch.matmul(qk_mat, v)
            # reduce kv in one chunk
            kv = kr_t @ (v * value_inner_decay)
            kv_recurrent = []
            cross_scale = []
            kv_state = torch.zeros(bsz, self.num_heads, self.key_dim, self.head_dim).to(v)
            kv_scale = torch.ones(bsz, self.num_heads, 1, 1).to(v)
            # accumulate kv by loop
            for i in range(num_chunks):
                kv_recurrent.append(kv_state / kv_scale)
                cross_scale.append(kv_scale)
                kv_state = kv_state * cross_decay + kv[:, i]
                kv_scale = kv_state.detach().abs().sum(dim=-2, keepdim=True).max(
                    dim=-1, keepdim=True).values.clamp(min=1)
            kv_recurrent = torch.stack(kv_recurrent, dim=1)
            cross_scale = torch.stack(cross_scale, dim=1)
            all_scale = torch.maximum(inner_scale, cross_scale)
            align_inner_scale = all_scale / inner_scale
            align_cross_scale = all_scale / cross_scale
            cross_output = (qr * query_inner_decay) @ kv_recurrent
            output = inner_output / align_inner_scale + cross_output / align_cross_scale
            return output.transpose(2, 3)

        def forward(self, x, rel_pos, chunkwise_recurrent=False, incremental_state=None):
            bsz, tgt_len, _ = x.size()
            (sin, cos), inner_mask = rel_pos
            q = self.q_proj(x)
            k = self.k_proj(x)
            v = self.v_proj(x)
            g = self.g_proj(x)
            k *= self.scaling
            q = q.view(bsz, tgt_len, self.num_heads, self.key_dim).transpose(1, 2)
            k = k.view(bsz, tgt_len, self.num_heads, self.key_dim).transpose(1, 2)
            qr = theta_shift(q, sin, cos)
            kr = theta_shift(k, sin, cos)
            if incremental_state is not None:
                output = self.recurrent_forward(qr, kr, v, inner_mask, incremental_state)
            elif chunkwise_recurrent:
                output = self.chunk_recurrent_forward(qr, kr, v, inner_mask)
            else:
                output = self.parallel_forward(qr, kr, v, inner_mask)
            output = self.group_norm(output).reshape(bsz, tgt_len,
                                                     self.head_dim * self.num_heads)
            output = self.gate_fn(g) * output
            return self.out_proj(output)

    class DecoderLayer(nn.Module):
        def __init__(self, args):
            super().__init__()
            dim = args.decoder_embed_dim
            self.retention = MultiScaleRetention(args, dim, args.decoder_value_embed_dim,
                                                 args.decoder_retention_heads)
            self.retention_layer_norm = nn.LayerNorm(dim, eps=args.layernorm_eps)
            self.ffn = nn.Sequential(nn.Linear(dim, args.decoder_ffn_embed_dim), nn.GELU(),
                                     nn.Linear(args.decoder_ffn_embed_dim, dim))
            self.final_layer_norm = nn.LayerNorm(dim, eps=args.layernorm_eps)

        def forward(self, x, retention_rel_pos, chunkwise_recurrent=False,
                    incremental_state=None):
            x = x + self.retention(self.retention_layer_norm(x), retention_rel_pos,
                                   chunkwise_recurrent, incremental_state)
            return x + self.ffn(self.final_layer_norm(x))

    class RetNetDecoder(nn.Module):
        def __init__(self, args):
            super().__init__()
            self.embed_tokens = nn.Embedding(args.vocab_size, args.decoder_embed_dim)
            self.retnet_rel_pos = RetNetRelPos(args)
            self.layers = nn.ModuleList([DecoderLayer(args)
                                         for _ in range(args.decoder_layers)])
            self.layer_norm = nn.LayerNorm(args.decoder_embed_dim, eps=args.layernorm_eps)
            self.output_projection = nn.Linear(args.decoder_embed_dim, args.vocab_size,
                                               bias=False)

        def forward(self, prev_output_tokens, incremental_state=None,
                    chunkwise_recurrent=False):
            if incremental_state is not None:  # one new token, its position = cache length
                slen = len(incremental_state.setdefault("tokens", [])) + 1
                incremental_state["tokens"].append(prev_output_tokens)
                rel_pos = self.retnet_rel_pos(slen, activate_recurrent=True)
            else:
                rel_pos = self.retnet_rel_pos(prev_output_tokens.size(1),
                                              chunkwise_recurrent=chunkwise_recurrent)
            x = self.embed_tokens(prev_output_tokens)
            for idx, layer in enumerate(self.layers):
                state = None if incremental_state is None else incremental_state.setdefault(
                    idx, {})
                x = layer(x, rel_pos, chunkwise_recurrent, state)
            return self.output_projection(self.layer_norm(x))

    return RetNetDecoder


def train_records(torch, model, tokens, steps: int = 3, chunkwise=False) -> list:
    torch_, _, F, optim = libraries(torch)
    optimizer = optim.Adam(model.parameters(), lr=5e-3, betas=(0.9, 0.98))
    records = []
    for _ in range(steps):
        logits = model(torch_.tensor(tokens[:, :-1]), chunkwise_recurrent=chunkwise)
        loss = F.cross_entropy(logits.reshape(-1, logits.size(-1)),
                               torch_.tensor(tokens[:, 1:]).reshape(-1))
        optimizer.zero_grad()
        loss.backward()
        records += [loss.item()] + [p.grad.numpy().copy() for p in model.parameters()]
        optimizer.step()
    return records + [p.detach().numpy() for p in model.parameters()]


@pytest.mark.parametrize("chunkwise", [False, True], ids=["parallel", "chunkwise"])
def test_retnet_retention_trains_as_torch(torch, chunkwise: bool) -> None:
    tokens = np.random.default_rng(0).integers(0, 13, (2, 9))  # 8 inputs: 2 chunks of 4
    ours, theirs = both_layers(torch, retnet_program, RetNetConfig())
    assert_records(train_records(None, ours, tokens, chunkwise=chunkwise),
                   train_records(torch, theirs, tokens, chunkwise=chunkwise))


@pytest.mark.parametrize("heads", [2, 4])
def test_retnet_recurrent_and_chunkwise_forms_give_the_parallel_logits(torch, heads: int) -> None:
    tokens = np.random.default_rng(1).integers(0, 13, (2, 6))
    # a negligible eps: the norm then undoes the parallel form's extra row scaling
    config = RetNetConfig(decoder_retention_heads=heads, layernorm_eps=1e-30,
                          recurrent_chunk_size=2)
    runs = []
    for lib, model in zip((ag, torch), both_layers(torch, retnet_program, config)):
        with lib.no_grad():
            parallel = model(lib.tensor(tokens)).numpy()
            chunks = model(lib.tensor(tokens), chunkwise_recurrent=True).numpy()
            state = {}
            steps = [model(lib.tensor(tokens[:, t: t + 1]), state)
                     for t in range(tokens.shape[1])]
        np.testing.assert_allclose(lib.cat(steps, 1).numpy(), parallel, rtol=1e-9, atol=1e-11)
        np.testing.assert_allclose(chunks, parallel, rtol=1e-9, atol=1e-11)
        runs.append(parallel)
    np.testing.assert_allclose(runs[0], runs[1], rtol=1e-10, atol=1e-12)
