"""The n-th derivative of x ** n (and of x.square()) stays connected to x, as PyTorch's:
the next derivative is zeros, not a constant that "does not require grad", so a
physics-informed loss can use u_xxx of u = x ** 3 and a quadratic's Hessian asked with
create_graph=True and strict=True is returned."""

import numpy as np
import pytest

import autograd as ag
import autograd.functional as AF

CUBES = {"pow": lambda x: x ** 3, "square": lambda x: x.square() * x,
         "pow float": lambda x: x.pow(2.0) * x}


@pytest.mark.parametrize("name", sorted(CUBES))
def test_third_derivative_of_a_cube_trains(name):
    data = np.array([0.5, -1.2, 2.0])
    x = ag.tensor(data, requires_grad=True)
    (ux,) = ag.grad(CUBES[name](x).sum(), x, create_graph=True)
    (uxx,) = ag.grad(ux.sum(), x, create_graph=True)
    (uxxx,) = ag.grad(uxx.sum(), x, create_graph=True)
    np.testing.assert_allclose(ux.detach().numpy(), 3 * data ** 2)
    np.testing.assert_allclose(uxx.detach().numpy(), 6 * data)
    np.testing.assert_allclose(uxxx.detach().numpy(), np.full(3, 6.0))
    assert uxxx.requires_grad
    (fourth,) = ag.grad(uxxx.sum(), x)
    assert np.array_equal(fourth.numpy(), np.zeros(3))


@pytest.mark.parametrize("square", [lambda x: x ** 2, lambda x: x.square()])
def test_hessian_of_a_quadratic_with_create_graph_and_strict(square):
    x = ag.tensor([0.5, -1.2], requires_grad=True)
    hessian = AF.hessian(lambda x: square(x).sum(), x, create_graph=True, strict=True)
    assert hessian.requires_grad
    np.testing.assert_allclose(hessian.detach().numpy(), 2 * np.eye(2))


def test_square_gradient_still_matches_finite_differences():
    x = ag.tensor(np.array([0.3, -2.0, 0.0]), requires_grad=True)
    assert ag.gradcheck(lambda t: t.square(), (x,))
    assert ag.gradgradcheck(lambda t: t ** 2, (x,))
