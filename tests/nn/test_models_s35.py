"""Session 35 fixes in nn.models: inputs with several leading (batch) axes in VAE.loss and
Autoencoder.loss, the empty batch of the L1 sparsity, MLP.loss target shapes and dtype,
and the constructor checks of rho, noise_level and batchnorm. Expected values come from
the formulas, computed with NumPy on the model's own encoder/decoder outputs."""
import math
import warnings

import numpy as np
import pytest

from autograd import Tensor
from autograd.errors import ShapeError
from nn.errors import ArgumentTypeError, ConfigError
from nn.models import MLP, VAE, Autoencoder

SHAPES = [(6,), (5, 6), (3, 4, 6), (2, 2, 3, 6)]


def bce_with_logits_sum(logits, x):
    """sum of max(l, 0) - l x + log(1 + e^-|l|), the stable BCE with logits."""
    return np.sum(np.maximum(logits, 0) - logits * x + np.log1p(np.exp(-np.abs(logits))))


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("decoder", ["gaussian", "bernoulli"])
@pytest.mark.parametrize("beta", [0.3, 1.0])
def test_vae_loss_averages_over_every_leading_axis(shape, decoder, beta):
    vae = VAE(6, [5], 3, decoder, beta=beta, rng=1)
    x = np.random.default_rng(0).random(shape)
    eps = np.random.default_rng(2).standard_normal(shape[:-1] + (3,))
    got = vae.loss(x, eps=Tensor(eps))
    mu, logvar = (t.data for t in vae.encode(Tensor(x)))
    out = vae.decode(Tensor(mu + np.exp(logvar / 2) * eps)).data
    n = math.prod(shape[:-1])
    reconstruction = (np.sum((out - x) ** 2) if decoder == "gaussian"
                      else bce_with_logits_sum(out, x)) / n
    kl = 0.5 * np.sum(mu ** 2 + np.exp(logvar) - logvar - 1) / n
    np.testing.assert_allclose(got.reconstruction.item(), reconstruction, rtol=1e-10)
    np.testing.assert_allclose(got.kl.item(), kl, rtol=1e-10)
    np.testing.assert_allclose(got.loss.item(), reconstruction + beta * kl, rtol=1e-10)


@pytest.mark.parametrize("decoder", ["gaussian", "bernoulli"])
def test_vae_loss_of_a_3d_batch_is_the_loss_of_its_rows(decoder):
    vae = VAE(6, [5], 3, decoder, rng=1)
    x = np.random.default_rng(0).random((3, 4, 6))
    eps = np.random.default_rng(2).standard_normal((3, 4, 3))
    stacked = vae.loss(x, eps=Tensor(eps))
    rows = vae.loss(x.reshape(12, 6), eps=Tensor(eps.reshape(12, 3)))
    for a, b in zip(stacked, rows):
        np.testing.assert_allclose(a.item(), b.item(), rtol=1e-12)
    stacked.loss.backward()
    first = [p.grad.copy() for p in vae.parameters()]
    vae.zero_grad()
    rows.loss.backward()
    for g, p in zip(first, vae.parameters()):
        np.testing.assert_allclose(g, p.grad, rtol=1e-9, atol=1e-12)


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("sparsity", ["l1", "kl"])
def test_autoencoder_sparsity_averages_over_every_leading_axis(shape, sparsity):
    ae = Autoencoder(6, [5], 3, sparsity=sparsity, sparsity_weight=0.7, rho=0.1, rng=0)
    x = np.random.default_rng(0).random(shape)
    got = ae.loss(x)
    code = ae.encode(Tensor(x)).data.reshape(-1, 3)
    if sparsity == "l1":
        penalty = 0.7 * np.abs(code).sum() / code.shape[0]
    else:
        rate = code.mean(axis=0)
        penalty = 0.7 * np.sum(0.1 * np.log(0.1 / rate) + 0.9 * np.log(0.9 / (1 - rate)))
    reconstruction = np.mean((ae(Tensor(x)).data - x) ** 2)
    np.testing.assert_allclose(got.sparsity.item(), penalty, rtol=1e-10)
    np.testing.assert_allclose(got.reconstruction.item(), reconstruction, rtol=1e-10)
    np.testing.assert_allclose(got.loss.item(), reconstruction + penalty, rtol=1e-10)


@pytest.mark.parametrize("sparsity", [None, "l1", "kl"])
def test_autoencoder_empty_batch_gives_nan_quietly_for_every_sparsity(sparsity):
    ae = Autoencoder(5, 4, 2, sparsity=sparsity, rng=0)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        got = ae.loss(np.zeros((0, 5)))
    assert math.isnan(got.loss.item())


def test_mlp_loss_refuses_a_transposed_or_mismatched_target():
    model = MLP([4, 2], rng=0)
    x = np.random.default_rng(0).random((3, 4))
    t = np.random.default_rng(1).random((3, 2))
    with pytest.raises(ShapeError, match=r"target\.T") as info:
        model.loss(x, t.T)
    assert isinstance(info.value, ValueError)
    with pytest.raises(ShapeError):
        MLP([4, 2], output="sigmoid", rng=0).loss(x, (t.T > 0.5).astype(float))
    with pytest.raises(ShapeError):
        MLP([4, 2], rng=0).loss(np.zeros((2, 4)), np.zeros((1, 4)))
    with pytest.raises(ShapeError):  # (N,) is read as (N, 1) for one output unit only
        MLP([4, 2], rng=0).loss(np.zeros((3, 4)), np.zeros(6))


@pytest.mark.parametrize("output", [None, "sigmoid"])
def test_mlp_loss_reads_n_targets_as_one_column_for_one_output_unit(output):
    model = MLP([4, 3, 1], output=output, rng=0)
    x = np.random.default_rng(0).random((5, 4))
    t = (np.random.default_rng(1).random(5) > 0.5).astype(float)
    scores = model(Tensor(x)).data[:, 0]
    expected = (np.mean((scores - t) ** 2) if output is None
                else bce_with_logits_sum(scores, t) / 5)
    np.testing.assert_allclose(model.loss(x, t).item(), expected, rtol=1e-10)


def test_mlp_loss_casts_float64_data_to_a_float32_model():
    model = MLP([4, 3, 1], rng=0, dtype=np.float32)
    x = np.random.default_rng(0).random((5, 4))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        loss = model.loss(x, np.random.default_rng(1).random(5))
    assert loss.dtype == np.float32


@pytest.mark.parametrize("kwargs", [dict(sparsity="kl", rho=2.0), dict(rho=1.5),
                                    dict(noise="masking", noise_level=1.5),
                                    dict(noise="salt_and_pepper", noise_level=1.01)])
def test_autoencoder_refuses_probabilities_above_one_at_construction(kwargs):
    with pytest.raises(ConfigError) as info:
        Autoencoder(5, 4, 2, rng=0, **kwargs)
    assert isinstance(info.value, ValueError)
    assert ("rho" if "rho" in kwargs else "noise_level") in str(info.value)


def test_autoencoder_gaussian_noise_level_may_exceed_one():
    ae = Autoencoder(5, 4, 2, noise="gaussian", noise_level=1.5, rng=0)
    assert ae.noise_level == 1.5


@pytest.mark.parametrize("value", ["yes", 1, None, [True]])
def test_mlp_batchnorm_must_be_a_bool(value):
    with pytest.raises(ArgumentTypeError) as info:
        MLP([4, 3, 2], batchnorm=value)
    assert isinstance(info.value, TypeError)
    assert "batchnorm" in str(info.value)
