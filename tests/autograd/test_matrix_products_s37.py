"""Matrix products after the session-37 differential fuzz: ``addmm addmv addr baddbmm
addbmm`` (alpha and beta are numbers, integer and bool tensors keep their dtype, input
broadcasts to the product's shape), ``tensordot``'s ``dims`` (tensor forms taken, invalid
ones refused), ``einsum``'s repeated letters of sizes 0 and 1, ``linalg.cross`` (one number
of axes, an int dim, ``out=``) and errors that name the function called. Expected values
come from NumPy."""

import numpy as np
import pytest

import autograd as ag
from autograd.errors import DTypeError, EinsumError, ShapeError, UsageError

I2 = np.arange(4).reshape(2, 2)


def _int_calls():
    """(name, out-of-place call, in-place call) of the five products on int64 tensors."""
    m, v, b = I2, I2[0], np.stack([I2, I2])
    t = ag.tensor
    return [
        ("addmm", lambda **k: ag.addmm(t(m), t(m), t(m), **k),
         lambda **k: t(m).addmm_(t(m), t(m), **k)),
        ("addmv", lambda **k: ag.addmv(t(v), t(m), t(v), **k),
         lambda **k: t(v).addmv_(t(m), t(v), **k)),
        ("addr", lambda **k: ag.addr(t(m), t(v), t(v), **k),
         lambda **k: t(m).addr_(t(v), t(v), **k)),
        ("baddbmm", lambda **k: ag.baddbmm(t(b), t(b), t(b), **k),
         lambda **k: t(b).baddbmm_(t(b), t(b), **k)),
        ("addbmm", lambda **k: ag.addbmm(t(m), t(b), t(b), **k),
         lambda **k: t(m).addbmm_(t(b), t(b), **k)),
    ]


def _expected(name, beta, alpha):
    m, v, b = I2, I2[0], np.stack([I2, I2])
    product = {"addmm": m @ m, "addmv": m @ v, "addr": np.outer(v, v),
               "baddbmm": b @ b, "addbmm": (b @ b).sum(0)}[name]
    start = {"addmm": m, "addmv": v, "addr": m, "baddbmm": b, "addbmm": m}[name]
    return beta * start + alpha * product


@pytest.mark.parametrize("scales", [{"alpha": 1.5}, {"alpha": 2.0}, {"beta": 0.5},
                                    {"beta": 3.0, "alpha": 2}])
@pytest.mark.parametrize("name,call,inplace", _int_calls())
def test_integer_tensors_refuse_a_float_scale_in_and_out_of_place(name, call, inplace,
                                                                  scales):
    with pytest.raises(DTypeError, match=f"{name}: .*int64 tensors.*give"):
        call(**scales)
    with pytest.raises(DTypeError, match="int64"):
        inplace(**scales)


@pytest.mark.parametrize("name,call,inplace", _int_calls())
def test_integer_tensors_with_int_scales_stay_integer_and_exact(name, call, inplace):
    out = call(beta=3, alpha=-2)
    assert out.dtype == np.int64
    np.testing.assert_array_equal(out.data, _expected(name, 3, -2))
    np.testing.assert_array_equal(inplace(beta=3, alpha=-2).data, _expected(name, 3, -2))


def test_bool_addr_keeps_bool_and_refuses_an_int_alpha():
    m, v = np.array([[True, False], [False, False]]), np.array([True, False])
    out = ag.addr(ag.tensor(m), ag.tensor(v), ag.tensor(~v))
    assert out.dtype == np.bool_
    np.testing.assert_array_equal(out.data, m | np.outer(v, ~v))
    with pytest.raises(DTypeError, match="addr: alpha=2 with bool tensors"):
        ag.addr(ag.tensor(m), ag.tensor(v), ag.tensor(v), alpha=2)


@pytest.mark.parametrize("build", [
    lambda: ag.addmm(ag.ones((1, 2, 2)), ag.ones((2, 2)), ag.ones((2, 2))),
    lambda: ag.addmm(ag.ones((2, 3)), ag.ones((2, 2)), ag.ones((2, 2))),
    lambda: ag.addmv(ag.ones((2, 2)), ag.ones((2, 2)), ag.ones(2)),
    lambda: ag.addr(ag.ones((1, 2, 2)), ag.ones(2), ag.ones(2)),
    lambda: ag.baddbmm(ag.ones((1, 2, 2, 2)), ag.ones((2, 2, 2)), ag.ones((2, 2, 2))),
    lambda: ag.addbmm(ag.ones((1, 2, 2)), ag.ones((2, 2, 2)), ag.ones((2, 2, 2))),
    lambda: ag.ones((1, 2, 2)).addmm(ag.ones((2, 2)), ag.ones((2, 2))),
])
def test_input_must_broadcast_to_the_products_shape(build):
    with pytest.raises(ShapeError, match="must broadcast to the product's shape"):
        build()


def test_a_smaller_input_still_broadcasts_with_its_gradient():
    rng = np.random.default_rng(0)
    row, a, b = rng.standard_normal(3), rng.standard_normal((2, 4)), rng.standard_normal((4, 3))
    out = ag.addmm(ag.tensor(row), ag.tensor(a), ag.tensor(b), beta=0.5, alpha=-2.0)
    np.testing.assert_allclose(out.data, 0.5 * row - 2.0 * (a @ b), rtol=1e-12)
    ag.gradcheck(lambda r, x, y: ag.addmm(r, x, y, beta=0.5, alpha=-2.0),
                 tuple(ag.tensor(z, requires_grad=True) for z in (row, a, b)))


@pytest.mark.parametrize("bad", [np.array([1.0, 2.0]), [1, 2], None, "2",
                                 ag.tensor(2.0, requires_grad=True)])
@pytest.mark.parametrize("which", ["alpha", "beta"])
def test_a_scale_that_is_no_number_is_a_usage_error(bad, which):
    m = ag.ones((2, 2))
    with pytest.raises(UsageError, match=f"addmm: {which} must be one number"):
        ag.addmm(m, m, m, **{which: bad})
    with pytest.raises(UsageError, match=f"addr: {which} must be one number"):
        ag.addr(m, ag.ones(2), ag.ones(2), **{which: bad})


def test_numpy_and_0d_scales_are_numbers_and_keep_float32():
    m = np.full((2, 2), 1.5, dtype=np.float32)
    t = ag.tensor(m)
    out = ag.addmm(t, t, t, beta=np.float64(0.5), alpha=ag.tensor(2.0))
    assert out.dtype == np.float32
    np.testing.assert_allclose(out.data, 0.5 * m + 2.0 * (m @ m), rtol=1e-6)


# ------------------------------------------------------------------ tensordot dims
def _td_operands():
    rng = np.random.default_rng(1)
    return rng.standard_normal((2, 3, 4)), rng.standard_normal((3, 4, 5))


@pytest.mark.parametrize("dims,numpy_axes", [
    (lambda: ag.tensor(2), 2),
    (lambda: ag.tensor([2]), 2),
    (lambda: ag.tensor([[1, 2], [0, 1]]), ([1, 2], [0, 1])),
    (lambda: ag.tensor([[2], [1]]), ([2], [1])),
])
def test_tensordot_takes_tensor_dims_as_pytorch(dims, numpy_axes):
    a, b = _td_operands()
    out = ag.tensordot(ag.tensor(a), ag.tensor(b), dims=dims())
    np.testing.assert_allclose(out.data, np.tensordot(a, b, numpy_axes), rtol=1e-12)
    ag.gradcheck(lambda x, y: ag.tensordot(x, y, dims=dims()),
                 (ag.tensor(a, requires_grad=True), ag.tensor(b, requires_grad=True)))


@pytest.mark.parametrize("dims,error,match", [
    (-1, ShapeError, "must be >= 0"),
    (4, ShapeError, "at most 3"),
    (([0, 0], [0, 1]), ShapeError, "axis 0 of a appears more than once"),
    (([1, -2], [0, 1]), ShapeError, "axis 1 of a appears more than once"),
    (([1, 2], [1, 1]), ShapeError, "axis 1 of b appears more than once"),
    (([1], [0], [1]), UsageError, "a pair"),
    (([1],), UsageError, "a pair"),
    (1.0, UsageError, "a pair"),
    (ag.tensor(1.0), UsageError, "must hold ints"),
])
def test_tensordot_refuses_invalid_dims(dims, error, match):
    a, b = _td_operands()
    with pytest.raises(error, match=match):
        ag.tensordot(ag.tensor(a), ag.tensor(b), dims=dims)


def test_tensordot_zero_dims_is_the_outer_product():
    a, b = _td_operands()
    out = ag.tensordot(ag.tensor(a), ag.tensor(b), dims=0)
    np.testing.assert_allclose(out.data, np.multiply.outer(a, b), rtol=1e-12)


# ------------------------------------------------------------------ einsum
@pytest.mark.parametrize("shape", [(0, 1), (1, 0), (2, 0, 1)])
def test_einsum_repeated_letter_of_sizes_0_and_1_is_refused(shape):
    subscripts = "cc->c" if len(shape) == 2 else "...cc->...c"
    with pytest.raises(EinsumError, match="operand 0 for collapsing index 'c' don't match"):
        ag.einsum(subscripts, ag.ones(shape))


def test_einsum_square_diagonals_and_broadcast_across_operands_still_work():
    x = np.arange(9.0).reshape(3, 3)
    np.testing.assert_array_equal(ag.einsum("cc->c", ag.tensor(x)).data, np.diagonal(x))
    assert ag.einsum("cc->c", ag.ones((0, 0))).shape == (0,)
    out = ag.einsum("i,i->i", ag.tensor(np.arange(3.0)), ag.ones(1))
    np.testing.assert_array_equal(out.data, np.arange(3.0))


# ------------------------------------------------------------------ linalg.cross
def test_linalg_cross_needs_one_number_of_axes_and_an_int_dim():
    with pytest.raises(ShapeError, match="same number of axes"):
        ag.linalg.cross(ag.ones((2, 3)), ag.ones(3))
    with pytest.raises(UsageError, match="dim must be an int"):
        ag.linalg.cross(ag.ones(3), ag.ones(3), dim=None)
    rng = np.random.default_rng(2)
    a, b = rng.standard_normal((1, 3)), rng.standard_normal((4, 3))
    np.testing.assert_allclose(ag.linalg.cross(ag.tensor(a), ag.tensor(b)).data,
                               np.cross(a, b), rtol=1e-12)


def test_linalg_cross_writes_out():
    a, b = np.array([1.0, 2.0, 3.0]), np.array([-1.0, 0.5, 2.0])
    out = ag.zeros(3)
    result = ag.linalg.cross(ag.tensor(a), ag.tensor(b), out=out)
    assert result is out
    np.testing.assert_allclose(out.data, np.cross(a, b), rtol=1e-12)


# ------------------------------------------------------------------ error messages
def test_errors_name_the_function_called():
    with pytest.raises(UsageError, match="chain_matmul: expected one or more matrices"):
        ag.chain_matmul()
    with pytest.raises(ShapeError, match="^inner: the last axes"):
        ag.inner(ag.ones(3), ag.ones((2, 2)))
    with pytest.raises(ShapeError, match="^dot: a's last axis .length 2. and b's only axis"):
        ag.dot(ag.tensor([1.0, 2.0]), ag.tensor([1.0, 2.0, 3.0]))
    with pytest.raises(ShapeError, match="^dot: .*second-to-last axis"):
        ag.dot(ag.ones((2, 3)), ag.ones((4, 2, 2)))


def test_the_cross_method_needs_one_number_of_axes_as_pytorch():
    with pytest.raises(ShapeError, match="same number of axes"):
        ag.ones((2, 3)).cross(ag.ones(3), dim=-1)
    with pytest.raises(ShapeError, match="same number of axes"):
        ag.cross(ag.ones((2, 3)), ag.ones(3), dim=-1)  # PyTorch's keyword, PyTorch's rule
    a, b = np.ones((2, 3)), np.array([1.0, 2.0, 3.0])
    np.testing.assert_allclose(ag.cross(ag.tensor(a), ag.tensor(b), axis=-1).data,
                               np.cross(a, b))  # NumPy's function still broadcasts
