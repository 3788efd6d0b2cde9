"""HIPS autograd's variational autoencoder (``variational_autoencoder.py``), ported as its
readers write it: NumPy code (``np.dot``, ``np.maximum(0, x)``, ``np.logaddexp``, batch
normalisation with ``np.mean``/``np.std``) on Tensors, parameters as a tuple of lists of
(W, b) pairs, differentiated by ``func.grad`` (HIPS's ``grad(objective)``, which gives
gradients in the parameters' structure) and trained with Adam. The program is written
once, taking the array namespace ``np`` as its last argument: NumPy here, for the
reference run a few of NumPy's names spelled with PyTorch (float64, the same draws).
scikit-learn's 8x8 digits stand in for MNIST. See ``test_hips_ports_basics.py`` for the
conventions; ``norm.logpdf`` is written out (SciPy's would cut a Tensor out of the graph).
"""

import numpy

import pytest

import autograd as ag
import nn
from autograd import func

LOG_2PI = numpy.log(2 * numpy.pi)


class TorchAsNumpy:
    """The NumPy functions the VAE calls, on torch tensors (for the reference run)."""

    def __init__(self, torch):
        self.torch = torch

    def dot(self, a, b):
        return a @ b

    def exp(self, x):
        return self.torch.exp(self.torch.as_tensor(x))

    def log(self, x):
        return self.torch.log(self.torch.as_tensor(x))

    def maximum(self, a, b):
        return self.torch.clamp(b, min=a)

    def logaddexp(self, a, b):
        return self.torch.logaddexp(self.torch.as_tensor(a), b)

    def sum(self, x, axis=None):
        return x.sum() if axis is None else x.sum(axis)

    def mean(self, x, axis=None, keepdims=False):
        return x.mean() if axis is None else x.mean(axis, keepdim=keepdims)

    def std(self, x, axis=None, keepdims=False):
        return x.std(axis, correction=0, keepdim=keepdims)

    def shape(self, x):
        return tuple(x.shape)


def norm_logpdf(x, mu, scale, np):
    return -0.5 * LOG_2PI - np.log(scale) - 0.5 * ((x - mu) / scale) ** 2


def diag_gaussian_log_density(x, mu, log_std, np):
    return np.sum(norm_logpdf(x, mu, np.exp(log_std), np), axis=-1)


def unpack_gaussian_params(params, np):
    D = np.shape(params)[-1] // 2
    return params[:, :D], params[:, D:]


def bernoulli_log_density(targets, unnormalized_logprobs, np):
    """Targets are -1 or 1."""
    label_probabilities = -np.logaddexp(0, -unnormalized_logprobs * targets)
    return np.sum(label_probabilities, axis=-1)


def batch_normalize(activations, np):
    mbmean = np.mean(activations, axis=0, keepdims=True)
    return (activations - mbmean) / (np.std(activations, axis=0, keepdims=True) + 1)


def neural_net_predict(params, inputs, np):
    """Batch normalisation and relu on every layer but the last."""
    for W, b in params[:-1]:
        outputs = batch_normalize(np.dot(inputs, W) + b, np)
        inputs = np.maximum(0, outputs)
    outW, outb = params[-1]
    return np.dot(inputs, outW) + outb


def vae_lower_bound(gen_params, rec_params, data, eps, np):
    """A Monte Carlo estimate of the ELBO (the KL from the prior sampled too); ``eps``
    is HIPS's ``rs.randn(*mean.shape)``, drawn once for both runs."""
    q_means, q_log_stds = unpack_gaussian_params(neural_net_predict(rec_params, data, np), np)
    latents = eps * np.exp(q_log_stds) + q_means
    q_latents = diag_gaussian_log_density(latents, q_means, q_log_stds, np)
    p_latents = diag_gaussian_log_density(latents, 0, 0, np)
    likelihood = bernoulli_log_density(data, neural_net_predict(gen_params, latents, np), np)
    return np.mean(p_latents + likelihood - q_latents)


def init_net_params(scale, layer_sizes, rs):
    return [(scale * rs.randn(m, n), scale * rs.randn(n))
            for m, n in zip(layer_sizes[:-1], layer_sizes[1:])]


def binarised_digits(n):
    datasets = pytest.importorskip("sklearn.datasets")
    images = datasets.load_digits(return_X_y=True)[0][:n] / 16.0
    return numpy.where(images > 0.5, 1.0, -1.0)


def as_tree(params, make):
    return tuple([tuple(make(p) for p in pair) for pair in net] for net in params)


def leaves(tree):
    return [p for net in tree for pair in net for p in pair]


def test_vae_gradient_and_adam_steps(torch):
    latent_dim, data_dim, batch_size = 2, 64, 40
    images = binarised_digits(4 * batch_size)
    rs = numpy.random.RandomState(0)
    init = (init_net_params(0.1, [latent_dim, 16, data_dim], rs),
            init_net_params(0.1, [data_dim, 16, 2 * latent_dim], rs))
    torch_np = TorchAsNumpy(torch)
    seed = numpy.random.RandomState(1)

    def objective(combined_params, data, eps):
        gen_params, rec_params = combined_params
        return -vae_lower_bound(gen_params, rec_params, data, eps, numpy) / data_dim

    def objective_t(combined_params, data, eps):
        gen_params, rec_params = combined_params
        return -vae_lower_bound(gen_params, rec_params, torch.tensor(data),
                                torch.tensor(eps), torch_np) / data_dim

    # HIPS's grad(objective)(params): gradients in the structure of the parameters
    eps = seed.randn(batch_size, latent_dim)
    gradient = func.grad(objective)(init, images[:batch_size], eps)
    gradient_t = torch.func.grad(objective_t)(as_tree(init, torch.tensor),
                                              images[:batch_size], eps)
    assert isinstance(gradient, tuple) and isinstance(gradient[0], list)
    for g, g_t in zip(leaves(gradient), leaves(gradient_t)):
        numpy.testing.assert_allclose(g.data, g_t.numpy(), rtol=1e-9, atol=1e-12)

    # HIPS's adam(objective_grad, params) is nn.optim.Adam on Tensors, as torch.optim's
    params = as_tree(init, lambda p: ag.tensor(p, requires_grad=True))
    params_t = as_tree(init, lambda p: torch.tensor(p, requires_grad=True))
    optimizer = nn.optim.Adam(leaves(params), lr=0.01)
    optimizer_t = torch.optim.Adam(leaves(params_t), lr=0.01)
    for step in range(8):
        batch = images[(step % 4) * batch_size:(step % 4 + 1) * batch_size]
        eps = seed.randn(batch_size, latent_dim)
        loss, loss_t = objective(params, batch, eps), objective_t(params_t, batch, eps)
        numpy.testing.assert_allclose(loss.item(), loss_t.item(), rtol=1e-10)
        for opt, value in ((optimizer, loss), (optimizer_t, loss_t)):
            opt.zero_grad()
            value.backward()
            opt.step()
        for p, p_t in zip(leaves(params), leaves(params_t)):
            numpy.testing.assert_allclose(p.data, p_t.detach().numpy(), rtol=1e-9,
                                          atol=1e-12)
    # generate_from_prior: HIPS's expit (autograd.scipy.special) is the sigmoid method
    fake_data = neural_net_predict(params[0], seed.randn(5, latent_dim), numpy).sigmoid()
    assert fake_data.shape == (5, data_dim)
