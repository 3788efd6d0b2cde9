"""A neural ODE written by hand, with the adjoint method, as readers of "Neural Ordinary
Differential Equations" write it (the well-known from-scratch notebook: ``ODEF`` with
``forward_with_grad``, an ``ODEAdjoint`` ``autograd.Function``, ``NeuralODE``), here with
RK4 steps. The backward integrates the augmented state [z, a, a df/dp, a df/dt] back in
time, its vector-Jacobian products from ``autograd.grad(out, (z, t, *params),
grad_outputs=a, allow_unused=True, retain_graph=True)`` (t unused by a time-invariant
field: None). It runs next to PyTorch from the same weights (float64): adjoint and
direct-backprop gradients agree with PyTorch's to 1e-10 and with each other to RK4's
error; the spiral experiment trains a few steps.

Lines written differently here, and why:
- ``Variable(torch.Tensor([[0.6, 0.3]]))`` is ``torch.tensor([[0.6, 0.3]])`` (Variable is
  PyTorch's pre-0.4 wrapper; here a named error says so), ``np.int`` (gone from NumPy) is
  ``np.int64``, ``np.random.uniform``/``permutation`` draw from one seeded
  ``np.random.RandomState`` per run, and ``torch.randn``/``randn_like`` from one NumPy
  generator in both runs (``Library``);
- each field starts from PyTorch's weights (``sync``, the test's glue);
- the Euler solver becomes RK4 and the sizes shrink (t up to 3 for 6.29*5, 24 points for
  200, 3 training steps for 500).
"""

import math

import numpy as np
import pytest

from implicit_ports_helpers import Library, Records, assert_records, weight_sync


def neural_ode_program(torch):
    nn, autograd = torch.nn, torch.autograd
    Tensor = torch.Tensor

    def ode_solve(z0, t0, t1, f):
        """
        Simplest RK4 ODE initial value solver
        """
        h_max = 0.05
        n_steps = math.ceil((abs(t1 - t0)/h_max).max().item())

        h = (t1 - t0)/n_steps
        t = t0
        z = z0

        for i_step in range(n_steps):
            k1 = f(z, t)
            k2 = f(z + h * k1 / 2, t + h / 2)
            k3 = f(z + h * k2 / 2, t + h / 2)
            k4 = f(z + h * k3, t + h)
            z = z + h * (k1 + 2 * k2 + 2 * k3 + k4) / 6
            t = t + h
        return z

    class ODEF(nn.Module):
        def forward_with_grad(self, z, t, grad_outputs):
            """Compute f and a df/dz, a df/dp, a df/dt"""
            batch_size = z.shape[0]

            out = self.forward(z, t)

            a = grad_outputs
            adfdz, adfdt, *adfdp = autograd.grad(
                (out,), (z, t) + tuple(self.parameters()), grad_outputs=(a),
                allow_unused=True, retain_graph=True
            )
            # grad method automatically sums gradients for batch items, we have to expand them back
            if adfdp is not None:
                adfdp = torch.cat([p_grad.flatten() for p_grad in adfdp]).unsqueeze(0)
                adfdp = adfdp.expand(batch_size, -1) / batch_size
            if adfdt is not None:
                adfdt = adfdt.expand(batch_size, 1) / batch_size
            return out, adfdz, adfdt, adfdp

        def flatten_parameters(self):
            p_shapes = []
            flat_parameters = []
            for p in self.parameters():
                p_shapes.append(p.size())
                flat_parameters.append(p.flatten())
            return torch.cat(flat_parameters)

    class ODEAdjoint(torch.autograd.Function):
        @staticmethod
        def forward(ctx, z0, t, flat_parameters, func):
            assert isinstance(func, ODEF)
            bs, *z_shape = z0.size()
            time_len = t.size(0)

            with torch.no_grad():
                z = torch.zeros(time_len, bs, *z_shape).to(z0)
                z[0] = z0
                for i_t in range(time_len - 1):
                    z0 = ode_solve(z0, t[i_t], t[i_t+1], func)
                    z[i_t+1] = z0

            ctx.func = func
            ctx.save_for_backward(t, z.clone(), flat_parameters)
            return z

        @staticmethod
        def backward(ctx, dLdz):
            """
            dLdz shape: time_len, batch_size, *z_shape
            """
            func = ctx.func
            t, z, flat_parameters = ctx.saved_tensors
            time_len, bs, *z_shape = z.size()
            n_dim = np.prod(z_shape)
            n_params = flat_parameters.size(0)

            # Dynamics of augmented system to be calculated backwards in time
            def augmented_dynamics(aug_z_i, t_i):
                """
                tensors here are temporal slices
                t_i - is tensor with size: bs, 1
                aug_z_i - is tensor with size: bs, n_dim*2 + n_params + 1
                """
                z_i, a = aug_z_i[:, :n_dim], aug_z_i[:, n_dim:2*n_dim]  # ignore parameters and time

                # Unflatten z and a
                z_i = z_i.view(bs, *z_shape)
                a = a.view(bs, *z_shape)
                with torch.set_grad_enabled(True):
                    t_i = t_i.detach().requires_grad_(True)
                    z_i = z_i.detach().requires_grad_(True)
                    func_eval, adfdz, adfdt, adfdp = func.forward_with_grad(
                        z_i, t_i, grad_outputs=a)  # bs, *z_shape
                    adfdz = adfdz.to(z_i) if adfdz is not None else \
                        torch.zeros(bs, *z_shape).to(z_i)
                    adfdp = adfdp.to(z_i) if adfdp is not None else \
                        torch.zeros(bs, n_params).to(z_i)
                    adfdt = adfdt.to(z_i) if adfdt is not None else torch.zeros(bs, 1).to(z_i)

                # Flatten f and adfdz
                func_eval = func_eval.view(bs, n_dim)
                adfdz = adfdz.view(bs, n_dim)
                return torch.cat((func_eval, -adfdz, -adfdp, -adfdt), dim=1)

            dLdz = dLdz.view(time_len, bs, n_dim)  # flatten dLdz for convenience
            with torch.no_grad():
                ## Create placeholders for output gradients
                # Prev computed backwards adjoints to be adjusted by direct gradients
                adj_z = torch.zeros(bs, n_dim).to(dLdz)
                adj_p = torch.zeros(bs, n_params).to(dLdz)
                # In contrast to z and p we need to return gradients for all times
                adj_t = torch.zeros(time_len, bs, 1).to(dLdz)

                for i_t in range(time_len-1, 0, -1):
                    z_i = z[i_t]
                    t_i = t[i_t]
                    f_i = func(z_i, t_i).view(bs, n_dim)

                    # Compute direct gradients
                    dLdz_i = dLdz[i_t]
                    dLdt_i = torch.bmm(torch.transpose(dLdz_i.unsqueeze(-1), 1, 2),
                                       f_i.unsqueeze(-1))[:, 0]

                    # Adjusting adjoints with direct gradients
                    adj_z += dLdz_i
                    adj_t[i_t] = adj_t[i_t] - dLdt_i

                    # Pack augmented variable
                    aug_z = torch.cat((z_i.view(bs, n_dim), adj_z,
                                       torch.zeros(bs, n_params).to(z), adj_t[i_t]), dim=-1)

                    # Solve augmented system backwards
                    aug_ans = ode_solve(aug_z, t_i, t[i_t-1], augmented_dynamics)

                    # Unpack solved backwards augmented system
                    adj_z[:] = aug_ans[:, n_dim:2*n_dim]
                    adj_p[:] += aug_ans[:, 2*n_dim:2*n_dim + n_params]
                    adj_t[i_t-1] = aug_ans[:, 2*n_dim + n_params:]

                    del aug_z, aug_ans

                ## Adjust 0 time adjoint with direct gradients
                # Compute direct gradients
                dLdz_0 = dLdz[0]
                dLdt_0 = torch.bmm(torch.transpose(dLdz_0.unsqueeze(-1), 1, 2),
                                   f_i.unsqueeze(-1))[:, 0]

                # Adjust adjoints
                adj_z += dLdz_0
                adj_t[0] = adj_t[0] - dLdt_0
            return adj_z.view(bs, *z_shape), adj_t, adj_p, None

    class NeuralODE(nn.Module):
        def __init__(self, func):
            super(NeuralODE, self).__init__()
            assert isinstance(func, ODEF)
            self.func = func

        def forward(self, z0, t=Tensor([0., 1.]), return_whole_sequence=False):
            t = t.to(z0)
            z = ODEAdjoint.apply(z0, t, self.func.flatten_parameters(), self.func)
            if return_whole_sequence:
                return z
            else:
                return z[-1]

    class LinearODEF(ODEF):
        def __init__(self, W):
            super(LinearODEF, self).__init__()
            self.lin = nn.Linear(2, 2, bias=False)
            self.lin.weight = nn.Parameter(W)

        def forward(self, x, t):
            return self.lin(x)

    class SpiralFunctionExample(LinearODEF):
        def __init__(self):
            super(SpiralFunctionExample, self).__init__(Tensor([[-0.1, -1.], [1., -0.1]]))

    class RandomLinearODEF(LinearODEF):
        def __init__(self):
            super(RandomLinearODEF, self).__init__(torch.randn(2, 2)/2.)

    class NNODEF(ODEF):
        def __init__(self, in_dim, hid_dim, time_invariant=False):
            super(NNODEF, self).__init__()
            self.time_invariant = time_invariant

            if time_invariant:
                self.lin1 = nn.Linear(in_dim, hid_dim)
            else:
                self.lin1 = nn.Linear(in_dim+1, hid_dim)
            self.lin2 = nn.Linear(hid_dim, hid_dim)
            self.lin3 = nn.Linear(hid_dim, in_dim)
            self.elu = nn.ELU(inplace=True)

        def forward(self, x, t):
            if not self.time_invariant:
                x = torch.cat((x, t), dim=-1)

            h = self.elu(self.lin1(x))
            h = self.elu(self.lin2(h))
            out = self.lin3(h)
            return out

    return (ode_solve, NeuralODE, SpiralFunctionExample, RandomLinearODEF, NNODEF)


def adjoint_and_direct(torch, sync, record: list) -> None:
    """The adjoint gradients of an MLP field (time-dependent, then time-invariant: its
    t gets no gradient, allow_unused's None) and those of backprop through the RK4 steps."""
    ode_solve, NeuralODE, _, _, NNODEF = neural_ode_program(torch)
    for time_invariant in (False, True):
        torch.manual_seed(0)
        func = NNODEF(2, 16, time_invariant=time_invariant)
        sync(func)
        ode = NeuralODE(func)
        bs, time_len = 4, 4
        z0 = torch.randn(bs, 2, requires_grad=True)
        times = torch.linspace(0, 0.4, time_len)[:, None, None].expand(time_len, bs, 1)
        obs = torch.randn(time_len, bs, 2)
        params = [z0] + list(func.parameters())

        loss = ((ode(z0, times, return_whole_sequence=True) - obs) ** 2).mean()
        adjoint = torch.autograd.grad(loss, params)

        zs, z = [z0], z0
        for i in range(time_len - 1):
            z = ode_solve(z, times[i], times[i + 1], func)
            zs.append(z)
        direct_loss = ((torch.stack(zs) - obs) ** 2).mean()
        direct = torch.autograd.grad(direct_loss, params)
        record += [loss, direct_loss, list(adjoint), list(direct)]


def conduct_experiment(torch, sync, record: list, n_steps=3) -> None:
    F = torch.nn.functional
    _, NeuralODE, SpiralFunctionExample, RandomLinearODEF, _ = neural_ode_program(torch)
    torch.manual_seed(0)
    ode_true = NeuralODE(SpiralFunctionExample())
    ode_trained = NeuralODE(RandomLinearODEF())
    sync(ode_trained)
    random = np.random.RandomState(0)  # the notebook: np.random.uniform, np.random.permutation

    # Create data
    z0 = torch.tensor([[0.6, 0.3]])

    t_max = 3.0
    n_points = 24

    index_np = np.arange(0, n_points, 1, dtype=np.int64)
    index_np = np.hstack([index_np[:, None]])
    times_np = np.linspace(0, t_max, num=n_points)
    times_np = np.hstack([times_np[:, None]])

    times = torch.from_numpy(times_np[:, :, None]).to(z0)
    obs = ode_true(z0, times, return_whole_sequence=True).detach()
    obs = obs + torch.randn_like(obs) * 0.01
    record.append(obs)

    # Get trajectory of random timespan
    min_delta_time = 0.5
    max_delta_time = 1.0
    max_points_num = 6
    def create_batch():
        t0 = random.uniform(0, t_max - max_delta_time)
        t1 = t0 + random.uniform(min_delta_time, max_delta_time)

        idx = sorted(random.permutation(
            index_np[(times_np > t0) & (times_np < t1)])[:max_points_num])

        obs_ = obs[idx]
        ts_ = times[idx]
        return obs_, ts_

    # Train Neural ODE
    optimizer = torch.optim.Adam(ode_trained.parameters(), lr=0.01)
    for i in range(n_steps):
        obs_, ts_ = create_batch()

        z_ = ode_trained(obs_[0], ts_, return_whole_sequence=True)
        loss = F.mse_loss(z_, obs_.detach())

        optimizer.zero_grad()
        loss.backward(retain_graph=True)
        record += [loss, ode_trained.func.lin.weight.grad]
        optimizer.step()
    record += [p for p in ode_trained.parameters()]


@pytest.mark.parametrize("program", [adjoint_and_direct, conduct_experiment])
def test_neural_ode_matches_pytorch(torch, program) -> None:
    ours, theirs = weight_sync()
    want, got = Records(), Records()
    program(Library(torch), theirs, want)
    program(Library(), ours, got)
    assert_records(got, want)


def test_adjoint_gradient_is_backprop_through_the_solver_to_rk4_accuracy() -> None:
    record: list = []
    adjoint_and_direct(Library(), lambda module: None, record)
    for loss, direct_loss, adjoint, direct in (record[:4], record[4:]):
        assert abs(loss.item() - direct_loss.item()) < 1e-12  # the same forward steps
        for a, d in zip(adjoint, direct):
            np.testing.assert_allclose(a.numpy(), d.numpy(), rtol=1e-6, atol=1e-9)
