"""pytorch/examples' ``time_sequence_prediction`` (``generate_sine_wave.py`` and
``train.py``), ported as its readers write it: sine waves with random phases saved to
``traindata.pt``, the ``Sequence`` model (two ``LSTMCell``s stepped over
``input.split(1, dim=1)``, a ``dummy_param`` that tells the device, then ``future`` steps
fed its own output), in double precision, trained with ``LBFGS(lr=0.8)`` and a closure, the
test loss and the predicted future under ``no_grad()``. It runs step for step next to
PyTorch from the same weights: every loss the closure sees, the test losses, the
predictions and the parameters agree to 1e-10. ``device = torch.device(device_name)`` and
``nn.Parameter(torch.empty(0))`` run as written (``autograd.device`` and ``autograd.empty``
were added for them); the test holds BLAS at one thread while ours runs (its glue).

Sizes are small: 5 waves of 10 points (the program's 100 of 1,000: 2 to train on, 3 to
test), 2 steps (15), and 5 predicted points (1,000). Lines written differently here:
- ``torch.save(data, open("traindata.pt", "wb"))`` / ``torch.load('traindata.pt')`` of
  the NumPy array are ``nn.save(f, data=data)`` / ``nn.load('traindata.pt')['data']``
  (NumPy's format, never pickle); PyTorch >= 2.6 needs ``weights_only=False`` to
  unpickle the array;
- the figures (matplotlib, one PDF per step) are left out.

Found and left alone: ``seq.parameters()`` lists ``dummy_param`` last here (the order the
attributes were set), first in PyTorch (a module's own parameters before its children's),
so the parameters are compared by name; the flat vector L-BFGS works on is ordered
differently, which changes only the rounding of its dot products.
"""

import argparse
import contextlib

import numpy as np
import pytest

import autograd as ag
import nn
from test_pytorch_ports_gpt_lecture import assert_records


def generate_sine_wave(torch, path, L: int = 10, N: int = 5) -> None:
    """generate_sine_wave.py, with L points and N waves."""
    np.random.seed(2)

    T = 20
    x = np.empty((N, L), "int64")
    x[:] = np.array(range(L)) + np.random.randint(-4 * T, 4 * T, N).reshape(N, 1)
    data = np.sin(x / 1.0 / T).astype("float64")
    if torch is ag:  # torch.save(data, open("traindata.pt", "wb"))
        nn.save(open(path, "wb"), data=data)
    else:
        torch.save(data, open(path, "wb"))


def train_program(torch, nn, optim, argv, path, start=None, future=5) -> list:
    """train.py; the loss of every closure call, each step's test loss and prediction,
    then the parameters."""
    record = []

    class Sequence(nn.Module):
        def __init__(self):
            super(Sequence, self).__init__()
            self.lstm1 = nn.LSTMCell(1, 51)
            self.lstm2 = nn.LSTMCell(51, 51)
            self.linear = nn.Linear(51, 1)
            self.dummy_param = nn.Parameter(torch.empty(0))

        def forward(self, input, future = 0):
            outputs = []
            device = self.dummy_param.device
            h_t = torch.zeros(input.size(0), 51, dtype=torch.double).to(device)
            c_t = torch.zeros(input.size(0), 51, dtype=torch.double).to(device)
            h_t2 = torch.zeros(input.size(0), 51, dtype=torch.double).to(device)
            c_t2 = torch.zeros(input.size(0), 51, dtype=torch.double).to(device)

            for input_t in input.split(1, dim=1):
                h_t, c_t = self.lstm1(input_t, (h_t, c_t))
                h_t2, c_t2 = self.lstm2(h_t, (h_t2, c_t2))
                output = self.linear(h_t2)
                outputs += [output]
            for i in range(future):# if we should predict the future
                h_t, c_t = self.lstm1(output, (h_t, c_t))
                h_t2, c_t2 = self.lstm2(h_t, (h_t2, c_t2))
                output = self.linear(h_t2)
                outputs += [output]
            outputs = torch.cat(outputs, dim=1)
            return outputs

    parser = argparse.ArgumentParser()
    parser.add_argument('--steps', type=int, default=15, help='steps to run')
    parser.add_argument('--device', type=str, default='cuda',
                        help='training device. cuda, mps, or cpu.')
    opt = parser.parse_args(argv)
    # training device
    device_name = opt.device
    if device_name == 'cuda' and not torch.cuda.is_available():
        print('cuda is not available')
        exit(-1)
    elif device_name == 'mps' and not torch.backends.mps.is_available():
        print('mps is not available')
        exit(-1)
    device = torch.device(device_name)
    # set random seed to 0
    np.random.seed(0)
    torch.manual_seed(0)
    # load data and make training set
    if torch is ag:  # torch.load('traindata.pt')
        data = torch.from_numpy(nn.load(path)['data']).to(device)
    else:
        data = torch.from_numpy(torch.load(path, weights_only=False)).to(device)
    input = data[3:, :-1]
    target = data[3:, 1:]
    test_input = data[:3, :-1]
    test_target = data[:3, 1:]
    # build the model
    seq = Sequence().to(device).double()
    if start is not None:  # the test's glue: PyTorch's initial weights
        seq.load_state_dict(start)
    record.append({k: v.detach().numpy().copy() for k, v in seq.state_dict().items()})
    criterion = nn.MSELoss().to(device)
    # use LBFGS as optimizer since we can load the whole data to train
    optimizer = optim.LBFGS(seq.parameters(), lr=0.8)
    #begin to train
    for i in range(opt.steps):
        print('STEP: ', i)
        def closure():
            optimizer.zero_grad()
            out = seq(input)
            loss = criterion(out, target)
            print('loss:', loss.item())
            record.append(loss.item())
            loss.backward()
            return loss
        optimizer.step(closure)
        # begin to predict, no need to track gradient here
        with torch.no_grad():
            pred = seq(test_input, future=future)
            loss = criterion(pred[:, :-future], test_target)
            print('test loss:', loss.item())
            y = pred.cpu().detach().numpy()
        record += [loss.item(), y]
    return record + [p.detach().numpy().copy() for _, p in sorted(seq.named_parameters())]


def one_blas_thread():
    """BLAS on one thread while L-BFGS takes dot products of its 32,000-long vectors: on a
    loaded 2-core machine a threaded dot took 20 ms, one thread's 0.09 ms (``fit`` holds
    BLAS at one thread for the same reason)."""
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:
        return contextlib.nullcontext()
    return threadpool_limits(1, user_api="blas")


def test_train_py_trains_as_torch(torch, tmp_path):
    generate_sine_wave(torch, tmp_path / 'traindata.pt')
    generate_sine_wave(ag, tmp_path / 'traindata.npz')
    argv = ['--steps', '2', '--device', 'cpu']
    want = train_program(torch, torch.nn, torch.optim, argv, tmp_path / 'traindata.pt')
    with one_blas_thread():
        got = train_program(ag, nn, nn.optim, argv, tmp_path / 'traindata.npz',
                            start=want[0])
    assert_records(got[1:], want[1:])
    losses = [x for x in got[1:] if isinstance(x, float)]
    assert len(losses) > 20 and losses[-1] < 0.5 * losses[0]
    predictions = [x for x in got if np.shape(x) == (3, 9 + 5)]  # 9 steps, 5 beyond
    assert len(predictions) == 2


def test_the_data_file_and_the_device_check(tmp_path):
    """generate_sine_wave.py's array comes back from the file; a missing GPU exits as the
    program does (``exit(-1)``)."""
    generate_sine_wave(ag, tmp_path / 'traindata.npz')
    data = nn.load(tmp_path / 'traindata.npz')['data']
    assert data.shape == (5, 10) and data.dtype == np.float64
    np.testing.assert_allclose(np.abs(data).max(), 1, atol=0.2)
    with pytest.raises(SystemExit):
        train_program(ag, nn, nn.optim, ['--steps', '1'], tmp_path / 'traindata.npz')
