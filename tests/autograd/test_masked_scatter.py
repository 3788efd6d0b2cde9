"""``x.masked_scatter(mask, source)``, ``x.masked_scatter_`` and
``autograd.masked_scatter``, against PyTorch: DistilBERT's ``prepare_batch_mlm`` writes
the chosen replacement tokens with ``token_ids = token_ids.masked_scatter(pred_mask,
_token_ids)`` (and multimodal models put image features into ``inputs_embeds`` this way);
it was an AttributeError here."""

import numpy as np
import pytest

import autograd as ag
from autograd import DTypeError, ShapeError, Tensor

X = np.random.default_rng(0).standard_normal((3, 4))
MASK = np.random.default_rng(1).random((3, 4)) < 0.5
SOURCE = np.random.default_rng(2).standard_normal((2, 5))


@pytest.mark.parametrize("mask", [MASK, MASK[:1], MASK[:, :1]])
def test_masked_scatter_and_its_gradient_as_pytorch(torch, mask) -> None:
    upstream = np.random.default_rng(3).standard_normal(X.shape)
    x, s = Tensor(X.copy(), requires_grad=True), Tensor(SOURCE.copy(), requires_grad=True)
    tx = torch.tensor(X, requires_grad=True)
    ts = torch.tensor(SOURCE, requires_grad=True)
    ours = (x * 2).masked_scatter(ag.tensor(mask), s)
    theirs = (tx * 2).masked_scatter(torch.tensor(mask), ts)
    np.testing.assert_array_equal(ours.data, theirs.detach().numpy())
    (ours * Tensor(upstream)).sum().backward()
    (theirs * torch.tensor(upstream)).sum().backward()
    np.testing.assert_allclose(x.grad.data, tx.grad.numpy(), rtol=1e-12)
    np.testing.assert_allclose(s.grad.data, ts.grad.numpy(), rtol=1e-12)
    np.testing.assert_array_equal(ag.masked_scatter(x, ag.tensor(mask), s).data,
                                  torch.masked_scatter(tx, torch.tensor(mask), ts).detach())


def test_masked_scatter_in_place_as_distilbert_masks_tokens(torch) -> None:
    tokens = np.arange(12).reshape(3, 4)
    replacements = np.array([100, 101, 102, 103, 104, 105, 106])
    ours, theirs = ag.tensor(tokens), torch.tensor(tokens)
    assert ours.masked_scatter_(ag.tensor(MASK), ag.tensor(replacements)) is ours
    theirs.masked_scatter_(torch.tensor(MASK), torch.tensor(replacements))
    np.testing.assert_array_equal(ours.numpy(), theirs.numpy())


def test_masked_scatter_refuses_what_pytorch_refuses() -> None:
    x = ag.tensor(X)
    with pytest.raises(ShapeError, match="source has 2 elements"):
        x.masked_scatter(ag.tensor(MASK), ag.tensor([1.0, 2.0]))
    with pytest.raises(DTypeError, match="boolean"):
        x.masked_scatter(ag.tensor(MASK.astype(int)), ag.tensor(SOURCE))
    with pytest.raises(DTypeError, match="dtype"):
        x.masked_scatter(ag.tensor(MASK), ag.tensor(np.arange(10)))
    with pytest.raises(ShapeError, match="broadcast"):
        x.masked_scatter_(ag.tensor(np.ones((2, 3, 4), bool)), ag.tensor(SOURCE))


def test_masked_scatter_in_place_on_a_computed_tensor_is_recorded(torch) -> None:
    upstream = np.random.default_rng(4).standard_normal(X.shape)
    grads = []
    for library in (ag, torch):
        x = library.tensor(X, requires_grad=True)
        s = library.tensor(SOURCE, requires_grad=True)
        y = x * 2
        y.masked_scatter_(library.tensor(MASK), s)
        (y * library.tensor(upstream)).sum().backward()
        grads.append((x.grad.numpy(), s.grad.numpy()))
    for got, want in zip(*grads):
        np.testing.assert_allclose(got, want, rtol=1e-12)
    leaf = ag.tensor(X, requires_grad=True)
    with pytest.raises(ag.InplaceError):
        leaf.masked_scatter_(ag.tensor(MASK), ag.tensor(SOURCE))
