"""``x.movedim(source, destination)`` (PyTorch's) and ``x.moveaxis`` (the alias both
PyTorch and NumPy spell): the same meaning as ``np.moveaxis``, differentiable."""

import numpy as np
import pytest

import autograd as ag
from autograd.errors import AxisError, UsageError


@pytest.mark.parametrize("source, destination", [(1, 0), (0, -1), (-1, 0), ((0, 1), (2, 0)),
                                                 ([2, 0], [0, 1]), ((), ())])
def test_movedim_is_numpys_moveaxis_and_torchs_movedim(torch, source, destination):
    a = np.arange(24.0).reshape(2, 3, 4)
    want = np.moveaxis(a, source, destination)
    got = ag.tensor(a).movedim(source, destination)
    assert got.shape == want.shape
    np.testing.assert_array_equal(got.data, want)
    np.testing.assert_array_equal(ag.tensor(a).moveaxis(source, destination).data, want)
    np.testing.assert_array_equal(torch.tensor(a).movedim(source, destination).numpy(), want)


def test_movedim_gradient_matches_finite_differences():
    x = ag.tensor(np.random.default_rng(0).standard_normal((2, 3, 4)), requires_grad=True)
    assert ag.gradcheck(lambda t: t.movedim((0, 2), (2, 1)) * 2.0, [x])


def test_movedim_errors_are_named():
    x = ag.ones(2, 3)
    with pytest.raises(AxisError):
        x.movedim(2, 0)
    with pytest.raises(AxisError):
        x.movedim((0, 0), (0, 1))
    with pytest.raises(UsageError):
        x.movedim((0, 1), 0)
