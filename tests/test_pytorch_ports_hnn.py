"""Hamiltonian neural networks (Greydanus, Dzamba and Yosinski, 2019) as the authors'
``hnn.py`` / ``nn_models.py`` / ``spring/train.py`` write them: an MLP outputs two
scalars, the second taken as H(q, p); the vector field is its symplectic gradient,
``dF2 = torch.autograd.grad(F2.sum(), x, create_graph=True)[0]`` times the permutation
``M.t()`` = (dH/dp, -dH/dq), and the L2 loss between it and the observed time
derivatives is trained with Adam (weight decay), so every step differentiates the
network's input gradient with respect to its weights. Written once for a library ``T``
(``autograd`` here, ``torch`` there), it runs step for step next to PyTorch's from the
same weights (float64): train and test losses, gradients and parameters agree to 1e-10;
then the learned field is integrated (RK4) from one starting point and the paths agree
too.

Tasks: the mass-spring (H = (q^2 + p^2) / 2) and the pendulum (H = 3 (1 - cos q) + p^2,
the paper's constants), 40 noisy training points and 20 test points drawn on rings as the
paper's data (``solve_ivp`` trajectories there), hidden width 32, 15 steps.

Lines written differently here, and why:
- ``dtype=torch.float32`` / ``torch.Tensor(...)`` are float64 in both runs (the comparison);
- ``model.time_derivative(x).data.numpy()`` in ``integrate_model`` is ``.detach()``:
  ``.data`` is the NumPy array here (by design);
- ``torch.nn.init.orthogonal_`` draws from each library's generator: ours loads PyTorch's
  initial weights, the test's glue; ``scipy.integrate.solve_ivp`` is a fixed-step RK4.

Time (spring), this loaded 2-core machine, 2026-12-01, noted, not asserted: a training
step with its test loss about 5.7 ms here, 6.2 ms in PyTorch; one evaluation of the
learned field in the RK4 loop about 1.2 ms in both.
"""

import numpy as np
import pytest

import autograd as ag
import nn
from test_pytorch_ports_pinn import assert_same


def hnn_program(torch=None, task: str = "spring", start=None, steps: int = 15) -> list:
    """hnn.py's HNN and nn_models.py's MLP, trained as spring/train.py does."""
    if torch is None:
        torch, lib, optimizers, grad = ag, nn, nn.optim, ag.grad
    else:
        lib, optimizers, grad = torch.nn, torch.optim, torch.autograd.grad

    def choose_nonlinearity(name):
        nl = None
        if name == 'tanh':
            nl = torch.tanh
        elif name == 'relu':
            nl = torch.relu
        elif name == 'sigmoid':
            nl = torch.sigmoid
        elif name == 'softplus':
            nl = lib.functional.softplus
        elif name == 'selu':
            nl = lib.functional.selu
        elif name == 'elu':
            nl = lib.functional.elu
        elif name == 'swish':
            nl = lambda x: x * torch.sigmoid(x)  # noqa: E731
        else:
            raise ValueError("nonlinearity not recognized")
        return nl

    class MLP(lib.Module):
        '''Just a salt-of-the-earth MLP'''
        def __init__(self, input_dim, hidden_dim, output_dim, nonlinearity='tanh'):
            super(MLP, self).__init__()
            self.linear1 = lib.Linear(input_dim, hidden_dim)
            self.linear2 = lib.Linear(hidden_dim, hidden_dim)
            self.linear3 = lib.Linear(hidden_dim, output_dim, bias=None)
            for l in [self.linear1, self.linear2, self.linear3]:  # noqa: E741
                lib.init.orthogonal_(l.weight)  # use a principled initialization
            self.nonlinearity = choose_nonlinearity(nonlinearity)

        def forward(self, x, separate_fields=False):
            h = self.nonlinearity(self.linear1(x))
            h = self.nonlinearity(self.linear2(h))
            return self.linear3(h)

    class HNN(lib.Module):
        '''Learn arbitrary vector fields that are sums of conservative and solenoidal
        fields'''
        def __init__(self, input_dim, differentiable_model, field_type='solenoidal',
                     baseline=False, assume_canonical_coords=True):
            super(HNN, self).__init__()
            self.baseline = baseline
            self.differentiable_model = differentiable_model
            self.assume_canonical_coords = assume_canonical_coords
            self.M = self.permutation_tensor(input_dim)  # Levi-Civita permutation tensor
            self.field_type = field_type

        def forward(self, x):
            # traditional forward pass
            if self.baseline:
                return self.differentiable_model(x)
            y = self.differentiable_model(x)
            assert y.dim() == 2 and y.shape[1] == 2, \
                "Output tensor should have shape [batch_size, 2]"
            return y.split(1, 1)

        def time_derivative(self, x, t=None, separate_fields=False):
            '''NEURAL ODE-STLE VECTOR FIELD'''
            if self.baseline:
                return self.differentiable_model(x)

            '''NEURAL HAMILTONIAN-STLE VECTOR FIELD'''
            F1, F2 = self.forward(x)  # traditional forward pass

            conservative_field = torch.zeros_like(x)  # start out with both components 0
            solenoidal_field = torch.zeros_like(x)

            if self.field_type != 'solenoidal':
                dF1 = grad(F1.sum(), x, create_graph=True)[0]  # conservative field
                conservative_field = dF1 @ torch.eye(*self.M.shape)

            if self.field_type != 'conservative':
                dF2 = grad(F2.sum(), x, create_graph=True)[0]  # solenoidal field
                solenoidal_field = dF2 @ self.M.t()

            if separate_fields:
                return [conservative_field, solenoidal_field]

            return conservative_field + solenoidal_field

        def permutation_tensor(self, n):
            M = None
            if self.assume_canonical_coords:
                M = torch.eye(n)
                M = torch.cat([M[n//2:], -M[:n//2]])
            else:
                '''Constructs the Levi-Civita permutation tensor'''
                M = torch.ones(n, n)  # matrix of ones
                M *= 1 - torch.eye(n)  # clear diagonals
                M[::2] *= -1  # pattern of signs
                M[:, ::2] *= -1

                for i in range(n):  # make asymmetric
                    for j in range(i+1, n):
                        M[i, j] *= -1
            return M

    def L2_loss(u, v):
        return (u-v).pow(2).mean()

    data = get_dataset(task)
    nn_model = MLP(2, 32, 2, 'tanh')
    model = HNN(2, differentiable_model=nn_model, field_type='solenoidal')
    if start is not None:  # the test's glue: PyTorch's initial weights
        model.load_state_dict(start)
    record = [{k: v.detach().numpy().copy() for k, v in model.state_dict().items()}]
    optim = optimizers.Adam(model.parameters(), 1e-3, weight_decay=1e-4)  # torch.optim.Adam

    # arrange data (train.py: dtype=torch.float32, torch.Tensor(...))
    x = torch.tensor(data['x'], requires_grad=True, dtype=torch.float64)
    test_x = torch.tensor(data['test_x'], requires_grad=True, dtype=torch.float64)
    dxdt = torch.tensor(data['dx'])
    test_dxdt = torch.tensor(data['test_dx'])

    # vanilla train loop
    for step in range(steps + 1):
        # train step
        dxdt_hat = model.time_derivative(x)
        loss = L2_loss(dxdt, dxdt_hat)
        loss.backward()
        record.append([p.grad.numpy().copy() for p in model.parameters()])
        optim.step()
        optim.zero_grad()

        # run test data
        test_dxdt_hat = model.time_derivative(test_x)
        test_loss = L2_loss(test_dxdt, test_dxdt_hat)
        record += [loss.item(), test_loss.item()]

    def fun(t, np_x):
        x = torch.tensor(np_x, requires_grad=True, dtype=torch.float64).view(1, 2)
        dx = model.time_derivative(x).detach().numpy().reshape(-1)  # hnn: .data.numpy()
        return dx

    path = rk4(fun, np.array([1.0, 0.0]), dt=0.1, steps=20)
    return record + [{k: v.detach().numpy().copy() for k, v in model.state_dict().items()},
                     path]


FIELDS = {"spring": (lambda q, p: (q ** 2 + p ** 2) / 2, lambda q, p: (p, -q)),
          "pendulum": (lambda q, p: 3 * (1 - np.cos(q)) + p ** 2,
                       lambda q, p: (2 * p, -3 * np.sin(q)))}


def get_dataset(task: str) -> dict:
    """Noisy (q, p) and (dq/dt, dp/dt) on rings of random energy, as the paper's data."""
    rng = np.random.RandomState(0)
    _, field = FIELDS[task]
    points = {}
    for name, n in (("", 40), ("test_", 20)):
        radius = rng.uniform(0.2, 1.0, n)
        angle = rng.uniform(0, 2 * np.pi, n)
        q, p = radius * np.cos(angle), radius * np.sin(angle)
        dq, dp = field(q, p)
        points[name + "x"] = np.stack([q, p], 1) + 0.05 * rng.randn(n, 2)
        points[name + "dx"] = np.stack([dq, dp], 1)
    return points


def rk4(fun, x0: np.ndarray, dt: float, steps: int) -> np.ndarray:
    path = [x0]
    for i in range(steps):
        x, t = path[-1], i * dt
        k1 = fun(t, x)
        k2 = fun(t + dt / 2, x + dt / 2 * k1)
        k3 = fun(t + dt / 2, x + dt / 2 * k2)
        k4 = fun(t + dt, x + dt * k3)
        path.append(x + dt / 6 * (k1 + 2 * k2 + 2 * k3 + k4))
    return np.array(path)


@pytest.mark.parametrize("task", ["spring", "pendulum"])
def test_the_hamiltonian_network_trains_as_torch(torch, task):
    torch.manual_seed(0)
    want = hnn_program(torch, task)
    got = hnn_program(task=task, start=want[0])
    assert_same(got[1:], want[1:])
    train_losses = got[2:-2:3]
    assert len(train_losses) == 16 and train_losses[-1] < train_losses[0]
    assert got[-1].shape == (21, 2)
