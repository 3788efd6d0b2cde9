"""``torch.transpose(x, 0, 1)``, the function, swaps the two axes of a matrix (the Sparse
Transformer's PyTorch port builds its strided mask with ``y = torch.transpose(x, 0, 1)``),
and so does the method ``x.transpose(0, 1)``: two ints are PyTorch's. ``np.transpose``
takes one ``axes`` argument, and NumPy's tuple form keeps NumPy's meaning."""

import numpy as np
import pytest

import autograd as ag
from autograd import UsageError


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



@pytest.mark.parametrize("shape", [(2, 3), (2, 3, 4)])
@pytest.mark.parametrize("dims", [(0, 1), (1, 0), (-1, 0), (1, 1)])
def test_transpose_with_dim0_and_dim1_keywords_swaps_as_torch(torch, shape, dims) -> None:
    """NeuralSort's ``x.view(n, b).transpose(dim0=1, dim1=0)``: PyTorch's keywords name
    its reading, a swap, so a matrix's ``transpose(dim0=0, dim1=1)`` is no longer ambiguous;
    the function ``torch.transpose(x, dim0=, dim1=)`` takes them too."""
    data = np.arange(float(np.prod(shape))).reshape(shape)
    x, tx = ag.tensor(data, requires_grad=True), torch.tensor(data, requires_grad=True)
    upstream = np.random.default_rng(0).standard_normal(tx.transpose(*dims).shape)
    for got in (x.transpose(dim0=dims[0], dim1=dims[1]),
                ag.transpose(x, dim0=dims[0], dim1=dims[1])):
        want = torch.transpose(tx, dim0=dims[0], dim1=dims[1])
        np.testing.assert_array_equal(got.detach().numpy(), want.detach().numpy())
        x.grad, tx.grad = None, None
        (got * ag.tensor(upstream)).sum().backward()
        (want * torch.tensor(upstream)).sum().backward()
        np.testing.assert_array_equal(x.grad.numpy(), tx.grad.numpy())


def test_transpose_with_one_keyword_or_keywords_and_axes_is_refused() -> None:
    x = ag.tensor(np.zeros((2, 3)))
    with pytest.raises(UsageError, match="both dim0= and dim1="):
        x.transpose(dim0=1)
    with pytest.raises(UsageError, match="both dim0= and dim1="):
        x.transpose(1, dim1=0)
