"""Tensor methods against torch.Tensor's (session 35's findings): bool scatter_reduce /
index_reduce, in-place integer ops with out-of-range Python ints and negative alpha, the
gradient of |x| at NaN (logaddexp), sign of NaN, index_add with a whole float alpha, t_()
of a leaf, the names in mH/adjoint() errors, and nextafter_ of a float32 toward integers."""

from __future__ import annotations

import math

import numpy as np
import pytest

import autograd as ag
from autograd.errors import DTypeError, InplaceError, ShapeError

pytestmark = pytest.mark.filterwarnings("ignore:index_reduce\\(\\) is in beta")

BOOL_SELF = [[True, False, True], [False, False, True]]
BOOL_SRC = [[True, True, False], [False, True, True]]
INDEX = [[0, 2, 1], [1, 0, 0]]


# ---------------------------------------------------------------- F1: bool reductions
@pytest.mark.parametrize("reduce", ["sum", "prod", "amax", "amin"])
@pytest.mark.parametrize("include_self", [True, False])
def test_scatter_reduce_of_bools_matches_torch(torch, reduce, include_self):
    expected = torch.tensor(BOOL_SELF).scatter_reduce(
        1, torch.tensor(INDEX), torch.tensor(BOOL_SRC), reduce, include_self=include_self)
    ours = ag.tensor(BOOL_SELF).scatter_reduce(
        1, ag.tensor(INDEX), ag.tensor(BOOL_SRC), reduce, include_self=include_self)
    assert ours.dtype == np.bool_ and ours.tolist() == expected.tolist()
    inplace = ag.tensor(BOOL_SELF)
    inplace.scatter_reduce_(1, ag.tensor(INDEX), ag.tensor(BOOL_SRC), reduce,
                            include_self=include_self)
    assert inplace.tolist() == expected.tolist()


@pytest.mark.parametrize("reduce", ["prod", "amax", "amin"])
def test_index_reduce_of_bools_matches_torch(torch, reduce):
    expected = torch.tensor(BOOL_SELF).index_reduce(0, torch.tensor([0, 0]),
                                                    torch.tensor(BOOL_SRC), reduce)
    ours = ag.tensor(BOOL_SELF).index_reduce(0, ag.tensor([0, 0]), ag.tensor(BOOL_SRC), reduce)
    assert ours.tolist() == expected.tolist()


def test_index_reduce_of_bools_without_self_takes_the_extreme_of_the_sources():
    """PyTorch has no kernel for it; ours reduces the sources alone (False/True start)."""
    src = np.array(BOOL_SRC)
    for reduce, combine in (("amax", np.logical_or), ("amin", np.logical_and),
                            ("prod", np.logical_and)):
        ours = ag.tensor(BOOL_SELF).index_reduce(0, ag.tensor([0, 0]), ag.tensor(src), reduce,
                                                 include_self=False)
        assert ours.tolist() == [combine(src[0], src[1]).tolist(), BOOL_SELF[1]]


def test_mean_of_bools_is_refused_as_torch(torch):
    with pytest.raises(NotImplementedError):
        torch.tensor(BOOL_SELF).scatter_reduce(1, torch.tensor(INDEX), torch.tensor(BOOL_SRC),
                                               "mean")
    calls = [
        lambda x: x.scatter_reduce(1, ag.tensor(INDEX), ag.tensor(BOOL_SRC), "mean"),
        lambda x: x.scatter_reduce_(1, ag.tensor(INDEX), ag.tensor(BOOL_SRC), "mean"),
        lambda x: x.index_reduce(0, ag.tensor([0, 0]), ag.tensor(BOOL_SRC), "mean"),
        lambda x: x.index_reduce_(0, ag.tensor([0, 0]), ag.tensor(BOOL_SRC), "mean",
                                  include_self=False),
    ]
    for call in calls:
        with pytest.raises(DTypeError, match="mean"):
            call(ag.tensor(BOOL_SELF))


# ---------------------------------------------------------------- F2, F3: wrapping ints
def _uint8(values=(1, 2, 200)):
    return np.array(values, dtype=np.uint8)


def _inplace_cases(t):
    one = t.tensor(np.ones(3, dtype=np.uint8)) if t is ag else t.ones(3, dtype=t.uint8)
    return [
        ("add_(y, alpha=-2)", lambda x: x.add_(one, alpha=-2)),
        ("sub_(y, alpha=-1)", lambda x: x.sub_(one, alpha=-1)),
        ("add_(-1)", lambda x: x.add_(-1)),
        ("sub_(-3)", lambda x: x.sub_(-3)),
        ("mul_(-2)", lambda x: x.mul_(-2)),
        ("add_(300)", lambda x: x.add_(300)),
        ("x += -1", lambda x: x.__iadd__(-1)),
        ("x -= 256", lambda x: x.__isub__(256)),
        ("x *= -2", lambda x: x.__imul__(-2)),
    ]


def test_inplace_integer_ops_wrap_as_torch(torch):
    for (what, ours), (_, theirs) in zip(_inplace_cases(ag), _inplace_cases(torch)):
        x, y = ag.tensor(_uint8()), torch.tensor(_uint8())
        assert ours(x) is x, what
        theirs(y)
        assert x.dtype == np.uint8 and x.tolist() == y.tolist(), what


def test_inplace_int8_with_an_int_beyond_it_wraps_as_torch(torch):
    data = np.array([1, 2, 100], dtype=np.int8)
    x = ag.tensor(data)
    x.add_(300)
    assert x.tolist() == torch.tensor(data).add_(300).tolist()


def test_inplace_integer_op_refuses_a_float_and_an_int_beyond_int64():
    with pytest.raises(DTypeError):
        ag.tensor(_uint8()).add_(1.5)
    with pytest.raises(DTypeError):
        ag.tensor(_uint8()).add_(2 ** 70)


# ---------------------------------------------------------------- F4: |x|' at NaN
@pytest.mark.parametrize("name", ["logaddexp", "logaddexp2"])
def test_logaddexp_gradient_at_nan_is_nan_as_torch(torch, name):
    for left, right in ((math.nan, 0.5), (0.5, math.nan), (math.nan, math.nan)):
        x, y = ag.tensor(left, requires_grad=True), ag.tensor(right, requires_grad=True)
        getattr(x, name)(y).backward()
        tx = torch.tensor(left, requires_grad=True)
        ty = torch.tensor(right, requires_grad=True)
        getattr(tx, name)(ty).backward()
        np.testing.assert_array_equal([x.grad.item(), y.grad.item()],
                                      [tx.grad.item(), ty.grad.item()])


@pytest.mark.parametrize("name", ["logaddexp", "logaddexp2"])
def test_logaddexp_gradient_elsewhere_unchanged(torch, name):
    """Finite and one-infinite pairs as PyTorch; equal infinities share the gradient
    (0.5 each, where PyTorch's is NaN), as before."""
    a = np.array([-3.0, 0.0, 2.0, 5.0, -math.inf, 1.0, math.inf])
    b = np.array([1.0, 0.0, -1.0, 5.0, 0.0, -math.inf, math.inf])
    x, y = ag.tensor(a, requires_grad=True), ag.tensor(b, requires_grad=True)
    getattr(x, name)(y).sum().backward()
    tx, ty = torch.tensor(a, requires_grad=True), torch.tensor(b, requires_grad=True)
    getattr(tx, name)(ty).sum().backward()
    np.testing.assert_allclose(x.grad.numpy()[:-1], tx.grad.numpy()[:-1], rtol=1e-12)
    np.testing.assert_allclose(y.grad.numpy()[:-1], ty.grad.numpy()[:-1], rtol=1e-12)
    assert x.grad.numpy()[-1] == y.grad.numpy()[-1] == 0.5


def test_abs_gradient_at_nan_is_nan_whatever_the_upstream():
    """|x|' at NaN is NaN under any upstream gradient (it was 0 under an infinite or NaN
    one, which hid a NaN inside logaddexp; PyTorch's is g * sgn(NaN) = 0 for a finite g)."""
    values = np.array([math.nan, 0.0, -2.0, 3.0, math.inf, -math.inf])
    for upstream in (np.ones(6), np.full(6, math.inf), np.full(6, math.nan)):
        x = ag.tensor(values, requires_grad=True)
        x.abs().backward(ag.tensor(upstream))
        assert np.isnan(x.grad.numpy()[0])
    a = ag.tensor(math.nan, requires_grad=True)
    (-a.abs()).exp().backward()
    assert math.isnan(a.grad.item())
    b = ag.tensor([math.nan, 2.0], requires_grad=True)  # create_graph: g is a Tensor
    (grad,) = ag.grad((-b.abs()).exp().sum(), b, create_graph=True)
    assert math.isnan(grad.detach().numpy()[0])


def test_abs_gradient_at_zero_under_an_infinite_upstream_stays_zero():
    x = ag.tensor([0.0, -1.0, 2.0], requires_grad=True)
    x.abs().backward(ag.tensor([math.inf, math.inf, math.inf]))
    assert x.grad.tolist() == [0.0, -math.inf, math.inf]


# ---------------------------------------------------------------- F5: sign of NaN
@pytest.mark.parametrize("dtype", [np.float16, np.float32, np.float64])
def test_sign_of_nan_is_zero_as_torch(torch, dtype):
    data = np.array([math.nan, -2.0, 0.0, 3.0, -math.inf, math.inf], dtype=dtype)
    expected = torch.tensor(data).sign().numpy()
    for name in ("sign", "sgn"):
        ours = getattr(ag.tensor(data), name)()
        assert ours.dtype == dtype
        np.testing.assert_array_equal(ours.numpy(), expected)
        inplace = ag.tensor(data)
        assert getattr(inplace, name + "_")() is inplace
        np.testing.assert_array_equal(inplace.numpy(), expected)
    np.testing.assert_array_equal(np.sign(ag.tensor(data)).numpy(), expected)


def test_sign_of_integers_and_bools_unchanged(torch):
    data = np.array([-3, 0, 4], dtype=np.int8)
    assert ag.tensor(data).sign().tolist() == torch.tensor(data).sign().tolist()
    assert ag.tensor([True, False]).sign().tolist() == [True, False]


# ---------------------------------------------------------------- F7: index_add alpha
def test_index_add_with_a_whole_float_alpha_on_integers_as_torch(torch):
    data = np.arange(12).reshape(3, 4)
    src = np.ones((3, 2), dtype=np.int64)
    expected = torch.tensor(data).index_add(1, torch.tensor([1, 1]), torch.tensor(src),
                                            alpha=2.0)
    ours = ag.tensor(data).index_add(1, ag.tensor([1, 1]), ag.tensor(src), alpha=2.0)
    assert ours.dtype == np.int64 and ours.tolist() == expected.tolist()
    inplace = ag.tensor(data)
    inplace.index_add_(1, ag.tensor([1, 1]), ag.tensor(src), alpha=2.0)
    assert inplace.tolist() == expected.tolist()


def test_index_add_with_a_fractional_alpha_on_integers_names_alpha():
    x, src = ag.tensor(np.arange(12).reshape(3, 4)), ag.tensor(np.ones((3, 2), dtype=np.int64))
    with pytest.raises(DTypeError, match="alpha=2.5"):
        x.index_add(1, ag.tensor([1, 1]), src, alpha=2.5)
    floats = ag.tensor(np.arange(12.0).reshape(3, 4))
    out = floats.index_add(1, ag.tensor([1, 1]), src.double(), alpha=2.5)
    assert out.numpy()[0, 1] == 1.0 + 5.0


# ---------------------------------------------------------------- F8: t_() of a leaf
@pytest.mark.parametrize("data", [1.0, [1.0, 2.0], [[1.0, 2.0]]])
def test_t_of_a_leaf_that_requires_grad_is_refused_as_torch(torch, data):
    with pytest.raises(RuntimeError, match="leaf"):
        torch.tensor(data, requires_grad=True).t_()
    with pytest.raises(InplaceError, match="leaf"):
        ag.tensor(data, requires_grad=True).t_()


def test_t_of_a_vector_without_grad_returns_it_unchanged():
    x = ag.tensor([1.0, 2.0])
    assert x.t_() is x and x.tolist() == [1.0, 2.0]
    with ag.no_grad():
        leaf = ag.tensor(3.0, requires_grad=True)
        assert leaf.t_() is leaf and leaf.shape == ()


# ---------------------------------------------------------------- F9: mH, adjoint()
@pytest.mark.parametrize("name, called", [("mH", "mH"), ("adjoint", "adjoint()")])
def test_mh_and_adjoint_errors_name_what_was_called(name, called):
    with pytest.raises(ShapeError, match=f"^{name}"):
        attribute = getattr(ag.tensor([1.0, 2.0]), name)
        attribute() if callable(attribute) else None


def test_mt_error_names_mt():
    with pytest.raises(ShapeError, match="^mT needs a matrix"):
        ag.tensor([1.0, 2.0]).mT


# ---------------------------------------------------------------- F10: nextafter_
@pytest.mark.parametrize("dtype", [np.float16, np.float32])
def test_nextafter_inplace_toward_integers_steps_in_self_dtype_as_torch(torch, dtype):
    data = np.array([1.0, 2.0, 7.0], dtype=dtype)
    target = np.array([5, 5, 5])
    expected = torch.tensor(data).nextafter_(torch.tensor(target)).numpy()
    ours = ag.tensor(data)
    assert ours.nextafter_(ag.tensor(target)) is ours
    assert ours.dtype == dtype
    np.testing.assert_array_equal(ours.numpy(), expected)
    assert (ours.numpy() != data).all()
