"""PyTorch's in-place methods (``add_ sub_ mul_ div_ neg_ exp_ sqrt_ abs_ relu_ sigmoid_
tanh_ clamp_ masked_fill_ copy_ zero_ fill_ scatter_ scatter_add_ index_add_``) on a computed
tensor, or with an operand that requires grad, while recording: recorded as PyTorch records them,
as ``x[...] = <the out-of-place result>``, like ``x += y``. Values and gradients against
PyTorch and finite differences; the refusals that stay (a leaf that requires grad, a view
of another tensor, ``fill_diagonal_``, a result that does not fit x's shape)."""

from typing import Any, Callable

import numpy as np
import pytest

import autograd as ag
from autograd.errors import InplaceError, ShapeError

RNG = np.random.default_rng(7)
X0, Y0, W0 = (RNG.standard_normal((3, 4)) for _ in range(3))
MASK = X0 > 0.3
INDEX = np.array([[2, 0, 1, 0]])

# name -> the update of a computed h (shape (3, 4)) by y (shape (3, 4), requires grad), for
# a library T: every update is differentiable where PyTorch's is
UPDATES: dict[str, Callable[[Any, Any, Any], Any]] = {
    "add_": lambda T, h, y: h.add_(y),
    "add_ alpha": lambda T, h, y: h.add_(y, alpha=-2.5),
    "sub_ alpha": lambda T, h, y: h.sub_(y, alpha=0.5),
    "mul_": lambda T, h, y: h.mul_(y),
    "div_": lambda T, h, y: h.div_(y * y + 1.0),
    "div_ floor": lambda T, h, y: h.div_(y * y + 0.5, rounding_mode="floor"),
    "neg_": lambda T, h, y: h.neg_(),
    "exp_": lambda T, h, y: h.exp_(),
    "sqrt_": lambda T, h, y: h.add_(10.0).sqrt_(),
    "abs_": lambda T, h, y: h.abs_(),
    "relu_": lambda T, h, y: h.relu_(),
    "sigmoid_": lambda T, h, y: h.sigmoid_(),
    "tanh_": lambda T, h, y: h.tanh_(),
    "clamp_": lambda T, h, y: h.clamp_(-0.5, 0.8),
    "masked_fill_": lambda T, h, y: h.masked_fill_(T.tensor(MASK), 0.25),
    "copy_": lambda T, h, y: h.copy_(y[0]),
    "zero_": lambda T, h, y: h.zero_(),
    "fill_ tensor": lambda T, h, y: h.fill_(y[1, 2]),
    "scatter_": lambda T, h, y: h.scatter_(0, T.tensor(INDEX), y[:1]),
    "scatter_add_": lambda T, h, y: h.scatter_add_(0, T.tensor(INDEX), y[:1]),
    "index_add_": lambda T, h, y: h.index_add_(1, T.tensor([3, 0, 3]), y[:, :3], alpha=2.0),
}


def _run(T, name: str) -> tuple:
    x = T.tensor(X0, requires_grad=True)
    y = T.tensor(Y0, requires_grad=True)
    h = x * 1.5  # computed: the update is recorded on it
    assert UPDATES[name](T, h, y) is h
    loss = (h * T.tensor(W0)).sum() + (h * h).sum()
    loss.backward()
    grads = [np.zeros((3, 4)) if t.grad is None else t.grad.numpy() for t in (x, y)]
    return (loss.item(), h.detach().numpy(), *grads)


@pytest.mark.parametrize("name", list(UPDATES))
def test_each_method_is_recorded_as_pytorch_records_it(name: str) -> None:
    torch = pytest.importorskip("torch")
    ours, theirs = _run(ag, name), _run(torch, name)
    for a, b in zip(ours, theirs):
        np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-12)


def test_a_chain_of_updates_passes_gradcheck() -> None:
    def chain(x: ag.Tensor, y: ag.Tensor) -> ag.Tensor:
        h = x * 2.0
        h.add_(y, alpha=3.0).mul_(x).tanh_().clamp_(-0.9, 0.9)
        h.sub_(y.exp()).masked_fill_(ag.tensor(MASK), 0.0)
        h.mul_(h)  # reads h as it was (PyTorch refuses this backward)
        return h.sum()

    x = ag.tensor(X0, requires_grad=True)
    y = ag.tensor(Y0 * 0.3, requires_grad=True)
    assert ag.gradcheck(chain, (x, y))
    assert ag.gradgradcheck(chain, (x, y))


def test_a_constant_updated_by_an_operand_that_requires_grad_joins_the_graph() -> None:
    w = ag.tensor([1.0, 2.0, 3.0], requires_grad=True)
    total = ag.zeros(3)
    total.add_(w, alpha=2.0).mul_(w)  # total = 2 w * w
    assert total.requires_grad and not w.grad
    total.sum().backward()
    np.testing.assert_allclose(w.grad.numpy(), 4 * w.detach().numpy())


def test_uses_of_the_old_value_keep_its_gradient() -> None:
    """An op that read h before the update keeps reading h as it was (PyTorch refuses that
    backward instead; here the earlier value is kept by the rebase, so it is exact)."""
    x = ag.tensor([1.0, -2.0], requires_grad=True)
    h = x * 2.0
    square = h * h  # 4 x^2
    h.relu_()  # relu(2x)
    (square.sum() + h.sum()).backward()
    np.testing.assert_allclose(x.grad.numpy(), 8 * x.data + 2.0 * (x.data > 0))


def test_what_is_still_refused() -> None:
    w = ag.tensor([1.0, 2.0], requires_grad=True)
    with pytest.raises(InplaceError, match="add_ on a leaf tensor that requires grad.*x = x "
                                           "\\+ 2.0 \\* y.*no_grad"):
        w.add_(ag.ones(2), alpha=2.0)
    held = np.zeros((2, 2))
    column = ag.Tensor(held).T[0]  # a view of a NumPy array someone holds: in no graph
    with pytest.raises(InplaceError, match="mul_ while recording, where x .* is a view"):
        column.mul_(w)  # (a view of a computed tensor writes through)
    with pytest.raises(InplaceError, match="fill_diagonal_ .* is not recorded here"):
        (w.reshape(1, 2) * ag.ones((2, 2))).fill_diagonal_(0.0)
    with pytest.raises(ShapeError, match="in-place mul_: the result has shape \\(3, 2\\)"):
        (w * 1.0).mul_(ag.ones((3, 2)))
    with ag.no_grad():
        assert w.add_(1.0) is w  # an optimizer's update: untracked, as before
    np.testing.assert_array_equal(w.detach().numpy(), [2.0, 3.0])
