"""``x += y`` (and -=, *=, /=) while recording on a computed tensor, or with y requiring
grad, is recorded as PyTorch records it: ``x[...] = x + y``. Values and gradients
against PyTorch and finite differences; the refusals that stay."""

import numpy as np
import pytest

import autograd as ag
from autograd.errors import InplaceError, ShapeError

RNG = np.random.default_rng(0)


def _residual_block(T, x0, w0):
    """ResNet's ``out += identity``, then the other three operators."""
    x = T.tensor(x0, requires_grad=True)
    w = T.tensor(w0, requires_grad=True)
    out = (x @ w) * 2.0  # (PyTorch refuses updates to an array a VJP reads, e.g. tanh's)
    out += x
    out -= 0.5
    out /= 4.0
    out *= x.sum()
    loss = (out.tanh() ** 2).sum()
    loss.backward()
    return loss.item(), x.grad.numpy(), w.grad.numpy()


def test_updates_in_a_forward_match_pytorch():
    torch = pytest.importorskip("torch")
    x0, w0 = RNG.standard_normal((3, 3)), RNG.standard_normal((3, 3))
    for ours, theirs in zip(_residual_block(ag, x0, w0), _residual_block(torch, x0, w0)):
        np.testing.assert_allclose(ours, theirs, rtol=1e-12)


def test_updates_in_a_forward_are_finite_differences():
    def fn(x, w):
        out = (x @ w).tanh()
        out += x
        out *= x.sum()
        return out
    assert ag.gradcheck(fn, (ag.Tensor(RNG.standard_normal((2, 2)), requires_grad=True),
                             ag.Tensor(RNG.standard_normal((2, 2)), requires_grad=True)))


def test_an_update_by_itself_uses_the_old_value_where_pytorch_refuses():
    """``h *= h``: PyTorch's version check refuses the backward (Mul needs h's old value);
    here the old value is kept, so the gradient is d(h^2)/dw."""
    w = ag.tensor([1.0, 2.0], requires_grad=True)
    h = w * 3
    h *= h
    h.sum().backward()
    np.testing.assert_allclose(w.grad.data, 18 * w.data)


def test_a_constant_accumulating_tracked_terms_joins_the_graph():
    w = ag.tensor([1.0, 2.0, 3.0], requires_grad=True)
    total = ag.zeros(3)
    for k in range(4):
        total += w * k
    total.sum().backward()
    np.testing.assert_array_equal(w.grad.data, [6.0, 6.0, 6.0])


def test_the_update_keeps_dtype_and_shape():
    x = ag.tensor([1.0, 2.0], dtype=ag.float32, requires_grad=True) * 1
    x += ag.tensor([1.0, 1.0], requires_grad=True)  # float64 into float32, as PyTorch
    assert x.dtype == np.float32 and x.shape == (2,)
    with pytest.raises(ShapeError, match="keeps x's shape"):
        x += ag.ones(2, 2)


def test_ops_that_used_the_old_value_keep_it():
    w = ag.tensor([1.0, 2.0], requires_grad=True)
    h = w * 3
    seen = []
    h.register_hook(lambda g: seen.append(g.numpy().copy()))
    y = h.exp()  # reads h before the update
    h += 1
    (y.sum() + h.sum()).backward()
    np.testing.assert_allclose(w.grad.data, 3 * np.exp(3 * np.array([1.0, 2.0])) + 3)
    np.testing.assert_allclose(seen[0], np.exp(3 * np.array([1.0, 2.0])) + 1)


def test_leaves_and_views_are_still_refused():
    w = ag.tensor([1.0, 2.0], requires_grad=True)
    with pytest.raises(InplaceError,
                       match="on a leaf tensor that requires grad.*Write x = x \\+ y"):
        w += 1
    held = np.zeros((2, 2))
    column = ag.Tensor(held).T[0]  # a view of a NumPy array someone holds: in no graph
    with pytest.raises(InplaceError, match="view of another tensor"):
        column *= w  # (a view of a computed tensor writes through: test_view_write_through)
    with ag.no_grad():
        w += 1  # untracked, as before
    np.testing.assert_array_equal(w.data, [2.0, 3.0])
