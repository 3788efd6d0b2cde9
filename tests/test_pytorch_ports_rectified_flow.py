"""Flow matching and rectified flow on 2-D data as their readers write them, each written
once for a library ``torch`` (``autograd`` here, PyTorch there) and run step for step
next to PyTorch from the same weights and draws (float64):
- the "flow matching in a few lines" example of facebookresearch/flow_matching: a
  ``Flow`` MLP of ``torch.cat((t, x_t), -1)``, the conditional target ``x_1 - x_0`` on
  the straight path ``(1 - t) * x_0 + t * x_1`` fitted with ``nn.MSELoss`` and Adam on
  ``Tensor(make_moons(...)[0])``, and sampling with its midpoint ``step``
  (``t_start.view(1, 1).expand(x_t.shape[0], 1)``, ``torch.linspace`` time steps);
- the Rectified Flow 2-D notebook (gnobitab/RectifiedFlow): Gaussian mixtures
  (``MixtureSameFamily`` of ``Categorical`` and ``MultivariateNormal``), pairs
  ``torch.stack([x_0, x_1], dim=1)`` from ``torch.randperm``, ``get_train_tuple``, the
  loss ``(target - pred).view(pred.shape[0], -1).abs().pow(2).sum(dim=1).mean()``,
  Euler ``sample_ode`` under ``@torch.no_grad()``, and reflow: a 2-rectified flow
  fine-tuned from ``copy.deepcopy`` of the first on the pairs it generated;
- the flow's exact log-likelihood as a continuous normalising flow (FFJORD's habit):
  Euler steps back in time with the divergence from ``torch.autograd.grad(...,
  create_graph=True)``, trained by maximum likelihood.
Losses, gradients, parameters and trajectories agree to 1e-10.

Lines written differently here, and why: ``torch.autograd.grad`` is ``autograd.grad``
(this package is ``torch.autograd``'s counterpart); the mixtures' means
``torch.tensor(...).float()`` are ``.double()``: the comparison runs in float64, where
PyTorch's ``MultivariateNormal`` refuses float32 means with a float64 covariance. The
test's glue: PyTorch's random draws (``torch.randn_like``, ``torch.rand``,
``torch.randperm``, ``MixtureSameFamily.sample``) are made in both runs and PyTorch's
used in both (``Draws``), our models load PyTorch's weights, and sizes are small.
"""

import copy

import numpy as np
import pytest
from flows_helpers import Draws, assert_records

import autograd as ag
import nn


def flow_class(torch, nn, Tensor):
    """The example's ``Flow``, for the library ``torch`` (``Tensor`` its tensor class)."""

    class Flow(nn.Module):
        def __init__(self, dim: int = 2, h: int = 64):
            super().__init__()
            self.net = nn.Sequential(
                nn.Linear(dim + 1, h), nn.ELU(),
                nn.Linear(h, h), nn.ELU(),
                nn.Linear(h, h), nn.ELU(),
                nn.Linear(h, dim))

        def forward(self, t: Tensor, x_t: Tensor) -> Tensor:
            return self.net(torch.cat((t, x_t), -1))

        def step(self, x_t: Tensor, t_start: Tensor, t_end: Tensor) -> Tensor:
            t_start = t_start.view(1, 1).expand(x_t.shape[0], 1)
            return x_t + (t_end - t_start) * self(
                t=t_start + (t_end - t_start) / 2,
                x_t=x_t + self(x_t=x_t, t=t_start) * (t_end - t_start) / 2)

    return Flow


def flow_matching(torch, nn, optim, Tensor, flow, draws, make_moons, record: list) -> None:
    """The example's training and sampling cells."""
    optimizer = optim.Adam(flow.parameters(), 1e-2)
    loss_fn = nn.MSELoss()
    for i in range(25):
        x_1 = Tensor(make_moons(64, noise=0.05, random_state=i)[0])
        x_0 = draws(torch, torch.randn_like(x_1))
        t = draws(torch, torch.rand(len(x_1), 1))
        x_t = (1 - t) * x_0 + t * x_1
        dx_t = x_1 - x_0
        optimizer.zero_grad()
        loss = loss_fn(flow(t=t, x_t=x_t), dx_t)
        loss.backward()
        optimizer.step()
        record.append([loss.item()] + [p.grad.numpy().copy() for p in flow.parameters()])

    x = draws(torch, torch.randn(32, 2))
    n_steps = 8
    time_steps = torch.linspace(0, 1.0, n_steps + 1)
    for i in range(n_steps):
        x = flow.step(x_t=x, t_start=time_steps[i], t_end=time_steps[i + 1])
        record.append([x.detach().numpy().copy()])


def copy_weights(ours, theirs) -> None:
    ours.load_state_dict({k: ag.tensor(v.numpy()) for k, v in theirs.state_dict().items()})


def test_flow_matching_on_moons(torch):
    datasets = pytest.importorskip("sklearn.datasets")
    torch.manual_seed(0)
    theirs = flow_class(torch, torch.nn, torch.Tensor)(h=16)
    ours = flow_class(ag, nn, ag.Tensor)(h=16)
    copy_weights(ours, theirs)
    runs, draws = ([], []), Draws()
    flow_matching(torch, torch.nn, torch.optim, torch.Tensor, theirs, draws,
                  datasets.make_moons, runs[1])
    flow_matching(ag, nn, nn.optim, ag.Tensor, ours, draws, datasets.make_moons, runs[0])
    assert_records(*runs)
    assert draws.position == len(draws.recorded)


def notebook_classes(torch, nn, draws):
    """The notebook's ``MLP`` and ``RectifiedFlow`` (its random ``t`` through ``draws``)."""

    class MLP(nn.Module):
        def __init__(self, input_dim=2, hidden_num=100):
            super().__init__()
            self.fc1 = nn.Linear(input_dim+1, hidden_num, bias=True)
            self.fc2 = nn.Linear(hidden_num, hidden_num, bias=True)
            self.fc3 = nn.Linear(hidden_num, input_dim, bias=True)
            self.act = lambda x: torch.tanh(x)

        def forward(self, x_input, t):
            inputs = torch.cat([x_input, t], dim=1)
            x = self.fc1(inputs)
            x = self.act(x)
            x = self.fc2(x)
            x = self.act(x)
            x = self.fc3(x)
            return x

    class RectifiedFlow():
        def __init__(self, model=None, num_steps=1000):
            self.model = model
            self.N = num_steps

        def get_train_tuple(self, z0=None, z1=None):
            t = draws(torch, torch.rand((z1.shape[0], 1)))
            z_t = t * z1 + (1.-t) * z0
            target = z1 - z0
            return z_t, t, target

        @torch.no_grad()
        def sample_ode(self, z0=None, N=None):
            # NOTE: Use Euler method to sample from the learned flow
            if N is None:
                N = self.N
            dt = 1./N
            traj = []  # to store the trajectory
            z = z0.detach().clone()
            batchsize = z.shape[0]
            traj.append(z.detach().clone())
            for i in range(N):
                t = torch.ones((batchsize, 1)) * i / N
                pred = self.model(z, t)
                z = z.detach().clone() + pred * dt
                traj.append(z.detach().clone())
            return traj

    return MLP, RectifiedFlow


def rectified_flow_notebook(torch, distributions, optim, classes, start: list, draws,
                            record: list) -> None:
    """The notebook's cells: data, 1-rectified flow, sampling, reflow (2-rectified)."""
    MLP, RectifiedFlow = classes
    Categorical, MultivariateNormal = distributions.Categorical, distributions.MultivariateNormal
    MixtureSameFamily = distributions.MixtureSameFamily
    D, VAR, COMP, n = 10., 0.3, 3, 256
    initial_mix = Categorical(torch.tensor([1/COMP for i in range(COMP)]))
    initial_comp = MultivariateNormal(torch.tensor(
        [[D * np.sqrt(3) / 2., D / 2.], [-D * np.sqrt(3) / 2., D / 2.],
         [0.0, - D * np.sqrt(3) / 2.]]).double(),  # .float(): float64 here
        VAR * torch.stack([torch.eye(2) for i in range(COMP)]))
    initial_model = MixtureSameFamily(initial_mix, initial_comp)
    samples_0 = draws(torch, initial_model.sample([n]))
    target_mix = Categorical(torch.tensor([1/COMP for i in range(COMP)]))
    target_comp = MultivariateNormal(torch.tensor(
        [[D * np.sqrt(3) / 2., - D / 2.], [-D * np.sqrt(3) / 2., - D / 2.],
         [0.0, D * np.sqrt(3) / 2.]]).double(),  # .float(): float64 here
        VAR * torch.stack([torch.eye(2) for i in range(COMP)]))
    target_model = MixtureSameFamily(target_mix, target_comp)
    samples_1 = draws(torch, target_model.sample([n]))

    def train_rectified_flow(rectified_flow, optimizer, pairs, batchsize, inner_iters):
        loss_curve = []
        for i in range(inner_iters+1):
            optimizer.zero_grad()
            indices = draws(torch, torch.randperm(len(pairs)))[:batchsize]
            batch = pairs[indices]
            z0 = batch[:, 0].detach().clone()
            z1 = batch[:, 1].detach().clone()
            z_t, t, target = rectified_flow.get_train_tuple(z0=z0, z1=z1)
            pred = rectified_flow.model(z_t, t)
            loss = (target - pred).view(pred.shape[0], -1).abs().pow(2).sum(dim=1)
            loss = loss.mean()
            loss.backward()
            optimizer.step()
            loss_curve.append(np.log(loss.item()))  # to store the loss curve
            record.append([loss.item()] + [p.grad.numpy().copy()
                                           for p in rectified_flow.model.parameters()])
        return rectified_flow, loss_curve

    x_0 = samples_0.detach().clone()[draws(torch, torch.randperm(len(samples_0)))]
    x_1 = samples_1.detach().clone()[draws(torch, torch.randperm(len(samples_1)))]
    x_pairs = torch.stack([x_0, x_1], dim=1)
    iterations, batchsize = 12, 64  # input_dim = 2: the MLPs are built by the test
    rectified_flow_1 = RectifiedFlow(model=start[0], num_steps=20)  # MLP(input_dim, hidden_num=16)
    optimizer = optim.Adam(rectified_flow_1.model.parameters(), lr=5e-3)
    rectified_flow_1, loss_curve = train_rectified_flow(rectified_flow_1, optimizer,
                                                        x_pairs, batchsize, iterations)
    record.append(loss_curve)

    z10 = samples_0.detach().clone()
    traj = rectified_flow_1.sample_ode(z0=z10.detach().clone(), N=20)
    z11 = traj[-1].detach().clone()
    record.append([z.numpy() for z in traj])
    z_pairs = torch.stack([z10, z11], dim=1)
    reflow_iterations = 8
    rectified_flow_2 = RectifiedFlow(model=start[1], num_steps=20)  # MLP(input_dim, hidden_num=16)
    rectified_flow_2.net = copy.deepcopy(rectified_flow_1)  # as the notebook (sic)
    optimizer = optim.Adam(rectified_flow_2.model.parameters(), lr=5e-3)
    rectified_flow_2, loss_curve = train_rectified_flow(rectified_flow_2, optimizer,
                                                        z_pairs, batchsize, reflow_iterations)
    traj = rectified_flow_2.sample_ode(z0=draws(torch, initial_model.sample([32])), N=4)
    record.append([z.numpy() for z in traj])
    record.append([p.detach().numpy() for p in rectified_flow_2.net.model.parameters()])


def test_rectified_flow_and_reflow(torch):
    torch.manual_seed(0)
    draws, runs = Draws(), ([], [])
    theirs = notebook_classes(torch, torch.nn, draws)
    ours = notebook_classes(ag, nn, draws)
    starts = [], []
    for _ in range(2):
        starts[1].append(theirs[0](2, hidden_num=16))
        starts[0].append(ours[0](2, hidden_num=16))
        copy_weights(starts[0][-1], starts[1][-1])
    rectified_flow_notebook(torch, torch.distributions, torch.optim, theirs, starts[1],
                            draws, runs[1])
    rectified_flow_notebook(ag, ag.distributions, nn.optim, ours, starts[0], draws, runs[0])
    assert_records(*runs)
    assert draws.position == len(draws.recorded)


def log_likelihood(torch, grad, Normal, flow, x_1, n_steps=4):
    """The exact log-likelihood of ``x_1`` under the flow (a continuous normalising flow):
    Euler steps from t = 1 back to 0, ln p_1(x_1) = ln p_0(x_0) - int_0^1 div v dt, the
    divergence summed from one ``torch.autograd.grad`` per coordinate (``create_graph``,
    so the likelihood trains the flow: FFJORD's maximum likelihood)."""
    x = x_1
    divergence_integral = torch.zeros(x.shape[0])
    time_steps = torch.linspace(1.0, 0.0, n_steps + 1)
    for i in range(n_steps):
        x = x.detach().requires_grad_(True) if i == 0 else x
        t = time_steps[i].view(1, 1).expand(x.shape[0], 1)
        v = flow(t=t, x_t=x)
        div = sum(grad(v[:, j].sum(), x, create_graph=True)[0][:, j]
                  for j in range(x.shape[1]))
        dt = time_steps[i + 1] - time_steps[i]
        x = x + dt * v
        divergence_integral = divergence_integral - dt * div
    return Normal(0., 1.).log_prob(x).sum(-1) - divergence_integral


def test_flow_likelihood_by_exact_divergence(torch):
    datasets = pytest.importorskip("sklearn.datasets")
    torch.manual_seed(1)
    theirs = flow_class(torch, torch.nn, torch.Tensor)(h=16)
    ours = flow_class(ag, nn, ag.Tensor)(h=16)
    copy_weights(ours, theirs)
    x_1 = datasets.make_moons(16, noise=0.05, random_state=0)[0]
    runs = [], []
    # torch.autograd.grad is autograd.grad here (this package is torch.autograd's)
    for lib, grad, Normal, flow, optim, record in (
            (torch, torch.autograd.grad, torch.distributions.Normal, theirs, torch.optim,
             runs[1]),
            (ag, ag.grad, ag.distributions.Normal, ours, nn.optim, runs[0])):
        optimizer = optim.Adam(flow.parameters(), 1e-2)
        for _ in range(3):
            log_p = log_likelihood(lib, grad, Normal, flow, lib.tensor(x_1))
            loss = -log_p.mean()
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            record.append([log_p.detach().numpy()] + [p.grad.numpy().copy()
                                                      for p in flow.parameters()])
    assert_records(*runs)
