"""The column-embedding layers of jrzaurin/pytorch-widedeep
(``models/tabular/embeddings_layers.py``) beyond the ones its wide & deep port uses
(``test_pytorch_ports_tabular_widedeep.py``): ``SharedEmbeddings`` (a column embedding
written into each value's embedding by slice assignment, or added), ``FullEmbeddingDropout``
(``X.new().resize_(...).bernoulli_(1 - p)`` masks of whole columns), the piecewise-linear
encoding of ``PiecewiseContEmbeddings`` (``torch.bucketize`` and an indexed write of the
fractions into a comparison mask) and the periodic one of ``PeriodicContEmbeddings``
(``trunc_normal_`` frequencies, cos/sin, the per-feature ``NLinear``); each run forward and
backward next to PyTorch from the same weights in float64.

Lines written differently here, and why:
- ``self.embed.weight.data.clamp_(-2, 2)``: ``.data`` is a NumPy array here (by design),
  which has no ``clamp_``; the line is the same untracked in-place update under
  ``torch.no_grad()``;
- ``.float()`` is ``.double()`` (float64 runs); ``torch.Tensor(*size)`` is ``torch.empty``.
"""

import math

import numpy as np
import pytest

from recsys_helpers import assert_records, libraries, weight_sync


def embedding_classes(torch, nn, F) -> dict:
    class FullEmbeddingDropout(nn.Module):
        def __init__(self, p: float):
            super(FullEmbeddingDropout, self).__init__()
            if p < 0 or p > 1:
                raise ValueError(f"p probability has to be between 0 and 1, but got {p}")
            self.p = p

        def forward(self, X):
            if self.training:
                mask = X.new().resize_((X.size(1), 1)).bernoulli_(1 - self.p).expand_as(
                    X) / (1 - self.p)
                return mask * X
            else:
                return X

    class SharedEmbeddings(nn.Module):
        def __init__(self, n_embed, embed_dim, embed_dropout, full_embed_dropout=False,
                     add_shared_embed=False, frac_shared_embed=0.25):
            super(SharedEmbeddings, self).__init__()
            assert frac_shared_embed < 1, "'frac_shared_embed' must be less than 1"
            self.add_shared_embed = add_shared_embed
            self.embed = nn.Embedding(n_embed, embed_dim, padding_idx=0)
            with torch.no_grad():  # self.embed.weight.data.clamp_(-2, 2) there
                self.embed.weight.clamp_(-2, 2)
            if add_shared_embed:
                col_embed_dim = embed_dim
            else:
                col_embed_dim = int(embed_dim * frac_shared_embed)
            self.shared_embed = nn.Parameter(torch.empty(1, col_embed_dim).uniform_(-1, 1))
            if full_embed_dropout:
                self.dropout = FullEmbeddingDropout(embed_dropout)
            else:
                self.dropout = nn.Dropout(embed_dropout)

        def forward(self, X):
            out = self.dropout(self.embed(X))
            shared_embed = self.shared_embed.expand(out.shape[0], -1)
            if self.add_shared_embed:
                out += shared_embed
            else:
                out[:, : shared_embed.shape[1]] = shared_embed
            return out

    class PiecewiseContEmbeddings(nn.Module):
        def __init__(self, column_idx, quantization_setup, embed_dim, embed_dropout):
            super(PiecewiseContEmbeddings, self).__init__()
            self.column_idx = column_idx
            self.quantization_setup = quantization_setup
            self.embed_dim = embed_dim
            self.embed_dropout = embed_dropout
            self.n_cont_cols = len(quantization_setup)
            self.max_num_buckets = max([len(qs) - 1 for qs in quantization_setup.values()])
            boundaries = {}
            for col, qs in quantization_setup.items():
                boundaries[col] = torch.tensor(qs)
                self.register_buffer("boundaries_" + col, boundaries[col])
            self.weight = nn.Parameter(
                torch.empty(self.n_cont_cols, self.max_num_buckets, self.embed_dim))
            self.bias = nn.Parameter(torch.empty(self.n_cont_cols, self.embed_dim))
            self.reset_parameters()

        def reset_parameters(self) -> None:
            nn.init.normal_(self.weight, std=0.01)
            nn.init.zeros_(self.bias)

        def forward(self, X):
            encoded_values = []
            for col, index in self.column_idx.items():
                feat = X[:, index]
                col_boundaries = getattr(self, "boundaries_" + col)
                bucket_indices = torch.bucketize(feat, col_boundaries[1:-1])
                boundary_start = col_boundaries[bucket_indices]
                boundary_end = col_boundaries[bucket_indices + 1]
                frac = (feat - boundary_start) / (boundary_end - boundary_start + 1e-8)
                greater_mask = (feat.view(-1, 1) > col_boundaries[:-1]).double()  # .float()
                greater_mask[
                    torch.arange(len(bucket_indices), device=greater_mask.device),
                    bucket_indices,
                ] = frac.double()  # .float() there
                encoded_values.append(greater_mask)
            out = torch.stack(encoded_values, dim=1)
            x = torch.einsum("b n k, n k e -> b n e", out, self.weight)
            x = x + self.bias
            return F.dropout(x, self.embed_dropout, self.training)

    class NLinear(nn.Module):
        def __init__(self, n_feat, inp_units, out_units):
            super().__init__()
            self.n_feat = n_feat
            self.inp_units = inp_units
            self.out_units = out_units
            self.weights = nn.Parameter(torch.empty(n_feat, inp_units, out_units))
            self.bias = nn.Parameter(torch.empty(n_feat, out_units))
            self.reset_parameters()

        def reset_parameters(self):
            d_in_rsqrt = self.weights.shape[-2] ** -0.5
            nn.init.uniform_(self.weights, -d_in_rsqrt, d_in_rsqrt)
            nn.init.uniform_(self.bias, -d_in_rsqrt, d_in_rsqrt)

        def forward(self, X):
            assert X.ndim == 3
            assert X.shape[1] == self.n_feat
            assert X.shape[2] == self.inp_units
            x = (X[..., None, :] @ self.weights).squeeze(-2)
            x = x + self.bias
            return x

    class PeriodicContEmbeddings(nn.Module):
        def __init__(self, n_cont_cols, embed_dim, embed_dropout, n_frequencies, sigma):
            super(PeriodicContEmbeddings, self).__init__()
            self.n_cont_cols = n_cont_cols
            self.embed_dim = embed_dim
            self.embed_dropout = embed_dropout
            self.n_frequencies = n_frequencies
            self.sigma = sigma
            self.weight_perdiodic = nn.Parameter(
                torch.empty((self.n_cont_cols, self.n_frequencies)))
            self.reset_parameters()
            self.linear = NLinear(self.n_cont_cols, 2 * self.n_frequencies, self.embed_dim)
            self.activation_fn = nn.ReLU()

        def reset_parameters(self):
            bound = self.sigma * 3
            nn.init.trunc_normal_(self.weight_perdiodic, 0.0, self.sigma, a=-bound, b=bound)

        def forward(self, X):
            x = 2 * math.pi * self.weight_perdiodic * X[..., None]
            x = torch.cat([torch.cos(x), torch.sin(x)], -1)
            x = self.linear(x)
            if self.activation_fn is not None:
                x = self.activation_fn(x)
            return F.dropout(x, self.embed_dropout, self.training)

    return dict(SharedEmbeddings=SharedEmbeddings, FullEmbeddingDropout=FullEmbeddingDropout,
                PiecewiseContEmbeddings=PiecewiseContEmbeddings,
                PeriodicContEmbeddings=PeriodicContEmbeddings)


def make_module(torch, nn, F, name):
    classes = embedding_classes(torch, nn, F)
    if name == "shared":
        return classes["SharedEmbeddings"](6, 8, 0.0, frac_shared_embed=0.25)
    if name == "shared-added":
        return classes["SharedEmbeddings"](6, 4, 0.0, add_shared_embed=True)
    if name == "piecewise":
        setup = {"x": [-2.0, -0.5, 0.0, 0.7, 2.0], "y": [-3.0, -1.0, 0.0, 1.0, 3.0]}
        return classes["PiecewiseContEmbeddings"]({"x": 0, "y": 1}, setup, 3, 0.0)
    return classes["PeriodicContEmbeddings"](2, 3, 0.0, n_frequencies=4, sigma=0.5)


@pytest.mark.filterwarnings("ignore:torch.searchsorted")  # PyTorch's: a column is strided
@pytest.mark.parametrize("name", ["shared", "shared-added", "piecewise", "periodic"])
def test_widedeep_embedding_layers(torch, name):
    ours, theirs = weight_sync()
    rng = np.random.default_rng(3)
    ids, values = rng.integers(0, 6, size=9), rng.uniform(-1.9, 1.9, size=(9, 2))
    out_shape = {"shared": (9, 8), "shared-added": (9, 4)}.get(name, (9, 2, 3))
    upstream = rng.normal(size=out_shape)
    records = []
    for (T, nn_, F_, _), sync in ((libraries(torch), theirs), (libraries(), ours)):
        module = make_module(T, nn_, F_, name)
        sync(module)
        x = T.tensor(ids) if name.startswith("shared") else T.tensor(values)
        out = module(x)
        out.backward(T.tensor(upstream))
        records.append([out] + [p.grad for p in module.parameters()])
    assert_records(records[1], records[0], rtol=1e-10)


def test_shared_embedding_clamped_and_full_embedding_dropout(torch):
    """The clamp reaches the weights; whole columns are dropped (in training only)."""
    classes = embedding_classes(*libraries()[:3])
    shared = classes["SharedEmbeddings"](50, 8, 0.0)
    assert np.abs(shared.embed.weight.data).max() <= 2.0
    dropout = classes["FullEmbeddingDropout"](0.5)
    T = libraries()[0]
    X = T.ones(3, 40, 2)
    kept = dropout(X).numpy()
    assert set(np.unique(kept)) <= {0.0, 2.0}
    assert np.all(kept == kept[:, :, :1]) and np.all(kept == kept[:1])  # per column
    dropout.eval()
    assert dropout(X) is X
