"""Rotary position embeddings as plain-PyTorch references write them, next to PyTorch
(float64, the same weights): Hugging Face's GPT-NeoX attention (``inv_freq`` and the
cos/sin caches as non-persistent buffers, rebuilt when a longer sequence comes,
``rotate_half`` by slicing and ``torch.cat((-x2, x1))``, ``cos[position_ids]
.unsqueeze(1)``, the partial rotary of ``rotary_pct``, ``F.scaled_dot_product_attention``
with ``is_causal``); and Meta's LLaMA complex form (``torch.polar``,
``torch.view_as_complex``/``view_as_real``): this library has no complex dtype, its error
names the real-valued rewrite, and that rewrite (pairs rotated in real numbers) gives
PyTorch's complex results and gradients.

Lines written differently here:
- ``inv_freq``'s ``.float()`` is ``.double()``: float32 angles make float32 cos/sin caches,
  whose last place NumPy and PyTorch round differently (1 ulp, so 1e-8 in the outputs);
  the float32 caches are compared on their own, to float32's precision;
- ``torch.nn.Module``/``torch.nn.Linear`` are ``nn.Module``/``nn.Linear``, and
  ``torch.nn.functional`` is ``F`` (``autograd`` never imports ``nn``).
"""

import numpy as np
import pytest

import autograd as ag
from test_pytorch_ports_attention_moe import both_layers
from test_pytorch_ports_gpt_lecture import assert_records, libraries


def neox_program(torch, nn, F):
    class GPTNeoXRotaryEmbedding(nn.Module):
        def __init__(self, dim, max_position_embeddings, base=10000, device=None):
            super().__init__()
            self.dim = dim
            self.max_position_embeddings = max_position_embeddings
            self.base = base
            inv_freq = 1.0 / (self.base ** (torch.arange(0, self.dim, 2, dtype=torch.int64)
                                            .double().to(device) / self.dim))
            self.register_buffer("inv_freq", inv_freq, persistent=False)
            # Build here to make `torch.jit.trace` work.
            self._set_cos_sin_cache(seq_len=max_position_embeddings,
                                    device=self.inv_freq.device,
                                    dtype=torch.get_default_dtype())

        def _set_cos_sin_cache(self, seq_len, device, dtype):
            self.max_seq_len_cached = seq_len
            t = torch.arange(self.max_seq_len_cached, device=device,
                             dtype=torch.int64).type_as(self.inv_freq)
            freqs = torch.outer(t, self.inv_freq)
            # Different from paper, but it uses a different permutation
            emb = torch.cat((freqs, freqs), dim=-1)
            self.register_buffer("cos_cached", emb.cos(), persistent=False)
            self.register_buffer("sin_cached", emb.sin(), persistent=False)

        def forward(self, x, seq_len=None):
            # x: [bs, num_attention_heads, seq_len, head_size]
            if seq_len > self.max_seq_len_cached:
                self._set_cos_sin_cache(seq_len=seq_len, device=x.device, dtype=x.dtype)
            return (self.cos_cached[:seq_len], self.sin_cached[:seq_len])

    def rotate_half(x):
        """Rotates half the hidden dims of the input."""
        x1 = x[..., : x.shape[-1] // 2]
        x2 = x[..., x.shape[-1] // 2:]
        return torch.cat((-x2, x1), dim=-1)

    def apply_rotary_pos_emb(q, k, cos, sin, position_ids, unsqueeze_dim=1):
        cos = cos[position_ids].unsqueeze(unsqueeze_dim)
        sin = sin[position_ids].unsqueeze(unsqueeze_dim)
        q_embed = (q * cos) + (rotate_half(q) * sin)
        k_embed = (k * cos) + (rotate_half(k) * sin)
        return q_embed, k_embed

    class GPTNeoXAttention(nn.Module):
        def __init__(self, hidden_size, num_attention_heads, rotary_pct, max_positions):
            super().__init__()
            self.num_attention_heads = num_attention_heads
            self.hidden_size = hidden_size
            self.head_size = self.hidden_size // self.num_attention_heads
            self.rotary_ndims = int(self.head_size * rotary_pct)
            self.rotary_emb = GPTNeoXRotaryEmbedding(self.rotary_ndims, max_positions)
            self.query_key_value = nn.Linear(hidden_size, 3 * hidden_size)
            self.dense = nn.Linear(hidden_size, hidden_size)

        def forward(self, hidden_states, position_ids):
            # Compute QKV
            # Attention heads [batch, seq_len, hidden_size]
            #   --> [batch, seq_len, (np * 3 * head_size)]
            qkv = self.query_key_value(hidden_states)
            # [batch, seq_len, (num_heads * 3 * head_size)]
            #   --> [batch, seq_len, num_heads, 3 * head_size]
            new_qkv_shape = qkv.size()[:-1] + (self.num_attention_heads, 3 * self.head_size)
            qkv = qkv.view(*new_qkv_shape)
            # [batch, seq_len, num_attention_heads, 3 * head_size]
            #   --> 3 [batch, num_attention_heads, seq_len, head_size]
            query = qkv[..., : self.head_size].permute(0, 2, 1, 3)
            key = qkv[..., self.head_size: 2 * self.head_size].permute(0, 2, 1, 3)
            value = qkv[..., 2 * self.head_size:].permute(0, 2, 1, 3)
            # Compute rotary embeddings on rotary_ndims
            query_rot = query[..., : self.rotary_ndims]
            query_pass = query[..., self.rotary_ndims:]
            key_rot = key[..., : self.rotary_ndims]
            key_pass = key[..., self.rotary_ndims:]
            # Compute token offset for rotary embeddings (when decoding)
            seq_len = key.shape[-2]
            cos, sin = self.rotary_emb(value, seq_len=seq_len)
            query, key = apply_rotary_pos_emb(query_rot, key_rot, cos, sin, position_ids)
            query = torch.cat((query, query_pass), dim=-1)
            key = torch.cat((key, key_pass), dim=-1)
            attn_output = F.scaled_dot_product_attention(query, key, value, is_causal=True)
            # [bs, num_attention_heads, seq_len, attn_head_size] -> [bs, seq_len, hidden]
            attn_output = attn_output.transpose(1, 2).contiguous()
            attn_output = attn_output.view(attn_output.size(0), attn_output.size(1),
                                           self.num_attention_heads * self.head_size)
            return self.dense(attn_output)

    return GPTNeoXAttention


def neox_records(torch, layer, x_data, steps: int = 2) -> list:
    """SGD on mean(out^2) with a longer sequence at each step (the cache grows)."""
    torch_, _, _, optim = libraries(torch)
    optimizer = optim.SGD(layer.parameters(), lr=0.1, momentum=0.9)
    records = [sorted(layer.state_dict()), tuple(layer.rotary_emb.cos_cached.shape)]
    for step in range(steps):
        seq_len = x_data.shape[1] - steps + 1 + step
        x = torch_.tensor(x_data[:, :seq_len])
        position_ids = torch_.arange(seq_len).unsqueeze(0).expand(x.shape[0], -1)
        out = layer(x, position_ids)
        loss = (out ** 2).mean()
        optimizer.zero_grad()
        loss.backward()
        records += [out.detach().numpy(), tuple(layer.rotary_emb.cos_cached.shape)]
        records += [p.grad.numpy().copy() for p in layer.parameters()]
        optimizer.step()
    return [str(r) if isinstance(r, (list, tuple)) else r for r in records]


def test_gpt_neox_attention_with_partial_rotary_as_torch(torch) -> None:
    x = np.random.default_rng(0).standard_normal((2, 7, 16))
    ours, theirs = both_layers(torch, neox_program, 16, 2, 0.5, 6)
    want = neox_records(torch, theirs, x)
    got = neox_records(None, ours, x)
    assert want[0] == str(['dense.bias', 'dense.weight', 'query_key_value.bias',
                           'query_key_value.weight'])  # the caches are not saved
    assert want[-5] == str((7, 4))  # rebuilt for the 7 positions of step 2
    assert_records(got, want)


def test_the_float32_caches_agree_to_float32_precision(torch) -> None:
    caches = []
    for lib in (torch, ag):
        inv_freq = 1.0 / (10000 ** (lib.arange(0, 8, 2, dtype=lib.int64).float() / 8))
        t = lib.arange(7, dtype=lib.int64).type_as(inv_freq)
        emb = lib.cat((lib.outer(t, inv_freq),) * 2, dim=-1)
        caches.append([c.numpy() for c in (inv_freq, emb.cos(), emb.sin())])
    for ours, theirs in zip(*caches):
        assert ours.dtype == theirs.dtype == np.float32
        np.testing.assert_allclose(ours, theirs, rtol=0, atol=1.2e-7)


# ------------------------------------------------------------------ LLaMA's complex form
def precompute_freqs_cis(torch, dim: int, end: int, theta: float = 10000.0):
    freqs = 1.0 / (theta ** (torch.arange(0, dim, 2)[: (dim // 2)].float() / dim))
    t = torch.arange(end, device=freqs.device)  # type: ignore
    freqs = torch.outer(t, freqs).float()  # type: ignore
    freqs_cis = torch.polar(torch.ones_like(freqs), freqs)  # complex64
    return freqs_cis


def apply_rotary_emb_complex(torch, xq, xk, freqs_cis):
    """Meta's LLaMA ``apply_rotary_emb`` (``reshape_for_broadcast`` inlined)."""
    xq_ = torch.view_as_complex(xq.float().reshape(*xq.shape[:-1], -1, 2))
    xk_ = torch.view_as_complex(xk.float().reshape(*xk.shape[:-1], -1, 2))
    freqs_cis = freqs_cis.view(1, xq_.shape[1], 1, xq_.shape[-1])
    xq_out = torch.view_as_real(xq_ * freqs_cis).flatten(3)
    xk_out = torch.view_as_real(xk_ * freqs_cis).flatten(3)
    return xq_out.type_as(xq), xk_out.type_as(xk)


def apply_rotary_emb_real(torch, xq, xk, freqs_cos, freqs_sin):
    """The rewrite the error names: the same rotation of (even, odd) pairs in real numbers,
    with the cos and sin of the complex form's angles (``freqs_cis.real``/``.imag``)."""
    xq_r, xq_i = xq.reshape(xq.shape[:-1] + (-1, 2)).unbind(-1)
    xk_r, xk_i = xk.reshape(xk.shape[:-1] + (-1, 2)).unbind(-1)
    cos = freqs_cos.view(1, xq_r.shape[1], 1, xq_r.shape[-1])
    sin = freqs_sin.view(1, xq_r.shape[1], 1, xq_r.shape[-1])
    xq_out = torch.stack([xq_r * cos - xq_i * sin, xq_r * sin + xq_i * cos], dim=-1)
    xk_out = torch.stack([xk_r * cos - xk_i * sin, xk_r * sin + xk_i * cos], dim=-1)
    return xq_out.flatten(3), xk_out.flatten(3)


@pytest.mark.parametrize("name", ["polar", "view_as_complex", "view_as_real", "complex64"])
def test_the_complex_form_names_the_real_rewrite(name: str) -> None:
    with pytest.raises(ag.MissingNameError, match=r"no complex tensors.*real numbers"):
        getattr(ag, name)


def test_the_real_rewrite_gives_llamas_complex_rotation(torch) -> None:
    rng = np.random.default_rng(1)
    xq_data, xk_data = rng.standard_normal((2, 5, 3, 8)), rng.standard_normal((2, 5, 2, 8))
    upstream = rng.standard_normal((2, 5, 3, 8))
    freqs_cis = precompute_freqs_cis(torch, 8, 5)
    txq = torch.tensor(xq_data, requires_grad=True)
    txk = torch.tensor(xk_data[:, :, :1].repeat(3, axis=2), requires_grad=True)
    q_want, k_want = apply_rotary_emb_complex(torch, txq, txk, freqs_cis)
    ((q_want * torch.tensor(upstream)).sum() + k_want.sum()).backward()
    xq, xk = ag.tensor(xq_data, requires_grad=True), ag.tensor(txk.detach().numpy(),
                                                               requires_grad=True)
    cos = ag.tensor(freqs_cis.real.numpy())  # the complex form's float32 angles
    sin = ag.tensor(freqs_cis.imag.numpy())
    q_got, k_got = apply_rotary_emb_real(ag, xq, xk, cos, sin)
    ((q_got * ag.tensor(upstream)).sum() + k_got.sum()).backward()
    # the complex form computes in float32 (xq.float()): agreement to float32's precision
    for got, want in ((q_got, q_want), (k_got, k_want), (xq.grad, txq.grad),
                      (xk.grad, txk.grad)):
        np.testing.assert_allclose(got.detach().numpy(), want.detach().numpy(), rtol=1e-5,
                                   atol=1e-6)
