"""``nn.utils.parametrizations.orthogonal`` as PyTorch's: every map (matrix_exp, cayley,
householder), tall, wide, square and batched weights, with and without the dynamic
trivialization; the weight, its gradient, training steps and assignment agree."""

import numpy as np
import pytest

import autograd as ag
import nn
from autograd.errors import ShapeError, UnsupportedError, UsageError


def linear_pair(torch, shape, seed=0):
    w = np.random.default_rng(seed).standard_normal(shape)

    class Holder(nn.Module):
        def __init__(self):
            super().__init__()
            self.weight = nn.Parameter(ag.tensor(w))

    class TorchHolder(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.weight = torch.nn.Parameter(torch.tensor(w))

    return Holder(), TorchHolder()


CASES = [(shape, omap, triv) for shape in [(4, 4), (5, 3), (3, 5), (2, 3, 3)]
         for omap in ["matrix_exp", "cayley", "householder", None] for triv in [True, False]
         if triv or omap == "householder" or (omap is None and shape[-1] != shape[-2])]


@pytest.mark.parametrize("shape,omap,triv", CASES)
def test_weight_gradient_and_adam_steps_as_torch(torch, shape, omap, triv):
    ours, theirs = linear_pair(torch, shape)
    P = nn.utils.parametrizations.orthogonal(ours, orthogonal_map=omap,
                                             use_trivialization=triv)
    tP = torch.nn.utils.parametrizations.orthogonal(theirs, orthogonal_map=omap,
                                                    use_trivialization=triv)
    if triv and shape[-1] != shape[-2]:  # the base was completed with random columns
        P.parametrizations.weight[0].base = ag.tensor(
            tP.parametrizations.weight[0].base.numpy())
    opt = nn.optim.Adam(P.parameters(), lr=0.05)
    topt = torch.optim.Adam(tP.parameters(), lr=0.05)
    target = np.random.default_rng(1).standard_normal(shape)
    for _ in range(3):
        opt.zero_grad()
        topt.zero_grad()
        loss = ((P.weight - ag.tensor(target)) ** 2).sum()
        tloss = ((tP.weight - torch.tensor(target)) ** 2).sum()
        loss.backward()
        tloss.backward()
        np.testing.assert_allclose(loss.item(), tloss.item(), rtol=1e-10)
        opt.step()
        topt.step()
    W = P.weight.data
    np.testing.assert_allclose(W, tP.weight.detach().numpy(), atol=1e-10)
    small = min(shape[-2:])
    gram = W @ np.swapaxes(W, -1, -2) if shape[-2] < shape[-1] else np.swapaxes(W, -1, -2) @ W
    np.testing.assert_allclose(gram, np.broadcast_to(np.eye(small), gram.shape), atol=1e-12)


def test_assigning_an_orthogonal_matrix_keeps_it_as_torch(torch):
    ours, theirs = linear_pair(torch, (4, 4))
    P = nn.utils.parametrizations.orthogonal(ours)
    tP = torch.nn.utils.parametrizations.orthogonal(theirs)
    Q = np.linalg.qr(np.random.default_rng(2).standard_normal((4, 4)))[0]
    P.weight = ag.tensor(Q)
    with torch.no_grad():
        tP.weight = torch.tensor(Q)
    np.testing.assert_allclose(P.weight.data, Q, atol=1e-14)
    np.testing.assert_allclose(P.parametrizations.weight.original.data,
                               tP.parametrizations.weight.original.detach().numpy())


def test_errors_name_the_problem():
    class Holder(nn.Module):
        def __init__(self, w):
            super().__init__()
            self.weight = nn.Parameter(ag.tensor(w))

    with pytest.raises(ShapeError, match="matrix or batch of matrices"):
        nn.utils.parametrizations.orthogonal(Holder(np.ones(3)))
    with pytest.raises(UsageError, match='one of "matrix_exp"'):
        nn.utils.parametrizations.orthogonal(Holder(np.eye(3)), orthogonal_map="qr")
    # registering keeps the weight as it is (its right_inverse's NotImplementedError is
    # skipped, as PyTorch's); assigning one later has no inverse map to go through
    held = nn.utils.parametrizations.orthogonal(Holder(np.eye(3)), use_trivialization=False)
    with pytest.raises(UnsupportedError, match="use_trivialization=False"):
        held.weight = ag.tensor(np.eye(3))
