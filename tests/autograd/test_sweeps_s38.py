"""Found by session 38's sweeps over torch.Tensor's methods and NumPy's functions: a
matrix's ``diag()`` was a view (a write into it changed the matrix; PyTorch's is a copy);
a bool tensor squared was int8 (sums wrapped at 128); a NumPy function whose first
argument was a number or a list next to a Tensor crashed with a bare AttributeError."""
import numpy as np
import pytest

import autograd as ag


def test_diag_of_a_matrix_is_a_copy_and_still_differentiable():
    m = ag.tensor(np.arange(9.0).reshape(3, 3), requires_grad=True)
    for d in (m.diag(), ag.diag(m), m.diag(1)):
        before = m.data.copy()
        with ag.no_grad():
            d[0] = -100.0
        np.testing.assert_array_equal(m.data, before)
    m.diag(1).sum().backward()
    np.testing.assert_array_equal(m.grad.data, np.eye(3, k=1))


@pytest.mark.parametrize("p", [0, 1, 2, 3, 7])
def test_a_bool_tensor_to_an_int_power_is_int64(p):
    b = ag.tensor([True, False])
    out = b ** p
    assert out.dtype == np.int64
    np.testing.assert_array_equal(out.data, np.array([1, 0 ** p], dtype=np.int64))
    assert (b.pow(p) * 100 + b.pow(p) * 100).tolist()[0] == 200  # no int8 wrap


@pytest.mark.parametrize("p", [True, False])
def test_a_bool_tensor_to_a_bool_power_is_bool(p):
    b = ag.tensor([True, False])
    out = b ** p
    assert out.dtype == np.bool_
    np.testing.assert_array_equal(out.data, np.array([True, False]) ** np.int64(p) != 0)


@pytest.mark.parametrize("call, expected", [
    (lambda t: np.dot(2.0, t), lambda a: np.dot(2.0, a)),
    (lambda t: np.dot([1.0, 2.0], t), lambda a: np.dot([1.0, 2.0], a)),
    (lambda t: np.clip(2.0, t, 3.0), lambda a: np.clip(2.0, a, 3.0)),
    (lambda t: np.outer([1.0, 2.0], t), lambda a: np.outer([1.0, 2.0], a)),
    (lambda t: np.tensordot([1.0, 2.0], t, 1), lambda a: np.tensordot([1.0, 2.0], a, 1)),
    (lambda t: np.linalg.solve([[2.0, 0.0], [1.0, 4.0]], t),
     lambda a: np.linalg.solve([[2.0, 0.0], [1.0, 4.0]], a)),
    (lambda t: np.average([1.0, 3.0], weights=t), lambda a: np.average([1.0, 3.0], weights=a)),
    (lambda t: np.diff([1.0, 3.0], prepend=t), lambda a: np.diff([1.0, 3.0], prepend=a)),
    (lambda t: np.einsum("i,i", [1.0, 2.0], t), lambda a: np.einsum("i,i", [1.0, 2.0], a)),
])
def test_numpy_functions_take_a_number_or_list_before_a_tensor(call, expected):
    a = np.array([1.5, 2.5])
    t = ag.tensor(a, requires_grad=True)
    out = call(t)
    assert isinstance(out, ag.Tensor)
    np.testing.assert_allclose(out.data, expected(a))
    out.sum().backward()
    eps, grad = 1e-6, np.zeros(2)
    for i in range(2):
        step = np.eye(2)[i] * eps
        grad[i] = (np.sum(expected(a + step)) - np.sum(expected(a - step))) / (2 * eps)
    np.testing.assert_allclose(t.grad.data, grad, atol=1e-6)


@pytest.mark.parametrize("op", ["add", "sub"])
def test_an_integer_add_refuses_a_fractional_alpha(op):
    a, b = ag.tensor([1, 2]), ag.tensor([3, 4])
    with pytest.raises(ag.errors.DTypeError, match="alpha=2.5 is not a whole number"):
        getattr(a, op)(b, alpha=2.5)
    sign = 1 if op == "add" else -1
    whole = getattr(a, op)(b, alpha=2.0)  # a whole float is the int, as in PyTorch
    assert whole.dtype == np.int64
    np.testing.assert_array_equal(whole.data, a.data + sign * 2 * b.data)
    mixed = getattr(ag.tensor([1.0, 2.0]), op)(b, alpha=2.5)  # a float result takes it
    np.testing.assert_allclose(mixed.data, np.array([1.0, 2.0]) + sign * 2.5 * b.data)


def test_hessian_names_itself_in_its_errors():
    from autograd import func
    with pytest.raises(ag.errors.UsageError, match="^hessian: the function drew random"):
        func.hessian(lambda x: (x ** 3).sum() + ag.randn(1).sum() * 0)(ag.tensor([1.0, 2.0]))


def test_focal_loss_mean_of_no_elements_is_nan_as_torchvisions():
    """torchvision's sigmoid_focal_loss takes loss.mean(): NaN for an empty batch (the
    README: "mean" over no elements is NaN in every loss); its box losses give 0."""
    from nn.ops import generalized_box_iou_loss, sigmoid_focal_loss
    x, t = ag.zeros((0, 3)), ag.zeros((0, 3))
    assert np.isnan(sigmoid_focal_loss(x, t, reduction="mean").item())
    assert sigmoid_focal_loss(x, t, reduction="sum").item() == 0.0
    boxes = ag.zeros((0, 4))
    assert generalized_box_iou_loss(boxes, boxes, reduction="mean").item() == 0.0
