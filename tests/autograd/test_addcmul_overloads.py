"""PyTorch's ``addcmul``/``addcdiv`` (methods, in place, and ``autograd.addcmul``/
``addcdiv``): x + value * t1 * t2 and x + value * t1 / t2, the two lines of a hand-written
Adam (``exp_avg_sq.mul_(beta2).addcmul_(grad, grad, value=1 - beta2)``,
``p.addcdiv_(exp_avg, denom, value=-step_size)``) that a reader of the char-RNN tutorials'
hand-written update reaches for next. They were AttributeErrors. The old optimizers'
``addcmul_(value, t1, t2)`` runs with a warning, as in PyTorch."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import autograd as ag
from autograd import DTypeError, InplaceError, UsageError

RNG = np.random.default_rng(0)
X, A, B = RNG.standard_normal((3, 4)), RNG.standard_normal(4), RNG.random((3, 1)) + 0.5
CALLS = [("addcmul", lambda T, x, a, b: x.addcmul(a, b, value=-0.5)),
         ("addcdiv", lambda T, x, a, b: x.addcdiv(a, b, value=2)),
         ("addcmul default value", lambda T, x, a, b: x.addcmul(a, b)),
         ("addcdiv function", lambda T, x, a, b: T.addcdiv(x, a, b, value=0.25)),
         ("addcmul function", lambda T, x, a, b: T.addcmul(x, a, b, value=3.0)),
         ("addcmul_", lambda T, x, a, b: (x * 1).addcmul_(a, b, value=0.1)),
         ("addcdiv_", lambda T, x, a, b: (x * 1).addcdiv_(a, b, value=-1.5))]


@pytest.mark.parametrize("name, call", CALLS, ids=[c[0] for c in CALLS])
def test_values_and_gradients_as_torch(name, call):
    torch = pytest.importorskip("torch")
    results = []
    for T in (ag, torch):
        x, a, b = (T.tensor(v, requires_grad=True) for v in (X, A, B))
        out = call(T, x, a, b)
        (out * out).sum().backward()
        results.append([out.detach().numpy()] + [t.grad.numpy() for t in (x, a, b)])
    for got, want in zip(*results):
        np.testing.assert_allclose(got, want, rtol=1e-12)


def test_the_hand_written_adam_step_as_torch():
    torch = pytest.importorskip("torch")
    params = []
    for T in (ag, torch):
        p, grad = T.tensor(X), T.tensor(np.cos(X))
        exp_avg, exp_avg_sq = T.zeros(3, 4, dtype=T.float64), T.zeros(3, 4, dtype=T.float64)
        for step in range(1, 3):
            exp_avg.mul_(0.9).add_(grad, alpha=1 - 0.9)
            exp_avg_sq.mul_(0.999).addcmul_(grad, grad, value=1 - 0.999)
            denom = (exp_avg_sq.sqrt() / np.sqrt(1 - 0.999 ** step)).add_(1e-8)
            p.addcdiv_(exp_avg, denom, value=-0.01 / (1 - 0.9 ** step))
        params.append(p.numpy())
    np.testing.assert_allclose(params[0], params[1], rtol=1e-14)


def test_the_old_value_first_overload_warns_as_torch():
    torch = pytest.importorskip("torch")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        want = torch.tensor(X).addcmul_(0.5, torch.tensor(A), torch.tensor(B))
    with pytest.warns(FutureWarning, match=r"x.addcmul_\(value, tensor1, tensor2\) .* "
                                           r"deprecated .*x.addcmul_\(tensor1, tensor2, value"):
        got = ag.tensor(X).addcmul_(0.5, ag.tensor(A), ag.tensor(B))
    np.testing.assert_allclose(got.numpy(), want.numpy(), rtol=1e-15)


def test_named_errors():
    with pytest.raises(UsageError, match=r"addcdiv: value is a keyword.*value=2"):
        ag.ones(2).addcdiv(ag.ones(2), ag.ones(2), 2)
    with pytest.raises(InplaceError, match=r"in-place addcmul_ on a leaf tensor .* "
                                           r"x = x.addcmul\("):
        ag.ones(2, requires_grad=True).addcmul_(ag.ones(2), ag.ones(2))



def test_integer_division_is_refused_as_torch():
    torch = pytest.importorskip("torch")
    with pytest.raises(RuntimeError, match="Integer division with addcdiv"):
        torch.tensor([1.0]).addcdiv(torch.tensor([1]), torch.tensor([2]))
    for call in (lambda t: t.addcdiv(ag.tensor([1]), ag.tensor([2])),
                 lambda t: t.addcdiv_(ag.tensor([1]), ag.tensor([2]))):
        with pytest.raises(DTypeError, match=r"addcdiv_?: tensor1 and tensor2 are both "
                                             r"integers.*double\(\)"):
            call(ag.tensor([1.0]))
    assert ag.tensor([1]).addcdiv(ag.tensor([1.0]), ag.tensor([2])).tolist() == [1.5]


@pytest.mark.parametrize("name", ["addcmul", "addcdiv"])
def test_the_old_value_first_overload_of_the_functions_warns_as_torch(name):
    """``torch.addcdiv(zero, 1.0, v, vnorm)`` (facebookresearch/jacobian_regularizer's
    random projection) runs in PyTorch with a warning; it was a TypeError here."""
    torch = pytest.importorskip("torch")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        want = getattr(torch, name)(torch.tensor(X), 0.5, torch.tensor(A), torch.tensor(B))
    with pytest.warns(FutureWarning, match=rf"{name}\(value, tensor1, tensor2\) .* "
                                           rf"deprecated .*{name}\(tensor1, tensor2, value"):
        got = getattr(ag, name)(ag.tensor(X), 0.5, ag.tensor(A), ag.tensor(B))
    np.testing.assert_allclose(got.numpy(), want.numpy(), rtol=1e-15)
    np.testing.assert_array_equal(getattr(ag, name)(ag.tensor(X), ag.tensor(A),
                                                    ag.tensor(B)).numpy(),
                                  getattr(ag, name)(ag.tensor(X), ag.tensor(A), ag.tensor(B),
                                                    value=1).numpy())
