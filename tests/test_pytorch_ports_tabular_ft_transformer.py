"""FT-Transformer as yandex-research/rtdl's ``bin/ft_transformer.py`` writes it (the paper's
code): the feature tokenizer (a weight row per numeric feature and one for [CLS], offset
category embeddings, per-feature biases), multi-head attention from separate W_q/W_k/W_v
layers with xavier init at gain 1/sqrt(2), Linformer key/value compression along the token
axis, ReGLU feed-forward blocks, pre- or post-normalization, the last layer attending from
[CLS] only, and its training loop (AdamW with a parameter group without weight decay for
tokenizer, norms and biases; ``lib.deep.make_optimizer``, ``reglu``); written once for a
library ``torch`` and run step for step next to PyTorch from the same weights in float64.

Lines written differently here, and why:
- ``nn.Parameter(Tensor(d_numerical + 1, d_token))``: ``Tensor(*size)``, PyTorch's legacy
  uninitialised constructor, is refused here (``Tensor(3)`` is the number 3 here) with an
  error naming ``empty``; it is ``torch.empty(d_numerical + 1, d_token)`` (the init fills it);
- ``import lib`` / ``zero``: the helpers used (``reglu``, ``get_activation_fn``,
  ``make_optimizer``, the index loader) are written inline; the loader does not shuffle;
- the kaiming/xavier draws differ between the libraries: weights are synced from PyTorch's
  after construction (``sync``).
"""

import math

import pytest

from recsys_helpers import assert_records, clicks, libraries, weight_sync


def ft_transformer(torch, nn, F, optim, sync, record: list, config: dict,
                   steps: int = 3) -> None:
    nn_init = nn.init
    torch.manual_seed(0)
    cats, dense, labels = clicks(n=20, cardinalities=(4, 3), n_dense=3, seed=11)
    X_num, X_cat, Y = torch.tensor(dense), torch.tensor(cats), torch.tensor(labels)

    def reglu(x):
        a, b = x.chunk(2, dim=-1)
        return a * F.relu(b)

    def get_activation_fn(name):
        return (
            reglu if name == 'reglu' else torch.sigmoid if name == 'sigmoid'
            else getattr(F, name)
        )

    def get_nonglu_activation_fn(name):
        return F.relu if name == 'reglu' else get_activation_fn(name)

    class Tokenizer(nn.Module):
        def __init__(self, d_numerical, categories, d_token, bias):
            super().__init__()
            if categories is None:
                d_bias = d_numerical
                self.category_offsets = None
                self.category_embeddings = None
            else:
                d_bias = d_numerical + len(categories)
                category_offsets = torch.tensor([0] + categories[:-1]).cumsum(0)
                self.register_buffer('category_offsets', category_offsets)
                self.category_embeddings = nn.Embedding(sum(categories), d_token)
                nn_init.kaiming_uniform_(self.category_embeddings.weight, a=math.sqrt(5))
                print(f'{self.category_embeddings.weight.shape=}')

            # take [CLS] token into account
            # Tensor(d_numerical + 1, d_token) there: refused here, see the docstring
            self.weight = nn.Parameter(torch.empty(d_numerical + 1, d_token))
            self.bias = nn.Parameter(torch.empty(d_bias, d_token)) if bias else None
            # The initialization is inspired by nn.Linear
            nn_init.kaiming_uniform_(self.weight, a=math.sqrt(5))
            if self.bias is not None:
                nn_init.kaiming_uniform_(self.bias, a=math.sqrt(5))

        @property
        def n_tokens(self):
            return len(self.weight) + (
                0 if self.category_offsets is None else len(self.category_offsets)
            )

        def forward(self, x_num, x_cat):
            x_num = torch.cat(
                [torch.ones(len(x_num), 1, device=x_num.device), x_num], dim=1,
            )
            x = self.weight[None] * x_num[:, :, None]
            if x_cat is not None:
                x = torch.cat(
                    [x, self.category_embeddings(x_cat + self.category_offsets[None])],
                    dim=1,
                )
            if self.bias is not None:
                bias = torch.cat(
                    [torch.zeros(1, self.bias.shape[1], device=x_num.device), self.bias]
                )
                x = x + bias[None]
            return x

    class MultiheadAttention(nn.Module):
        def __init__(self, d, n_heads, dropout, initialization):
            if n_heads > 1:
                assert d % n_heads == 0
            assert initialization in ['xavier', 'kaiming']
            super().__init__()
            self.W_q = nn.Linear(d, d)
            self.W_k = nn.Linear(d, d)
            self.W_v = nn.Linear(d, d)
            self.W_out = nn.Linear(d, d) if n_heads > 1 else None
            self.n_heads = n_heads
            self.dropout = nn.Dropout(dropout) if dropout else None
            for m in [self.W_q, self.W_k, self.W_v]:
                if initialization == 'xavier' and (n_heads > 1 or m is not self.W_v):
                    # gain is needed since W_qkv is represented with 3 separate layers
                    nn_init.xavier_uniform_(m.weight, gain=1 / math.sqrt(2))
                nn_init.zeros_(m.bias)
            if self.W_out is not None:
                nn_init.zeros_(self.W_out.bias)

        def _reshape(self, x):
            batch_size, n_tokens, d = x.shape
            d_head = d // self.n_heads
            return (
                x.reshape(batch_size, n_tokens, self.n_heads, d_head)
                .transpose(1, 2)
                .reshape(batch_size * self.n_heads, n_tokens, d_head)
            )

        def forward(self, x_q, x_kv, key_compression, value_compression):
            q, k, v = self.W_q(x_q), self.W_k(x_kv), self.W_v(x_kv)
            for tensor in [q, k, v]:
                assert tensor.shape[-1] % self.n_heads == 0
            if key_compression is not None:
                assert value_compression is not None
                k = key_compression(k.transpose(1, 2)).transpose(1, 2)
                v = value_compression(v.transpose(1, 2)).transpose(1, 2)
            else:
                assert value_compression is None
            batch_size = len(q)
            d_head_key = k.shape[-1] // self.n_heads
            d_head_value = v.shape[-1] // self.n_heads
            n_q_tokens = q.shape[1]
            q = self._reshape(q)
            k = self._reshape(k)
            attention = F.softmax(q @ k.transpose(1, 2) / math.sqrt(d_head_key), dim=-1)
            if self.dropout is not None:
                attention = self.dropout(attention)
            x = attention @ self._reshape(v)
            x = (
                x.reshape(batch_size, self.n_heads, n_q_tokens, d_head_value)
                .transpose(1, 2)
                .reshape(batch_size, n_q_tokens, self.n_heads * d_head_value)
            )
            if self.W_out is not None:
                x = self.W_out(x)
            return x

    class Transformer(nn.Module):
        def __init__(self, *, d_numerical, categories, token_bias, n_layers, d_token,
                     n_heads, d_ffn_factor, attention_dropout, ffn_dropout,
                     residual_dropout, activation, prenormalization, initialization,
                     kv_compression, kv_compression_sharing, d_out):
            assert (kv_compression is None) ^ (kv_compression_sharing is not None)
            super().__init__()
            self.tokenizer = Tokenizer(d_numerical, categories, d_token, token_bias)
            n_tokens = self.tokenizer.n_tokens

            def make_kv_compression():
                assert kv_compression
                compression = nn.Linear(n_tokens, int(n_tokens * kv_compression), bias=False)
                if initialization == 'xavier':
                    nn_init.xavier_uniform_(compression.weight)
                return compression

            self.shared_kv_compression = (
                make_kv_compression()
                if kv_compression and kv_compression_sharing == 'layerwise'
                else None
            )

            def make_normalization():
                return nn.LayerNorm(d_token)

            d_hidden = int(d_token * d_ffn_factor)
            self.layers = nn.ModuleList([])
            for layer_idx in range(n_layers):
                layer = nn.ModuleDict({
                    'attention': MultiheadAttention(
                        d_token, n_heads, attention_dropout, initialization
                    ),
                    'linear0': nn.Linear(
                        d_token, d_hidden * (2 if activation.endswith('glu') else 1)
                    ),
                    'linear1': nn.Linear(d_hidden, d_token),
                    'norm1': make_normalization(),
                })
                if not prenormalization or layer_idx:
                    layer['norm0'] = make_normalization()
                if kv_compression and self.shared_kv_compression is None:
                    layer['key_compression'] = make_kv_compression()
                    if kv_compression_sharing == 'headwise':
                        layer['value_compression'] = make_kv_compression()
                    else:
                        assert kv_compression_sharing == 'key-value'
                self.layers.append(layer)

            self.activation = get_activation_fn(activation)
            self.last_activation = get_nonglu_activation_fn(activation)
            self.prenormalization = prenormalization
            self.last_normalization = make_normalization() if prenormalization else None
            self.ffn_dropout = ffn_dropout
            self.residual_dropout = residual_dropout
            self.head = nn.Linear(d_token, d_out)

        def _get_kv_compressions(self, layer):
            return (
                (self.shared_kv_compression, self.shared_kv_compression)
                if self.shared_kv_compression is not None
                else (layer['key_compression'], layer['value_compression'])
                if 'key_compression' in layer and 'value_compression' in layer
                else (layer['key_compression'], layer['key_compression'])
                if 'key_compression' in layer
                else (None, None)
            )

        def _start_residual(self, x, layer, norm_idx):
            x_residual = x
            if self.prenormalization:
                norm_key = f'norm{norm_idx}'
                if norm_key in layer:
                    x_residual = layer[norm_key](x_residual)
            return x_residual

        def _end_residual(self, x, x_residual, layer, norm_idx):
            if self.residual_dropout:
                x_residual = F.dropout(x_residual, self.residual_dropout, self.training)
            x = x + x_residual
            if not self.prenormalization:
                x = layer[f'norm{norm_idx}'](x)
            return x

        def forward(self, x_num, x_cat):
            x = self.tokenizer(x_num, x_cat)
            for layer_idx, layer in enumerate(self.layers):
                is_last_layer = layer_idx + 1 == len(self.layers)
                x_residual = self._start_residual(x, layer, 0)
                x_residual = layer['attention'](
                    # for the last attention, it is enough to process only [CLS]
                    (x_residual[:, :1] if is_last_layer else x_residual),
                    x_residual,
                    *self._get_kv_compressions(layer),
                )
                if is_last_layer:
                    x = x[:, : x_residual.shape[1]]
                x = self._end_residual(x, x_residual, layer, 0)
                x_residual = self._start_residual(x, layer, 1)
                x_residual = layer['linear0'](x_residual)
                x_residual = self.activation(x_residual)
                if self.ffn_dropout:
                    x_residual = F.dropout(x_residual, self.ffn_dropout, self.training)
                x_residual = layer['linear1'](x_residual)
                x = self._end_residual(x, x_residual, layer, 1)
            assert x.shape[1] == 1
            x = x[:, 0]
            if self.last_normalization is not None:
                x = self.last_normalization(x)
            x = self.last_activation(x)
            x = self.head(x)
            x = x.squeeze(-1)
            return x

    def make_optimizer(optimizer, parameter_groups, lr, weight_decay):
        Optimizer = {'adam': optim.Adam, 'adamw': optim.AdamW, 'sgd': optim.SGD}[optimizer]
        momentum = (0.9,) if Optimizer is optim.SGD else ()
        return Optimizer(parameter_groups, lr, *momentum, weight_decay=weight_decay)

    model = Transformer(d_numerical=X_num.shape[1], categories=[4, 3], d_out=1,
                        token_bias=True, n_layers=2, d_token=8, n_heads=2,
                        d_ffn_factor=4 / 3, attention_dropout=0.0, ffn_dropout=0.0,
                        residual_dropout=0.0, initialization='kaiming', **config)
    sync(model)

    def needs_wd(name):
        return all(x not in name for x in ['tokenizer', '.norm', '.bias'])

    for x in ['tokenizer', '.norm', '.bias']:
        assert any(x in a for a in (b[0] for b in model.named_parameters()))
    parameters_with_wd = [v for k, v in model.named_parameters() if needs_wd(k)]
    parameters_without_wd = [v for k, v in model.named_parameters() if not needs_wd(k)]
    optimizer = make_optimizer(
        'adamw',
        [{'params': parameters_with_wd}, {'params': parameters_without_wd, 'weight_decay': 0.0}],
        1e-2, 1e-5,
    )
    batch_size = 8
    for step in range(steps):
        for batch_idx in torch.arange(len(Y)).split(batch_size):
            model.train()
            optimizer.zero_grad()
            loss = F.binary_cross_entropy_with_logits(
                model(X_num[batch_idx], X_cat[batch_idx]), Y[batch_idx])
            loss.backward()
            optimizer.step()
            record.append(loss.detach())
    model.eval()
    with torch.no_grad():
        record.append(model(X_num, X_cat))
    record += list(model.state_dict().values())


CONFIGS = {
    "prenorm-reglu-headwise": dict(activation='reglu', prenormalization=True,
                                   kv_compression=0.5, kv_compression_sharing='headwise'),
    "postnorm-gelu-layerwise": dict(activation='gelu', prenormalization=False,
                                    kv_compression=0.5, kv_compression_sharing='layerwise'),
    "prenorm-sigmoid-keyvalue": dict(activation='sigmoid', prenormalization=True,
                                     kv_compression=0.5, kv_compression_sharing='key-value'),
    "prenorm-relu-none": dict(activation='relu', prenormalization=True,
                              kv_compression=None, kv_compression_sharing=None),
}


@pytest.mark.parametrize("name", sorted(CONFIGS))
def test_ft_transformer(torch, name):
    ours, theirs = weight_sync()
    got, want = [], []
    ft_transformer(*libraries(torch), theirs, want, CONFIGS[name])
    ft_transformer(*libraries(), ours, got, CONFIGS[name])
    assert_records(got, want, rtol=1e-9, atol=1e-10)
