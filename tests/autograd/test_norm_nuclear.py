"""``torch.norm(A, p='nuc')`` (a nuclear-norm penalty's usual spelling): the sum of the
singular values over all axes of a matrix or over a pair ``dim``, as PyTorch's."""

import numpy as np
import pytest

import autograd as ag
from autograd.errors import ShapeError


@pytest.mark.parametrize("call", [lambda T, x: x[0].norm(p="nuc"),
                                  lambda T, x: T.norm(x, p="nuc", dim=(1, 2)),
                                  lambda T, x: T.norm(x[1], p="nuc", keepdim=True),
                                  lambda T, x: T.norm(x, p="nuc", dim=(2, 0))])
def test_nuclear_norm_value_and_gradient_as_torch(torch, call):
    a = np.random.default_rng(0).standard_normal((2, 4, 3))
    x, tx = ag.tensor(a, requires_grad=True), torch.tensor(a, requires_grad=True)
    out, tout = call(ag, x), call(torch, tx)
    assert out.shape == tuple(tout.shape)
    np.testing.assert_allclose(out.data, tout.detach().numpy(), rtol=1e-12)
    out.sum().backward()
    tout.sum().backward()
    np.testing.assert_allclose(x.grad.data, tx.grad.numpy(), rtol=1e-10, atol=1e-12)


def test_nuclear_norm_needs_a_matrix():
    with pytest.raises(ShapeError, match="at least 2 axes"):
        ag.norm(ag.ones(3), p="nuc")
    with pytest.raises(ShapeError, match="pair of axes"):
        ag.ones(2, 2, 2).norm(p="nuc")
