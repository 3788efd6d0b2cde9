"""The VAE: reparameterisation gradients, the negative ELBO gradient-checked with frozen
noise, training on the digits, KL annealing."""
from __future__ import annotations

from typing import Any

import numpy as np
import pytest

import nn
import nn.functional as F
from autograd import Tensor, gradcheck
from nn.models import VAE, VAELoss
from nn.module import Module, functional_call
from nn.train import KLAnnealing, fit


def test_reparameterization_matches_the_notes() -> None:
    mu = Tensor(np.array([0.5]), requires_grad=True)
    sigma = Tensor(np.array([0.2]), requires_grad=True)
    eps = np.array([1.3])
    z = VAE(8, 6, 2).reparameterize(mu, sigma.log() * 2.0, Tensor(eps))
    assert z.data[0] == pytest.approx(0.5 + 0.2 * 1.3, rel=1e-14)  # the notes' 0.76
    z.backward(np.ones(1))
    np.testing.assert_allclose(mu.grad.data, 1.0, rtol=1e-14)  # dz/dmu = 1
    np.testing.assert_allclose(sigma.grad.data, eps, rtol=1e-12)  # dz/dsigma = eps


class _LossOf(Module):
    """The VAE's negative ELBO as a module forward (for functional_call)."""

    def __init__(self, vae: VAE, eps: np.ndarray) -> None:
        super().__init__()
        self.vae, self.eps = vae, eps

    def forward(self, x: Any) -> Tensor:
        return self.vae.loss(x, beta=0.7, eps=Tensor(self.eps)).loss


@pytest.mark.parametrize("activation", ["tanh", "relu"])  # relu: fused Linear-ReLU nodes
@pytest.mark.parametrize("decoder", ["bernoulli", "gaussian"])
def test_negative_elbo_gradcheck_with_frozen_eps(decoder: str, activation: str) -> None:
    rng = np.random.default_rng(0)
    vae = VAE(5, [4], 2, decoder=decoder, activation=activation, rng=1)
    wrapper = _LossOf(vae, rng.standard_normal((3, 2)))
    names = [name for name, _ in wrapper.named_parameters()]
    params = [Tensor(p.data.copy(), requires_grad=True) for _, p in wrapper.named_parameters()]
    x = Tensor(rng.uniform(0.05, 0.95, (3, 5)), requires_grad=True)

    def loss(x: Tensor, *tensors: Tensor) -> Tensor:
        return functional_call(wrapper, dict(zip(names, tensors)), x)

    assert len(names) == 10  # 5 Linear layers: encoder, mu, logvar, decoder (2): W and b
    assert gradcheck(loss, [x, *params])


def test_loss_parts_equal_their_definitions() -> None:
    rng = np.random.default_rng(2)
    vae = VAE(6, [5, 4], 3, rng=3, beta=0.5)
    x = rng.uniform(size=(4, 6))
    eps = rng.standard_normal((4, 3))
    parts = vae.loss(x, eps=Tensor(eps))
    assert isinstance(parts, VAELoss)
    mu, logvar = (t.data for t in vae.encode(Tensor(x)))
    logits = vae.decode(Tensor(mu + np.exp(logvar / 2) * eps)).data
    bce = np.maximum(logits, 0) - logits * x + np.log1p(np.exp(-np.abs(logits)))
    kl = 0.5 * (mu ** 2 + np.exp(logvar) - logvar - 1).sum(axis=1)
    assert parts.reconstruction.item() == pytest.approx(bce.sum() / 4, rel=1e-12)
    assert parts.kl.item() == pytest.approx(kl.mean(), rel=1e-12)
    assert parts.loss.item() == pytest.approx(bce.sum() / 4 + 0.5 * kl.mean(), rel=1e-12)


def test_bernoulli_reconstruction_is_one_node_with_the_two_ops_numbers() -> None:
    """The training step's reconstruction term, sum of BCE with logits / N, is one op
    ("batchmean"): the same value and gradients, bit for bit, as the sum then / N."""
    rng = np.random.default_rng(4)
    vae = VAE(6, [5], 2, rng=0, dtype=np.float32)
    x = Tensor((rng.random((7, 6)) < 0.4).astype(np.float32))
    eps = Tensor(rng.standard_normal((7, 2)).astype(np.float32))
    results = []
    for fused in (True, False):
        vae.zero_grad()
        out = vae.decode(vae.reparameterize(*vae.encode(x), eps))
        recon = (vae.loss(x, eps=eps).reconstruction if fused else
                 F.binary_cross_entropy_with_logits(out, x, reduction="sum") / 7)
        assert (recon.grad_fn.name() == "BinaryCrossEntropyWithLogits") == fused
        recon.backward()
        results.append([recon.data] + [p.grad.data.copy() for p in vae.parameters()])
    for ours, theirs in zip(*results):
        assert ours.dtype == theirs.dtype == np.float32
        np.testing.assert_array_equal(ours, theirs)
    single = vae.loss(x.data[0], eps=Tensor(eps.data[0]))  # one sample: the sum itself
    assert single.reconstruction.item() == pytest.approx(
        F.binary_cross_entropy_with_logits(
            vae.decode(vae.reparameterize(*vae.encode(x[0]), Tensor(eps.data[0]))), x[0],
            reduction="sum").item(), rel=1e-6)


def test_small_vae_works_end_to_end() -> None:
    vae = VAE(8, 6, 2, rng=0)
    x = np.random.default_rng(0).uniform(size=(10, 8))
    out, mu, logvar = vae(Tensor(x))
    assert out.shape == (10, 8) and mu.shape == logvar.shape == (10, 2)
    assert vae.fc_mu.weight.dtype == np.float64
    samples = vae.sample(5)
    assert samples.shape == (5, 8) and np.all((samples > 0) & (samples < 1))
    assert vae.reconstruct(x).shape == (10, 8)
    path = vae.interpolate(x[0], x[1], steps=4)
    assert path.shape == (4, 8)
    np.testing.assert_allclose(path[0], vae.reconstruct(x[:1])[0], rtol=1e-12)
    np.testing.assert_allclose(path[-1], vae.reconstruct(x[1:2])[0], rtol=1e-12)
    assert vae.training  # the helpers restore the mode


def test_fitting_on_x_and_labels_names_the_mistake() -> None:
    """fit(vae, None, opt, (X, y)) hands y to vae.loss as beta: a named TypeError that
    says to train on X alone, not NumPy's 'only 0-dimensional arrays can be converted'."""
    vae = VAE(8, 6, 2, rng=0)
    X, y = np.random.default_rng(0).random((10, 8)), np.arange(10)
    with pytest.raises(TypeError, match=r"beta must be a number or None; got Tensor of "
                                        r"shape \(5,\)\. .*fit\(vae, None, optimizer, X_train\)"):
        fit(vae, None, nn.optim.Adam(vae.parameters()), (X, y), epochs=1, batch_size=5,
            progress=False)
    for beta in (np.float32(0.5), np.array(0.5), Tensor(0.5)):
        assert vae.loss(X, beta=beta).loss.dtype == np.float64


def test_bad_decoder_is_rejected() -> None:
    with pytest.raises(ValueError, match="bernoulli"):
        VAE(8, 6, 2, decoder="poisson")


def test_vae_elbo_improves_30_percent_on_digits() -> None:
    datasets = pytest.importorskip("sklearn.datasets")
    X = (datasets.load_digits().data > 8).astype(np.float64)  # binarised pixels
    X_train, X_val = X[:1400], X[1400:]
    vae = VAE(64, 32, 4, rng=0)
    history = fit(vae, None, nn.optim.Adam(vae.parameters(), lr=1e-3), X_train, val=X_val,
                  epochs=20, progress=False, generator=0)
    first, last = history["val_loss"][0], history["val_loss"][-1]
    assert last <= 0.7 * first
    assert {"reconstruction", "kl", "val_reconstruction", "val_kl"} <= set(history.history)


def test_kl_annealing_sets_beta_per_epoch() -> None:
    vae = VAE(8, 6, 2, rng=0)
    seen = []

    class Record(nn.train.Callback):
        def on_epoch_end(self, trainer: Any, epoch: int, logs: dict) -> None:
            seen.append(trainer.model.beta)

    X = np.random.default_rng(0).uniform(size=(20, 8))
    annealing = KLAnnealing(warmup=4, max_beta=2.0)
    fit(vae, None, nn.optim.SGD(vae.parameters(), lr=0.01), X, epochs=6,
        callbacks=[annealing, Record()], progress=False, generator=0)
    assert seen == [annealing.beta(e) for e in range(6)] == [2.0 * min(1, e / 4)
                                                             for e in range(6)]
    mlp = nn.models.MLP([8, 2])
    with pytest.raises(AttributeError, match="no attribute"):
        fit(mlp, F.mse_loss, nn.optim.SGD(mlp.parameters(), lr=0.1), X,
            epochs=1, callbacks=[KLAnnealing(2)], progress=False)


def test_float32_vae_stays_float32() -> None:
    vae = VAE(8, 6, 2, rng=0, dtype=np.float32)
    x = np.random.default_rng(0).uniform(size=(4, 8))  # float64 data, as scikit-learn gives
    parts = vae.loss(x)
    assert all(t.dtype == np.float32 for t in parts)
    parts.loss.backward()
    assert all(p.grad.dtype == np.float32 for p in vae.parameters())
    assert vae.sample(2).dtype == np.float32


def test_loss_parts_with_the_notes_numbers() -> None:
    """Heads with zero weights output their biases: the notes' mu, sigma and x_hat."""
    vae = VAE(3, 4, 2, decoder="gaussian", rng=0)
    mu, sigma = np.array([0.5, -0.3]), np.array([1.2, 0.8])
    x, x_hat = np.array([[0.8, 0.2, 0.9]]), np.array([0.75, 0.3, 0.85])
    last = vae.decoder[-1]
    for layer, bias in ((vae.fc_mu, mu), (vae.fc_logvar, np.log(sigma ** 2)), (last, x_hat)):
        layer.weight.data[...] = 0.0
        layer.bias.data[...] = bias
    parts = vae.loss(x)
    assert parts.reconstruction.item() == pytest.approx(np.sum((x - x_hat) ** 2), rel=1e-12)
    assert round(parts.reconstruction.item(), 3) == 0.015
    assert round(parts.kl.item(), 2) == 0.25
