"""Max pooling's fused op (``nn/functional/window_max.py``): one graph node per pool, and
gradients to second order against finite differences with overlapping, dilated, padded
and ceil_mode windows (ties and the padding rule are checked against PyTorch in
``tests/nn/test_pooling.py``)."""
from __future__ import annotations

import numpy as np
import pytest

import nn
import nn.functional as F
from autograd import Tensor, gradcheck, gradgradcheck
from autograd.viz import topological_order


def _names(y: Tensor) -> list[str]:
    return [t.grad_fn.name() for t in topological_order([y]) if t.grad_fn is not None]


def test_a_max_pool_is_one_node() -> None:
    x = Tensor(np.random.default_rng(0).standard_normal((2, 3, 6, 6)), requires_grad=True)
    assert _names(nn.MaxPool2d(2)(x)) == ["WindowMax"]
    assert _names(F.max_pool2d(x, 3, stride=2, padding=1, return_indices=True)[0]) == [
        "WindowMax"]


@pytest.mark.parametrize("kwargs", [dict(kernel_size=2),
                                    dict(kernel_size=3, stride=2, padding=1, ceil_mode=True),
                                    dict(kernel_size=(2, 3), stride=1, dilation=2,
                                         padding=(1, 1))])
def test_gradients_to_second_order(kwargs: dict) -> None:
    rng = np.random.default_rng(1)
    x = Tensor(rng.permutation(2 * 2 * 7 * 6).reshape(2, 2, 7, 6) / 10.0,  # no ties
               requires_grad=True)
    assert gradcheck(lambda x: F.max_pool2d(x, **kwargs), [x])
    assert gradgradcheck(lambda x: F.max_pool2d(x, **kwargs) ** 2, [x])


def test_one_and_three_spatial_axes() -> None:
    rng = np.random.default_rng(2)
    line = Tensor(rng.permutation(2 * 9).reshape(1, 2, 9) / 4.0, requires_grad=True)
    assert gradcheck(lambda x: F.max_pool1d(x, 3, stride=2, padding=1), [line])
    cube = Tensor(rng.permutation(2 * 4 * 4 * 4).reshape(1, 2, 4, 4, 4) / 8.0,
                  requires_grad=True)
    assert gradcheck(lambda x: F.max_pool3d(x, 2), [cube])
