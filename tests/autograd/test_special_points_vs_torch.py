"""Values and gradients of elementwise and special functions at their special points
(0, +-0, infinities, subnormals, poles, huge and tiny arguments) against PyTorch (float64):
the findings of a fuzzing pass over them. hypot overflowed at 1e200 and squared an int8
operand in int8; ndtri lost p's digits in 2p - 1; xlog1py leaked log 2 into its
x-gradient at the pole, and xlogy(0, inf) was NaN; atan2's gradient was NaN beside an
infinite argument; sinc had no curvature at 0; bessel_j1 failed on 0-d input; igamma
raised on x = inf and 1e300; lgamma was inf at subnormals; polygamma(2) had no gradient;
logit's gradient was finite outside [0, 1]; entr's was 0 at 0; asin/acos's was -0 on 0-d
input beyond |x| = 1e154; digamma(-0.0) was -inf; pow and div gave NaN gradients at
subnormals."""

from __future__ import annotations

import math
from typing import Any, Callable

import numpy as np
import pytest

import autograd as ag

INF, NAN = math.inf, math.nan


def _value_and_grads(module: Any, function: Callable, *values: Any) -> list[np.ndarray]:
    """[f(*inputs), d sum(f) / d input for each input] in ``module`` (ours or torch)."""
    inputs = [module.tensor(v, requires_grad=True) for v in values]
    out = function(*inputs)
    out.sum().backward()
    return [np.asarray(out.detach().numpy())] + [np.asarray(x.grad.numpy()) for x in inputs]


def _agree(torch: Any, ours: Callable, theirs: Callable, *values: Any, rtol: float = 1e-13,
           check: tuple[int, ...] | None = None) -> None:
    """Our value and gradients equal PyTorch's (NaN where PyTorch's are; ``check`` picks
    which of [value, grads...] to compare)."""
    got = _value_and_grads(ag, ours, *values)
    want = _value_and_grads(torch, theirs, *values)
    for index in check if check is not None else range(len(got)):
        np.testing.assert_allclose(got[index], want[index], rtol=rtol, atol=0)


def _derivatives(module: Any, function: Callable, value: Any, order: int) -> list[np.ndarray]:
    """The first ``order`` derivatives of sum(function(x)) at ``value``."""
    x = module.tensor(value, requires_grad=True)
    grad = ag.grad if module is ag else module.autograd.grad
    found, y = [], function(x).sum()
    for k in range(order):
        (y,) = grad(y, x, create_graph=k + 1 < order)
        found.append(np.asarray(y.detach().numpy()))
        y = y.sum()
    return found


# ---------------------------------------------------------------- hypot
def test_hypot_neither_overflows_nor_underflows(torch) -> None:
    a = [1e200, 1e-200, 3.0, 0.0, INF, 1.0, 5e-324, -1e300]
    b = [1e200, 1e-200, 4.0, 0.0, 1.0, NAN, 0.0, 1e-300]
    _agree(torch, lambda x, y: x.hypot(y), lambda x, y: x.hypot(y), a, b)
    _agree(torch, ag.hypot, torch.hypot, [[1e-170], [3e170]], [2e-170, 1e170])  # broadcast


def test_hypot_second_derivatives(torch) -> None:
    a, b = [3.0, -1e200, 0.5], [4.0, 2e200, -1e-3]
    got = ag.grad(ag.grad(ag.hypot(x := ag.tensor(a, requires_grad=True),
                                   y := ag.tensor(b, requires_grad=True)).sum(),
                          [x, y], create_graph=True)[0].sum(), [x, y])
    xt, yt = torch.tensor(a, requires_grad=True), torch.tensor(b, requires_grad=True)
    first = torch.autograd.grad(torch.hypot(xt, yt).sum(), [xt, yt], create_graph=True)[0]
    want = torch.autograd.grad(first.sum(), [xt, yt])
    for ours, theirs in zip(got, want):
        np.testing.assert_allclose(ours.numpy()[[0, 2]], theirs.numpy()[[0, 2]], rtol=1e-13)
    assert np.all(np.isfinite(got[0].numpy()))  # PyTorch's squares overflow at 1e200


@pytest.mark.parametrize("pair", [("float32", "int8"), ("float64", "float16"),
                                  ("float16", "int8")])
def test_hypot_computes_in_the_result_dtype(torch, pair: tuple[str, str]) -> None:
    first, second = [3.3, 4.7], [127, 100]
    got = ag.hypot(ag.tensor(first, dtype=pair[0]), ag.tensor(second, dtype=pair[1]))
    want = torch.hypot(torch.tensor(first, dtype=getattr(torch, pair[0])),
                       torch.tensor(second, dtype=getattr(torch, pair[1])))
    assert str(got.dtype) == str(want.dtype).removeprefix("torch.")
    np.testing.assert_allclose(got.numpy(), want.numpy(), rtol=1e-6)
    in_place = ag.tensor(first, dtype=pair[0])
    in_place.hypot_(ag.tensor(second, dtype=pair[1]))
    np.testing.assert_allclose(in_place.numpy(), want.numpy(), rtol=1e-6)


# ---------------------------------------------------------------- ndtri
def test_ndtri_keeps_the_lower_tail(torch) -> None:
    p = [1e-20, 1e-16, 1e-12, 1e-300, 5e-324, 1e-50, 0.02, 0.3, 0.5, 0.9, 1 - 1e-16,
         0.0, 1.0, -1e-300, 1.5, NAN]
    _agree(torch, ag.special.ndtri, torch.special.ndtri, p, check=(0,), rtol=1e-14)
    _agree(torch, ag.special.ndtri, torch.special.ndtri, p, check=(1,), rtol=1e-12)


def test_ndtri_second_derivative(torch) -> None:
    p = [1e-12, 0.02, 0.3, 0.7]
    got = _derivatives(ag, ag.special.ndtri, p, 2)
    want = _derivatives(torch, torch.special.ndtri, p, 2)
    np.testing.assert_allclose(got, want, rtol=1e-11)


# ---------------------------------------------------------------- xlogy, xlog1py
def test_xlogy_and_xlog1py_at_the_pole_and_at_infinity(torch) -> None:
    x = [0.0, 0.0, 0.0, 0.0, 0.0, 2.0, 0.0]
    y_log, y_log1p = [0.0, -1.0, INF, NAN, 2.0, 0.0, 1e-300], [-1.0, -2.0, INF, NAN, 2.0, -1.0, 0.0]
    _agree(torch, ag.xlogy, torch.xlogy, x, y_log, check=(0, 1))
    _agree(torch, ag.special.xlog1py, torch.special.xlog1py, x, y_log1p, check=(0, 1))
    # d/dy x f'(y): PyTorch's 0 / 0 at the pole itself is NaN; ours is 0 there
    _agree(torch, ag.xlogy, torch.xlogy, x[2:], y_log[2:], check=(2,))
    a, b = [0.5, 0.0, 2.0], [1.5, 3.0, 0.25]  # second derivatives, through ZeroTimes
    for ours, theirs in ((ag.xlogy, torch.xlogy), (ag.special.xlog1py, torch.special.xlog1py)):
        xs, ys = ag.tensor(a, requires_grad=True), ag.tensor(b, requires_grad=True)
        first = ag.grad(ours(xs, ys).sum(), [xs, ys], create_graph=True)
        got = ag.grad((first[0] + first[1]).sum(), [xs, ys])
        xt, yt = torch.tensor(a, requires_grad=True), torch.tensor(b, requires_grad=True)
        first = torch.autograd.grad(theirs(xt, yt).sum(), [xt, yt], create_graph=True)
        want = torch.autograd.grad((first[0] + first[1]).sum(), [xt, yt])
        for g, w in zip(got, want):
            np.testing.assert_allclose(g.numpy(), w.numpy(), rtol=1e-13)


@pytest.mark.parametrize("name", ["xlogy", "logaddexp", "logaddexp2"])
@pytest.mark.parametrize("pair", [("float16", "int8"), ("float32", "int16"),
                                  ("int8", "float32")])
def test_xlogy_and_logaddexp_promote_first(torch, name: str, pair: tuple[str, str]) -> None:
    first, second = [1.5, 2.0, 0.7], [2, 3, 1]
    got = getattr(ag, name)(ag.tensor(first).astype(pair[0]), ag.tensor(second).astype(pair[1]))
    want = getattr(torch, name)(torch.tensor(first).to(getattr(torch, pair[0])),
                                torch.tensor(second).to(getattr(torch, pair[1])))
    assert str(got.dtype) == str(want.dtype).removeprefix("torch.")
    tolerance = 1e-3 if "float16" in pair else 1e-6
    np.testing.assert_allclose(got.numpy().astype(float), want.numpy().astype(float),
                               rtol=tolerance)


def test_xlogy_takes_the_log_in_float32(torch) -> None:
    a = [1.5, 2.0]
    got = ag.xlogy(ag.tensor(a, dtype="float32"), ag.tensor(a, dtype="float16"))
    want = torch.xlogy(torch.tensor(a, dtype=torch.float32), torch.tensor(a, dtype=torch.float16))
    np.testing.assert_allclose(got.numpy(), want.numpy(), rtol=1e-6)


# ---------------------------------------------------------------- atan2, asin, acos
def test_atan2_beside_an_infinite_argument(torch) -> None:
    y, x = [INF, 1.0, -INF, 2.0, 3.0], [1.0, INF, 2.0, -INF, 4.0]
    got = _value_and_grads(ag, lambda a, b: a.atan2(b), y, x)
    want = _value_and_grads(torch, lambda a, b: a.atan2(b), y, x)
    np.testing.assert_allclose(got[0], want[0], rtol=1e-15)
    # PyTorch's gradient of the infinite input is 0 (x / inf), of the finite one beside
    # it inf / inf = NaN; ours is 0 for both, the limit
    for index, where in ((1, [0, 2, 4]), (2, [1, 3, 4])):
        np.testing.assert_allclose(got[index][where], want[index][where], rtol=1e-15)
    assert not np.any(got[1][:4]) and not np.any(got[2][:4])


@pytest.mark.parametrize("name", ["asin", "acos"])
@pytest.mark.parametrize("value", [1e300, INF, -INF, -1e160])
def test_asin_acos_gradient_on_0d_as_on_1d(torch, name: str, value: float) -> None:
    _agree(torch, lambda x: getattr(x, name)(), lambda x: getattr(x, name)(), value)
    _agree(torch, lambda x: getattr(x, name)(), lambda x: getattr(x, name)(), [value])


# ---------------------------------------------------------------- sinc
def test_sinc_near_zero(torch) -> None:
    points = [1e-3, 0.1, 0.15, 0.2, 1.0, -2.5, 7.3]
    got = _derivatives(ag, lambda x: x.sinc(), points, 2)
    want = _derivatives(torch, lambda x: x.sinc(), points, 2)
    np.testing.assert_allclose(got, want, rtol=1e-9)
    tiny = np.array([0.0, -0.0, 5e-324, 1e-300, 1e-8])  # sinc ~ 1 - (pi x)^2 / 6 there
    first, second = _derivatives(ag, lambda x: x.sinc(), tiny, 2)
    np.testing.assert_allclose(first, -math.pi ** 2 / 3 * tiny, rtol=1e-12, atol=1e-322)
    np.testing.assert_allclose(second, np.full(5, -math.pi ** 2 / 3), rtol=1e-14)
    _agree(torch, lambda x: x.sinc(), lambda x: x.sinc(), [0.0, 5e-324, 1e-300, 0.3],
           rtol=1e-15, check=(0,))  # (PyTorch's gradient at 1e-300 is 0, ours -3.3e-300)


# ---------------------------------------------------------------- Bessel, gamma family
@pytest.mark.parametrize("value", [2.0, -0.0, 0.0, -3.0, 30.0, 1e-300])
def test_bessel_j1_of_a_0d_tensor(torch, value: float) -> None:
    got = ag.special.bessel_j1(ag.tensor(value))
    want = torch.special.bessel_j1(torch.tensor(value))
    assert got.shape == () and np.signbit(got.item()) == np.signbit(want.item())
    np.testing.assert_allclose(got.item(), want.item(), rtol=1e-10)


def test_igamma_at_the_edges_and_far_out(torch) -> None:
    edges = [0.0, INF, -1.0, NAN, 1.0, 0.5, 3.0]
    a = [p for p in edges for _ in edges] + [0.5, 0.5, 10.0, 2.0, 1e3, 30.0]
    x = [q for _ in edges for q in edges] + [1e300, 1e12, 3e7, 1e7, 1.2e3, 1e4]
    for ours, theirs in ((ag.igamma, torch.igamma), (ag.igammac, torch.igammac)):
        got = ours(ag.tensor(a), ag.tensor(x)).numpy()
        want = theirs(torch.tensor(a), torch.tensor(x)).numpy()
        np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-15)  # Q = 1 - P


def test_igamma_gradient_in_x(torch) -> None:
    a, x = [0.5, 0.5, 0.5, 3.0, 2.0, 10.0, 1e3], [INF, -1.0, 0.0, 0.0, 1.0, 3e7, 1.2e3]
    got = _value_and_grads(ag, lambda t: ag.tensor(a).igamma(t), x)[1]
    want = _value_and_grads(torch, lambda t: torch.tensor(a).igamma(t), x)[1]
    np.testing.assert_allclose(got, want, rtol=1e-12)


def test_lgamma_at_subnormals(torch) -> None:
    x = [5e-324, 1e-310, -5e-324, -1e-310, 1e-300, -2.5, 0.3]
    _agree(torch, lambda t: t.lgamma(), lambda t: t.lgamma(), x, check=(0,))
    got = ag.special.multigammaln(ag.tensor(x[:2]), 1).numpy()
    np.testing.assert_allclose(got, torch.special.multigammaln(torch.tensor(x[:2]), 1).numpy())


def test_digamma_at_negative_zero(torch) -> None:
    _agree(torch, lambda t: t.digamma(), lambda t: t.digamma(), [-0.0, 0.0])
    _agree(torch, lambda t: t.lgamma(), lambda t: t.lgamma(), [-0.0, 0.0], check=(1,))


def test_polygamma_2_is_differentiable(torch) -> None:
    x = [0.7, -1.3, 3.0, 25.0]
    got = _derivatives(ag, lambda t: t.polygamma(2), x, 2)
    want = _derivatives(torch, lambda t: t.polygamma(2), x, 2)
    np.testing.assert_allclose(got, want, rtol=1e-9)  # PyTorch's psi^(n): ~1e-10
    _agree(torch, lambda t: ag.special.polygamma(2, t), lambda t: torch.special.polygamma(2, t),
           x, rtol=1e-9)


# ---------------------------------------------------------------- logit, entr
@pytest.mark.parametrize("spelling", ["method", "special"])
def test_logit_gradient_is_nan_outside_the_unit_interval(torch, spelling: str) -> None:
    x = [2.0, -1.0, INF, -INF, 0.0, 1.0, 0.3, NAN]
    ours = (lambda t: t.logit()) if spelling == "method" else ag.special.logit
    _agree(torch, ours, lambda t: torch.logit(t), x)
    _agree(torch, lambda t: t.logit(0.1), lambda t: torch.logit(t, 0.1), x[:-1])


def test_entr_gradient_at_zero_and_infinity(torch) -> None:
    x = [-1.0, 0.0, -0.0, 1e-300, 2.0, INF, NAN]
    _agree(torch, ag.special.entr, torch.special.entr, x)
    got = _derivatives(ag, ag.special.entr, x, 2)
    want = _derivatives(torch, torch.special.entr, x, 2)
    np.testing.assert_allclose(got, want, rtol=1e-14)


# ---------------------------------------------------------------- pow, div
def test_pow_and_div_gradients_at_subnormals(torch) -> None:
    a = [5e-324, 1e-310, 0.0, NAN, 2.0, 0.0, 1.0, 1e-200, -3.0]
    b = [0.0, 0.0, 0.0, 0.0, 0.0, 5e-324, 1e-310, 1e200, 2.0]
    _agree(torch, lambda x, y: x ** y, lambda x, y: x ** y, a, b)
    _agree(torch, lambda x, y: x / y, lambda x, y: x / y, a, b)


def test_zeta_of_a_huge_or_infinite_order_is_its_limit(torch):
    """zeta(s, q) -> 1 at q = 1, 0 above, inf below as s grows (it was NaN from s ~ 1e14):
    as PyTorch where it is finite, and at s = inf the value at s = 1e300 (PyTorch: NaN)."""
    s, q = [1e14, 1e14, np.inf, np.inf, 300.0], [1.0, 0.7, 1.0, 0.5, 1.5]
    ours = ag.special.zeta(ag.tensor(s), ag.tensor(q)).numpy()
    np.testing.assert_array_equal(ours, torch.special.zeta(torch.tensor(s),
                                                           torch.tensor(q)).numpy())
    at_infinity = ag.special.zeta(ag.tensor([np.inf]), ag.tensor([2.0])).item()
    assert at_infinity == ag.special.zeta(ag.tensor([1e300]), ag.tensor([2.0])).item()


@pytest.mark.parametrize("a", [1.0, 2.0, 0.5])
def test_gammainc_gradient_below_zero_is_nan_as_torch(torch, a):
    """P(a, x) is NaN for x < 0 and so is its gradient (at a = 1 the density's power
    term vanished and e^-x leaked out)."""
    x = ag.tensor([-1.0, 0.5], requires_grad=True)
    ag.special.gammainc(ag.tensor(a), x).sum().backward()
    tx = torch.tensor([-1.0, 0.5], requires_grad=True)
    torch.special.gammainc(torch.tensor(a), tx).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), tx.grad.numpy(), rtol=1e-12)


def test_i1_second_derivative_near_zero(torch):
    """I1'' near 0 came from the quotient I1(x)/x of two small numbers and lost itself to
    rounding on some CPUs (0.004 against 0 at x = 1e-15): as PyTorch's around 1e-3 (the
    switch to the series) and above, where its own is accurate (at 1e-4 it is off by
    3e-8, at 1e-15 by 0.19), and against finite differences down to 0."""
    points = [9.99e-4, 1.001e-3, 0.3, -1.5]
    x = ag.tensor(points, requires_grad=True)
    (first,) = ag.grad(ag.special.i1(x).sum(), x, create_graph=True)
    (second,) = ag.grad(first.sum(), x)
    tx = torch.tensor(points, requires_grad=True)
    (t_first,) = torch.autograd.grad(torch.special.i1(tx).sum(), tx, create_graph=True)
    (t_second,) = torch.autograd.grad(t_first.sum(), tx)
    np.testing.assert_allclose(second.numpy(), t_second.numpy(), rtol=1e-8)
    near_zero = ag.tensor([0.0, 1e-15, 1e-8, 2e-4], requires_grad=True)
    assert ag.gradgradcheck(ag.special.i1, [near_zero])
