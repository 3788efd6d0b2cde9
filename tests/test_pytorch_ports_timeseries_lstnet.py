"""LSTNet (laiguokun/LSTNet's ``models/LSTNet.py``, ``utils.py``, ``Optim.py``, ``main.py``)
as its readers write it: a ``Conv2d(1, hidC, kernel_size=(Ck, m))`` over the window of all
series, ``torch.squeeze(c, 3)``, a ``GRU`` over ``c.permute(2, 0, 1).contiguous()``, the
skip-GRU over ``c[:, :, int(-self.pt * self.skip):]`` reshaped with ``view``/``permute`` so
each phase of the period is one sequence, the highway autoregressive part
(``x[:, -hw:, :].permute(0, 2, 1).contiguous().view(-1, hw)``), ``F.sigmoid`` output;
``Data_utility`` (max-abs normalisation per series, windows and horizon targets, batches
by index), ``nn.L1Loss(size_average=False)`` on rescaled outputs, the ``Optim`` wrapper
that clips with ``clip_grad_norm(self.params, self.max_grad_norm)``, and ``evaluate``'s RSE,
RAE and correlation. It runs step for step next to PyTorch from the same weights on
generated series (sines of two periods with trends and noise, a random walk): losses,
gradients, parameters and metrics agree to 1e-10 (float64). (``nn.utils.clip_grad_norm``,
PyTorch's deprecated name, was missing: added.)

Lines written differently here, and why: ``self.pt = int((self.P - self.Ck) / self.skip)``
(the Python 3 forks' line; the original is Python 2's integer division); the batches are
in order (``shuffle=False``; ``torch.randperm`` draws differ between the libraries);
``Variable(X)`` is ``X``; ``dropout`` is 0 (the two libraries' masks differ);
``predict.data.cpu().numpy()`` is ``predict.detach().cpu().numpy()``: ``.data`` is the
NumPy array itself here, by design; ``normal_std``'s ``x.std()`` is ``x.std(unbiased=True)``:
a bare ``x.std()`` is NumPy's population std here (README's table of ambiguous defaults),
PyTorch's sample std there.
"""

import argparse
import math

import numpy as np
import pytest

import autograd as ag
import nn
import nn.functional
import nn.utils
from test_pytorch_ports_gpt_lecture import assert_records

pytestmark = [pytest.mark.filterwarnings("ignore:.*size_average and reduce args"),
              pytest.mark.filterwarnings("ignore:.*clip_grad_norm. is now deprecated")]


def lstnet_program(torch, nn, F, optim, clip_grad_norm):
    class Model(nn.Module):
        def __init__(self, args, data):
            super(Model, self).__init__()
            self.P = args.window
            self.m = data.m
            self.hidR = args.hidRNN
            self.hidC = args.hidCNN
            self.hidS = args.hidSkip
            self.Ck = args.CNN_kernel
            self.skip = args.skip
            self.pt = int((self.P - self.Ck) / self.skip)
            self.hw = args.highway_window
            self.conv1 = nn.Conv2d(1, self.hidC, kernel_size=(self.Ck, self.m))
            self.GRU1 = nn.GRU(self.hidC, self.hidR)
            self.dropout = nn.Dropout(p=args.dropout)
            if (self.skip > 0):
                self.GRUskip = nn.GRU(self.hidC, self.hidS)
                self.linear1 = nn.Linear(self.hidR + self.skip * self.hidS, self.m)
            else:
                self.linear1 = nn.Linear(self.hidR, self.m)
            if (self.hw > 0):
                self.highway = nn.Linear(self.hw, 1)
            self.output = None
            if (args.output_fun == 'sigmoid'):
                self.output = F.sigmoid
            if (args.output_fun == 'tanh'):
                self.output = F.tanh

        def forward(self, x):
            batch_size = x.size(0)
            # CNN
            c = x.view(-1, 1, self.P, self.m)
            c = F.relu(self.conv1(c))
            c = self.dropout(c)
            c = torch.squeeze(c, 3)
            # RNN
            r = c.permute(2, 0, 1).contiguous()
            _, r = self.GRU1(r)
            r = self.dropout(torch.squeeze(r, 0))
            # skip-rnn
            if (self.skip > 0):
                s = c[:, :, int(-self.pt * self.skip):].contiguous()
                s = s.view(batch_size, self.hidC, self.pt, self.skip)
                s = s.permute(2, 0, 3, 1).contiguous()
                s = s.view(self.pt, batch_size * self.skip, self.hidC)
                _, s = self.GRUskip(s)
                s = s.view(batch_size, self.skip * self.hidS)
                s = self.dropout(s)
                r = torch.cat((r, s), 1)
            res = self.linear1(r)
            # highway
            if (self.hw > 0):
                z = x[:, -self.hw:, :]
                z = z.permute(0, 2, 1).contiguous().view(-1, self.hw)
                z = self.highway(z)
                z = z.view(-1, self.m)
                res = res + z
            if (self.output):
                res = self.output(res)
            return res

    class Data_utility(object):
        def __init__(self, rawdat, train, valid, horizon, window, normalize=2):
            self.P = window
            self.h = horizon
            self.rawdat = rawdat
            self.dat = np.zeros(self.rawdat.shape)
            self.n, self.m = self.dat.shape
            self.normalize = 2
            self.scale = np.ones(self.m)
            self._normalized(normalize)
            self._split(int(train * self.n), int((train + valid) * self.n), self.n)
            self.scale = torch.from_numpy(self.scale).double()
            tmp = self.test[1] * self.scale.expand(self.test[1].size(0), self.m)
            self.rse = normal_std(tmp)
            self.rae = torch.mean(torch.abs(tmp - torch.mean(tmp)))

        def _normalized(self, normalize):
            if (normalize == 2):
                for i in range(self.m):
                    self.scale[i] = np.max(np.abs(self.rawdat[:, i]))
                    self.dat[:, i] = self.rawdat[:, i] / np.max(np.abs(self.rawdat[:, i]))

        def _split(self, train, valid, test):
            train_set = range(self.P + self.h - 1, train)
            valid_set = range(train, valid)
            test_set = range(valid, self.n)
            self.train = self._batchify(train_set, self.h)
            self.valid = self._batchify(valid_set, self.h)
            self.test = self._batchify(test_set, self.h)

        def _batchify(self, idx_set, horizon):
            n = len(idx_set)
            X = torch.zeros((n, self.P, self.m))
            Y = torch.zeros((n, self.m))
            for i in range(n):
                end = idx_set[i] - self.h + 1
                start = end - self.P
                X[i, :, :] = torch.from_numpy(self.dat[start:end, :])
                Y[i, :] = torch.from_numpy(self.dat[idx_set[i], :])
            return [X, Y]

        def get_batches(self, inputs, targets, batch_size, shuffle=True):
            length = len(inputs)
            if shuffle:
                index = torch.randperm(length)
            else:
                index = torch.LongTensor(range(length))
            start_idx = 0
            while (start_idx < length):
                end_idx = min(length, start_idx + batch_size)
                excerpt = index[start_idx:end_idx]
                X = inputs[excerpt]
                Y = targets[excerpt]
                yield X, Y
                start_idx += batch_size

    def normal_std(x):
        return x.std(unbiased=True) * np.sqrt((len(x) - 1.) / (len(x)))  # see the docstring

    class Optim(object):
        def _makeOptimizer(self):
            if self.method == 'sgd':
                self.optimizer = optim.SGD(self.params, lr=self.lr)
            elif self.method == 'adam':
                self.optimizer = optim.Adam(self.params, lr=self.lr)
            else:
                raise RuntimeError("Invalid optim method: " + self.method)

        def __init__(self, params, method, lr, max_grad_norm, lr_decay=1, start_decay_at=None):
            self.params = list(params)  # careful: params may be a generator
            self.last_ppl = None
            self.lr = lr
            self.max_grad_norm = max_grad_norm
            self.method = method
            self.lr_decay = lr_decay
            self.start_decay_at = start_decay_at
            self.start_decay = False
            self._makeOptimizer()

        def step(self):
            # Compute gradients norm.
            grad_norm = clip_grad_norm(self.params, self.max_grad_norm)
            self.optimizer.step()
            return grad_norm

    def evaluate(data, X, Y, model, evaluateL2, evaluateL1, batch_size):
        model.eval()
        total_loss = 0
        total_loss_l1 = 0
        n_samples = 0
        predict = None
        test = None
        for X, Y in data.get_batches(X, Y, batch_size, False):
            output = model(X)
            if predict is None:
                predict = output
                test = Y
            else:
                predict = torch.cat((predict, output))
                test = torch.cat((test, Y))
            scale = data.scale.expand(output.size(0), data.m)
            total_loss += evaluateL2(output * scale, Y * scale).item()
            total_loss_l1 += evaluateL1(output * scale, Y * scale).item()
            n_samples += (output.size(0) * data.m)
        rse = math.sqrt(total_loss / n_samples) / data.rse
        rae = (total_loss_l1 / n_samples) / data.rae
        predict = predict.detach().cpu().numpy()  # .data: NumPy's array here (docstring)
        Ytest = test.detach().cpu().numpy()
        sigma_p = (predict).std(axis=0)
        sigma_g = (Ytest).std(axis=0)
        mean_p = predict.mean(axis=0)
        mean_g = Ytest.mean(axis=0)
        index = (sigma_g != 0)
        correlation = ((predict - mean_p) * (Ytest - mean_g)).mean(axis=0) / (sigma_p * sigma_g)
        correlation = (correlation[index]).mean()
        return rse, rae, correlation

    def train(data, X, Y, model, criterion, optim, batch_size, records):
        model.train()
        total_loss = 0
        n_samples = 0
        for X, Y in data.get_batches(X, Y, batch_size, False):
            model.zero_grad()
            output = model(X)
            scale = data.scale.expand(output.size(0), data.m)
            loss = criterion(output * scale, Y * scale)
            loss.backward()
            grad_norm = optim.step()
            records += [loss.item(), float(grad_norm)]  # the test's glue
            total_loss += loss.item()
            n_samples += (output.size(0) * data.m)
        return total_loss / n_samples

    return Model, Data_utility, Optim, evaluate, train


def generated() -> np.ndarray:
    rng = np.random.default_rng(11)
    t = np.arange(90)
    return np.stack([2 + np.sin(2 * np.pi * t / 6) + 0.01 * t,
                     3 + np.cos(2 * np.pi * t / 12) + 0.1 * rng.standard_normal(90),
                     5 + np.cumsum(0.1 * rng.standard_normal(90))], axis=1)


def main(torch, argv, start=None) -> tuple:
    if torch is None:
        torch, nn_, F, clip = ag, nn, nn.functional, nn.utils.clip_grad_norm
        torch_optim = nn.optim
    else:
        nn_, F, clip = torch.nn, torch.nn.functional, torch.nn.utils.clip_grad_norm
        torch_optim = torch.optim
    Model, Data_utility, Optim, evaluate, train = lstnet_program(torch, nn_, F, torch_optim,
                                                                 clip)
    parser = argparse.ArgumentParser()
    parser.add_argument('--hidCNN', type=int, default=6)
    parser.add_argument('--hidRNN', type=int, default=8)
    parser.add_argument('--window', type=int, default=14)
    parser.add_argument('--CNN_kernel', type=int, default=3)
    parser.add_argument('--highway_window', type=int, default=4)
    parser.add_argument('--clip', type=float, default=1.)
    parser.add_argument('--batch_size', type=int, default=16)
    parser.add_argument('--dropout', type=float, default=0.0)
    parser.add_argument('--hidSkip', type=int, default=4)
    parser.add_argument('--skip', type=float, default=5)
    parser.add_argument('--horizon', type=int, default=3)
    parser.add_argument('--lr', type=float, default=0.01)
    parser.add_argument('--optim', type=str, default='adam')
    parser.add_argument('--output_fun', type=str, default='sigmoid')
    args = parser.parse_args(argv)
    args.skip = int(args.skip)
    Data = Data_utility(generated(), 0.6, 0.2, args.horizon, args.window)
    torch.manual_seed(0)
    model = Model(args, Data)
    state = {k: v.detach().numpy().copy() for k, v in model.state_dict().items()}
    if start is not None:  # the test's glue: PyTorch's initial weights
        model.load_state_dict(start)
    criterion = nn_.L1Loss(size_average=False)
    evaluateL2 = nn_.MSELoss(size_average=False)
    evaluateL1 = nn_.L1Loss(size_average=False)
    optim = Optim(model.parameters(), args.optim, args.lr, args.clip)
    records = []
    for epoch in range(1, 3):
        train_loss = train(Data, Data.train[0], Data.train[1], model, criterion, optim,
                           args.batch_size, records)
        val_loss, val_rae, val_corr = evaluate(Data, Data.valid[0], Data.valid[1], model,
                                               evaluateL2, evaluateL1, args.batch_size)
        records += [train_loss, val_loss, val_rae, val_corr]
    records += [p.detach().numpy().copy() for p in model.parameters()]
    return records, state


@pytest.mark.parametrize("argv", [[], ['--output_fun', 'tanh', '--skip', '3',
                                       '--highway_window', '0', '--optim', 'sgd']])
def test_lstnet_trains_like_pytorch(torch, argv) -> None:
    want, start = main(torch, argv)
    got, _ = main(None, argv, start=start)
    assert_records(got, want)
