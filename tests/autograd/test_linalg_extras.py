"""``autograd.linalg.vecdot``, ``multi_dot``, ``cholesky_ex``, ``inv_ex`` against PyTorch,
and ``eig``/``eigvals`` refused with advice (their results are complex)."""

import numpy as np
import pytest

import autograd as ag
from autograd.errors import ShapeError, SingularMatrixError, UnsupportedError


def test_vecdot_and_multi_dot_values_and_gradients_as_torch(torch):
    rng = np.random.default_rng(0)
    x, y = rng.standard_normal((3, 4)), rng.standard_normal(4)
    A, B, v = rng.standard_normal((4, 5)), rng.standard_normal((5, 2)), rng.standard_normal(2)
    ours = [ag.tensor(a, requires_grad=True) for a in (x, y, A, B, v)]
    theirs = [torch.tensor(a, requires_grad=True) for a in (x, y, A, B, v)]
    for T, (x_, y_, A_, B_, v_) in ((ag, ours), (torch, theirs)):
        d = T.linalg.vecdot(x_, y_)
        w = T.linalg.multi_dot([y_, A_, B_, v_])
        m = T.linalg.multi_dot([A_, B_])
        (d.pow(2).sum() + w * 2 + m.sum() + T.linalg.vecdot(x_, x_, dim=0).sum()).backward()
    for a, b in zip(ours, theirs):
        np.testing.assert_allclose(a.grad.data, b.grad.numpy(), rtol=1e-12, atol=1e-12)
    with pytest.raises(ShapeError, match="1-d or 2-d"):
        ag.linalg.multi_dot([ag.zeros(2, 2, 2), ag.zeros(2, 2)])


def test_cholesky_ex_and_inv_ex_info_as_torch(torch):
    good = np.array([[2.0, 1, 0], [1, 2, 0], [0, 0, 3]])
    not_pd = np.array([[4.0, 2, 0], [2, 1, 0], [0, 0, 1]])  # singular 2x2 leading minor
    batch = np.stack([not_pd, good])
    for upper in (False, True):
        L, info = ag.linalg.cholesky_ex(batch, upper=upper)
        tL, tinfo = torch.linalg.cholesky_ex(torch.tensor(batch), upper=upper)
        np.testing.assert_array_equal(info.data, tinfo.numpy())
        assert info.dtype == np.int32 and info.shape == (2,)
    x = ag.tensor(good, requires_grad=True)
    tx = torch.tensor(good, requires_grad=True)
    ag.linalg.cholesky_ex(x).L.sum().backward()
    torch.linalg.cholesky_ex(tx).L.sum().backward()
    np.testing.assert_allclose(x.grad.data, tx.grad.numpy(), atol=1e-12)
    inverse, info = ag.linalg.inv_ex(batch)
    tinverse, tinfo = torch.linalg.inv_ex(torch.tensor(batch))
    np.testing.assert_array_equal(info.data, tinfo.numpy())
    np.testing.assert_allclose(inverse.data[1], tinverse[1].numpy(), atol=1e-14)
    assert ag.linalg.inv_ex(good).info.item() == 0
    with pytest.raises(SingularMatrixError, match="check_errors=True"):
        ag.linalg.cholesky_ex(not_pd, check_errors=True)
    with pytest.raises(SingularMatrixError, match="check_errors=True"):
        ag.linalg.inv_ex(np.ones((2, 2)), check_errors=True)


@pytest.mark.parametrize("name", ["eig", "eigvals"])
def test_eig_is_refused_with_the_symmetric_alternative(name):
    with pytest.raises(UnsupportedError, match="complex.*eigh"):
        getattr(ag.linalg, name)(ag.eye(3))
    with pytest.raises(NotImplementedError):
        getattr(ag.linalg, name)(ag.eye(3))


def test_a_failed_matrix_leaves_the_others_differentiable(torch):
    batch = np.stack([np.ones((2, 2)), np.array([[2.0, 1], [1, 3]])])
    x = ag.tensor(batch, requires_grad=True)
    tx = torch.tensor(batch, requires_grad=True)
    for f in ("cholesky_ex", "inv_ex"):
        ours, theirs = getattr(ag.linalg, f)(x)[0], getattr(torch.linalg, f)(tx)[0]
        assert np.isnan(ours.data[0]).all()
        np.testing.assert_allclose(ours.data[1], theirs[1].detach().numpy(), atol=1e-14)
        ours[1].sum().backward()
        theirs[1].sum().backward()
    np.testing.assert_allclose(x.grad.data[1], tx.grad.numpy()[1], atol=1e-12)
    assert not x.grad.data[0].any()
