"""Score matching on 2-D data, as its readers write it: the ACIDS diffusion tutorial's
(acids-ircam/diffusion_models, notebook 01) exact ``score_matching`` with its ``jacobian``
(``autograd.grad`` of one output column at a time, ``v[:, i] = 1.``, ``allow_unused=True``,
``torch.stack(..., dim=2).requires_grad_()``, ``torch.diagonal(dim1=-2, dim2=-1)``),
``sliced_score_matching`` (``autograd.functional.jvp(model, samples, vectors,
create_graph=True)``), ``denoising_score_matching``, the noise-conditional
``ConditionalModel`` (``nn.Embedding`` scales, ``self.embed.weight.data.uniform_()``) trained
with ``anneal_dsm_score_estimation`` and sampled with ``sample_langevin``; and the
sliced score matching of ermongroup/sliced_score_matching (``sliced_score_estimation_vr``:
``grad2 = autograd.grad(torch.sum(grad1 * vectors), dup_samples, create_graph=True)[0]``,
the Hutchinson estimate v^T (ds/dx) v) and its ``exact_score_matching`` of an energy
(``loss2 += grad`` into ``torch.zeros``). Each is trained a few Adam steps next to
PyTorch from the same weights and noise: every loss, gradient, parameter and sample
agrees to 1e-10 (float64).

Data: scikit-learn's ``make_swiss_roll`` as the tutorial's ``sample_batch`` (the x and z
coordinates over 10), 64 points; the networks are 2-16-16-2 with Softplus.

Lines written differently here, and why:
- ``torch.tensor(data.T).float()`` keeps float64 (``.float()`` would feed float32 samples to
  PyTorch's float64 layers: a dtype error there), and ``sigmas`` likewise;
- ``self.embed.weight.data.uniform_()``: ``.data`` is the NumPy array here (by design), so
  the draw is written ``with torch.no_grad(): self.embed.weight.uniform_()``;
- the test's glue: PyTorch's initial weights (the drawn embeddings included) are loaded
  into ours, and our ``randn_like``/``rand``/``randint`` draws are replayed on PyTorch's
  side (``Draws``).
"""

import numpy as np
import pytest

from diffusion_helpers import Draws, assert_same, grads, libraries, state


def swiss_roll(n: int) -> np.ndarray:
    """The tutorial's ``sample_batch(size, noise=1.0)``: (2, n), the roll's x and z / 10."""
    datasets = pytest.importorskip("sklearn.datasets")
    x, _ = datasets.make_swiss_roll(n, noise=1.0, random_state=0)
    return x[:, [0, 2]].T / 10.0


def score_programs(torch, nn, optim, data, which, start=None, steps=3) -> dict:
    """The tutorial's cells (and ermongroup's losses) for the library ``torch``."""
    F = nn.functional
    # from torch import autograd (autograd.grad and autograd.functional are autograd's own)
    autograd = torch if torch.__name__ == "autograd" else torch.autograd

    def jacobian(f, x):
        """Computes the Jacobian of f w.r.t x."""
        B, N = x.shape
        y = f(x)
        jacobian = list()
        for i in range(N):
            v = torch.zeros_like(y)
            v[:, i] = 1.
            dy_i_dx = autograd.grad(y, x, grad_outputs=v, retain_graph=True,
                                    create_graph=True, allow_unused=True)[0]  # shape [B, N]
            jacobian.append(dy_i_dx)
        jacobian = torch.stack(jacobian, dim=2).requires_grad_()
        return jacobian

    def score_matching(model, samples, train=False):
        samples.requires_grad_(True)
        logp = model(samples)
        # Compute the norm loss
        norm_loss = torch.norm(logp, dim=-1) ** 2 / 2.
        # Compute the Jacobian loss
        jacob_mat = jacobian(model, samples)
        tr_jacobian_loss = torch.diagonal(jacob_mat, dim1=-2, dim2=-1).sum(-1)
        return (tr_jacobian_loss + norm_loss).mean(-1)

    def sliced_score_matching(model, samples):
        samples.requires_grad_(True)
        # Construct random vectors
        vectors = torch.randn_like(samples)
        vectors = vectors / torch.norm(vectors, dim=-1, keepdim=True)
        # Compute the optimized vector-product jacobian
        logp, jvp = autograd.functional.jvp(model, samples, vectors, create_graph=True)
        # Compute the norm loss
        norm_loss = (logp * vectors) ** 2 / 2.
        # Compute the Jacobian loss
        v_jvp = jvp * vectors
        jacob_loss = v_jvp
        loss = jacob_loss + norm_loss
        return loss.mean(-1).mean(-1)

    def denoising_score_matching(scorenet, samples, sigma=0.01):
        perturbed_samples = samples + torch.randn_like(samples) * sigma
        target = - 1 / (sigma ** 2) * (perturbed_samples - samples)
        scores = scorenet(perturbed_samples)
        target = target.view(target.shape[0], -1)
        scores = scores.view(scores.shape[0], -1)
        loss = 1 / 2. * ((scores - target) ** 2).sum(dim=-1).mean(dim=0)
        return loss

    def sliced_score_estimation_vr(score_net, samples, n_particles=1):
        """ermongroup/sliced_score_matching, losses/sliced_sm.py."""
        dup_samples = samples.unsqueeze(0).expand(n_particles, *samples.shape).contiguous(
        ).view(-1, *samples.shape[1:])
        dup_samples.requires_grad_(True)
        vectors = torch.randn_like(dup_samples)

        grad1 = score_net(dup_samples)
        gradv = torch.sum(grad1 * vectors)
        grad2 = autograd.grad(gradv, dup_samples, create_graph=True)[0]

        loss1 = torch.sum(grad1 * grad1, dim=-1) / 2.
        loss2 = torch.sum(vectors * grad2, dim=-1)

        loss1 = loss1.view(n_particles, -1).mean(dim=0)
        loss2 = loss2.view(n_particles, -1).mean(dim=0)
        loss = loss1 + loss2
        return loss.mean(), loss1.mean(), loss2.mean()

    def exact_score_matching(energy_net, samples, train=False):
        """ermongroup/sliced_score_matching, losses/score_matching.py."""
        samples.requires_grad_(True)
        logp = -energy_net(samples).sum()
        grad1 = autograd.grad(logp, samples, create_graph=True)[0]
        loss1 = (torch.norm(grad1, dim=-1) ** 2) / 2.
        loss2 = torch.zeros(samples.shape[0], device=samples.device)
        for i in range(samples.shape[1]):
            if train:
                grad = autograd.grad(grad1[:, i].sum(), samples, create_graph=True,
                                     retain_graph=True)[0][:, i]
            if not train:
                grad = autograd.grad(grad1[:, i].sum(), samples, create_graph=False,
                                     retain_graph=True)[0][:, i]
                grad = grad.detach()
            loss2 += grad
        loss = loss1 + loss2
        if not train:
            loss = loss.detach()
        return loss

    class ConditionalLinear(nn.Module):
        def __init__(self, num_in, num_out, num_classes):
            super().__init__()
            self.num_out = num_out
            self.lin = nn.Linear(num_in, num_out)
            self.embed = nn.Embedding(num_classes, num_out)
            with torch.no_grad():  # self.embed.weight.data.uniform_(): see the top
                self.embed.weight.uniform_()

        def forward(self, x, y):
            out = self.lin(x)
            gamma = self.embed(y)
            out = gamma.view(-1, self.num_out) * out
            return out

    class ConditionalModel(nn.Module):
        def __init__(self, num_classes):
            super().__init__()
            self.lin1 = ConditionalLinear(2, 16, num_classes)
            self.lin2 = ConditionalLinear(16, 16, num_classes)
            self.lin3 = nn.Linear(16, 2)

        def forward(self, x, y):
            x = F.softplus(self.lin1(x, y))
            x = F.softplus(self.lin2(x, y))
            return self.lin3(x)

    def anneal_dsm_score_estimation(model, samples, labels, sigmas, anneal_power=2.):
        used_sigmas = sigmas[labels].view(samples.shape[0], *([1] * len(samples.shape[1:])))
        perturbed_samples = samples + torch.randn_like(samples) * used_sigmas
        target = - 1 / (used_sigmas ** 2) * (perturbed_samples - samples)
        scores = model(perturbed_samples, labels)
        target = target.view(target.shape[0], -1)
        scores = scores.view(scores.shape[0], -1)
        loss = 1 / 2. * ((scores - target) ** 2).sum(dim=-1) * used_sigmas.squeeze(
        ) ** anneal_power
        return loss.mean(dim=0)

    def sample_langevin(model, x, n_steps=10, eps=1e-2, decay=.9, temperature=1.0):
        x_sequence = [x.unsqueeze(0)]
        for s in range(n_steps):
            z_t = torch.rand(x.size())
            x = x + (eps / 2) * model(x) + (np.sqrt(eps) * temperature * z_t)
            x_sequence.append(x.unsqueeze(0))
            eps *= decay
        return torch.cat(x_sequence)

    sigma_begin, sigma_end, num_noises = 1, 0.01, 4
    sigmas = torch.tensor(np.exp(np.linspace(np.log(sigma_begin), np.log(sigma_end),
                                             num_noises)))  # .float(): see the top
    if which == "anneal":
        model = ConditionalModel(num_noises)
    else:
        model = nn.Sequential(nn.Linear(2, 16), nn.Softplus(), nn.Linear(16, 16),
                              nn.Softplus(), nn.Linear(16, 1 if which == "energy" else 2))
    if start is not None:  # the test's glue: PyTorch's initial weights
        model.load_state_dict(start)
    record = {"start": state(model), "losses": [], "grads": []}
    optimizer = optim.Adam(model.parameters(), lr=1e-3)
    dataset = torch.tensor(swiss_roll(64).T)  # .float(): see the top
    for t in range(steps):
        if which == "exact":
            loss = score_matching(model, dataset)
        elif which == "sliced":
            loss = sliced_score_matching(model, dataset)
        elif which == "denoising":
            loss = denoising_score_matching(model, dataset)
        elif which == "sliced_vr":
            loss = sliced_score_estimation_vr(model, dataset.detach(), n_particles=2)[0]
        elif which == "energy":
            loss = exact_score_matching(model, dataset.detach(), train=True).mean()
        else:
            labels = torch.randint(0, len(sigmas), (dataset.shape[0],))
            loss = anneal_dsm_score_estimation(model, dataset, labels, sigmas)
        optimizer.zero_grad()
        loss.backward()
        record["losses"].append(loss.item())
        record["grads"].append(grads(model))
        optimizer.step()
    record["end"] = state(model)
    if which in ("sliced", "denoising"):
        x = torch.Tensor([1.5, -1.5])
        record["samples"] = sample_langevin(model, x).detach().numpy()
    return record


def run_both(torch, which: str, steps: int = 3) -> tuple[dict, dict]:
    draws = []
    torch.manual_seed(0)
    lib = libraries()
    T, *rest = libraries(torch)
    start = score_programs(T, *rest, which, steps=0)["start"]
    got = score_programs(Draws(lib[0], draws=draws), *lib[1:], which, start, steps)
    start = {k: torch.tensor(v) for k, v in start.items()}
    want = score_programs(Draws(T, replay=draws), *rest, which, start, steps)
    assert not draws
    return got, want


@pytest.mark.parametrize("which", ["exact", "sliced", "denoising", "sliced_vr", "energy",
                                   "anneal"])
def test_score_matching(torch, which):
    got, want = run_both(torch, which)
    assert_same(got, want)
