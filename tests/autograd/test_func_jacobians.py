"""PyTorch's tutorial "Jacobians, Hessians, hvp, vhp, and more: composing function
transforms", its torch.func parts ported as written: the program is written once for a
library ``T`` (``autograd`` here, ``torch`` there) with its ``F`` and ``func``
(``autograd.func`` / ``torch.func``) and runs next to PyTorch's on the same data
(float64): every Jacobian, Hessian and product agrees with PyTorch's to 1e-10, and the
tutorial's own asserts (the transforms against the ``autograd.grad`` loop, jacfwd
against jacrev, hessian against jacfwd(jacfwd) and jacrev(jacrev), hvp by jvp against
hvp by vjp) hold in both.

Lines written differently here:
- ``torch.autograd.grad`` is ``autograd.grad`` (our package is the autograd namespace);
- the sizes are small (D = 6 for 16, Din/Dout 4/10 for 32/2048 and 6/3 for 512/32, a
  batch of 4 of 3 -> 5 for 64 of 31 -> 33, 20 for 2048) to keep the test fast;
- ``torch.randn`` draws are NumPy's, the same for both libraries;
- the timing sections (``torch.utils.benchmark.Timer``) are left out.
"""

from functools import partial

import numpy as np
import pytest

import autograd as ag
import nn.functional as nnF

# torch.func imports torch._dynamo on first use, which calls torch.jit.script (deprecated)
pytestmark = pytest.mark.filterwarnings("ignore:`torch.jit.script` is deprecated")


def libraries(torch=None) -> tuple:
    """(T, F, func, autograd-grad) for this library, or PyTorch's."""
    if torch is None:
        return ag, nnF, ag.func, ag.grad
    return torch, torch.nn.functional, torch.func, torch.autograd.grad


def program(libs, draw):
    """The tutorial's torch.func lines; ``draw(shape)`` replaces ``torch.randn(shape)``.
    Returns what it computes, by name."""
    T, F, func, autograd_grad = libs
    out = {}

    def predict(weight, bias, x):
        return F.linear(x, weight, bias).tanh()

    D = 6
    weight = draw(D, D)
    bias = draw(D)
    x = draw(D)  # feature vector

    def compute_jac(xp):
        jacobian_rows = [autograd_grad(predict(weight, bias, xp), xp, vec)[0]
                         for vec in unit_vectors]
        return T.stack(jacobian_rows)

    xp = x.clone().requires_grad_()
    unit_vectors = T.eye(D)

    jacobian = compute_jac(xp)
    out["jacobian"] = jacobian

    vmap, vjp = func.vmap, func.vjp

    _, vjp_fn = vjp(partial(predict, weight, bias), x)

    ft_jacobian, = vmap(vjp_fn)(unit_vectors)

    # let's confirm both methods compute the same result
    assert T.allclose(ft_jacobian, jacobian)
    out["vmap_vjp"] = ft_jacobian

    jacrev = func.jacrev

    ft_jacobian = jacrev(predict, argnums=2)(weight, bias, x)

    # confirm
    assert T.allclose(ft_jacobian, jacobian)

    ft_jac_weight, ft_jac_bias = jacrev(predict, argnums=(0, 1))(weight, bias, x)
    out["jac_weight"], out["jac_bias"] = ft_jac_weight, ft_jac_bias

    # reverse-mode vs forward-mode
    jacfwd = func.jacfwd
    Din = 4
    Dout = 10
    weight = draw(Dout, Din)
    bias = draw(Dout)
    x = draw(Din)

    using_fwd = jacfwd(predict, argnums=2)(weight, bias, x)
    using_bwd = jacrev(predict, argnums=2)(weight, bias, x)

    assert T.allclose(using_fwd, using_bwd)
    out["using_fwd"] = using_fwd

    # Hessian computation with torch.func.hessian
    hessian = func.hessian

    Din = 6
    Dout = 3
    weight = draw(Dout, Din)
    bias = draw(Dout)
    x = draw(Din)

    hess_api = hessian(predict, argnums=2)(weight, bias, x)
    hess_fwdfwd = jacfwd(jacfwd(predict, argnums=2), argnums=2)(weight, bias, x)
    hess_revrev = jacrev(jacrev(predict, argnums=2), argnums=2)(weight, bias, x)

    assert T.allclose(hess_api, hess_fwdfwd)
    assert T.allclose(hess_api, hess_revrev)
    out["hess_api"] = hess_api

    # Batch Jacobian and Batch Hessian
    batch_size = 4
    Din = 3
    Dout = 5

    weight = draw(Dout, Din)
    bias = draw(Dout)
    x = draw(batch_size, Din)

    compute_batch_jacobian = vmap(jacrev(predict, argnums=2), in_dims=(None, None, 0))
    batch_jacobian0 = compute_batch_jacobian(weight, bias, x)

    def predict_with_output_summed(weight, bias, x):
        return predict(weight, bias, x).sum(0)

    batch_jacobian1 = jacrev(predict_with_output_summed, argnums=2)(weight, bias,
                                                                   x).movedim(1, 0)
    assert T.allclose(batch_jacobian0, batch_jacobian1)
    out["batch_jacobian"] = batch_jacobian0

    compute_batch_hessian = vmap(hessian(predict, argnums=2), in_dims=(None, None, 0))

    batch_hess = compute_batch_hessian(weight, bias, x)
    assert tuple(batch_hess.shape) == (batch_size, Dout, Din, Din)
    out["batch_hess"] = batch_hess

    # Computing Hessian-vector products
    jvp, grad = func.jvp, func.grad

    def hvp(f, primals, tangents):
        return jvp(grad(f), primals, tangents)[1]

    def f(x):
        return x.sin().sum()

    x = draw(20)
    tangent = draw(20)
    result = hvp(f, (x,), (tangent,))

    def hvp_revrev(f, primals, tangents):
        _, vjp_fn = vjp(grad(f), *primals)
        return vjp_fn(*tangents)

    result_hvp_revrev = hvp_revrev(f, (x,), (tangent,))
    assert T.allclose(result, result_hvp_revrev[0])
    out["hvp"] = result
    return out


def numpy_of(t) -> np.ndarray:
    return np.asarray(t.detach().numpy())


def test_jacobians_tutorial_matches_pytorch(torch):
    results = []
    for T in (ag, torch):
        rng = np.random.default_rng(0)
        results.append(program(libraries(None if T is ag else torch),
                               lambda *shape, T=T, rng=rng: T.tensor(
                                   rng.standard_normal(shape))))
    ours, theirs = results
    assert list(ours) == list(theirs)
    for name in ours:
        assert ours[name].shape == tuple(theirs[name].shape), name
        np.testing.assert_allclose(numpy_of(ours[name]), numpy_of(theirs[name]),
                                   rtol=1e-10, atol=1e-12, err_msg=name)
    # the Hessian of each tanh unit is symmetric in the input
    h = ours["hess_api"].data
    np.testing.assert_allclose(h, np.swapaxes(h, 1, 2), rtol=0, atol=1e-14)
