"""F.adaptive_max_pool1d/2d and nn.AdaptiveMaxPool1d/2d against PyTorch (values, indices,
gradients, ties), finite differences to second order and named errors."""

import numpy as np
import pytest

import autograd
import nn
import nn.functional as F
from autograd import Tensor
from autograd.errors import ShapeError
from nn.errors import ArgumentTypeError, ConfigError

from torch_compare_helpers import normal, run_both

CASES = [  # (dims, shape, output_size)
    (2, (2, 3, 7, 9), 3), (2, (2, 2, 7, 9), (2, None)), (2, (1, 2, 5, 4), (10, 7)),
    (2, (3, 6, 5), 1), (2, (1, 1, 4, 6), (None, 4)),
    (1, (2, 3, 10), 4), (1, (2, 7), 10), (1, (1, 2, 5), 5),
]


@pytest.mark.parametrize("dims, shape, output_size", CASES)
def test_adaptive_max_pool_matches_torch(dims, shape, output_size):
    torch = pytest.importorskip("torch")
    ours = getattr(F, f"adaptive_max_pool{dims}d")
    theirs = getattr(torch.nn.functional, f"adaptive_max_pool{dims}d")
    x = normal(0, shape)
    run_both(torch, lambda x: ours(x, output_size), lambda x: theirs(x, output_size), [x])
    _, indices = ours(x, output_size, return_indices=True)
    _, expected = theirs(torch.tensor(x), output_size, return_indices=True)
    assert indices.dtype == np.int64
    np.testing.assert_array_equal(indices.data, expected.numpy())


def test_ties_go_to_the_first_largest_entry_as_torch():
    torch = pytest.importorskip("torch")
    x = np.array([[[[1.0, 3, 3, 2], [3, 1, 0, 3], [2, 3, 3, 1]]]])
    run_both(torch, lambda x: F.adaptive_max_pool2d(x, (2, 3)),
             lambda x: torch.nn.functional.adaptive_max_pool2d(x, (2, 3)), [x])
    ours = F.adaptive_max_pool2d(x, (2, 3), return_indices=True)[1].data
    theirs = torch.nn.functional.adaptive_max_pool2d(torch.tensor(x), (2, 3),
                                                     return_indices=True)[1].numpy()
    np.testing.assert_array_equal(ours, theirs)


def test_layers_as_torch():
    torch = pytest.importorskip("torch")
    for args in [((2, None),), (3, True)]:
        ours, theirs = nn.AdaptiveMaxPool2d(*args), torch.nn.AdaptiveMaxPool2d(*args)
        assert repr(ours) == repr(theirs)
        assert (ours.output_size, ours.return_indices) == (theirs.output_size,
                                                           theirs.return_indices)
    assert repr(nn.AdaptiveMaxPool1d(2)) == repr(torch.nn.AdaptiveMaxPool1d(2))
    y, indices = nn.AdaptiveMaxPool2d(2, return_indices=True)(normal(0, (1, 1, 5, 5)))
    assert y.shape == indices.shape == (1, 1, 2, 2)
    run_both(torch, nn.AdaptiveMaxPool1d(3), torch.nn.AdaptiveMaxPool1d(3),
             [normal(1, (2, 2, 8))])


def test_gradients_to_second_order():
    x = Tensor(normal(0, (1, 2, 5, 4)), requires_grad=True)
    assert autograd.gradcheck(lambda x: F.adaptive_max_pool2d(x * x, (3, 2)), [x])
    assert autograd.gradgradcheck(lambda x: F.adaptive_max_pool2d(x * x, (3, 2)), [x])
    assert autograd.gradgradcheck(lambda x: F.adaptive_max_pool1d(x * x, 3), [x[0]])


def test_integer_input_keeps_its_dtype():
    y, indices = F.adaptive_max_pool1d(np.array([[1, 5, 2, 7, 3]]), 2, return_indices=True)
    assert y.dtype == np.array([1]).dtype
    np.testing.assert_array_equal(y.data, [[5, 7]])
    np.testing.assert_array_equal(indices.data, [[1, 3]])


def test_errors_are_named():
    with pytest.raises(ShapeError, match="adaptive_max_pool1d: the pooled axes must not be"):
        F.adaptive_max_pool1d(np.ones((1, 1, 0)), 3)
    with pytest.raises(ShapeError, match="adaptive_max_pool2d: input must have 4 axes"):
        F.adaptive_max_pool2d(np.ones(4), 2)
    with pytest.raises(ConfigError, match="AdaptiveMaxPool2d: output_size needs 2 entries"):
        nn.AdaptiveMaxPool2d((2, 2, 2))
    with pytest.raises(ArgumentTypeError, match="output_size must be an int or a tuple"):
        F.adaptive_max_pool2d(np.ones((1, 1, 4, 4)), 1.5)
    with pytest.raises(ArgumentTypeError, match="return_indices must be True or False"):
        nn.AdaptiveMaxPool1d(2, return_indices=1)
