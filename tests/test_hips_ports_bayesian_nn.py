"""HIPS autograd's Bayesian neural network (``bayesian_neural_net.py``): black-box
variational inference over the weights of a small network, vectorised over weight
samples with ``np.einsum('mnd,mdo->mno', ...)``, the weights unpacked from one vector
by a generator of reshaped slices. Ported as its readers write it: NumPy code on
Tensors, run next to the same program in PyTorch (float64, the same draws). See
``test_hips_ports_basics.py`` and ``test_hips_ports_gp_bbvi.py`` for the conventions
(``norm.pdf``/``norm.logpdf`` written out; HIPS's ``adam`` is ``nn.optim.Adam``).
"""

import numpy as np

import autograd as ag
import nn

LAYER_SIZES, L2_REG, NOISE_VARIANCE = [1, 8, 8, 1], 0.01, 0.01


def rbf(x):
    """HIPS's nonlinearity, norm.pdf(x, 0, 1), written out."""
    return np.exp(-0.5 * x ** 2) / np.sqrt(2 * np.pi)


def make_nn_funs(layer_sizes, L2_reg, noise_variance, nonlinearity):
    """A network vectorised over weight samples: weights is (samples, num_weights)."""
    shapes = list(zip(layer_sizes[:-1], layer_sizes[1:]))
    num_weights = sum((m + 1) * n for m, n in shapes)

    def unpack_layers(weights):
        num_weight_sets = len(weights)
        for m, n in shapes:
            yield (weights[:, :m * n].reshape((num_weight_sets, m, n)),
                   weights[:, m * n:m * n + n].reshape((num_weight_sets, 1, n)))
            weights = weights[:, (m + 1) * n:]

    def predictions(weights, inputs):
        """inputs is (data, D); the result (samples, data, outputs)."""
        inputs = np.expand_dims(inputs, 0)
        for W, b in unpack_layers(weights):
            outputs = np.einsum("mnd,mdo->mno", inputs, W) + b
            inputs = nonlinearity(outputs)
        return outputs

    def logprob(weights, inputs, targets):
        log_prior = -L2_reg * np.sum(weights ** 2, axis=1)
        preds = predictions(weights, inputs)
        log_lik = -np.sum((preds - targets) ** 2, axis=1)[:, 0] / noise_variance
        return log_prior + log_lik

    return num_weights, predictions, logprob


def variational_objective(params, eps, logprob, D):
    """-ELBO by the reparameterization trick (black_box_svi.py, vectorised)."""
    mean, log_std = params[:D], params[D:]
    samples = eps * np.exp(log_std) + mean
    entropy = 0.5 * D * (1.0 + np.log(2 * np.pi)) + np.sum(log_std)
    return -(entropy + np.mean(logprob(samples)))


def torch_objective(torch, params, eps, inputs, targets, D):
    mean, log_std = params[:D], params[D:]
    weights = eps * torch.exp(log_std) + mean
    x, rest = torch.tensor(inputs)[None].expand(len(weights), -1, -1), weights
    for m, n in zip(LAYER_SIZES[:-1], LAYER_SIZES[1:]):
        W = rest[:, :m * n].reshape(-1, m, n)
        b = rest[:, m * n:m * n + n].reshape(-1, 1, n)
        rest = rest[:, (m + 1) * n:]
        out = torch.bmm(x, W) + b
        x = torch.exp(-0.5 * out ** 2) / np.sqrt(2 * np.pi)
    log_prior = -L2_REG * (weights ** 2).sum(1)
    log_lik = -((out - torch.tensor(targets)) ** 2).sum(1)[:, 0] / NOISE_VARIANCE
    entropy = 0.5 * D * (1.0 + np.log(2 * np.pi)) + log_std.sum()
    return -(entropy + (log_prior + log_lik).mean())


def build_toy_dataset(n_data=20, noise_std=0.1):
    rs = np.random.RandomState(0)
    inputs = np.concatenate([np.linspace(0, 2, num=n_data // 2),
                             np.linspace(6, 8, num=n_data // 2)])
    targets = np.cos(inputs) + rs.randn(n_data) * noise_std
    return ((inputs - 4.0) / 4.0).reshape(n_data, 1), targets.reshape(n_data, 1)


def test_bayesian_neural_net_by_bbvi(torch):
    inputs, targets = build_toy_dataset()
    num_weights, predictions, logprob = make_nn_funs(LAYER_SIZES, L2_REG, NOISE_VARIANCE,
                                                     rbf)
    rs = np.random.RandomState(0)
    init = np.concatenate([rs.randn(num_weights), -5 * np.ones(num_weights)])
    params = ag.tensor(init, requires_grad=True)
    params_t = torch.tensor(init, requires_grad=True)
    optimizer = nn.optim.Adam([params], lr=0.1)
    optimizer_t = torch.optim.Adam([params_t], lr=0.1)
    for step in range(6):
        eps = rs.randn(10, num_weights)  # HIPS's num_samples weight draws per step
        loss = variational_objective(params, eps, lambda w: logprob(w, inputs, targets),
                                     num_weights)
        loss_t = torch_objective(torch, params_t, torch.tensor(eps), inputs, targets,
                                 num_weights)
        np.testing.assert_allclose(loss.item(), loss_t.item(), rtol=1e-10)
        for opt, value in ((optimizer, loss), (optimizer_t, loss_t)):
            opt.zero_grad()
            value.backward()
            opt.step()
        np.testing.assert_allclose(params.grad, params_t.grad.numpy(), rtol=1e-9,
                                   atol=1e-11)
        np.testing.assert_allclose(params.data, params_t.detach().numpy(), rtol=1e-10)
    # the callback's posterior samples of functions, on a grid of inputs
    mean, log_std = params[:num_weights], params[num_weights:]
    sample_weights = rs.randn(4, num_weights) * np.exp(log_std) + mean
    outputs = predictions(sample_weights, np.expand_dims(np.linspace(-8, 8, num=30), 1))
    assert outputs.shape == (4, 30, 1) and outputs.requires_grad
