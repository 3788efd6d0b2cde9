"""PyTorch's sparse= of nn.Embedding, Embedding.from_pretrained and F.embedding: accepted
(the gradient is dense, with the values of PyTorch's sparse one), shown in the repr."""

import numpy as np
import pytest

import nn
import nn.functional as F
from autograd import Tensor
from nn.errors import ArgumentTypeError

INDICES = np.array([[0, 2, 2], [4, 0, 1]])


def test_sparse_gradient_has_torch_values_densely():
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(0)
    weight, upstream = rng.normal(size=(6, 3)), rng.normal(size=INDICES.shape + (3,))
    ours = nn.Embedding.from_pretrained(weight, freeze=False, padding_idx=1, sparse=True)
    theirs = torch.nn.Embedding.from_pretrained(torch.tensor(weight), freeze=False,
                                                padding_idx=1, sparse=True)
    ours(INDICES).backward(Tensor(upstream))
    theirs(torch.tensor(INDICES)).backward(torch.tensor(upstream))
    np.testing.assert_allclose(ours.weight.grad, theirs.weight.grad.to_dense().numpy(),
                               rtol=1e-12)
    assert repr(ours) == repr(theirs) == "Embedding(6, 3, padding_idx=1, sparse=True)"
    assert repr(nn.Embedding(6, 3, None, None, 2.0, False, True)) == repr(
        torch.nn.Embedding(6, 3, None, None, 2.0, False, True))  # PyTorch's position
    assert repr(nn.Embedding(6, 3, sparse=False)) == "Embedding(6, 3)"


def test_functional_sparse_changes_nothing():
    weight = Tensor(np.random.default_rng(1).normal(size=(6, 3)), requires_grad=True)
    F.embedding(INDICES, weight, sparse=True).sum().backward()
    dense = weight.grad.copy()
    weight.grad = None
    F.embedding(INDICES, weight).sum().backward()
    np.testing.assert_array_equal(weight.grad, dense)


@pytest.mark.parametrize("call", [
    lambda: nn.Embedding(6, 3, sparse="yes"),
    lambda: nn.Embedding.from_pretrained(np.ones((2, 2)), sparse=1),
    lambda: F.embedding(INDICES, np.ones((6, 3)), sparse=None),
])
def test_a_non_bool_sparse_is_a_named_error(call):
    with pytest.raises(ArgumentTypeError, match="sparse must be True or False.*dense"):
        call()
