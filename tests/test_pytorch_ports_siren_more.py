"""More implicit neural representations, as their readers write them in PyTorch: SIREN
fitting audio (``explore_siren.ipynb``'s ``AudioFile`` dataset: a 1-d grid of time
points, amplitudes scaled by their maximum, ``first_omega_0=3000``, ``F.mse_loss``); a
sinc-activated network (``torch.sinc(omega * linear(x))``, the sinc activation of
Saratchandran et al.'s sampling view of INR activations); and Gaussian Fourier features
(Tancik et al., as ndahlquist's ``pytorch-fourier-feature-networks`` writes them:
``GaussianFourierFeatureTransform`` of a (batch, channels, width, height) grid, then
1x1 ``Conv2d``, ``ReLU``, ``BatchNorm2d`` and ``Sigmoid``). ``SineLayer``, ``Siren`` and
``get_mgrid`` are the notebook's, from ``siren_programs.py``. Each program is
written once for a library ``T`` (``autograd`` here, ``torch`` there) and runs step for
step next to PyTorch's from the same weights (float64): losses, gradients and parameters
agree to 1e-10.

The audio is a generated chord (the notebook's Bach recording cannot be downloaded here),
256 samples; the image one of scikit-learn's 8x8 digits.

Lines written differently here, and why:
- the first weights and the Fourier matrix ``B`` (``torch.randn(...) * scale``) come from
  PyTorch and a NumPy generator (``load_state_dict``, a shared draw), the test's glue;
- ``torch.Tensor(amplitude)`` of the float32 samples is float64 there (its default dtype)
  and float32 here (a Tensor keeps its data's dtype): the same values, the loss float64.

Fixed for it: ``torch.sinc`` (and the elementwise names next to it) raised
MissingNameError (``tests/autograd/test_elementwise_torch_names.py``).
"""

import numpy as np
import pytest

import autograd as ag
import nn
import nn.data
from port_records import assert_same, numpy_of
from siren_programs import get_mgrid, siren_classes

pytestmark = pytest.mark.filterwarnings("ignore:'pin_memory' argument")


def libraries(torch=None) -> tuple:
    """(T, lib, F, optim, data) for this library, or PyTorch's when ``torch`` is given."""
    if torch is None:
        return ag, nn, nn.functional, nn.optim, nn.data
    return torch, torch.nn, torch.nn.functional, torch.optim, torch.utils.data


def chord(samples: int) -> np.ndarray:
    """A float32 waveform, as ``wavfile.read`` gives: three partials, not normalised."""
    t = np.arange(samples) / samples
    wave = 3000 * np.sin(2 * np.pi * 7 * t) + 1500 * np.sin(2 * np.pi * 19 * t + 1.0)
    return (wave + 700 * np.sin(2 * np.pi * 41 * t)).astype(np.float32)


def audio_program(torch=None, start=None) -> list:
    T, lib, F, optim, data = libraries(torch)
    _, Siren = siren_classes(T, lib)

    class AudioFile(data.Dataset):
        def __init__(self, samples):
            self.data = chord(samples)  # self.rate, self.data = wavfile.read(filename)
            self.data = self.data.astype(np.float32)
            self.timepoints = get_mgrid(T, len(self.data), 1)

        def get_num_samples(self):
            return self.timepoints.shape[0]

        def __len__(self):
            return 1

        def __getitem__(self, idx):
            amplitude = self.data
            scale = np.max(np.abs(amplitude))
            amplitude = (amplitude / scale)
            amplitude = T.Tensor(amplitude).view(-1, 1)
            return self.timepoints, amplitude

    bach_audio = AudioFile(256)
    dataloader = data.DataLoader(bach_audio, shuffle=True, batch_size=1, pin_memory=True,
                                 num_workers=0)
    audio_siren = Siren(in_features=1, out_features=1, hidden_features=32,
                        hidden_layers=2, first_omega_0=3000, outermost_linear=True)
    if start is not None:
        audio_siren.load_state_dict(start)
    record = [{k: numpy_of(v) for k, v in audio_siren.state_dict().items()}]
    optim = optim.Adam(lr=1e-4, params=audio_siren.parameters())
    model_input, ground_truth = next(iter(dataloader))
    assert tuple(model_input.shape) == (1, 256, 1)
    for step in range(10):
        model_output, coords = audio_siren(model_input)
        loss = F.mse_loss(model_output, ground_truth)
        optim.zero_grad()
        loss.backward()
        optim.step()
        record += [loss.item(), [numpy_of(p.grad) for p in audio_siren.parameters()]]
    return record + [[numpy_of(p) for p in audio_siren.parameters()]]


def test_siren_fits_audio_as_torch(torch):
    torch.manual_seed(0)
    want = audio_program(torch)
    got = audio_program(start=want[0])
    assert_same(got[1:], want[1:])
    assert got[-3] < got[1]


def sinc_program(torch=None, start=None) -> list:
    """A sinc-activated network fitting a 1-d signal with Adam."""
    T, lib, F, optim, _ = libraries(torch)

    class SincLayer(lib.Module):
        def __init__(self, in_features, out_features, omega=3.0):
            super().__init__()
            self.omega = omega
            self.linear = lib.Linear(in_features, out_features)

        def forward(self, x):
            return T.sinc(self.omega * self.linear(x))

    net = lib.Sequential(SincLayer(1, 24), SincLayer(24, 24), lib.Linear(24, 1))
    if start is not None:
        net.load_state_dict(start)
    record = [{k: numpy_of(v) for k, v in net.state_dict().items()}]
    x = get_mgrid(T, 64, 1)
    y = T.sin(5 * x) * T.exp(-x ** 2)
    optimizer = optim.Adam(net.parameters(), lr=1e-2)
    for step in range(15):
        loss = F.mse_loss(net(x), y)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        record += [loss.item(), [numpy_of(p.grad) for p in net.parameters()]]
    return record


def test_a_sinc_network_fits_a_signal_as_torch(torch):
    torch.manual_seed(1)
    want = sinc_program(torch)
    got = sinc_program(start=want[0])
    assert_same(got[1:], want[1:])
    assert got[-2] < got[1] / 2


def fourier_features_program(torch=None, start=None) -> list:
    T, lib, F, optim, _ = libraries(torch)

    class GaussianFourierFeatureTransform(lib.Module):
        """An implementation of Gaussian Fourier feature mapping."""

        def __init__(self, num_input_channels, mapping_size=256, scale=10):
            super().__init__()
            self._num_input_channels = num_input_channels
            self._mapping_size = mapping_size
            # self._B = torch.randn((num_input_channels, mapping_size)) * scale
            draws = np.random.default_rng(3).standard_normal((num_input_channels,
                                                              mapping_size))
            self._B = T.tensor(draws) * scale

        def forward(self, x):
            assert x.dim() == 4, 'Expected 4D input (got {}D input)'.format(x.dim())
            batches, channels, width, height = x.shape
            assert channels == self._num_input_channels, \
                "Expected input to have {} channels (got {} channels)".format(
                    self._num_input_channels, channels)
            # Make shape compatible for matmul with _B.
            # From [B, C, W, H] to [(B*W*H), C].
            x = x.permute(0, 2, 3, 1).reshape(batches * width * height, channels)
            x = x @ self._B.to(x.device)
            # From [(B*W*H), C] to [B, W, H, C]
            x = x.view(batches, width, height, self._mapping_size)
            # From [B, W, H, C] to [B, C, W, H]
            x = x.permute(0, 3, 1, 2)
            x = 2 * np.pi * x
            return T.cat([T.sin(x), T.cos(x)], dim=1)

    datasets = pytest.importorskip("sklearn.datasets")
    target = T.tensor(datasets.load_digits().images[3] / 16.0)[None, None]
    xy_grid = T.stack(T.meshgrid(T.linspace(0, 1, 8), T.linspace(0, 1, 8), indexing='ij'),
                      dim=0)[None]
    model = lib.Sequential(
        GaussianFourierFeatureTransform(2, 16, 3),
        lib.Conv2d(32, 16, kernel_size=1, padding=0), lib.ReLU(), lib.BatchNorm2d(16),
        lib.Conv2d(16, 16, kernel_size=1, padding=0), lib.ReLU(), lib.BatchNorm2d(16),
        lib.Conv2d(16, 1, kernel_size=1, padding=0), lib.Sigmoid())
    if start is not None:
        model.load_state_dict(start)
    record = [{k: numpy_of(v) for k, v in model.state_dict().items()}]
    optimizer = optim.Adam(list(model.parameters()), lr=1e-2)
    for epoch in range(12):
        optimizer.zero_grad()
        generated = model(xy_grid)
        loss = F.l1_loss(generated, target)
        loss.backward()
        optimizer.step()
        record += [loss.item(), [numpy_of(p.grad) for p in model.parameters()]]
    return record + [{k: numpy_of(v) for k, v in model.state_dict().items()}]


def test_fourier_feature_network_fits_an_image_as_torch(torch):
    torch.manual_seed(2)
    want = fourier_features_program(torch)
    got = fourier_features_program(start=want[0])
    assert_same(got[1:], want[1:])
    assert got[-3] < got[1]
