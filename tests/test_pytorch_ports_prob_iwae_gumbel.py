"""Two variational autoencoders of the probabilistic-programming repertoire, as PyTorch
users write them, written once for a library ``torch`` (``autograd`` here, PyTorch there)
and trained step for step next to PyTorch's from the same weights and noise (float64) on
scikit-learn's digits binarised: losses, gradients and parameters agree to 1e-10.

- IWAE (Burda et al. 2016): a Gaussian encoder ``Normal(mu, (0.5 logvar).exp())``,
  ``q.rsample((k,))``, a Bernoulli decoder (``Bernoulli(logits=...)``), the importance
  weights log w = log p(x|z) + log p(z) - log q(z|x) and the bound
  ``torch.logsumexp(log_w, 0) - math.log(k)``; its gradient equals that of the
  self-normalised surrogate ``-(F.softmax(log_w, 0).detach() * log_w).sum(0)``.
- The Gumbel-softmax categorical VAE (Jang et al. 2017), in the shape of the widely
  copied PyTorch script: ``sample_gumbel``/``gumbel_softmax_sample`` by hand and the
  straight-through ``hard=True`` trick by ``scatter_``, the loss
  ``F.binary_cross_entropy(recon_x, x, size_average=False)`` plus the KL to a uniform
  prior, the temperature annealed; and ``F.gumbel_softmax(logits, tau, hard=True)``
  given the same exponential draws.

Lines written differently here, and why:
- ``torch.rand(shape)`` in ``sample_gumbel`` reads uniforms made once by NumPy (the two
  libraries' generators differ), and PyTorch's ``exponential_`` behind
  ``F.gumbel_softmax`` is fed the draws our ``generator=`` makes;
- ``torch.optim.Adam`` is ``nn.optim.Adam``; the models start from PyTorch's weights.
"""

import math

import numpy as np
import pytest
from flows_helpers import SharedNoise, assert_records

import autograd as ag
import nn

pytestmark = pytest.mark.filterwarnings("ignore:.*size_average and reduce args")


def libraries(torch=None) -> tuple:
    if torch is None:
        return ag, nn, nn.optim
    return torch, torch.nn, torch.optim


def binary_digits(n: int = 32) -> np.ndarray:
    datasets = pytest.importorskip("sklearn.datasets")
    images, _ = datasets.load_digits(return_X_y=True)
    return (images[:n] > 7).astype(np.float64)


# ------------------------------------------------------------------ IWAE
def iwae_model(torch, tnn, x_dim=64, z_dim=4, h_dim=32):
    D = torch.distributions

    class IWAE(tnn.Module):
        def __init__(self):
            super().__init__()
            self.encoder = tnn.Sequential(tnn.Linear(x_dim, h_dim), tnn.Tanh(),
                                          tnn.Linear(h_dim, 2 * z_dim))
            self.decoder = tnn.Sequential(tnn.Linear(z_dim, h_dim), tnn.Tanh(),
                                          tnn.Linear(h_dim, x_dim))

        def log_weights(self, x, k):
            mu, logvar = self.encoder(x).chunk(2, dim=-1)
            q = D.Normal(mu, (0.5 * logvar).exp())
            z = q.rsample((k,))  # (k, batch, z_dim)
            log_px_z = D.Bernoulli(logits=self.decoder(z)).log_prob(x).sum(-1)
            log_pz = D.Normal(0.0, 1.0).log_prob(z).sum(-1)
            log_qz = q.log_prob(z).sum(-1)
            return log_px_z + log_pz - log_qz

        def forward(self, x, k):
            log_w = self.log_weights(x, k)
            return -(torch.logsumexp(log_w, 0) - math.log(k)).mean()

    return IWAE()


def iwae_training(libs, model, x, surrogate: bool, k: int = 5, n_steps: int = 6) -> list:
    torch, tnn, optim = libs
    F = tnn.functional
    optimizer = optim.Adam(model.parameters(), lr=1e-2)
    record = []
    for _ in range(n_steps):
        optimizer.zero_grad()
        if surrogate:  # the normalised importance weights, held constant
            log_w = model.log_weights(x, k)
            w_tilde = F.softmax(log_w, 0).detach()
            loss = -(w_tilde * log_w).sum(0).mean()
        else:
            loss = model(x, k)
        loss.backward()
        record.append([loss.detach().numpy()] + [p.grad.numpy().copy()
                                                 for p in model.parameters()])
        optimizer.step()
    return record


@pytest.mark.parametrize("surrogate", [False, True])
def test_iwae(torch, monkeypatch, surrogate):
    x = binary_digits()
    net = iwae_model(torch, torch.nn)
    ours = iwae_model(ag, nn)
    ours.load_state_dict({k: v.numpy() for k, v in net.state_dict().items()})
    noise = SharedNoise(seed=1)
    noise.install(monkeypatch)
    got = iwae_training(libraries(), ours, ag.tensor(x), surrogate)
    noise.install(monkeypatch, torch)
    want = iwae_training(libraries(torch), net, torch.tensor(x), surrogate)
    assert_records(got, want)
    assert got[-1][0] < got[0][0] or surrogate  # the bound improves


def test_iwae_surrogate_has_the_bound_s_gradient(monkeypatch):
    x = ag.tensor(binary_digits(8))
    start = {k: v.numpy().copy() for k, v in iwae_model(ag, nn).state_dict().items()}
    grads = []
    for surrogate in (False, True):
        model = iwae_model(ag, nn)
        model.load_state_dict(start)
        SharedNoise(seed=2).install(monkeypatch)
        record = iwae_training(libraries(), model, x, surrogate, n_steps=1)
        grads.append(record[0][1:])
    for a, b in zip(*grads):
        np.testing.assert_allclose(a, b, rtol=1e-10, atol=1e-12)


# ------------------------------------------------------------------ Gumbel-softmax VAE
latent_dim, categorical_dim = 4, 3


def gumbel_vae(torch, tnn, uniforms):
    F = tnn.functional
    draws = iter(uniforms)

    def sample_gumbel(shape, eps=1e-20):
        U = torch.tensor(next(draws))  # torch.rand(shape)
        assert tuple(U.shape) == tuple(shape)
        return -torch.log(-torch.log(U + eps) + eps)

    def gumbel_softmax_sample(logits, temperature):
        y = logits + sample_gumbel(logits.size())
        return F.softmax(y / temperature, dim=-1)

    def gumbel_softmax(logits, temperature, hard=False):
        y = gumbel_softmax_sample(logits, temperature)
        if not hard:
            return y.view(-1, latent_dim * categorical_dim)
        shape = y.size()
        _, ind = y.max(dim=-1)
        y_hard = torch.zeros_like(y).view(-1, shape[-1])
        y_hard.scatter_(1, ind.view(-1, 1), 1)
        y_hard = y_hard.view(*shape)
        y_hard = (y_hard - y).detach() + y  # straight through
        return y_hard.view(-1, latent_dim * categorical_dim)

    class VAE_gumbel(tnn.Module):  # noqa: N801 (the script's name)
        def __init__(self):
            super().__init__()
            self.fc1 = tnn.Linear(64, 32)
            self.fc2 = tnn.Linear(32, latent_dim * categorical_dim)
            self.fc3 = tnn.Linear(latent_dim * categorical_dim, 32)
            self.fc4 = tnn.Linear(32, 64)
            self.relu = tnn.ReLU()
            self.sigmoid = tnn.Sigmoid()

        def encode(self, x):
            return self.fc2(self.relu(self.fc1(x)))

        def decode(self, z):
            return self.sigmoid(self.fc4(self.relu(self.fc3(z))))

        def forward(self, x, temp, hard):
            q = self.encode(x.view(-1, 64))
            q_y = q.view(q.size(0), latent_dim, categorical_dim)
            z = gumbel_softmax(q_y, temp, hard)
            return self.decode(z), F.softmax(q_y, dim=-1).reshape(*q.size())

    return VAE_gumbel()


def gumbel_training(libs, model, x, hard: bool, n_steps: int = 6) -> list:
    torch, tnn, optim = libs
    F = tnn.functional

    def loss_function(recon_x, x, qy):
        BCE = F.binary_cross_entropy(recon_x, x.view(-1, 64), size_average=False) / x.shape[0]
        log_ratio = torch.log(qy * categorical_dim + 1e-20)
        KLD = torch.sum(qy * log_ratio, dim=-1).mean()
        return BCE + KLD

    optimizer = optim.Adam(model.parameters(), lr=1e-2)
    temp, temp_min, anneal_rate = 1.0, 0.5, 0.03
    record = []
    for batch_idx in range(n_steps):
        optimizer.zero_grad()
        recon_batch, qy = model(x, temp, hard)
        loss = loss_function(recon_batch, x, qy)
        loss.backward()
        record.append([loss.detach().numpy()] + [p.grad.numpy().copy()
                                                 for p in model.parameters()])
        optimizer.step()
        temp = np.maximum(temp * np.exp(-anneal_rate * batch_idx), temp_min)
    return record


@pytest.mark.parametrize("hard", [False, True])
def test_gumbel_softmax_vae(torch, hard):
    x = binary_digits()
    rng = np.random.default_rng(3)
    uniforms = [rng.random((len(x), latent_dim, categorical_dim)) for _ in range(6)]
    net = gumbel_vae(torch, torch.nn, uniforms)
    ours = gumbel_vae(ag, nn, uniforms)
    ours.load_state_dict({k: v.numpy() for k, v in net.state_dict().items()})
    got = gumbel_training(libraries(), ours, ag.tensor(x), hard)
    want = gumbel_training(libraries(torch), net, torch.tensor(x), hard)
    assert_records(got, want)


def test_functional_gumbel_softmax_hard_with_the_same_draws(torch, monkeypatch):
    """``F.gumbel_softmax(q_y, tau, hard=True)`` in place of the hand-written sampler."""
    logits = np.random.default_rng(4).standard_normal((6, latent_dim, categorical_dim))
    draws = np.random.default_rng(7).standard_exponential(logits.shape)
    monkeypatch.setattr(torch.Tensor, "exponential_",
                        lambda t, *a, **k: t.copy_(torch.tensor(draws)))
    results = []
    for T, F, kwargs in [(ag, nn.functional, dict(generator=np.random.default_rng(7))),
                         (torch, torch.nn.functional, {})]:
        q_y = T.tensor(logits, requires_grad=True)
        z = F.gumbel_softmax(q_y, tau=0.5, hard=True, **kwargs)
        (z * T.tensor(np.arange(z.numel()).reshape(z.shape) % 5.0)).sum().backward()
        results.append((z.detach().numpy(), q_y.grad.numpy()))
    np.testing.assert_array_equal(results[0][0], results[1][0])
    assert set(np.unique(results[0][0])) == {0.0, 1.0}
    np.testing.assert_allclose(results[0][1], results[1][1], rtol=1e-12, atol=1e-14)


# ------------------------------------------------------------------ with torch.distributions
def concrete_training(libs, model, x, uniforms, n_steps: int = 5) -> list:
    """The same VAE with its sampler and KL from ``torch.distributions``:
    ``RelaxedOneHotCategorical(temp, logits=q_y).rsample()`` and
    ``kl_divergence(OneHotCategorical(logits=q_y), OneHotCategorical(probs=uniform))``."""
    torch, tnn, optim = libs
    D = torch.distributions
    F = tnn.functional
    optimizer = optim.Adam(model.parameters(), lr=1e-2)
    uniform = torch.full((latent_dim, categorical_dim), 1.0 / categorical_dim)
    record = []
    for step in range(n_steps):
        optimizer.zero_grad()
        q_y = model.encode(x).view(-1, latent_dim, categorical_dim)
        temp = torch.tensor(max(1.0 * np.exp(-0.03 * step), 0.5))
        kwargs = {"generator": uniforms[step]} if torch is ag else {}
        z = D.RelaxedOneHotCategorical(temp, logits=q_y).rsample(**kwargs)
        recon = model.decode(z.view(-1, latent_dim * categorical_dim))
        BCE = F.binary_cross_entropy(recon, x, reduction="sum") / x.shape[0]
        KLD = D.kl_divergence(D.OneHotCategorical(logits=q_y),
                              D.OneHotCategorical(probs=uniform)).sum(-1).mean()
        loss = BCE + KLD
        loss.backward()
        record.append([loss.detach().numpy()] + [p.grad.numpy().copy()
                                                 for p in model.parameters()])
        optimizer.step()
    return record


def test_concrete_vae_with_torch_distributions(torch, monkeypatch):
    x = binary_digits()
    net = gumbel_vae(torch, torch.nn, [])
    ours = gumbel_vae(ag, nn, [])
    ours.load_state_dict({k: v.numpy() for k, v in net.state_dict().items()})
    # PyTorch's rsample calls torch.rand(shape, ...): the same uniforms as our generators
    torch_uniforms = iter([np.random.default_rng(seed) for seed in range(5)])
    monkeypatch.setattr(torch, "rand", lambda shape, **kw: torch.tensor(
        next(torch_uniforms).random(tuple(shape))))
    got = concrete_training(libraries(), ours, ag.tensor(x),
                            [np.random.default_rng(seed) for seed in range(5)])
    want = concrete_training(libraries(torch), net, torch.tensor(x), None)
    assert_records(got, want)
