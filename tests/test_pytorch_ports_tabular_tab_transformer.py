"""TabTransformer and lucidrains' FT-Transformer as lucidrains/tab-transformer-pytorch
writes them (``tab_transformer_pytorch.py``, ``ft_transformer.py``, before the
hyper-connections residual streams, which ``num_residual_streams=1`` still gives): category
ids shifted into one table by ``F.pad(...).cumsum`` offsets kept in a buffer, a shared
per-column embedding slice, pre-norm attention with GEGLU feed-forward returning the
post-softmax attention maps, continuous columns standardised from a ``(mean, std)`` buffer
through ``unbind`` and layer-normed, the MLP head; the FT-Transformer's numerical embedder
(a weight and a bias row per numeric column) and [CLS] token; trained with BCE and Adam;
written once for a library ``torch`` and run step for step next to PyTorch from the same
weights in float64.

Lines written differently here, and why:
- einops (a dependency of neither side here) is written out: ``rearrange(t, 'b n (h d) ->
  b h n d', h=h)`` is ``t.reshape(b, n, h, -1).transpose(1, 2)``, ``'b h n d -> b n (h d)'``
  is ``.transpose(1, 2).reshape(b, n, -1)``, ``'b ... -> b (...)'`` is ``.flatten(1)``,
  ``'b n -> b n 1'`` is ``.unsqueeze(-1)``, ``repeat(p, 'n d -> b n d', b=b)`` and
  ``repeat(cls, '1 1 d -> b 1 d', b=b)`` are ``.expand(b, -1, -1)``;
- ``from torch import einsum`` is ``torch.einsum`` (the equations, spaces included, as
  written);
- the embedding and ``torch.randn`` draws differ between the libraries: weights are synced
  from PyTorch's after construction (``sync``).
"""

import numpy as np
import pytest

from recsys_helpers import assert_records, clicks, libraries, weight_sync


def exists(val):
    return val is not None


def default(val, d):
    return val if exists(val) else d


def blocks(torch, nn, F) -> dict:
    """The attention, feed-forward and MLP blocks of ``tab_transformer_pytorch.py``."""
    einsum = torch.einsum

    class PreNorm(nn.Module):
        def __init__(self, dim, fn):
            super().__init__()
            self.norm = nn.LayerNorm(dim)
            self.fn = fn

        def forward(self, x, **kwargs):
            return self.fn(self.norm(x), **kwargs)

    class GEGLU(nn.Module):
        def forward(self, x):
            x, gates = x.chunk(2, dim=-1)
            return x * F.gelu(gates)

    class FeedForward(nn.Module):
        def __init__(self, dim, mult=4, dropout=0.):
            super().__init__()
            self.net = nn.Sequential(
                nn.Linear(dim, dim * mult * 2),
                GEGLU(),
                nn.Dropout(dropout),
                nn.Linear(dim * mult, dim)
            )

        def forward(self, x, **kwargs):
            return self.net(x)

    class Attention(nn.Module):
        def __init__(self, dim, heads=8, dim_head=16, dropout=0.):
            super().__init__()
            inner_dim = dim_head * heads
            self.heads = heads
            self.scale = dim_head ** -0.5
            self.to_qkv = nn.Linear(dim, inner_dim * 3, bias=False)
            self.to_out = nn.Linear(inner_dim, dim)
            self.dropout = nn.Dropout(dropout)

        def forward(self, x):
            h = self.heads
            q, k, v = self.to_qkv(x).chunk(3, dim=-1)
            q, k, v = map(lambda t: t.reshape(*t.shape[:2], h, -1).transpose(1, 2), (q, k, v))
            sim = einsum('b h i d, b h j d -> b h i j', q, k) * self.scale
            attn = sim.softmax(dim=-1)
            dropped_attn = self.dropout(attn)
            out = einsum('b h i j, b h j d -> b h i d', dropped_attn, v)
            out = out.transpose(1, 2).reshape(out.shape[0], out.shape[2], -1)
            return self.to_out(out), attn

    class Transformer(nn.Module):
        def __init__(self, dim, depth, heads, dim_head, attn_dropout, ff_dropout):
            super().__init__()
            self.layers = nn.ModuleList([])
            for _ in range(depth):
                self.layers.append(nn.ModuleList([
                    PreNorm(dim, Attention(dim, heads=heads, dim_head=dim_head,
                                           dropout=attn_dropout)),
                    PreNorm(dim, FeedForward(dim, dropout=ff_dropout)),
                ]))

        def forward(self, x, return_attn=False):
            post_softmax_attns = []
            for attn, ff in self.layers:
                attn_out, post_softmax_attn = attn(x)
                post_softmax_attns.append(post_softmax_attn)
                x = x + attn_out
                x = ff(x) + x
            if not return_attn:
                return x
            return x, torch.stack(post_softmax_attns)

    class MLP(nn.Module):
        def __init__(self, dims, act=None):
            super().__init__()
            dims_pairs = list(zip(dims[:-1], dims[1:]))
            layers = []
            for ind, (dim_in, dim_out) in enumerate(dims_pairs):
                is_last = ind >= (len(dims_pairs) - 1)
                linear = nn.Linear(dim_in, dim_out)
                layers.append(linear)
                if is_last:
                    continue
                act = default(act, nn.ReLU())
                layers.append(act)
            self.mlp = nn.Sequential(*layers)

        def forward(self, x):
            return self.mlp(x)

    return dict(Transformer=Transformer, MLP=MLP)


def tab_transformer_class(torch, nn, F):
    parts = blocks(torch, nn, F)

    class TabTransformer(nn.Module):
        def __init__(self, *, categories, num_continuous, dim, depth, heads, dim_head=16,
                     dim_out=1, mlp_hidden_mults=(4, 2), mlp_act=None, num_special_tokens=2,
                     continuous_mean_std=None, attn_dropout=0., ff_dropout=0.,
                     use_shared_categ_embed=True, shared_categ_dim_divisor=8.):
            super().__init__()
            assert all(map(lambda n: n > 0, categories)), \
                'number of each category must be positive'
            assert len(categories) + num_continuous > 0, 'input shape must not be null'
            self.num_categories = len(categories)
            self.num_unique_categories = sum(categories)
            self.num_special_tokens = num_special_tokens
            total_tokens = self.num_unique_categories + num_special_tokens
            shared_embed_dim = (0 if not use_shared_categ_embed
                                else int(dim // shared_categ_dim_divisor))
            self.category_embed = nn.Embedding(total_tokens, dim - shared_embed_dim)
            self.use_shared_categ_embed = use_shared_categ_embed
            if use_shared_categ_embed:
                self.shared_category_embed = nn.Parameter(
                    torch.zeros(self.num_categories, shared_embed_dim))
                nn.init.normal_(self.shared_category_embed, std=0.02)
            # for automatically offsetting unique category ids to the correct position in
            # the categories embedding table
            if self.num_unique_categories > 0:
                categories_offset = F.pad(torch.tensor(list(categories)), (1, 0),
                                          value=num_special_tokens)
                categories_offset = categories_offset.cumsum(dim=-1)[:-1]
                self.register_buffer('categories_offset', categories_offset)
            self.num_continuous = num_continuous
            if self.num_continuous > 0:
                if exists(continuous_mean_std):
                    assert continuous_mean_std.shape == (num_continuous, 2), \
                        f'continuous_mean_std must have a shape of ({num_continuous}, 2)'
                self.register_buffer('continuous_mean_std', continuous_mean_std)
                self.norm = nn.LayerNorm(num_continuous)
            self.transformer = parts["Transformer"](
                dim=dim, depth=depth, heads=heads, dim_head=dim_head,
                attn_dropout=attn_dropout, ff_dropout=ff_dropout)
            input_size = (dim * self.num_categories) + num_continuous
            hidden_dimensions = [input_size * t for t in mlp_hidden_mults]
            all_dimensions = [input_size, *hidden_dimensions, dim_out]
            self.mlp = parts["MLP"](all_dimensions, act=mlp_act)

        def forward(self, x_categ, x_cont, return_attn=False):
            xs = []
            assert x_categ.shape[-1] == self.num_categories, \
                f'you must pass in {self.num_categories} values for your categories input'
            if self.num_unique_categories > 0:
                x_categ = x_categ + self.categories_offset
                categ_embed = self.category_embed(x_categ)
                if self.use_shared_categ_embed:
                    shared_categ_embed = self.shared_category_embed.expand(
                        categ_embed.shape[0], -1, -1)
                    categ_embed = torch.cat((categ_embed, shared_categ_embed), dim=-1)
                x, attns = self.transformer(categ_embed, return_attn=True)
                flat_categ = x.flatten(1)
                xs.append(flat_categ)
            assert x_cont.shape[1] == self.num_continuous, \
                f'you must pass in {self.num_continuous} values for your continuous input'
            if self.num_continuous > 0:
                if exists(self.continuous_mean_std):
                    mean, std = self.continuous_mean_std.unbind(dim=-1)
                    x_cont = (x_cont - mean) / std
                normed_cont = self.norm(x_cont)
                xs.append(normed_cont)
            x = torch.cat(xs, dim=-1)
            logits = self.mlp(x)
            if not return_attn:
                return logits
            return logits, attns

    return TabTransformer


def ft_transformer_class(torch, nn, F):
    """``ft_transformer.py``: its attention holds its own norm and an unbiased ``to_out``."""
    einsum = torch.einsum

    class GEGLU(nn.Module):
        def forward(self, x):
            x, gates = x.chunk(2, dim=-1)
            return x * F.gelu(gates)

    def FeedForward(dim, mult=4, dropout=0.):
        return nn.Sequential(nn.LayerNorm(dim), nn.Linear(dim, dim * mult * 2), GEGLU(),
                             nn.Dropout(dropout), nn.Linear(dim * mult, dim))

    class Attention(nn.Module):
        def __init__(self, dim, heads=8, dim_head=64, dropout=0.):
            super().__init__()
            inner_dim = dim_head * heads
            self.heads = heads
            self.scale = dim_head ** -0.5
            self.norm = nn.LayerNorm(dim)
            self.to_qkv = nn.Linear(dim, inner_dim * 3, bias=False)
            self.to_out = nn.Linear(inner_dim, dim, bias=False)
            self.dropout = nn.Dropout(dropout)

        def forward(self, x):
            h = self.heads
            x = self.norm(x)
            q, k, v = self.to_qkv(x).chunk(3, dim=-1)
            q, k, v = map(lambda t: t.reshape(*t.shape[:2], h, -1).transpose(1, 2), (q, k, v))
            q = q * self.scale
            sim = einsum('b h i d, b h j d -> b h i j', q, k)
            attn = sim.softmax(dim=-1)
            dropped_attn = self.dropout(attn)
            out = einsum('b h i j, b h j d -> b h i d', dropped_attn, v)
            out = out.transpose(1, 2).reshape(out.shape[0], out.shape[2], -1)
            out = self.to_out(out)
            return out, attn

    class Transformer(nn.Module):
        def __init__(self, dim, depth, heads, dim_head, attn_dropout, ff_dropout):
            super().__init__()
            self.layers = nn.ModuleList([])
            for _ in range(depth):
                self.layers.append(nn.ModuleList([
                    Attention(dim, heads=heads, dim_head=dim_head, dropout=attn_dropout),
                    FeedForward(dim, dropout=ff_dropout),
                ]))

        def forward(self, x, return_attn=False):
            post_softmax_attns = []
            for attn, ff in self.layers:
                attn_out, post_softmax_attn = attn(x)
                post_softmax_attns.append(post_softmax_attn)
                x = attn_out + x
                x = ff(x) + x
            if not return_attn:
                return x
            return x, torch.stack(post_softmax_attns)

    class NumericalEmbedder(nn.Module):
        def __init__(self, dim, num_numerical_types):
            super().__init__()
            self.weights = nn.Parameter(torch.randn(num_numerical_types, dim))
            self.biases = nn.Parameter(torch.randn(num_numerical_types, dim))

        def forward(self, x):
            x = x.unsqueeze(-1)  # rearrange(x, 'b n -> b n 1')
            return x * self.weights + self.biases

    class FTTransformer(nn.Module):
        def __init__(self, *, categories, num_continuous, dim, depth, heads, dim_head=16,
                     dim_out=1, num_special_tokens=2, attn_dropout=0., ff_dropout=0.):
            super().__init__()
            self.num_categories = len(categories)
            self.num_unique_categories = sum(categories)
            self.num_special_tokens = num_special_tokens
            total_tokens = self.num_unique_categories + num_special_tokens
            if self.num_unique_categories > 0:
                categories_offset = F.pad(torch.tensor(list(categories)), (1, 0),
                                          value=num_special_tokens)
                categories_offset = categories_offset.cumsum(dim=-1)[:-1]
                self.register_buffer('categories_offset', categories_offset)
                self.categorical_embeds = nn.Embedding(total_tokens, dim)
            self.num_continuous = num_continuous
            if self.num_continuous > 0:
                self.numerical_embedder = NumericalEmbedder(dim, self.num_continuous)
            self.cls_token = nn.Parameter(torch.randn(1, 1, dim))
            self.transformer = Transformer(dim=dim, depth=depth, heads=heads,
                                           dim_head=dim_head, attn_dropout=attn_dropout,
                                           ff_dropout=ff_dropout)
            self.to_logits = nn.Sequential(nn.LayerNorm(dim), nn.ReLU(),
                                           nn.Linear(dim, dim_out))

        def forward(self, x_categ, x_numer, return_attn=False):
            assert x_categ.shape[-1] == self.num_categories
            xs = []
            if self.num_unique_categories > 0:
                x_categ = x_categ + self.categories_offset
                x_categ = self.categorical_embeds(x_categ)
                xs.append(x_categ)
            # add numerically embedded tokens
            if self.num_continuous > 0:
                x_numer = self.numerical_embedder(x_numer)
                xs.append(x_numer)
            # concat categorical and numerical
            x = torch.cat(xs, dim=1)
            # append cls tokens
            b = x.shape[0]
            cls_tokens = self.cls_token.expand(b, -1, -1)  # repeat(.., '1 1 d -> b 1 d')
            x = torch.cat((cls_tokens, x), dim=1)
            x, attns = self.transformer(x, return_attn=True)
            # get cls token
            x = x[:, 0]
            # out in the paper is linear(relu(ln(cls)))
            logits = self.to_logits(x)
            if not return_attn:
                return logits
            return logits, attns

    return FTTransformer


def train(torch, nn, F, optim, sync, record: list, make_model, steps: int = 3) -> None:
    torch.manual_seed(0)
    cats, dense, labels = clicks(n=18, cardinalities=(5, 7, 4), n_dense=3, seed=8)
    x_categ, x_cont, y = torch.tensor(cats), torch.tensor(dense), torch.tensor(labels)
    model = make_model(torch, nn, F, x_cont)
    sync(model)
    optimizer = optim.Adam(model.parameters(), lr=3e-3)
    for step in range(steps):
        batch = slice(6 * step, 6 * step + 6)
        optimizer.zero_grad()
        logits, attns = model(x_categ[batch], x_cont[batch], return_attn=True)
        loss = F.binary_cross_entropy_with_logits(logits.squeeze(-1), y[batch])
        loss.backward()
        optimizer.step()
        record += [loss.detach(), attns.detach()]
    record += list(model.state_dict().values())


def make_tab_transformer(torch, nn, F, x_cont, standardise=True):
    cont_mean_std = torch.stack([x_cont.mean(0), x_cont.std(0, correction=1)], dim=-1)
    return tab_transformer_class(torch, nn, F)(
        categories=(5, 7, 4), num_continuous=3, dim=16, dim_out=1, depth=2, heads=2,
        dim_head=4, attn_dropout=0.0, ff_dropout=0.0, mlp_hidden_mults=(2,),
        mlp_act=nn.ReLU(), continuous_mean_std=cont_mean_std if standardise else None)


def make_ft_transformer(torch, nn, F, x_cont):
    return ft_transformer_class(torch, nn, F)(
        categories=(5, 7, 4), num_continuous=3, dim=8, dim_out=1, depth=2, heads=2,
        dim_head=4, attn_dropout=0.0, ff_dropout=0.0)


MODELS = {
    "tab-transformer": make_tab_transformer,
    "tab-transformer-no-mean-std": lambda *args: make_tab_transformer(*args, False),
    "ft-transformer": make_ft_transformer,
}


@pytest.mark.parametrize("name", sorted(MODELS))
def test_lucidrains_tab_and_ft_transformers(torch, name):
    ours, theirs = weight_sync()
    got, want = [], []
    train(*libraries(torch), theirs, want, MODELS[name])
    train(*libraries(), ours, got, MODELS[name])
    assert_records(got, want, rtol=1e-9, atol=1e-11)
    np.testing.assert_allclose(got[1].numpy().sum(-1), 1.0, rtol=1e-12)  # attention rows
