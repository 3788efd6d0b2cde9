"""Multi-step forecasting with an encoder-decoder LSTM and teacher forcing, as blog posts
and course notebooks write it in plain PyTorch: a min-max scaled series cut by a
sliding-window ``Dataset`` (``__getitem__`` returning ``torch.tensor(..., dtype=...)
.unsqueeze(-1)`` pairs) into a ``DataLoader``; ``Encoder`` returning ``(hidden, cell)``,
``Decoder`` stepping one value at a time (``x.unsqueeze(1)``, ``output.squeeze(1)``),
``Seq2Seq.forward`` filling ``outputs = torch.zeros(batch_size, target_len, 1)`` with
``outputs[:, t, :] = output`` and feeding back the truth when ``random.random() <
teacher_forcing_ratio``, the ratio decayed per epoch; evaluation without teacher forcing
under ``torch.no_grad()``, predictions scaled back. A GRU encoder-decoder variant carries
one hidden state. Each runs step for step next to PyTorch from the same weights on
generated series (a sine with trend and noise; a random walk): losses, gradients,
parameters and forecasts agree to 1e-10 (float64).

Written differently: ``dtype=torch.float32`` is ``torch.float64`` (the comparison runs in
float64); ``random.random()`` is a ``random.Random(0)`` shared by both runs; the
loader does not shuffle (the two libraries' generators differ).
"""

import random

import numpy as np
import pytest

import autograd as ag
import nn
import nn.data
from test_pytorch_ports_gpt_lecture import assert_records


def libraries(torch=None) -> tuple:
    if torch is None:
        return ag, nn, nn.optim, nn.data
    return torch, torch.nn, torch.optim, torch.utils.data


def seq2seq_program(torch, nn, data, coin):
    class TimeSeriesDataset(data.Dataset):
        def __init__(self, series, input_window, output_window):
            self.series = series
            self.input_window = input_window
            self.output_window = output_window

        def __len__(self):
            return len(self.series) - self.input_window - self.output_window + 1

        def __getitem__(self, idx):
            x = self.series[idx:idx + self.input_window]
            y = self.series[idx + self.input_window:idx + self.input_window + self.output_window]
            return (torch.tensor(x, dtype=torch.float64).unsqueeze(-1),
                    torch.tensor(y, dtype=torch.float64).unsqueeze(-1))

    class Encoder(nn.Module):
        def __init__(self, input_size, hidden_size, num_layers=1, cell="lstm"):
            super().__init__()
            rnn = nn.LSTM if cell == "lstm" else nn.GRU
            self.rnn = rnn(input_size, hidden_size, num_layers, batch_first=True)

        def forward(self, x):
            outputs, hidden = self.rnn(x)
            return hidden

    class Decoder(nn.Module):
        def __init__(self, output_size, hidden_size, num_layers=1, cell="lstm"):
            super().__init__()
            rnn = nn.LSTM if cell == "lstm" else nn.GRU
            self.rnn = rnn(output_size, hidden_size, num_layers, batch_first=True)
            self.fc = nn.Linear(hidden_size, output_size)

        def forward(self, x, hidden):
            output, hidden = self.rnn(x.unsqueeze(1), hidden)
            prediction = self.fc(output.squeeze(1))
            return prediction, hidden

    class Seq2Seq(nn.Module):
        def __init__(self, encoder, decoder, device):
            super().__init__()
            self.encoder = encoder
            self.decoder = decoder
            self.device = device

        def forward(self, source, target, teacher_forcing_ratio=0.5):
            batch_size = source.shape[0]
            target_len = target.shape[1]
            outputs = torch.zeros(batch_size, target_len, 1).to(self.device)
            hidden = self.encoder(source)
            decoder_input = source[:, -1, :]  # the last observed value
            for t in range(target_len):
                output, hidden = self.decoder(decoder_input, hidden)
                outputs[:, t, :] = output
                teacher_force = coin.random() < teacher_forcing_ratio
                decoder_input = target[:, t, :] if teacher_force else output
            return outputs

    return TimeSeriesDataset, Encoder, Decoder, Seq2Seq


def generated(kind: str) -> np.ndarray:
    rng = np.random.default_rng(17)
    t = np.arange(48)
    if kind == "sine":
        return np.sin(2 * np.pi * t / 12) + 0.02 * t + 0.1 * rng.standard_normal(48)
    return np.cumsum(rng.standard_normal(48))


def run(torch, kind, cell, start=None) -> tuple:
    torch, nn_, optim, data = libraries(torch)
    coin = random.Random(0)
    TimeSeriesDataset, Encoder, Decoder, Seq2Seq = seq2seq_program(torch, nn_, data, coin)
    raw = generated(kind)
    lo, hi = raw[:36].min(), raw[:36].max()
    scaled = (raw - lo) / (hi - lo)  # MinMaxScaler fitted on the training part
    train_set = TimeSeriesDataset(scaled[:36], input_window=8, output_window=4)
    train_loader = data.DataLoader(train_set, batch_size=8, shuffle=False)
    device = torch.device("cpu")
    torch.manual_seed(0)
    model = Seq2Seq(Encoder(1, 10, cell=cell), Decoder(1, 10, cell=cell), device).to(device)
    state = {k: v.detach().numpy().copy() for k, v in model.state_dict().items()}
    if start is not None:  # the test's glue: PyTorch's initial weights
        model.load_state_dict(start)
    criterion = nn_.MSELoss()
    optimizer = optim.Adam(model.parameters(), lr=0.01)
    records = []
    teacher_forcing_ratio = 0.7
    for epoch in range(2):
        model.train()
        epoch_loss = 0
        for x_batch, y_batch in train_loader:
            x_batch, y_batch = x_batch.to(device), y_batch.to(device)
            optimizer.zero_grad()
            output = model(x_batch, y_batch, teacher_forcing_ratio)
            loss = criterion(output, y_batch)
            loss.backward()
            nn_.utils.clip_grad_norm_(model.parameters(), max_norm=1.0)
            optimizer.step()
            epoch_loss += loss.item()
            records += [loss.item()] + [p.grad.numpy().copy() for p in model.parameters()]
        teacher_forcing_ratio *= 0.5
        records.append(epoch_loss / len(train_loader))
    model.eval()
    with torch.no_grad():
        x_test = torch.tensor(scaled[28:36], dtype=torch.float64).view(1, -1, 1)
        dummy = torch.zeros(1, 12, 1)
        forecast = model(x_test, dummy, teacher_forcing_ratio=0).squeeze().numpy()
    records.append(forecast * (hi - lo) + lo)
    return records + [p.detach().numpy().copy() for p in model.parameters()], state


@pytest.mark.parametrize("kind, cell", [("sine", "lstm"), ("walk", "gru")])
def test_seq2seq_with_teacher_forcing_trains_like_pytorch(torch, kind, cell) -> None:
    want, start = run(torch, kind, cell)
    got, _ = run(None, kind, cell, start=start)
    assert_records(got, want)
    assert got[-len(start) - 1].shape == (12,)
