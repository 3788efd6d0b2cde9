"""A conditional neural process (Garnelo et al. 2018), in the shape of the PyTorch port
of DeepMind's CNP notebook: a deterministic encoder (an MLP on each (x, y) context pair,
averaged over the context), a decoder on (representation, target x) returning
``torch.distributions.normal.Normal(mu, 0.1 + 0.9 softplus(log_sigma))``, and the loss
``-log_p.mean()`` of the targets, trained by Adam on curves drawn from a Gaussian
process (the context a random subset of the targets). Written once for a library
``torch`` (``autograd`` here, PyTorch there) and run step for step next to PyTorch's
from the same weights and curves (float64): losses, gradients and parameters agree to
1e-10, and the trained model's predictive mean passes near the context points.

Lines written differently here, and why:
- the GP curves are drawn by NumPy once (the notebook's ``GPCurvesReader`` draws them with
  TensorFlow's generator) and fed to both runs;
- ``torch.split(hidden, 1, dim=-1)`` is ``hidden.split(1, dim=-1)``: ``autograd.split``
  would read as NumPy's ``np.split`` (N sections, not a piece size), so it stays a method
  here and ``autograd.split`` says so (as in the spline-flow port);
- ``torch.nn`` is ``nn`` here (the programs take it as ``tnn``), ``torch.optim.Adam``
  ``nn.optim.Adam``; the models start from PyTorch's weights.
"""

import numpy as np
from flows_helpers import assert_records

import autograd as ag
import nn


def gp_curves(n_batches: int, batch_size: int = 4, num_total_points: int = 20,
              seed: int = 0):
    """((context_x, context_y), target_x), target_y per batch: curves from a GP with an
    RBF kernel (length scale 0.6, scale 1) on x in [-2, 2], the first ``num_context``
    of a random order being the context."""
    rng = np.random.default_rng(seed)
    batches = []
    for _ in range(n_batches):
        x = rng.uniform(-2, 2, (batch_size, num_total_points, 1))
        dist2 = (x - x.transpose(0, 2, 1)) ** 2
        cov = np.exp(-0.5 * dist2 / 0.6 ** 2) + 1e-4 * np.eye(num_total_points)
        y = np.linalg.cholesky(cov) @ rng.standard_normal((batch_size, num_total_points, 1))
        num_context = int(rng.integers(3, 10))
        batches.append((x[:, :num_context], y[:, :num_context], x, y))
    return batches


def cnp(torch, tnn, x_size=1, y_size=1, hidden=16):
    class DeterministicEncoder(tnn.Module):
        def __init__(self, output_sizes):
            super().__init__()
            self.linears = tnn.ModuleList()
            for i in range(len(output_sizes) - 1):
                self.linears.append(tnn.Linear(output_sizes[i], output_sizes[i + 1]))

        def forward(self, context_x, context_y):
            encoder_input = torch.cat((context_x, context_y), dim=-1)
            batch_size, num_context_points, filter_size = encoder_input.shape
            hidden = encoder_input.view((batch_size * num_context_points, -1))
            for linear in self.linears[:-1]:
                hidden = torch.relu(linear(hidden))
            hidden = self.linears[-1](hidden)
            hidden = hidden.view((batch_size, num_context_points, -1))
            representation = hidden.mean(dim=1)
            return representation

    class DeterministicDecoder(tnn.Module):
        def __init__(self, output_sizes):
            super().__init__()
            self.linears = tnn.ModuleList()
            for i in range(len(output_sizes) - 1):
                self.linears.append(tnn.Linear(output_sizes[i], output_sizes[i + 1]))

        def forward(self, representation, target_x):
            batch_size, num_total_points, _ = target_x.shape
            representation = representation.unsqueeze(1).repeat([1, num_total_points, 1])
            input = torch.cat((representation, target_x), dim=-1)
            hidden = input.view((batch_size * num_total_points, -1))
            for linear in self.linears[:-1]:
                hidden = torch.relu(linear(hidden))
            hidden = self.linears[-1](hidden)
            hidden = hidden.view((batch_size, num_total_points, -1))
            mu, log_sigma = hidden.split(1, dim=-1)  # torch.split(hidden, 1, dim=-1)
            sigma = 0.1 + 0.9 * tnn.functional.softplus(log_sigma)  # torch.nn.functional
            dist = torch.distributions.normal.Normal(loc=mu, scale=sigma)
            return dist, mu, sigma

    class DeterministicModel(tnn.Module):
        def __init__(self, encoder_output_sizes, decoder_output_sizes):
            super().__init__()
            self._encoder = DeterministicEncoder(encoder_output_sizes)
            self._decoder = DeterministicDecoder(decoder_output_sizes)

        def forward(self, query, target_y=None):
            (context_x, context_y), target_x = query
            representation = self._encoder(context_x, context_y)
            dist, mu, sigma = self._decoder(representation, target_x)
            log_p = None if target_y is None else dist.log_prob(target_y)
            return log_p, mu, sigma

    return DeterministicModel([x_size + y_size, hidden, hidden, hidden],
                              [hidden + x_size, hidden, 2 * y_size])


def train(libs, model, batches) -> list:
    torch, optim = libs
    optimizer = optim.Adam(model.parameters(), lr=1e-2)
    record = []
    for context_x, context_y, target_x, target_y in batches:
        query = ((torch.tensor(context_x), torch.tensor(context_y)), torch.tensor(target_x))
        optimizer.zero_grad()
        log_prob, _, _ = model(query, torch.tensor(target_y))
        loss = -log_prob.mean()
        loss.backward()
        optimizer.step()
        record.append([loss.detach().numpy()] + [p.grad.numpy().copy()
                                                 for p in model.parameters()])
    return record


def test_conditional_neural_process(torch):
    batches = gp_curves(25)
    net = cnp(torch, torch.nn)
    ours = cnp(ag, nn)
    ours.load_state_dict({k: v.numpy() for k, v in net.state_dict().items()})
    got = train((ag, nn.optim), ours, batches)
    want = train((torch, torch.optim), net, batches)
    assert_records(got, want)
    assert np.mean([r[0] for r in got[-5:]]) < np.mean([r[0] for r in got[:5]])
    # predictions at the context points, from the context alone, against PyTorch's
    context_x, context_y, _, _ = gp_curves(1, seed=9)[0]
    outs = []
    for T, model in [(ag, ours), (torch, net)]:
        with T.no_grad():
            _, mu, sigma = model(((T.tensor(context_x), T.tensor(context_y)),
                                  T.tensor(context_x)))
        outs.append((mu.numpy(), sigma.numpy()))
    np.testing.assert_allclose(outs[0][0], outs[1][0], rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(outs[0][1], outs[1][1], rtol=1e-10)
    assert (outs[0][1] >= 0.1).all()
