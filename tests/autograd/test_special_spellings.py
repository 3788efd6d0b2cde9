"""PyTorch's other spellings of the special functions: ``torch.polygamma(n, x)``,
``torch.igamma(a, x)`` / ``torch.igammac(a, x)`` (SciPy's gammainc/gammaincc), the Tensor
methods ``polygamma mvlgamma igamma igammac`` and their in-place forms, and
``torch.special.sinc`` / ``torch.special.round``. A Poisson CDF written
``torch.igammac(k + 1, rate)`` raised ``MissingNameError``, ``x.mvlgamma(p)`` (a Wishart
log-normaliser) ``AttributeError``, though ``autograd.mvlgamma`` existed."""

import numpy as np
import pytest

import autograd as ag

A = np.array([0.7, 1.5, 3.0, 6.5])
X = np.array([0.2, 2.0, 5.0, 4.0])


def _values_and_gradient(T, spell):
    a, x = T.tensor(A), T.tensor(X, requires_grad=True)
    out = spell(T, a, x)
    out.backward(T.tensor(np.linspace(0.5, 1.5, A.size)))
    grad = x.grad.numpy() if x.grad is not None else np.zeros_like(X)
    return out.detach().numpy(), grad


SPELLINGS = {
    "torch.polygamma(1, x)": lambda T, a, x: T.polygamma(1, x),
    "x.polygamma(0)": lambda T, a, x: x.polygamma(0),
    "x * a.polygamma(2)": lambda T, a, x: x * a.polygamma(2),  # psi''' is not here
    "(x + 2).mvlgamma(3)": lambda T, a, x: (x + 2).mvlgamma(3),
    "torch.igamma(a, x)": lambda T, a, x: T.igamma(a, x),
    "torch.igammac(a, x)": lambda T, a, x: T.igammac(a, x),
    "a.igamma(x)": lambda T, a, x: a.igamma(x),
    "a.igammac(x)": lambda T, a, x: a.igammac(x),
    "torch.special.sinc(x)": lambda T, a, x: T.special.sinc(x),
    "torch.special.round(3 x)": lambda T, a, x: T.special.round(x * 3.3),
}


@pytest.mark.parametrize("spell", SPELLINGS.values(), ids=SPELLINGS.keys())
def test_spellings_match_pytorch(torch, spell) -> None:
    got, want = _values_and_gradient(ag, spell), _values_and_gradient(torch, spell)
    for a, b in zip(got, want):  # PyTorch's trigamma and tetragamma are off by 1e-9
        np.testing.assert_allclose(a, b, rtol=1e-8, atol=1e-13)


def test_inplace_forms_match_pytorch(torch) -> None:
    results = []
    for T in (ag, torch):
        forms = [T.tensor(A).polygamma_(1), (T.tensor(A) + 2).mvlgamma_(2),
                 T.tensor(A).igamma_(T.tensor(X)), T.tensor(A).igammac_(T.tensor(X))]
        results.append([f.numpy() for f in forms])
    np.testing.assert_allclose(np.array(results[0]), np.array(results[1]), rtol=1e-8)


def test_poisson_cdf_by_igammac(torch) -> None:
    k, rate = np.arange(6.0), 2.5
    got = ag.igammac(ag.tensor(k + 1), ag.tensor(rate)).numpy()
    want = torch.igammac(torch.tensor(k + 1), torch.tensor(rate)).numpy()
    np.testing.assert_allclose(got, want, rtol=1e-12)
    assert ag.igamma is ag.special.gammainc and ag.igammac is ag.special.gammaincc


def test_orders_beyond_two_match_pytorch(torch) -> None:
    """x.polygamma(3) was an UnsupportedError; a negative order is a named error."""
    for n in (3, 5):
        np.testing.assert_allclose(ag.tensor(A).polygamma(n).numpy(),
                                   torch.tensor(A).polygamma(n).numpy(), rtol=1e-12)
    with pytest.raises(ag.UsageError, match="n must be >= 0"):
        ag.tensor(A).polygamma(-2)
