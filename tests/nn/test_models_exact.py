"""The models' helpers re-computed with NumPy: the VAE's broadcast reparameterisation,
reconstruct, interpolate and Gaussian loss; the autoencoder's noise level; the MLP's
probabilities, 0.5 threshold, (N,) targets, layer order, integer input and mode."""
from __future__ import annotations

import copy

import numpy as np
import pytest

import nn
from autograd import Tensor, no_grad
from nn.data.noise import gaussian_noise
from nn.models import MLP, VAE, Autoencoder

RNG = np.random.default_rng(11)
X = RNG.uniform(size=(5, 6))


def _sigmoid(z: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-z))


def test_vae_reparameterize_with_a_broadcast_eps_uses_sigma() -> None:
    vae = VAE(6, 4, 3, rng=0)
    mu, logvar = (Tensor(RNG.normal(size=(5, 3))) for _ in range(2))
    eps = RNG.normal(size=3)  # one draw for every row: the expression, not the fused node
    z = vae.reparameterize(mu, logvar, Tensor(eps))
    np.testing.assert_allclose(z.data, mu.data + np.exp(logvar.data / 2) * eps, rtol=1e-12)


def test_vae_reconstruct_and_interpolate_decode_the_mean_code() -> None:
    vae = VAE(6, 4, 3, rng=0)
    with no_grad():
        mu = vae.encode(Tensor(X))[0].data
        expected = _sigmoid(vae.decode(Tensor(mu)).data)
    np.testing.assert_allclose(vae.reconstruct(X), expected, rtol=1e-12)
    path = vae.interpolate(X[0], X[1], steps=4)
    t = np.linspace(0.0, 1.0, 4)[:, None]
    with no_grad():
        decoded = _sigmoid(vae.decode(Tensor((1 - t) * mu[0] + t * mu[1])).data)
    np.testing.assert_allclose(path, decoded, rtol=1e-12)
    np.testing.assert_allclose(path[0], expected[0], rtol=1e-12)


def test_gaussian_vae_loss_is_the_squared_error_summed_over_features() -> None:
    vae = VAE(6, 4, 3, decoder="gaussian", rng=0)
    x = RNG.normal(size=(5, 6))
    eps = RNG.standard_normal((5, 3))
    parts = vae.loss(x, eps=Tensor(eps))
    with no_grad():
        mu, logvar = (t.data for t in vae.encode(Tensor(x)))
        mean = vae.decode(Tensor(mu + np.exp(logvar / 2) * eps)).data
    assert parts.reconstruction.item() == pytest.approx(((mean - x) ** 2).sum() / 5,
                                                        rel=1e-12)
    with no_grad():
        np.testing.assert_allclose(vae.reconstruct(x), vae.decode(Tensor(mu)).data,
                                   rtol=1e-12)  # the mean itself, no sigmoid


def test_autoencoder_noise_has_the_given_level() -> None:
    ae = Autoencoder(6, [4], 2, noise="gaussian", noise_level=0.7, rng=5)
    generator = copy.deepcopy(ae.rng)
    np.testing.assert_array_equal(ae.corrupt(X), gaussian_noise(X, 0.7, generator))


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_mlp_probabilities_are_a_softmax_over_classes(dtype: type) -> None:
    model = MLP([6, 5, 3], output="softmax", rng=0, dtype=dtype)
    with no_grad():
        scores = model(Tensor(X.astype(dtype))).data.astype(np.float64)
    expected = np.exp(scores) / np.exp(scores).sum(axis=1, keepdims=True)
    proba = model.predict_proba(X)
    assert proba.dtype == dtype
    np.testing.assert_allclose(proba, expected, rtol=1e-5 if dtype == np.float32 else 1e-12)


def test_mlp_predicts_one_at_probability_one_half() -> None:
    model = MLP([6, 3, 1], output="sigmoid", rng=0)
    for p in model.parameters():
        p.data[...] = 0.0  # every score 0: p = 0.5 exactly
    proba = model.predict_proba(X)
    np.testing.assert_array_equal(model.predict(X), (proba[:, 0] >= 0.5).astype(np.int64))
    assert model.predict(X).tolist() == [1] * len(X)


def test_mlp_sigmoid_loss_takes_flat_targets_as_one_column() -> None:
    model = MLP([6, 3, 1], output="sigmoid", rng=0)
    y = np.array([0.0, 1.0, 1.0, 0.0, 1.0])
    with no_grad():
        s = model(Tensor(X)).data[:, 0]
    bce = np.maximum(s, 0) - s * y + np.log1p(np.exp(-np.abs(s)))
    assert model.loss(X, y).item() == pytest.approx(bce.mean(), rel=1e-12)


def test_mlp_hidden_layer_order_is_linear_batchnorm_activation_dropout() -> None:
    model = MLP([6, 4, 2], batchnorm=True, dropout=0.1, rng=0)
    kinds = [type(m) for m in model]
    assert kinds == [nn.Linear, nn.BatchNorm1d, nn.ReLU, nn.Dropout, nn.Linear]


def test_mlp_predicts_integer_input_in_its_dtype_and_keeps_its_mode() -> None:
    model = MLP([6, 4, 3], output="softmax", rng=0, dtype=np.float32)
    ints = RNG.integers(0, 3, size=(5, 6))
    proba = model.predict_proba(ints)
    assert proba.dtype == np.float32
    np.testing.assert_array_equal(proba, model.predict_proba(ints.astype(np.float32)))
    model.eval()
    model.predict(X)
    assert not model.training
    model.train()
    model.predict(X)
    assert model.training


def test_denoising_autoencoder_corrupts_in_training_only() -> None:
    """With tanh units the reconstruction depends on the input (the relu model of
    test_autoencoder maps every input to the same output, so it cannot tell)."""
    ae = Autoencoder(6, [4], 3, activation="tanh", noise="masking", noise_level=0.5, rng=4)
    generator = copy.deepcopy(ae.rng)
    noisy = ae.corrupt(X)
    ae.rng = generator  # the same draws again, for loss
    training = ae.loss(X).reconstruction.item()
    assert training == pytest.approx(np.mean((ae.reconstruct(noisy) - X) ** 2), rel=1e-12)
    ae.eval()
    evaluation = ae.loss(X).reconstruction.item()
    assert evaluation == pytest.approx(np.mean((ae.reconstruct(X) - X) ** 2), rel=1e-12)
    assert evaluation != pytest.approx(training, rel=1e-6)
