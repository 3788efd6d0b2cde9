"""``autograd.vander``/``linalg.vander``, ``block_diag``, ``addmv``, ``addr``, ``ger``,
``chain_matmul`` and the methods ``x.addmv x.addr x.ger``: values and gradients against
PyTorch (the Vandermonde gradient exact at x = 0)."""

import numpy as np
import pytest

import autograd as ag
from autograd.errors import ShapeError


def check(torch, build, *arrays, tol=1e-12):
    ours = [ag.tensor(a, requires_grad=True) for a in arrays]
    theirs = [torch.tensor(a, requires_grad=True) for a in arrays]
    out, tout = build(ag, *ours), build(torch, *theirs)
    np.testing.assert_allclose(out.data, tout.detach().numpy(), rtol=tol, atol=tol)
    g = np.random.default_rng(9).standard_normal(out.shape)
    (out * ag.tensor(g)).sum().backward()
    (tout * torch.tensor(g)).sum().backward()
    for a, b in zip(ours, theirs):
        np.testing.assert_allclose(a.grad.data, b.grad.numpy(), rtol=tol, atol=tol)


@pytest.mark.parametrize("N,increasing", [(None, False), (4, True), (2, False)])
def test_vander_as_torch_also_at_zero(torch, N, increasing):
    x = np.array([0.0, 1.5, -2.0])
    # torch.vander's own backward fails (an in-place write in its cumprod, torch 2.13):
    # its values against PyTorch, its gradient against finite differences
    np.testing.assert_array_equal(ag.vander(x, N=N, increasing=increasing).data,
                                  torch.vander(torch.tensor(x), N=N, increasing=increasing))
    ag.gradcheck(lambda t: ag.vander(t, N=N, increasing=increasing),
                 ag.tensor(x, requires_grad=True))
    check(torch, lambda T, t: T.linalg.vander(t, N=N), np.stack([x, x + 1]))


def test_block_diag_as_torch(torch):
    rng = np.random.default_rng(0)
    check(torch, lambda T, a, b, c: T.block_diag(a, b, c),
          np.array(2.0), rng.standard_normal(2), rng.standard_normal((2, 3)))
    with pytest.raises(ShapeError, match="at most 2 dimensions"):
        ag.block_diag(ag.zeros(1, 1, 1))


@pytest.mark.parametrize("beta,alpha", [(1, 1), (0.5, 2.0), (0, 3.0)])
def test_addmv_addr_ger_chain_matmul_as_torch(torch, beta, alpha):
    rng = np.random.default_rng(1)
    v3, M, v4 = rng.standard_normal(3), rng.standard_normal((3, 4)), rng.standard_normal(4)
    check(torch, lambda T, y, m, v: T.addmv(y, m, v, beta=beta, alpha=alpha), v3, M, v4)
    check(torch, lambda T, m, a, b: m.addr(a, b, beta=beta, alpha=alpha), M, v3, v4)
    check(torch, lambda T, a, b: T.ger(a, b) + a.ger(b), v3, v4)
    check(torch, lambda T, a, b, c: T.chain_matmul(a, b, c), M.T, M, M.T)
    nan_input = ag.tensor(np.full(3, np.nan))
    assert not np.isnan(ag.addmv(nan_input, M, v4, beta=0).data).any()
    with pytest.raises(ShapeError, match="vec a vector"):
        ag.addmv(v3, M, M)


def test_matrix_power_and_cholesky_upper_as_torch(torch):
    a = np.random.default_rng(2).standard_normal((2, 3, 3))
    check(torch, lambda T, x: T.matrix_power(x, 3) + T.matrix_power(x, -2), a, tol=1e-10)
    spd = a @ np.swapaxes(a, -1, -2) + 3 * np.eye(3)
    check(torch, lambda T, x: T.cholesky(x, upper=True) + T.cholesky(x, False), spd)


@pytest.mark.parametrize("name,advice", [("symeig", "linalg.eigh"), ("lstsq", "A first"),
                                         ("eig", "complex"), ("orgqr", "householder_product"),
                                         ("nuclear_norm", "'nuc'")])
def test_removed_linear_algebra_names_say_what_to_call(name, advice):
    with pytest.raises(AttributeError, match=advice):
        getattr(ag, name)
