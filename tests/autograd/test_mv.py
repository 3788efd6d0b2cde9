"""``autograd.mv`` / ``x.mv``: PyTorch's matrix-vector product (d2l's ``torch.mv(A, x)``)."""

import numpy as np
import pytest

import autograd as ag
from autograd.errors import ShapeError

RNG = np.random.default_rng(0)


def test_mv_is_pytorchs_matrix_vector_product():
    torch = pytest.importorskip("torch")
    a, v = RNG.standard_normal((3, 4)), RNG.standard_normal(4)
    ta, tv = ag.Tensor(a, requires_grad=True), ag.Tensor(v, requires_grad=True)
    (ag.mv(ta, tv) ** 2).sum().backward()
    qa, qv = torch.tensor(a, requires_grad=True), torch.tensor(v, requires_grad=True)
    (torch.mv(qa, qv) ** 2).sum().backward()
    np.testing.assert_allclose(ta.grad.data, qa.grad.numpy(), rtol=1e-12)
    np.testing.assert_allclose(tv.grad.data, qv.grad.numpy(), rtol=1e-12)
    np.testing.assert_allclose(ag.Tensor(a).mv(ag.Tensor(v)).data, a @ v)
    with pytest.raises(ShapeError, match="mv: needs a matrix and a vector"):
        ag.mv(ag.Tensor(a), ag.Tensor(a))
