"""Dynamic hypernetworks: the HyperLSTM (Ha, Dai & Le 2017) as labml's annotated
implementation writes it: a layer-normalised ``LSTMCell`` (``input_lin``/``hidden_lin``,
``chunk(4, dim=-1)``, four ``nn.LayerNorm`` and one for the cell, a ``__call__`` of its
own), the ``HyperLSTMCell`` whose small LSTM reads ``torch.cat((h, x), dim=-1)`` and
produces z's that scale each row of the main LSTM's weights (``nn.ParameterList`` of
zero-initialised matrices, ``torch.einsum('ij,bj->bi', w, h)``), and the multi-layer
``HyperLSTM`` starting from ``x.new_zeros(...)`` states or splitting a given state with
``torch.unbind``; trained as a tiny character model (``nn.Embedding``, a ``Linear``
read-out, cross-entropy, ``clip_grad_norm_``, Adam) whose state is carried, detached,
from one batch to the next. Written once for a library ``T`` (``autograd`` here, ``torch``
there) and run step for step next to PyTorch's from the same weights (float64): losses,
gradients and parameters agree to 1e-10.

No line is written differently here.
"""

from typing import Optional, Tuple

import numpy as np

import autograd as ag
import nn
from test_pytorch_ports_pinn import assert_same

TEXT = "the quick brown fox jumps over the lazy dog; the dog sleeps. "


def build(torch):
    torch = torch or ag
    lib = nn if torch is ag else torch.nn

    class LSTMCell(lib.Module):
        def __init__(self, input_size: int, hidden_size: int, layer_norm: bool = False):
            super().__init__()
            self.hidden_lin = lib.Linear(hidden_size, 4 * hidden_size)
            self.input_lin = lib.Linear(input_size, 4 * hidden_size, bias=False)
            if layer_norm:
                self.layer_norm = lib.ModuleList([lib.LayerNorm(hidden_size)
                                                  for _ in range(4)])
                self.layer_norm_c = lib.LayerNorm(hidden_size)
            else:
                self.layer_norm = lib.ModuleList([lib.Identity() for _ in range(4)])
                self.layer_norm_c = lib.Identity()

        def __call__(self, x, h, c):
            ifgo = self.hidden_lin(h) + self.input_lin(x)
            ifgo = ifgo.chunk(4, dim=-1)
            ifgo = [self.layer_norm[i](ifgo[i]) for i in range(4)]
            i, f, g, o = ifgo
            c_next = torch.sigmoid(f) * c + torch.sigmoid(i) * torch.tanh(g)
            h_next = torch.sigmoid(o) * torch.tanh(self.layer_norm_c(c_next))
            return h_next, c_next

    class HyperLSTMCell(lib.Module):
        def __init__(self, input_size: int, hidden_size: int, hyper_size: int, n_z: int):
            super().__init__()
            self.hyper = LSTMCell(hidden_size + input_size, hyper_size, layer_norm=True)
            self.z_h = lib.Linear(hyper_size, 4 * n_z)
            self.z_x = lib.Linear(hyper_size, 4 * n_z)
            self.z_b = lib.Linear(hyper_size, 4 * n_z, bias=False)
            d_h = [lib.Linear(n_z, hidden_size, bias=False) for _ in range(4)]
            self.d_h = lib.ModuleList(d_h)
            d_x = [lib.Linear(n_z, hidden_size, bias=False) for _ in range(4)]
            self.d_x = lib.ModuleList(d_x)
            d_b = [lib.Linear(n_z, hidden_size) for _ in range(4)]
            self.d_b = lib.ModuleList(d_b)
            self.w_h = lib.ParameterList([lib.Parameter(torch.zeros(hidden_size, hidden_size))
                                          for _ in range(4)])
            self.w_x = lib.ParameterList([lib.Parameter(torch.zeros(hidden_size, input_size))
                                          for _ in range(4)])
            self.layer_norm = lib.ModuleList([lib.LayerNorm(hidden_size) for _ in range(4)])
            self.layer_norm_c = lib.LayerNorm(hidden_size)

        def forward(self, x, h, c, h_hat, c_hat):
            x_hat = torch.cat((h, x), dim=-1)
            h_hat, c_hat = self.hyper(x_hat, h_hat, c_hat)
            z_h = self.z_h(h_hat).chunk(4, dim=-1)
            z_x = self.z_x(h_hat).chunk(4, dim=-1)
            z_b = self.z_b(h_hat).chunk(4, dim=-1)
            ifgo = []
            for i in range(4):
                d_h = self.d_h[i](z_h[i])
                d_x = self.d_x[i](z_x[i])
                y = d_h * torch.einsum('ij,bj->bi', self.w_h[i], h) + \
                    d_x * torch.einsum('ij,bj->bi', self.w_x[i], x) + \
                    self.d_b[i](z_b[i])
                ifgo.append(self.layer_norm[i](y))
            i, f, g, o = ifgo
            c_next = torch.sigmoid(f) * c + torch.sigmoid(i) * torch.tanh(g)
            h_next = torch.sigmoid(o) * torch.tanh(self.layer_norm_c(c_next))
            return h_next, c_next, h_hat, c_hat

    class HyperLSTM(lib.Module):
        def __init__(self, input_size: int, hidden_size: int, hyper_size: int, n_z: int,
                     n_layers: int):
            super().__init__()
            self.n_layers = n_layers
            self.hidden_size = hidden_size
            self.hyper_size = hyper_size
            self.cells = lib.ModuleList(
                [HyperLSTMCell(input_size, hidden_size, hyper_size, n_z)]
                + [HyperLSTMCell(hidden_size, hidden_size, hyper_size, n_z)
                   for _ in range(n_layers - 1)])

        def forward(self, x, state: Optional[Tuple] = None):
            n_steps, batch_size = x.shape[:2]
            if state is None:
                h = [x.new_zeros(batch_size, self.hidden_size) for _ in range(self.n_layers)]
                c = [x.new_zeros(batch_size, self.hidden_size) for _ in range(self.n_layers)]
                h_hat = [x.new_zeros(batch_size, self.hyper_size) for _ in range(self.n_layers)]
                c_hat = [x.new_zeros(batch_size, self.hyper_size) for _ in range(self.n_layers)]
            else:
                (h, c, h_hat, c_hat) = state
                h, c = list(torch.unbind(h)), list(torch.unbind(c))
                h_hat, c_hat = list(torch.unbind(h_hat)), list(torch.unbind(c_hat))
            out = []
            for t in range(n_steps):
                inp = x[t]
                for layer in range(self.n_layers):
                    h[layer], c[layer], h_hat[layer], c_hat[layer] = \
                        self.cells[layer](inp, h[layer], c[layer], h_hat[layer], c_hat[layer])
                    inp = h[layer]
                out.append(h[-1])
            out = torch.stack(out)
            h = torch.stack(h)
            c = torch.stack(c)
            h_hat = torch.stack(h_hat)
            c_hat = torch.stack(c_hat)
            return out, (h, c, h_hat, c_hat)

    class AutoregressiveModel(lib.Module):
        def __init__(self, n_vocab: int, d_model: int, rnn_model):
            super().__init__()
            self.src_embed = lib.Embedding(n_vocab, d_model)
            self.lstm = rnn_model
            self.generator = lib.Linear(d_model, n_vocab)

        def forward(self, x, state=None):
            x = self.src_embed(x)
            res, state = self.lstm(x, state)
            return self.generator(res), state

    return AutoregressiveModel, HyperLSTM


def train(torch, batches, n_vocab, sync) -> list:
    T = torch or ag
    lib, optim = (nn, nn.optim) if torch is None else (torch.nn, torch.optim)
    AutoregressiveModel, HyperLSTM = build(torch)
    model = AutoregressiveModel(n_vocab, 6, HyperLSTM(input_size=6, hidden_size=6,
                                                       hyper_size=4, n_z=3, n_layers=2))
    sync(model)
    optimizer = optim.Adam(model.parameters(), lr=2.5e-3)
    loss_func = lib.CrossEntropyLoss()
    state = None
    record = []
    for data, target in batches:
        data, target = T.tensor(data), T.tensor(target)
        output, state = model(data, state)
        state = tuple(s.detach() for s in state)
        loss = loss_func(output.view(-1, output.shape[-1]), target.view(-1))
        optimizer.zero_grad()
        loss.backward()
        lib.utils.clip_grad_norm_(model.parameters(), max_norm=1.0)
        record.append([loss.item(), model.lstm.cells[0].w_h[1].grad.numpy().copy(),
                       model.lstm.cells[1].hyper.input_lin.weight.grad.numpy().copy()])
        optimizer.step()
    return record + [{k: v.detach().numpy().copy() for k, v in model.state_dict().items()}]


def test_hyper_lstm_character_model_trains_as_torch(torch):
    chars = sorted(set(TEXT))
    ids = np.array([chars.index(ch) for ch in TEXT])
    seq_len, batch_size = 6, 3
    batches = []
    for start in range(0, 3 * seq_len, seq_len):  # [seq_len, batch] as labml's loaders
        rows = [ids[start + 20 * b: start + 20 * b + seq_len + 1] for b in range(batch_size)]
        block = np.stack(rows, axis=1)
        batches.append((block[:-1], block[1:]))
    batches = batches * 2  # two passes: the second sees the first's batches again
    starts = []
    want = train(torch, batches, len(chars),
                 lambda m: starts.append({k: v.detach().numpy().copy()
                                          for k, v in m.state_dict().items()}))
    got = train(None, batches, len(chars), lambda m: m.load_state_dict(starts.pop()))
    assert_same(got, want)
    first, second = ([step[0] for step in got[i:i + 3]] for i in (0, 3))
    assert sum(second) < sum(first)  # the same three batches, three Adam steps later
