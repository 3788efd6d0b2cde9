"""Regression tests: no silent NaN where PyTorch gives a number, empty tensors as NumPy,
and named errors for misuse (issue 9, section 4). Each failed on the code before."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import autograd as ag


def leaf(values) -> ag.Tensor:
    return ag.Tensor(np.array(values, dtype=np.float64), requires_grad=True)


X = [-1.0, 0.0, 4.0]  # inactive, the kink (where sqrt' is infinite), active


@pytest.mark.parametrize("masked, values, inactive", [
    (lambda x: x.relu(), [-1.0, 4.0], [0]),
    (lambda x: ag.maximum(x, 0.0), [-1.0, 4.0], [0]),
    (lambda x: ag.clip(x, 0.0, 10.0), [-1.0, 4.0], [0]),
    (lambda x: -ag.minimum(x, 0.0), [-1.0, 4.0], [1]),
    (lambda x: x.abs(), [-1.0, 0.0, 4.0], [1]),
])
def test_a_mask_does_not_turn_an_infinite_gradient_into_nan(masked, values,
                                                            inactive) -> None:
    """sqrt'(0) is infinite; the masked-out inputs must still get exactly 0."""
    x = leaf(values)
    masked(x).sqrt().sum().backward()
    grads = x.grad.data
    np.testing.assert_array_equal(grads[inactive], np.zeros(len(inactive)))
    active = [k for k in range(len(values)) if k not in inactive]
    for k in active:  # the chain rule on the active side: sqrt'(|x|) * d|mask|/dx
        expected = 0.5 / np.sqrt(abs(values[k])) * np.sign(values[k])
        assert grads[k] == pytest.approx(expected)


MASKED = [lambda x: x.relu(), lambda x: ag.maximum(x, 0.0), lambda x: ag.clip(x, 0.0, 10.0),
          lambda x: -ag.minimum(x, 0.0), lambda x: x.abs()]


@pytest.mark.parametrize("masked", MASKED)
def test_a_mask_passes_infinities_of_both_signs_quietly(masked) -> None:
    """An upstream gradient holding +inf and -inf: the inactive side gets exactly 0, the
    active side g times the slope (from central differences; no kinks among the values),
    and NumPy says nothing (a finiteness check by summing g warned of inf - inf)."""
    values = np.array([-1.0, 4.0, -3.0, 2.0])
    upstream = np.array([np.inf, -np.inf, -np.inf, np.inf])
    h = 1e-3
    slope = (masked(ag.Tensor(values + h)).data - masked(ag.Tensor(values - h)).data) / (2 * h)
    x = leaf(values)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        masked(x).backward(ag.Tensor(upstream))
    with np.errstate(invalid="ignore"):
        expected = np.where(np.round(slope) == 0, 0.0, upstream * np.round(slope))
    np.testing.assert_array_equal(x.grad.data, expected)
    assert (expected == np.inf).any() and (expected == -np.inf).any()  # both signs pass


def test_relu_sqrt_is_pytorchs_answer() -> None:
    x = leaf(X)
    x.relu().sqrt().sum().backward()
    np.testing.assert_array_equal(x.grad.data, [0.0, 0.0, 1 / (2 * np.sqrt(4.0))])


def test_pow_at_zero_base_gives_zero_not_nan() -> None:
    a, b = leaf([0.0, 0.0, 0.0, 2.0]), leaf([0.0, 2.0, 3.5, 3.0])
    (a ** b).sum().backward()
    with np.errstate(divide="ignore", invalid="ignore"):  # 0 ** -1 where b = 0
        expected_a = np.where(b.data == 0, 0.0, b.data * a.data ** (b.data - 1))
    np.testing.assert_array_equal(a.grad.data, expected_a)
    expected_b = np.where(a.data == 0, 0.0, a.data ** b.data * np.log(
        np.where(a.data == 0, 1.0, a.data)))
    np.testing.assert_allclose(b.grad.data, expected_b)
    x = leaf([0.0, 1.0, 2.0])
    (0.0 ** x).sum().backward()
    np.testing.assert_array_equal(x.grad.data, np.zeros(3))
    z = leaf([0.0, 1.0])
    (z ** 0).sum().backward()
    np.testing.assert_array_equal(z.grad.data, np.zeros(2))


@pytest.mark.filterwarnings("ignore:divide by zero")  # the forward 0 ** -1, as NumPy's
def test_pow_matches_torch_at_zero() -> None:
    torch = pytest.importorskip("torch")
    a_values, b_values = [0.0, 0.0, 0.0, 0.0, 2.0], [0.0, 2.0, 0.5, -1.0, 3.0]
    a, b = leaf(a_values), leaf(b_values)
    (a ** b).sum().backward()
    ta = torch.tensor(a_values, dtype=torch.float64, requires_grad=True)
    tb = torch.tensor(b_values, dtype=torch.float64, requires_grad=True)
    (ta ** tb).sum().backward()
    np.testing.assert_array_equal(a.grad.data, ta.grad.numpy())
    np.testing.assert_array_equal(b.grad.data, tb.grad.numpy())


def test_std_of_a_constant_has_gradient_zero() -> None:
    x = leaf([2.0, 2.0, 2.0])
    x.std(correction=1).backward()
    np.testing.assert_array_equal(x.grad.data, np.zeros(3))
    y = leaf([[1.0, 1.0], [1.0, 3.0]])
    y.std(axis=1).sum().backward()
    assert np.isfinite(y.grad.data).all()
    np.testing.assert_array_equal(y.grad.data[0], [0.0, 0.0])


@pytest.mark.parametrize("op, shape, axis", [
    (ag.softmax, (3, 0), -1), (ag.log_softmax, (0, 3), 0), (ag.softmax, (0, 3), 1),
    (ag.max, (0, 3), 1), (ag.min, (0, 3), 1), (ag.logsumexp, (0, 3), 1),
    (ag.sum, (0, 3), 0), (ag.prod, (0, 3), 0),
])
def test_empty_tensors_give_empty_results_and_backward(op, shape, axis) -> None:
    x = ag.Tensor(np.zeros(shape), requires_grad=True)
    result = op(x, axis=axis)
    reference = {ag.max: np.max, ag.min: np.min, ag.sum: np.sum, ag.prod: np.prod}
    if op in reference:
        np.testing.assert_array_equal(result.data, reference[op](np.zeros(shape), axis=axis))
    result.sum().backward()
    assert x.grad.shape == shape


def test_max_over_an_empty_axis_is_a_named_error() -> None:
    with pytest.raises(ag.ShapeError, match="empty axis"):
        ag.max(np.zeros((0, 3)), axis=0)


def test_misuse_gives_named_errors() -> None:
    x = ag.Tensor(np.arange(6.0).reshape(2, 3))
    with pytest.raises(ag.AxisError, match="not a permutation"):
        x.transpose(0)
    np.testing.assert_array_equal(x[[]].data, np.arange(6.0).reshape(2, 3)[[]])
    with pytest.raises(ag.DTypeError, match="bounds must be numbers"):
        ag.clip(x, "a", 1)
    flags = ag.Tensor(np.array([True, False]))
    with pytest.raises(ag.DTypeError, match="boolean"):
        flags - flags
    with pytest.raises(ag.DTypeError, match="boolean"):
        -flags


def test_empty_index_has_a_gradient() -> None:
    x = leaf([1.0, 2.0])
    (x[[]].sum() + x.sum()).backward()
    np.testing.assert_array_equal(x.grad.data, np.ones(2))


def test_item_assignment_writes_in_place_and_stamps_the_version() -> None:
    t = ag.Tensor(np.zeros(4))
    t[1] = 5.0
    t[[0, 3]] = ag.Tensor(np.array([1.0, 2.0]))
    expected = np.zeros(4)
    expected[1], expected[[0, 3]] = 5.0, [1.0, 2.0]
    np.testing.assert_array_equal(t.data, expected)
    w = ag.Tensor(np.array([1.0, 2.0]), requires_grad=True)
    a = ag.Tensor(np.array([3.0, 4.0]))
    y = (a * w).sum()  # Mul saved a
    a[0] = 10.0
    with pytest.raises(ag.InplaceError):
        y.backward()


def test_item_assignment_into_a_leaf_that_requires_grad_is_refused_while_recording() -> None:
    w = ag.Tensor(np.ones(3), requires_grad=True)
    with pytest.raises(ag.InplaceError, match=r"leaf tensor that requires grad.*no_grad"):
        w[0] = 1.0
    with ag.no_grad():
        w[0] = 5.0  # initialisation: untracked, in place
    assert w.data[0] == 5.0 and w.grad_fn is None
    v = ag.Tensor(np.array(7.0), requires_grad=True)
    h = w.at[0].set(v)  # the functional form: a new tensor, gradients reach both
    (h * h).sum().backward()
    expected = 2.0 * w.data  # d/dw w^2, except where v replaced w
    expected[0] = 0.0
    np.testing.assert_array_equal(w.grad.data, expected)
    assert v.grad.item() == 2 * v.item()
