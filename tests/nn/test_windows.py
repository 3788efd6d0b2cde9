"""The windows op behind convolution and pooling: im2col's values, col2im as its adjoint,
both differentiable to second order, and one recorded op per call."""

import numpy as np
import pytest

import autograd
from autograd import Tensor
from autograd.errors import ShapeError
from nn.functional.windows import Col2im, Im2col, col2im, im2col

CASES = [  # (input shape, kernel, stride, dilation)
    ((2, 3, 7, 6), (2, 3), (2, 1), (2, 1)),
    ((1, 2, 5), (3,), (1,), (1,)),
    ((2, 1, 4, 5), (1, 1), (3, 2), (1, 1)),
    ((1, 2, 6, 6), (3, 3), (1, 1), (1, 1)),
]


@pytest.mark.parametrize("shape, kernel, stride, dilation", CASES)
def test_im2col_picks_every_window(shape, kernel, stride, dilation):
    x = np.random.default_rng(0).normal(size=shape)
    cols = im2col(Tensor(x), kernel, stride, dilation).data
    dims = len(kernel)
    out = cols.shape[2 + dims:]
    for tap in np.ndindex(*kernel):
        for window in np.ndindex(*out):
            where = tuple(p * s + i * d for p, s, i, d in zip(window, stride, tap, dilation))
            np.testing.assert_array_equal(cols[(slice(None), slice(None)) + tap + window],
                                          x[(slice(None), slice(None)) + where])
    assert cols.flags.writeable and not np.shares_memory(cols, x)


@pytest.mark.parametrize("shape, kernel, stride, dilation", CASES)
def test_col2im_is_the_adjoint_of_im2col(shape, kernel, stride, dilation):
    rng = np.random.default_rng(1)
    x = rng.normal(size=shape)
    cols = im2col(Tensor(x), kernel, stride, dilation)
    c = rng.normal(size=cols.shape)
    back = col2im(Tensor(c), shape, stride, dilation)
    assert back.shape == shape
    np.testing.assert_allclose((cols.data * c).sum(), (x * back.data).sum(), rtol=1e-12)


@pytest.mark.parametrize("shape, kernel, stride, dilation", CASES[:3])
def test_both_ops_are_differentiable_to_second_order(shape, kernel, stride, dilation):
    rng = np.random.default_rng(2)
    x = Tensor(rng.normal(size=shape), requires_grad=True)
    assert autograd.gradcheck(lambda x: im2col(x, kernel, stride, dilation) ** 2, [x])
    assert autograd.gradgradcheck(lambda x: im2col(x, kernel, stride, dilation) ** 2, [x])
    cols = Tensor(rng.normal(size=im2col(x, kernel, stride, dilation).shape),
                  requires_grad=True)
    assert autograd.gradcheck(lambda c: col2im(c, shape, stride, dilation) ** 2, [cols])
    assert autograd.gradgradcheck(lambda c: col2im(c, shape, stride, dilation) ** 2, [cols])


def test_each_call_records_one_op_and_its_vjp_is_the_other():
    x = Tensor(np.random.default_rng(3).normal(size=(1, 1, 4, 4)), requires_grad=True)
    cols = im2col(x, (2, 2), (1, 1), (1, 1))
    assert isinstance(cols.grad_fn, Im2col) and cols.grad_fn.parents == (x,)
    (gx,) = autograd.grad((cols ** 2).sum() / 2, [x], create_graph=True)
    assert isinstance(gx.grad_fn, Col2im)  # the gradient, x times its window count, as an op
    # each input entry is in 1, 2, 2, 1 windows along each axis
    np.testing.assert_allclose(gx.data[0, 0], x.data[0, 0] * np.outer([1, 2, 2, 1],
                                                                      [1, 2, 2, 1]))


def test_col2im_refuses_windows_that_do_not_fit():
    with pytest.raises(ShapeError, match=r"col2im: windows of shape .* do not fit"):
        col2im(Tensor(np.ones((2, 3, 2, 3, 2, 4))), (2, 3, 7, 6), (2, 1), (2, 1))
