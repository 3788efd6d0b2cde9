"""Yang Song's tutorial "Score-Based Generative Modeling" (the score SDE notebook), as its
readers write it: ``GaussianFourierProjection`` (a frozen ``nn.Parameter(...,
requires_grad=False)``), ``Dense`` (``self.dense(x)[..., None, None]``), the time-dependent
U-Net ``ScoreNet`` (bias-free convolutions, ``h1 += self.dense1(embed)``, ``GroupNorm``,
``ConvTranspose2d(..., output_padding=1)``, skips by ``torch.cat``, the swish
``lambda x: x * torch.sigmoid(x)``, the output divided by ``marginal_prob_std(t)[:, None,
None, None]``), the VE SDE's ``marginal_prob_std`` (``torch.tensor(t)``, ``sigma**(2 *
t)``) and ``diffusion_coeff`` (``torch.tensor(sigma**t)``), ``loss_fn`` (``torch.sum(...,
dim=(1,2,3))``), training wrapped in ``torch.nn.DataParallel``, the Euler-Maruyama and
predictor-corrector samplers, the probability-flow ``ode_sampler`` and ``ode_likelihood``
(SciPy's ``solve_ivp`` on NumPy views of the model; the divergence by the
Skilling-Hutchinson estimator, ``torch.autograd.grad`` under ``torch.enable_grad()`` inside
``no_grad``), and ``prior_likelihood``. It runs step for step next to PyTorch from the same
weights, images and noise: losses, gradients, parameters, samples and bits/dim agree.

Shrunk: scikit-learn's 8x8 digits in [0, 1] (MNIST's ``ToTensor``), two resolutions
(``channels`` [4, 8], 8 -> 6 -> 2 -> 6 -> 8), ``embed_dim`` 8, ``GroupNorm(2, ...)``, 2
batches of 8, 4 sampling steps, the ODE solvers at tolerance 1e-3.

Lines written differently here, and why:
- ``torch.tensor(sample, device=device, dtype=torch.float32)`` in the ODE wrappers keeps
  float64, the comparison's dtype (float32 samples into PyTorch's float64 network would be
  a dtype error there);
- ``torch.tensor(t, ...)`` of a tensor is written ``torch.as_tensor``: PyTorch warns on
  copy-constructing a tensor (the same values);
- ``torch.nn.DataParallel`` is ``nn.DataParallel`` (``autograd`` does not import ``nn``), and
  ``from torch.optim import Adam`` is ``optim.Adam``, and ``torch.autograd.grad`` is
  ``autograd.grad``; MNIST is a list of (image, label)
  pairs; ``torch.save`` of the checkpoint is left out;
- the test's glue: PyTorch's initial weights (the frozen Fourier features included); our
  ``rand``/``randn``/``randn_like`` draws replayed on PyTorch's side (``Draws``).
"""

import functools

import numpy as np
import pytest

from diffusion_helpers import Draws, assert_same, libraries, record_steps, state
from pytorch_examples_helpers import digits


def score_sde_tutorial(torch, nn, optim, data, images, start=None, n_epochs=1) -> dict:
    """The notebook's cells for the library ``torch``; returns the record."""
    integrate = pytest.importorskip("scipy.integrate")
    F = nn.functional  # noqa: F841 (the notebook's import)
    device = 'cpu'

    class GaussianFourierProjection(nn.Module):
        """Gaussian random features for encoding time steps."""
        def __init__(self, embed_dim, scale=30.):
            super().__init__()
            # Randomly sample weights during initialization. These weights are fixed
            # during optimization and are not trainable.
            self.W = nn.Parameter(torch.randn(embed_dim // 2) * scale, requires_grad=False)

        def forward(self, x):
            x_proj = x[:, None] * self.W[None, :] * 2 * np.pi
            return torch.cat([torch.sin(x_proj), torch.cos(x_proj)], dim=-1)

    class Dense(nn.Module):
        """A fully connected layer that reshapes outputs to feature maps."""
        def __init__(self, input_dim, output_dim):
            super().__init__()
            self.dense = nn.Linear(input_dim, output_dim)

        def forward(self, x):
            return self.dense(x)[..., None, None]

    class ScoreNet(nn.Module):
        """A time-dependent score-based model built upon U-Net architecture."""
        def __init__(self, marginal_prob_std, channels=[4, 8], embed_dim=8):
            super().__init__()
            # Gaussian random feature embedding layer for time
            self.embed = nn.Sequential(GaussianFourierProjection(embed_dim=embed_dim),
                                       nn.Linear(embed_dim, embed_dim))
            # Encoding layers where the resolution decreases
            self.conv1 = nn.Conv2d(1, channels[0], 3, stride=1, bias=False)
            self.dense1 = Dense(embed_dim, channels[0])
            self.gnorm1 = nn.GroupNorm(2, num_channels=channels[0])
            self.conv2 = nn.Conv2d(channels[0], channels[1], 3, stride=2, bias=False)
            self.dense2 = Dense(embed_dim, channels[1])
            self.gnorm2 = nn.GroupNorm(2, num_channels=channels[1])
            # Decoding layers where the resolution increases
            self.tconv2 = nn.ConvTranspose2d(channels[1], channels[0], 3, stride=2,
                                             bias=False, output_padding=1)
            self.dense7 = Dense(embed_dim, channels[0])
            self.tgnorm2 = nn.GroupNorm(2, num_channels=channels[0])
            self.tconv1 = nn.ConvTranspose2d(channels[0] + channels[0], 1, 3, stride=1)
            # The swish activation function
            self.act = lambda x: x * torch.sigmoid(x)
            self.marginal_prob_std = marginal_prob_std

        def forward(self, x, t):
            # Obtain the Gaussian random feature embedding for t
            embed = self.act(self.embed(t))
            # Encoding path
            h1 = self.conv1(x)
            # Incorporate information from t
            h1 += self.dense1(embed)
            # Group normalization
            h1 = self.gnorm1(h1)
            h1 = self.act(h1)
            h2 = self.conv2(h1)
            h2 += self.dense2(embed)
            h2 = self.gnorm2(h2)
            h2 = self.act(h2)
            # Decoding path
            h = self.tconv2(h2)
            h += self.dense7(embed)
            h = self.tgnorm2(h)
            h = self.act(h)
            h = self.tconv1(torch.cat([h, h1], dim=1))
            # Normalize output
            h = h / self.marginal_prob_std(t)[:, None, None, None]
            return h

    def marginal_prob_std(t, sigma):
        t = torch.as_tensor(t, device=device)  # torch.tensor(t, ...): see the top
        return torch.sqrt((sigma**(2 * t) - 1.) / 2. / np.log(sigma))

    def diffusion_coeff(t, sigma):
        return torch.as_tensor(sigma**t, device=device)  # torch.tensor: see the top

    sigma = 25.0
    marginal_prob_std_fn = functools.partial(marginal_prob_std, sigma=sigma)
    diffusion_coeff_fn = functools.partial(diffusion_coeff, sigma=sigma)

    def loss_fn(model, x, marginal_prob_std, eps=1e-5):
        random_t = torch.rand(x.shape[0], device=x.device) * (1. - eps) + eps
        z = torch.randn_like(x)
        std = marginal_prob_std(random_t)
        perturbed_x = x + z * std[:, None, None, None]
        score = model(perturbed_x, random_t)
        loss = torch.mean(torch.sum((score * std[:, None, None, None] + z)**2, dim=(1, 2, 3)))
        return loss

    # torch.nn.DataParallel: nn is a package of its own here (a named error says so)
    score_model = nn.DataParallel(ScoreNet(marginal_prob_std=marginal_prob_std_fn))
    score_model = score_model.to(device)
    if start is not None:  # the test's glue: PyTorch's initial weights
        score_model.load_state_dict(start)
    record = {"start": state(score_model), "losses": [], "steps": []}
    n_epochs, batch_size, lr = n_epochs, 8, 1e-4
    dataset = [(torch.tensor(image), 0) for image in images]  # MNIST(..., ToTensor())
    data_loader = data.DataLoader(dataset, batch_size=batch_size, shuffle=False)
    optimizer = optim.Adam(score_model.parameters(), lr=lr)
    record_steps(optimizer, record["steps"])
    for epoch in range(n_epochs):
        avg_loss = 0.
        num_items = 0
        for x, y in data_loader:
            x = x.to(device)
            loss = loss_fn(score_model, x, marginal_prob_std_fn)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            avg_loss += loss.item() * x.shape[0]
            num_items += x.shape[0]
        print('Average Loss: {:5f}'.format(avg_loss / num_items))  # tqdm_epoch's description
        record["losses"].append(avg_loss / num_items)
    record["end"] = state(score_model)
    if n_epochs == 0:
        return record
    from diffusion_sde_samplers import samplers  # the notebook's sampling cells
    record.update(samplers(torch, integrate, score_model, marginal_prob_std_fn,
                           diffusion_coeff_fn, images[:2], device))
    return record


def run_both(torch) -> tuple[dict, dict]:
    images = digits(16, lambda x: x)[0]
    draws = []
    torch.manual_seed(0)
    lib = libraries()
    lib[0].manual_seed(0)
    T, *rest = libraries(torch)
    start = score_sde_tutorial(T, *rest, images, n_epochs=0)["start"]
    got = score_sde_tutorial(Draws(lib[0], draws=draws), *lib[1:], images, start)
    start = {k: torch.tensor(v) for k, v in start.items()}
    want = score_sde_tutorial(Draws(T, replay=draws), *rest, images, start)
    assert not draws
    return got, want


def test_score_sde_tutorial(torch, capsys):
    got, want = run_both(torch)
    solved = [(got.pop(name), want.pop(name)) for name in ("ode", "z", "bpd")]
    assert_same(got, want)
    # SciPy's adaptive RK45 on the probability-flow ODE amplifies the libraries' last-bit
    # differences near t = 0, on some draws (to 2.4e-7, measured; the samplers' ODEs
    # come close to t = 0, where the score is divided by a std of 0.03 or less)
    for a, b in solved:
        np.testing.assert_allclose(a, b, rtol=1e-6, atol=1e-8)
    assert got["start"]["module.embed.0.W"].shape == (4,)
    np.testing.assert_array_equal(got["start"]["module.embed.0.W"],
                                  got["end"]["module.embed.0.W"])  # frozen
    assert got["euler"].shape == got["pc"].shape == solved[0][0].shape == (4, 1, 8, 8)
    assert capsys.readouterr().out.count("Number of function evaluations") == 2
