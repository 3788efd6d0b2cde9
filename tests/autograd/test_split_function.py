"""``autograd.split``: PyTorch's ``torch.split`` and NumPy's ``np.split`` by their
spellings; by position, the reading that does not raise, and a ``UsageError`` where both
would give different pieces. Expected pieces come from PyTorch and NumPy themselves;
gradients from finite differences."""

import numpy as np
import pytest

import autograd as ag

DATA = np.random.default_rng(3).normal(size=(6, 4))


def _pieces(result):
    return [np.asarray(p.detach().numpy() if hasattr(p, "detach") else p) for p in result]


def _assert_same(ours, theirs):
    assert len(ours) == len(theirs)
    for a, b in zip(_pieces(ours), _pieces(theirs)):
        np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("spec, dim", [(2, 0), (4, 0), ([1, 5], 0), ((1, 3), 1), (3, 1)])
def test_pytorchs_spelling_is_torch_split(spec, dim, torch):
    x, xt = ag.tensor(DATA), torch.tensor(DATA)
    _assert_same(ag.split(x, spec, dim=dim), torch.split(xt, spec, dim=dim))
    _assert_same(ag.split(x, split_size_or_sections=spec, dim=dim),
                 torch.split(xt, split_size_or_sections=spec, dim=dim))


@pytest.mark.parametrize("spec, axis", [(2, 0), (3, 0), ([1, 5], 0), ([1, 3], 1), (4, 1)])
def test_numpys_spelling_is_np_split(spec, axis):
    x = ag.tensor(DATA)
    _assert_same(ag.split(x, spec, axis=axis), np.split(DATA, spec, axis=axis))
    _assert_same(ag.split(x, indices_or_sections=spec, axis=axis),
                 np.split(DATA, indices_or_sections=spec, axis=axis))


def test_by_position_the_reading_that_does_not_raise_wins(torch):
    x, xt = ag.tensor(DATA), torch.tensor(DATA)
    _assert_same(ag.split(x, 4), torch.split(xt, 4))  # NumPy: 6 rows into 4 equal pieces
    _assert_same(ag.split(x, [1, 3]), np.split(DATA, [1, 3]))  # PyTorch: sizes add to 4
    _assert_same(ag.split(x, 2, 1), torch.split(xt, 2, 1))  # 2 of 2 = 2 pieces of 2: both


@pytest.mark.parametrize("spec", [2, 3, [1, 5], (2, 4)])
def test_by_position_two_different_readings_raise(spec):
    with pytest.raises(ag.UsageError, match=r"dim=0\) or x.split.*axis=0\) or np.split"):
        ag.split(ag.tensor(DATA), spec)


def test_split_refuses_mixed_spellings_and_a_missing_spec():
    x = ag.tensor(DATA)
    with pytest.raises(ag.UsageError, match="not both"):
        ag.split(x, 2, dim=0, axis=0)
    with pytest.raises(ag.UsageError, match="piece size"):
        ag.split(x, dim=0)


def test_the_pieces_carry_the_gradient():
    def f(x):
        a, b = ag.split(x, [2, 4], dim=0)
        c, d = ag.split(x, 2, axis=1)
        return (a.sum(0) * b.mean(0)).sum() + (c * d).sum()
    assert ag.gradcheck(f, [ag.tensor(DATA, requires_grad=True)])
