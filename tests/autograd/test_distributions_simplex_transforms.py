"""The transforms onto the simplex and onto Cholesky factors (``StickBreakingTransform``,
``SoftmaxTransform``, ``LowerCholeskyTransform``) and the constraint registries' rules
for them, against PyTorch's: values, inverses, log|det| and their gradients."""

import numpy as np
import pytest

import autograd as ag
from autograd.errors import UnsupportedError


def _run(T, D, x: np.ndarray, make) -> list:
    """y = t(x), t.inv(y), log|det| and the gradient of sum(y * w) + sum(log|det|)."""
    xt = T.tensor(x, requires_grad=True)
    t = make(D)
    y = t(xt)
    ladj = t.log_abs_det_jacobian(xt, y)
    w = T.tensor(np.linspace(-1, 1, int(np.prod(y.shape))).reshape(y.shape))
    (y * w).sum().add(ladj.sum()).backward()
    return [y.detach().numpy(), t.inv(y).detach().numpy(), ladj.detach().numpy(),
            xt.grad.numpy()]


@pytest.mark.parametrize("make", [lambda D: D.transforms.StickBreakingTransform(),
                                  lambda D: D.StickBreakingTransform(),
                                  lambda D: D.biject_to(D.constraints.simplex)])
def test_stick_breaking_matches_pytorch(torch, make) -> None:
    x = np.random.default_rng(0).normal(size=(3, 4))
    got = _run(ag, ag.distributions, x, make)
    want = _run(torch, torch.distributions, x, make)
    for a, b in zip(got, want):
        np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-14)
    assert got[0].shape == (3, 5)
    np.testing.assert_allclose(got[1], x, rtol=1e-12)  # a bijection


def test_stick_breaking_shapes_and_support(torch) -> None:
    t = ag.distributions.biject_to(ag.distributions.constraints.simplex)
    assert t.forward_shape((2, 4)) == (2, 5) and t.inverse_shape((2, 5)) == (2, 4)
    assert t.bijective and t.codomain is ag.distributions.constraints.simplex


def _apply(T, D, x: np.ndarray, constraint_name: str) -> list:
    xt = T.tensor(x, requires_grad=True)
    t = D.transform_to(getattr(D.constraints, constraint_name))
    y = t(xt)
    w = T.tensor(np.linspace(-1, 1, int(np.prod(y.shape))).reshape(y.shape))
    (y * w).sum().backward()
    return [y.detach().numpy(), t.inv(y).detach().numpy(), xt.grad.numpy(),
            type(t).__name__]


@pytest.mark.parametrize("constraint_name, shape", [("simplex", (3, 4)),
                                                    ("lower_cholesky", (2, 3, 3))])
def test_transform_to_simplex_and_lower_cholesky_match_pytorch(torch, constraint_name,
                                                               shape) -> None:
    x = np.random.default_rng(1).normal(size=shape)
    got = _apply(ag, ag.distributions, x, constraint_name)
    want = _apply(torch, torch.distributions, x, constraint_name)
    assert got[3] == want[3]
    for a, b in zip(got[:3], want[:3]):
        np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-14)


def test_lower_cholesky_has_no_bijection_as_in_pytorch(torch) -> None:
    with pytest.raises(NotImplementedError):
        torch.distributions.biject_to(torch.distributions.constraints.lower_cholesky)
    with pytest.raises(UnsupportedError, match="see transform_to"):
        ag.distributions.biject_to(ag.distributions.constraints.lower_cholesky)


def test_a_logistic_normal_by_stick_breaking_matches_pytorch(torch) -> None:
    """``TransformedDistribution(Independent(Normal(loc, 1), 1), StickBreakingTransform())``
    (a guide on the simplex) took the event shape (K-1,) of the base: ComposeTransform,
    IndependentTransform and inverses did not pass a part's forward_shape on."""
    values = np.random.default_rng(2).dirichlet(np.ones(4), 5)
    results = []
    for T in (ag, torch):
        D = T.distributions
        loc = T.tensor([0.1, -0.2, 0.3], requires_grad=True)
        d = D.TransformedDistribution(D.Independent(D.Normal(loc, T.ones(3)), 1),
                                      [D.StickBreakingTransform()])
        log_prob = d.log_prob(T.tensor(values))
        log_prob.sum().backward()
        results.append([tuple(d.batch_shape), tuple(d.event_shape),
                        tuple(d.sample((2,)).shape), log_prob.detach().numpy(),
                        loc.grad.numpy()])
    assert results[0][:3] == results[1][:3] == [(), (4,), (2, 4)]
    for a, b in zip(results[0][3:], results[1][3:]):
        np.testing.assert_allclose(a, b, rtol=1e-12)
    t = ag.distributions.transforms.ComposeTransform([ag.distributions.StickBreakingTransform()])
    assert t.forward_shape((2, 3)) == (2, 4) and t.inv.forward_shape((2, 4)) == (2, 3)
    wrapped = ag.distributions.transforms.IndependentTransform(t, 1)
    assert wrapped.forward_shape((3,)) == (4,) and wrapped.inverse_shape((4,)) == (3,)
