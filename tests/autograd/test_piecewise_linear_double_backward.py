"""The gradient of a piecewise-linear activation (relu, leaky_relu, hardtanh, relu6,
threshold, hardshrink, softshrink, rrelu, prelu) keeps its input in the gradient's graph under
``create_graph=True``, with derivative 0, as PyTorch's ``threshold_backward`` /
``leaky_relu_backward`` do: differentiating the gradient again with respect to the
input gives zeros there (a ReLU network's u_xx in a PINN, the Hessian of its output with
respect to its input) where it raised "input is not used". Values and second
derivatives agree with PyTorch; the first derivative is unchanged."""

from __future__ import annotations

import numpy as np
import pytest

import autograd as ag
import nn
import nn.functional as F

X = np.array([[-1.5, -0.3, 0.0, 0.4, 2.0, 7.0], [-8.0, -0.5, 0.5, 1.0, -0.01, 0.2]])


def activations(T, F):
    """name -> the activation in library ``T`` with functional namespace ``F``."""
    return {"relu": F.relu, "leaky_relu": lambda x: F.leaky_relu(x, 0.2),
            "hardtanh": F.hardtanh, "relu6": F.relu6,
            "threshold": lambda x: F.threshold(x, 0.1, 20.0),
            "hardshrink": F.hardshrink, "softshrink": F.softshrink,
            "rrelu_eval": lambda x: F.rrelu(x, training=False),
            "prelu": lambda x: F.prelu(x, x.new_tensor([0.25])),
            "relu_method": lambda x: x.relu()}


def second_order(T, grad, f) -> tuple:
    """(f(x), grad f, whether grad f requires grad, d/dx sum(grad f)^2 ... ) as arrays."""
    x = T.tensor(X, requires_grad=True)
    y = f(x)
    (g,) = grad(y, x, grad_outputs=T.ones_like(y), create_graph=True)
    (h,) = grad((g * g).sum(), x, create_graph=True)
    return y.detach().numpy(), g.detach().numpy(), g.requires_grad, h.detach().numpy()


@pytest.mark.parametrize("name", list(activations(ag, F)))
def test_grad_of_the_gradient_is_zero_as_torch(torch, name: str) -> None:
    ours = second_order(ag, ag.grad, activations(ag, F)[name])
    theirs = second_order(torch, torch.autograd.grad,
                          activations(torch, torch.nn.functional)[name])
    for a, b in zip(ours, theirs):
        np.testing.assert_allclose(a, b, rtol=1e-15, atol=0)
    assert ours[2] is True


def test_the_hessian_of_a_relu_network_with_respect_to_its_input(torch) -> None:
    torch.manual_seed(0)
    net = torch.nn.Sequential(torch.nn.Linear(3, 5), torch.nn.LeakyReLU(0.1),
                              torch.nn.Linear(5, 5), torch.nn.PReLU(5), torch.nn.Linear(5, 5),
                              torch.nn.ReLU(), torch.nn.Linear(5, 1))
    ours = nn.Sequential(nn.Linear(3, 5), nn.LeakyReLU(0.1), nn.Linear(5, 5), nn.PReLU(5),
                         nn.Linear(5, 5), nn.ReLU(), nn.Linear(5, 1))
    ours.load_state_dict(net.state_dict())
    results = []
    for T, model, grad in ((torch, net, torch.autograd.grad), (ag, ours, ag.grad)):
        x = T.tensor(X[:, :3], requires_grad=True)
        u = model(x)
        (u_x,) = grad(u, x, grad_outputs=T.ones_like(u), create_graph=True)
        (u_xx,) = grad(u_x, x, grad_outputs=T.ones_like(u_x), create_graph=True)
        (u_xx.sum() + u_x.pow(2).sum()).backward()  # the weights' gradients still flow
        results.append([u_x.detach().numpy(), u_xx.detach().numpy(),
                        *[p.grad for p in model.parameters()]])
    assert results[0][-1] is None and results[1][-1] is None  # the last bias: not in u_x
    for a, b in zip(results[1][:-1], results[0][:-1]):
        np.testing.assert_allclose(np.asarray(a), np.asarray(b), rtol=1e-12, atol=1e-15)


def test_without_create_graph_nothing_is_recorded() -> None:
    x = ag.tensor(X, requires_grad=True)
    (g,) = ag.grad(F.leaky_relu(x, 0.2).sum(), x)
    assert not g.requires_grad
    np.testing.assert_array_equal(g.numpy(), np.where(X > 0, 1.0, 0.2))


def test_extend_piecewise_linear_builds_such_an_op() -> None:
    """``autograd.extend.piecewise_linear(x, value, slope)``: the values as given, the
    gradient g * slope (exactly 0 where slope is 0, also for an infinite g), a second
    derivative of 0 with respect to x, and a named error for a wrong shape."""
    from autograd.extend import piecewise_linear

    def hard_clip(x):  # x inside [-1, 1], the bound outside
        inside = np.abs(x.data) < 1
        return piecewise_linear(x, np.where(inside, x.data, np.sign(x.data)), inside)

    x = ag.tensor(X, requires_grad=True)
    np.testing.assert_array_equal(hard_clip(x).detach().numpy(), np.clip(X, -1, 1))
    (g,) = ag.grad(hard_clip(x), x, grad_outputs=ag.full(X.shape, np.inf),
                   create_graph=True)
    np.testing.assert_array_equal(g.detach().numpy(), np.where(np.abs(X) < 1, np.inf, 0))
    (h,) = ag.grad(hard_clip(x * x).sum(), x, create_graph=True)
    (k,) = ag.grad(h.sum(), x)
    np.testing.assert_array_equal(k.numpy(), np.where(np.abs(X) < 1, 2.0, 0.0))
    assert ag.gradgradcheck(lambda t: hard_clip(t * t), [ag.tensor(X / 4, requires_grad=True)])
    with pytest.raises(ag.ShapeError, match="piecewise_linear: value must have x's shape"):
        piecewise_linear(x, X[0], np.ones(6, bool))
