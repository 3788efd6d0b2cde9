"""``torch.transpose(x, 0, 1)``, the function, swaps the two axes of a matrix (the Sparse
Transformer's PyTorch port builds its strided mask with ``y = torch.transpose(x, 0, 1)``),
and so does the method ``x.transpose(0, 1)``: two ints are PyTorch's. ``np.transpose``
takes one ``axes`` argument, and NumPy's tuple form keeps NumPy's meaning."""

import numpy as np
import pytest

import autograd as ag


@pytest.mark.parametrize("axes", [(0, 1), (1, 0), (-2, -1), (0, -1), (1, 1)])
def test_the_transpose_function_swaps_two_axes_of_a_matrix_as_torch(torch, axes) -> None:
    data = np.arange(6.0).reshape(2, 3)
    x, tx = ag.tensor(data, requires_grad=True), torch.tensor(data, requires_grad=True)
    got, want = ag.transpose(x, *axes), torch.transpose(tx, *axes)
    np.testing.assert_array_equal(got.detach().numpy(), want.detach().numpy())
    upstream = np.random.default_rng(0).standard_normal(tuple(want.shape))
    (got * ag.tensor(upstream)).sum().backward()
    (want * torch.tensor(upstream)).sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), tx.grad.numpy())


def test_numpy_forms_keep_numpy_meaning() -> None:
    data = np.arange(24.0).reshape(2, 3, 4)
    np.testing.assert_array_equal(ag.transpose(ag.tensor(data)).numpy(), data.T)
    np.testing.assert_array_equal(ag.transpose(ag.tensor(data), (1, 0, 2)).numpy(),
                                  np.transpose(data, (1, 0, 2)))
    np.testing.assert_array_equal(ag.transpose(ag.tensor(data), 0, 2).numpy(),
                                  np.swapaxes(data, 0, 2))
    np.testing.assert_array_equal(ag.tensor(data[0]).transpose((0, 1)).numpy(), data[0])
