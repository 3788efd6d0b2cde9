"""ALiBi (attention with linear biases) as its references write it, next to PyTorch
(float64, the same weights): the paper's ``get_slopes`` (by ``math``, also for a head
count that is not a power of 2) and fairseq's causal mask, ``torch.triu`` of a
``-inf``-filled matrix plus ``slopes * arange(maxpos)`` built once and cropped per
batch; and BLOOM's ``build_alibi_tensor`` (slopes by ``torch.pow`` of a float32 base,
positions by ``attention_mask.cumsum(-1) - 1`` so left padding shifts them), the scores
by ``alibi.baddbmm(batch1=query, batch2=key, beta=1.0, alpha=inv_norm_factor)`` and
``torch.masked_fill(..., torch.finfo(dtype).min)`` of the padded and future positions.
Losses, gradients and parameters after SGD steps agree to 1e-10.

Lines written differently here:
- BLOOM's ``F.softmax(attn_weights, dim=-1, dtype=torch.float32).to(input_dtype)`` (an
  upcast from float16) is ``dtype=torch.float64``: the two float32 softmaxes round
  differently in the last place.
Found and not fixed: BLOOM's ``torch.pow(base, powers)`` of a float32 0-d base and int32
powers is float32 in PyTorch, float64 here (NumPy's promotion of integer and float32
tensors); the slopes are powers of 2, exact either way, and cast by ``.to(dtype)``.
"""

import math

import numpy as np
import pytest

from test_pytorch_ports_attention_moe import both_layers
from test_pytorch_ports_gpt_lecture import assert_records, libraries


def get_slopes(n):
    """The ALiBi paper's slopes: a geometric sequence starting at 2^(-8/n)."""
    def get_slopes_power_of_2(n):
        start = (2 ** (-2 ** -(math.log2(n) - 3)))
        ratio = start
        return [start * ratio ** i for i in range(n)]

    # In the paper, we only train models that have 2^a heads for some a. This function has
    # some good properties that only occur when the input is a power of 2.
    if math.log2(n).is_integer():
        return get_slopes_power_of_2(n)
    else:
        closest_power_of_2 = 2 ** math.floor(math.log2(n))
        return get_slopes_power_of_2(closest_power_of_2) + get_slopes(
            2 * closest_power_of_2)[0::2][:n - closest_power_of_2]


def fairseq_program(torch, nn, F):
    class AlibiSelfAttention(nn.Module):
        def __init__(self, embed_dim, attn_heads, maxpos):
            super().__init__()
            self.num_heads, self.head_dim = attn_heads, embed_dim // attn_heads
            self.in_proj = nn.Linear(embed_dim, 3 * embed_dim)
            self.out_proj = nn.Linear(embed_dim, embed_dim)
            self.slopes = torch.Tensor(get_slopes(attn_heads))
            # In the next line, the part after the * is what constructs the diagonal
            # matrix (right matrix in Figure 3 in the paper).
            self.alibi = self.slopes.unsqueeze(1).unsqueeze(1) * torch.arange(
                maxpos).unsqueeze(0).unsqueeze(0).expand(attn_heads, -1, -1)
            self.alibi = self.alibi.view(attn_heads, 1, maxpos)
            self._future_mask = torch.triu(
                torch.zeros([maxpos, maxpos]).fill_(float("-inf")), 1)
            self._future_mask = self._future_mask.unsqueeze(0) + self.alibi

        def forward(self, x):
            bsz, tgt_len, embed_dim = x.size()
            q, k, v = self.in_proj(x).chunk(3, dim=-1)
            q = q.view(bsz, tgt_len, self.num_heads, self.head_dim).transpose(1, 2)
            k = k.view(bsz, tgt_len, self.num_heads, self.head_dim).transpose(1, 2)
            v = v.view(bsz, tgt_len, self.num_heads, self.head_dim).transpose(1, 2)
            attn_weights = q @ k.transpose(-2, -1) * self.head_dim ** -0.5
            attn_mask = self._future_mask[:, :tgt_len, :tgt_len]
            attn_weights = attn_weights + attn_mask.unsqueeze(0)
            attn_probs = F.softmax(attn_weights, dim=-1)
            attn = (attn_probs @ v).transpose(1, 2).contiguous().view(bsz, tgt_len, embed_dim)
            return self.out_proj(attn)

    return AlibiSelfAttention


def bloom_program(torch, nn, F):
    def build_alibi_tensor(attention_mask, num_heads, dtype):
        batch_size, seq_length = attention_mask.shape
        closest_power_of_2 = 2 ** math.floor(math.log2(num_heads))
        base = torch.tensor(2 ** (-(2 ** -(math.log2(closest_power_of_2) - 3))),
                            device=attention_mask.device, dtype=torch.float32)
        powers = torch.arange(1, 1 + closest_power_of_2, device=attention_mask.device,
                              dtype=torch.int32)
        slopes = torch.pow(base, powers)
        if closest_power_of_2 != num_heads:
            extra_base = torch.tensor(2 ** (-(2 ** -(math.log2(2 * closest_power_of_2) - 3))),
                                      device=attention_mask.device, dtype=torch.float32)
            num_remaining_heads = min(closest_power_of_2, num_heads - closest_power_of_2)
            extra_powers = torch.arange(1, 1 + 2 * num_remaining_heads, 2,
                                        device=attention_mask.device, dtype=torch.int32)
            slopes = torch.cat([slopes, torch.pow(extra_base, extra_powers)], dim=0)
        # Note: alibi will added to the attention bias that will be applied to the
        # query, key product of attention => the query dimension plays no role.
        arange_tensor = ((attention_mask.cumsum(dim=-1) - 1) * attention_mask)[:, None, :]
        alibi = slopes[..., None] * arange_tensor
        return alibi.reshape(batch_size * num_heads, 1, seq_length).to(dtype)

    class BloomAttention(nn.Module):
        def __init__(self, hidden_size, n_head):
            super().__init__()
            self.num_heads, self.head_dim = n_head, hidden_size // n_head
            self.inv_norm_factor = 1.0 / math.sqrt(self.head_dim)
            self.beta = 1.0
            self.query_key_value = nn.Linear(hidden_size, 3 * hidden_size, bias=True)
            self.dense = nn.Linear(hidden_size, hidden_size)

        def forward(self, hidden_states, attention_mask):
            batch_size, q_length, _ = hidden_states.shape
            alibi = build_alibi_tensor(attention_mask, self.num_heads, hidden_states.dtype)
            fused_qkv = self.query_key_value(hidden_states)
            fused_qkv = fused_qkv.view(batch_size, q_length, self.num_heads, 3,
                                       self.head_dim)
            query_layer = fused_qkv[..., 0, :].transpose(1, 2).reshape(
                batch_size * self.num_heads, q_length, self.head_dim)
            key_layer = fused_qkv[..., 1, :].permute(0, 2, 3, 1).reshape(
                batch_size * self.num_heads, self.head_dim, q_length)
            value_layer = fused_qkv[..., 2, :].transpose(1, 2).reshape(
                batch_size * self.num_heads, q_length, self.head_dim)
            # [batch_size * num_heads, q_length, kv_length]
            matmul_result = alibi.baddbmm(batch1=query_layer, batch2=key_layer,
                                          beta=self.beta, alpha=self.inv_norm_factor)
            attention_scores = matmul_result.view(batch_size, self.num_heads, q_length, -1)
            causal = torch.ones(q_length, q_length, dtype=torch.bool).triu_(1)
            padded = ~attention_mask.bool()[:, None, None, :]
            causal_mask = causal[None, None] | padded
            attn_weights = torch.masked_fill(attention_scores, causal_mask,
                                             torch.finfo(attention_scores.dtype).min)
            attention_probs = F.softmax(attn_weights, dim=-1, dtype=torch.float64)
            attention_probs_reshaped = attention_probs.view(batch_size * self.num_heads,
                                                            q_length, -1)
            context_layer = torch.bmm(attention_probs_reshaped, value_layer)
            context_layer = context_layer.view(batch_size, self.num_heads, q_length,
                                               self.head_dim).permute(0, 2, 1, 3)
            context_layer = context_layer.reshape(batch_size, q_length,
                                                  self.num_heads * self.head_dim)
            self.alibi = alibi
            return self.dense(context_layer)

    return BloomAttention


def train(torch, layer, x_data, mask=None, steps: int = 2) -> list:
    torch_, _, _, optim = libraries(torch)
    optimizer = optim.SGD(layer.parameters(), lr=0.1)
    records = []
    for _ in range(steps):
        x = torch_.tensor(x_data)
        out = layer(x) if mask is None else layer(x, torch_.tensor(mask))
        loss = (out ** 2).mean()
        optimizer.zero_grad()
        loss.backward()
        records += [loss.item(), out.detach().numpy()]
        records += [p.grad.numpy().copy() for p in layer.parameters()]
        optimizer.step()
    return records + [p.detach().numpy() for p in layer.parameters()]


@pytest.mark.parametrize("heads", [4, 6])
def test_fairseq_alibi_future_mask_as_torch(torch, heads: int) -> None:
    x = np.random.default_rng(heads).standard_normal((2, 5, 12))
    ours, theirs = both_layers(torch, fairseq_program, 12, heads, 8)
    np.testing.assert_allclose(ours.slopes.numpy(), theirs.slopes.numpy(), rtol=1e-15)
    np.testing.assert_array_equal(ours._future_mask.numpy(), theirs._future_mask.numpy())
    assert_records(train(None, ours, x), train(torch, theirs, x))


@pytest.mark.parametrize("heads", [4, 6])
def test_bloom_alibi_with_baddbmm_and_left_padding_as_torch(torch, heads: int) -> None:
    x = np.random.default_rng(heads).standard_normal((2, 5, 12))
    mask = np.array([[0, 0, 1, 1, 1], [1, 1, 1, 1, 1]])  # the first sequence left-padded
    ours, theirs = both_layers(torch, bloom_program, 12, heads)
    want = train(torch, theirs, x, mask)
    assert_records(train(None, ours, x, mask), want)
    np.testing.assert_array_equal(ours.alibi.numpy(), theirs.alibi.numpy())
    assert ours.alibi.numpy()[0, 0, 2] == 0  # the first real token's position is 0
