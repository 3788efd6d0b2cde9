"""``flip`` gives a new tensor, as PyTorch's ("torch.flip makes a copy of input's data",
unlike NumPy's view): timm's Mixup writes ``x_flipped = x.flip(0).mul_(1. - lam)`` and then
``x.mul_(lam).add_(x_flipped)``; with a view, the ``mul_`` also scaled ``x`` itself and
every mixed batch differed from PyTorch's. ``tile`` by ones (an ensemble's
``x.tile((n_models, 1))`` with one model) gave the input itself, so an in-place change of
the "copy" changed the input."""

import numpy as np
import pytest

import autograd as ag

X = np.random.default_rng(0).standard_normal((4, 3))


@pytest.mark.parametrize("flip", [lambda T, t: t.flip(0), lambda T, t: t.flip(0, 1),
                                  lambda T, t: T.flip(t, dims=[1]),
                                  lambda T, t: T.flip(t, [0, 1])],
                         ids=["method", "method two axes", "function dims=", "function list"])
def test_in_place_change_of_a_flip_leaves_the_input_as_torch(torch, flip):
    ours, theirs = ag.tensor(X), torch.tensor(X)
    our_flip, their_flip = flip(ag, ours), flip(torch, theirs)
    our_flip.mul_(0.25)
    their_flip.mul_(0.25)
    np.testing.assert_array_equal(ours.numpy(), theirs.numpy())
    np.testing.assert_array_equal(our_flip.numpy(), their_flip.numpy())
    assert our_flip.is_contiguous() == their_flip.is_contiguous()


def test_timm_mixup_of_a_batch_as_torch(torch):
    results = []
    for T in (ag, torch):
        x = T.tensor(X)
        x_flipped = x.flip(0).mul_(1. - 0.3)
        x.mul_(0.3).add_(x_flipped)
        results.append(x.numpy())
    np.testing.assert_allclose(results[0], results[1], rtol=1e-15)


def test_gradient_of_a_flip_still_reverses_the_upstream_gradient(torch):
    g = np.random.default_rng(1).standard_normal(X.shape)
    ours = ag.tensor(X, requires_grad=True)
    theirs = torch.tensor(X, requires_grad=True)
    (ours.flip(0, 1) * ag.tensor(g)).sum().backward()
    (theirs.flip(0, 1) * torch.tensor(g)).sum().backward()
    np.testing.assert_array_equal(ours.grad.numpy(), theirs.grad.numpy())


@pytest.mark.parametrize("tile", [lambda T, t: t.tile((1, 1)), lambda T, t: t.tile(1),
                                  lambda T, t: T.tile(t, (1, 1)), lambda T, t: t.tile((2, 1))],
                         ids=["method ones", "method one int", "function ones", "method twice"])
def test_in_place_change_of_a_tile_leaves_the_input_as_torch(torch, tile):
    ours, theirs = ag.tensor(X), torch.tensor(X)
    our_tile, their_tile = tile(ag, ours), tile(torch, theirs)
    our_tile.mul_(0.25)
    their_tile.mul_(0.25)
    np.testing.assert_array_equal(ours.numpy(), theirs.numpy())
    np.testing.assert_array_equal(our_tile.numpy(), their_tile.numpy())
