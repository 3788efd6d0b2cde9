"""autograd.special against torch.special after a differential fuzzing pass (session 35):
log_ndtr was -inf in float32/float16 tails and had no relative accuracy for x > 6;
gammaincc was 1 - gammainc (0 where Q is 1e-44); gammainc needed O(numel sqrt(max x))
memory (bare MemoryError/ValueError for huge arguments) and lost digits near a = x for
large a; lgamma was not exact near its roots 1 and 2; mvlgamma with p < 1 returned a
float; polygamma(171) overflowed with a bare OverflowError and took a float n; zeta and
the polynomials raised NumPy's bare ValueError for shapes that do not broadcast; float16
sinc rounded pi x to float16; special.digamma/psi/log1p/expm1 gave float16 for uint8.
Expected values come from torch, or from mpmath where torch is the inaccurate one."""

from __future__ import annotations

import tracemalloc

import numpy as np
import pytest

import autograd as ag
from autograd import special as S
from autograd.errors import ShapeError, UsageError


def _ours_and_torch(torch, ours, theirs, *values, dtype=np.float64):
    """(value, grads) of sum(f) for ours and torch's at the same inputs of ``dtype``."""
    results = []
    for module, function in ((ag, ours), (torch, theirs)):
        inputs = [module.tensor(np.asarray(v, dtype=dtype), requires_grad=True)
                  for v in values]
        out = function(*inputs)
        out.sum().backward()
        results.append((np.asarray(out.detach().numpy(), dtype=np.float64),
                        [np.asarray(x.grad.numpy(), dtype=np.float64) for x in inputs]))
    return results


# F1 / F4: log_ndtr
def test_log_ndtr_float32_tail_is_finite_and_matches_the_float64_truth(torch):
    x = np.float32([-19.0, -16.0, -14.0, -8.0, -1.0, 0.0, 3.0, 6.0])
    (ours, (grad,)), _ = _ours_and_torch(torch, S.log_ndtr, torch.special.log_ndtr, x,
                                         dtype=np.float32)
    exact = torch.tensor(x.astype(np.float64), requires_grad=True)
    want = torch.special.log_ndtr(exact)
    want.sum().backward()
    np.testing.assert_allclose(ours, want.detach().numpy(), rtol=2e-6)
    np.testing.assert_allclose(grad, exact.grad.numpy(), rtol=2e-5)


def test_log_ndtr_float16_is_finite_and_accurate(torch):
    x = np.float16([-10.0, -6.0, -3.0, 0.5, 4.0])
    ours = S.log_ndtr(ag.tensor(x))
    want = torch.special.log_ndtr(torch.tensor(x.astype(np.float64)))  # (torch has no half)
    assert ours.dtype == np.float16
    np.testing.assert_allclose(ours.data.astype(np.float64), want.numpy().astype(np.float64),
                               rtol=2e-3)


def test_log_ndtr_keeps_relative_accuracy_for_large_x(torch):
    x = [6.0, 8.0, 9.0, 15.0, 30.0]
    (ours, (grad,)), (want, (want_grad,)) = _ours_and_torch(
        torch, S.log_ndtr, torch.special.log_ndtr, x)
    assert np.all(ours < 0)
    np.testing.assert_allclose(ours, want, rtol=1e-12)
    np.testing.assert_allclose(grad, want_grad, rtol=1e-12)


def test_log_ndtr_float64_values_and_gradients_across_the_branches(torch):
    x = np.concatenate([np.linspace(-60, 10, 141), [-40.0, -39.999, -20.0, -1e-3, 0.0, 1e-3]])
    (ours, (grad,)), (want, (want_grad,)) = _ours_and_torch(
        torch, S.log_ndtr, torch.special.log_ndtr, x)
    np.testing.assert_allclose(ours, want, rtol=1e-13)
    np.testing.assert_allclose(grad, want_grad, rtol=1e-10)


# F3 / F2 / F5: the regularised incomplete gamma functions
def test_gammaincc_keeps_a_tiny_upper_tail(torch):
    a, x = [1.0, 0.5, 3.0, 10.0, 0.01], [100.0, 30.0, 40.0, 200.0, 700.0]
    want = torch.special.gammaincc(torch.tensor(a), torch.tensor(x)).numpy()
    assert np.all(want > 0)
    for ours in (S.gammaincc(ag.tensor(a), ag.tensor(x)), S.igammac(ag.tensor(a), ag.tensor(x)),
                 ag.tensor(a).igammac(ag.tensor(x))):
        np.testing.assert_allclose(ours.data, want, rtol=1e-12)


def test_gammaincc_gradient_in_x_is_minus_the_density(torch):
    a, x = [0.5, 2.0, 7.0, 30.0], [0.3, 5.0, 40.0, 31.0]
    (ours, (grad,)), (want, (want_grad,)) = _ours_and_torch(
        torch, lambda t: S.gammaincc(ag.tensor(a), t),
        lambda t: torch.special.gammaincc(torch.tensor(a), t), x)
    np.testing.assert_allclose(ours, want, rtol=1e-8)  # torch's Temme sum is off by 1e-9
    np.testing.assert_allclose(grad, want_grad, rtol=1e-12)
    xs = ag.tensor(x, requires_grad=True)
    (ours_first,) = ag.grad(S.gammaincc(ag.tensor(a), xs).sum(), [xs], create_graph=True)
    (second,) = ag.grad(ours_first.sum(), [xs])
    xt = torch.tensor(x, requires_grad=True)
    (first,) = torch.autograd.grad(torch.special.gammaincc(torch.tensor(a), xt).sum(), xt,
                                   create_graph=True)
    (want_second,) = torch.autograd.grad(first.sum(), xt)
    np.testing.assert_allclose(second.data, want_second.numpy(), rtol=1e-10)


def test_incomplete_gamma_matches_torch_on_a_grid(torch):
    rng = np.random.default_rng(0)
    a = np.concatenate([10 ** rng.uniform(-3, 3, 3000), [1.0, 20.0, 200.0, 1e3]])
    x = np.concatenate([a[:2000] * np.exp(rng.normal(0, 0.5, 2000)),
                        10 ** rng.uniform(-3, 3, 1000), [1.0, 20.5, 201.0, 1e3]])
    for ours, theirs in ((S.gammainc, torch.special.gammainc),
                         (S.gammaincc, torch.special.gammaincc)):
        got = ours(ag.tensor(a), ag.tensor(x)).data
        want = theirs(torch.tensor(a), torch.tensor(x)).numpy()
        np.testing.assert_allclose(got, want, rtol=1e-8, atol=1e-300)


def test_incomplete_gamma_of_huge_arguments(torch):
    a = [1e300, 1e14, 1e6, 1e8, 1e10, 1e12]
    for ours, theirs in ((S.gammainc, torch.special.gammainc),
                         (S.gammaincc, torch.special.gammaincc)):
        got = ours(ag.tensor(a), ag.tensor(a)).data  # (torch is off by 4e-12 at 1e6)
        np.testing.assert_allclose(got, theirs(torch.tensor(a), torch.tensor(a)).numpy(),
                                   rtol=1e-10)
    slightly_below = S.gammainc(ag.tensor([1e12]), ag.tensor([1e12 - 1e6])).data
    want = torch.special.gammainc(torch.tensor([1e12]), torch.tensor([1e12 - 1e6])).numpy()
    np.testing.assert_allclose(slightly_below, want, rtol=1e-9)  # torch: 1e-10 off


def test_incomplete_gamma_memory_does_not_grow_with_x():
    a = np.random.default_rng(0).uniform(9e3, 1.1e4, 2000)
    tracemalloc.start()
    try:
        S.gammainc(ag.tensor(a), ag.tensor(0.99 * a))
        S.gammaincc(ag.tensor(a), ag.tensor(1.01 * a))
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 20e6  # was 374 MB; Temme's table is 25 x 25 per element at most


def test_incomplete_gamma_tail_against_mpmath():
    mp = pytest.importorskip("mpmath")
    mp.mp.dps = 40
    cases = [(1.0, 100.0), (0.5, 30.0), (1e-10, 1.0), (3.0, 1e-3), (50.0, 35.0),
             (2e3, 1.9e3), (0.01, 0.05), (100.0, 150.0)]
    a, x = np.array(cases).T
    p, q = S.gammainc(ag.tensor(a), ag.tensor(x)).data, S.gammaincc(ag.tensor(a), ag.tensor(x)).data
    for ai, xi, pi, qi in zip(a, x, p, q):
        want_p = mp.gammainc(mp.mpf(ai), 0, mp.mpf(xi), regularized=True)
        want_q = mp.gammainc(mp.mpf(ai), mp.mpf(xi), mp.inf, regularized=True)
        assert abs(pi - want_p) <= 1e-13 * want_p
        assert abs(qi - want_q) <= 1e-13 * want_q


def test_incomplete_gamma_near_a_equals_x_against_mpmath():
    """Temme's region (a > 20, x within 30% of a), where torch itself is 1e-9 off."""
    mp = pytest.importorskip("mpmath")
    mp.mp.dps = 40
    cases = [(30.0, 31.0), (25.0, 20.0), (1e5, 1e5 - 316.0), (1e7, 1e7 - 3162.0), (1e6, 1e6)]
    a, x = np.array(cases).T
    p, q = S.gammainc(ag.tensor(a), ag.tensor(x)).data, S.gammaincc(ag.tensor(a), ag.tensor(x)).data
    for ai, xi, pi, qi in zip(a, x, p, q):
        a_, x_ = mp.mpf(ai), mp.mpf(xi)  # P = x^a e^-x / Gamma(a + 1) 1F1(1; a + 1; x)
        want = mp.exp(a_ * mp.log(x_) - x_ - mp.loggamma(a_ + 1)) * mp.hyp1f1(
            1, a_ + 1, x_, maxterms=10**7)
        assert abs(pi - want) <= 1e-14 and abs(qi - (1 - want)) <= 1e-14


def test_gamma_rsample_gradient_for_huge_concentrations(torch):
    alpha = np.array([3.0, 1e3, 1e6, 1e14])
    draws = np.array([2.5, 1.01e3, 1e6 + 700.0, 1e14 - 5e6])
    from autograd.ops.gamma import GammaDraw  # the op behind Gamma.rsample's gradient
    concentration = ag.tensor(alpha, requires_grad=True)
    ag.function.apply(GammaDraw(draws), concentration).sum().backward()
    want = torch._standard_gamma_grad(torch.tensor(alpha), torch.tensor(draws)).numpy()
    np.testing.assert_allclose(concentration.grad.data, want, rtol=1e-3)  # torch's ~1e-4


def test_gamma_draw_gradient_against_mpmath():
    mp = pytest.importorskip("mpmath")
    from autograd import gamma_arrays
    mp.mp.dps = 30
    cases = [(0.01, 1e-5), (0.3, 0.2), (1.0, 3.0), (5.0, 12.0), (25.0, 24.0), (25.0, 40.0),
             (300.0, 250.0), (1e3, 1e3), (50.0, 1.05)]
    alpha, x = np.array(cases).T
    got = gamma_arrays.standard_gamma_grad(alpha, x)
    for a, xi, value in zip(alpha, x, got):
        a_, x_ = mp.mpf(a), mp.mpf(xi)
        d_p = mp.diff(lambda s: mp.gammainc(s, 0, x_, regularized=True), a_)
        density = mp.exp((a_ - 1) * mp.log(x_) - x_ - mp.loggamma(a_))
        assert abs(value - float(-d_p / density)) <= 1e-12 * abs(float(-d_p / density))


# F6: lgamma at its roots
def test_lgamma_is_exact_at_and_near_one_and_two(torch):
    x = [1.0, 2.0, 1.0 + 1e-9, 1.0 - 1e-12, 2.0 - 1e-10, 2.0 + 1e-13, 0.6, 1.5, 2.4]
    want = torch.special.gammaln(torch.tensor(x)).numpy()
    for ours in (S.gammaln(ag.tensor(x)).data, ag.lgamma(ag.tensor(x)).data):
        assert ours[0] == 0.0 and ours[1] == 0.0
        np.testing.assert_allclose(ours, want, rtol=1e-14)


# F7: mvlgamma's p
@pytest.mark.parametrize("call", [lambda t: S.multigammaln(t, 0), lambda t: ag.mvlgamma(t, 0),
                                  lambda t: t.mvlgamma(-1), lambda t: t.mvlgamma_(0)])
def test_mvlgamma_refuses_p_below_one(call):
    with pytest.raises(UsageError, match="p must be >= 1") as caught:
        call(ag.tensor([2.0, 3.0]))
    assert isinstance(caught.value, RuntimeError)  # PyTorch's type


def test_mvlgamma_refuses_a_float_p_and_still_computes(torch):
    with pytest.raises(TypeError, match="must be an int"):
        S.multigammaln(ag.tensor([2.0]), 2.0)
    x = [2.5, 4.0]
    np.testing.assert_allclose(S.multigammaln(ag.tensor(x), 3).data,
                               torch.special.multigammaln(torch.tensor(x), 3).numpy(),
                               rtol=1e-14)


# F8: polygamma's n
def test_polygamma_beyond_170_stays_finite():
    mp = pytest.importorskip("mpmath")
    x = [2.0, 3.0, 10.0, 0.5, -1.5]  # (zeta(172, 1000) underflows: not a case here)
    got = S.polygamma(171, ag.tensor(x)).data
    for xi, value in zip(x, got):
        want = mp.polygamma(171, mp.mpf(xi))
        if abs(want) > 1e308:
            assert np.isinf(value) and np.sign(value) == mp.sign(want)
        else:
            assert abs(value - float(want)) <= 1e-11 * abs(float(want)) + 1e-300


def test_polygamma_gradient_beyond_170_is_the_next_order(torch):
    x = ag.tensor([3.0, 4.0], requires_grad=True)
    S.polygamma(180, x).sum().backward()
    np.testing.assert_allclose(x.grad.data, S.polygamma(181, ag.tensor([3.0, 4.0])).data,
                               rtol=1e-10)


@pytest.mark.parametrize("n", [2.0, True, "2"])
def test_polygamma_refuses_a_non_integer_order(n):
    with pytest.raises(UsageError, match="must be an int") as caught:
        S.polygamma(n, ag.tensor([2.0]))
    assert isinstance(caught.value, TypeError)


# F9: shapes that do not broadcast
@pytest.mark.parametrize("call", [
    lambda: S.zeta(ag.tensor([2.0, 3.0]), ag.tensor([1.0, 2.0, 3.0])),
    lambda: S.chebyshev_polynomial_t(ag.tensor([0.1, 0.2]), ag.tensor([1, 2, 3])),
    lambda: S.hermite_polynomial_h(ag.tensor([0.1, 0.2]), ag.tensor([1.0, 2.0, 3.0]))])
def test_zeta_and_polynomials_raise_shape_error(call):
    with pytest.raises(ShapeError, match="cannot broadcast"):
        call()


# F10: float16 sinc
def test_float16_sinc_matches_torch(torch):
    x = np.float16([1.0, 2.0, 0.9995, -3.0, 0.25, 0.0, 7.5, 100.0])
    ours = S.sinc(ag.tensor(x))
    assert ours.dtype == np.float16
    np.testing.assert_array_equal(ours.data, torch.special.sinc(torch.tensor(x)).numpy())


# N1: integer inputs of special.digamma / psi / log1p / expm1
@pytest.mark.parametrize("dtype", [np.uint8, np.int8, np.bool_, np.int32])
@pytest.mark.parametrize("name", ["digamma", "psi", "log1p", "expm1"])
def test_special_integer_inputs_give_float64_as_torch(torch, dtype, name):
    values = np.array([12, 1, 3], dtype=dtype)
    ours = getattr(S, name)(ag.tensor(values))
    want = getattr(torch.special, name)(torch.tensor(values))
    assert ours.dtype == np.float64 and want.dtype == torch.float64
    np.testing.assert_allclose(ours.data, want.numpy(), rtol=1e-14)
