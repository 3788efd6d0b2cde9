"""HIPS autograd's first examples, ported as their readers write them: NumPy code
(``np.tanh``, ``np.dot``, ``np.sum``, ``np.log``...) called on this library's Tensors, and
differentiated. Each runs next to the same program written with PyTorch (float64, same
data and starting values): values, gradients and trained weights agree to ~1e-10.

Programs: tanh's derivatives up to order 6 by nesting the gradient; the Taylor series of
sin with a data-dependent stop, differentiated twice; logistic regression
trained by gradient descent and by ``scipy.optimize.minimize``; a small tanh network on
scikit-learn's digits trained with Adam. The derivative transforms (jacobian, hessian,
hvp...) are in ``test_hips_ports_functional.py``; the models (Gaussian process, black-box
variational inference, Gaussian mixture, RNN) in ``test_hips_ports_models.py``; the fluid
simulation in ``test_hips_ports_fluidsim.py``.

Where HIPS's line is written differently here, the line says so:
- ``import autograd.numpy as np`` is ``import numpy as np``: NumPy's functions run the
  differentiable ops on Tensors (``__array_function__``/``__array_ufunc__``);
- HIPS's ``grad(f)(x)`` (a function transform) is ``autograd.func.grad(f)(x)``:
  ``autograd.grad`` is PyTorch's ``grad(outputs, inputs)`` (``autograd.grad(f)`` says so);
- ``elementwise_grad(f)`` is ``func.grad(lambda x: np.sum(f(x)))``: the gradient of the
  sum is the vector-Jacobian product with ones that HIPS computes;
- ``autograd.scipy.special.logsumexp`` is ``autograd.logsumexp``: SciPy's own converts
  a Tensor to a plain array (NumPy's ``__array__``), which cuts it out of the graph.
"""

import numpy as np
import pytest

import autograd as ag
import nn
from autograd import func

RS = np.random.RandomState(0)


def assert_close(got, want, rtol: float = 1e-10, atol: float = 1e-12) -> None:
    got = got.data if isinstance(got, ag.Tensor) else got
    want = want.detach().numpy() if hasattr(want, "detach") else want
    np.testing.assert_allclose(np.asarray(got), np.asarray(want), rtol=rtol, atol=atol)


# ------------------------------------------------ tanh.py: derivatives up to order 6
def tanh(x):
    """HIPS's tanh example: (1 - e^-x) / (1 + e^-x), written with NumPy's functions."""
    return (1.0 - np.exp(-x)) / (1.0 + np.exp(-x))


def egrad(fun):
    """HIPS's elementwise_grad: d sum(fun(x)) / dx, one derivative per element."""
    return func.grad(lambda x: np.sum(fun(x)))


def test_tanh_derivatives_up_to_order_six(torch):
    x = np.linspace(-7, 7, 41)
    ours, theirs = tanh, (lambda t: (1.0 - torch.exp(-t)) / (1.0 + torch.exp(-t)))
    for order in range(1, 7):
        ours = egrad(ours)
        theirs = torch.func.grad((lambda f: lambda t: f(t).sum())(theirs))
        got, want = ours(x), theirs(torch.tensor(x))
        assert isinstance(got, ag.Tensor) and not got.requires_grad, order
        assert_close(got, want, rtol=1e-9, atol=1e-11)


def test_tanh_derivatives_the_pytorch_way(torch):
    """The same six derivatives with autograd.grad(..., create_graph=True) in a loop."""
    x = ag.tensor(np.linspace(-7, 7, 41), requires_grad=True)
    t = torch.tensor(x.data, requires_grad=True)
    y, y_t = tanh(x), (1.0 - torch.exp(-t)) / (1.0 + torch.exp(-t))
    for order in range(1, 7):
        (y,) = ag.grad(np.sum(y), x, create_graph=True)
        (y_t,) = torch.autograd.grad(y_t.sum(), t, create_graph=True)
        assert_close(y, y_t, rtol=1e-9, atol=1e-11)


# ------------------------------------------ sinusoid.py: a Taylor series with a break
def taylor_sin(x, absolute=np.abs):
    """sin x by its Taylor series, stopped once a term is small: Python control flow on
    Tensor values (``if np.abs(term) < 0.2``) decides how many terms are recorded.
    (``absolute`` is torch.abs for PyTorch's run: np.abs refuses torch tensors.)"""
    currterm = x
    ans = currterm
    for i in range(1000):
        currterm = -currterm * x ** 2 / ((2 * i + 3) * (2 * i + 2))
        ans = ans + currterm
        if absolute(currterm) < 0.2:
            break
    return ans


def test_sinusoid_taylor_first_and_second_derivatives(torch):
    d_fun = func.grad(taylor_sin)  # HIPS: grad(fun), then grad(d_fun)
    dd_fun = func.grad(d_fun)
    d_t = torch.func.grad(lambda x: taylor_sin(x, torch.abs))
    dd_t = torch.func.grad(d_t)
    for x in np.linspace(-10, 10, 9):  # HIPS maps the functions over the points
        assert_close(taylor_sin(ag.tensor(x)), taylor_sin(torch.tensor(x), torch.abs))
        assert_close(d_fun(x), d_t(torch.tensor(x)), rtol=1e-9)
        assert_close(dd_fun(x), dd_t(torch.tensor(x)), rtol=1e-9)


# ---------------------------------------------- logistic_regression.py
def sigmoid(x):
    return 0.5 * (np.tanh(x) + 1.0)


def predictions(weights, inputs):
    return sigmoid(np.dot(inputs, weights))


def logistic_loss(weights, inputs, targets):
    """The negative log-likelihood; targets is a boolean array, as HIPS draws it."""
    preds = predictions(weights, inputs)
    log_lik = np.sum(np.log(preds) * targets) + np.sum(np.log(1 - preds) * (1 - targets))
    return -log_lik


def torch_logistic_loss(torch, weights, inputs, targets):
    preds = 0.5 * (torch.tanh(inputs @ weights) + 1.0)
    targets = torch.tensor(targets, dtype=torch.float64)
    return -((torch.log(preds) * targets).sum() + (torch.log(1 - preds) * (1 - targets)).sum())


def logistic_data():
    true_weights = RS.randn(5)
    inputs = RS.randn(40, 5)
    targets = RS.rand(40) > predictions(true_weights, inputs)
    return inputs, targets, 0.1 * RS.randn(5)


def test_logistic_regression_by_gradient_descent(torch):
    inputs, targets, init = logistic_data()
    training_gradient = func.grad(lambda w: logistic_loss(w, inputs, targets))
    weights, weights_t = init, torch.tensor(init, requires_grad=True)
    for step in range(30):
        weights = weights - 0.01 * training_gradient(weights)
        loss_t = torch_logistic_loss(torch, weights_t, torch.tensor(inputs), targets)
        (g,) = torch.autograd.grad(loss_t, weights_t)
        weights_t = (weights_t - 0.01 * g).detach().requires_grad_()
        assert_close(weights, weights_t)
    assert_close(logistic_loss(weights, inputs, targets),
                 torch_logistic_loss(torch, weights_t, torch.tensor(inputs), targets))


def test_logistic_regression_with_scipy_minimize(torch):
    """HIPS passes value_and_grad to scipy: here func.grad_and_value gives (grad, value)
    as Tensors, which SciPy reads as arrays."""
    optimize = pytest.importorskip("scipy.optimize")
    inputs, targets, init = logistic_data()
    loss_with_grad = func.grad_and_value(lambda w: logistic_loss(w, inputs, targets))

    def ours(w):
        gradient, value = loss_with_grad(w)
        return float(value), gradient.numpy()

    def theirs(w):
        w = torch.tensor(w, requires_grad=True)
        loss = torch_logistic_loss(torch, w, torch.tensor(inputs), targets)
        return loss.item(), torch.autograd.grad(loss, w)[0].numpy()

    options = {"maxiter": 20}
    got = optimize.minimize(ours, init, jac=True, method="CG", options=options)
    want = optimize.minimize(theirs, init, jac=True, method="CG", options=options)
    np.testing.assert_allclose(got.x, want.x, rtol=1e-8, atol=1e-10)
    assert got.nit == want.nit


# ------------------------------------------------ neural_net.py on scikit-learn's digits
def init_random_params(scale, layer_sizes, rs):
    """A list of (weights, biases), one pair per layer."""
    return [(scale * rs.randn(m, n), scale * rs.randn(n))
            for m, n in zip(layer_sizes[:-1], layer_sizes[1:])]


def neural_net_predict(params, inputs):
    """Normalized class log-probabilities of a tanh network."""
    for W, b in params:
        outputs = np.dot(inputs, W) + b
        inputs = np.tanh(outputs)
    return outputs - ag.logsumexp(outputs, axis=1, keepdims=True)  # not SciPy's: see above


def l2_norm(params):
    """The squared norm of all parameters: HIPS flattens them (autograd.misc.flatten)."""
    flattened = np.concatenate([np.ravel(p) for pair in params for p in pair])
    return np.dot(flattened, flattened)


def log_posterior(params, inputs, targets, L2_reg):
    return -L2_reg * l2_norm(params) + np.sum(neural_net_predict(params, inputs) * targets)


def accuracy(params, inputs, targets):
    target_class = np.argmax(targets, axis=1)
    predicted_class = np.argmax(neural_net_predict(params, inputs), axis=1)
    return np.mean(predicted_class == target_class)


def torch_log_posterior(torch, params, inputs, targets, L2_reg):
    x = inputs
    for W, b in params:
        outputs = x @ W + b
        x = torch.tanh(outputs)
    log_probs = outputs - torch.logsumexp(outputs, dim=1, keepdim=True)
    flat = torch.cat([p.reshape(-1) for pair in params for p in pair])
    return -L2_reg * (flat @ flat) + (log_probs * targets).sum(), log_probs


def test_neural_net_on_digits_with_adam(torch):
    datasets = pytest.importorskip("sklearn.datasets")
    images, labels = datasets.load_digits(return_X_y=True)
    images, targets = images[:200] / 16.0, np.eye(10)[labels[:200]]
    batch_size, L2_reg = 50, 0.1
    init = init_random_params(0.1, [64, 16, 10], np.random.RandomState(0))
    # HIPS's adam(grad, params) updates NumPy arrays; here the parameters are Tensors
    # stepped by nn.optim.Adam, as PyTorch's by torch.optim.Adam
    params = [tuple(ag.tensor(p, requires_grad=True) for p in pair) for pair in init]
    params_t = [tuple(torch.tensor(p, requires_grad=True) for p in pair) for pair in init]
    flat, flat_t = [p for pair in params for p in pair], [p for pair in params_t for p in pair]
    optimizer = nn.optim.Adam(flat, lr=0.01)
    optimizer_t = torch.optim.Adam(flat_t, lr=0.01)
    for step in range(12):
        idx = slice((step % 4) * batch_size, (step % 4 + 1) * batch_size)
        objective = -log_posterior(params, images[idx], targets[idx], L2_reg)
        objective_t = -torch_log_posterior(torch, params_t, torch.tensor(images[idx]),
                                           torch.tensor(targets[idx]), L2_reg)[0]
        assert_close(objective, objective_t)
        for opt, loss in ((optimizer, objective), (optimizer_t, objective_t)):
            opt.zero_grad()
            loss.backward()
            opt.step()
        for p, p_t in zip(flat, flat_t):
            assert_close(p.grad, p_t.grad)
            assert_close(p, p_t)
    log_probs_t = torch_log_posterior(torch, params_t, torch.tensor(images),
                                      torch.tensor(targets), L2_reg)[1]
    want = (log_probs_t.argmax(1) == torch.tensor(labels[:200])).double().mean()
    assert_close(accuracy(params, images, targets), want)
