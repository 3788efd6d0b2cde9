"""Soft-DTW (Cuturi and Blondel, "Soft-DTW: a Differentiable Loss Function for
Time-Series"), the soft minimum's relative of soft sorting, as PyTorch users write it
without a CUDA kernel: the pairwise squared distances by broadcasting, the dynamic
programme R[i, j] = D[i-1, j-1] + softmin_gamma(R[i-1, j-1], R[i-1, j], R[i, j-1]) filled
element by element into a ``torch.full(..., float('inf'))`` table (``R[0, 0] = 0``), the
soft minimum as ``-gamma * torch.logsumexp(torch.stack([...]) / -gamma, dim=0)`` or as
``torch.logaddexp``; then a soft-DTW barycenter of a few noisy sine waves fitted with
Adam, and a small 1-d convolutional encoder trained to make soft-DTW small between
shifted copies. Each program is written once for a library ``T`` (``autograd`` here,
``torch`` there) and runs step for step next to PyTorch's (float64): tables, losses,
gradients and parameters agree to 1e-10.

Lines written differently here: the encoder starts from PyTorch's weights
(``load_state_dict``), the test's glue.
"""

import numpy as np

import autograd as ag
import nn

from port_records import assert_same, numpy_of


def libraries(torch=None) -> tuple:
    """(T, lib, optim) for this library, or PyTorch's when ``torch`` is given."""
    if torch is None:
        return ag, nn, nn.optim
    return torch, torch.nn, torch.optim


def soft_dtw_functions(T):
    def pairwise_distances(x, y):
        """Squared Euclidean distances between the rows of x (n, d) and y (m, d)."""
        return ((x.unsqueeze(1) - y.unsqueeze(0)) ** 2).sum(-1)

    def softmin3(a, b, c, gamma):
        stacked = T.stack([a, b, c]) / -gamma
        return -gamma * T.logsumexp(stacked, dim=0)

    def softmin3_logaddexp(a, b, c, gamma):
        return -gamma * T.logaddexp(T.logaddexp(-a / gamma, -b / gamma), -c / gamma)

    def soft_dtw(x, y, gamma=1.0, softmin=softmin3):
        D = pairwise_distances(x, y)
        N, M = D.shape
        R = T.full((N + 1, M + 1), float('inf'))
        R[0, 0] = 0.0
        for i in range(1, N + 1):
            for j in range(1, M + 1):
                R[i, j] = D[i - 1, j - 1] + softmin(R[i - 1, j - 1], R[i - 1, j],
                                                    R[i, j - 1], gamma)
        return R[N, M], R

    return soft_dtw, softmin3, softmin3_logaddexp


def waves(count: int, length: int, seed: int) -> np.ndarray:
    """Noisy sine waves with random phases: (count, length, 1)."""
    rng = np.random.default_rng(seed)
    t = np.linspace(0, 2 * np.pi, length)
    phases = rng.uniform(-0.6, 0.6, count)
    return (np.sin(t[None] + phases[:, None]) + 0.1 * rng.standard_normal((count, length)))[
        ..., None]


def value_and_gradient_program(torch=None) -> list:
    T, _, _ = libraries(torch)
    soft_dtw, softmin3, softmin3_logaddexp = soft_dtw_functions(T)
    series = waves(2, 7, seed=0)
    record = []
    for softmin in (softmin3, softmin3_logaddexp):
        for gamma in (1.0, 0.1):
            x = T.tensor(series[0], requires_grad=True)
            y = T.tensor(series[1][:5], requires_grad=True)
            value, R = soft_dtw(x, y, gamma=gamma, softmin=softmin)
            value.backward()
            record += [value.item(), numpy_of(R)[1:, 1:], numpy_of(x.grad),
                       numpy_of(y.grad)]
    return record


def test_soft_dtw_values_and_gradients_as_torch(torch):
    want = value_and_gradient_program(torch)
    got = value_and_gradient_program()
    assert_same(got, want)
    assert abs(got[0] - got[8]) < 1e-12  # the two soft minimums agree


def barycenter_program(torch=None) -> list:
    """The soft-DTW barycenter: argmin_z sum_k softdtw(z, x_k), Adam from the mean."""
    T, _, optim = libraries(torch)
    soft_dtw, _, _ = soft_dtw_functions(T)
    series = T.tensor(waves(3, 6, seed=1))
    barycenter = series.mean(dim=0).clone().requires_grad_(True)
    optimizer = optim.Adam([barycenter], lr=0.05)
    record = []
    for step in range(4):
        optimizer.zero_grad()
        loss = sum(soft_dtw(barycenter, s, gamma=0.1)[0] for s in series) / len(series)
        loss.backward()
        optimizer.step()
        record += [loss.item(), numpy_of(barycenter.grad)]
    return record + [numpy_of(barycenter)]


def test_soft_dtw_barycenter_as_torch(torch):
    want = barycenter_program(torch)
    got = barycenter_program()
    assert_same(got, want)
    assert got[-3] < got[0]


def encoder_program(torch=None, start=None) -> list:
    """A Conv1d encoder trained so that soft-DTW between the codes of a wave and of its
    shifted copy is small, relative to a pair of different waves."""
    T, lib, optim = libraries(torch)
    soft_dtw, _, _ = soft_dtw_functions(T)
    encoder = lib.Sequential(lib.Conv1d(1, 4, kernel_size=3, padding=1), lib.Tanh(),
                             lib.Conv1d(4, 2, kernel_size=3, padding=1))
    if start is not None:
        encoder.load_state_dict(start)
    record = [{k: numpy_of(v) for k, v in encoder.state_dict().items()}]
    data = T.tensor(waves(3, 8, seed=2)).transpose(1, 2)  # (batch, channels, length)
    shifted = T.roll(data, shifts=1, dims=2)
    optimizer = optim.SGD(encoder.parameters(), lr=0.05, momentum=0.9)
    for step in range(3):
        codes, shifted_codes = encoder(data).transpose(1, 2), encoder(shifted).transpose(1, 2)
        same = sum(soft_dtw(codes[k], shifted_codes[k])[0] for k in range(3))
        different = soft_dtw(codes[0], codes[1])[0]
        loss = T.relu(same / 3 - different + 1.0)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        record += [loss.item(), [numpy_of(p.grad) for p in encoder.parameters()]]
    return record


def test_soft_dtw_trains_an_encoder_as_torch(torch):
    torch.manual_seed(0)
    want = encoder_program(torch)
    got = encoder_program(start=want[0])
    assert_same(got[1:], want[1:])
