"""DCN-v2 (deep & cross network, full-rank cross layers x0 * (W x + b) + x) as
yandex-research/rtdl's ``bin/dcn2.py`` writes it (stacked or parallel deep part, offset
category embeddings, its training loop), and the cross networks of
shenweichen/DeepCTR-Torch's ``layers/interaction.py``: ``CrossNet`` with the DCN ``vector``
or DCN-M ``matrix`` parameterisation (``tensordot``, kernels initialised slice by slice
with ``nn.init.xavier_normal_(self.kernels[i])``) and ``CrossNetMix``, the mixture of
low-rank experts with a nonlinearity in the low-rank space and softmax gates; and
pytorch/torchrec's ``LowRankCrossNet`` and ``LowRankMixtureCrossNet`` (kernels in
``nn.ParameterList``s, trained with Adagrad); written once
for a library ``torch`` and run step for step next to PyTorch from the same weights in
float64.

Lines written differently here, and why:
- ``nn.Parameter(torch.Tensor(*size))``: PyTorch's legacy uninitialised constructor is
  refused here (``Tensor(3)`` is the number 3 here), with an error naming ``empty``; it is
  ``torch.empty(*size)`` (the init functions then fill it, slice by slice as written);
- ``import lib`` / ``zero``: the index loader is ``torch.arange(n).split(batch_size)``
  (no shuffling), ``lib.make_optimizer`` is ``optim.AdamW``;
- the kaiming/xavier draws differ between the libraries: weights are synced from
  PyTorch's after construction (``sync``).
"""

import math

import numpy as np
import pytest

from recsys_helpers import assert_records, clicks, libraries, weight_sync


def rtdl_dcn2(torch, nn):
    class CrossLayer(nn.Module):
        def __init__(self, d, dropout):
            super().__init__()
            self.linear = nn.Linear(d, d)
            self.dropout = nn.Dropout(dropout)

        def forward(self, x0, x):
            return self.dropout(x0 * self.linear(x)) + x

    class DCNv2(nn.Module):
        def __init__(self, *, d_in, d, n_hidden_layers, n_cross_layers, hidden_dropout,
                     cross_dropout, d_out, stacked, categories, d_embedding):
            super().__init__()
            if categories is not None:
                d_in += len(categories) * d_embedding
                category_offsets = torch.tensor([0] + categories[:-1]).cumsum(0)
                self.register_buffer('category_offsets', category_offsets)
                self.category_embeddings = nn.Embedding(sum(categories), d_embedding)
                nn.init.kaiming_uniform_(self.category_embeddings.weight, a=math.sqrt(5))
                print(f'{self.category_embeddings.weight.shape=}')
            self.first_linear = nn.Linear(d_in, d)
            self.last_linear = nn.Linear(d if stacked else 2 * d, d_out)
            deep_layers = sum(
                [
                    [nn.Linear(d, d), nn.ReLU(True), nn.Dropout(hidden_dropout)]
                    for _ in range(n_hidden_layers)
                ],
                [],
            )
            cross_layers = [CrossLayer(d, cross_dropout) for _ in range(n_cross_layers)]
            self.deep_layers = nn.Sequential(*deep_layers)
            self.cross_layers = nn.ModuleList(cross_layers)
            self.stacked = stacked

        def forward(self, x_num, x_cat):
            if x_cat is not None:
                x_cat = self.category_embeddings(x_cat + self.category_offsets[None])
                x = torch.cat([x_num, x_cat.view(x_cat.size(0), -1)], dim=-1)
            else:
                x = x_num
            x = self.first_linear(x)
            x_cross = x
            for cross_layer in self.cross_layers:
                x_cross = cross_layer(x, x_cross)
            if self.stacked:
                return self.last_linear(self.deep_layers(x_cross)).squeeze(1)
            else:
                return self.last_linear(
                    torch.cat([x_cross, self.deep_layers(x)], dim=1)
                ).squeeze(1)

    return DCNv2


def train_dcn2(torch, nn, F, optim, sync, record: list, stacked: bool,
               epochs: int = 3) -> None:
    torch.manual_seed(0)
    cats, dense, labels = clicks(n=24, cardinalities=(4, 3, 5), n_dense=3, seed=2)
    X_num, X_cat, Y = torch.tensor(dense), torch.tensor(cats), torch.tensor(labels)
    model = rtdl_dcn2(torch, nn)(
        d_in=X_num.shape[1], d_out=1, categories=[4, 3, 5], d=8, n_hidden_layers=2,
        n_cross_layers=3, hidden_dropout=0.0, cross_dropout=0.0, stacked=stacked,
        d_embedding=4)
    sync(model)
    optimizer = optim.AdamW(model.parameters(), 1e-2, weight_decay=1e-4)
    loss_fn = F.binary_cross_entropy_with_logits
    for epoch in range(epochs):
        model.train()
        epoch_losses = []
        for batch_idx in torch.arange(len(Y)).split(8):
            optimizer.zero_grad()
            loss = loss_fn(model(X_num[batch_idx], X_cat[batch_idx]), Y[batch_idx])
            if loss.isnan():
                print('Loss is nan!')
                break
            loss.backward()
            optimizer.step()
            epoch_losses.append(loss.detach())
        epoch_losses = torch.stack(epoch_losses).tolist()
        record.extend(epoch_losses)
    with torch.no_grad():
        model.eval()
        record.append(torch.cat([model(X_num[idx], X_cat[idx])
                                 for idx in torch.arange(len(Y)).split(10)]).cpu().numpy())
    record += list(model.state_dict().values())


@pytest.mark.parametrize("stacked", [True, False])
def test_rtdl_dcn2(torch, stacked):
    ours, theirs = weight_sync()
    got, want = [], []
    train_dcn2(*libraries(torch), theirs, want, stacked)
    train_dcn2(*libraries(), ours, got, stacked)
    assert_records(got, want, rtol=1e-9, atol=1e-11)


def deepctr_cross_nets(torch, nn):
    class CrossNet(nn.Module):
        def __init__(self, in_features, layer_num=2, parameterization='vector', seed=1024,
                     device='cpu'):
            super(CrossNet, self).__init__()
            self.layer_num = layer_num
            self.parameterization = parameterization
            # torch.Tensor(*size) there (three times): refused here, see the docstring
            if self.parameterization == 'vector':
                # weight in DCN.  (in_features, 1)
                self.kernels = nn.Parameter(torch.empty(self.layer_num, in_features, 1))
            elif self.parameterization == 'matrix':
                # weight matrix in DCN-M.  (in_features, in_features)
                self.kernels = nn.Parameter(
                    torch.empty(self.layer_num, in_features, in_features))
            else:  # error
                raise ValueError("parameterization should be 'vector' or 'matrix'")
            self.bias = nn.Parameter(torch.empty(self.layer_num, in_features, 1))
            for i in range(self.kernels.shape[0]):
                nn.init.xavier_normal_(self.kernels[i])
            for i in range(self.bias.shape[0]):
                nn.init.zeros_(self.bias[i])
            self.to(device)

        def forward(self, inputs):
            x_0 = inputs.unsqueeze(2)
            x_l = x_0
            for i in range(self.layer_num):
                if self.parameterization == 'vector':
                    xl_w = torch.tensordot(x_l, self.kernels[i], dims=([1], [0]))
                    dot_ = torch.matmul(x_0, xl_w)
                    x_l = dot_ + self.bias[i] + x_l
                elif self.parameterization == 'matrix':
                    xl_w = torch.matmul(self.kernels[i], x_l)  # W * xi  (bs, in_features, 1)
                    dot_ = xl_w + self.bias[i]  # W * xi + b
                    x_l = x_0 * dot_ + x_l  # x0 · (W * xi + b) +xl  Hadamard-product
                else:  # error
                    raise ValueError("parameterization should be 'vector' or 'matrix'")
            x_l = torch.squeeze(x_l, dim=2)
            return x_l

    class CrossNetMix(nn.Module):
        def __init__(self, in_features, low_rank=32, num_experts=4, layer_num=2, device='cpu'):
            super(CrossNetMix, self).__init__()
            self.layer_num = layer_num
            self.num_experts = num_experts
            # U: (in_features, low_rank)
            self.U_list = nn.Parameter(
                torch.empty(self.layer_num, num_experts, in_features, low_rank))
            # V: (in_features, low_rank)
            self.V_list = nn.Parameter(
                torch.empty(self.layer_num, num_experts, in_features, low_rank))
            # C: (low_rank, low_rank)
            self.C_list = nn.Parameter(
                torch.empty(self.layer_num, num_experts, low_rank, low_rank))
            self.gating = nn.ModuleList([nn.Linear(in_features, 1, bias=False)
                                         for i in range(self.num_experts)])
            self.bias = nn.Parameter(torch.empty(self.layer_num, in_features, 1))
            init_para_list = [self.U_list, self.V_list, self.C_list]
            for para in init_para_list:
                for i in range(self.layer_num):
                    nn.init.xavier_normal_(para[i])
            for i in range(len(self.bias)):
                nn.init.zeros_(self.bias[i])
            self.to(device)

        def forward(self, inputs):
            x_0 = inputs.unsqueeze(2)  # (bs, in_features, 1)
            x_l = x_0
            for i in range(self.layer_num):
                output_of_experts = []
                gating_score_of_experts = []
                for expert_id in range(self.num_experts):
                    # (1) G(x_l): the gating score by x_l
                    gating_score_of_experts.append(self.gating[expert_id](x_l.squeeze(2)))
                    # (2) E(x_l): project the input x_l to R^r
                    v_x = torch.matmul(self.V_list[i][expert_id].t(), x_l)  # (bs, low_rank, 1)
                    # nonlinear activation in low rank space
                    v_x = torch.tanh(v_x)
                    v_x = torch.matmul(self.C_list[i][expert_id], v_x)
                    v_x = torch.tanh(v_x)
                    # project back to R^d
                    uv_x = torch.matmul(self.U_list[i][expert_id], v_x)  # (bs, in_features, 1)
                    dot_ = uv_x + self.bias[i]
                    dot_ = x_0 * dot_  # Hadamard-product
                    output_of_experts.append(dot_.squeeze(2))
                # (3) mixture of low-rank experts
                output_of_experts = torch.stack(output_of_experts, 2)  # (bs, in_features, E)
                gating_score_of_experts = torch.stack(gating_score_of_experts, 1)  # (bs, E, 1)
                moe_out = torch.matmul(output_of_experts, gating_score_of_experts.softmax(1))
                x_l = moe_out + x_l  # (bs, in_features, 1)
            x_l = x_l.squeeze()  # (bs, in_features)
            return x_l

    return CrossNet, CrossNetMix


def train_cross_net(torch, nn, F, optim, sync, record: list, kind: str,
                    steps: int = 4) -> None:
    torch.manual_seed(0)
    _, dense, labels = clicks(n=24, n_dense=5, seed=6)
    X, Y = torch.tensor(dense), torch.tensor(labels)
    CrossNet, CrossNetMix = deepctr_cross_nets(torch, nn)
    cross = (CrossNetMix(5, low_rank=3, num_experts=3, layer_num=2) if kind == "mix"
             else CrossNet(5, layer_num=3, parameterization=kind))
    record += [p.detach().clone() for name, p in cross.named_parameters() if "bias" in name]
    model = nn.Sequential(cross, nn.Linear(5, 1, bias=False))
    sync(model)
    optimizer = optim.Adam(model.parameters(), lr=1e-2)
    for step in range(steps):
        batch = slice(6 * step, 6 * step + 6)
        optimizer.zero_grad()
        loss = F.binary_cross_entropy_with_logits(model(X[batch]).squeeze(-1), Y[batch])
        loss.backward()
        optimizer.step()
        record.append(loss.detach())
    record += list(model.state_dict().values())


@pytest.mark.parametrize("kind", ["vector", "matrix", "mix"])
def test_deepctr_cross_nets(torch, kind):
    ours, theirs = weight_sync()
    got, want = [], []
    train_cross_net(*libraries(torch), theirs, want, kind)
    train_cross_net(*libraries(), ours, got, kind)
    assert_records(got, want, rtol=1e-9, atol=1e-11)
    assert not np.any(got[0].numpy())  # zeros_ on self.bias[i] wrote through the slices


def torchrec_cross_nets(torch, nn):
    """pytorch/torchrec's ``modules/crossnet.py``: kernels in ``nn.ParameterList``s of
    ``Parameter(init(torch.empty(...)))``; ``torch.relu`` as the default activation."""
    class LowRankCrossNet(nn.Module):
        def __init__(self, in_features, num_layers, low_rank=1):
            super().__init__()
            assert low_rank >= 1, "Low rank must be larger or equal to 1"
            self._num_layers = num_layers
            self._low_rank = low_rank
            self.W_kernels = nn.ParameterList([
                nn.Parameter(nn.init.xavier_normal_(torch.empty(in_features, self._low_rank)))
                for i in range(self._num_layers)])
            self.V_kernels = nn.ParameterList([
                nn.Parameter(nn.init.xavier_normal_(torch.empty(self._low_rank, in_features)))
                for i in range(self._num_layers)])
            self.bias = nn.ParameterList([
                nn.Parameter(nn.init.zeros_(torch.empty(in_features, 1)))
                for i in range(self._num_layers)])

        def forward(self, input):
            x_0 = input.unsqueeze(2)  # (B, N, 1)
            x_l = x_0
            for layer in range(self._num_layers):
                xl_w = torch.matmul(self.W_kernels[layer],
                                    torch.matmul(self.V_kernels[layer], x_l))  # (B, N, 1)
                x_l = x_0 * (xl_w + self.bias[layer]) + x_l  # (B, N, 1)
            return torch.squeeze(x_l, dim=2)  # (B, N)

    class LowRankMixtureCrossNet(nn.Module):
        def __init__(self, in_features, num_layers, num_experts=1, low_rank=1,
                     activation=torch.relu):
            super().__init__()
            self._num_layers = num_layers
            self._num_experts = num_experts
            self._low_rank = low_rank
            self._in_features = in_features
            self.U_kernels = nn.ParameterList([
                nn.Parameter(nn.init.xavier_normal_(
                    torch.empty(self._num_experts, self._in_features, self._low_rank)))
                for i in range(self._num_layers)])
            self.V_kernels = nn.ParameterList([
                nn.Parameter(nn.init.xavier_normal_(
                    torch.empty(self._num_experts, self._low_rank, self._in_features)))
                for i in range(self._num_layers)])
            self.bias = nn.ParameterList([
                nn.Parameter(nn.init.zeros_(torch.empty(self._in_features, 1)))
                for i in range(self._num_layers)])
            self.gates = (nn.ModuleList([nn.Linear(self._in_features, 1, bias=False)
                                         for i in range(self._num_experts)])
                          if self._num_experts > 1 else None)
            self._activation = activation
            self.C_kernels = nn.ParameterList([
                nn.Parameter(nn.init.xavier_normal_(
                    torch.empty(self._num_experts, self._low_rank, self._low_rank)))
                for i in range(self._num_layers)])

        def forward(self, input):
            x_0 = input.unsqueeze(2)  # (B, N, 1)
            x_l = x_0
            for layer in range(self._num_layers):
                if self._num_experts > 1:
                    gating = []
                    for i in range(self._num_experts):
                        gating.append(self.gates[i](x_l.squeeze(2)))
                    gating = torch.stack(gating, 1)  # (B, K, 1)
                experts = []
                for i in range(self._num_experts):
                    expert = torch.matmul(self.V_kernels[layer][i], x_l)  # (B, r, 1)
                    expert = torch.matmul(self.C_kernels[layer][i], self._activation(expert))
                    expert = torch.matmul(self.U_kernels[layer][i], self._activation(expert))
                    expert = x_0 * (expert + self.bias[layer])  # (B, N, 1)
                    experts.append(expert.squeeze(2))  # (B, N)
                experts = torch.stack(experts, 2)  # (B, N, K)
                if self._num_experts > 1:
                    moe = torch.matmul(experts, nn.functional.softmax(gating, 1))  # (B, N, 1)
                    x_l = moe + x_l  # (B, N, 1)
                else:
                    x_l = experts + x_l  # (B, N, 1)
            return torch.squeeze(x_l, dim=2)  # (B, N)

    return LowRankCrossNet, LowRankMixtureCrossNet


def train_torchrec(torch, nn, F, optim, sync, record: list, experts: int) -> None:
    torch.manual_seed(0)
    _, dense, labels = clicks(n=18, n_dense=5, seed=12)
    X, Y = torch.tensor(dense), torch.tensor(labels)
    LowRankCrossNet, LowRankMixtureCrossNet = torchrec_cross_nets(torch, nn)
    cross = (LowRankCrossNet(5, num_layers=2, low_rank=2) if experts == 0
             else LowRankMixtureCrossNet(5, num_layers=2, num_experts=experts, low_rank=2))
    model = nn.Sequential(cross, nn.Linear(5, 1))
    sync(model)
    record.append(list(model.state_dict()))  # names: 0.W_kernels.0, ...
    optimizer = optim.Adagrad(model.parameters(), lr=0.05)
    for step in range(3):
        batch = slice(6 * step, 6 * step + 6)
        optimizer.zero_grad()
        loss = F.binary_cross_entropy_with_logits(model(X[batch]).squeeze(-1), Y[batch])
        loss.backward()
        optimizer.step()
        record.append(loss.detach())
    record += list(model.state_dict().values())


@pytest.mark.parametrize("experts", [0, 1, 3])
def test_torchrec_cross_nets(torch, experts):
    ours, theirs = weight_sync()
    got, want = [], []
    train_torchrec(*libraries(torch), theirs, want, experts)
    train_torchrec(*libraries(), ours, got, experts)
    assert got[0] == want[0]
    assert_records(got[1:], want[1:], rtol=1e-9, atol=1e-11)
