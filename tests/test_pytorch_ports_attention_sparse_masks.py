"""Sparse attention patterns as masks, as their plain-PyTorch ports write them, next to
PyTorch (float64, the same weights): the Sparse Transformer's ``get_attn_mask`` (its
TensorFlow ``matrix_band_part`` as ``torch.tril``/``torch.triu`` with ``diagonal``, the
strided pattern by ``torch.transpose(x, 0, 1)``, ``torch.fmod(q - k, stride)`` and
``torch.logical_and``) with ``attention_impl``'s ``w * mask + -1e9 * (1 - mask)``; and
block-sparse masks for ``F.scaled_dot_product_attention(attn_mask=bool)`` and
``masked_fill(~mask, float('-inf'))``: block-local by ``torch.block_diag``, BigBird-like
sliding blocks by a block pattern ``.tril(1).triu(-1)`` blown up with
``repeat_interleave`` on both axes, and Longformer-like global tokens set by slicing
(``mask[:, :g] = True``). Losses, gradients and parameters after SGD agree to 1e-10.

Lines written differently here: ``torch.nn`` is ``nn``, ``torch.nn.functional`` is ``F``.
"""

import numpy as np
import pytest

from test_pytorch_ports_attention_moe import both_layers
from test_pytorch_ports_gpt_lecture import assert_records, libraries


def sparse_transformer_program(torch, nn, F):
    def get_attn_mask(n, attn_mode, local_attn_ctx=None):
        if attn_mode == 'all':
            b = torch.tril(torch.ones([n, n]))
        elif attn_mode == 'local':
            bandwidth = local_attn_ctx
            ctx = min(n - 1, bandwidth - 1)
            b = torch.tril(torch.triu(torch.ones([n, n]), -ctx))
        elif attn_mode == 'strided':
            stride = local_attn_ctx
            x = torch.reshape(torch.arange(n, dtype=torch.int32), [n, 1])
            y = torch.transpose(x, 0, 1)
            z = torch.zeros([n, n], dtype=torch.int32)
            q = z + x
            k = z + y
            c1 = q >= k
            c2 = torch.eq(torch.fmod(q - k, stride), 0)
            c3 = torch.logical_and(c1, c2)
            b = c3.float()
        else:
            raise ValueError('Not yet implemented')
        b = torch.reshape(b, [1, 1, n, n])
        return b

    def split_heads(x, n):
        return x.view(x.size(0), x.size(1), n, -1).permute(0, 2, 1, 3)

    def merge_heads(x):
        x = x.permute(0, 2, 1, 3).contiguous()
        return x.view(x.size(0), x.size(1), -1)

    def attention_impl(q, k, v, heads, attn_mode, local_attn_ctx=None):
        q = split_heads(q, heads)
        k = split_heads(k, heads)
        v = split_heads(v, heads)
        n_timesteps = k.size()[2]
        mask = get_attn_mask(n_timesteps, attn_mode, local_attn_ctx).float()
        w = torch.matmul(q, k.transpose(-2, -1))
        scale_amount = 1.0 / np.sqrt(q.size()[-1])
        w = w * scale_amount
        w = w * mask + -1e9 * (1 - mask)
        w = F.softmax(w, dim=-1)
        a = torch.matmul(w, v)
        a = merge_heads(a)
        return a

    class SparseSelfAttention(nn.Module):
        def __init__(self, dim, heads, attn_mode, local_attn_ctx=None):
            super().__init__()
            self.heads, self.attn_mode, self.ctx = heads, attn_mode, local_attn_ctx
            self.qkv = nn.Linear(dim, 3 * dim)
            self.proj = nn.Linear(dim, dim)

        def forward(self, x):
            q, k, v = self.qkv(x).split(x.size(-1), dim=-1)
            self.mask = get_attn_mask(x.size(1), self.attn_mode, self.ctx)
            return self.proj(attention_impl(q, k, v, self.heads, self.attn_mode, self.ctx))

    return SparseSelfAttention


def block_sparse_program(torch, nn, F):
    def block_sparse_mask(n, block, pattern, n_global=0):
        n_blocks = n // block
        if pattern == "local":
            mask = torch.block_diag(*[torch.ones(block, block)] * n_blocks).bool()
        else:  # "sliding": each block sees its neighbour blocks
            layout = torch.ones(n_blocks, n_blocks, dtype=torch.bool).tril(1).triu(-1)
            mask = layout.repeat_interleave(block, dim=0).repeat_interleave(block, dim=1)
        if n_global:
            mask[:, :n_global] = True
            mask[:n_global, :] = True
        return mask

    class BlockSparseSelfAttention(nn.Module):
        def __init__(self, dim, heads, block, pattern, n_global, fused):
            super().__init__()
            self.heads, self.block, self.pattern = heads, block, pattern
            self.n_global, self.fused = n_global, fused
            self.qkv = nn.Linear(dim, 3 * dim, bias=False)
            self.proj = nn.Linear(dim, dim)

        def forward(self, x):
            B, T, C = x.size()
            q, k, v = self.qkv(x).split(C, dim=2)
            q, k, v = (t.view(B, T, self.heads, C // self.heads).transpose(1, 2)
                       for t in (q, k, v))
            self.mask = block_sparse_mask(T, self.block, self.pattern, self.n_global)
            if self.fused:
                y = F.scaled_dot_product_attention(q, k, v, attn_mask=self.mask)
            else:
                att = (q @ k.transpose(-2, -1)) * (1.0 / (k.size(-1) ** 0.5))
                att = att.masked_fill(~self.mask, float('-inf'))
                y = F.softmax(att, dim=-1) @ v
            y = y.transpose(1, 2).contiguous().view(B, T, C)
            return self.proj(y)

    return BlockSparseSelfAttention


def sgd_records(torch, layer, x_data, steps: int = 2) -> list:
    torch_, _, _, optim = libraries(torch)
    optimizer = optim.SGD(layer.parameters(), lr=0.1)
    records = []
    for _ in range(steps):
        out = layer(torch_.tensor(x_data))
        loss = (out ** 2).mean()
        optimizer.zero_grad()
        loss.backward()
        records += [loss.item(), out.detach().numpy(), layer.mask.numpy()]
        records += [p.grad.numpy().copy() for p in layer.parameters()]
        optimizer.step()
    return records + [p.detach().numpy() for p in layer.parameters()]


@pytest.mark.parametrize("mode, ctx", [("all", None), ("local", 3), ("strided", 3)])
def test_sparse_transformer_masks_as_torch(torch, mode: str, ctx) -> None:
    x = np.random.default_rng(0).standard_normal((2, 8, 8))
    ours, theirs = both_layers(torch, sparse_transformer_program, 8, 2, mode, ctx)
    want = sgd_records(torch, theirs, x)
    assert_records(sgd_records(None, ours, x), want)
    if mode == "strided":  # keys 0, 3, 6 back, not later
        assert np.flatnonzero(want[2][0, 0, 7]).tolist() == [1, 4, 7]


@pytest.mark.parametrize("pattern, n_global", [("local", 0), ("sliding", 0), ("local", 1),
                                               ("sliding", 2)])
@pytest.mark.parametrize("fused", [False, True])
def test_block_sparse_masks_as_torch(torch, pattern: str, n_global: int, fused: bool) -> None:
    x = np.random.default_rng(1).standard_normal((2, 8, 8))
    ours, theirs = both_layers(torch, block_sparse_program, 8, 2, 2, pattern, n_global,
                               fused)
    want = sgd_records(torch, theirs, x)
    assert_records(sgd_records(None, ours, x), want)
    assert want[2][0].all() == bool(n_global)  # a global token sees every key
