"""The inverse problem of the PyTorch port of Raissi's PINNs (Burgers' identification):
the PDE's coefficients are learned with the network, ``lambda_1`` and ``lambda_2``
(``nu = exp(lambda_2)``) made ``torch.nn.Parameter``s and ``register_parameter``-ed on
the network, the residual ``u_t + lambda_1 u u_x - exp(lambda_2) u_xx`` from
``torch.autograd.grad(..., create_graph=True)``, Adam, then L-BFGS with a closure. The
observations are built as such programs build them: ``torch.meshgrid`` of x and t,
``torch.hstack((X.flatten()[:, None], T.flatten()[:, None]))``, and the layers are
initialised with ``torch.nn.init.xavier_normal_(m.weight.data)`` / ``zeros_(m.bias.data)``
inside ``model.apply(init_weights)``, with SiLU activations. Written once for a library
``T`` (``autograd`` here, ``torch`` there), it runs step for step next to PyTorch's from the
same weights (float64): losses, gradients, the learned coefficients and the parameters
agree to 1e-10.

The observed u is a smooth travelling wave u = -tanh((x - 0.3 t) / 0.5) on a 6 x 5 grid,
a few steps of each optimizer. Lines written differently here, and why:
- ``torch.autograd.grad`` is ``autograd.grad``; PyTorch's initial weights are loaded into
  ours (``load_state_dict``, the test's glue: the two generators differ);
- ``xavier_normal_(m.weight.data)`` runs as written: ``.data`` is the live NumPy array
  here, and the initialisers fill an array in place as they fill a Tensor.

Time per loss and gradient (the whole program over its 14 closure calls: 30 points, 2
hidden layers of 16), this loaded 2-core machine, 2026-12-01, noted, not asserted: about
10.5 ms here, 11 ms in PyTorch.
"""

from collections import OrderedDict

import numpy as np

import autograd as ag
import nn
from test_pytorch_ports_pinn import assert_same


def identification_program(torch=None, start=None) -> list:
    if torch is None:
        torch, lib, optim, grad = ag, nn, nn.optim, ag.grad
    else:
        lib, optim, grad = torch.nn, torch.optim, torch.autograd.grad

    class DNN(lib.Module):
        def __init__(self, layers):
            super(DNN, self).__init__()
            self.depth = len(layers) - 1
            layer_list = list()
            for i in range(self.depth - 1):
                layer_list.append(('layer_%d' % i, lib.Linear(layers[i], layers[i + 1])))
                layer_list.append(('activation_%d' % i, lib.SiLU()))
            layer_list.append(('layer_%d' % (self.depth - 1),
                               lib.Linear(layers[-2], layers[-1])))
            self.layers = lib.Sequential(OrderedDict(layer_list))

        def forward(self, x):
            return self.layers(x)

    def init_weights(m):
        if isinstance(m, lib.Linear):
            lib.init.xavier_normal_(m.weight.data, gain=1.0)
            lib.init.zeros_(m.bias.data)

    # observations on a grid
    x = torch.linspace(-1, 1, 6)
    t = torch.linspace(0, 1, 5)
    X, T = torch.meshgrid(x, t, indexing='ij')
    X_u = torch.hstack((X.flatten()[:, None], T.flatten()[:, None]))
    u = -torch.tanh((X_u[:, 0:1] - 0.3 * X_u[:, 1:2]) / 0.5)

    dnn = DNN([2, 16, 16, 1])
    dnn.apply(init_weights)
    # parameters of the PDE
    lambda_1 = torch.tensor([0.0], requires_grad=True)
    lambda_2 = torch.tensor([-6.0], requires_grad=True)
    lambda_1 = lib.Parameter(lambda_1)
    lambda_2 = lib.Parameter(lambda_2)
    dnn.register_parameter('lambda_1', lambda_1)
    dnn.register_parameter('lambda_2', lambda_2)
    if start is not None:  # the test's glue: PyTorch's initial weights
        dnn.load_state_dict(start)
    record = [{k: v.detach().numpy().copy() for k, v in dnn.state_dict().items()}]

    x_ = X_u[:, 0:1].clone().requires_grad_(True)
    t_ = X_u[:, 1:2].clone().requires_grad_(True)

    def net_f(x, t):
        u = dnn(torch.cat([x, t], dim=1))
        u_t = grad(u, t, grad_outputs=torch.ones_like(u), retain_graph=True,
                   create_graph=True)[0]
        u_x = grad(u, x, grad_outputs=torch.ones_like(u), retain_graph=True,
                   create_graph=True)[0]
        u_xx = grad(u_x, x, grad_outputs=torch.ones_like(u_x), retain_graph=True,
                    create_graph=True)[0]
        return u, u_t + lambda_1 * u * u_x - torch.exp(lambda_2) * u_xx

    def loss_func():
        optimizer.zero_grad()
        u_pred, f_pred = net_f(x_, t_)
        loss = torch.mean((u - u_pred) ** 2) + torch.mean(f_pred ** 2)
        loss.backward()
        record.extend([loss.item(), lambda_1.item(), torch.exp(lambda_2).item(),
                       {n: p.grad.numpy().copy() for n, p in dnn.named_parameters()}])
        return loss

    optimizer = optim.Adam(dnn.parameters(), lr=1e-2)
    for it in range(4):
        loss_func()
        optimizer.step()
    optimizer = optim.LBFGS(dnn.parameters(), lr=1.0, max_iter=6, max_eval=10,
                            history_size=20, tolerance_grad=1e-7,
                            tolerance_change=1.0 * np.finfo(float).eps,
                            line_search_fn="strong_wolfe")
    optimizer.step(loss_func)
    return record + [{k: v.detach().numpy().copy() for k, v in dnn.state_dict().items()},
                     x_.grad.numpy().copy(), t_.grad.numpy().copy()]


def test_burgers_identification_trains_as_torch(torch):
    torch.manual_seed(0)
    want = identification_program(torch)
    got = identification_program(start=want[0])
    assert_same(got[1:], want[1:])
    losses = got[1:-3:4]
    assert len(losses) > 6 and losses[-1] < losses[0]
    assert set(got[0]) == set(want[0]) and "lambda_1" in got[0]
