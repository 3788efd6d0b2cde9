"""Reading ``h.grad`` of a tensor an op made (a non-leaf) gives None after ``backward()``,
in PyTorch and here; PyTorch warns, because the None puzzles (a student printing every
intermediate's gradient, a Langevin loop whose ``x`` stopped being a leaf). It warned
nothing here. ``retain_grad()`` keeps the gradient and silences it; leaves never warn."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import autograd as ag
from autograd import NonLeafGradWarning


def _chain(T):
    x = T.tensor([2.0, -1.0], requires_grad=True)
    h = x * 3.0
    return x, h, (h * h).sum()


def test_a_non_leafs_grad_is_none_with_pytorchs_warning(torch) -> None:
    for T, warning in ((ag, NonLeafGradWarning), (torch, UserWarning)):
        x, h, y = _chain(T)
        y.backward()
        with pytest.warns(warning, match="not a leaf"):
            assert h.grad is None
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            assert x.grad is not None  # a leaf: no warning


def test_retain_grad_keeps_the_gradient_without_a_warning(torch) -> None:
    found = []
    for T in (ag, torch):
        x, h, y = _chain(T)
        assert not h.retains_grad
        h.retain_grad()
        assert h.retains_grad and not x.retains_grad
        y.backward()
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            found.append(np.asarray(h.grad.detach().numpy()))
    np.testing.assert_array_equal(found[0], found[1])


def test_tensors_that_need_no_gradient_never_warn() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        c = ag.tensor([1.0, 2.0]) * 2.0  # no op recorded: a leaf
        assert c.grad is None and c.is_leaf
        with ag.no_grad():
            d = ag.tensor([1.0], requires_grad=True) * 2.0
        assert d.grad is None


def test_the_warning_points_at_the_line_that_reads_grad() -> None:
    _, h, y = _chain(ag)
    y.backward()
    with pytest.warns(NonLeafGradWarning) as caught:
        h.grad  # noqa: B018
    assert caught[0].filename == __file__
