"""``base[index] += y`` (and -=, *=, /=, **=) on a computed tensor while recording, as
PyTorch: Python runs ``tmp = base[index]; tmp += y; base[index] = tmp``, so the update of
the view is left to the item assignment, recorded on ``base``. Values and gradients
against PyTorch (float64). (The neural spline flow's ``bin_locations[..., -1] += eps`` was
refused as an in-place update of a view.) A view updated alone (``x = base[i]; x += 1``),
``base[i].add_(1)`` and ``views[i] += 1`` over a list of views are still refused: PyTorch
writes those through to the base."""

from __future__ import annotations

import numpy as np
import pytest

import autograd as ag
from autograd.errors import InplaceError

RNG = np.random.default_rng(9)
A, B = RNG.standard_normal((3, 4)), RNG.uniform(0.5, 2.0, (3, 4))


def last_column_plus_eps(T, a, b):
    y = a * b
    y[..., -1] += 1e-6
    return y


def rows_and_masks(T, a, b):
    y = a + 2 * b
    y[:, 0] -= b[:, 1]
    y[1:] *= b[1:]
    y[y > 1.5] /= 2.0
    y[0, 1:3] **= 2
    y[T.tensor([2, 0])] += b[:2]
    return y


def nested_loop_updates(T, a, b):
    log_det = T.zeros((3, 4))
    for i in range(4):
        log_det[:, i] += (a[:, i] * b[:, i]).tanh()
    return log_det


@pytest.mark.parametrize("program", [last_column_plus_eps, rows_and_masks,
                                     nested_loop_updates])
def test_as_pytorch(torch, program) -> None:
    results = []
    w = RNG.standard_normal((3, 4))
    for T in (ag, torch):
        a, b = T.tensor(A, requires_grad=True), T.tensor(B, requires_grad=True)
        out = program(T, a, b)
        (out * T.tensor(w)).sum().backward()
        results.append([out.detach().numpy(), a.grad.numpy(), b.grad.numpy()])
    for ours, theirs in zip(*results):
        np.testing.assert_allclose(ours, theirs, rtol=1e-12, atol=1e-14)


def test_views_updated_alone_are_still_refused() -> None:
    a = ag.tensor(A, requires_grad=True)
    y = a * 2
    x = y[0]
    with pytest.raises(InplaceError, match="view of another tensor"):
        x += 1
    with pytest.raises(InplaceError, match="view of another tensor"):
        y[0].add_(1)
    rows = list(y.unbind(0))  # the write-back would go into the list, not into y
    with pytest.raises(InplaceError, match="view of another tensor"):
        rows[0] += 1
    named = {"row": y[1]}
    with pytest.raises(InplaceError, match="view of another tensor"):
        named["row"] *= 2


def test_leaf_that_requires_grad_is_still_refused() -> None:
    a = ag.tensor(A, requires_grad=True)
    with pytest.raises(InplaceError, match="leaf"):
        a[0] += 1
    with ag.no_grad():
        a[0] += 1  # an initialisation: in place, as PyTorch
    np.testing.assert_allclose(a.data[0], A[0] + 1)
