"""HIPS autograd's derivative transforms as its users reach for them (``jacobian(f)(x)``,
``hessian(f)(x)``, ``hessian_vector_product``, ``make_jvp``, ``make_vjp``,
``elementwise_grad``), on NumPy-written functions, with this library's two families:
``autograd.func`` (transforms: ``jacrev``, ``hessian``, ``vjp``, ``jvp``, ``vmap``) and
``autograd.functional`` (PyTorch's ``torch.autograd.functional``: ``jacobian``,
``hessian``, ``hvp``, ``vjp``, ``jvp``). Each is compared with PyTorch's in float64, and
the Rosenbrock function is minimised by Newton's method with ``np.linalg.solve``.
See ``test_hips_ports_basics.py`` for the conventions.
"""

import numpy as np

import autograd as ag
from autograd import func, functional

RS = np.random.RandomState(1)
A = RS.randn(4, 3)


def assert_close(got, want, rtol: float = 1e-10, atol: float = 1e-12) -> None:
    got = got.data if isinstance(got, ag.Tensor) else got
    want = want.detach().numpy() if hasattr(want, "detach") else want
    np.testing.assert_allclose(np.asarray(got), np.asarray(want), rtol=rtol, atol=atol)


def vector_function(x):
    """R^3 -> R^4, written with NumPy's functions."""
    return np.tanh(np.dot(A, x)) + np.sum(np.roll(x, 1) ** 2) * np.ones(4)


def torch_vector_function(torch, x):
    return torch.tanh(torch.tensor(A) @ x) + (torch.roll(x, 1) ** 2).sum() * torch.ones(4)


def rosenbrock(x):
    """Rosenbrock's banana in n dimensions."""
    return np.sum(100.0 * (x[1:] - x[:-1] ** 2) ** 2 + (1.0 - x[:-1]) ** 2)


def torch_rosenbrock(x):
    return (100.0 * (x[1:] - x[:-1] ** 2) ** 2 + (1.0 - x[:-1]) ** 2).sum()


def test_jacobian_both_ways(torch):
    x = RS.randn(3)
    want = torch.autograd.functional.jacobian(lambda t: torch_vector_function(torch, t),
                                              torch.tensor(x))
    assert_close(func.jacrev(vector_function)(x), want)  # HIPS: jacobian(f)(x)
    assert_close(func.jacfwd(vector_function)(x), want)
    assert_close(functional.jacobian(vector_function, ag.tensor(x)), want)


def test_jacobian_of_two_inputs(torch):
    """A tuple of inputs gives a tuple of blocks, as in PyTorch (HIPS: argnum=0, 1)."""
    x, w = RS.randn(3), RS.randn(3)
    got = functional.jacobian(lambda x, w: np.tanh(x * w) + np.outer(x, w).sum(axis=0),
                              (ag.tensor(x), ag.tensor(w)))
    want = torch.autograd.functional.jacobian(
        lambda x, w: torch.tanh(x * w) + torch.outer(x, w).sum(0),
        (torch.tensor(x), torch.tensor(w)))
    for g, t in zip(got, want):
        assert_close(g, t)


def test_hessian_hvp_vhp(torch):
    x, v = RS.randn(5), RS.randn(5)
    H = torch.autograd.functional.hessian(torch_rosenbrock, torch.tensor(x))
    assert_close(func.hessian(rosenbrock)(x), H)  # HIPS: hessian(f)(x)
    assert_close(functional.hessian(rosenbrock, ag.tensor(x)), H)
    # HIPS's hessian_vector_product(f)(x, v)
    value, hv = functional.hvp(rosenbrock, ag.tensor(x), ag.tensor(v))
    value_t, hv_t = torch.autograd.functional.hvp(torch_rosenbrock, torch.tensor(x),
                                                  torch.tensor(v))
    assert_close(value, value_t)
    assert_close(hv, hv_t)
    assert_close(functional.vhp(rosenbrock, ag.tensor(x), ag.tensor(v))[1], hv_t)


def test_vjp_and_jvp(torch):
    x, u, v = RS.randn(3), RS.randn(4), RS.randn(3)

    def f_t(t):
        return torch_vector_function(torch, t)

    out_t, vjp_t = torch.autograd.functional.vjp(f_t, torch.tensor(x), torch.tensor(u))
    _, jvp_t = torch.autograd.functional.jvp(f_t, torch.tensor(x), torch.tensor(v))
    out, vjp = functional.vjp(vector_function, ag.tensor(x), ag.tensor(u))
    assert_close(out, out_t)
    assert_close(vjp, vjp_t)
    assert_close(functional.jvp(vector_function, ag.tensor(x), ag.tensor(v))[1], jvp_t)
    # HIPS's make_vjp(f)(x) gives the pullback; func.vjp gives (value, pullback) too
    value, pullback = func.vjp(vector_function, ag.tensor(x))
    assert_close(value, out_t)
    assert_close(pullback(ag.tensor(u))[0], vjp_t)
    primal, tangent = func.jvp(vector_function, (ag.tensor(x),), (ag.tensor(v),))
    assert_close(tangent, jvp_t)


def test_elementwise_grad_as_vmap_of_grad(torch):
    """HIPS's elementwise_grad(f)(x) for a scalar f applied elementwise: vmap(grad(f))."""
    x = RS.randn(7)
    # vmap batches Tensors only, as torch.func.vmap: the array is wrapped (grad takes arrays)
    got = func.vmap(func.grad(lambda s: np.sin(s) * np.exp(-s ** 2)))(ag.tensor(x))
    want = torch.func.vmap(torch.func.grad(lambda s: torch.sin(s) * torch.exp(-s ** 2)))(
        torch.tensor(x))
    assert_close(got, want)


def test_newton_on_rosenbrock(torch):
    """Newton's method: x <- x - H^-1 g, the Hessian solved with np.linalg.solve."""
    x, x_t = np.full(4, 0.5), torch.full((4,), 0.5)
    for step in range(8):
        g, H = func.grad(rosenbrock)(x), func.hessian(rosenbrock)(x)
        x = x - np.linalg.solve(H, g)
        g_t = torch.func.grad(torch_rosenbrock)(x_t)
        x_t = x_t - torch.linalg.solve(torch.func.hessian(torch_rosenbrock)(x_t), g_t)
        assert_close(x, x_t, rtol=1e-9, atol=1e-11)
    assert rosenbrock(x).item() < 0.05 * rosenbrock(np.full(4, 0.5))  # towards x = 1
