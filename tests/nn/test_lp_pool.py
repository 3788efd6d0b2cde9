"""F.lp_pool1d/2d/3d and nn.LPPool1d/2d/3d: values and gradients as torch 2.13's (also its
NaN for a negative window sum and its zero gradient where a window's sum is 0), finite
differences, reprs, and named errors."""

import numpy as np
import pytest

import nn
import nn.functional as F
from autograd import Tensor, gradcheck
from nn.errors import ArgumentTypeError, ConfigError

from torch_compare_helpers import normal, run_both

CASES = [  # (dims, input shape, norm_type, kernel_size, stride, ceil_mode)
    (1, (2, 3, 7), 2, 3, None, False),
    (1, (3, 7), 1.5, 2, 1, True),
    (2, (2, 2, 5, 4), 3, (2, 3), (2, 1), False),
    (2, (2, 5, 5), 2.5, 2, None, True),
    (2, (1, 2, 4, 4), -2, 2, 1, False),
    (2, (1, 2, 4, 5), float("inf"), 2, None, True),
    (2, (1, 2, 4, 5), -float("inf"), (2, 1), 1, False),
    (3, (1, 2, 3, 4, 3), 2, 2, 1, False),
    (3, (2, 3, 3, 3), 1, (1, 2, 2), None, True),
]


def _both(torch, dims, p, kernel, stride, ceil_mode):
    ours, theirs = getattr(F, f"lp_pool{dims}d"), getattr(torch.nn.functional,
                                                           f"lp_pool{dims}d")
    return (lambda x: ours(x, p, kernel, stride, ceil_mode),
            lambda x: theirs(x, p, kernel, stride, ceil_mode))


@pytest.mark.parametrize("dims, shape, p, kernel, stride, ceil_mode", CASES)
def test_positive_inputs_match_torch(dims, shape, p, kernel, stride, ceil_mode):
    torch = pytest.importorskip("torch")
    x = np.abs(normal(0, shape)) + 0.1
    run_both(torch, *_both(torch, dims, p, kernel, stride, ceil_mode), [x])


@pytest.mark.filterwarnings("ignore::RuntimeWarning")  # NaN from a negative base, as torch
@pytest.mark.parametrize("p", [1, 2, 3, 1.5, float("inf")])
def test_negative_inputs_and_zero_sums_match_torch(p):
    torch = pytest.importorskip("torch")
    x = np.array([[[-1.0, 1.0, 2.0, -2.0, 0.0, 0.0, -1.0, -2.0, 3.0, 0.5]]])
    run_both(torch, *_both(torch, 1, p, 2, None, False), [x])
    run_both(torch, *_both(torch, 2, p, 2, 1, False), [normal(1, (1, 2, 3, 3))])


def test_a_window_whose_sum_is_zero_gets_a_zero_gradient():
    x = Tensor(np.array([[[0.0, 0.0, 1.0, 2.0]]]), requires_grad=True)
    F.lp_pool1d(x, 2, 2).sum().backward()
    assert np.isfinite(x.grad).all() and (x.grad[0, 0, :2] == 0).all()


def test_gradients_match_finite_differences():
    x = Tensor(np.abs(normal(2, (1, 2, 3, 4))) + 0.2, requires_grad=True)
    assert gradcheck(lambda v: F.lp_pool2d(v, 3, (2, 2), 1), [x])
    y = Tensor(np.abs(normal(3, (1, 1, 2, 3, 3))) + 0.2, requires_grad=True)
    assert gradcheck(lambda v: F.lp_pool3d(v, 1.5, 2, 1, True), [y])


def test_float32_stays_float32():
    x = np.abs(normal(4, (1, 2, 4, 4))).astype(np.float32)
    assert F.lp_pool2d(x, 2, 2).dtype == np.float32


@pytest.mark.parametrize("dims", [1, 2, 3])
def test_layers_call_the_functions_and_repr_as_torch(dims):
    torch = pytest.importorskip("torch")
    name = f"LPPool{dims}d"
    for args, kwargs in [((2, 2), {}), ((1.5, 2), dict(stride=1, ceil_mode=True))]:
        ours, theirs = getattr(nn, name)(*args, **kwargs), getattr(torch.nn, name)(*args,
                                                                                  **kwargs)
        assert repr(ours) == repr(theirs)
    x = np.abs(normal(5, (1, 2) + (4,) * dims))
    np.testing.assert_array_equal(ours(x).data, getattr(F, f"lp_pool{dims}d")(
        x, 1.5, 2, 1, True).data)
    assert list(ours.parameters()) == []


@pytest.mark.parametrize("call, error, match", [
    (lambda: F.lp_pool2d(np.ones((1, 1, 4, 4)), 0, 2), ConfigError, "other than 0"),
    (lambda: F.lp_pool2d(np.ones((1, 1, 4, 4)), float("nan"), 2), ConfigError, "NaN"),
    (lambda: nn.LPPool1d("2", 2), ArgumentTypeError, "norm_type"),
    (lambda: nn.LPPool2d(2, 0), ConfigError, "kernel_size"),
    (lambda: nn.LPPool3d(2, 2, ceil_mode=1), ArgumentTypeError, "ceil_mode"),
    (lambda: F.lp_pool1d(np.ones((1, 1, 4)), 2, (2, 2)), ConfigError, "kernel_size"),
])
def test_bad_arguments_raise_named_errors(call, error, match):
    with pytest.raises(error, match=match):
        call()
