"""HIPS autograd's ``negative_binomial_maxlike.py``: the maximum-likelihood r of a negative
binomial by Newton's method (``scipy.optimize.newton``) on d loglike / dr, its first and
second derivatives given by nested gradients, so the log-likelihood is differentiated
three times through ``gammaln``. Ported as its readers write it: ``gammaln`` from
``autograd.scipy.special`` is ``autograd.lgamma`` (SciPy's own reads a Tensor as a plain
array), HIPS's ``grad(f)`` is ``autograd.func.grad(f)``. Run next to the same program
with ``torch.func.grad`` and ``torch.lgamma`` (float64, the same data). See
``test_hips_ports_basics.py`` for the conventions.
"""

import numpy as np
import pytest

import autograd as ag
from autograd import func


def negbin_loglike(r, p, x, gammaln=ag.lgamma, log=np.log):
    """The negative binomial log-likelihood of counts x (``gammaln``/``log`` are PyTorch's
    for the reference run: np.log refuses torch tensors)."""
    return gammaln(r + x) - gammaln(r) - gammaln(x + 1) + x * log(p) + r * log(1 - p)


def negbin_sample(r, p, size, rs):
    """A gamma-compound-Poisson draw."""
    return rs.poisson(rs.gamma(r, p / (1 - p), size=size))


def newton(f, x0):
    """HIPS wraps scipy.optimize.newton with the automatic derivatives of f."""
    optimize = pytest.importorskip("scipy.optimize")
    return optimize.newton(f, x0, fprime=func.grad(f), fprime2=func.grad(func.grad(f)))


def fit_maxlike(x, r_guess):
    """Wikipedia's recipe: p is a function of r; Newton's method on d loglike / dr."""
    assert np.var(x) > np.mean(x), "Likelihood-maximizing parameters don't exist!"

    def loglike(r, p):
        return np.sum(negbin_loglike(r, p, x))

    def p(r):
        return np.sum(x) / np.sum(r + x)

    def rprime(r):
        return func.grad(loglike)(r, p(r))

    r = newton(rprime, r_guess)
    return r, p(r)


def test_negative_binomial_maximum_likelihood(torch):
    optimize = pytest.importorskip("scipy.optimize")
    data = negbin_sample(r=5, p=0.5, size=300, rs=np.random.RandomState(0))
    r, p = fit_maxlike(data, r_guess=1.0)

    # PyTorch's run: the same recipe with torch.func.grad on torch scalars
    x_t = torch.tensor(data, dtype=torch.float64)

    def loglike_t(r, p):
        return negbin_loglike(r, p, x_t, torch.lgamma, torch.log).sum()

    def rprime_t(r):
        return torch.func.grad(loglike_t)(r, x_t.sum() / (r + x_t).sum())

    def at(f):
        return lambda r: f(torch.tensor(r)).item()

    r_t = optimize.newton(at(rprime_t), 1.0, fprime=at(torch.func.grad(rprime_t)),
                          fprime2=at(torch.func.grad(torch.func.grad(rprime_t))))
    np.testing.assert_allclose(float(r), r_t, rtol=1e-10)
    # HIPS: check that we are at a stationary point of the likelihood in (r, p)
    stationary = func.grad(lambda rp: np.sum(negbin_loglike(rp[0], rp[1], data)))((r, p))
    np.testing.assert_allclose([float(g) for g in stationary], [0.0, 0.0], atol=1e-6)
    assert 2.0 < float(r) < 10.0 and 0.3 < float(p) < 0.7  # near r=5, p=0.5
