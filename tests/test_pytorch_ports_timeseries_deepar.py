"""DeepAR as PyTorch users write it: an LSTM over the lagged target (scaled by the series'
mean, v = 1 + mean of the conditioning range), covariates (sin/cos of the hour, the age)
and an embedding of the series id, emitting a Gaussian (mu, sigma = softplus + 1e-6) or a
negative binomial (mu = softplus, alpha = softplus + 1e-6, mu scaled by v and alpha by
1/sqrt(v)) through ``torch.distributions``: ``-Normal(mu, sigma).log_prob(z).mean()`` and
``-NegativeBinomial(total_count=1 / alpha, probs=alpha * mu / (1 + alpha * mu))
.log_prob(z).mean()``. Windows come from a sliding-window ``Dataset`` through a
``DataLoader``; training is teacher-forced over the window; prediction encodes the
conditioning range and samples ancestrally (each draw fed back as the next lag).

The program is written once for a library ``torch`` and runs step for step next to PyTorch
from the same weights on generated data (sines with trend and noise; gamma-Poisson counts):
losses, gradients, parameters and the first predicted step's distribution agree to 1e-10
(float64). ``NegativeBinomial`` was missing here (a ``MissingNameError``): added.

Lines written differently here, and why: the sampled paths come from each library's own
generator, so the two runs' samples differ: the test compares their shapes and that ours
average to the model's mean.
"""

import numpy as np

import autograd as ag
import nn
import nn.data
from test_pytorch_ports_gpt_lecture import assert_records


def libraries(torch=None) -> tuple:
    """(torch, nn, F, optim, data) for this library, or PyTorch's when ``torch`` is given."""
    if torch is None:
        import nn.functional as F
        return ag, nn, F, nn.optim, nn.data
    return torch, torch.nn, torch.nn.functional, torch.optim, torch.utils.data


def deepar_program(torch, nn, F, data):
    class SlidingWindowDataset(data.Dataset):
        """Every window of ``window`` steps of every series, with its covariates."""

        def __init__(self, series, covariates, window):
            self.series = series  # (num_series, T)
            self.covariates = covariates  # (T, num_covariates)
            self.window = window
            self.windows_per_series = series.shape[1] - window + 1

        def __len__(self):
            return len(self.series) * self.windows_per_series

        def __getitem__(self, idx):
            i, t = divmod(idx, self.windows_per_series)
            z = torch.from_numpy(self.series[i, t:t + self.window])
            x = torch.from_numpy(self.covariates[t:t + self.window])
            return z, x, torch.tensor(i)

    class Gaussian(nn.Module):
        def __init__(self, hidden_size, output_size):
            super(Gaussian, self).__init__()
            self.mu_layer = nn.Linear(hidden_size, output_size)
            self.sigma_layer = nn.Linear(hidden_size, output_size)

        def forward(self, h):
            sigma_t = torch.log(1 + torch.exp(self.sigma_layer(h))) + 1e-6
            mu_t = self.mu_layer(h)
            return mu_t.squeeze(-1), sigma_t.squeeze(-1)

    class NegativeBinomial(nn.Module):
        def __init__(self, hidden_size, output_size):
            super(NegativeBinomial, self).__init__()
            self.mu_layer = nn.Linear(hidden_size, output_size)
            self.alpha_layer = nn.Linear(hidden_size, output_size)

        def forward(self, h):
            alpha_t = F.softplus(self.alpha_layer(h)) + 1e-6
            mu_t = F.softplus(self.mu_layer(h))
            return mu_t.squeeze(-1), alpha_t.squeeze(-1)

    class DeepAR(nn.Module):
        def __init__(self, num_series, num_covariates, embedding_size, hidden_size,
                     num_layers, likelihood="g"):
            super(DeepAR, self).__init__()
            self.embedding = nn.Embedding(num_series, embedding_size)
            self.lstm = nn.LSTM(1 + num_covariates + embedding_size, hidden_size,
                                num_layers, batch_first=True)
            self.likelihood = likelihood
            if likelihood == "g":
                self.distribution_head = Gaussian(hidden_size, 1)
            else:
                self.distribution_head = NegativeBinomial(hidden_size, 1)

        def distribution(self, params, v):
            a, b = params
            if self.likelihood == "g":
                return torch.distributions.Normal(a * v, b * v)
            mu, alpha = a * v, b / torch.sqrt(v)
            return torch.distributions.NegativeBinomial(total_count=1. / alpha,
                                                        probs=alpha * mu / (1 + alpha * mu))

        def step(self, lag, x, idx, hidden=None):
            embed = self.embedding(idx).unsqueeze(1).expand(-1, x.size(1), -1)
            inputs = torch.cat([lag.unsqueeze(-1), x, embed], dim=2)
            output, hidden = self.lstm(inputs, hidden)
            return self.distribution_head(output), hidden

        def forward(self, z, x, idx, conditioning):
            v = 1 + z[:, :conditioning].mean(dim=1, keepdim=True)
            lag = torch.cat([torch.zeros_like(z[:, :1]), z[:, :-1]], dim=1) / v
            params, _ = self.step(lag, x, idx)
            return self.distribution(params, v)

        @torch.no_grad()
        def predict(self, z, x, idx, conditioning, num_samples=20):
            v = 1 + z[:, :conditioning].mean(dim=1, keepdim=True)
            lag = torch.cat([torch.zeros_like(z[:, :1]), z[:, :conditioning - 1]], dim=1) / v
            _, hidden = self.step(lag, x[:, :conditioning], idx)
            first = None
            samples = []
            for s in range(num_samples):
                h = tuple(t.clone() for t in hidden)
                y_prev = z[:, conditioning - 1:conditioning]
                path = []
                for t in range(conditioning, z.size(1)):
                    params, h = self.step(y_prev / v, x[:, t:t + 1], idx, h)
                    dist = self.distribution(params, v)
                    if first is None:
                        first = dist.mean.clone(), dist.variance.clone()
                    y_prev = dist.sample()
                    path.append(y_prev)
                samples.append(torch.cat(path, dim=1))
            return torch.stack(samples, dim=0), first

    return SlidingWindowDataset, DeepAR


def generated(counts: bool) -> tuple:
    """3 series of 30 hourly steps and covariates (sin, cos of the hour, the age)."""
    rng = np.random.default_rng(5)
    t = np.arange(30)
    level = np.array([[5.0], [10.0], [20.0]])
    season = 1 + 0.5 * np.sin(2 * np.pi * t / 12)
    if counts:
        series = rng.poisson(rng.gamma(4.0, level * season / 4.0)).astype(np.float64)
    else:
        series = level / 5 * season + 0.05 * t + 0.2 * rng.standard_normal((3, 30))
    covariates = np.stack([np.sin(2 * np.pi * t / 12), np.cos(2 * np.pi * t / 12),
                           t / 30.0], axis=1)
    return series, covariates


def train(torch, likelihood, start=None) -> tuple:
    torch, nn_, F, optim, data = libraries(torch)
    SlidingWindowDataset, DeepAR = deepar_program(torch, nn_, F, data)
    series, covariates = generated(likelihood == "nb")
    dataset = SlidingWindowDataset(series, covariates, window=12)
    loader = data.DataLoader(dataset, batch_size=16, shuffle=False)
    torch.manual_seed(0)
    model = DeepAR(3, 3, embedding_size=2, hidden_size=8, num_layers=2, likelihood=likelihood)
    state = {k: v.detach().numpy().copy() for k, v in model.state_dict().items()}
    if start is not None:  # the test's glue: PyTorch's initial weights
        model.load_state_dict(start)
    optimizer = optim.Adam(model.parameters(), lr=1e-2)
    records = []
    for epoch in range(2):
        for z, x, idx in loader:
            optimizer.zero_grad()
            distribution = model(z, x, idx, conditioning=8)
            loss = -distribution.log_prob(z).mean()
            loss.backward()
            optimizer.step()
            records.append(loss.item())
            records += [p.grad.numpy().copy() for p in model.parameters()]
    records += [p.detach().numpy().copy() for p in model.parameters()]
    z, x, idx = next(iter(data.DataLoader(dataset, batch_size=4)))
    samples, (mean, variance) = model.predict(z, x, idx, conditioning=8, num_samples=100)
    return records + [mean.numpy(), variance.numpy()], state, samples.numpy(), mean.numpy()


def compare(torch, likelihood) -> np.ndarray:
    want, start, their_samples, _ = train(torch, likelihood)
    got, _, samples, mean = train(None, likelihood, start=start)
    assert_records(got, want)
    assert samples.shape == their_samples.shape == (100, 4, 4)
    spread = np.sqrt(got[-1][:, 0] / 100)  # the first step's standard error
    assert (np.abs(samples[:, :, 0].mean(0) - mean[:, 0]) < 4 * spread).all()
    return samples


def test_gaussian_deepar_trains_and_predicts_like_pytorch(torch) -> None:
    compare(torch, "g")


def test_negative_binomial_deepar_trains_and_predicts_like_pytorch(torch) -> None:
    samples = compare(torch, "nb")
    assert (samples % 1 == 0).all() and (samples >= 0).all()
