"""Session 35 fixes: gradcheck where the finite difference is not finite, its argument
checks, None upstream gradients, forward-over-reverse, which output is wrong, no_grad;
assert_close with None and NumPy scalars; strategy and draw_graph arguments. Verdicts
are compared with PyTorch's wherever it answers."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import autograd as ag
from autograd import Tensor
from autograd.extend import Function
from autograd.testing import assert_close, axes, domain, index_expressions

INF, NAN = np.inf, np.nan
TINY = 1e-6  # with eps = 1e-6, x - eps == 0: 1/x has a pole inside the step
NEAR_OVERFLOW = 709.7827128  # exp(x + eps) overflows, exp(x) does not


def _where_g(g, value):
    """``value`` where g is nonzero, else 0 (so PyTorch's backward-times-zero check,
    which runs after the Jacobian comparison, does not turn inf * 0 into NaN)."""
    return np.where(np.asarray(g) != 0, value, 0.0)


# (name, forward, vjp(g, x) in NumPy, point): for ours and, through .numpy(), PyTorch's
NON_FINITE_CASES = [
    ("wrong sign of 1/x at its pole", lambda x: 1 / x, lambda g, x: g / (x * x), TINY),
    ("right 1/x at its pole", lambda x: 1 / x, lambda g, x: -g / (x * x), TINY),
    ("zero for exp where it overflows", np.exp, lambda g, x: g * 0, NEAR_OVERFLOW),
    ("right exp where it overflows", np.exp, lambda g, x: g * np.exp(x), NEAR_OVERFLOW),
    ("inf for an inf estimate (same sign)", np.exp, lambda g, x: _where_g(g, g * INF),
     NEAR_OVERFLOW),
    ("-inf for an inf estimate", np.exp, lambda g, x: _where_g(g, -g * INF), NEAR_OVERFLOW),
    ("NaN for a NaN estimate", lambda x: x * NAN, lambda g, x: g * NAN, 1.0),
    ("finite for a NaN estimate", lambda x: x * NAN, lambda g, x: g * 0, 1.0),
]


def _ours(forward, vjp):
    class Op(Function):
        def forward(self, x):
            return forward(x)

        def vjp(self, g, out, x):
            return (vjp(g, x),)

    return lambda t: Op()(t)


def _theirs(torch, forward, vjp):
    class Op(torch.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return torch.from_numpy(np.asarray(forward(x.detach().numpy())))

        @staticmethod
        def backward(ctx, g):
            (x,) = ctx.saved_tensors
            return torch.from_numpy(np.asarray(vjp(g.numpy(), x.detach().numpy())))

    return Op.apply


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
@pytest.mark.parametrize("name, forward, vjp, point", NON_FINITE_CASES,
                         ids=[case[0] for case in NON_FINITE_CASES])
def test_a_non_finite_estimate_passes_only_where_pytorch_passes(torch, name, forward, vjp,
                                                                 point) -> None:
    """|analytic - inf| <= atol + rtol * inf held for every analytic value: any wrong
    gradient passed where the step crossed a pole or overflowed."""
    x = Tensor(np.array([point]), requires_grad=True)
    theirs = torch.autograd.gradcheck(_theirs(torch, forward, vjp),
                                      (torch.tensor([point], requires_grad=True),),
                                      raise_exception=False)
    assert ag.gradcheck(_ours(forward, vjp), [x], raise_exception=False) == theirs
    if not theirs:
        with pytest.raises(ag.GradcheckError) as failure:
            ag.gradcheck(_ours(forward, vjp), [x])
        estimate_is_nan = forward(point) != forward(point)
        assert ("numerical estimate is NaN" if estimate_is_nan else
                "numerical estimate is infinite") in str(failure.value)
        assert "smaller eps" in str(failure.value)


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
def test_forward_mode_and_second_derivatives_do_not_pass_on_an_infinite_estimate(
        torch) -> None:
    x = Tensor(np.array([NEAR_OVERFLOW]), requires_grad=True)
    zero_exp = _ours(np.exp, lambda g, x: g * 0)
    assert not ag.gradcheck(zero_exp, [x], check_forward_ad=True, check_backward_ad=False,
                            raise_exception=False)

    class ExpLosingItsSecondDerivative(Function):  # d/dx of v^T J is 0 here, not exp(x)
        save_output = True

        def forward(self, x):
            return np.exp(x)

        def vjp(self, g, out, x):
            return (g * Tensor(np.asarray(out)),)

    class TheirExp(torch.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            y = x.exp()
            ctx.save_for_backward(y)
            return y

        @staticmethod
        def backward(ctx, g):
            (y,) = ctx.saved_tensors
            return g * y.detach()

    theirs = torch.autograd.gradgradcheck(
        TheirExp.apply, (torch.tensor([NEAR_OVERFLOW], requires_grad=True),),
        raise_exception=False)
    ours = ag.gradgradcheck(lambda t: ExpLosingItsSecondDerivative()(t), [x],
                            raise_exception=False)
    assert ours == theirs == False  # noqa: E712


@pytest.mark.parametrize("check, flags", [
    (ag.gradcheck, dict(check_backward_ad=False)),
    (ag.gradcheck, dict(check_backward_ad=False, check_forward_ad=False)),
    (ag.gradgradcheck, dict(check_rev_over_rev=False, check_undefined_grad=False)),
    (ag.gradgradcheck, dict(check_rev_over_rev=False)),
    (ag.gradcheck, dict(check_forward_ad=True, check_backward_ad=False,
                        check_batched_grad=True))])
def test_flags_that_leave_nothing_to_check_are_refused_as_pytorch(torch, check,
                                                                  flags) -> None:
    """check_backward_ad=False alone ran no check and returned True."""
    theirs = getattr(torch.autograd, check.__name__)
    with pytest.raises(AssertionError):
        theirs(torch.sin, (torch.tensor([0.5, 1.5], requires_grad=True),), **flags)
    x = Tensor(np.array([0.5, 1.5]), requires_grad=True)
    with pytest.raises(ag.UsageError, match="check"):
        check(ag.sin, [x], **flags)


@pytest.mark.parametrize("name, value", [
    ("atol", None), ("rtol", None), ("atol", "1e-5"), ("atol", -1.0), ("rtol", INF),
    ("atol", True), ("seed", 0.5), ("seed", None), ("seed", -1), ("eps", INF)])
@pytest.mark.parametrize("check", [ag.gradcheck, ag.gradgradcheck])
def test_bad_numbers_are_named_before_fn_runs(check, name, value) -> None:
    calls = []

    def fn(t):
        calls.append(1)
        return t.sin()

    x = Tensor(np.array([0.5, 1.5]), requires_grad=True)
    with pytest.raises(ag.UsageError, match=f"{check.__name__}: {name} must be"):
        check(fn, [x], **{name: value})
    assert calls == []


def test_numbers_of_numpy_types_are_taken() -> None:
    x = Tensor(np.array([0.5, 1.5]), requires_grad=True)
    assert ag.gradcheck(ag.sin, [x], atol=0, rtol=np.float64(1e-5), seed=np.int64(3))
    assert ag.gradgradcheck(ag.sin, [x], atol=np.float32(1e-7), seed=np.uint8(7))


def test_a_none_upstream_gradient_is_a_random_one() -> None:
    """PyTorch's Sequence[Tensor | None]: None became a NaN upstream gradient (a correct
    gradient reported as NaN) or a 0-d one (a ShapeError)."""
    x = Tensor(np.array([0.5, 1.5]), requires_grad=True)
    assert ag.gradcheck(lambda t: (t ** 2).sum(), [x], grad_outputs=[None])
    assert ag.gradcheck(lambda t: t.sin(), [x], grad_outputs=[None])
    assert ag.gradgradcheck(lambda t: (t ** 3, t.sin()), [x], grad_outputs=[None, None])
    assert ag.gradgradcheck(lambda t: (t ** 3, t.sin()), [x],
                            grad_outputs=[np.ones(2), None])
    ignores_g = _ours(lambda a: 2 * a, lambda g, a: 2.0 * np.ones_like(a))  # right for ones
    assert ag.gradcheck(ignores_g, [x], grad_outputs=[np.ones(2)])
    with pytest.raises(ag.GradcheckError):
        ag.gradcheck(ignores_g, [x], grad_outputs=[None])


@pytest.mark.parametrize("given", ["abc", [object()], {"a": 1}, np.array([True, False])])
def test_a_non_numeric_upstream_gradient_is_named(given) -> None:
    x = Tensor(np.array([0.5, 1.5]), requires_grad=True)
    with pytest.raises(ag.UsageError, match=r"grad_outputs\[0\] must be a Tensor or array"):
        ag.gradcheck(lambda t: t.sin(), [x], grad_outputs=[given])


class _Cube(Function):
    def forward(self, x):
        return x ** 3

    def vjp(self, g, out, x):
        return (g * 3 * x * x,)


class _CubeOffSecondDerivative(_Cube):
    """Right first derivative; its derivative in x is off by 1% of g (x - x.detach()
    is 0 with derivative 1)."""

    def vjp(self, g, out, x):
        return (g * 3 * x * x + 0.01 * g * (x - ag.Tensor(np.asarray(x.data))),)


def _their_cube(torch, scale):
    class Cube(torch.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            ctx.save_for_forward(x)
            return x ** 3

        @staticmethod
        def jvp(ctx, tangent):  # PyTorch's forward mode needs it (ours uses the vjp)
            (x,) = ctx.saved_tensors
            return 3 * x * x * tangent

        @staticmethod
        def backward(ctx, g):
            (x,) = ctx.saved_tensors
            return g * 3 * x * x + scale * g * (x - x.detach())

    return Cube.apply


@pytest.mark.parametrize("flags", [
    dict(check_fwd_over_rev=True),
    dict(check_fwd_over_rev=True, check_rev_over_rev=False, check_undefined_grad=False)])
@pytest.mark.parametrize("off", [0.0, 0.01])
def test_forward_over_reverse_gives_pytorchs_verdict(torch, flags, off) -> None:
    """check_fwd_over_rev=True was refused: it checks the forward-mode tangents of the
    first derivative v^T J."""
    data = np.array([0.5, -1.5, 2.0])
    theirs = torch.autograd.gradgradcheck(_their_cube(torch, off),
                                          (torch.tensor(data, requires_grad=True),),
                                          raise_exception=False, **flags)
    op = _CubeOffSecondDerivative if off else _Cube
    x = Tensor(data, requires_grad=True)
    assert ag.gradgradcheck(lambda t: op()(t), [x], raise_exception=False, **flags) == theirs
    assert theirs == (not off)
    for fn in (lambda t: t.sin() * t, lambda t: (t ** 3, t.exp()), lambda t: t.sum() * t):
        assert ag.gradgradcheck(fn, [x], **flags)


def test_forward_over_reverse_failure_says_what_it_checked() -> None:
    x = Tensor(np.array([0.5, -1.5, 2.0]), requires_grad=True)
    with pytest.raises(ag.GradcheckError,
                       match=r"^gradgradcheck .*forward-mode tangent \(forward over reverse"):
        ag.gradgradcheck(lambda t: _CubeOffSecondDerivative()(t), [x], check_fwd_over_rev=True,
                         check_rev_over_rev=False, check_undefined_grad=False)
    with pytest.raises(ag.UsageError, match="check_undefined_grad=True needs "
                                            "check_rev_over_rev=True"):
        ag.gradgradcheck(ag.sin, [x], check_fwd_over_rev=True, check_rev_over_rev=False)


class _OffByTwoPercent(Function):
    def forward(self, x):
        return 2 * x

    def vjp(self, g, out, x):
        return (g * 2.04,)


def test_the_failure_names_the_wrong_output_as_pytorch(torch) -> None:
    class Theirs(torch.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            return 2 * x

        @staticmethod
        def backward(ctx, g):
            return g * 2.04

    tx = torch.tensor([0.5, 1.5], requires_grad=True)
    with pytest.raises(RuntimeError, match="output 1 with respect to input 0"):
        torch.autograd.gradcheck(lambda t: (t.sin(), Theirs.apply(t), t * 3), (tx,))
    x = Tensor(np.array([0.5, 1.5]), requires_grad=True, name="x")
    with pytest.raises(ag.GradcheckError,
                       match=r"output 1 with respect to input 0 \(x\).*analytic ([-\d.]+)"
                       ) as failure:
        ag.gradcheck(lambda t: (t.sin(), _OffByTwoPercent()(t), t * 3), [x])
    message = str(failure.value)
    analytic, numeric = (float(message.split(word)[1].split(",")[0])
                         for word in ("analytic ", "numeric "))
    assert analytic / numeric == pytest.approx(1.02)  # the planted error, alone


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
def test_an_infinite_output_does_not_hide_which_other_output_is_wrong() -> None:
    """Checked alone (the other upstream gradients zero), 0 * inf must count as 0, as in
    a row of PyTorch's Jacobian, not NaN."""
    x = Tensor(np.array([TINY, 1.5]), requires_grad=True)
    (estimate,) = ag.numerical_grad(lambda t: (2 * t, 1 / t), [x], [np.ones(2), np.zeros(2)])
    np.testing.assert_allclose(estimate, [2.0, 2.0])
    with pytest.raises(ag.GradcheckError, match="output 0 with respect to input 0") as failure:
        ag.gradcheck(lambda t: (_OffByTwoPercent()(t), 1 / t), [x])
    assert "numerical estimate" not in str(failure.value)


def test_gradcheck_under_no_grad_checks_the_gradient() -> None:
    """fn ran under the caller's no_grad(): a correct op reported with gradient 0."""
    x = Tensor(np.array([0.5, 1.5]), requires_grad=True)
    with ag.no_grad():
        assert ag.gradcheck(lambda t: t.sin(), [x])
        assert ag.gradgradcheck(lambda t: t.sin(), [x])
        with pytest.raises(ag.GradcheckError):
            ag.gradcheck(lambda t: _OffByTwoPercent()(t), [x])


def test_gradgradcheck_failures_say_gradgradcheck() -> None:
    x = Tensor(np.array([0.5, -1.5, 2.0]), requires_grad=True)
    with pytest.raises(ag.GradcheckError, match=r"^gradgradcheck \(of the first derivative"):
        ag.gradgradcheck(lambda t: _CubeOffSecondDerivative()(t), [x])


ASSERT_CLOSE_CASES = [
    (None, None), (None, 1.0), (1.0, None), ([1.0, None], [1.0, None]), ({"a": None},) * 2,
    (np.float32(1.0), 1.0), (1.0, np.float32(1.0)), (np.float32(1.0), np.float64(1.0)),
    (np.float32(1.0), 1.0 + 2e-7), (np.float32(1.0), 1.00001), (np.float16(1.0), 1.0005),
    (np.float32(1.0), np.float32(1.000001)), (np.int64(1), 1), (np.int64(1), 1.0),
    (np.bool_(True), True), (np.complex64(1), 1 + 0j), (np.complex64(1), 1.0),
]


@pytest.mark.parametrize("actual, expected", ASSERT_CLOSE_CASES,
                         ids=[repr(case) for case in ASSERT_CLOSE_CASES])
def test_assert_close_takes_none_and_numpy_scalars_as_pytorch(torch, actual,
                                                              expected) -> None:
    def verdict(check):
        try:
            check(actual, expected)
        except AssertionError:
            return False
        return True

    assert verdict(assert_close) == verdict(torch.testing.assert_close)


def test_assert_close_says_where_a_none_differs() -> None:
    with pytest.raises(ag.NotCloseError, match=r"at \[1\]: None mismatch"):
        assert_close([Tensor([1.0]), None], [Tensor([1.0]), Tensor([0.0])])


@pytest.mark.parametrize("make", [
    lambda: axes(-1), lambda: axes(2.0), lambda: axes(True), lambda: domain("log", "x"),
    lambda: domain("div", -1), lambda: domain("div", True),
    lambda: index_expressions((2, -1)), lambda: index_expressions(None)])
def test_strategy_arguments_are_named_at_the_call(make) -> None:
    with pytest.raises(ag.UsageError):
        make()  # not only at the first draw


@settings(max_examples=30, deadline=None)
@given(st.data())
def test_valid_strategy_arguments_still_draw_valid_values(data) -> None:
    a = np.zeros((2, 3))
    np.sum(a, axis=data.draw(axes(np.int64(2))))
    a[data.draw(index_expressions(np.array([2, 3])))]
    assert data.draw(domain("log", np.int64(0))) >= 0.1


def test_draw_graph_max_values() -> None:
    pytest.importorskip("graphviz", reason="the 'graphviz' package is not installed")
    from autograd import viz
    x = Tensor(np.arange(10.0), requires_grad=True)
    y = (x * 2).sum()
    assert "mean" in viz.draw_graph(y).source  # 10 values > 6: statistics
    every = viz.draw_graph(y, max_values=None).source  # None: no limit, as max_nodes
    assert "mean" not in every and "18." in every
    for bad in (-1, 2.5, True, "6"):
        with pytest.raises(ag.UsageError, match="max_values must be an int >= 0"):
            viz.draw_graph(y, max_values=bad)
