"""``t[index] = v`` while recording, where t is a reshape of a computed tensor (a chain of
reshapes, squeezes and unsqueezes): as in PyTorch, the write reaches the tensors t views
(each base takes t's new value, reshaped, as its new history), and ops that used a base
before the write still send their gradient to its old value. d2l.ai's ``masked_softmax``
writes -1e6 through ``sequence_mask(X.reshape(-1, shape[-1]), ...)`` of attention scores.
A transpose writes through too (``test_view_write_through.py``), and so does ``base[i]``
(``test_setitem_slice_write_through.py``).
Expected values and gradients come from PyTorch."""

import numpy as np
import pytest

import autograd as ag
from autograd import InplaceError, Tensor

RNG = np.random.default_rng(5)


def _program(lib, x, w, valid):
    """d2l's masked_softmax on scores = (x @ w).squeeze(-1), with uses of the scores
    before and after the write; returns (loss, scores)."""
    scores = (x @ w).squeeze(-1)  # (2, 3, 4), itself a view of the matmul's output
    before = scores.exp().sum()  # saves its output: PyTorch refuses (scores * scores)
    shape = scores.shape
    flat = scores.reshape(-1, shape[-1])
    mask = lib.arange(shape[-1])[None, :] < valid[:, None]
    flat[~mask] = -1e6
    weights = lib.nn.functional.softmax(flat.reshape(shape), dim=-1)
    after = (weights * lib.arange(4.0)).sum() + (scores.clamp(min=-5.0) ** 2).sum()
    return before + after, scores


def test_write_through_a_reshape_as_pytorch():
    torch = pytest.importorskip("torch")
    import nn  # noqa: F401 (ag.nn is not a thing: give the program nn.functional)
    x, w = RNG.normal(size=(2, 3, 4, 5)), RNG.normal(size=(5, 1))
    valid = np.array([1, 2, 4, 3, 2, 1])
    ours = [Tensor(x, requires_grad=True), Tensor(w, requires_grad=True)]
    theirs = [torch.tensor(x, requires_grad=True), torch.tensor(w, requires_grad=True)]

    class Ours:
        arange = staticmethod(ag.arange)
        nn = __import__("nn")

    loss, scores = _program(Ours, *ours, Tensor(valid))
    t_loss, t_scores = _program(torch, *theirs, torch.tensor(valid))
    np.testing.assert_allclose(scores.detach().numpy(), t_scores.detach().numpy())
    assert (scores.detach().numpy() == -1e6).sum() == 24 - valid.sum()  # the base changed
    loss.backward()
    t_loss.backward()
    np.testing.assert_allclose(loss.item(), t_loss.item(), rtol=1e-12)
    for a, b in zip(ours, theirs):
        np.testing.assert_allclose(a.grad.numpy(), b.grad.numpy(), rtol=1e-10, atol=1e-12)


def test_write_through_a_chain_of_reshapes_reaches_the_first():
    torch = pytest.importorskip("torch")
    x = RNG.normal(size=(3, 4))
    for lib, make in [(ag, Tensor), (torch, torch.tensor)]:
        a = make(x, requires_grad=True)
        y = a * 2
        z = y.unsqueeze(0).reshape(12)
        z[3] = z[0] * 10
        assert float(y[0, 3].detach()) == float(y[0, 0].detach()) * 10
        (y.exp().sum() + z.sum()).backward()
        if lib is ag:
            got = a.grad.numpy()
        else:
            np.testing.assert_allclose(got, a.grad.numpy(), rtol=1e-12)


def test_a_view_of_a_leaf_that_requires_grad_still_refuses():
    leaf = Tensor(RNG.normal(size=(2, 3)), requires_grad=True)
    with pytest.raises(InplaceError):
        leaf.reshape(6)[0] = 1.0


def test_an_in_place_operator_on_a_reshape_writes_through_too():
    torch = pytest.importorskip("torch")
    x = RNG.normal(size=(2, 3))
    grads = []
    for make in (Tensor, torch.tensor):
        a = make(x, requires_grad=True)
        y = a * 2.0  # (exp would save its output, which PyTorch then refuses to change)
        flat = y.reshape(6)
        flat *= 3.0
        (y.sin().sum() + flat.sum()).backward()
        grads.append((y.detach().numpy().copy(), a.grad.numpy().copy()))
    for ours, theirs in zip(*grads):
        np.testing.assert_allclose(ours, theirs, rtol=1e-12)
