"""The checker is itself tested: planted wrong VJPs must be caught, and the engine must
refuse a VJP whose gradient has the wrong shape, count or dtype."""

from __future__ import annotations

import re

import numpy as np
import pytest
from hypothesis import given, strategies as st

import autograd as ag
from autograd import Function, GradcheckError, Tensor, VJPError
from autograd.errors import UsageError
from autograd.ops.generic import constant
from autograd.testing import domain, shapes, tensors

FAILURE = (r"gradcheck failed for input {i}.*Worst at index {index}: analytic "
           r"[-\d.e+]+, numeric [-\d.e+]+, absolute error [\d.e+-]+, relative error")


class Square(Function):
    """out = x^2, correct: dx = 2 g x."""
    def forward(self, x):
        return x * x

    def vjp(self, g, out, x):
        return (g * 2 * x,)


class ScaledSquare(Square):
    """Wrong: the VJP is 0.1% too large."""
    def vjp(self, g, out, x):
        return (g * 2 * x * 1.001,)


class MatMulNoTranspose(Function):
    """Wrong: dA = G B and dB = A G instead of G B^T and A^T G (shapes agree when square)."""
    def forward(self, a, b):
        return a @ b

    def vjp(self, g, out, a, b):
        return g @ b, a @ g


class BiasAddNoUnbroadcast(Function):
    """Wrong: x (batch, n) + bias (n,), with dbias = g[0] instead of g summed over batch."""
    def forward(self, x, bias):
        return x + bias

    def vjp(self, g, out, x, bias):
        return g, g[0]


class IgnoresUpstream(Function):
    """Wrong: dx = 2 x, right only when the upstream gradient is all ones."""
    def forward(self, x):
        return x * x

    def vjp(self, g, out, x):
        return (2 * x,)


class CubeDetached(Function):
    """out = x^3 with dx = 3 g x^2 computed from the raw array: right to first order, but
    the gradient does not depend on x in the graph, so its second derivative is lost."""
    def forward(self, x):
        return x ** 3

    def vjp(self, g, out, x):
        return (g * 3 * constant(x) ** 2,)


class CubeUpstreamDetached(CubeDetached):
    """dx = 3 g x^2 with g taken off the graph: right for gradcheck and for d/dx of
    v^T J with v fixed, but jvp (d/dg of the VJP) and Hessians of compositions get 0."""
    def vjp(self, g, out, x):
        return (constant(g) * 3 * x * x,)


class Cube(CubeDetached):
    """out = x^3, dx = 3 g x^2 written with operators: right to every order."""
    def vjp(self, g, out, x):
        return (g * 3 * x * x,)


def _square(n: int, seed: int) -> Tensor:
    return Tensor(np.random.default_rng(seed).standard_normal((n, n)), requires_grad=True)


@given(tensors(elements=domain("relu"), requires_grad=True))
def test_correct_ops_pass(x: Tensor) -> None:
    assert ag.gradcheck(Square.apply, [x])
    assert ag.gradgradcheck(Cube.apply, [x])


@given(tensors(shapes(min_dims=1), elements=domain("relu"), requires_grad=True))
def test_catches_vjp_scaled_by_1_001(x: Tensor) -> None:
    with pytest.raises(GradcheckError, match=FAILURE.format(i=0, index=r"\([\d, ]+\)")):
        ag.gradcheck(ScaledSquare.apply, [x])


@pytest.mark.parametrize("n", [2, 3, 4])
@pytest.mark.parametrize("seed", range(5))
def test_catches_matmul_missing_transpose(n: int, seed: int) -> None:
    a, b = _square(n, seed), _square(n, seed + 100)
    with pytest.raises(GradcheckError, match=FAILURE.format(i="[01]", index=r"\(\d+, \d+\)")):
        ag.gradcheck(MatMulNoTranspose.apply, [a, b], seed=seed)
    b.requires_grad_(False)  # each side is wrong on its own
    with pytest.raises(GradcheckError, match=FAILURE.format(i=0, index=r"\(\d+, \d+\)")):
        ag.gradcheck(MatMulNoTranspose.apply, [a, b], seed=seed)
    a.requires_grad_(False)
    b.requires_grad_(True)
    with pytest.raises(GradcheckError, match=FAILURE.format(i=1, index=r"\(\d+, \d+\)")):
        ag.gradcheck(MatMulNoTranspose.apply, [a, b], seed=seed)


@given(batch=st.integers(2, 4), n=st.integers(1, 4), seed=st.integers(0, 1000))
def test_catches_missing_unbroadcast(batch: int, n: int, seed: int) -> None:
    rng = np.random.default_rng(seed)
    x = Tensor(rng.standard_normal((batch, n)), requires_grad=True)
    bias = Tensor(rng.standard_normal(n), requires_grad=True, name="bias")
    with pytest.raises(GradcheckError, match=r"input 1 \(bias\) of shape \(\d+,\)"):
        ag.gradcheck(BiasAddNoUnbroadcast.apply, [x, bias], seed=seed)


@given(tensors(shapes(min_dims=1), elements=domain("relu"), requires_grad=True),
       st.integers(0, 2**32 - 1))
def test_random_upstream_catches_vjp_that_ignores_it(x: Tensor, seed: int) -> None:
    with pytest.raises(GradcheckError):
        ag.gradcheck(IgnoresUpstream.apply, [x], seed=seed)


@given(st.data())
def test_reports_the_worst_element(data: st.DataObject) -> None:
    x = data.draw(tensors(shapes(min_dims=1), elements=(-1, 1), requires_grad=True))
    worst = data.draw(st.tuples(*[st.integers(0, n - 1) for n in x.shape]))

    class WrongAtOneElement(Square):
        def vjp(self, g, out, x):
            bump = np.zeros(x.shape)
            bump[worst] = 1.0
            return (g * 2 * x + bump,)

    index = re.escape(str(tuple(worst)))
    with pytest.raises(GradcheckError, match=FAILURE.format(i=0, index=index)):
        ag.gradcheck(WrongAtOneElement.apply, [x])


def test_error_reports_the_numbers() -> None:
    x = Tensor(np.random.default_rng(0).standard_normal((2, 3)), requires_grad=True)
    with pytest.raises(GradcheckError) as info:
        ag.gradcheck(ScaledSquare.apply, [x])
    message = str(info.value)
    analytic, numeric = (float(message.split(word)[1].split(",")[0])
                         for word in ("analytic ", "numeric "))
    assert abs(analytic / numeric - 1.001) < 1e-6  # the planted scale, recovered


@given(tensors(shapes(min_dims=1), elements=domain("relu"), requires_grad=True))
def test_gradgradcheck_catches_lost_second_derivative(x: Tensor) -> None:
    assert ag.gradcheck(CubeDetached.apply, [x])
    with pytest.raises(GradcheckError, match="first derivative has no graph of its own"):
        ag.gradgradcheck(CubeDetached.apply, [x])


def test_gradgradcheck_catches_a_vjp_not_differentiable_in_its_upstream_gradient() -> None:
    """It checked d/dx of v^T J for a fixed v only, so a VJP that detached g passed alone
    (PyTorch's gradgradcheck differentiates with respect to v too)."""
    x = Tensor(np.array([0.5, -1.5, 2.0]), requires_grad=True)
    assert ag.gradcheck(CubeUpstreamDetached.apply, [x])
    with pytest.raises(GradcheckError, match=r"input 1 \(upstream gradient of output 0\).*"
                       r"not differentiable in its upstream gradient"):
        ag.gradgradcheck(CubeUpstreamDetached.apply, [x])
    assert ag.gradgradcheck(CubeUpstreamDetached.apply, [x], raise_exception=False) is False
    assert ag.gradgradcheck(lambda t: (Cube.apply(t), t.argmax(), Tensor(1.0)), [x])


def test_gradgradcheck_blames_the_graph_only_when_it_is_missing() -> None:
    """A wrong second derivative that has a graph gets the plain report."""
    x = Tensor(np.array([0.5, -1.5, 2.0]), requires_grad=True)
    with pytest.raises(GradcheckError) as info:
        ag.gradgradcheck(lambda t: ScaledSquare.apply(t) * t, [x])
    assert "no graph" not in str(info.value)
    assert ag.gradgradcheck(lambda t: 3 * t, [x])  # linear: no graph, and none needed


def test_a_failure_in_lower_precision_says_so() -> None:
    """fn computing in float32 fails against float64 differences: the report says why."""
    x = Tensor(np.array([0.5, -1.5, 2.0]), requires_grad=True)
    with pytest.raises(GradcheckError, match="output 0 is float32.*Compute in float64"):
        ag.gradcheck(lambda t: t.astype(np.float32).sin(), [x])
    with pytest.raises(GradcheckError) as info:
        ag.gradcheck(ScaledSquare.apply, [x])
    assert "precision" not in str(info.value)


def test_raise_exception_false_returns_false_as_pytorch() -> None:
    x = Tensor(np.array([0.5, -1.5, 2.0]), requires_grad=True)
    assert ag.gradcheck(ScaledSquare.apply, [x], raise_exception=False) is False
    assert ag.gradgradcheck(CubeDetached.apply, [x], raise_exception=False) is False
    assert ag.gradcheck(Square.apply, [x], raise_exception=False) is True
    assert ag.gradgradcheck(Cube.apply, [x], raise_exception=False) is True
    with pytest.raises(GradcheckError):  # the default still raises, with the numbers
        ag.gradcheck(ScaledSquare.apply, [x])


@given(tensors(shapes(min_dims=1), elements=domain("relu"), requires_grad=True))
def test_several_outputs(x: Tensor) -> None:
    assert ag.gradcheck(lambda t: (t.exp(), Square.apply(t).sum(), Tensor(1.0)), [x])
    with pytest.raises(GradcheckError, match="input 0"):
        ag.gradcheck(lambda t: (t.exp(), ScaledSquare.apply(t).sum()), [x])


def test_refuses_float32_inputs() -> None:
    x = Tensor(np.ones(3, dtype=np.float32), requires_grad=True)
    with pytest.raises(ag.DTypeError, match="input 0 is float32.*float64"):
        ag.gradcheck(Square.apply, [x])


def test_needs_an_input_that_requires_grad() -> None:
    with pytest.raises(ValueError, match="no input requires grad"):
        ag.gradcheck(Square.apply, [Tensor(np.ones(3))])


def test_constant_inputs_keep_their_dtype() -> None:
    """Integer and boolean inputs (indices, masks) are passed as they are."""
    x = Tensor(np.random.default_rng(1).standard_normal(4), requires_grad=True)
    index = Tensor(np.array([0, 3, 3]))
    mask = Tensor(np.array([True, False, True, True]))
    assert ag.gradcheck(lambda t, i: t[i], [x, index])
    assert ag.gradcheck(lambda t, m: ag.where(m, t, 0.0), [x, mask])


def test_numerical_grad_of_a_linear_map() -> None:
    rng = np.random.default_rng(2)
    a, v = rng.standard_normal((3, 4)), rng.standard_normal(3)
    x = Tensor(rng.standard_normal(4), requires_grad=True)
    (estimate,) = ag.numerical_grad(lambda t: a @ t, [x], [v])
    np.testing.assert_allclose(estimate, a.T @ v, rtol=1e-8, atol=1e-9)


# ------------------------------------------------------------------ the engine's VJP check
class Returns(Function):
    """An op returning x unchanged whose VJP returns whatever the test planted."""
    def __init__(self, make_grad):
        self.make_grad = make_grad

    def forward(self, x):
        return x.copy()

    def vjp(self, g, out, x):
        return self.make_grad(g)


@pytest.mark.parametrize("make_grad, shape", [
    (lambda g: (g.T,), (2, 3)),                     # transposed
    (lambda g: (g.reshape(-1),), (2, 3)),           # flattened
    (lambda g: (g[:1],), (2, 3)),                   # cut (not a broadcast of (2, 3))
    (lambda g: (np.ones((4, 3)),), (2, 3)),         # too many rows
])
def test_engine_refuses_vjp_of_wrong_shape(make_grad, shape) -> None:
    x = Tensor(np.ones(shape), requires_grad=True)
    y = Returns(make_grad)(x)
    with pytest.raises(VJPError, match=r"Returns.vjp returned a gradient of shape .* for "
                                       r"input 0, whose shape is \(2, 3\)"):
        y.backward(np.ones(shape))


def test_engine_accepts_a_broadcast_of_the_input_shape() -> None:
    x = Tensor(np.ones((2, 1)), requires_grad=True)
    upstream = np.random.default_rng(3).standard_normal((2, 1))
    y = Returns(lambda g: (np.broadcast_to(g, (5, 2, 3)),))(x)
    y.backward(upstream)
    expected = np.broadcast_to(upstream, (5, 2, 3)).sum(axis=0).sum(axis=1, keepdims=True)
    np.testing.assert_allclose(x.grad.data, expected, rtol=1e-12)


def test_engine_refuses_wrong_number_of_gradients() -> None:
    x = Tensor(np.ones(3), requires_grad=True)
    y = Returns(lambda g: (g, g))(x)
    with pytest.raises(VJPError, match="Returns.vjp returned 2 gradients for 1 inputs"):
        y.backward(np.ones(3))


def test_engine_casts_an_integer_gradient_and_refuses_a_complex_one() -> None:
    x = Tensor(np.ones(3), requires_grad=True)  # PyTorch casts to the input's dtype too
    Returns(lambda g: (np.ones(3, dtype=np.int64),))(x).backward(np.ones(3))
    assert x.grad.dtype == np.float64
    np.testing.assert_array_equal(x.grad.data, np.ones(3))
    y = Returns(lambda g: (np.ones(3, dtype=np.complex128),))(x)
    with pytest.raises(VJPError, match="Returns.vjp returned a complex128 gradient for input"):
        y.backward(np.ones(3))


def test_a_bare_tensor_is_one_input_not_a_sequence_of_rows() -> None:
    x = ag.Tensor(np.array([[1.0, 2.0], [3.0, 0.5]]), requires_grad=True)
    calls = []

    def fn(*inputs):
        calls.append(len(inputs))
        return inputs[0].sin() * inputs[0]

    assert ag.gradcheck(fn, x)
    assert ag.gradgradcheck(fn, x)
    assert set(calls) == {1}  # always called with the whole tensor
    (estimate,) = ag.numerical_grad(lambda t: t.sum(), x, [np.ones(())])
    np.testing.assert_allclose(estimate, np.ones((2, 2)), atol=1e-8)


@pytest.mark.parametrize("check", [ag.gradcheck, ag.gradgradcheck])
def test_a_python_number_as_input_says_to_require_grad(check):
    """gradcheck(f, 2.0) raised Python's bare "'float' object is not iterable"."""
    with pytest.raises(UsageError, match="no input requires grad.*requires_grad=True"):
        check(lambda w: (3 * w + 2) ** 2, 2.0)
    assert check(lambda w: (3 * w + 2) ** 2, ag.Tensor(2.0, requires_grad=True))


@pytest.mark.parametrize("check", [ag.gradcheck, ag.gradgradcheck])
def test_inputs_that_are_no_tensor_reach_fn_unchanged_as_in_pytorch(check) -> None:
    """gradcheck(fn, (x, 1)) turned the axis 1 into Tensor(1.0): AxisError."""
    x = Tensor(np.random.default_rng(0).standard_normal((3, 4)), requires_grad=True)
    seen = []

    def fn(t, axis, shape, power):
        seen.append((axis, shape, power))
        return (t.reshape(shape) ** power).sum(axis)

    assert check(fn, (x, 1, (4, 3), 3))
    assert set(seen) == {(1, (4, 3), 3)}
    with pytest.raises(GradcheckError, match="input 0"):
        check(lambda t, axis: ScaledSquare.apply(t).sum(axis) * t.sum(), (x, 0))


def test_grad_outputs_of_gradgradcheck_as_pytorch_and_a_misplaced_one_is_named() -> None:
    """gradgradcheck(fn, inputs, grad_outputs) (PyTorch's order) raised NumPy's bare
    "setting an array element with a sequence" (the third place is eps), and
    grad_outputs= a TypeError; gradcheck dropped surplus outputs without a word."""
    seen = []

    class Recorded(Cube):
        def vjp(self, g, out, x):
            seen.append(np.array(constant(g)))
            return super().vjp(g, out, x)

    x = Tensor(np.array([0.5, -1.5, 2.0]), requires_grad=True)
    v = np.array([1.0, -2.0, 0.5])
    assert ag.gradgradcheck(Recorded.apply, [x], grad_outputs=[v])
    assert seen and all(np.allclose(g, v, atol=1e-5) for g in seen)  # v, or v +- eps
    with pytest.raises(UsageError, match="eps must be a positive number.*grad_outputs="):
        ag.gradgradcheck(Cube.apply, (x,), (Tensor(v),))
    with pytest.raises(UsageError, match="1 grad_outputs for 2 outputs"):
        ag.gradcheck(lambda t: (Cube.apply(t), t * 2), [x], grad_outputs=[v])
    with pytest.raises(ag.ShapeError, match=r"grad_outputs\[0\] has shape \(2,\); output 0"):
        ag.gradgradcheck(Cube.apply, [x], grad_outputs=[np.ones(2)])
