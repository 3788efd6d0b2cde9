"""Autoencoder: sparsity penalties, denoising against the clean input, digits."""
from __future__ import annotations

import numpy as np
import pytest

import nn
from autograd import Tensor, gradcheck
from nn.data import gaussian_noise
from nn.models import Autoencoder, AutoencoderLoss
from nn.train import fit


def _kl(rho: float, rate: np.ndarray) -> float:
    return float(np.sum(rho * np.log(rho / rate) + (1 - rho) * np.log((1 - rho) / (1 - rate))))


def test_kl_of_the_notes() -> None:
    assert _kl(0.05, np.array([0.8])) == pytest.approx(1.34, abs=5e-3)


@pytest.mark.parametrize("sparsity", [None, "l1", "kl"])
def test_loss_parts_equal_their_definitions(sparsity: str | None) -> None:
    x = np.random.default_rng(0).uniform(size=(6, 5))
    ae = Autoencoder(5, [4], 3, sparsity=sparsity, sparsity_weight=0.3, rho=0.1, rng=1)
    parts = ae.loss(x)
    assert isinstance(parts, AutoencoderLoss)
    code = ae.encode(Tensor(x)).data
    x_hat = ae.decode(Tensor(code)).data
    assert parts.reconstruction.item() == pytest.approx(np.mean((x_hat - x) ** 2), rel=1e-12)
    expected = {None: 0.0, "l1": 0.3 * np.abs(code).sum() / 6,
                "kl": 0.3 * _kl(0.1, code.mean(axis=0)) if sparsity == "kl" else 0.0}
    assert parts.sparsity.item() == pytest.approx(expected[sparsity], rel=1e-12, abs=1e-300)
    assert parts.loss.item() == pytest.approx(parts.reconstruction.item()
                                              + parts.sparsity.item(), rel=1e-12)
    if sparsity == "kl":
        assert np.all((code > 0) & (code < 1))  # sigmoid code by default


def test_sparse_loss_gradcheck() -> None:
    ae = Autoencoder(4, [], 3, sparsity="kl", sparsity_weight=0.5, activation="tanh", rng=2)
    x = Tensor(np.random.default_rng(3).uniform(size=(5, 4)), requires_grad=True)
    assert gradcheck(lambda x: ae.loss(x).loss, [x])


def test_denoising_compares_with_the_clean_input() -> None:
    x = np.random.default_rng(0).uniform(size=(8, 5))
    ae = Autoencoder(5, [4], 2, noise="masking", noise_level=0.5, rng=np.random.default_rng(4))
    state = ae.rng.bit_generator.state
    parts = ae.loss(x)
    ae.rng.bit_generator.state = state
    noisy = ae.corrupt(x)  # the same draws
    assert not np.array_equal(noisy, x)
    expected = np.mean((ae.reconstruct(noisy) - x) ** 2)
    assert parts.reconstruction.item() == pytest.approx(expected, rel=1e-12)
    ae.eval()
    assert ae.loss(x).reconstruction.item() == pytest.approx(
        np.mean((ae.reconstruct(x) - x) ** 2), rel=1e-12)  # no corruption in evaluation


@pytest.mark.parametrize("kwargs, match", [
    ({"sparsity": "l2"}, "sparsity"), ({"noise": "pink"}, "noise"),
    ({"sparsity": "kl", "code_activation": "relu"}, "sigmoid"),
    ({"rho": -0.1}, "rho"), ({"output": "softmax"}, "output"),
])
def test_bad_arguments(kwargs: dict, match: str) -> None:
    with pytest.raises(ValueError, match=match):
        Autoencoder(5, 4, 2, **kwargs)


def test_denoising_autoencoder_beats_identity_on_digits() -> None:
    datasets = pytest.importorskip("sklearn.datasets")
    X = datasets.load_digits().data / 16.0
    X_train, X_test = X[:1400], X[1400:]
    ae = Autoencoder(64, 48, 24, noise="gaussian", noise_level=0.25, output="sigmoid", rng=0)
    fit(ae, None, nn.optim.Adam(ae.parameters(), lr=3e-3), X_train, epochs=15,
        progress=False, generator=0)
    noisy = gaussian_noise(X_test, 0.25, np.random.default_rng(1))
    restored_error = np.mean((ae.reconstruct(noisy) - X_test) ** 2)
    identity_error = np.mean((noisy - X_test) ** 2)
    assert restored_error < 0.8 * identity_error


def test_sparsity_penalties_with_the_notes_numbers() -> None:
    """A code layer with zero weights outputs its bias: the notes' code values."""
    z = np.array([0.8, 0.1, 0.9, 0.05, 0.7])
    ae = Autoencoder(3, [], 5, sparsity="l1", sparsity_weight=1.0, rng=0)
    ae.encoder[0].weight.data[...] = 0.0
    ae.encoder[0].bias.data[...] = z
    assert ae.loss(np.ones((1, 3))).sparsity.item() == pytest.approx(np.abs(z).sum(), rel=1e-12)
    assert round(ae.loss(np.ones((1, 3))).sparsity.item(), 2) == 2.55
    ae = Autoencoder(3, [], 1, sparsity="kl", sparsity_weight=1.0, rho=0.05, rng=0)
    ae.encoder[0].weight.data[...] = 0.0
    ae.encoder[0].bias.data[...] = np.log(0.8 / 0.2)  # sigmoid gives the mean rate 0.8
    assert round(ae.loss(np.ones((4, 3))).sparsity.item(), 2) == 1.34
