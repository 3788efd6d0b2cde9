"""Differentiable sorting and ranking as their readers use them in PyTorch: NeuralSort
and SoftSort (relaxed permutation matrices, soft or hard through a straight-through
estimator) learning to order digits by a linear score (the NeuralSort paper's
large-MNIST sorting task, small: the loss is the cross-entropy of the relaxed
permutation to the true one), and Blondel et al.'s fast soft rank (NumPy inside a
``torch.autograd.Function``) training a regressor on a Spearman-correlation loss
(torchsort's README's ``spearmanr``). The operators are in ``soft_sort_programs.py``.
Each program is written once for a library ``T`` (``autograd`` here, ``torch`` there)
and runs step for step next to PyTorch's from the same weights (float64): relaxed
permutations, losses, gradients and parameters agree to 1e-10.

Lines written differently here, and why:
- the model's first weights come from PyTorch (``load_state_dict``), the test's glue;
- ``torch.autograd.Function`` is ``autograd.Function`` (this library is the autograd
  package);
- the batches hold 3 sequences: NeuralSort's ``torch.arange(bsize).repeat([1, dim])`` of
  a 2-element vector reads two ways (PyTorch's tile, NumPy's per-element counts), and the
  error says so.

Fixed for it: NeuralSort's ``.transpose(dim0=1, dim1=0)`` raised TypeError
(``tests/autograd/test_transpose_function.py``).
"""

import numpy as np
import pytest

import autograd as ag
import nn
from soft_sort_programs import neural_sort_class, soft_rank_function, soft_sort_class

from port_records import assert_same, numpy_of


def libraries(torch=None) -> tuple:
    """(T, lib, optim, Function) for this library, or PyTorch's when ``torch`` is given."""
    if torch is None:
        return ag, nn, nn.optim, ag.Function
    return torch, torch.nn, torch.optim, torch.autograd.Function


def digit_sequences(count: int, length: int) -> tuple[np.ndarray, np.ndarray]:
    """``count`` sequences of ``length`` digits with distinct labels: (count, length, 64)
    images in [0, 1] and (count, length) labels."""
    datasets = pytest.importorskip("sklearn.datasets")
    images, labels = datasets.load_digits(return_X_y=True)
    rng = np.random.default_rng(0)
    picks = [rng.choice(np.flatnonzero(labels == digit), size=count) for digit in range(10)]
    chosen = np.array([rng.permutation(10)[:length] for _ in range(count)])
    sequence_images = np.stack([[images[picks[d][i]] for d in row]
                                for i, row in enumerate(chosen)])
    return sequence_images / 16.0, chosen


def sorting_program(torch=None, start=None, operator="NeuralSort", hard=False) -> list:
    """Learn a linear score whose relaxed descending sort matches the labels' order."""
    T, lib, optim, _ = libraries(torch)
    sorter_class = (neural_sort_class if operator == "NeuralSort" else soft_sort_class)(T, lib)
    sorter = sorter_class(tau=1.0, hard=hard)
    images, labels = digit_sequences(count=6, length=5)
    images, labels = T.tensor(images), T.tensor(labels)
    # no bias: both relaxations are blind to a shift of all scores, so its gradient is
    # rounding noise that Adam's normalisation would turn into steps of size lr
    scorer = lib.Linear(64, 1, bias=False)
    if start is not None:
        scorer.load_state_dict(start)
    record = [{k: numpy_of(v) for k, v in scorer.state_dict().items()}]
    optimizer = optim.Adam(scorer.parameters(), lr=0.05)
    for step in range(4):
        for first in range(0, 6, 3):
            batch, batch_labels = images[first:first + 3], labels[first:first + 3]
            scores = scorer(batch).squeeze(-1)
            P_hat = sorter(scores)
            P_true = lib.functional.one_hot(
                T.argsort(batch_labels, dim=-1, descending=True), 5).double()
            loss = -T.sum(P_true * T.log(P_hat + 1e-20), dim=-1).mean()
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            record += [numpy_of(P_hat), loss.item(),
                       [numpy_of(p.grad) for p in scorer.parameters()]]
    with T.no_grad():
        predicted = T.argsort(scorer(images).squeeze(-1), dim=-1, descending=True)
        truth = T.argsort(labels, dim=-1, descending=True)
        accuracy = (predicted == truth).double().mean().item()
    return record + [[numpy_of(p) for p in scorer.parameters()], accuracy]


@pytest.mark.parametrize("operator", ["NeuralSort", "SoftSort"])
@pytest.mark.parametrize("hard", [False, True])
def test_relaxed_sorting_trains_as_torch(torch, operator, hard):
    torch.manual_seed(0)
    want = sorting_program(torch, operator=operator, hard=hard)
    got = sorting_program(start=want[0], operator=operator, hard=hard)
    assert_same(got[1:], want[1:])
    if hard:  # the forward pass sees an exact permutation matrix
        first = got[1]
        np.testing.assert_array_equal(first.sum(-1), 1.0)
        np.testing.assert_array_equal(np.isin(first, [0.0, 1.0]), True)


def test_relaxed_sorts_sort_as_the_hard_sort(torch):
    """With a small temperature both relaxations are the permutation that sorts."""
    scores = np.random.default_rng(1).standard_normal((2, 6))
    for T, lib in [(ag, nn), (torch, torch.nn)]:
        order = T.argsort(T.tensor(scores), dim=-1, descending=True)
        for make in (neural_sort_class, soft_sort_class):
            P_hat = make(T, lib)(tau=1e-3)(T.tensor(scores))
            np.testing.assert_allclose(numpy_of(P_hat.argmax(-1)), order.numpy())


def spearman_program(torch=None, start=None) -> list:
    """torchsort's ``spearmanr`` through fast soft ranks, maximised by Adam."""
    T, lib, optim, Function = libraries(torch)
    soft_rank = soft_rank_function(T, Function)

    def spearmanr(pred, target, **kw):
        pred = soft_rank(pred, **kw)
        target = soft_rank(target, **kw)
        pred = pred - pred.mean()
        pred = pred / pred.norm()
        target = target - target.mean()
        target = target / target.norm()
        return (pred * target).sum()

    rng = np.random.default_rng(2)
    x = rng.standard_normal((12, 3))
    y = np.exp(x @ np.array([1.0, -2.0, 0.5]))[None]  # monotone in a linear score
    x, y = T.tensor(x), T.tensor(y)
    model = lib.Linear(3, 1, bias=False)  # ranks are blind to a shift: see sorting_program
    if start is not None:
        model.load_state_dict(start)
    record = [{k: numpy_of(v) for k, v in model.state_dict().items()}]
    optimizer = optim.Adam(model.parameters(), lr=0.1)
    for step in range(10):
        pred = model(x).T
        loss = -spearmanr(pred, y, regularization_strength=0.5)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        record += [loss.item(), [numpy_of(p.grad) for p in model.parameters()]]
    return record + [[numpy_of(p) for p in model.parameters()]]


def test_spearman_loss_through_fast_soft_ranks_trains_as_torch(torch):
    torch.manual_seed(0)
    want = spearman_program(torch)
    got = spearman_program(start=want[0])
    assert_same(got[1:], want[1:])
    assert got[-3] < got[1] - 0.1  # the correlation went up


def test_fast_soft_rank_is_the_rank_and_differentiates_as_finite_differences():
    soft_rank = soft_rank_function(ag, ag.Function)
    values = ag.tensor([[5.0, 1.0, 2.0], [-1.0, 3.0, 0.5]], requires_grad=True)
    np.testing.assert_allclose(soft_rank(values, regularization_strength=1e-3).detach().numpy(),
                               [[3, 1, 2], [1, 3, 2]])
    assert ag.gradcheck(lambda v: soft_rank(v, regularization_strength=2.0), (values,))
