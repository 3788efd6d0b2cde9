"""Memory over long runs: a loss kept after ``backward()`` (``losses.append(loss)``)
holds no activation-sized array, whichever loss made it (README, *Differentiating*), and
nothing keeps one training step's graph alive into the next."""

from __future__ import annotations

import tracemalloc
import weakref

import numpy as np
import pytest

import nn
import nn.functional as F
from autograd import Tensor
from autograd.gradcheck import numerical_grad

N, C = 256, 64  # one kept (N, C) array is 128 KiB


def _logits(seed: int = 0) -> Tensor:
    return Tensor(np.random.default_rng(seed).standard_normal((N, C)), requires_grad=True)


LABELS = np.random.default_rng(1).integers(0, C, N)
LOSSES = {
    "cross_entropy": lambda z: F.cross_entropy(z, LABELS),
    "cross_entropy sum": lambda z: F.cross_entropy(z, LABELS, reduction="sum"),
    "CrossEntropyLoss": lambda z: nn.CrossEntropyLoss()(z, LABELS),
    "cross_entropy (N, 1, C)": lambda z: F.cross_entropy(z.reshape(N, 1, C),
                                                         LABELS.reshape(N, 1)),
    "cross_entropy label_smoothing": lambda z: F.cross_entropy(z, LABELS,
                                                               label_smoothing=0.1),
    "nll_loss": lambda z: F.nll_loss(F.log_softmax(z, dim=1), LABELS),
    "mse_loss": lambda z: F.mse_loss(z, np.zeros((N, C))),
    "binary_cross_entropy_with_logits": lambda z: F.binary_cross_entropy_with_logits(
        z, np.ones((N, C))),
}


@pytest.mark.parametrize("loss_fn", LOSSES.values(), ids=LOSSES.keys())
def test_a_kept_loss_holds_no_activation_sized_array(loss_fn) -> None:
    z = _logits()
    kept = []
    loss_fn(z).backward()  # warm-up (first-call caches)
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        for _ in range(20):
            z.grad = None
            loss = loss_fn(z)
            loss.backward()
            kept.append(loss)
        z.grad = None
        per_loss = (tracemalloc.get_traced_memory()[0] - before) / 20
    finally:
        tracemalloc.stop()
    assert per_loss < N * C * 8 / 8  # kept softmax probabilities would be 131,072 B each


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_cross_entropy_backward_twice_through_a_retained_graph(reduction) -> None:
    """The first backward drops the kept softmax; a second one computes it again."""
    z = Tensor(np.random.default_rng(2).standard_normal((5, 4)), requires_grad=True)
    labels = np.array([0, 3, 1, 1, 2])
    upstream = np.random.default_rng(3).standard_normal(() if reduction != "none" else 5)
    loss = F.cross_entropy(z, labels, reduction=reduction)
    loss.backward(upstream, retain_graph=True)
    first = z.grad.data.copy()
    z.grad = None
    loss.backward(upstream)
    (expected,) = numerical_grad(lambda z: F.cross_entropy(z, labels, reduction=reduction),
                                 z, [upstream])
    np.testing.assert_allclose(first, expected, rtol=1e-5, atol=1e-7)
    np.testing.assert_allclose(z.grad.data, expected, rtol=1e-5, atol=1e-7)


def test_zero_grad_without_none_frees_the_graph_of_a_create_graph_gradient() -> None:
    """backward(create_graph=True) leaves a .grad with a graph; zero_grad(set_to_none=False)
    detaches it, as PyTorch's: zeroing it in place kept every step's graph (chained
    through the accumulation) alive for the rest of the run."""
    rng = np.random.default_rng(4)
    x = Tensor(rng.standard_normal((64, 10)))
    w = nn.Parameter(rng.standard_normal((10, 1)))
    opt = nn.optim.SGD([w], lr=1e-3)
    activations = []
    for _ in range(3):
        opt.zero_grad(set_to_none=False)
        hidden = (x @ w).tanh()
        activations.append(weakref.ref(hidden.data))
        (hidden ** 2).mean().backward(create_graph=True)
        opt.step()
    del hidden
    opt.zero_grad(set_to_none=False)
    assert [ref() is None for ref in activations] == [True] * 3
    assert not w.grad.requires_grad and not w.grad.data.any()


@pytest.mark.filterwarnings("ignore:Using backward.. with create_graph=True:UserWarning")
def test_zero_grad_without_none_detaches_as_torch() -> None:
    torch = pytest.importorskip("torch")
    start = np.array([1.0, -2.0])
    ours, theirs = Tensor(start, requires_grad=True), torch.tensor(start, requires_grad=True)
    (ours ** 3).sum().backward(create_graph=True)
    (theirs ** 3).sum().backward(create_graph=True)
    nn.optim.SGD([ours], lr=0.1).zero_grad(set_to_none=False)
    torch.optim.SGD([theirs], lr=0.1).zero_grad(set_to_none=False)
    assert ours.grad.requires_grad == theirs.grad.requires_grad
    (ours ** 3).sum().backward(create_graph=True)
    (theirs ** 3).sum().backward(create_graph=True)
    (ours.grad ** 2).sum().backward()
    (theirs.grad ** 2).sum().backward()
    np.testing.assert_allclose(ours.grad.data, theirs.grad.detach().numpy())
