"""DLinear and NLinear (cure-lab's LTSF-Linear, ``models/DLinear.py`` / ``NLinear.py``) as
their readers write them: ``series_decomp`` by a moving average (``nn.AvgPool1d(kernel_size,
stride=1, padding=0)`` over the series padded by repeating its first and last steps,
``x.permute(0, 2, 1)`` around it; and the same with ``F.pad(..., mode='replicate')``),
one ``nn.Linear(seq_len, pred_len)`` per component shared or per channel (``individual``:
an ``nn.ModuleList``, outputs written into ``torch.zeros([...], dtype=...)`` slice by slice,
the weights set to ``nn.Parameter((1 / seq_len) * torch.ones([pred_len, seq_len]))``),
NLinear's ``seq_last = x[:, -1:, :].detach()`` normalisation, and the experiment loop
(a sliding-window ``Dataset`` with ``seq_len``/``label_len``/``pred_len``, ``DataLoader``,
``outputs[:, -pred_len:, f_dim:]``, ``adjust_learning_rate`` writing ``param_group['lr']``).
Each runs step for step next to PyTorch from the same weights on generated multichannel
series (sines with trends and noise, a random walk): losses, gradients, parameters and
predictions agree to 1e-10 (float64).

Written differently: ``batch_x.float()`` is ``torch.as_tensor(batch_x).double()``: float64
for the comparison, and ``as_tensor`` because the loader's default collate stacks the
dataset's NumPy windows into a NumPy array here (by design, README "data"), into a Tensor
in PyTorch.
"""

import argparse

import numpy as np

import autograd as ag
import nn
import nn.data
import nn.functional
from test_pytorch_ports_gpt_lecture import assert_records


def libraries(torch=None) -> tuple:
    if torch is None:
        return ag, nn, nn.functional, nn.optim, nn.data
    return torch, torch.nn, torch.nn.functional, torch.optim, torch.utils.data


def ltsf_program(torch, nn, F, data):
    class moving_avg(nn.Module):
        """Moving average block to highlight the trend of time series"""

        def __init__(self, kernel_size, stride):
            super(moving_avg, self).__init__()
            self.kernel_size = kernel_size
            self.avg = nn.AvgPool1d(kernel_size=kernel_size, stride=stride, padding=0)

        def forward(self, x):
            # padding on the both ends of time series
            front = x[:, 0:1, :].repeat(1, (self.kernel_size - 1) // 2, 1)
            end = x[:, -1:, :].repeat(1, (self.kernel_size - 1) // 2, 1)
            x = torch.cat([front, x, end], dim=1)
            x = self.avg(x.permute(0, 2, 1))
            x = x.permute(0, 2, 1)
            return x

    class moving_avg_pad(nn.Module):
        """The same, padded by F.pad's replicate mode."""

        def __init__(self, kernel_size):
            super().__init__()
            self.kernel_size = kernel_size

        def forward(self, x):
            p = (self.kernel_size - 1) // 2
            x = F.pad(x.permute(0, 2, 1), (p, p), mode='replicate')
            return F.avg_pool1d(x, self.kernel_size, stride=1).permute(0, 2, 1)

    class series_decomp(nn.Module):
        """Series decomposition block"""

        def __init__(self, kernel_size, use_pad=False):
            super(series_decomp, self).__init__()
            self.moving_avg = moving_avg_pad(kernel_size) if use_pad else moving_avg(
                kernel_size, stride=1)

        def forward(self, x):
            moving_mean = self.moving_avg(x)
            res = x - moving_mean
            return res, moving_mean

    class DLinear(nn.Module):
        """Decomposition-Linear"""

        def __init__(self, configs):
            super(DLinear, self).__init__()
            self.seq_len = configs.seq_len
            self.pred_len = configs.pred_len
            kernel_size = configs.moving_avg
            self.decompsition = series_decomp(kernel_size, configs.use_pad)
            self.individual = configs.individual
            self.channels = configs.enc_in
            if self.individual:
                self.Linear_Seasonal = nn.ModuleList()
                self.Linear_Trend = nn.ModuleList()
                for i in range(self.channels):
                    self.Linear_Seasonal.append(nn.Linear(self.seq_len, self.pred_len))
                    self.Linear_Trend.append(nn.Linear(self.seq_len, self.pred_len))
                    # Use this two lines if you want to visualize the weights
                    self.Linear_Seasonal[i].weight = nn.Parameter(
                        (1 / self.seq_len) * torch.ones([self.pred_len, self.seq_len]))
                    self.Linear_Trend[i].weight = nn.Parameter(
                        (1 / self.seq_len) * torch.ones([self.pred_len, self.seq_len]))
            else:
                self.Linear_Seasonal = nn.Linear(self.seq_len, self.pred_len)
                self.Linear_Trend = nn.Linear(self.seq_len, self.pred_len)

        def forward(self, x):
            # x: [Batch, Input length, Channel]
            seasonal_init, trend_init = self.decompsition(x)
            seasonal_init, trend_init = seasonal_init.permute(0, 2, 1), trend_init.permute(0, 2, 1)
            if self.individual:
                seasonal_output = torch.zeros(
                    [seasonal_init.size(0), seasonal_init.size(1), self.pred_len],
                    dtype=seasonal_init.dtype).to(seasonal_init.device)
                trend_output = torch.zeros(
                    [trend_init.size(0), trend_init.size(1), self.pred_len],
                    dtype=trend_init.dtype).to(trend_init.device)
                for i in range(self.channels):
                    seasonal_output[:, i, :] = self.Linear_Seasonal[i](seasonal_init[:, i, :])
                    trend_output[:, i, :] = self.Linear_Trend[i](trend_init[:, i, :])
            else:
                seasonal_output = self.Linear_Seasonal(seasonal_init)
                trend_output = self.Linear_Trend(trend_init)
            x = seasonal_output + trend_output
            return x.permute(0, 2, 1)  # to [Batch, Output length, Channel]

    class NLinear(nn.Module):
        """Normalization-Linear"""

        def __init__(self, configs):
            super(NLinear, self).__init__()
            self.seq_len = configs.seq_len
            self.pred_len = configs.pred_len
            self.channels = configs.enc_in
            self.individual = configs.individual
            if self.individual:
                self.Linear = nn.ModuleList()
                for i in range(self.channels):
                    self.Linear.append(nn.Linear(self.seq_len, self.pred_len))
            else:
                self.Linear = nn.Linear(self.seq_len, self.pred_len)

        def forward(self, x):
            # x: [Batch, Input length, Channel]
            seq_last = x[:, -1:, :].detach()
            x = x - seq_last
            if self.individual:
                output = torch.zeros([x.size(0), self.pred_len, x.size(2)],
                                     dtype=x.dtype).to(x.device)
                for i in range(self.channels):
                    output[:, :, i] = self.Linear[i](x[:, :, i])
                x = output
            else:
                x = self.Linear(x.permute(0, 2, 1)).permute(0, 2, 1)
            x = x + seq_last
            return x  # [Batch, Output length, Channel]

    class Dataset_Custom(data.Dataset):
        def __init__(self, values, seq_len, label_len, pred_len):
            self.data_x = values
            self.data_y = values
            self.seq_len, self.label_len, self.pred_len = seq_len, label_len, pred_len

        def __getitem__(self, index):
            s_begin = index
            s_end = s_begin + self.seq_len
            r_begin = s_end - self.label_len
            r_end = r_begin + self.label_len + self.pred_len
            seq_x = self.data_x[s_begin:s_end]
            seq_y = self.data_y[r_begin:r_end]
            return seq_x, seq_y

        def __len__(self):
            return len(self.data_x) - self.seq_len - self.pred_len + 1

    return dict(DLinear=DLinear, NLinear=NLinear, Dataset_Custom=Dataset_Custom,
                series_decomp=series_decomp)


def generated() -> np.ndarray:
    """60 steps of 3 channels: a sine with a trend, a faster noisy sine, a random walk."""
    rng = np.random.default_rng(7)
    t = np.arange(60)
    return np.stack([np.sin(2 * np.pi * t / 24) + 0.03 * t,
                     0.5 * np.sin(2 * np.pi * t / 6) + 0.1 * rng.standard_normal(60),
                     np.cumsum(0.2 * rng.standard_normal(60))], axis=1)


def experiment(torch, model_name, argv, start=None) -> tuple:
    torch, nn_, F, optim, data = libraries(torch)
    parser = argparse.ArgumentParser()
    parser.add_argument('--seq_len', type=int, default=16)
    parser.add_argument('--label_len', type=int, default=4)
    parser.add_argument('--pred_len', type=int, default=6)
    parser.add_argument('--enc_in', type=int, default=3)
    parser.add_argument('--moving_avg', type=int, default=5)
    parser.add_argument('--individual', action='store_true', default=False)
    parser.add_argument('--use_pad', action='store_true', default=False)
    parser.add_argument('--learning_rate', type=float, default=0.005)
    args = parser.parse_args(argv)
    program = ltsf_program(torch, nn_, F, data)
    torch.manual_seed(0)
    model = program[model_name](args).double()
    state = {k: v.detach().numpy().copy() for k, v in model.state_dict().items()}
    if start is not None:  # the test's glue: PyTorch's initial weights
        model.load_state_dict(start)
    train_data = program['Dataset_Custom'](generated(), args.seq_len, args.label_len,
                                           args.pred_len)
    train_loader = data.DataLoader(train_data, batch_size=8, shuffle=False, drop_last=True)
    model_optim = optim.Adam(model.parameters(), lr=args.learning_rate)
    criterion = nn_.MSELoss()
    records = []
    for epoch in range(2):
        model.train()
        for i, (batch_x, batch_y) in enumerate(train_loader):
            model_optim.zero_grad()
            batch_x = torch.as_tensor(batch_x).double()  # see the module's docstring
            batch_y = torch.as_tensor(batch_y).double()
            outputs = model(batch_x)
            f_dim = 0
            outputs = outputs[:, -args.pred_len:, f_dim:]
            batch_y = batch_y[:, -args.pred_len:, f_dim:]
            loss = criterion(outputs, batch_y)
            loss.backward()
            model_optim.step()
            records.append(loss.item())
            records += [p.grad.numpy().copy() for p in model.parameters()]
        # adjust_learning_rate, type1
        lr = args.learning_rate * (0.5 ** ((epoch + 1 - 1) // 1))
        for param_group in model_optim.param_groups:
            param_group['lr'] = lr
    model.eval()
    with torch.no_grad():
        records.append(model(torch.from_numpy(generated()[None, -args.seq_len:])).numpy())
    return records + [p.detach().numpy().copy() for p in model.parameters()], state


def compare(torch, model_name, argv) -> None:
    want, start = experiment(torch, model_name, argv)
    got, _ = experiment(None, model_name, argv, start=start)
    assert_records(got, want)


def test_dlinear_shared_trains_like_pytorch(torch) -> None:
    compare(torch, 'DLinear', [])


def test_dlinear_individual_with_replicate_padding_trains_like_pytorch(torch) -> None:
    compare(torch, 'DLinear', ['--individual', '--use_pad', '--moving_avg', '7'])


def test_nlinear_both_ways_train_like_pytorch(torch) -> None:
    compare(torch, 'NLinear', [])
    compare(torch, 'NLinear', ['--individual'])


def test_the_two_decompositions_agree(torch) -> None:
    x = generated()[None]
    for T, nn_, F, _, data in [libraries(), libraries(torch)]:
        program = ltsf_program(T, nn_, F, data)
        by_repeat = program['series_decomp'](9)(T.tensor(x))
        by_pad = program['series_decomp'](9, use_pad=True)(T.tensor(x))
        for a, b in zip(by_repeat, by_pad):
            np.testing.assert_allclose(a.numpy(), b.numpy(), rtol=1e-12, atol=1e-12)
