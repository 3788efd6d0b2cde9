"""``transforms`` and ``TransformedDistribution`` / ``LogNormal`` against
``torch.distributions``' (float64): each transform's value, inverse and log|det J| with
their gradients, compositions and inverses, the change of variables in ``log_prob``
(events reinterpreted from the base's batch included), ``rsample`` from the same noise,
LogNormal's moments, the cache, and the errors of wrong arguments. (Flows written as
``TransformedDistribution(base, [transforms])``, and ``LogNormal``, had no counterpart.)"""

from __future__ import annotations

import numpy as np
import pytest
from test_distributions_torch import check

import autograd as ag
from autograd.errors import UsageError

RNG = np.random.default_rng(11)
X = RNG.standard_normal((4, 3))
LOC, LOG_SCALE = RNG.standard_normal(3), RNG.standard_normal(3) * 0.5
UNIT = RNG.uniform(0.05, 0.95, (4, 3))
POS = RNG.uniform(0.2, 3.0, (4, 3))


def transform(T, D, name, a, b):
    t = D.transforms
    return {"exp": lambda: t.ExpTransform(),
            "affine": lambda: t.AffineTransform(a, b.exp()),
            "affine_numbers": lambda: t.AffineTransform(0.5, -2.0),
            "affine_event": lambda: t.AffineTransform(a, b.exp(), event_dim=1),
            "sigmoid": lambda: t.SigmoidTransform(),
            "tanh": lambda: t.TanhTransform(),
            "softplus": lambda: t.SoftplusTransform(),
            "compose": lambda: t.ComposeTransform([t.AffineTransform(a, b.exp()),
                                                   t.TanhTransform(),
                                                   t.AffineTransform(1.0, 3.0)]),
            "inverse_sigmoid": lambda: t.SigmoidTransform().inv}[name]()


NAMES = ["exp", "affine", "affine_numbers", "affine_event", "sigmoid", "tanh", "softplus",
         "compose", "inverse_sigmoid"]
DOMAIN = {"inverse_sigmoid": UNIT}
IMAGE = {"exp": POS, "sigmoid": UNIT, "tanh": UNIT * 2 - 1, "softplus": POS,
         "compose": UNIT * 4 - 1}


@pytest.mark.parametrize("name", NAMES)
def test_transform_forward_and_log_det(torch, name: str) -> None:
    def fn(T, D, x, a, b):
        f = transform(T, D, name, a, b)
        y = f(x)
        return T.cat([y.reshape(-1), f.log_abs_det_jacobian(x, y).reshape(-1)])
    check(torch, fn, dict(x=DOMAIN.get(name, X), a=LOC, b=LOG_SCALE))


@pytest.mark.parametrize("name", NAMES)
def test_transform_inverse(torch, name: str) -> None:
    def fn(T, D, y, a, b):
        f = transform(T, D, name, a, b)
        x = f.inv(y)
        return T.cat([x.reshape(-1), f.log_abs_det_jacobian(x, y).reshape(-1),
                      f.inv.log_abs_det_jacobian(y, x).reshape(-1)])
    image = X if name.startswith("affine") else IMAGE.get(name, X)
    check(torch, fn, dict(y=image, a=LOC, b=LOG_SCALE), rtol=1e-9)


CASES = {
    "sigmoid_of_affine": lambda T, D, mu, s: D.TransformedDistribution(
        D.Normal(mu, s.exp()), [D.transforms.AffineTransform(1.0, 2.0),
                                D.transforms.SigmoidTransform()]).log_prob(T.tensor(UNIT)),
    "event_from_batch": lambda T, D, mu, s: D.TransformedDistribution(
        D.Normal(T.zeros(3), T.ones(3)),
        D.transforms.AffineTransform(mu, s.exp(), event_dim=1)).log_prob(T.tensor(X)),
    "independent_base": lambda T, D, mu, s: D.TransformedDistribution(
        D.Independent(D.Normal(mu, s.exp()), 1), [D.transforms.TanhTransform()]).log_prob(
        T.tensor(UNIT * 2 - 1)),
    "mvn_base": lambda T, D, mu, s: D.TransformedDistribution(
        D.MultivariateNormal(mu, scale_tril=T.diag(s.exp())),
        [D.transforms.ExpTransform()]).log_prob(T.tensor(POS)),
    "lognormal": lambda T, D, mu, s: D.LogNormal(mu, s.exp()).log_prob(T.tensor(POS)),
    "lognormal_mean": lambda T, D, mu, s: D.LogNormal(mu, s.exp()).mean,
    "lognormal_variance": lambda T, D, mu, s: D.LogNormal(mu, s.exp()).variance,
    "lognormal_mode": lambda T, D, mu, s: D.LogNormal(mu, s.exp()).mode,
    "lognormal_entropy": lambda T, D, mu, s: D.LogNormal(mu, s.exp()).entropy(),
    "lognormal_cdf": lambda T, D, mu, s: D.LogNormal(mu, s.exp()).cdf(T.tensor(POS)),
    "lognormal_expand": lambda T, D, mu, s: D.LogNormal(mu, s.exp()).expand((4, 3)).log_prob(
        T.tensor(POS)),
}


@pytest.mark.parametrize("name", CASES)
def test_transformed_distribution(torch, name: str) -> None:
    check(torch, CASES[name], dict(mu=LOC, s=LOG_SCALE))


def test_shapes(torch) -> None:
    for T in (ag, torch):
        D = T.distributions
        d = D.TransformedDistribution(D.Normal(T.zeros((5, 3)), 1.0),
                                      D.transforms.AffineTransform(0.0, 2.0, event_dim=1))
        assert (tuple(d.batch_shape), tuple(d.event_shape)) == ((5,), (3,))
        assert tuple(d.sample((2,)).shape) == (2, 5, 3) and d.has_rsample
        assert tuple(D.LogNormal(T.zeros(3), 1.0).rsample((4,)).shape) == (4, 3)


def test_rsample_replays_pytorch_noise_with_its_gradients(torch) -> None:
    """Draws pushed through the transforms: the same eps gives the same draw and gradients."""
    torch.manual_seed(0)
    tl, ts = (torch.tensor(v, requires_grad=True) for v in (LOC, LOG_SCALE))
    drawn = torch.distributions.TransformedDistribution(
        torch.distributions.Normal(tl, ts.exp()), [torch.distributions.TanhTransform()]
    ).rsample((5,))
    eps = ((torch.atanh(drawn) - tl) / ts.exp()).detach().numpy()

    class Replay(ag.Generator):
        def standard_normal(self, shape):
            return eps.reshape(shape)
    al, as_ = (ag.tensor(v, requires_grad=True) for v in (LOC, LOG_SCALE))
    ours = ag.distributions.TransformedDistribution(
        ag.distributions.Normal(al, as_.exp()), [ag.distributions.TanhTransform()]
    ).rsample((5,), generator=Replay())
    np.testing.assert_allclose(ours.data, drawn.detach().numpy(), rtol=1e-10, atol=1e-12)
    w = np.random.default_rng(2).standard_normal(drawn.shape)
    (drawn * torch.tensor(w)).sum().backward()
    (ours * ag.tensor(w)).sum().backward()
    for a, t in ((al, tl), (as_, ts)):
        np.testing.assert_allclose(a.grad.data, t.grad.numpy(), rtol=1e-9, atol=1e-12)


def test_cache_gives_back_the_input() -> None:
    """With cache_size=1, inv(f(x)) is x itself (no round-off), as PyTorch's cache."""
    f = ag.distributions.transforms.TanhTransform(cache_size=1)
    x = ag.tensor([30.0, -0.5])
    assert f.inv(f(x)) is x
    assert f.inv.inv is f


def test_custom_transform_subclass() -> None:
    """A user's Transform subclass (y = x^3) with _call, _inverse, log_abs_det_jacobian."""
    class Cube(ag.distributions.Transform):
        bijective = True

        def _call(self, x):
            return x ** 3

        def _inverse(self, y):
            return y.sign() * y.abs() ** (1 / 3)

        def log_abs_det_jacobian(self, x, y):
            return (3 * x ** 2).log()
    d = ag.distributions.TransformedDistribution(ag.distributions.Normal(0.0, 1.0), Cube())
    y = ag.tensor([0.5, 2.0])
    x = np.cbrt(y.data)
    want = -0.5 * x ** 2 - 0.5 * np.log(2 * np.pi) - np.log(3 * x ** 2)
    np.testing.assert_allclose(d.log_prob(y).data, want, rtol=1e-12)


def test_errors() -> None:
    D = ag.distributions
    with pytest.raises(UsageError, match="list of Transforms"):
        D.TransformedDistribution(D.Normal(0.0, 1.0), ["exp"])
    with pytest.raises(UsageError, match="cache_size"):
        D.transforms.ExpTransform(cache_size=2)
    with pytest.raises(UsageError, match="defines no _call"):
        D.Transform()(ag.zeros(2))
    with pytest.raises(UsageError, match="support|Greater"):
        D.LogNormal(0.0, 1.0).log_prob(ag.tensor(-1.0))
