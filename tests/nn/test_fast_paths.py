"""The speed-motivated choices keep the math: Linear's F-ordered weight, the fused L2
penalty and the BCE-with-logits sigmoid (see benchmarks/README.md for what they buy)."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import nn
import nn.functional as F
from autograd import Tensor, gradcheck, gradgradcheck


def test_linear_keeps_pytorchs_shape_and_stores_the_weight_in_f_order() -> None:
    layer = nn.Linear(5, 3, rng=0)
    assert layer.weight.shape == (3, 5) and layer.weight.data.flags.f_contiguous
    assert layer.state_dict()["weight"].shape == (3, 5)
    layer(Tensor(np.ones((4, 5)))).sum().backward()
    assert layer.weight.grad.data.flags.f_contiguous  # no strided optimizer update


@pytest.mark.parametrize("order", ["C", "F"])
def test_affine_gradients_in_either_memory_order(order: str) -> None:
    rng = np.random.default_rng(0)
    x = Tensor(rng.standard_normal((4, 5)), requires_grad=True)
    w = Tensor(np.array(rng.standard_normal((3, 5)), order=order), requires_grad=True)
    b = Tensor(rng.standard_normal(3), requires_grad=True)
    assert gradcheck(F.linear, [x, w, b])
    assert gradgradcheck(F.linear, [x, w, b])


@pytest.mark.parametrize("optimizer", [nn.optim.SGD, nn.optim.Adam])
def test_optimizer_updates_keep_the_weight_order_and_match_a_c_ordered_copy(optimizer) -> None:
    f_layer, c_layer = nn.Linear(6, 4, rng=1), nn.Linear(6, 4, rng=1)
    c_layer.weight.data = np.ascontiguousarray(c_layer.weight.data)
    x = Tensor(np.random.default_rng(2).standard_normal((3, 6)))
    for layer in (f_layer, c_layer):
        opt = optimizer(layer.parameters(), lr=0.1)
        for _ in range(3):
            opt.zero_grad()
            (layer(x) ** 2).sum().backward()
            opt.step()
    assert f_layer.weight.data.flags.f_contiguous
    np.testing.assert_allclose(f_layer.weight.data, c_layer.weight.data, rtol=1e-12)


def test_l2_penalty_is_one_node_with_the_gradients_of_its_definition() -> None:
    rng = np.random.default_rng(3)
    params = [Tensor(rng.standard_normal(s), requires_grad=True) for s in [(3, 2), (2,), ()]]
    fortran = Tensor(np.asfortranarray(rng.standard_normal((2, 3))), requires_grad=True)
    params.append(fortran)
    penalty = F.l2_penalty(params, 0.3)
    assert all(parent.grad_fn is None for parent in penalty.grad_fn.parents)  # one node
    expected = 0.3 * sum(float((p.data ** 2).sum()) for p in params)
    np.testing.assert_allclose(penalty.item(), expected, rtol=1e-12)
    assert gradcheck(lambda *ps: F.l2_penalty(ps, 0.3), params)
    assert gradgradcheck(lambda *ps: F.l2_penalty(ps, 0.3), params)


def test_l2_penalty_over_mixed_dtypes_gives_each_parameter_its_own_dtype() -> None:
    w32 = Tensor(np.ones((2, 2), np.float32), requires_grad=True)
    w64 = Tensor(np.ones(3), requires_grad=True)
    penalty = F.l2_penalty([w32, w64], 0.5)
    assert penalty.dtype == np.float64
    penalty.backward()
    assert w32.grad.dtype == np.float32 and w64.grad.dtype == np.float64
    np.testing.assert_array_equal(w32.grad.data, np.full((2, 2), 1.0, np.float32))
    assert F.l2_penalty([w32], 0.5).dtype == np.float32


def test_bce_with_logits_gradient_at_huge_logits_is_exact_and_silent() -> None:
    z = Tensor(np.array([-1e4, -800.0, -30.0, 0.0, 30.0, 1e4]), requires_grad=True)
    y = np.array([0.0, 1.0, 0.0, 1.0, 0.0, 1.0])
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # the overflow of e^-z must not leak a warning
        F.binary_cross_entropy_with_logits(z, y, reduction="sum").backward()
    sigmoid = np.array([0.0, 0.0, np.exp(-30.0) / (1 + np.exp(-30.0)), 0.5,
                        1 / (1 + np.exp(-30.0)), 1.0])
    np.testing.assert_allclose(z.grad.data, sigmoid - y, rtol=1e-15, atol=0)
