"""``Tensor.register_hook``: a hook sees each tensor's complete gradient once per pass and
may replace it. Expected gradients come from the same graph without hooks (itself
checked by gradcheck) and from PyTorch."""

from __future__ import annotations

import numpy as np
import pytest

import autograd as ag
from autograd import DTypeError, ShapeError, Tensor, UsageError


def _graph(x: Tensor) -> tuple[Tensor, Tensor]:
    """(h, L): x used by three ops, h by two."""
    h = (x * x).tanh()
    return h, (h * x).sum() + (h * 3.0).sum() + (x * 2.0).sum()


def _leaf(seed: int = 0) -> Tensor:
    return Tensor(np.random.default_rng(seed).uniform(-1, 1, 4), requires_grad=True)


def test_hooks_see_the_complete_gradient_once() -> None:
    x = _leaf()
    h, L = _graph(x)
    expected = ag.grad(L, (x, h), retain_graph=True)
    seen: dict[str, list] = {"x": [], "h": []}
    x.register_hook(lambda g: seen["x"].append(g.data.copy()))
    h.register_hook(lambda g: seen["h"].append(g.data.copy()))
    L.backward()
    assert len(seen["x"]) == len(seen["h"]) == 1  # once each, not once per use
    np.testing.assert_allclose(seen["x"][0], expected[0].data, rtol=1e-12)
    np.testing.assert_allclose(seen["h"][0], expected[1].data, rtol=1e-12)
    np.testing.assert_allclose(x.grad.data, expected[0].data, rtol=1e-12)
    assert ag.gradcheck(lambda t: _graph(t)[1], [_leaf()])


def test_a_replacement_is_what_the_pass_uses() -> None:
    """A hook zeroing h's gradient gives the gradient of the same function with h
    detached (no path through h); a hook on x scales x's total."""
    x = _leaf(1)
    h = (x * x).tanh().detach()
    cut = ag.grad((h * x).sum() + (h * 3.0).sum() + (x * 2.0).sum(), x)[0].data
    h, L = _graph(x)
    h.register_hook(lambda g: g * 0.0)
    x.register_hook(lambda g: g * 10.0)
    L.backward()
    np.testing.assert_allclose(x.grad.data, 10.0 * cut, rtol=1e-12)


def test_hooks_under_grad_and_create_graph() -> None:
    """A hook doubling x's gradient doubles the first derivative and, running again in
    the second pass, the second derivative twice over."""
    x = _leaf(2)
    (g0,) = ag.grad((x ** 3).sum(), x, create_graph=True)
    (h0,) = ag.grad(g0.sum(), x)
    x.register_hook(lambda g: g * 2.0)  # a Tensor with a graph under create_graph
    (g,) = ag.grad((x ** 3).sum(), x, create_graph=True)
    (h,) = ag.grad(g.sum(), x)
    np.testing.assert_allclose(g.data, 2.0 * g0.data, rtol=1e-12)
    np.testing.assert_allclose(h.data, 4.0 * h0.data, rtol=1e-12)
    assert ag.gradgradcheck(lambda t: (t ** 3).sum(), [_leaf(2)])


@pytest.mark.parametrize("spelling", [lambda g: g.data * 2.0, lambda g: np.asarray(g) * 2.0,
                                      lambda g: np.clip(g.data, -1.0, 1.0)],
                         ids=["g.data * 2", "np.asarray(g) * 2", "np.clip(g.data)"])
def test_a_hook_returning_an_array_is_a_named_error(spelling) -> None:
    """PyTorch requires a Tensor (or None) from a hook, with or without create_graph (an
    array where the gradient has a graph used to cut it silently)."""
    h = _leaf(6) * 1.5
    h.register_hook(spelling)
    with pytest.raises(UsageError, match="must return None or a Tensor"):
        ag.grad((h ** 3).sum(), h, create_graph=True)
    with pytest.raises(TypeError, match="returned a ndarray"):
        (h ** 3).sum().backward(create_graph=True)
    with pytest.raises(UsageError, match="returned a ndarray"):
        ag.grad((h ** 3).sum(), h)


def test_writing_into_a_read_only_gradient_is_a_named_error() -> None:
    """sum's gradient is a broadcast (read-only): ``g *= 10`` in a hook raised ShapeError
    "output array is read-only"; PyTorch raises a RuntimeError for its expanded grad."""
    h = _leaf(7) * 2.0

    def scale_in_place(g):
        g *= 10.0
    h.register_hook(scale_in_place)
    with pytest.raises(RuntimeError, match="read-only array of shape .4,.*return it"):
        h.sum().backward()
    broadcast = Tensor(np.broadcast_to(np.ones(3), (2, 3)))
    for write in (lambda t: t.fill_(0.0), lambda t: t.__setitem__(0, 5.0)):
        with pytest.raises(UsageError, match="read-only"):
            write(broadcast)


def test_handles_remove_hooks() -> None:
    x = _leaf(3)
    calls: list[int] = []
    handle = x.register_hook(lambda g: calls.append(1))
    (x * 2.0).sum().backward()
    handle.remove()
    handle.remove()  # again: nothing happens
    (x * 2.0).sum().backward()
    with x.register_hook(lambda g: calls.append(2)):
        (x * 2.0).sum().backward()
    (x * 2.0).sum().backward()
    assert calls == [1, 2]
    np.testing.assert_allclose(x.grad.data, 8.0)


def test_bad_hooks_and_bad_replacements_are_named() -> None:
    x = _leaf(4)
    with pytest.raises(UsageError, match="does not require grad"):
        Tensor(np.ones(2)).register_hook(print)
    with pytest.raises(UsageError, match="needs a function"):
        x.register_hook("print")
    handle = x.register_hook(lambda g: Tensor(np.ones(3)))
    with pytest.raises(ShapeError, match=r"shape \(4,\).*returned shape \(3,\)"):
        (x * 2.0).sum().backward()
    handle.remove()
    x32 = Tensor(np.ones(2, np.float32), requires_grad=True)
    with x32.register_hook(lambda g: Tensor(np.ones(2))):  # float64 for a float32 tensor
        with pytest.raises(DTypeError, match="float32 tensor returned float64"):
            (x32 * 2.0).sum().backward()
    s = Tensor(np.float32(2.0), requires_grad=True)
    s.register_hook(lambda g: 1.0)  # a number is not a gradient Tensor (PyTorch: TypeError)
    with pytest.raises(UsageError, match="returned a float"):
        (s * 3.0).backward()


def test_hooks_agree_with_pytorch() -> None:
    torch = pytest.importorskip("torch")
    x = _leaf(5)
    h, L = _graph(x)
    h.register_hook(lambda g: g.clip(-0.1, 0.1))
    L.backward()
    tx = torch.tensor(x.data, requires_grad=True)
    th = torch.tanh(tx * tx)
    th.register_hook(lambda g: g.clamp(-0.1, 0.1))
    ((th * tx).sum() + (th * 3.0).sum() + (tx * 2.0).sum()).backward()
    np.testing.assert_allclose(x.grad.data, tx.grad.numpy(), rtol=1e-12)
