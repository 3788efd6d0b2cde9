"""``autograd.pdist`` (``torch.pdist(x, p=2)``, as Wang & Isola's uniformity loss writes
it): the distances between the rows of a matrix, as ``F.pdist`` (which calls it, and whose
tests in ``tests/nn/test_pdist.py`` cover every p); it was ``F.pdist`` only, so
``torch.pdist`` raised ``MissingNameError``."""

import numpy as np
import pytest

import autograd as ag
from autograd import DTypeError, ShapeError, Tensor, UsageError

ROWS = np.array([[1.0, 2.0, 0.5],
                 [1.0, 2.0, 0.5],     # equal to row 0: distance 0
                 [0.0, 3.5, -1.25],
                 [1.0, 5.0, 0.5]])    # differs from row 0 in one coordinate only


@pytest.mark.parametrize("p", [0, 0.5, 2, np.inf])
def test_autograd_pdist_is_torch_pdist(p):
    """``torch.pdist(x, p=2)`` (Wang & Isola's uniformity loss) is ``autograd.pdist``:
    it was ``F.pdist`` only (``MissingNameError``); the same values and gradients."""
    torch = pytest.importorskip("torch")
    up = np.random.default_rng(3).standard_normal(6)
    x = Tensor(ROWS, requires_grad=True)
    (ag.pdist(x, p=p) * up).sum().backward()
    t = torch.tensor(ROWS, requires_grad=True)
    want = torch.pdist(t, p=p)
    (want * torch.tensor(up)).sum().backward()
    np.testing.assert_allclose(ag.pdist(ROWS, p).data, want.detach().numpy(), rtol=1e-12)
    np.testing.assert_allclose(x.grad, t.grad.numpy(), rtol=1e-12, atol=1e-14)
    assert "pdist" in ag.__all__


def test_autograd_pdist_errors_are_named():
    with pytest.raises(UsageError, match="pdist: p must be a number >= 0"):
        ag.pdist(ROWS, -1)
    with pytest.raises(ShapeError, match=r"pdist takes a matrix \(N, M\)"):
        ag.pdist(ROWS[None])
    with pytest.raises(DTypeError, match="pdist: needs a float tensor"):
        ag.pdist(ROWS.astype(int))
