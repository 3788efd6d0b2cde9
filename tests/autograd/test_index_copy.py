"""``x.index_copy(dim, index, source)`` and ``x.index_copy_``, against PyTorch: a static
KV cache writes each step's keys and values at their positions with
``k_cache.index_copy_(2, cache_position, key_states)`` (Hugging Face's ``StaticCache``);
it was an AttributeError here."""

import numpy as np
import pytest

import autograd as ag
from autograd import InplaceError, ShapeError, Tensor, TensorIndexError

X = np.random.default_rng(0).standard_normal((2, 3, 5, 4))
SOURCE = np.random.default_rng(1).standard_normal((2, 3, 2, 4))


@pytest.mark.parametrize("dim, index", [(2, [4, 1]), (-2, [0, 3]), (2, [2, 2])])
def test_index_copy_and_its_gradient_as_pytorch(torch, dim, index) -> None:
    upstream = np.random.default_rng(2).standard_normal(X.shape)
    x, s = Tensor(X.copy(), requires_grad=True), Tensor(SOURCE.copy(), requires_grad=True)
    tx = torch.tensor(X, requires_grad=True)
    ts = torch.tensor(SOURCE, requires_grad=True)
    ours = (x * 2).index_copy(dim, ag.tensor(index), s)
    theirs = (tx * 2).index_copy(dim, torch.tensor(index), ts)
    if len(set(index)) == len(index):  # a repeated index: which write wins is unspecified
        np.testing.assert_array_equal(ours.data, theirs.detach().numpy())
    (ours * Tensor(upstream)).sum().backward()
    (theirs * torch.tensor(upstream)).sum().backward()
    np.testing.assert_allclose(x.grad.data, tx.grad.numpy(), rtol=1e-12)
    if len(set(index)) == len(index):
        np.testing.assert_allclose(s.grad.data, ts.grad.numpy(), rtol=1e-12)
    assert ag.index_copy(x, dim, ag.tensor(index), s).shape == X.shape


def test_index_copy_in_place_as_a_static_kv_cache(torch) -> None:
    ours, theirs = ag.zeros(2, 3, 5, 4), torch.zeros(2, 3, 5, 4)
    for start in (0, 2):
        position = np.arange(start, start + 2)
        assert ours.index_copy_(2, ag.tensor(position), Tensor(SOURCE + start)) is ours
        theirs.index_copy_(2, torch.tensor(position), torch.tensor(SOURCE + start))
    np.testing.assert_array_equal(ours.data, theirs.numpy())
    recorded = Tensor(X, requires_grad=True) * 1.0  # a computed tensor: recorded, as PyTorch
    s = Tensor(SOURCE, requires_grad=True)
    recorded.index_copy_(2, ag.tensor([0, 1]), s)
    recorded.sum().backward()
    np.testing.assert_array_equal(s.grad.data, np.ones(SOURCE.shape))


def test_index_copy_refuses_what_pytorch_refuses() -> None:
    x = ag.zeros(2, 3, 5, 4)
    with pytest.raises(TensorIndexError, match="index_copy"):
        x.index_copy(2, ag.tensor([5, 0]), Tensor(SOURCE))
    with pytest.raises(ShapeError, match="index_copy: source must have shape"):
        x.index_copy(2, ag.tensor([1, 0, 3]), Tensor(SOURCE))
    with pytest.raises(InplaceError):
        ag.zeros(5, requires_grad=True).index_copy_(0, ag.tensor([1]), ag.ones(1))
