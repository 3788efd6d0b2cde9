"""``np.logaddexp``/``np.logaddexp2`` on Tensors (HIPS's Bernoulli log-density
``-np.logaddexp(0, -logits * targets)`` raised "no differentiable version") and
``np.reshape(t, shape, order='F')`` (raised a bare TypeError about ``order``), against
PyTorch (float64, random upstream gradient) and NumPy's values."""

from __future__ import annotations

import numpy as np
import pytest

import autograd as ag
from autograd import UsageError

RNG = np.random.default_rng(3)


@pytest.mark.parametrize("name", ["logaddexp", "logaddexp2"])
@pytest.mark.parametrize("shapes", [((3, 4), (3, 4)), ((3, 1), (4,)), ((), (2, 3))])
def test_logaddexp_matches_pytorch(torch, name: str, shapes: tuple) -> None:
    a, b = (RNG.standard_normal(s) * 30 for s in shapes)  # large: no overflow allowed
    x, y = ag.tensor(a, requires_grad=True), ag.tensor(b, requires_grad=True)
    got = getattr(np, name)(x, y)
    xt, yt = torch.tensor(a, requires_grad=True), torch.tensor(b, requires_grad=True)
    want = getattr(torch, name)(xt, yt)
    np.testing.assert_allclose(got.data, want.detach().numpy(), rtol=1e-12)
    np.testing.assert_allclose(got.data, getattr(np, name)(a, b), rtol=1e-12)
    upstream = RNG.standard_normal(got.shape)
    got.backward(upstream)
    want.backward(torch.tensor(upstream))
    np.testing.assert_allclose(x.grad, xt.grad.numpy(), rtol=1e-10, atol=1e-300)
    np.testing.assert_allclose(y.grad, yt.grad.numpy(), rtol=1e-10, atol=1e-300)


def test_bernoulli_log_density_with_a_number_and_infinities(torch) -> None:
    logits = ag.tensor([[2.0, -1.0, 0.5]], requires_grad=True)
    targets = np.array([[1.0, -1.0, 1.0]])
    density = np.sum(-np.logaddexp(0, -logits * targets), axis=-1)
    lt = torch.tensor(logits.data, requires_grad=True)
    want = (-torch.logaddexp(torch.tensor(0.0), -lt * torch.tensor(targets))).sum(-1)
    np.testing.assert_allclose(density.data, want.detach().numpy(), rtol=1e-12)
    density.sum().backward()
    want.sum().backward()
    np.testing.assert_allclose(logits.grad, lt.grad.numpy(), rtol=1e-12)
    edge = np.logaddexp(ag.tensor([-np.inf, np.inf, -np.inf]), ag.tensor([-np.inf, 1.0, 2.0]))
    np.testing.assert_array_equal(edge.data, np.logaddexp([-np.inf, np.inf, -np.inf],
                                                          [-np.inf, 1.0, 2.0]))


@pytest.mark.parametrize("order", ["C", "F"])
@pytest.mark.parametrize("shape", [(6, 4), (2, 3, 4), 24, (4, -1)])
def test_reshape_order_matches_numpy_and_pytorch(torch, order: str, shape) -> None:
    a = RNG.standard_normal((4, 6))
    x = ag.tensor(a, requires_grad=True)
    got = np.reshape(x, shape, order=order)
    np.testing.assert_array_equal(got.data, np.reshape(a, shape, order=order))
    upstream = RNG.standard_normal(got.shape)
    got.backward(upstream)
    # the gradient puts each upstream entry back where its element came from
    np.testing.assert_array_equal(x.grad, np.reshape(upstream, a.shape, order=order))
    xt, new = torch.tensor(a, requires_grad=True), np.shape(np.reshape(a, shape))
    reverse = list(range(len(new)))[::-1]  # the "F" reading: reshape of the transposes
    want = xt.T.reshape(new[::-1]).permute(*reverse) if order == "F" else xt.reshape(new)
    np.testing.assert_array_equal(got.data, want.detach().numpy())


def test_reshape_errors_say_what_to_do() -> None:
    x = ag.tensor(np.arange(6.0))
    with pytest.raises(UsageError, match="order='A'"):
        np.reshape(x, (2, 3), order="A")
    with pytest.raises(UsageError, match="copy out"):
        np.reshape(x, (2, 3), copy=False)
