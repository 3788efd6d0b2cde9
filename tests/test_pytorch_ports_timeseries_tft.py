"""Temporal Fusion Transformer pieces as PyTorch users write them (pytorch-forecasting's
``sub_modules.py`` and ``QuantileLoss``): ``GatedLinearUnit`` (``F.glu(x, dim=-1)``, xavier
and zeros initialisation over ``named_parameters``), ``AddNorm`` with a trainable gate
(``nn.Parameter(torch.zeros(size, dtype=torch.float))`` through ``nn.Sigmoid``, times 2),
``GateAddNorm``, ``GatedResidualNetwork`` (ELU, an optional context, a linear resampled skip,
kaiming-normal initialisation), the ``VariableSelectionNetwork`` (per-variable GRNs in an
``nn.ModuleDict``, a flattened GRN with static context, ``nn.Softmax(dim=-1)`` weights,
``torch.stack(..., dim=-1)``), ``InterpretableMultiHeadAttention`` (one value projection
shared by the heads, per-head query/key projections, ``torch.bmm``, the scale
``torch.as_tensor(k.size(-1), dtype=attn.dtype).sqrt()``, a causal mask from
``torch.triu(torch.ones(...), diagonal=1).bool()`` filled with -1e9, the heads averaged)
and the pinball ``QuantileLoss`` (``torch.max((q - 1) * errors, q * errors)`` per quantile,
``torch.cat`` over them). A small model of them (static context, an LSTM encoder, the
attention, a position-wise GRN and a quantile head) is trained with Adam and
``clip_grad_norm_`` on generated series (sines with trend and noise) and runs step for step
next to PyTorch from the same weights: losses, gradients, the variable-selection and
attention weights and the parameters agree to 1e-10 (float64).

Written differently: ``torch.float`` in ``AddNorm``'s mask is ``torch.double`` (the
comparison runs in float64); the initialisers draw from each library's own generator, so
PyTorch's initial weights are loaded after construction (the test's glue); dropout is 0;
``torch.nn.init.zeros_(p)`` is ``nn.init.zeros_(p)`` (``nn`` is a package of its own here,
which ``autograd`` does not import).
"""

import numpy as np

import autograd as ag
import nn
import nn.functional
from test_pytorch_ports_gpt_lecture import assert_records


def tft_program(torch, nn, F):
    class GatedLinearUnit(nn.Module):
        """Gated Linear Unit"""

        def __init__(self, input_size, hidden_size=None, dropout=None):
            super().__init__()
            self.dropout = nn.Dropout(dropout) if dropout is not None else None
            self.hidden_size = hidden_size or input_size
            self.fc = nn.Linear(input_size, self.hidden_size * 2)
            self.init_weights()

        def init_weights(self):
            for n, p in self.named_parameters():
                if "bias" in n:
                    nn.init.zeros_(p)
                elif "fc" in n:
                    nn.init.xavier_uniform_(p)

        def forward(self, x):
            if self.dropout is not None:
                x = self.dropout(x)
            x = self.fc(x)
            x = F.glu(x, dim=-1)
            return x

    class AddNorm(nn.Module):
        def __init__(self, input_size, skip_size=None, trainable_add=True):
            super().__init__()
            self.input_size = input_size
            self.trainable_add = trainable_add
            self.skip_size = skip_size or input_size
            if self.input_size != self.skip_size:
                self.resample = nn.Linear(self.skip_size, self.input_size)
            if self.trainable_add:
                self.mask = nn.Parameter(torch.zeros(self.input_size, dtype=torch.double))
                self.gate = nn.Sigmoid()
            self.norm = nn.LayerNorm(self.input_size)

        def forward(self, x, skip):
            if self.input_size != self.skip_size:
                skip = self.resample(skip)
            if self.trainable_add:
                skip = skip * self.gate(self.mask) * 2.0
            output = self.norm(x + skip)
            return output

    class GateAddNorm(nn.Module):
        def __init__(self, input_size, hidden_size=None, skip_size=None, trainable_add=False,
                     dropout=None):
            super().__init__()
            self.hidden_size = hidden_size or input_size
            self.skip_size = skip_size or self.hidden_size
            self.glu = GatedLinearUnit(input_size, hidden_size=self.hidden_size, dropout=dropout)
            self.add_norm = AddNorm(self.hidden_size, skip_size=self.skip_size,
                                    trainable_add=trainable_add)

        def forward(self, x, skip):
            output = self.glu(x)
            output = self.add_norm(output, skip)
            return output

    class GatedResidualNetwork(nn.Module):
        def __init__(self, input_size, hidden_size, output_size, dropout=0.1,
                     context_size=None, residual=False):
            super().__init__()
            self.input_size = input_size
            self.output_size = output_size
            self.hidden_size = hidden_size
            self.context_size = context_size
            self.residual = residual
            if self.input_size != self.output_size and not self.residual:
                residual_size = self.input_size
            else:
                residual_size = self.output_size
            if self.output_size != residual_size:
                self.resample_norm = nn.Linear(residual_size, self.output_size)
            self.fc1 = nn.Linear(self.input_size, self.hidden_size)
            self.elu = nn.ELU()
            if self.context_size is not None:
                self.context = nn.Linear(self.context_size, self.hidden_size, bias=False)
            self.fc2 = nn.Linear(self.hidden_size, self.hidden_size)
            self.init_weights()
            self.gate_norm = GateAddNorm(input_size=self.hidden_size, skip_size=self.output_size,
                                         hidden_size=self.output_size, dropout=dropout,
                                         trainable_add=False)

        def init_weights(self):
            for name, p in self.named_parameters():
                if "bias" in name:
                    nn.init.zeros_(p)
                elif "fc1" in name or "fc2" in name:
                    nn.init.kaiming_normal_(p, a=0, mode="fan_in",
                                                  nonlinearity="leaky_relu")
                elif "context" in name:
                    nn.init.xavier_uniform_(p)

        def forward(self, x, context=None, residual=None):
            if residual is None:
                residual = x
            if self.input_size != self.output_size and not self.residual:
                residual = self.resample_norm(residual)
            x = self.fc1(x)
            if context is not None:
                context = self.context(context)
                x = x + context
            x = self.elu(x)
            x = self.fc2(x)
            x = self.gate_norm(x, residual)
            return x

    class VariableSelectionNetwork(nn.Module):
        def __init__(self, input_sizes, hidden_size, dropout=0.1, context_size=None):
            super().__init__()
            self.hidden_size = hidden_size
            self.input_sizes = input_sizes
            self.flattened_grn = GatedResidualNetwork(
                sum(input_sizes.values()), min(hidden_size, len(input_sizes)),
                len(input_sizes), dropout, context_size, residual=False)
            self.single_variable_grns = nn.ModuleDict()
            for name, input_size in self.input_sizes.items():
                self.single_variable_grns[name] = GatedResidualNetwork(
                    input_size, min(input_size, self.hidden_size), output_size=self.hidden_size,
                    dropout=dropout)
            self.softmax = nn.Softmax(dim=-1)

        def forward(self, x, context=None):
            var_outputs = []
            weight_inputs = []
            for name in self.input_sizes.keys():
                variable_embedding = x[name]
                weight_inputs.append(variable_embedding)
                var_outputs.append(self.single_variable_grns[name](variable_embedding))
            var_outputs = torch.stack(var_outputs, dim=-1)
            flat_embedding = torch.cat(weight_inputs, dim=-1)
            sparse_weights = self.flattened_grn(flat_embedding, context)
            sparse_weights = self.softmax(sparse_weights).unsqueeze(-2)
            outputs = var_outputs * sparse_weights
            outputs = outputs.sum(dim=-1)
            return outputs, sparse_weights

    class ScaledDotProductAttention(nn.Module):
        def __init__(self, dropout=None, scale=True):
            super(ScaledDotProductAttention, self).__init__()
            self.dropout = nn.Dropout(p=dropout) if dropout is not None else None
            self.softmax = nn.Softmax(dim=2)
            self.scale = scale

        def forward(self, q, k, v, mask=None):
            attn = torch.bmm(q, k.permute(0, 2, 1))  # query-key overlap
            if self.scale:
                dimension = torch.as_tensor(k.size(-1), dtype=attn.dtype,
                                            device=attn.device).sqrt()
                attn = attn / dimension
            if mask is not None:
                attn = attn.masked_fill(mask, -1e9)
            attn = self.softmax(attn)
            if self.dropout is not None:
                attn = self.dropout(attn)
            output = torch.bmm(attn, v)
            return output, attn

    class InterpretableMultiHeadAttention(nn.Module):
        def __init__(self, n_head, d_model, dropout=0.0):
            super(InterpretableMultiHeadAttention, self).__init__()
            self.n_head = n_head
            self.d_model = d_model
            self.d_k = self.d_q = self.d_v = d_model // n_head
            self.dropout = nn.Dropout(p=dropout)
            self.v_layer = nn.Linear(self.d_model, self.d_v)
            self.q_layers = nn.ModuleList([nn.Linear(self.d_model, self.d_q)
                                           for _ in range(self.n_head)])
            self.k_layers = nn.ModuleList([nn.Linear(self.d_model, self.d_k)
                                           for _ in range(self.n_head)])
            self.attention = ScaledDotProductAttention()
            self.w_h = nn.Linear(self.d_v, self.d_model, bias=False)
            self.init_weights()

        def init_weights(self):
            for name, p in self.named_parameters():
                if "bias" not in name:
                    nn.init.xavier_uniform_(p)
                else:
                    nn.init.zeros_(p)

        def forward(self, q, k, v, mask=None):
            heads = []
            attns = []
            vs = self.v_layer(v)
            for i in range(self.n_head):
                qs = self.q_layers[i](q)
                ks = self.k_layers[i](k)
                head, attn = self.attention(qs, ks, vs, mask)
                head_dropout = self.dropout(head)
                heads.append(head_dropout)
                attns.append(attn)
            head = torch.stack(heads, dim=2) if self.n_head > 1 else heads[0]
            attn = torch.stack(attns, dim=2)
            outputs = torch.mean(head, dim=2) if self.n_head > 1 else head
            outputs = self.w_h(outputs)
            outputs = self.dropout(outputs)
            return outputs, attn

    class QuantileLoss(nn.Module):
        def __init__(self, quantiles=(0.02, 0.1, 0.25, 0.5, 0.75, 0.9, 0.98)):
            super().__init__()
            self.quantiles = quantiles

        def loss(self, y_pred, target):
            losses = []
            for i, q in enumerate(self.quantiles):
                errors = target - y_pred[..., i]
                losses.append(torch.max((q - 1) * errors, q * errors).unsqueeze(-1))
            losses = 2 * torch.cat(losses, dim=2)
            return losses

        def forward(self, y_pred, target):
            return self.loss(y_pred, target).mean()

    class MiniTFT(nn.Module):
        def __init__(self, num_series, hidden_size=8, n_head=2, quantiles=(0.1, 0.5, 0.9)):
            super().__init__()
            self.prescalers = nn.ModuleDict({name: nn.Linear(1, 4)
                                             for name in ["y", "sin", "cos"]})
            self.static_embedding = nn.Embedding(num_series, hidden_size)
            self.static_context = GatedResidualNetwork(hidden_size, hidden_size, hidden_size,
                                                       dropout=None)
            self.vsn = VariableSelectionNetwork({"y": 4, "sin": 4, "cos": 4}, hidden_size,
                                                dropout=None, context_size=hidden_size)
            self.lstm = nn.LSTM(hidden_size, hidden_size, batch_first=True)
            self.post_lstm = GateAddNorm(hidden_size, dropout=None)
            self.attention = InterpretableMultiHeadAttention(n_head, hidden_size)
            self.post_attn = GateAddNorm(hidden_size, dropout=None, trainable_add=True)
            self.pos_wise_ff = GatedResidualNetwork(hidden_size, hidden_size, hidden_size,
                                                    dropout=None)
            self.output_layer = nn.Linear(hidden_size, len(quantiles))

        def forward(self, x, series_id):
            embeddings = {name: self.prescalers[name](x[..., i:i + 1])
                          for i, name in enumerate(["y", "sin", "cos"])}
            static = self.static_embedding(series_id)
            context = self.static_context(static)
            timesteps = x.size(1)
            selected, weights = self.vsn(embeddings, context[:, None].expand(-1, timesteps, -1))
            lstm_out, _ = self.lstm(selected)
            h = self.post_lstm(lstm_out, selected)
            mask = torch.triu(torch.ones(timesteps, timesteps), diagonal=1).bool()
            mask = mask.unsqueeze(0).expand(x.size(0), -1, -1)
            attn_out, attn = self.attention(h, h, h, mask=mask)
            h = self.post_attn(attn_out, h)
            h = self.pos_wise_ff(h)
            return self.output_layer(h), weights, attn

    return MiniTFT, QuantileLoss


def generated() -> tuple:
    """4 series of 17 steps: inputs (y, sin, cos of the step) and next-step targets."""
    rng = np.random.default_rng(13)
    t = np.arange(17)
    y = (np.arange(1, 5)[:, None] * np.sin(2 * np.pi * t / 8) + 0.05 * t
         + 0.1 * rng.standard_normal((4, 17)))
    feats = np.stack([y[:, :-1], np.broadcast_to(np.sin(2 * np.pi * t[:-1] / 8), (4, 16)),
                      np.broadcast_to(np.cos(2 * np.pi * t[:-1] / 8), (4, 16))], axis=-1)
    return feats, y[:, 1:]


def train(torch, start=None) -> tuple:
    if torch is None:
        torch, nn_, F, optim, clip = ag, nn, nn.functional, nn.optim, nn.utils.clip_grad_norm_
    else:
        nn_, F, optim = torch.nn, torch.nn.functional, torch.optim
        clip = torch.nn.utils.clip_grad_norm_
    MiniTFT, QuantileLoss = tft_program(torch, nn_, F)
    torch.manual_seed(0)
    model = MiniTFT(num_series=4)
    state = {k: v.detach().numpy().copy() for k, v in model.state_dict().items()}
    if start is not None:  # the test's glue: PyTorch's initial weights
        model.load_state_dict(start)
    criterion = QuantileLoss(quantiles=(0.1, 0.5, 0.9))
    optimizer = optim.Adam(model.parameters(), lr=3e-3)
    feats, targets = generated()
    x, y, ids = torch.tensor(feats), torch.tensor(targets), torch.arange(4)
    records = []
    for step in range(4):
        optimizer.zero_grad()
        prediction, weights, attn = model(x, ids)
        loss = criterion(prediction, y)
        loss.backward()
        records.append(float(clip(model.parameters(), 0.5)))
        optimizer.step()
        records += [loss.item(), weights.detach().numpy().copy(), attn.detach().numpy().copy()]
        records += [p.grad.numpy().copy() for p in model.parameters()]
    return records + [p.detach().numpy().copy() for p in model.parameters()], state


def test_mini_tft_with_quantile_loss_trains_like_pytorch(torch) -> None:
    want, start = train(torch)
    got, _ = train(None, start=start)
    assert_records(got, want)


def test_the_attention_is_causal_and_the_selection_weights_sum_to_one(torch) -> None:
    MiniTFT, _ = tft_program(ag, nn, nn.functional)
    ag.manual_seed(0)
    feats, _ = generated()
    _, weights, attn = MiniTFT(num_series=4)(ag.tensor(feats), ag.arange(4))
    np.testing.assert_allclose(weights.detach().numpy().sum(-1), 1.0, rtol=1e-12)
    assert attn.shape == (4, 16, 2, 16)
    assert np.all(np.triu(np.moveaxis(attn.detach().numpy(), 2, 1), k=1) < 1e-12)
