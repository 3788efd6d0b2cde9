"""F.unfold / F.fold and nn.Unfold / nn.Fold: values and gradients as torch 2.13's, fold as
unfold's adjoint, finite differences, and named errors for shapes that do not fit."""

import numpy as np
import pytest

import nn
import nn.functional as F
from autograd import Tensor, gradcheck, gradgradcheck
from autograd.errors import ShapeError
from nn.errors import ArgumentTypeError, ConfigError

from torch_compare_helpers import normal, run_both

CASES = [  # (image shape, kernel_size, dilation, padding, stride)
    ((2, 3, 5, 4), (2, 3), 1, 1, (2, 1)),
    ((1, 2, 6, 6), 3, 2, 0, 1),
    ((2, 1, 4, 5), (1, 2), (2, 1), (0, 1), (3, 2)),
    ((3, 4, 4), 2, 1, 0, 2),  # unbatched
    ((0, 2, 3, 3), 2, 1, 0, 1),  # an empty batch
]


def _kwargs(kernel, dilation, padding, stride):
    return dict(kernel_size=kernel, dilation=dilation, padding=padding, stride=stride)


@pytest.mark.parametrize("shape, kernel, dilation, padding, stride", CASES)
def test_unfold_and_fold_match_torch(shape, kernel, dilation, padding, stride):
    torch = pytest.importorskip("torch")
    kw = _kwargs(kernel, dilation, padding, stride)
    run_both(torch, lambda x: F.unfold(x, **kw),
             lambda x: torch.nn.functional.unfold(x, **kw), [normal(0, shape)])
    cols_shape = tuple(F.unfold(np.zeros(shape), **kw).shape)
    if 0 in cols_shape:
        return  # torch's fold refuses an empty batch
    run_both(torch, lambda c: F.fold(c, shape[-2:], **kw),
             lambda c: torch.nn.functional.fold(c, shape[-2:], **kw), [normal(1, cols_shape)])


@pytest.mark.parametrize("shape, kernel, dilation, padding, stride", CASES[:4])
def test_fold_is_the_adjoint_of_unfold(shape, kernel, dilation, padding, stride):
    kw = _kwargs(kernel, dilation, padding, stride)
    x = normal(2, shape)
    cols = F.unfold(x, **kw).data
    c = normal(3, cols.shape)
    back = F.fold(c, shape[-2:], **kw).data
    assert back.shape == shape
    np.testing.assert_allclose((cols * c).sum(), (x * back).sum(), rtol=1e-12)


def test_gradients_match_finite_differences():
    kw = _kwargs((2, 2), 1, 1, (2, 1))
    x = Tensor(normal(4, (1, 2, 3, 3)), requires_grad=True)
    assert gradcheck(lambda v: F.unfold(v, **kw) ** 2, [x])
    assert gradgradcheck(lambda v: F.unfold(v, **kw) ** 3, [x])
    c = Tensor(normal(5, F.unfold(x, **kw).shape), requires_grad=True)
    assert gradcheck(lambda v: F.fold(v, (3, 3), **kw) ** 2, [c])
    assert gradgradcheck(lambda v: F.fold(v, (3, 3), **kw) ** 3, [c])


def test_layers_call_the_functions_and_repr_as_torch():
    torch = pytest.importorskip("torch")
    pairs = [(nn.Unfold(2), torch.nn.Unfold(2)),
             (nn.Unfold((2, 3), dilation=2, padding=1, stride=2),
              torch.nn.Unfold((2, 3), dilation=2, padding=1, stride=2)),
             (nn.Fold((3, 4), 2, stride=(1, 2)), torch.nn.Fold((3, 4), 2, stride=(1, 2)))]
    for ours, theirs in pairs:
        assert repr(ours) == repr(theirs)
        assert list(ours.parameters()) == []
    x = normal(6, (2, 3, 5, 5))
    np.testing.assert_array_equal(pairs[1][0](x).data, F.unfold(
        x, (2, 3), dilation=2, padding=1, stride=2).data)
    c = normal(7, (2, 8, 4))
    np.testing.assert_array_equal(pairs[2][0](c).data, F.fold(c, (3, 4), 2, stride=(1, 2)).data)


@pytest.mark.parametrize("call, match", [
    (lambda: F.unfold(np.zeros((3, 5)), 2), "only 2-d images"),
    (lambda: F.unfold(np.zeros((1, 2, 3, 4, 5)), 2), "only 2-d images"),
    (lambda: F.unfold(np.zeros((2, 3, 2, 2)), 3), "holds no block"),
    (lambda: F.fold(np.zeros((2, 3, 12, 6)), (3, 4), 2), r"\(N, C\*kH\*kW, L\)"),
    (lambda: F.fold(np.zeros((2, 11, 6)), (3, 4), 2), "divisible by the kernel's size"),
    (lambda: F.fold(np.zeros((2, 12, 5)), (3, 4), 2), "one column per block: 2\\*3 = 6"),
    (lambda: F.fold(np.zeros((2, 12, 6)), (1, 4), 2), "holds no block"),
])
def test_shapes_that_do_not_fit_raise_shape_error(call, match):
    with pytest.raises(ShapeError, match=match):
        call()


@pytest.mark.parametrize("call, error, match", [
    (lambda: F.unfold(np.zeros((1, 1, 3, 3)), 0), ConfigError, "kernel_size must be >= 1"),
    (lambda: F.unfold(np.zeros((1, 1, 3, 3)), 2, stride=0), ConfigError, "stride"),
    (lambda: F.unfold(np.zeros((1, 1, 3, 3)), 2, padding=-1), ConfigError, "padding"),
    (lambda: F.unfold(np.zeros((1, 1, 3, 3)), (2, 2, 2)), ConfigError, "one int per"),
    (lambda: nn.Fold(3.5, 2), ArgumentTypeError, "output_size"),
    (lambda: nn.Unfold("2"), ArgumentTypeError, "kernel_size"),
])
def test_bad_arguments_raise_named_errors(call, error, match):
    with pytest.raises(error, match=match):
        call()
