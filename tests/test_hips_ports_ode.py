"""HIPS autograd's neural ODE (``ode_net.py``): a small relu network is the vector field
of an ODE, trained so that its trajectory from y0 matches one of a damped cubic
oscillator (L1 loss), with Adam. HIPS differentiates through its own
``autograd.scipy.integrate.odeint``; here the integrator is written out, fixed-step
Runge-Kutta 4 with NumPy's functions on Tensors, and the gradient flows through its
steps (``import autograd.scipy`` says so). Run next to the same program in PyTorch
(float64, the same weights). See ``test_hips_ports_basics.py`` for the conventions.
"""

import numpy as np

import autograd as ag
import nn

N, D, MAX_T = 12, 2, 1.5


def func(y, t0, A):
    """The true dynamics: a damped oscillator with cubic terms."""
    return np.dot(y ** 3, A)


def nn_predict(inputs, t, params):
    for W, b in params:
        outputs = np.dot(inputs, W) + b
        inputs = np.maximum(0, outputs)
    return outputs


def odeint(f, y0, t, args, substeps=4):
    """y at each time in t (y0 at t[0]) by RK4, ``substeps`` steps per interval; stacked
    as HIPS's odeint returns them (one row per time)."""
    ys, y = [y0], y0
    for t0, t1 in zip(t[:-1], t[1:]):
        h = (t1 - t0) / substeps
        for k in range(substeps):
            s = t0 + k * h
            k1 = f(y, s, *args)
            k2 = f(y + 0.5 * h * k1, s + 0.5 * h, *args)
            k3 = f(y + 0.5 * h * k2, s + 0.5 * h, *args)
            k4 = f(y + h * k3, s + h, *args)
            y = y + h / 6.0 * (k1 + 2 * k2 + 2 * k3 + k4)
        ys.append(y)
    return np.stack(ys)


def L1_loss(pred, targets):
    return np.mean(np.abs(pred - targets))


def init_nn_params(scale, layer_sizes, rs):
    return [(rs.randn(insize, outsize) * scale, rs.randn(outsize) * scale)
            for insize, outsize in zip(layer_sizes[:-1], layer_sizes[1:])]


def torch_odeint(torch, params, y0, t, substeps=4):
    def f(y):
        for W, b in params:
            out = y @ W + b
            y = torch.relu(out)
        return out

    ys, y = [y0], y0
    for t0, t1 in zip(t[:-1], t[1:]):
        h = (t1 - t0) / substeps
        for k in range(substeps):
            k1 = f(y)
            k2 = f(y + 0.5 * h * k1)
            k3 = f(y + 0.5 * h * k2)
            k4 = f(y + h * k3)
            y = y + h / 6.0 * (k1 + 2 * k2 + 2 * k3 + k4)
        ys.append(y)
    return torch.stack(ys)


def test_neural_ode_trained_with_adam(torch):
    true_y0 = np.array([2.0, 0.0])
    t = np.linspace(0.0, MAX_T, N)
    true_A = np.array([[-0.1, 2.0], [-2.0, -0.1]])
    true_y = odeint(func, true_y0, t, args=(true_A,))  # plain NumPy: the data
    assert isinstance(true_y, np.ndarray) and true_y.shape == (N, D)

    init = init_nn_params(0.1, [D, 16, D], np.random.RandomState(0))
    # HIPS's adam(grad(train_loss), params): Tensors stepped by nn.optim.Adam here
    params = [tuple(ag.tensor(p, requires_grad=True) for p in pair) for pair in init]
    params_t = [tuple(torch.tensor(p, requires_grad=True) for p in pair) for pair in init]
    optimizer = nn.optim.Adam([p for pair in params for p in pair], lr=0.01)
    optimizer_t = torch.optim.Adam([p for pair in params_t for p in pair], lr=0.01)
    losses = []
    for step in range(10):
        pred = odeint(nn_predict, true_y0, t, args=(params,))
        loss = L1_loss(pred, true_y)
        pred_t = torch_odeint(torch, params_t, torch.tensor(true_y0), t)
        loss_t = (pred_t - torch.tensor(true_y)).abs().mean()
        np.testing.assert_allclose(loss.item(), loss_t.item(), rtol=1e-10)
        losses.append(loss.item())
        for opt, value in ((optimizer, loss), (optimizer_t, loss_t)):
            opt.zero_grad()
            value.backward()
            opt.step()
        for pair, pair_t in zip(params, params_t):
            for p, p_t in zip(pair, pair_t):
                np.testing.assert_allclose(p.grad, p_t.grad.numpy(), rtol=1e-9, atol=1e-12)
                np.testing.assert_allclose(p.data, p_t.detach().numpy(), rtol=1e-10,
                                           atol=1e-12)
    assert losses[-1] < losses[0]
