"""``Gamma``, ``Beta``, ``Dirichlet``, ``Exponential`` and ``Laplace`` against PyTorch's:
log_prob, entropy, mean, variance, mode, cdf/icdf, their KL pairs, and the gradients of
all of them with respect to the parameters (and the value); reparameterised draws of
Exponential and Laplace given the same noise; the implicit reparameterisation of
Gamma's (and so Beta's and Dirichlet's) draws: exact, and unbiased."""

import numpy as np
import pytest

import autograd as ag

RNG = np.random.default_rng(0)
A, B = RNG.uniform(0.6, 3.0, (2, 3, 4))
X01 = RNG.uniform(0.05, 0.95, (3, 4))
SIMPLEX = RNG.dirichlet(np.ones(4), 3)
REAL = RNG.normal(size=(3, 4))

CASES = {  # name -> (make(D, a, b), value, the statistics to compare)
    "Gamma": (lambda D, a, b: D.Gamma(a, b), X01 * 3, ["mean", "variance", "mode"]),
    "Beta": (lambda D, a, b: D.Beta(a, b), X01, ["mean", "variance"]),
    "Dirichlet": (lambda D, a, b: D.Dirichlet(a + b), SIMPLEX, ["mean", "variance"]),
    "Exponential": (lambda D, a, b: D.Exponential(a * b), X01 * 3,
                    ["mean", "variance", "mode", "stddev"]),
    "Laplace": (lambda D, a, b: D.Laplace(a - 1, b), REAL, ["mean", "variance", "stddev"]),
}


def _stats(T, D, name: str) -> list:
    make, value, stats = CASES[name]
    a, b = (T.tensor(v, requires_grad=True) for v in (A, B))
    x = T.tensor(value, requires_grad=True)
    d = make(D, a, b)
    q = make(D, b, a)
    outs = [d.log_prob(x), d.entropy(), D.kl_divergence(d, q)] + [getattr(d, s) for s in stats]
    if name in ("Exponential", "Laplace"):
        outs += [d.cdf(x), d.icdf(T.tensor(X01))]
    w = T.tensor(np.linspace(0.5, 1.5, 12))
    total = sum((o * w.reshape(o.shape) if o.numel() == 12 else o * w[:3]).sum()
                for o in outs)
    total.backward()
    return [o.detach().numpy() for o in outs] + [a.grad.numpy(), b.grad.numpy(),
                                                  x.grad.numpy()]


@pytest.mark.parametrize("name", list(CASES))
def test_statistics_and_gradients_match_pytorch(torch, name) -> None:
    got = _stats(ag, ag.distributions, name)
    want = _stats(torch, torch.distributions, name)
    assert len(got) == len(want)
    for i, (g, w) in enumerate(zip(got, want)):
        # the parameters' gradients go through trigamma: PyTorch's is off by up to 1e-9
        # (scipy.special.polygamma(1, x) agrees with ours to 2e-16)
        rtol = 1e-11 if i < len(got) - 3 else 1e-8
        np.testing.assert_allclose(g, w, rtol=rtol, atol=1e-12, err_msg=f"output {i}")


@pytest.mark.parametrize("name", ["Exponential", "Laplace"])
def test_reparameterised_draws_match_pytorch_given_the_same_noise(torch, name) -> None:
    """PyTorch's Laplace draws u in (-1, 1) and Exponential a standard exponential: with
    torch's sampler replaced by ours (same generator), the draws and their gradients agree."""
    make = CASES[name][0]
    draws, grads = [], []
    for T, D in [(ag, ag.distributions), (torch, torch.distributions)]:
        a, b = (T.tensor(v, requires_grad=True) for v in (A, B))
        d = make(D, a, b)
        gen = np.random.default_rng(5)
        if T is ag:
            y = d.rsample((2,), generator=gen)
        else:  # the same noise, through PyTorch's formulas
            shape = (2, 3, 4)
            if name == "Laplace":
                u = gen.uniform(np.nextafter(-1.0, 0.0), 1.0, shape)
                y = d.loc - d.scale * torch.tensor(u).sign() * torch.log1p(-torch.tensor(u).abs())
            else:
                y = torch.tensor(gen.standard_exponential(shape)) / d.rate
        (y * y).sum().backward()
        draws.append(y.detach().numpy())
        grads.append(np.concatenate([a.grad.numpy().ravel(), b.grad.numpy().ravel()]))
    np.testing.assert_allclose(*draws, rtol=1e-13)
    np.testing.assert_allclose(*grads, rtol=1e-12)
    assert ag.distributions.Laplace(0.0, 1.0).has_rsample


def test_gamma_rsample_gradient_is_the_implicit_one(torch) -> None:
    """d x / d alpha of Gamma.rsample at its own draws: PyTorch's _standard_gamma_grad
    (an approximation good to about 1e-4) at the same draws, and SciPy's inverse
    incomplete gamma differenced at the draws' quantiles (exact)."""
    alpha = np.array([0.3, 0.9, 2.5, 10.0, 60.0] * 4)
    a = ag.tensor(alpha, requires_grad=True)
    rate = ag.tensor(np.full(alpha.shape, 2.0), requires_grad=True)
    x = ag.distributions.Gamma(a, rate).rsample(generator=np.random.default_rng(0))
    x.sum().backward()
    standard = x.detach().numpy() * 2.0
    want = torch._standard_gamma_grad(torch.tensor(alpha), torch.tensor(standard)).numpy()
    np.testing.assert_allclose(a.grad.numpy(), want / 2.0, rtol=1e-3)
    np.testing.assert_allclose(rate.grad.numpy(), -x.detach().numpy() / 2.0, rtol=1e-12)
    special = pytest.importorskip("scipy.special")
    u, h = special.gammainc(alpha, standard), 1e-6
    exact = (special.gammaincinv(alpha + h, u) - special.gammaincinv(alpha - h, u)) / (2 * h)
    np.testing.assert_allclose(a.grad.numpy(), exact / 2.0, rtol=1e-6)


@pytest.mark.parametrize("name", ["Gamma", "Beta", "Dirichlet"])
def test_gamma_family_rsample_gradients_are_unbiased(torch, name) -> None:
    """The mean over many draws of d(sum of draws * w)/d(parameters) is the gradient of
    the exact mean's (d/dtheta E[x] = E[dx/dtheta]); PyTorch's rsample agrees."""
    a0, b0 = np.array([0.7, 2.0, 5.0]), np.array([1.5, 0.8, 3.0])
    w = np.array([1.0, -2.0, 0.5])
    grads = {}
    for T, D in [(ag, ag.distributions), (torch, torch.distributions)]:
        a, b = (T.tensor(v, requires_grad=True) for v in (a0, b0))
        d = CASES[name][0](D, a, b)
        kwargs = {"generator": np.random.default_rng(1)} if T is ag else {}
        if T is torch:
            torch.manual_seed(1)
        n = 4000
        (d.rsample((n,), **kwargs) * T.tensor(w)).sum().div(n).backward()
        mc = [a.grad.numpy().copy(), b.grad.numpy().copy()]
        a.grad = b.grad = None
        (CASES[name][0](D, a, b).mean * T.tensor(w)).sum().backward()
        grads[T] = mc, [a.grad.numpy(), b.grad.numpy()]
    for T in (ag, torch):
        mc, exact = grads[T]
        for m, e in zip(mc, exact):
            np.testing.assert_allclose(m, e, rtol=0.15, atol=0.02)
    assert ag.distributions.Gamma(1.0, 1.0).has_rsample


def test_nonnegative_supports_and_constraints_as_pytorch(torch) -> None:
    """Gamma's and Exponential's support is x >= 0 in PyTorch (``nonnegative``), so
    ``Gamma(1, 2).log_prob(0)`` is log 2 (0 log 0 = 0 by xlogy): a value error and NaN
    here before; ``constraints.nonnegative``, ``greater_than_eq``, ``nonnegative_integer``
    and ``positive_integer`` were missing."""
    for T in (ag, torch):
        D = T.distributions
        assert repr(D.Gamma.support) == repr(D.Exponential.support) == \
            "GreaterThanEq(lower_bound=0.0)"
    values = []
    for T in (ag, torch):
        D, C = T.distributions, T.distributions.constraints
        a = T.tensor([1.0, 2.5], requires_grad=True)
        lp = D.Gamma(a, T.tensor(2.0)).log_prob(T.tensor([0.0, 1.5]))
        lp.sum().backward()
        x = T.tensor([-1.0, 0.0, 1.0, 2.5])
        values.append([lp.detach().numpy(), a.grad.numpy(),
                       D.Exponential(T.tensor(3.0)).log_prob(T.tensor(0.0)).numpy(),
                       D.Dirichlet(T.tensor([1.0, 2.0])).log_prob(T.tensor([0.0, 1.0])).numpy(),
                       C.nonnegative.check(x).numpy(), C.greater_than_eq(1.0).check(x).numpy(),
                       C.nonnegative_integer.check(x).numpy(),
                       C.positive_integer.check(x).numpy(),
                       D.biject_to(C.nonnegative)(x).numpy(),
                       D.transform_to(C.greater_than_eq(2.0))(x).numpy()])
    for a, b in zip(*values, strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-12)


def test_dirichlet_and_beta_modes_as_pytorch(torch) -> None:
    """The Dirichlet's mode is max(a - 1, 0) normalised (it was divided by a_0 - K, wrong
    when some a_i < 1), and the corner of the largest a_i when all are below 1."""
    concentration = np.array([[2.0, 3.0, 4.0], [0.5, 2.0, 3.0], [0.3, 0.6, 0.2]])
    for make in (lambda D, T: D.Dirichlet(T.tensor(concentration)),
                 lambda D, T: D.Beta(T.tensor([2.0, 3.0, 1.5]), T.tensor([4.0, 1.5, 2.0]))):
        ours = make(ag.distributions, ag).mode.numpy()
        theirs = make(torch.distributions, torch).mode.numpy()
        np.testing.assert_allclose(ours[:2], theirs[:2], rtol=1e-12)
    # all below 1: PyTorch's argmax of NaNs gives the first corner, ours the largest a_i's
    mode = ag.distributions.Dirichlet(ag.tensor(concentration)).mode.numpy()
    np.testing.assert_array_equal(mode[2], [0.0, 1.0, 0.0])


def test_gamma_cdf_as_pytorch(torch) -> None:
    """``Gamma.cdf`` raised UnsupportedError; it is P(a, rate x), differentiable in x and
    rate (PyTorch's values at large a are off by ~1e-9: the tolerance)."""
    results = []
    for T in (ag, torch):
        rate = T.tensor([2.0, 0.5, 1.0], requires_grad=True)
        x = T.tensor([0.4, 3.0, 7.5], requires_grad=True)
        cdf = T.distributions.Gamma(T.tensor([0.7, 2.0, 9.0]), rate).cdf(x)
        cdf.sum().backward()
        results.append([cdf.detach().numpy(), rate.grad.numpy(), x.grad.numpy()])
    for a, b in zip(*results):
        np.testing.assert_allclose(a, b, rtol=1e-8)
