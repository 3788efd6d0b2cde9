"""``x.renorm(p, dim, maxnorm)``, ``x.renorm_`` and ``autograd.renorm``, against PyTorch:
L2 attacks and TRADES project a perturbation with ``delta.renorm_(p=2, dim=0,
maxnorm=epsilon)`` (it was an AttributeError here). Values and gradients (through the
norm) agree, slices inside the ball (a zero slice too) are kept with a finite gradient."""

import numpy as np
import pytest

import autograd as ag
from autograd.errors import UsageError

X = np.random.default_rng(0).normal(size=(3, 2, 4))
X[1] *= 0.01  # inside the ball
X[2, 1] = 0.0  # a zero slice along dim 1
G = np.random.default_rng(1).normal(size=X.shape)


@pytest.mark.parametrize("p", [1, 2, 3.5, float("inf")])
@pytest.mark.parametrize("dim", [0, 1, -1])
def test_renorm_and_its_gradient_as_pytorch(torch, p, dim) -> None:
    x, tx = ag.tensor(X, requires_grad=True), torch.tensor(X, requires_grad=True)
    out, t_out = x.renorm(p, dim, 0.8), tx.renorm(p, dim, 0.8)
    np.testing.assert_allclose(out.detach().numpy(), t_out.detach().numpy(), rtol=1e-12,
                               atol=1e-15)
    (out * ag.tensor(G)).sum().backward()
    (t_out * torch.tensor(G)).sum().backward()
    assert np.isfinite(x.grad.numpy()).all()
    np.testing.assert_allclose(x.grad.numpy(), tx.grad.numpy(), rtol=1e-10, atol=1e-14)


def test_renorm_in_place_as_trades_projects_delta(torch) -> None:
    delta, t_delta = ag.tensor(X, requires_grad=True), torch.tensor(X, requires_grad=True)
    with ag.no_grad():
        assert delta.renorm_(p=2, dim=0, maxnorm=0.5) is delta
    with torch.no_grad():
        t_delta.renorm_(p=2, dim=0, maxnorm=0.5)
    np.testing.assert_allclose(delta.detach().numpy(), t_delta.detach().numpy(), rtol=1e-12)
    assert (np.linalg.norm(delta.detach().numpy().reshape(3, -1), axis=1) <= 0.5 + 1e-9).all()


def test_renorm_in_place_in_a_graph_and_as_a_function(torch) -> None:
    x, tx = ag.tensor(X, requires_grad=True), torch.tensor(X, requires_grad=True)
    y, ty = x * 3, tx * 3
    y.renorm_(2, 1, 1.0)
    ty.renorm_(2, 1, 1.0)
    (y * ag.tensor(G)).sum().backward()
    (ty * torch.tensor(G)).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), tx.grad.numpy(), rtol=1e-10, atol=1e-14)
    out = ag.zeros(3, 2, 4)
    assert ag.renorm(ag.tensor(X), 2, 0, 0.5, out=out) is out
    np.testing.assert_allclose(out.numpy(), torch.renorm(torch.tensor(X), 2, 0, 0.5).numpy(),
                               rtol=1e-12)


@pytest.mark.parametrize("args, match", [((0, 0, 1.0), "p must be a positive"),
                                         ((2, 0, -1.0), "maxnorm must be"),
                                         ((2, 3, 1.0), "renorm")])
def test_renorm_errors_say_what_to_pass(args, match) -> None:
    with pytest.raises((UsageError, IndexError, ValueError), match=match):
        ag.tensor(X).renorm(*args)
    with pytest.raises(UsageError, match="at least 2 dimensions"):
        ag.tensor(X[0, 0]).renorm(2, 0, 1.0)
