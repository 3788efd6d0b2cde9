"""``autograd.special.zeta(x, q)`` (Hurwitz) against ``torch.special.zeta``: values over
x in (1, 60], q from 1e-3 to 1e6 and negative non-integer q with integer x, PyTorch's
inf/NaN conventions, dtype promotion with Python numbers, and the gradient: in q
(-x zeta(x + 1, q)) as PyTorch's, to second order; in x ``UnsupportedError`` where
PyTorch raises NotImplementedError. ``torch.special.zeta`` (a Zipf law's normaliser,
sum_k k^-s = zeta(s, 1)) raised AttributeError here before."""

import math

import numpy as np
import pytest

import autograd as ag
from autograd import special

RNG = np.random.default_rng(0)


def _compare(torch, x, q, rtol=1e-13):
    ours = special.zeta(ag.tensor(x), ag.tensor(q)).numpy()
    want = torch.special.zeta(torch.tensor(x), torch.tensor(q)).numpy()
    np.testing.assert_array_equal(np.isnan(ours), np.isnan(want))
    np.testing.assert_array_equal(np.isinf(ours), np.isinf(want))
    finite = np.isfinite(want)
    # below the normal range (2.2e-308) a float64 keeps fewer digits: a subnormal result
    # (2.6e-318, whose ulp is 2e-6 of it) is compared to rtol of the smallest normal
    np.testing.assert_allclose(ours[finite], want[finite], rtol=rtol,
                               atol=rtol * np.finfo(np.float64).tiny)


def test_values_match_pytorch_over_wide_ranges(torch) -> None:
    x = np.concatenate([RNG.uniform(1.0001, 60, 600), np.arange(2.0, 40.0)])
    q = np.concatenate([np.exp(RNG.uniform(np.log(1e-3), np.log(1e6), 600)),
                        RNG.uniform(0.5, 3.0, 38)])
    _compare(torch, x, q)
    _compare(torch, np.array([1.0 + 1e-9, 1.001, 1.1]), np.array([1.0, 0.5, 1e4]), rtol=1e-10)


def test_negative_q_with_integer_x_matches_pytorch(torch) -> None:
    x = RNG.integers(2, 12, 200).astype(float)
    q = RNG.uniform(-30, 0, 200)
    q = q[np.abs(q - np.round(q)) > 0.01]  # off the poles at q = 0, -1, ...
    # a sum of (q + k)^-x with both signs, each term exact to rounding
    _compare(torch, x[: q.size], q, rtol=1e-12)


def test_poles_and_domain_edges_match_pytorch(torch) -> None:
    inf, nan = math.inf, math.nan
    # (x = inf, q = 2: PyTorch's NaN, ours the limit 0: test_special_points_vs_torch)
    x = [1.0, 1.0, 0.5, -1.0, 2.0, 2.0, 3.0, 2.5, 2.5, 2.0, nan, nan, inf, 3.0, 2.0, 80.0]
    q = [1.0, nan, 1.0, 0.0, 0.0, -1.0, -inf, -0.5, -1.5, inf, 1.0, 0.0, 0.0, 1e-300,
         -1.5, 0.5]
    _compare(torch, np.array(x), np.array(q))


def test_riemann_zeta_at_even_integers() -> None:
    """zeta(2k, 1) = |B_2k| (2 pi)^2k / (2 (2k)!), from the Bernoulli numbers of the
    module (rationals summed exactly), and zeta(x, 1/2) = (2^x - 1) zeta(x)."""
    from autograd.zeta_arrays import BERNOULLI_OVER_FACTORIAL
    k = np.arange(1, 8)
    exact = np.abs(BERNOULLI_OVER_FACTORIAL[:7]) * (2 * np.pi) ** (2 * k) / 2
    ours = special.zeta(ag.tensor(2.0 * k), 1.0).numpy()
    np.testing.assert_allclose(ours, exact, rtol=1e-14)
    x = np.linspace(1.5, 20, 30)
    np.testing.assert_allclose(special.zeta(ag.tensor(x), 0.5).numpy(),
                               (2**x - 1) * special.zeta(ag.tensor(x), 1.0).numpy(),
                               rtol=1e-13)


def test_gradient_in_q_matches_pytorch_to_second_order(torch) -> None:
    x = np.array([1.5, 2.0, 3.7, 8.0])
    q = np.array([0.3, 1.0, 2.5, 7.0])
    weights = np.array([0.5, -1.0, 2.0, 0.25])

    def run(T, module, grad):  # torch.autograd.grad is autograd.grad here
        qt = T.tensor(q, requires_grad=True)
        out = module.zeta(T.tensor(x), qt)
        (g,) = grad((out * T.tensor(weights)).sum(), qt, create_graph=True)
        (h,) = grad(g.sum(), qt)
        return out.detach().numpy(), g.detach().numpy(), h.numpy()

    pairs = zip(run(ag, special, ag.grad), run(torch, torch.special, torch.autograd.grad),
                strict=True)
    for ours, want in pairs:
        np.testing.assert_allclose(ours, want, rtol=1e-12)


def test_gradient_in_x_raises_as_pytorch(torch) -> None:
    t = torch.tensor([2.5], requires_grad=True)
    with pytest.raises(NotImplementedError, match="zeta"):
        torch.special.zeta(t, torch.tensor([1.0])).sum().backward()
    x = ag.tensor([2.5], requires_grad=True)
    with pytest.raises(ag.UnsupportedError, match=r"zeta\(x, q\): the derivative in x"):
        special.zeta(x, ag.tensor([1.0])).sum().backward()
    assert issubclass(ag.UnsupportedError, NotImplementedError)


def test_python_numbers_take_the_tensors_dtype(torch) -> None:
    q32 = ag.tensor([1.0, 2.0], dtype=np.float32)
    assert special.zeta(2, q32).dtype == np.float32
    assert special.zeta(ag.tensor([2.0, 3.0], dtype=np.float32), 1.0).dtype == np.float32
    assert str(torch.special.zeta(2, torch.tensor([1.0], dtype=torch.float32)).dtype) \
        == "torch.float32"
    mixed = special.zeta(ag.tensor([2.0], dtype=np.float32), ag.tensor([1.0]))
    assert mixed.dtype == np.float64  # float32 with float64 promotes, as in PyTorch
    q = ag.tensor([1.0, 2.0], dtype=np.float32, requires_grad=True)
    special.zeta(ag.tensor([2.0], dtype=np.float64), q).sum().backward()
    assert q.grad.dtype == np.float32
    out = ag.empty(2)
    assert special.zeta(ag.tensor([2.0, 3.0]), 1.0, out=out) is out
