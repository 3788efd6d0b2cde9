"""``lgamma`` and ``digamma`` (PyTorch's ``torch.lgamma``/``torch.digamma``; SciPy's
``gammaln``, which HIPS autograd programs such as the negative binomial's maximum
likelihood differentiate): there were none. Values and first and second derivatives
against PyTorch (float64, random upstream gradient), including negative x and the poles;
trigamma (the second derivative) against SciPy's polygamma, which is more accurate
than PyTorch's (5e-10 near x = 1.15), and gradcheck against finite differences."""

from __future__ import annotations

import numpy as np
import pytest

import autograd as ag

RNG = np.random.default_rng(7)
X = np.concatenate([np.linspace(-9.7, 30.0, 397), [1e-8, 1e-3, 0.5, 1.0, 2.0, 1e5, 1e10,
                                                    -1e-8, -2.5, -100.3, -7.0004]])


@pytest.mark.parametrize("name", ["lgamma", "digamma"])
def test_values_and_gradients_match_pytorch(torch, name: str) -> None:
    x = ag.tensor(X, requires_grad=True)
    got = getattr(ag, name)(x)
    xt = torch.tensor(X, requires_grad=True)
    want = getattr(torch, name)(xt)
    scale = np.maximum(1.0, np.abs(want.detach().numpy()))
    np.testing.assert_allclose(got.data / scale, want.detach().numpy() / scale,
                               rtol=0, atol=5e-14)
    if name == "lgamma":  # trigamma: PyTorch's is off by 5e-10 near 1.15 (see SciPy below)
        upstream = RNG.standard_normal(X.shape)
        (g,) = ag.grad(got, x, upstream)
        (g_t,) = torch.autograd.grad(want, xt, torch.tensor(upstream))
        np.testing.assert_allclose(g.data, g_t.numpy(), rtol=5e-13, atol=5e-13)
    assert ag.lgamma(x).dtype == np.float64 and getattr(ag, name)(x).requires_grad


def test_poles_as_pytorch(torch) -> None:
    poles = np.array([0.0, -1.0, -2.0, np.inf, -np.inf, np.nan])
    for name in ("lgamma", "digamma"):
        got = getattr(ag, name)(ag.tensor(poles)).data
        want = getattr(torch, name)(torch.tensor(poles)).numpy()
        np.testing.assert_array_equal(got, want, err_msg=name)


def test_second_derivative_is_trigamma() -> None:
    special = pytest.importorskip("scipy.special")
    x = ag.tensor(X, requires_grad=True)
    (d1,) = ag.grad(ag.lgamma(x).sum(), x, create_graph=True)
    (d2,) = ag.grad(d1.sum(), x)
    np.testing.assert_allclose(d1.data, special.digamma(X), rtol=2e-13, atol=1e-13)
    want = special.polygamma(1, X)
    np.testing.assert_allclose(d2.data / np.maximum(1, np.abs(want)),
                               want / np.maximum(1, np.abs(want)), rtol=0, atol=1e-14)
    (d2_digamma,) = ag.grad(ag.digamma(x).sum(), x)
    np.testing.assert_allclose(d2_digamma.data, d2.data)


def test_finite_differences_and_float32() -> None:
    x = ag.tensor(RNG.uniform(0.3, 6.0, (3, 4)), requires_grad=True)
    assert ag.gradcheck(ag.lgamma, [x]) and ag.gradcheck(ag.digamma, [x])
    assert ag.gradgradcheck(ag.lgamma, [x])
    single = ag.tensor(np.array([0.5, 3.5], np.float32), requires_grad=True)
    assert ag.lgamma(single).dtype == np.float32 and ag.digamma(single).dtype == np.float32


def test_third_and_fourth_derivatives() -> None:
    """The fourth derivative (psi''') was an UnsupportedError; it is 6 zeta(4, x) now."""
    special = pytest.importorskip("scipy.special")
    x = ag.tensor(X, requires_grad=True)
    (d1,) = ag.grad(ag.lgamma(x).sum(), x, create_graph=True)
    (d2,) = ag.grad(d1.sum(), x, create_graph=True)
    (d3,) = ag.grad(d2.sum(), x, create_graph=True)
    (d4,) = ag.grad(d3.sum(), x)
    for got, n in ((d3, 2), (d4, 3)):
        want = special.polygamma(n, X)
        np.testing.assert_allclose(got.data / np.maximum(1, np.abs(want)),
                                   want / np.maximum(1, np.abs(want)), rtol=0, atol=1e-13)
