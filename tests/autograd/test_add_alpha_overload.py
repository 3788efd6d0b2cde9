"""``add``/``sub`` and ``add_``/``sub_`` with a number before the tensor: PyTorch's
deprecated overload ``x.add_(alpha, other)`` of the older tutorials and hand-written
optimizers (``p.add_(-learning_rate, p.grad)``, the char-RNN generation tutorial's update
before 2020), which PyTorch still runs with a warning. Here it raised "the truth value of a
tensor ... is ambiguous" (the tensor was taken for alpha). Any other second positional
argument is refused, as PyTorch refuses it: ``alpha`` is keyword-only there."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import autograd as ag
from autograd import UsageError

X = np.random.default_rng(0).standard_normal(4)
G = np.random.default_rng(1).standard_normal(4)
CALLS = [("add_", lambda t, g: t.add_(-0.5, g)), ("sub_", lambda t, g: t.sub_(-0.5, g)),
         ("add", lambda t, g: t.add(3, g)), ("sub", lambda t, g: t.sub(0.25, g))]


@pytest.mark.parametrize("name, call", CALLS, ids=[c[0] for c in CALLS])
def test_number_then_tensor_is_alpha_then_other_as_torch(name, call):
    torch = pytest.importorskip("torch")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        want = call(torch.tensor(X), torch.tensor(G))
    with pytest.warns(FutureWarning, match=rf"x.{name}\(alpha, other\) .* deprecated .*"
                                           rf"x.{name}\(other, alpha="):
        got = call(ag.tensor(X), ag.tensor(G))
    np.testing.assert_allclose(got.numpy(), want.numpy(), rtol=1e-15)


def test_the_old_hand_written_update_under_no_grad():
    p = ag.tensor(X, requires_grad=True)
    (p * ag.tensor(G)).sum().backward()
    with ag.no_grad(), pytest.warns(FutureWarning):
        assert p.add_(-0.1, p.grad) is p
    np.testing.assert_allclose(p.detach().numpy(), X - 0.1 * G)


def test_recorded_in_a_graph_as_torch():
    torch = pytest.importorskip("torch")
    grads = []
    for T in (ag, torch):
        x = T.tensor(X, requires_grad=True)
        h = x * 1.0
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            h.sub_(2.0, x.sin())
        (h * h).sum().backward()
        grads.append(x.grad.numpy())
    np.testing.assert_allclose(grads[0], grads[1], rtol=1e-13)


def test_other_positional_alphas_are_refused_as_torch():
    torch = pytest.importorskip("torch")
    with pytest.raises(TypeError, match="positional"):
        torch.ones(2).add_(torch.ones(2), 2.0)
    for name in ("add_", "sub_", "add", "sub"):
        with pytest.raises(UsageError, match=rf"{name}: alpha is a keyword.*"
                                             rf"x.{name}\(other, alpha=2.0\)"):
            getattr(ag.ones(2), name)(ag.ones(2), 2.0)
        with pytest.raises(UsageError, match="alpha is a keyword"):
            getattr(ag.ones(2), name)(2.0, ag.ones(2), alpha=3)


def test_torch_add_and_sub_take_alpha_as_torch():
    """``torch.add(input, other, alpha=2)`` (it was a TypeError: unexpected keyword)."""
    torch = pytest.importorskip("torch")
    for name in ("add", "sub"):
        want = getattr(torch, name)(torch.tensor(X), torch.tensor(G), alpha=-0.5)
        got = getattr(ag, name)(ag.tensor(X), ag.tensor(G), alpha=-0.5)
        np.testing.assert_allclose(got.numpy(), want.numpy(), rtol=1e-15)
        x = ag.tensor(X, requires_grad=True)
        getattr(ag, name)(1.0, x, alpha=3).sum().backward()
        np.testing.assert_allclose(x.grad.numpy(), np.full(4, 3.0 if name == "add" else -3.0))
        out = ag.zeros(4)
        assert getattr(ag, name)(ag.tensor(X), ag.tensor(G), alpha=2, out=out) is out
        np.testing.assert_allclose(out.numpy(), X + 2 * G if name == "add" else X - 2 * G)
    np.testing.assert_array_equal(ag.add([1.0, 2.0], [3.0, 4.0], alpha=2).numpy(), [7.0, 10.0])
    assert ag.sub(ag.ones(2, dtype=ag.float32), 1.0, alpha=2).dtype == ag.float32
