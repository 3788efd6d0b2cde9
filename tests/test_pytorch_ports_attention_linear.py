"""Linear-cost attentions as lucidrains' plain-PyTorch references write them, next to
PyTorch (float64, the same weights and random features): Linformer's self-attention
(keys and values projected along the sequence by ``einsum('bnd,nk->bkd')`` with
parameters ``init_`` fills by ``tensor.uniform_``, sliced for shorter sequences, one
shared k/v head ``expand``-ed over the heads), and the Performer's FAVOR+
(``gaussian_orthogonal_random_matrix`` by ``torch.linalg.qr`` of Gaussian blocks and
``torch.diag(multiplier) @ final_matrix``; ``softmax_kernel`` with its ``amax(...).detach()``
stabiliser; ``linear_attention`` and the causal prefix sums of
``causal_linear_attention_noncuda``, by ``cumsum`` over chunks). Outputs, gradients and
parameters after Adam steps agree to 1e-10; FAVOR+ with many features comes close to
softmax attention.

Lines written differently here: ``from torch import einsum`` is ``torch.einsum``; einops'
``repeat(projection_matrix, 'j d -> b h j d', b = b, h = h)`` is
``projection_matrix.expand(b, h, -1, -1)``; ``torch.nn`` is ``nn``.
"""

import math

import numpy as np
import pytest

import autograd as ag
from test_pytorch_ports_attention_moe import both_layers
from test_pytorch_ports_gpt_lecture import assert_records, libraries


def linformer_program(torch, nn, F):
    def init_(tensor):
        dim = tensor.shape[-1]
        std = 1 / math.sqrt(dim)
        tensor.uniform_(-std, std)
        return tensor

    class LinformerSelfAttention(nn.Module):
        def __init__(self, dim, seq_len, k=256, heads=8, dim_head=None, one_kv_head=False,
                     share_kv=False, dropout=0.):
            super().__init__()
            assert (dim % heads) == 0, 'dimension must be divisible by the number of heads'
            self.seq_len = seq_len
            self.k = k
            self.heads = heads
            dim_head = dim_head if dim_head is not None else dim // heads
            self.dim_head = dim_head
            self.to_q = nn.Linear(dim, dim_head * heads, bias=False)
            kv_dim = dim_head if one_kv_head else (dim_head * heads)
            self.to_k = nn.Linear(dim, kv_dim, bias=False)
            self.proj_k = nn.Parameter(init_(torch.zeros(seq_len, k)))
            self.share_kv = share_kv
            if not share_kv:
                self.to_v = nn.Linear(dim, kv_dim, bias=False)
                self.proj_v = nn.Parameter(init_(torch.zeros(seq_len, k)))
            self.dropout = nn.Dropout(dropout)
            self.to_out = nn.Linear(dim_head * heads, dim)

        def forward(self, x, context=None, **kwargs):
            b, n, d, d_h, h, k = *x.shape, self.dim_head, self.heads, self.k  # noqa: F841
            kv_len = n if context is None else context.shape[1]
            assert kv_len <= self.seq_len, (f'the sequence length of the key / values must '
                                            f'be {self.seq_len} - {kv_len} given')
            queries = self.to_q(x)
            proj_seq_len = lambda args: torch.einsum('bnd,nk->bkd', *args)  # noqa: E731
            kv_input = x if context is None else context
            keys = self.to_k(kv_input)
            values = self.to_v(kv_input) if not self.share_kv else keys
            kv_projs = (self.proj_k, self.proj_v if not self.share_kv else self.proj_k)
            # allow for variable sequence lengths (less than maximum sequence length) by
            # slicing projections
            if kv_len < self.seq_len:
                kv_projs = map(lambda t: t[:kv_len], kv_projs)
            # project keys and values along the sequence length dimension to k
            keys, values = map(proj_seq_len, zip((keys, values), kv_projs))
            # merge head into batch for queries and key / values
            queries = queries.reshape(b, n, h, -1).transpose(1, 2)
            merge_key_values = lambda t: t.reshape(b, k, -1, d_h).transpose(  # noqa: E731
                1, 2).expand(-1, h, -1, -1)
            keys, values = map(merge_key_values, (keys, values))
            # attention
            dots = torch.einsum('bhnd,bhkd->bhnk', queries, keys) * (d_h ** -0.5)
            attn = dots.softmax(dim=-1)
            attn = self.dropout(attn)
            out = torch.einsum('bhnk,bhkd->bhnd', attn, values)
            # split heads
            out = out.transpose(1, 2).reshape(b, n, -1)
            return self.to_out(out)

    return LinformerSelfAttention


def performer_program(torch, nn, F):
    def orthogonal_matrix_chunk(cols, device=None):
        unstructured_block = torch.randn((cols, cols), device=device)
        q, r = torch.linalg.qr(unstructured_block.cpu(), mode='reduced')
        q, r = map(lambda t: t.to(device), (q, r))
        return q.t()

    def gaussian_orthogonal_random_matrix(nb_rows, nb_columns, scaling=0, device=None):
        nb_full_blocks = int(nb_rows / nb_columns)
        block_list = []
        for _ in range(nb_full_blocks):
            q = orthogonal_matrix_chunk(nb_columns, device=device)
            block_list.append(q)
        remaining_rows = nb_rows - nb_full_blocks * nb_columns
        if remaining_rows > 0:
            q = orthogonal_matrix_chunk(nb_columns, device=device)
            block_list.append(q[:remaining_rows])
        final_matrix = torch.cat(block_list)
        if scaling == 0:
            multiplier = torch.randn((nb_rows, nb_columns), device=device).norm(dim=1)
        elif scaling == 1:
            multiplier = math.sqrt((float(nb_columns))) * torch.ones((nb_rows,), device=device)
        else:
            raise ValueError(f'Invalid scaling {scaling}')
        return torch.diag(multiplier) @ final_matrix

    def softmax_kernel(data, *, projection_matrix, is_query, normalize_data=True, eps=1e-4,
                       device=None):
        b, h, *_ = data.shape
        data_normalizer = (data.shape[-1] ** -0.25) if normalize_data else 1.
        ratio = (projection_matrix.shape[0] ** -0.5)
        projection = projection_matrix.expand(b, h, -1, -1)
        projection = projection.type_as(data)
        data_dash = torch.einsum('...id,...jd->...ij', (data_normalizer * data), projection)
        diag_data = data ** 2
        diag_data = torch.sum(diag_data, dim=-1)
        diag_data = (diag_data / 2.0) * (data_normalizer ** 2)
        diag_data = diag_data.unsqueeze(dim=-1)
        if is_query:
            data_dash = ratio * (torch.exp(data_dash - diag_data - torch.amax(
                data_dash, dim=-1, keepdim=True).detach()) + eps)
        else:
            data_dash = ratio * (torch.exp(data_dash - diag_data - torch.amax(
                data_dash, dim=(-1, -2), keepdim=True).detach()) + eps)
        return data_dash.type_as(data)

    def linear_attention(q, k, v):
        k_cumsum = k.sum(dim=-2)
        D_inv = 1. / torch.einsum('...nd,...d->...n', q, k_cumsum.type_as(q))
        context = torch.einsum('...nd,...ne->...de', k, v)
        out = torch.einsum('...de,...nd,...n->...ne', context, q, D_inv)
        return out

    def causal_linear_attention_noncuda(q, k, v, chunk_size=128, eps=1e-6):
        last_k_cumsum = 0
        last_context_cumsum = 0
        outs = []
        for q, k, v in zip(*map(lambda t: t.chunk(chunk_size, dim=-2), (q, k, v))):
            k_cumsum = last_k_cumsum + k.cumsum(dim=-2)
            D_inv = 1. / torch.einsum('...nd,...nd->...n', q, k_cumsum.type_as(q) + eps)
            context = torch.einsum('...nd,...ne->...nde', k, v)
            context_cumsum = last_context_cumsum + context.cumsum(dim=-3)
            out = torch.einsum('...nde,...nd,...n->...ne', context_cumsum, q, D_inv)
            last_k_cumsum = k_cumsum[:, :, -1:]
            last_context_cumsum = context_cumsum[:, :, -1:]
            outs.append(out)
        return torch.cat(outs, dim=-2)

    class FastAttention(nn.Module):
        def __init__(self, dim_heads, nb_features=None, ortho_scaling=0, causal=False):
            super().__init__()
            nb_features = nb_features if nb_features is not None else int(
                dim_heads * math.log(dim_heads))
            self.dim_heads, self.nb_features = dim_heads, nb_features
            self.ortho_scaling = ortho_scaling
            projection_matrix = gaussian_orthogonal_random_matrix(
                nb_rows=self.nb_features, nb_columns=dim_heads, scaling=ortho_scaling)
            self.register_buffer('projection_matrix', projection_matrix)
            self.causal = causal

        def forward(self, q, k, v):
            create_kernel = lambda x, is_query: softmax_kernel(  # noqa: E731
                x, projection_matrix=self.projection_matrix, is_query=is_query)
            q = create_kernel(q, is_query=True)
            k = create_kernel(k, is_query=False)
            attn_fn = causal_linear_attention_noncuda if self.causal else linear_attention
            return attn_fn(q, k, v)

    class PerformerSelfAttention(nn.Module):
        def __init__(self, dim, heads, nb_features, causal, chunk=2):
            super().__init__()
            self.heads = heads
            self.fast_attention = FastAttention(dim // heads, nb_features, causal=causal)
            self.to_qkv = nn.Linear(dim, 3 * dim, bias=False)
            self.to_out = nn.Linear(dim, dim)

        def forward(self, x):
            b, n, _ = x.shape
            q, k, v = self.to_qkv(x).chunk(3, dim=-1)
            q, k, v = map(lambda t: t.reshape(b, n, self.heads, -1).transpose(1, 2), (q, k, v))
            out = self.fast_attention(q, k, v)
            return self.to_out(out.transpose(1, 2).reshape(b, n, -1))

    return PerformerSelfAttention, FastAttention, gaussian_orthogonal_random_matrix


def adam_records(torch, layer, x_data, steps: int = 3) -> list:
    torch_, _, _, optim = libraries(torch)
    optimizer = optim.Adam(layer.parameters(), lr=1e-2)
    records = []
    for step in range(steps):
        x = torch_.tensor(x_data[:, : x_data.shape[1] - step])  # shorter sequences too
        out = layer(x)
        loss = (out ** 2).mean()
        optimizer.zero_grad()
        loss.backward()
        records += [out.detach().numpy()] + [p.grad.numpy().copy() for p in layer.parameters()]
        optimizer.step()
    return records + [p.detach().numpy() for p in layer.parameters()]


@pytest.mark.parametrize("options", [dict(), dict(one_kv_head=True, share_kv=True)], ids=str)
def test_linformer_self_attention_as_torch(torch, options: dict) -> None:
    x = np.random.default_rng(0).standard_normal((2, 6, 8))
    ours, theirs = both_layers(torch, linformer_program, 8, 6, 3, 2, None,
                               options.get("one_kv_head", False), options.get("share_kv", False))
    assert_records(adam_records(None, ours, x), adam_records(torch, theirs, x))


def performer_layer(torch, nn, F):
    return performer_program(torch, nn, F)[0]


@pytest.mark.parametrize("causal", [False, True])
def test_performer_favor_plus_as_torch(torch, causal: bool) -> None:
    x = np.random.default_rng(1).standard_normal((2, 5, 8))
    ours, theirs = both_layers(torch, performer_layer, 8, 2, 6, causal)
    assert "fast_attention.projection_matrix" in ours.state_dict()  # persistent: loaded
    assert_records(adam_records(None, ours, x), adam_records(torch, theirs, x))


def test_our_orthogonal_random_features_are_orthogonal_blocks() -> None:
    ag.manual_seed(0)
    _, _, gaussian_orthogonal_random_matrix = performer_program(*libraries()[:3])
    for scaling in (0, 1):
        w = gaussian_orthogonal_random_matrix(6, 4, scaling=scaling).numpy()
        block = w[:4] / np.linalg.norm(w[:4], axis=1, keepdims=True)
        np.testing.assert_allclose(block @ block.T, np.eye(4), atol=1e-12)
    np.testing.assert_allclose(np.linalg.norm(w, axis=1), 2.0)  # sqrt(nb_columns)


def test_favor_plus_approximates_softmax_attention() -> None:
    ag.manual_seed(0)
    _, FastAttention, _ = performer_program(*libraries()[:3])
    rng = np.random.default_rng(0)
    q, k, v = (ag.tensor(rng.standard_normal((1, 1, 6, 4))) for _ in range(3))
    exact = ((q @ k.transpose(-1, -2)) / 2.0).softmax(dim=-1) @ v  # d ** -0.5 = 1/2
    approx = FastAttention(4, nb_features=2048)(q, k, v)
    uniform = v.mean(dim=-2, keepdim=True)  # attention that ignores the scores
    error = np.abs((approx - exact).numpy()).mean()
    # (the kernel's eps = 1e-4, added after the max shift, leaves a bias of about 0.05)
    assert error < 0.4 * np.abs((uniform - exact).numpy()).mean()
