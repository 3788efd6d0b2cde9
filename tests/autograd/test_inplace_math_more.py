"""More in-place math of PyTorch's that optimizers copied from PyTorch use and that was
missing: ``sign_`` (Lion's ``update.sign_()``), ``square_``, ``pow_``, ``reciprocal_``,
and ``rsqrt`` (method and function). Values next to PyTorch's, the in-place rules of the
other in-place methods, and Lion as its authors' PyTorch code writes it."""

import numpy as np
import pytest

import autograd as ag
from autograd import DTypeError, InplaceError

X = np.array([[1.5, -2.0, 0.0], [3.0, -0.25, 4.0]])


@pytest.mark.filterwarnings("ignore::RuntimeWarning")  # NumPy's, for 1 / 0 and sqrt(-2)
@pytest.mark.parametrize("update", [
    lambda x: x.sign_(), lambda x: x.square_(), lambda x: x.pow_(3), lambda x: x.pow_(0.5),
    lambda x: x.reciprocal_(), lambda x: x.abs().rsqrt(), lambda x: x.clone().mul_(0.9).sign_(),
])
def test_values_match_pytorch(update):
    torch = pytest.importorskip("torch")
    ours, theirs = ag.tensor(X), torch.tensor(X)
    got, want = update(ours), update(theirs)
    np.testing.assert_allclose(got.numpy(), want.numpy(), rtol=1e-15, equal_nan=True)
    np.testing.assert_allclose(ag.rsqrt(ag.tensor(np.abs(X))).numpy(),
                               torch.rsqrt(torch.tensor(np.abs(X))).numpy(), rtol=1e-15)


def test_rsqrt_differentiates_as_pytorch():
    torch = pytest.importorskip("torch")
    ours = ag.tensor(np.abs(X) + 1, requires_grad=True)
    theirs = torch.tensor(np.abs(X) + 1, requires_grad=True)
    ours.rsqrt().sum().backward()
    theirs.rsqrt().sum().backward()
    np.testing.assert_allclose(ours.grad.numpy(), theirs.grad.numpy(), rtol=1e-14)


def test_in_place_rules():
    leaf = ag.tensor(X, requires_grad=True)
    with pytest.raises(InplaceError, match="sign_ on a leaf.*x = x.sign()"):
        leaf.sign_()
    with pytest.raises(DTypeError, match="pow_"):
        ag.tensor([1, 2]).pow_(0.5)  # an integer tensor cannot hold the floats
    with ag.no_grad():
        leaf.pow_(2)
    np.testing.assert_array_equal(leaf.detach().numpy(), X ** 2)


def lion_step(torch, params, exp_avgs, lr=1e-2, betas=(0.9, 0.99), weight_decay=0.1):
    """Lion's update as its PyTorch implementation writes it (lucidrains' lion-pytorch)."""
    with torch.no_grad():
        for p, exp_avg in zip(params, exp_avgs):
            grad = p.grad
            p.mul_(1 - lr * weight_decay)  # lion-pytorch: p.data.mul_ (.data is NumPy's here)
            update = exp_avg.clone().mul_(betas[0]).add(grad, alpha=1 - betas[0]).sign_()
            p.add_(update, alpha=-lr)
            exp_avg.mul_(betas[1]).add_(grad, alpha=1 - betas[1])


def test_lion_runs_as_pytorchs():
    torch = pytest.importorskip("torch")
    runs = []
    for T in (ag, torch):
        w = T.tensor(X, requires_grad=True)
        exp_avg = T.zeros_like(w)
        trace = []
        for _ in range(4):
            w.grad = None
            ((w - 1) ** 2).sum().backward()
            lion_step(T, [w], [exp_avg])
            trace.append(w.detach().numpy().copy())
        runs.append(trace)
    for a, b in zip(*runs):
        np.testing.assert_allclose(a, b, rtol=1e-14)
