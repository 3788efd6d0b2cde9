"""``matrix_exp`` (``autograd.matrix_exp``, ``autograd.linalg.matrix_exp``): values and
gradients next to PyTorch on general matrices, small and large, batched, float32;
first and second derivatives against finite differences; the identities it must keep."""
from __future__ import annotations

import numpy as np
import pytest

import autograd as ag
from autograd.errors import DTypeError, ShapeError


@pytest.mark.parametrize("shape, scale", [((3, 3), 0.1), ((4, 4), 1.0), ((2, 3, 3), 4.0),
                                          ((5, 5), 20.0), ((1, 1), 3.0), ((0, 2, 2), 1.0)])
def test_values_and_gradients_as_pytorch(torch, shape, scale) -> None:
    rng = np.random.default_rng(0)
    a, g = rng.normal(size=shape) * scale, rng.normal(size=shape)
    ours = ag.tensor(a, requires_grad=True)
    got = ag.linalg.matrix_exp(ours)
    (got * ag.tensor(g)).sum().backward()
    theirs = torch.tensor(a, requires_grad=True)
    want = torch.linalg.matrix_exp(theirs)
    (want * torch.tensor(g)).sum().backward()
    size = max(1.0, float(np.abs(want.detach().numpy()).max(initial=0.0)))
    np.testing.assert_allclose(got.detach().numpy(), want.detach().numpy(), rtol=0,
                               atol=1e-13 * size)
    grad_size = max(1.0, float(np.abs(theirs.grad.numpy()).max(initial=0.0)))
    np.testing.assert_allclose(ours.grad.numpy(), theirs.grad.numpy(), rtol=0,
                               atol=1e-12 * grad_size)


def test_float32_stays_float32(torch) -> None:
    a = np.random.default_rng(1).normal(size=(3, 3)).astype(np.float32)
    got = ag.matrix_exp(ag.tensor(a))
    assert got.dtype == np.float32
    np.testing.assert_allclose(got.numpy(), torch.matrix_exp(torch.tensor(a)).numpy(),
                               rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_first_and_second_derivatives_match_finite_differences(seed) -> None:
    a = np.random.default_rng(seed).normal(size=(2, 3, 3))
    assert ag.gradcheck(ag.matrix_exp, [ag.tensor(a, requires_grad=True)])
    assert ag.gradgradcheck(ag.matrix_exp, [ag.tensor(a[0], requires_grad=True)])


def test_the_identities_of_the_exponential() -> None:
    rng = np.random.default_rng(3)
    a = ag.tensor(rng.normal(size=(4, 4)))
    np.testing.assert_allclose((ag.matrix_exp(a) @ ag.matrix_exp(-a)).numpy(), np.eye(4),
                               atol=1e-12)
    np.testing.assert_allclose(ag.linalg.det(ag.matrix_exp(a)).item(),
                               np.exp(np.trace(a.numpy())), rtol=1e-12)
    np.testing.assert_array_equal(ag.matrix_exp(ag.zeros(3, 3)).numpy(), np.eye(3))
    d = np.diag([0.5, -1.0, 2.0])
    np.testing.assert_allclose(ag.matrix_exp(d).numpy(), np.diag(np.exp(np.diag(d))),
                               rtol=1e-14)


@pytest.mark.parametrize("bad, error, message", [
    (np.ones((2, 3)), ShapeError, r"square matrices .* got shape \(2, 3\)"),
    (np.ones(3), ShapeError, r"got shape \(3,\)"),
    (np.eye(2, dtype=np.int64), DTypeError, "needs floating matrices; got dtype int64")])
def test_bad_input_is_named(bad, error, message) -> None:
    with pytest.raises(error, match=message):
        ag.matrix_exp(ag.tensor(bad))


@pytest.mark.filterwarnings("ignore::RuntimeWarning")  # inf - inf inside the approximant
@pytest.mark.parametrize("value", [5e-324, 1e-300, np.inf, -np.inf, np.nan, 1e300])
def test_extreme_entries_as_pytorch(torch, value) -> None:
    """A subnormal entry (hypothesis found 5e-324: its norm / theta underflowed to 0, and
    log2(0) broke the scaling), infinities, NaN and huge entries give PyTorch's values."""
    a = np.array([[value, 0.5], [0.25, -1.0]])
    got = ag.matrix_exp(ag.tensor(a)).numpy()
    want = torch.linalg.matrix_exp(torch.tensor(a)).numpy()
    np.testing.assert_allclose(got, want, rtol=1e-12, equal_nan=True)
