"""The convolution's fused product over the windows (``nn/functional/window_product.py``):
one node per convolution after its im2col, the same values as the composition it
replaces, and (with groups and a bias) gradients to second order. ``tests/nn/test_conv.py``
checks the convolutions built on it against PyTorch."""
from __future__ import annotations

import numpy as np

import nn
from autograd import Tensor, gradcheck, gradgradcheck
from autograd.viz import topological_order
from nn.functional.window_product import WindowProduct
from nn.functional.windows import im2col


def _nodes(y: Tensor) -> list[str]:
    return [t.grad_fn.name() for t in topological_order([y]) if t.grad_fn is not None]


def test_a_convolution_records_im2col_and_one_product() -> None:
    x = Tensor(np.random.default_rng(0).standard_normal((2, 3, 6, 6)), requires_grad=True)
    assert _nodes(nn.Conv2d(3, 4, 3)(x)) == ["Im2col", "WindowProduct"]


def test_equals_the_composition_with_groups_and_bias() -> None:
    rng = np.random.default_rng(1)
    x = Tensor(rng.standard_normal((2, 4, 5, 5)), requires_grad=True)
    w = Tensor(rng.standard_normal((6, 2, 3, 2)), requires_grad=True)
    b = Tensor(rng.standard_normal(6), requires_grad=True)
    cols = im2col(x, (3, 2), (1, 1), (1, 1))  # (2, 4, 3, 2, 3, 4)
    fused = WindowProduct.apply(cols, w, b, groups=2)
    matrices = cols.reshape(2, 2, 2 * 3 * 2, 3 * 4)
    composed = (w.reshape(2, 3, -1) @ matrices).reshape(2, 6, 3, 4) + b.reshape(6, 1, 1)
    np.testing.assert_allclose(fused.data, composed.data, rtol=1e-13, atol=1e-14)
    assert gradcheck(lambda c, w, b: WindowProduct.apply(c, w, b, groups=2),
                     [cols.detach().requires_grad_(), w, b])
    assert gradgradcheck(lambda c, w, b: WindowProduct.apply(c, w, b, groups=2),
                         [cols.detach().requires_grad_(), w, b])
