"""``autograd.linalg.solve_ex``, ``tensorsolve`` and ``tensorinv`` against PyTorch: values,
LAPACK's ``info``, gradients (and finite differences), and named errors."""

import numpy as np
import pytest

import autograd as ag
from autograd import gradcheck
from autograd.errors import ShapeError, SingularMatrixError


@pytest.mark.parametrize("left", [True, False])
def test_solve_ex_values_info_and_gradients_as_torch(torch, left):
    rng = np.random.default_rng(0)
    A = rng.standard_normal((3, 4, 4))
    A[1, 2] = A[1, 0] + A[1, 3]  # singular: a row is a sum of two others
    A[1, :, 1] = 0.0  # and a zero column, so LAPACK's pivot is exactly 0
    B = rng.standard_normal((3, 4, 2)) if left else rng.standard_normal((3, 2, 4))
    results = []
    for T in (ag, torch):
        a, b = T.tensor(A, requires_grad=True), T.tensor(B, requires_grad=True)
        result, info = T.linalg.solve_ex(a[::2], b[::2], left=left)
        result.pow(2).sum().backward()
        _, singular_info = T.linalg.solve_ex(a.detach(), b.detach(), left=left)
        results.append([result.detach().numpy(), info.numpy(), a.grad.numpy(),
                        b.grad.numpy(), singular_info.numpy()])
    for ours, theirs in zip(*results):
        np.testing.assert_allclose(ours, theirs, rtol=1e-10, atol=1e-12)
    assert results[0][1].dtype == np.int32 and results[0][4][1] != 0
    with pytest.raises(SingularMatrixError, match="check_errors=True"):
        ag.linalg.solve_ex(A, B if left else B.swapaxes(-1, -2), check_errors=True)


def test_solve_ex_of_a_batch_of_vectors_as_torch(torch):
    rng = np.random.default_rng(1)
    A, b = rng.standard_normal((2, 3, 3)), rng.standard_normal((2, 3))
    ours = ag.linalg.solve_ex(A, b)
    theirs = torch.linalg.solve_ex(torch.tensor(A), torch.tensor(b))
    np.testing.assert_allclose(ours.result.data, theirs.result.numpy(), rtol=1e-12)


@pytest.mark.parametrize("a_shape, b_shape, dims", [
    ((2, 3, 6), (2, 3), None),
    ((6, 4, 2, 3, 4), (6, 4), None),
    ((6, 2, 3), (2, 3), (0,)),  # A's axis 0 moved to the end first
])
def test_tensorsolve_as_torch_and_differentiable(torch, a_shape, b_shape, dims):
    rng = np.random.default_rng(2)
    A, B = rng.standard_normal(a_shape), rng.standard_normal(b_shape)
    out = []
    for T in (ag, torch):
        a, b = T.tensor(A, requires_grad=True), T.tensor(B, requires_grad=True)
        x = T.linalg.tensorsolve(a, b, dims=dims)
        x.pow(3).sum().backward()
        out.append([x.detach().numpy(), a.grad.numpy(), b.grad.numpy()])
    for ours, theirs in zip(*out):
        np.testing.assert_allclose(ours, theirs, rtol=1e-9, atol=1e-12)
    a, b = ag.tensor(A, requires_grad=True), ag.tensor(B, requires_grad=True)
    assert gradcheck(lambda a_, b_: ag.linalg.tensorsolve(a_, b_, dims=dims), [a, b])


@pytest.mark.parametrize("shape, ind", [((4, 6, 8, 3), 2), ((24, 2, 3, 4), 1)])
def test_tensorinv_as_torch_and_differentiable(torch, shape, ind):
    A = np.random.default_rng(3).standard_normal(shape)
    a, ta = ag.tensor(A, requires_grad=True), torch.tensor(A, requires_grad=True)
    inverse, tinverse = ag.linalg.tensorinv(a, ind=ind), torch.linalg.tensorinv(ta, ind=ind)
    np.testing.assert_allclose(inverse.data, tinverse.detach().numpy(), rtol=1e-9, atol=1e-12)
    inverse.pow(2).sum().backward()
    tinverse.pow(2).sum().backward()
    np.testing.assert_allclose(a.grad.data, ta.grad.numpy(), rtol=1e-8, atol=1e-10)


@pytest.mark.parametrize("call, match", [
    (lambda: ag.linalg.tensorinv(ag.zeros(2, 3, 4), ind=1), "square"),
    (lambda: ag.linalg.tensorinv(ag.zeros(4, 4), ind=0), "ind"),
    (lambda: ag.linalg.tensorsolve(ag.zeros(2, 3, 5), ag.zeros(2, 3)), "square"),
    (lambda: ag.linalg.tensorsolve(ag.zeros(2, 3, 6), ag.zeros(3, 2)), "leading"),
    (lambda: ag.linalg.solve_ex(ag.zeros(2, 3), ag.zeros(2)), "square"),
])
def test_bad_shapes_raise_shape_errors(call, match):
    with pytest.raises(ShapeError, match=match):
        call()
