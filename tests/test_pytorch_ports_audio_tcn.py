"""locuslab/TCN (Bai, Kolter and Koltun): the temporal convolutional network of dilated
causal ``Conv1d``s (padding on both sides, then ``Chomp1d`` cuts the right end) with weight
norm and residual blocks, on its adding problem, as its readers write it. Written once for
a library ``torch`` and run step for step next to PyTorch's from the same weights
(float64): losses, clipped gradient norms, gradients and parameters agree to 1e-10. Also
the other spelling of a causal convolution (``F.pad(x, (left, 0))`` then no padding, as
WaveNet ports write it), and causality itself: no output sees a later input.

Lines written differently here, and why:
- ``from torch.nn.utils import weight_norm`` (the hook-based form, deprecated in PyTorch)
  is ``nn.utils.parametrizations.weight_norm``, PyTorch's current form, in both runs: the
  legacy name raises ``MissingNameError`` here, naming it;
- ``self.conv1.weight.data.normal_(0, 0.01)``: ``.data`` is a NumPy array here (by
  design), so the in-place draw is written ``with torch.no_grad(): w.normal_(0, 0.01)``.
  (On a weight-normed conv it changes a freshly computed weight, in both libraries: the
  original's init of conv1/conv2 never reaches g and v.) The weights are PyTorch's anyway;
- ``torch.nn.utils.clip_grad_norm_`` is ``nn.utils.clip_grad_norm_`` (``nn`` is a package
  of its own here, not ``autograd.nn``);
- the data generator draws with NumPy (``torch.rand`` draws differ between libraries).
"""

import numpy as np

from ctc_port_helpers import (assert_same_grads, assert_same_state, copy_weights, libraries,
                              to_numpy)


def tcn_program(torch):
    """The classes of locuslab/TCN's ``TCN/tcn.py`` and ``adding_problem/model.py``."""
    torch, nn, F, _ = libraries(torch)
    weight_norm = nn.utils.parametrizations.weight_norm

    class Chomp1d(nn.Module):
        def __init__(self, chomp_size):
            super(Chomp1d, self).__init__()
            self.chomp_size = chomp_size

        def forward(self, x):
            return x[:, :, :-self.chomp_size].contiguous()

    class TemporalBlock(nn.Module):
        def __init__(self, n_inputs, n_outputs, kernel_size, stride, dilation, padding,
                     dropout=0.2):
            super(TemporalBlock, self).__init__()
            self.conv1 = weight_norm(nn.Conv1d(n_inputs, n_outputs, kernel_size,
                                               stride=stride, padding=padding,
                                               dilation=dilation))
            self.chomp1 = Chomp1d(padding)
            self.relu1 = nn.ReLU()
            self.dropout1 = nn.Dropout(dropout)

            self.conv2 = weight_norm(nn.Conv1d(n_outputs, n_outputs, kernel_size,
                                               stride=stride, padding=padding,
                                               dilation=dilation))
            self.chomp2 = Chomp1d(padding)
            self.relu2 = nn.ReLU()
            self.dropout2 = nn.Dropout(dropout)

            self.net = nn.Sequential(self.conv1, self.chomp1, self.relu1, self.dropout1,
                                     self.conv2, self.chomp2, self.relu2, self.dropout2)
            self.downsample = (nn.Conv1d(n_inputs, n_outputs, 1)
                               if n_inputs != n_outputs else None)
            self.relu = nn.ReLU()
            self.init_weights()

        def init_weights(self):
            with torch.no_grad():  # .data.normal_(0, 0.01) in the original
                self.conv1.weight.normal_(0, 0.01)
                self.conv2.weight.normal_(0, 0.01)
                if self.downsample is not None:
                    self.downsample.weight.normal_(0, 0.01)

        def forward(self, x):
            out = self.net(x)
            res = x if self.downsample is None else self.downsample(x)
            return self.relu(out + res)

    class TemporalConvNet(nn.Module):
        def __init__(self, num_inputs, num_channels, kernel_size=2, dropout=0.2):
            super(TemporalConvNet, self).__init__()
            layers = []
            num_levels = len(num_channels)
            for i in range(num_levels):
                dilation_size = 2 ** i
                in_channels = num_inputs if i == 0 else num_channels[i - 1]
                out_channels = num_channels[i]
                layers += [TemporalBlock(in_channels, out_channels, kernel_size, stride=1,
                                         dilation=dilation_size,
                                         padding=(kernel_size - 1) * dilation_size,
                                         dropout=dropout)]
            self.network = nn.Sequential(*layers)

        def forward(self, x):
            return self.network(x)

    class TCN(nn.Module):
        def __init__(self, input_size, output_size, num_channels, kernel_size, dropout):
            super(TCN, self).__init__()
            self.tcn = TemporalConvNet(input_size, num_channels, kernel_size=kernel_size,
                                       dropout=dropout)
            self.linear = nn.Linear(num_channels[-1], output_size)
            self.init_weights()

        def init_weights(self):
            with torch.no_grad():
                self.linear.weight.normal_(0, 0.01)

        def forward(self, x):
            y1 = self.tcn(x)
            return self.linear(y1[:, :, -1])

    return TCN, TemporalConvNet


def data_generator(N, seq_length, seed=0):
    """The adding problem: channel 0 random numbers, channel 1 marks two of them; the
    target is their sum."""
    rng = np.random.default_rng(seed)
    X_num = rng.random((N, 1, seq_length))
    X_mask = np.zeros((N, 1, seq_length))
    Y = np.zeros((N, 1))
    for i in range(N):
        positions = rng.choice(seq_length, size=2, replace=False)
        X_mask[i, 0, positions] = 1
        Y[i, 0] = X_num[i, 0, positions[0]] + X_num[i, 0, positions[1]]
    return np.concatenate((X_num, X_mask), axis=1), Y


def train(torch, model, X_train, Y_train, epochs=2, batch_size=16, lr=4e-3, clip=0.5):
    """adding_problem/add_test.py's ``train`` loop (Adam, MSE, clip_grad_norm_)."""
    torch, nn, F, optim = libraries(torch)
    optimizer = getattr(optim, "Adam")(model.parameters(), lr=lr)
    X_train, Y_train = torch.tensor(X_train), torch.tensor(Y_train)
    losses, norms = [], []
    for epoch in range(1, epochs + 1):
        model.train()
        for i in range(0, X_train.size(0), batch_size):
            if i + batch_size > X_train.size(0):
                x, y = X_train[i:], Y_train[i:]
            else:
                x, y = X_train[i:(i + batch_size)], Y_train[i:(i + batch_size)]
            optimizer.zero_grad()
            output = model(x)
            loss = F.mse_loss(output, y)
            loss.backward()
            if clip > 0:
                norms.append(float(nn.utils.clip_grad_norm_(model.parameters(), clip)))
            optimizer.step()
            losses.append(loss.item())
    return losses, norms


def test_tcn_adding_problem_trains_step_for_step_as_pytorch(torch):
    X, Y = data_generator(40, 24)
    torch.manual_seed(0)
    theirs = tcn_program(torch)[0](2, 1, [6, 6, 6], kernel_size=3, dropout=0.0)
    ours = tcn_program(None)[0](2, 1, [6, 6, 6], kernel_size=3, dropout=0.0)
    assert list(ours.state_dict()) == list(theirs.state_dict())
    copy_weights(ours, theirs)
    got = train(None, ours, X, Y)
    want = train(torch, theirs, X, Y)
    np.testing.assert_allclose(got[0], want[0], rtol=1e-10)
    np.testing.assert_allclose(got[1], want[1], rtol=1e-10)
    assert_same_grads(ours, theirs)
    assert_same_state(ours, theirs)


def causal_conv(torch):
    """A dilated causal Conv1d written the other way: pad on the left only."""
    torch, nn, F, _ = libraries(torch)

    class CausalConv1d(nn.Conv1d):
        def __init__(self, in_channels, out_channels, kernel_size, dilation=1):
            super().__init__(in_channels, out_channels, kernel_size, dilation=dilation)
            self.left = (kernel_size - 1) * dilation

        def forward(self, x):
            return super().forward(F.pad(x, (self.left, 0)))

    return CausalConv1d


def test_left_padding_equals_chomp_and_is_causal(torch):
    x_np = np.random.default_rng(1).normal(size=(2, 3, 16))
    for library in (None, torch):
        T, nn, F, _ = libraries(library)
        T.manual_seed(0)
        causal = causal_conv(library)(3, 4, 3, dilation=4)
        chomped = nn.Conv1d(3, 4, 3, padding=8, dilation=4)
        chomped.load_state_dict(causal.state_dict())
        x = T.tensor(x_np, requires_grad=True)
        y = causal(x)
        np.testing.assert_allclose(to_numpy(y), to_numpy(chomped(x)[:, :, :-8]), atol=1e-12)
        y[:, :, 5].sum().backward()  # output 5 sees inputs 5, 1 and (padding) -3 only
        seen = np.flatnonzero(np.abs(to_numpy(x.grad)).sum(axis=(0, 1)))
        assert seen.tolist() == [1, 5]

    _, TemporalConvNet = tcn_program(None)
    net = TemporalConvNet(2, [4, 4], kernel_size=2, dropout=0.0)
    x = libraries(None)[0].tensor(np.random.default_rng(2).normal(size=(1, 2, 12)),
                                  requires_grad=True)
    net(x)[:, :, 6].sum().backward()
    assert not np.abs(to_numpy(x.grad)[..., 7:]).any()  # nothing from the future
