"""N-BEATS as PyTorch users write it (philipperemy/n-beats' ``nbeats_pytorch/model.py``):
``NBeatsNet`` with trend blocks (a fixed polynomial basis t^i), seasonality blocks (a
fixed Fourier basis cos/sin(2 pi i t)) and generic blocks (linear bases), each block a
4-layer ReLU MLP whose theta heads make a backcast and a forecast; the stacks subtract
each backcast from the input (doubly residual) and add up the forecasts. The program is
written once for a library ``torch`` and runs step for step next to PyTorch from the same
weights on generated series (sines with a trend and noise): every training loss, the
validation losses, the predictions and the parameters agree to 1e-10 (float64).

The habits it exercises: ``self.parameters = []`` (a plain list shadowing the method),
``self.parameters.extend(block.parameters())`` then ``self.parameters =
nn.ParameterList(self.parameters)`` (registering the list as a submodule brings back the
method, as in PyTorch), blocks kept in plain Python lists (only the ParameterList holds
their weights), ``self.theta_f_fc = self.theta_b_fc = nn.Linear(...)`` (one module under
two names), ``torch.zeros(size=(...))``, ``torch.tensor`` of a list of NumPy arrays,
``opt_(lr=1e-4, params=self.parameters())`` and ``mse_loss``/``l1_loss`` by name.

Lines written differently here, and why:
- ``.float()`` / ``dtype=torch.float`` (float32) are ``.double()`` / ``torch.double``:
  the comparison runs in float64, where PyTorch's ``thetas.mm(S)`` refuses float32 ``S``;
- ``print`` of the progress bar is left out; ``fit`` keeps each epoch's losses in
  ``self.history`` (the test's glue);
- ``random.shuffle`` is a ``random.Random(0)`` shared by both runs.
"""

import random

import numpy as np
import pytest

import autograd as ag
import nn
import nn.functional
from test_pytorch_ports_gpt_lecture import assert_records

# trend_model's torch.tensor([t ** i ...]) of NumPy arrays, as written: PyTorch warns it is slow
pytestmark = pytest.mark.filterwarnings("ignore:Creating a tensor from a list of numpy")


def nbeats_program(torch, nn, F, optim):
    """The model file; returns the module's namespace as a dict."""
    mse_loss, l1_loss = F.mse_loss, F.l1_loss

    class NBeatsNet(nn.Module):
        SEASONALITY_BLOCK = 'seasonality'
        TREND_BLOCK = 'trend'
        GENERIC_BLOCK = 'generic'

        def __init__(self, device=torch.device('cpu'), stack_types=(TREND_BLOCK, SEASONALITY_BLOCK),
                     nb_blocks_per_stack=3, forecast_length=5, backcast_length=10,
                     thetas_dim=(4, 8), share_weights_in_stack=False, hidden_layer_units=256,
                     nb_harmonics=None):
            super(NBeatsNet, self).__init__()
            self.forecast_length = forecast_length
            self.backcast_length = backcast_length
            self.hidden_layer_units = hidden_layer_units
            self.nb_blocks_per_stack = nb_blocks_per_stack
            self.share_weights_in_stack = share_weights_in_stack
            self.nb_harmonics = nb_harmonics
            self.stack_types = stack_types
            self.stacks = []
            self.thetas_dim = thetas_dim
            self.parameters = []
            self.device = device
            for stack_id in range(len(self.stack_types)):
                self.stacks.append(self.create_stack(stack_id))
            self.parameters = nn.ParameterList(self.parameters)
            self.to(self.device)
            self._loss = None
            self._opt = None

        def create_stack(self, stack_id):
            stack_type = self.stack_types[stack_id]
            blocks = []
            for block_id in range(self.nb_blocks_per_stack):
                block_init = NBeatsNet.select_block(stack_type)
                if self.share_weights_in_stack and block_id != 0:
                    block = blocks[-1]  # pick up the last one when we share weights.
                else:
                    block = block_init(self.hidden_layer_units, self.thetas_dim[stack_id],
                                       self.device, self.backcast_length, self.forecast_length,
                                       self.nb_harmonics)
                    self.parameters.extend(block.parameters())
                blocks.append(block)
            return blocks

        @staticmethod
        def select_block(block_type):
            if block_type == NBeatsNet.SEASONALITY_BLOCK:
                return SeasonalityBlock
            elif block_type == NBeatsNet.TREND_BLOCK:
                return TrendBlock
            else:
                return GenericBlock

        def compile(self, loss, optimizer):
            if loss == 'mae':
                loss_ = l1_loss
            elif loss == 'mse':
                loss_ = mse_loss
            else:
                raise ValueError(f'Unknown loss name: {loss}.')
            if isinstance(optimizer, str):
                if optimizer == 'adam':
                    opt_ = optim.Adam
                elif optimizer == 'sgd':
                    opt_ = optim.SGD
                elif optimizer == 'rmsprop':
                    opt_ = optim.RMSprop
                else:
                    raise ValueError(f'Unknown opt name: {optimizer}.')
                opt_ = opt_(lr=1e-4, params=self.parameters())
            else:
                opt_ = optimizer
            self._opt = opt_
            self._loss = loss_

        def fit(self, x_train, y_train, validation_data=None, epochs=10, batch_size=32,
                rng=random):
            self.history = []  # the test's glue: what the progress bar prints

            def split(arr, size):
                arrays = []
                while len(arr) > size:
                    slice_ = arr[:size]
                    arrays.append(slice_)
                    arr = arr[size:]
                arrays.append(arr)
                return arrays

            for epoch in range(epochs):
                x_train_list = split(x_train, batch_size)
                y_train_list = split(y_train, batch_size)
                assert len(x_train_list) == len(y_train_list)
                shuffled_indices = list(range(len(x_train_list)))
                rng.shuffle(shuffled_indices)
                self.train()
                train_loss = []
                for batch_id in shuffled_indices:
                    batch_x, batch_y = x_train_list[batch_id], y_train_list[batch_id]
                    self._opt.zero_grad()
                    _, forecast = self(torch.tensor(batch_x, dtype=torch.double).to(self.device))
                    loss = self._loss(forecast, squeeze_last_dim(
                        torch.tensor(batch_y, dtype=torch.double).to(self.device)))
                    train_loss.append(loss.item())
                    loss.backward()
                    self._opt.step()
                train_loss = np.mean(train_loss)

                test_loss = '[undefined]'
                if validation_data is not None:
                    x_test, y_test = validation_data
                    self.eval()
                    _, forecast = self(torch.tensor(x_test, dtype=torch.double).to(self.device))
                    test_loss = self._loss(forecast, squeeze_last_dim(
                        torch.tensor(y_test, dtype=torch.double))).item()
                self.history.append((train_loss, test_loss))

        def predict(self, x, return_backcast=False):
            self.eval()
            b, f = self(torch.tensor(x, dtype=torch.double).to(self.device))
            b, f = b.detach().numpy(), f.detach().numpy()
            if len(x.shape) == 3:
                b = np.expand_dims(b, axis=-1)
                f = np.expand_dims(f, axis=-1)
            if return_backcast:
                return b
            return f

        def forward(self, backcast):
            backcast = squeeze_last_dim(backcast)
            forecast = torch.zeros(size=(backcast.size()[0], self.forecast_length,))
            for stack_id in range(len(self.stacks)):
                for block_id in range(len(self.stacks[stack_id])):
                    b, f = self.stacks[stack_id][block_id](backcast)
                    backcast = backcast.to(self.device) - b
                    forecast = forecast.to(self.device) + f
            return backcast, forecast

    def squeeze_last_dim(tensor):
        if len(tensor.shape) == 3 and tensor.shape[-1] == 1:  # (128, 10, 1) => (128, 10).
            return tensor[..., 0]
        return tensor

    def seasonality_model(thetas, t, device):
        p = thetas.size()[-1]
        assert p <= thetas.shape[1], 'thetas_dim is too big.'
        p1, p2 = (p // 2, p // 2) if p % 2 == 0 else (p // 2, p // 2 + 1)
        s1 = torch.tensor(np.array([np.cos(2 * np.pi * i * t) for i in range(p1)])).double()
        s2 = torch.tensor(np.array([np.sin(2 * np.pi * i * t) for i in range(p2)])).double()
        S = torch.cat([s1, s2])
        return thetas.mm(S.to(device))

    def trend_model(thetas, t, device):
        p = thetas.size()[-1]
        assert p <= 4, 'thetas_dim is too big.'
        T = torch.tensor([t ** i for i in range(p)]).double()
        return thetas.mm(T.to(device))

    def linear_space(backcast_length, forecast_length):
        ls = np.arange(-backcast_length, forecast_length, 1) / forecast_length
        b_ls = ls[:backcast_length]
        f_ls = ls[backcast_length:]
        return b_ls, f_ls

    class Block(nn.Module):

        def __init__(self, units, thetas_dim, device, backcast_length=10, forecast_length=5,
                     share_thetas=False, nb_harmonics=None):
            super(Block, self).__init__()
            self.units = units
            self.thetas_dim = thetas_dim
            self.backcast_length = backcast_length
            self.forecast_length = forecast_length
            self.share_thetas = share_thetas
            self.fc1 = nn.Linear(backcast_length, units)
            self.fc2 = nn.Linear(units, units)
            self.fc3 = nn.Linear(units, units)
            self.fc4 = nn.Linear(units, units)
            self.device = device
            self.backcast_linspace, self.forecast_linspace = linear_space(backcast_length,
                                                                          forecast_length)
            if share_thetas:
                self.theta_f_fc = self.theta_b_fc = nn.Linear(units, thetas_dim, bias=False)
            else:
                self.theta_b_fc = nn.Linear(units, thetas_dim, bias=False)
                self.theta_f_fc = nn.Linear(units, thetas_dim, bias=False)

        def forward(self, x):
            x = squeeze_last_dim(x)
            x = F.relu(self.fc1(x.to(self.device)))
            x = F.relu(self.fc2(x))
            x = F.relu(self.fc3(x))
            x = F.relu(self.fc4(x))
            return x

    class SeasonalityBlock(Block):

        def __init__(self, units, thetas_dim, device, backcast_length=10, forecast_length=5,
                     nb_harmonics=None):
            if nb_harmonics:
                super(SeasonalityBlock, self).__init__(units, nb_harmonics, device,
                                                       backcast_length, forecast_length,
                                                       share_thetas=True)
            else:
                super(SeasonalityBlock, self).__init__(units, forecast_length, device,
                                                       backcast_length, forecast_length,
                                                       share_thetas=True)

        def forward(self, x):
            x = super(SeasonalityBlock, self).forward(x)
            backcast = seasonality_model(self.theta_b_fc(x), self.backcast_linspace, self.device)
            forecast = seasonality_model(self.theta_f_fc(x), self.forecast_linspace, self.device)
            return backcast, forecast

    class TrendBlock(Block):

        def __init__(self, units, thetas_dim, device, backcast_length=10, forecast_length=5,
                     nb_harmonics=None):
            super(TrendBlock, self).__init__(units, thetas_dim, device, backcast_length,
                                             forecast_length, share_thetas=True)

        def forward(self, x):
            x = super(TrendBlock, self).forward(x)
            backcast = trend_model(self.theta_b_fc(x), self.backcast_linspace, self.device)
            forecast = trend_model(self.theta_f_fc(x), self.forecast_linspace, self.device)
            return backcast, forecast

    class GenericBlock(Block):

        def __init__(self, units, thetas_dim, device, backcast_length=10, forecast_length=5,
                     nb_harmonics=None):
            super(GenericBlock, self).__init__(units, thetas_dim, device, backcast_length,
                                               forecast_length)
            self.backcast_fc = nn.Linear(thetas_dim, backcast_length)
            self.forecast_fc = nn.Linear(thetas_dim, forecast_length)

        def forward(self, x):
            x = super(GenericBlock, self).forward(x)
            theta_b = self.theta_b_fc(x)
            theta_f = self.theta_f_fc(x)
            backcast = self.backcast_fc(theta_b)  # generic. 3.3.
            forecast = self.forecast_fc(theta_f)  # generic. 3.3.
            return backcast, forecast

    return locals()


def series(n: int = 40, backcast_length: int = 10, forecast_length: int = 5) -> tuple:
    """Windows of a sine with a linear trend and noise: (x, y) of shapes (n, backcast, 1)
    and (n, forecast, 1), as the repository's examples feed them."""
    rng = np.random.default_rng(3)
    t = np.arange(n + backcast_length + forecast_length)
    signal = np.sin(2 * np.pi * t / 12) + 0.02 * t + 0.1 * rng.standard_normal(t.shape)
    x = np.stack([signal[i:i + backcast_length] for i in range(n)])[..., None]
    y = np.stack([signal[i + backcast_length:i + backcast_length + forecast_length]
                  for i in range(n)])[..., None]
    return x, y


def train_run(torch, nn_, F, optim, kwargs, start=None, loss='mse', opt='adam') -> tuple:
    """Build, compile, fit 2 epochs with validation, predict; (records, state)."""
    ns = nbeats_program(torch, nn_, F, optim)
    torch.manual_seed(0)
    net = ns['NBeatsNet'](device=torch.device('cpu'), **kwargs)
    state = {k: v.detach().numpy().copy() for k, v in net.state_dict().items()}
    if start is not None:  # the test's glue: PyTorch's initial weights; strict=False, as
        # ours also names the blocks' weights under "stacks." (plain lists are searched)
        net.load_state_dict(start, strict=False)
    net.compile(loss=loss, optimizer=opt)
    x, y = series()
    net.fit(x[:32], y[:32], validation_data=(x[32:], y[32:]), epochs=2, batch_size=8,
            rng=random.Random(0))
    records = [v for pair in net.history for v in pair]
    records += [net.predict(x[32:]), net.predict(x[32:], return_backcast=True)]
    records += [p.detach().numpy().copy() for p in net.parameters()]
    return records, state


KW_TREND_SEASONALITY = dict(stack_types=('trend', 'seasonality'), nb_blocks_per_stack=2,
                            thetas_dim=(3, 4), hidden_layer_units=16)
KW_GENERIC_SHARED = dict(stack_types=('generic', 'generic'), nb_blocks_per_stack=3,
                         thetas_dim=(6, 6), share_weights_in_stack=True, hidden_layer_units=16)


def compare(torch, kwargs, **how) -> None:
    want, start = train_run(torch, torch.nn, torch.nn.functional, torch.optim, kwargs, **how)
    got, _ = train_run(ag, nn, nn.functional, nn.optim, kwargs, start=start, **how)
    assert_records(got, want)


def test_trend_and_seasonality_stacks_train_like_pytorch(torch) -> None:
    compare(torch, KW_TREND_SEASONALITY)


def test_generic_stacks_with_shared_weights_train_like_pytorch(torch) -> None:
    compare(torch, KW_GENERIC_SHARED, loss='mae', opt='rmsprop')


def test_the_parameter_list_replaces_the_method_as_in_pytorch(torch) -> None:
    """The ParameterList named ``parameters`` is a child module, ``net.parameters()`` the
    method again; shared blocks count once. (Blocks in plain lists are children here, by
    design, and not in PyTorch.)"""
    for T, nn_, F, optim in [(ag, nn, nn.functional, nn.optim),
                             (torch, torch.nn, torch.nn.functional, torch.optim)]:
        net = nbeats_program(T, nn_, F, optim)['NBeatsNet'](**KW_GENERIC_SHARED)
        names = [name for name, _ in net.named_children()]
        assert names[-1] == 'parameters' and callable(net.parameters), T
        assert len(list(net.parameters())) == 2 * 14  # one block per stack, 14 tensors
        assert [k for k in net.state_dict() if k.startswith('parameters.')] == [
            f"parameters.{i}" for i in range(28)]
