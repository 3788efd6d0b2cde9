"""``Gumbel`` and ``HalfNormal`` against ``torch.distributions``'s: log_prob, cdf, icdf,
entropy and the moments with their gradients in the parameters (and the value), shapes
under broadcasting, ``expand`` and sample shapes, ``validate_args`` errors, the
reparameterised draws' gradients (exact, given the same noise) and the draws' moments."""

import math

import numpy as np
import pytest

import autograd as ag

RNG = np.random.default_rng(1)
LOC = RNG.normal(size=(3, 1))
SCALE = RNG.uniform(0.5, 2.0, (1, 4))
VALUE = RNG.uniform(0.05, 3.0, (3, 4))
P = RNG.uniform(0.05, 0.95, (3, 4))


def _make(D, name, loc, scale):
    return D.Gumbel(loc, scale) if name == "Gumbel" else D.HalfNormal(scale)


def _stats(T, D, name: str) -> list:
    loc = T.tensor(LOC, requires_grad=True)
    scale = T.tensor(SCALE, requires_grad=True)
    x = T.tensor(VALUE, requires_grad=True)
    d = _make(D, name, loc, scale)
    outs = [d.log_prob(x), d.cdf(x), d.icdf(T.tensor(P)), d.entropy(), d.mean, d.mode,
            d.stddev, d.variance]
    w = T.tensor(np.linspace(0.5, 1.5, 12).reshape(3, 4))
    total = sum((o * w[:o.shape[0], :o.shape[1]]).sum() for o in outs)
    total.backward()
    grads = [scale.grad, x.grad] + ([loc.grad] if name == "Gumbel" else [])
    return [o.detach().numpy() for o in outs] + [g.numpy() for g in grads] + [
        tuple(d.batch_shape), tuple(d.event_shape)]


@pytest.mark.parametrize("name", ["Gumbel", "HalfNormal"])
def test_statistics_and_gradients_match_pytorch(torch, name) -> None:
    got = _stats(ag, ag.distributions, name)
    want = _stats(torch, torch.distributions, name)
    for i, (g, w) in enumerate(zip(got, want)):
        if isinstance(g, tuple):
            assert g == w
        else:
            np.testing.assert_allclose(g, w, rtol=1e-11, atol=1e-13, err_msg=f"output {i}")


@pytest.mark.parametrize("name", ["Gumbel", "HalfNormal"])
def test_expand_and_sample_shapes_match_pytorch(torch, name) -> None:
    ours = _make(ag.distributions, name, ag.tensor(LOC), ag.tensor(SCALE)).expand((2, 3, 4))
    theirs = _make(torch.distributions, name, torch.tensor(LOC), torch.tensor(SCALE)
                   ).expand((2, 3, 4))
    assert ours.batch_shape == tuple(theirs.batch_shape) == (2, 3, 4)
    assert ours.rsample((5,)).shape == tuple(theirs.rsample((5,)).shape) == (5, 2, 3, 4)
    assert ours.sample().shape == (2, 3, 4) and not ours.sample().requires_grad
    x = theirs.sample((5,))
    np.testing.assert_allclose(ours.log_prob(ag.tensor(x.numpy())).numpy(),
                               theirs.log_prob(x).numpy(), rtol=1e-12)
    scalar = _make(ag.distributions, name, 0.5, 2.0)
    assert scalar.batch_shape == () and scalar.sample((3,)).shape == (3,)


@pytest.mark.parametrize("name", ["Gumbel", "HalfNormal"])
def test_validate_args_errors_as_pytorch(torch, name) -> None:
    for bad in ({"loc": 0.0, "scale": -1.0}, {"loc": 0.0, "scale": 0.0}):
        with pytest.raises(ValueError):
            _make(torch.distributions, name, torch.tensor(bad["loc"]),
                  torch.tensor(bad["scale"]))
        with pytest.raises(ag.UsageError, match="scale"):
            _make(ag.distributions, name, ag.tensor(bad["loc"]), ag.tensor(bad["scale"]))
    if name == "HalfNormal":  # a negative value is outside the support
        with pytest.raises(ValueError):
            torch.distributions.HalfNormal(1.0).log_prob(torch.tensor(-0.5))
        with pytest.raises(ag.UsageError, match="support"):
            ag.distributions.HalfNormal(1.0).log_prob(ag.tensor(-0.5))
        lenient = ag.distributions.HalfNormal(1.0, validate_args=False)
        assert lenient.log_prob(ag.tensor(-0.5)).item() == -math.inf


def test_gumbel_draws_and_their_gradients_match_pytorch_given_the_same_noise(torch) -> None:
    """PyTorch's Gumbel pushes a uniform draw through -log, negation, -log and an affine
    map: with the same uniform numbers, the draws and their gradients agree."""
    u = RNG.uniform(1e-6, 1 - 1e-6, (6, 3, 4))
    loc, scale = ag.tensor(LOC, requires_grad=True), ag.tensor(SCALE, requires_grad=True)
    x = ag.distributions.Gumbel(loc, scale).rsample((6,), generator=_Fixed(u))
    tloc = torch.tensor(LOC, requires_grad=True)
    tscale = torch.tensor(SCALE, requires_grad=True)
    d = torch.distributions.Gumbel(tloc, tscale)
    y = torch.tensor(u)  # PyTorch's base draw, through its transforms
    for t in d.transforms:
        y = t(y)
    np.testing.assert_allclose(x.detach().numpy(), y.detach().numpy(), rtol=1e-12)
    (x ** 2).sum().backward()
    (y ** 2).sum().backward()
    np.testing.assert_allclose(loc.grad.numpy(), tloc.grad.numpy(), rtol=1e-11)
    np.testing.assert_allclose(scale.grad.numpy(), tscale.grad.numpy(), rtol=1e-11)


def test_half_normal_draws_and_their_gradients_match_pytorch_given_the_same_noise(
        torch) -> None:
    eps = RNG.normal(size=(6, 1, 4))
    scale = ag.tensor(SCALE, requires_grad=True)
    x = ag.distributions.HalfNormal(scale).rsample((6,), generator=_Fixed(eps))
    tscale = torch.tensor(SCALE, requires_grad=True)
    y = (torch.tensor(eps) * tscale).abs()  # PyTorch's: |Normal(0, scale).rsample()|
    np.testing.assert_allclose(x.detach().numpy(), y.detach().numpy(), rtol=1e-13)
    (x ** 3).sum().backward()
    (y ** 3).sum().backward()
    np.testing.assert_allclose(scale.grad.numpy(), tscale.grad.numpy(), rtol=1e-12)


class _Fixed(np.random.Generator):
    """A generator whose uniform and standard normal draws are the numbers given."""

    def __init__(self, numbers: np.ndarray) -> None:
        super().__init__(np.random.PCG64(0))
        self.numbers = numbers

    def uniform(self, low=0.0, high=1.0, size=None):  # noqa: ANN001, ANN201
        return self.numbers.reshape(size)

    def standard_normal(self, size=None, dtype=np.float64, out=None):  # noqa: ANN001, ANN201
        return self.numbers.reshape(size)


@pytest.mark.parametrize("name", ["Gumbel", "HalfNormal"])
def test_draws_have_the_distributions_moments(name) -> None:
    """Mean within 4 standard errors; variance within 4 standard errors of the sample
    variance (its variance is (mu4 - sigma^4) / n, mu4 = 5.4 sigma^4 for the Gumbel,
    about 3.87 sigma^4 for the half-normal's centred fourth moment)."""
    n = 200_000
    d = _make(ag.distributions, name, ag.tensor([0.7]), ag.tensor([1.8]))
    x = d.rsample((n,), generator=np.random.default_rng(5)).numpy()[:, 0]
    mean, var = d.mean.numpy()[0], d.variance.numpy()[0]
    assert abs(x.mean() - mean) < 4 * math.sqrt(var / n)
    kurtosis = 5.4 if name == "Gumbel" else 3.87
    assert abs(x.var() - var) < 4 * var * math.sqrt((kurtosis - 1) / n)
    assert name == "Gumbel" or (x >= 0).all()
