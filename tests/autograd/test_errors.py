"""Every documented misuse raises a named exception (also a built-in one a user would
catch) whose message names the op, the shapes or dtypes, and what to do."""

from __future__ import annotations


import numpy as np
import pytest

import autograd as ag
from autograd import (AnomalyError, AutogradError, AxisError, BackwardError, DataError,
                      DTypeError, GradcheckError, GraphFreedError, InplaceError, ShapeError,
                      Tensor, UsageError, VJPError)


def leaf(*shape: int, dtype=np.float64) -> Tensor:
    return Tensor(np.random.default_rng(0).standard_normal(shape).astype(dtype),
                  requires_grad=True)


@pytest.mark.parametrize("error, builtin", [
    (DataError, ValueError), (DTypeError, TypeError), (ShapeError, ValueError),
    (AxisError, ValueError), (AxisError, IndexError), (BackwardError, RuntimeError),
    (GraphFreedError, BackwardError), (InplaceError, RuntimeError),
    (VJPError, RuntimeError), (AnomalyError, FloatingPointError),
    (GradcheckError, AssertionError)])
def test_errors_are_also_builtin_errors(error, builtin) -> None:
    assert issubclass(error, builtin) and issubclass(error, AutogradError)


# ------------------------------------------------------------------ data
def test_ragged_data() -> None:
    with pytest.raises(DataError, match="ragged nested sequences.*same length"):
        Tensor([[1.0, 2.0], [3.0]])


@pytest.mark.parametrize("data", [np.array([1.0, "a"], dtype=object), [1.0, None],
                                  np.array([np.ones(2), np.ones(3)], dtype=object)])
def test_object_data(data) -> None:
    with pytest.raises(DataError, match="object data.*numeric array"):
        Tensor(data)


@pytest.mark.parametrize("data", ["abc", np.array(["a", "b"]), np.array([1 + 2j]),
                                  np.array(["2024-01-01"], dtype="datetime64[D]")])
def test_non_numeric_data(data) -> None:
    with pytest.raises(DTypeError, match=r"bool, integer or float data; got dtype .*"
                                         r"Convert the data to numbers"):
        Tensor(data)


def test_complex_scalar_operand() -> None:
    with pytest.raises(DTypeError, match="complex numbers are not supported"):
        leaf(2) * 1j


@pytest.mark.parametrize("dtype", [np.int64, np.int32, np.uint8, bool])
def test_requires_grad_on_integer_or_bool(dtype) -> None:
    name = np.dtype(dtype).name
    with pytest.raises(DTypeError, match=f"requires_grad=True needs a floating dtype.*"
                                         f"this tensor is {name}.*Convert it first"):
        Tensor(np.zeros(3, dtype=dtype), requires_grad=True)
    with pytest.raises(DTypeError, match=f"this tensor is {name}"):
        Tensor(np.zeros(3, dtype=dtype)).requires_grad_()


def test_astype_integer_of_a_tensor_requiring_grad() -> None:
    with pytest.raises(DTypeError, match=r"astype\(int64\).*could not carry a gradient"):
        leaf(3).astype(np.int64)


# ------------------------------------------------------------------ shapes
@pytest.mark.parametrize("op, name", [(ag.add, "add"), (ag.sub, "sub"), (ag.mul, "mul"),
                                      (ag.div, "div"), (ag.pow, "pow"),
                                      (ag.maximum, "maximum"), (ag.minimum, "minimum")])
def test_shapes_that_cannot_broadcast(op, name) -> None:
    with pytest.raises(ShapeError, match=rf"{name}: shapes \(2, 3\) and \(4,\) cannot "
                                         rf"broadcast.*Reshape or add an axis"):
        op(leaf(2, 3), leaf(4))


def test_where_shapes_that_cannot_broadcast() -> None:
    with pytest.raises(ShapeError, match=r"where: shapes \(5,\) and \(3,\) and \(3,\)"):
        ag.where(np.ones(5, dtype=bool), leaf(3), leaf(3))


@pytest.mark.parametrize("a, b, needs", [((2, 3), (4, 5), r"b.shape\[-2\] \(4\)"),
                                         ((3,), (2,), r"b.shape\[0\] \(2\)"),
                                         ((5, 2, 3), (2, 3), r"b.shape\[-2\] \(2\)")])
def test_matmul_inner_dimensions(a, b, needs) -> None:
    with pytest.raises(ShapeError, match=rf"matmul: inner dimensions differ: .*{needs}.*"
                                         rf"Transpose one operand"):
        leaf(*a) @ leaf(*b)


def test_matmul_of_a_scalar_and_batch_axes() -> None:
    with pytest.raises(ShapeError, match=r"matmul: operands must have at least 1 axis.*"
                                         r"Use \*"):
        leaf() @ leaf(3)
    with pytest.raises(ShapeError, match=r"matmul: batch axes \(2,\) and \(3,\) cannot"):
        leaf(2, 4, 5) @ leaf(3, 5, 1)


@pytest.mark.parametrize("make", [
    lambda: leaf(2, 3).reshape(4, 2),
    lambda: leaf(2, 3).broadcast_to((3, 3)),
    lambda: ag.concatenate([leaf(2, 3), leaf(3, 2)], axis=0),
    lambda: ag.stack([leaf(2, 3), leaf(3, 2)]),
    lambda: leaf(2, 3).squeeze(axis=0),  # NumPy's spelling (PyTorch's leaves the axis)
])
def test_shape_ops_with_wrong_shapes(make) -> None:
    with pytest.raises(ShapeError, match=r"(reshape|broadcast_to|concatenate|stack|squeeze)"
                                         r".*\(\d"):
        make()
    with pytest.raises(ShapeError, match="concatenate: 0-d tensors have no axis.*use stack"):
        ag.concatenate([leaf(), leaf()])


# ------------------------------------------------------------------ axes
@pytest.mark.parametrize("reduce", [ag.sum, ag.mean, ag.var, ag.std, ag.max, ag.min,
                                    ag.logsumexp])
def test_axis_out_of_range(reduce) -> None:
    name = reduce.__name__
    with pytest.raises(AxisError, match=rf"{name}: axis 2 is out of range for a 2-d "
                                        rf"tensor \(valid: -2..1\)"):
        reduce(leaf(2, 3), axis=2)
    with pytest.raises(AxisError, match=rf"{name}: repeated axis"):
        reduce(leaf(2, 3), axis=(0, -2))
    with pytest.raises(AxisError, match=rf"{name}: axis must be an int"):
        reduce(leaf(2, 3), axis=1.0)


@pytest.mark.parametrize("name", ["max", "min"])
def test_max_over_a_tensor_axis_names_maximum(name: str) -> None:  # max(a, axis=b)
    with pytest.raises(AxisError, match=rf"got a Tensor of shape \(2, 3\)\. .*"
                                        rf"autograd\.{name}imum\(a, b\)"):
        getattr(ag, name)(leaf(2, 3), axis=leaf(2, 3))


def test_axis_of_a_0d_tensor() -> None:  # 0 or -1 is its one element: test_scalar_dims
    with pytest.raises(AxisError, match="sum: axis 1 given for a 0-d tensor.*axis=None"):
        leaf().sum(axis=1)
    with pytest.raises(AxisError, match=r"sum: repeated axis in \(0, -1\)"):
        leaf().sum(axis=(0, -1))
    with pytest.raises(AxisError, match="softmax: a 0-d tensor has only the axis 0"):
        leaf().softmax(axis=1)


@pytest.mark.parametrize("make, op", [
    (lambda: leaf(2, 3).softmax(axis=(0, 1)), "softmax: axis must be a single int"),
    (lambda: leaf(2, 3).log_softmax(axis=-3), "log_softmax: axis -3 is out of range"),
    (lambda: leaf(2, 3).transpose((0, 0)), r"transpose: axes \(0, 0\) are not a permutation"),
    (lambda: leaf(2, 3).swapaxes(0, 2), "swapaxes: axis 2 is out of range"),
    (lambda: leaf(2, 3).expand_dims(3), "expand_dims: axis 3 is out of range"),
    (lambda: ag.stack([leaf(2), leaf(2)], axis=2), "stack: axis 2 is out of range"),
])
def test_bad_axis_in_shape_ops(make, op) -> None:
    with pytest.raises(AxisError, match=op):
        make()


# ------------------------------------------------------------------ backward
def test_backward_on_non_scalar_without_grad() -> None:
    with pytest.raises(BackwardError, match=r"one-element outputs; output 0 has shape "
                                            r"\(2, 3\).*Pass grad=.*loss.sum\(\)"):
        (leaf(2, 3) * 2).backward()


def test_grad_of_the_wrong_shape() -> None:
    with pytest.raises(ShapeError, match=r"grad for output 0 has shape \(3, 2\); the output "
                                         r"has shape \(2, 3\)"):
        (leaf(2, 3) * 2).backward(np.ones((3, 2)))
    with pytest.raises(ShapeError, match=r"grad for output 0 has shape \(2,\)"):
        ag.grad(leaf(2, 3) * 2, [leaf(1)], grad_outputs=np.ones(2))


def test_grad_of_non_numeric_dtype() -> None:
    with pytest.raises(DTypeError, match="grad for output 0 has dtype <U1"):
        (leaf(2) * 2).backward(np.array(["a", "b"]))


def test_backward_twice_through_a_freed_graph() -> None:
    x = leaf(3)
    y = (x.exp() * 2).sum()
    y.backward()
    with pytest.raises(GraphFreedError, match="backward through Sum a second time.*"
                                              "retain_graph=True"):
        y.backward()


def test_grad_through_a_freed_graph_raises_as_backward_does() -> None:
    x = leaf(3)
    y = (x.exp() * 2).sum()
    ag.grad(y, x)
    for allow_unused in (False, True):  # was: "not used", or a silent None
        with pytest.raises(GraphFreedError, match="grad\\(\\) reached Sum, whose inputs an "
                                                  "earlier backward released"):
            ag.grad(y, x, allow_unused=allow_unused)
    h = x * x
    h.sum().backward()  # releases h's op; a new graph on h still needs it
    with pytest.raises(GraphFreedError, match="grad\\(\\) reached Mul.*retain_graph=True"):
        ag.grad((h * 3).sum() + (x * 2).sum(), x)  # was: only the x * 2 part, silently
    w = leaf(3)
    v = w * w
    v.sum().backward()  # a released part that does not lead to x: still refused (the
    with pytest.raises(GraphFreedError):  # engine no longer knows where it leads)
        ag.grad((v * 3).sum() + (x * 2).sum(), x)
    assert ag.grad((h * h).sum(), h)[0] is not None  # grad() stops at its inputs


def test_backward_on_a_tensor_that_does_not_require_grad() -> None:
    with pytest.raises(BackwardError, match="does not require grad.*requires_grad=True"):
        Tensor(np.ones(3)).sum().backward()
    with ag.no_grad():
        y = (leaf(3) * 2).sum()
    with pytest.raises(BackwardError, match="no_grad"):
        y.backward()


def test_grad_with_unused_input_or_input_without_grad() -> None:
    x, unused = leaf(3), leaf(3)
    with pytest.raises(BackwardError, match=r"input 1 \(shape \(3,\)\) is not used.*"
                                            r"allow_unused=True"):
        ag.grad((x * 2).sum(), [x, unused])
    with pytest.raises(BackwardError, match="input 0 does not require grad"):
        ag.grad((x * 2).sum(), [Tensor(np.ones(3))])
    with pytest.raises(BackwardError, match="2 outputs but 1 grad_outputs"):
        ag.grad([x * 2, x * 3], [x], grad_outputs=[np.ones(3)])


# ------------------------------------------------------------------ in-place
def test_inplace_change_of_a_tensor_saved_for_backward() -> None:
    w, x = leaf(2, 3), Tensor(np.ones((2, 3)))
    y = (w * x).sum()
    x *= 2
    with pytest.raises(InplaceError, match=r"shape \(2, 3\) needed by Mul for the backward "
                                           r"pass was modified in place.*x = x \* 2"):
        y.backward()


@pytest.mark.parametrize("update", [lambda t: t.__iadd__(1.0), lambda t: t.__isub__(1.0),
                                    lambda t: t.__imul__(2.0), lambda t: t.__itruediv__(2.0),
                                    lambda t: t.zero_(), lambda t: t.fill_(3.0)])
def test_inplace_change_of_a_saved_leaf_under_no_grad(update) -> None:
    w = leaf(3)
    y = w.exp().log().sum()  # Log saved exp's output; Exp saved its output
    with ag.no_grad():
        update(w)
    y.backward()  # w itself was not saved by any op: nothing to complain about
    z = (w * w).sum()
    with ag.no_grad():
        update(w)
    with pytest.raises(InplaceError, match="needed by Mul"):
        z.backward()


@pytest.mark.parametrize("symbol, update", [(r"\+", lambda t: t.__iadd__(1.0)),
                                            ("-", lambda t: t.__isub__(1.0)),
                                            (r"\*", lambda t: t.__imul__(2.0)),
                                            ("/", lambda t: t.__itruediv__(2.0))])
def test_inplace_on_a_tensor_requiring_grad(symbol, update) -> None:
    with pytest.raises(InplaceError, match=rf"on a leaf tensor that requires grad.*Write "
                                           rf"x = x {symbol} y.*no_grad"):
        update(leaf(3))
    w = leaf(3)  # a constant updated by a tensor that requires grad: recorded (PyTorch's)
    total = update(Tensor(np.ones(3))).__iadd__(w)
    total.sum().backward()
    np.testing.assert_array_equal(w.grad.data, np.ones(3))


def test_inplace_with_wrong_dtype_or_shape() -> None:
    with pytest.raises(DTypeError, match="cannot store the result in a int64 tensor"):
        Tensor(np.ones(3, dtype=np.int64)).__iadd__(0.5)
    with pytest.raises(ShapeError, match="in-place add"):
        Tensor(np.ones(3)).__iadd__(np.ones(4))


def test_writes_through_data_are_untracked() -> None:
    w, x = leaf(3), Tensor(np.ones(3))
    y = (w * x).sum()
    x.data[...] = 5.0  # the documented escape hatch: no version bump, no error
    y.backward()
    np.testing.assert_array_equal(w.grad.data, x.data)


def test_data_of_a_tensor_requiring_grad_stays_floating() -> None:
    with pytest.raises(DTypeError, match=".data must stay floating; got dtype int64"):
        leaf(3).data = np.arange(3)


def test_requires_grad_off_on_a_non_leaf_and_retain_grad_without_grad() -> None:
    with pytest.raises(UsageError, match=r"only be turned off on a leaf.*\.detach\(\)"):
        (leaf(2) * 2).requires_grad_(False)
    with pytest.raises(UsageError, match="retain_grad"):
        Tensor(np.ones(2)).retain_grad()


def test_grad_setter_checks_the_shape() -> None:
    x = leaf(2, 3)
    with pytest.raises(ShapeError, match=r"grad must have this tensor's shape \(2, 3\)"):
        x.grad = np.ones(3)


def test_item_of_a_tensor_with_many_elements() -> None:
    with pytest.raises(ag.UsageError, match=r"item\(\) needs a tensor with one element"):
        leaf(2).item()


# ------------------------------------------------------------------ found in review
def test_vjp_returning_a_python_number() -> None:
    class Twice(ag.Function):
        def forward(self, x):
            return x * 2

        def vjp(self, g, out, x):
            return (2.0,)  # wrong: a number, not an array of x's shape

    with pytest.raises(VJPError, match=r"Twice\.vjp returned a float for input 0.*\(3,\)"):
        Twice()(leaf(3)).sum().backward()


def test_forward_returning_none_or_a_tuple_is_refused() -> None:
    class Forgot(ag.Function):
        def forward(self, x):
            x * 2  # the return is missing

        def vjp(self, g, out, x):
            return (2 * g,)

    class Pair(ag.Function):
        def forward(self, x):
            return x, 2 * x  # two outputs: np.asarray stacked them silently

        def vjp(self, g, out, x):
            return (g,)

    with pytest.raises(UsageError, match=r"Forgot\.forward returned None.*return"):
        Forgot()(leaf(3))
    with pytest.raises(UsageError, match=r"Pair\.forward returned a tuple of 2.*one op per"):
        Pair()(leaf(3))


def test_clip_bounds_as_tensors() -> None:
    x = Tensor(np.array([-2.0, 0.5, 2.0], dtype=np.float32), requires_grad=True)
    y = ag.clip(x, Tensor(-1.0), Tensor(1.0))
    np.testing.assert_array_equal(y.data, np.clip(x.data, -1.0, 1.0))
    assert y.dtype == np.float32
    hi = Tensor(1.0, requires_grad=True)  # a bound that requires grad is an input now,
    ag.clip(x, None, hi).sum().backward()  # as PyTorch's clamp (it was a DTypeError)
    assert hi.grad.item() == 1.0 and x.grad.tolist() == [1.0, 1.0, 0.0]


def test_numpy_1_is_refused_with_a_clear_message() -> None:
    from autograd._numpy_version import check_numpy_version
    with pytest.raises(ImportError, match=r"needs NumPy >= 2.0, found 1.26.4.*pip install"):
        check_numpy_version("1.26.4")
    check_numpy_version("2.0.0")
    check_numpy_version("2.4.6")


def test_grad_without_outputs_or_inputs_is_named() -> None:
    x = leaf(3)
    for outputs, inputs, what in (((x * x).sum(), [], "inputs"), ((x * x).sum(), None, "inputs"),
                                  ([], x, "outputs"), ((x * x).sum(), {"x": x}, "inputs")):
        with pytest.raises(UsageError, match=f"grad: {what} must be a Tensor or a non-empty"):
            ag.grad(outputs, inputs)  # was: min() arg is an empty sequence, or 'input 0 unused'
    assert len(ag.grad((x * x).sum(), (t for t in [x]))) == 1  # any iterable, as parameters()


@pytest.mark.parametrize("value", [0.5, 1, True, [1.0, 2.0, 3.0], (1.0, 2.0, 3.0)])
def test_data_refuses_python_numbers_and_lists_that_would_change_its_dtype(value) -> None:
    w = Tensor(np.zeros(3, np.float32), requires_grad=True)
    with pytest.raises(UsageError, match=r"\.data takes an array or a Tensor.*t\.data\[\.\.\.\]"):
        w.data = value  # would be a float64 array (of shape () for a number): PyTorch refuses
    assert w.dtype == np.float32 and w.shape == (3,)
    w.data = np.ones(2, np.float32)  # an array replaces it, shape and dtype included
    assert w.shape == (2,)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_data_takes_the_numpy_scalar_of_a_0d_update(dtype) -> None:
    """p.data = p.data - lr * p.grad.data on a 0-d p (micrograd-style scalars) gives a
    NumPy scalar, not a Python number (np.float64 subclasses float): it is taken."""
    p = Tensor(np.asarray(2.0, dtype), requires_grad=True)
    (p * p).backward()
    p.data = p.data - 0.25 * p.grad.data
    assert p.dtype == dtype and p.shape == () and p.item() == 1.0


@pytest.mark.parametrize("dtype", [">f8", ">f4", ">i4", "<f8"])
def test_data_in_another_byte_order_becomes_the_machines(dtype: str) -> None:
    big = np.arange(3, dtype=dtype)  # as read from a big-endian file (IDX, FITS, ...)
    native = big.dtype.newbyteorder("=")
    for t in (Tensor(big), ag.tensor(big)):
        assert t.dtype == native and t.dtype.isnative
        np.testing.assert_array_equal(t.data, big)
    if native.kind == "f":  # it can require grad like any float data
        w = Tensor(big, requires_grad=True)
        (w * w).sum().backward()
        np.testing.assert_array_equal(w.grad.data, 2 * big)
