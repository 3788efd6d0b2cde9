"""F.pdist against PyTorch (values and gradients, every kind of p, equal rows and zero
coordinates of a difference), by finite differences, and its named errors."""

import warnings

import numpy as np
import pytest

import nn.functional as F
from autograd import ShapeError, Tensor, gradcheck, gradgradcheck
from nn.errors import ConfigError

ROWS = np.array([[1.0, 2.0, 0.5],
                 [1.0, 2.0, 0.5],     # equal to row 0: distance 0
                 [0.0, 3.5, -1.25],
                 [1.0, 5.0, 0.5]])    # differs from row 0 in one coordinate only


@pytest.mark.parametrize("p", [0, 0.5, 1, 1.5, 2, 3, np.inf])
def test_values_and_gradients_follow_torch(p):
    torch = pytest.importorskip("torch")
    up = np.random.default_rng(1).standard_normal(6)
    x = Tensor(ROWS, requires_grad=True)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no NumPy warning at the zero distance
        out = F.pdist(x, p)
        (out * up).sum().backward()
    t = torch.tensor(ROWS, requires_grad=True)
    want = torch.nn.functional.pdist(t, p)
    (want * torch.tensor(up)).sum().backward()
    np.testing.assert_allclose(out.data, want.detach().numpy(), rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(x.grad, t.grad.numpy(), rtol=1e-12, atol=1e-14)


def test_upper_triangle_order_and_empty_cases():
    out = F.pdist(ROWS)
    full = np.sqrt(((ROWS[:, None] - ROWS[None]) ** 2).sum(-1))
    np.testing.assert_allclose(out.data, full[np.triu_indices(4, 1)], rtol=1e-12)
    assert F.pdist(np.ones((1, 3))).shape == (0,) and F.pdist(np.ones((0, 3))).shape == (0,)
    assert F.pdist(ROWS.astype(np.float32), 3).dtype == np.float32


@pytest.mark.parametrize("p", [0.7, 1, 2, 3, np.inf])
def test_gradients_match_finite_differences(p):
    x = Tensor(np.random.default_rng(2).standard_normal((4, 3)), requires_grad=True)
    assert gradcheck(lambda x: F.pdist(x, p), [x])
    if p in (2, 3):
        assert gradgradcheck(lambda x: F.pdist(x, p), [x])


def test_inf_norm_ties_share_the_gradient_evenly():
    x = Tensor(np.array([[0.0, 0.0], [2.0, -2.0]]), requires_grad=True)
    F.pdist(x, np.inf).backward()  # both coordinates tie at |d| = 2 (PyTorch: 1 each)
    np.testing.assert_array_equal(x.grad, [[-0.5, 0.5], [0.5, -0.5]])


def test_errors_are_named():
    with pytest.raises(ConfigError, match="pdist: p"):
        F.pdist(ROWS, -1)
    with pytest.raises(ShapeError, match=r"pdist takes a matrix \(N, M\)"):
        F.pdist(ROWS[0])
    with pytest.raises(ShapeError, match="pdist takes a matrix"):
        F.pdist(ROWS[None])
