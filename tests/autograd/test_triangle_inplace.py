"""``x.tril_(diagonal)`` and ``x.triu_(diagonal)``, PyTorch's in-place triangles: a
sliding-window attention mask is written ``mask = torch.ones(T, T, dtype=torch.bool)
.tril_(); mask.triu_(-window)`` (an AttributeError here before)."""

import numpy as np
import pytest

import autograd as ag
from autograd import InplaceError, Tensor


@pytest.mark.parametrize("name", ["tril_", "triu_"])
@pytest.mark.parametrize("diagonal", [0, 1, -2, 5])
@pytest.mark.parametrize("dtype", [np.float64, np.bool_, np.int64])
def test_in_place_triangles_as_pytorch(torch, name, diagonal, dtype) -> None:
    data = np.random.default_rng(0).integers(1, 4, (2, 4, 5)).astype(dtype)
    ours, theirs = Tensor(data.copy()), torch.tensor(data)
    assert getattr(ours, name)(diagonal) is ours
    getattr(theirs, name)(diagonal)
    np.testing.assert_array_equal(ours.data, theirs.numpy())
    assert ours.dtype == dtype
    ours, theirs = Tensor(data.copy()), torch.tensor(data)
    getattr(ours, name)(diagonal=diagonal)
    np.testing.assert_array_equal(ours.data, getattr(theirs, name)(diagonal=diagonal).numpy())


def test_sliding_window_mask_as_pytorch(torch) -> None:
    ours = ag.ones(6, 6, dtype=ag.bool).tril_()
    ours.triu_(-2)
    theirs = torch.ones(6, 6, dtype=torch.bool).tril_()
    theirs.triu_(-2)
    np.testing.assert_array_equal(ours.data, theirs.numpy())


def test_in_place_triangle_of_a_computed_tensor_is_recorded() -> None:
    x = Tensor(np.ones((3, 3)), requires_grad=True)
    y = x * 2
    y.triu_(1)
    y.sum().backward()
    np.testing.assert_array_equal(x.grad.data, 2 * np.triu(np.ones((3, 3)), 1))
    with pytest.raises(InplaceError, match="x = x.tril"):
        x.tril_()
