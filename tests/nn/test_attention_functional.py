"""F.scaled_dot_product_attention against PyTorch (values and gradients, masks, causal,
scale, broadcasting, grouped heads), by finite differences to second order, its dropout
generator, and its errors."""

import numpy as np
import pytest

import nn
import nn.functional as F
from autograd import Tensor, gradcheck, gradgradcheck
from autograd.errors import DTypeError, ShapeError
from nn.errors import ArgumentTypeError, ConfigError
from nn.functional.attention import attention_weights
from torch_compare_helpers import normal, run_both


def _bool_mask(shape, seed=0, empty_row=None):
    mask = np.random.default_rng(seed).random(shape) > 0.4
    if empty_row is not None:
        mask[..., empty_row, :] = False  # a query that may attend to nothing
    return mask


def _float_mask(shape, seed=0):
    mask = normal(seed, shape)
    mask[..., 1, :] = -np.inf  # a whole row excluded
    mask[..., 0, :2] = -np.inf
    return mask


CASES = {
    "plain": ((2, 3, 4, 5), (2, 3, 6, 5), (2, 3, 6, 7), {}),
    "two_axes": ((4, 5), (6, 5), (6, 3), {}),
    "broadcast_batch": ((2, 3, 4, 5), (3, 6, 5), (1, 3, 6, 2), {}),
    "causal": ((2, 5, 3), (2, 5, 3), (2, 5, 4), {"is_causal": True}),
    "causal_longer_keys": ((2, 3, 4), (2, 6, 4), (2, 6, 4), {"is_causal": True}),
    "causal_longer_queries": ((6, 4), (3, 4), (3, 2), {"is_causal": True}),
    "scale": ((2, 4, 5), (2, 6, 5), (2, 6, 7), {"scale": 0.3}),
    "bool_mask": ((2, 4, 5), (2, 6, 5), (2, 6, 3), {"attn_mask": _bool_mask((4, 6), 1)}),
    "bool_mask_empty_row": ((2, 4, 5), (2, 6, 5), (2, 6, 3),
                            {"attn_mask": _bool_mask((2, 4, 6), 2, empty_row=1)}),
    "float_mask": ((2, 4, 5), (2, 6, 5), (2, 6, 3), {"attn_mask": normal(3, (4, 6))}),
    "float_mask_inf_rows": ((2, 4, 5), (2, 6, 5), (2, 6, 3),
                            {"attn_mask": _float_mask((2, 4, 6))}),
    "gqa": ((1, 4, 3, 5), (1, 2, 6, 5), (1, 2, 6, 3), {"enable_gqa": True}),
}


@pytest.mark.parametrize("case", CASES)
def test_matches_torch_values_and_gradients(case):
    torch = pytest.importorskip("torch")
    q_shape, k_shape, v_shape, kwargs = CASES[case]
    theirs = {k: torch.tensor(v) if isinstance(v, np.ndarray) else v for k, v in kwargs.items()}
    run_both(torch, lambda q, k, v: F.scaled_dot_product_attention(q, k, v, **kwargs),
             lambda q, k, v: torch.nn.functional.scaled_dot_product_attention(q, k, v,
                                                                             **theirs),
             [normal(0, q_shape), normal(1, k_shape), normal(2, v_shape)])


def test_a_float_mask_gets_torchs_gradient_too():
    torch = pytest.importorskip("torch")
    run_both(torch, lambda q, k, v, m: F.scaled_dot_product_attention(q, k, v, m),
             torch.nn.functional.scaled_dot_product_attention,
             [normal(0, (2, 4, 5)), normal(1, (2, 6, 5)), normal(2, (2, 6, 3)),
              normal(3, (4, 6))])


@pytest.mark.parametrize("kwargs", [{}, {"is_causal": True},
                                    {"attn_mask": _bool_mask((3, 4), 4, empty_row=2)},
                                    {"attn_mask": _float_mask((3, 4), 5)}])
def test_gradients_match_finite_differences_to_second_order(kwargs):
    inputs = [Tensor(normal(s, shape), requires_grad=True)
              for s, shape in ((0, (2, 3, 3)), (1, (2, 4, 3)), (2, (2, 4, 2)))]

    def fn(q, k, v):
        return F.scaled_dot_product_attention(q, k, v, **kwargs)

    assert gradcheck(fn, inputs)
    assert gradgradcheck(fn, inputs)


def test_a_query_that_may_attend_to_nothing_gets_zeros_and_zero_gradients():
    q, k, v = (Tensor(normal(s, (3, 4)), requires_grad=True) for s in range(3))
    mask = np.ones((3, 3), bool)
    mask[1] = False
    y = F.scaled_dot_product_attention(q, k, v[:3], mask)
    y.backward(Tensor(normal(7, y.shape)))
    assert np.all(np.isfinite(y.data)) and np.all(y.data[1] == 0)
    assert np.all(q.grad.data[1] == 0) and np.all(np.isfinite(k.grad.data))
    weights = attention_weights(q, k, mask)
    np.testing.assert_array_equal(weights.data[1], 0.0)
    np.testing.assert_allclose(weights.data[[0, 2]].sum(-1), 1.0)


def test_dropout_draws_from_the_generator_given_or_nns_default():
    q, k, v = normal(0, (2, 4, 3)), normal(1, (2, 5, 3)), normal(2, (2, 5, 6))
    weights = attention_weights(q, k).data
    expected = F.dropout(weights, 0.4, generator=np.random.default_rng(3)).data @ v
    got = F.scaled_dot_product_attention(q, k, v, dropout_p=0.4,
                                         generator=np.random.default_rng(3))
    np.testing.assert_allclose(got.data, expected, rtol=1e-13)
    nn.manual_seed(5)
    first = F.scaled_dot_product_attention(q, k, v, dropout_p=0.4).data
    nn.manual_seed(5)
    np.testing.assert_array_equal(F.scaled_dot_product_attention(q, k, v, dropout_p=0.4).data,
                                  first)
    assert not np.allclose(first, weights @ v)
    zeros = F.scaled_dot_product_attention(q, k, v, dropout_p=1.0, generator=0)
    np.testing.assert_array_equal(zeros.data, 0.0)


def test_float32_stays_float32():
    q, k, v = (normal(s, (2, 3, 4)).astype(np.float32) for s in range(3))
    assert F.scaled_dot_product_attention(q, k, v).dtype == np.float32
    assert F.scaled_dot_product_attention(q, k, v, normal(4, (3, 3))).dtype == np.float32
    mask = nn.generate_square_subsequent_mask(3)  # a float64 Tensor
    assert F.scaled_dot_product_attention(q, k, v, mask).dtype == np.float32


def test_errors_are_named():
    q, k, v = normal(0, (2, 3, 4)), normal(1, (2, 5, 4)), normal(2, (2, 5, 6))
    sdpa = F.scaled_dot_product_attention
    with pytest.raises(ConfigError, match="not both"):
        sdpa(q, k, v, np.ones((3, 5), bool), is_causal=True)
    with pytest.raises(DTypeError, match="boolean .* or floating"):
        sdpa(q, k, v, np.ones((3, 5), int))
    with pytest.raises(ShapeError, match="does not broadcast to the scores' shape"):
        sdpa(q, k, v, np.ones((3, 4), bool))
    with pytest.raises(ShapeError, match="same last axis"):
        sdpa(q, k[..., :3], v)
    with pytest.raises(ShapeError, match="same number of rows"):
        sdpa(q, k, v[:, :4])
    with pytest.raises(ShapeError, match="at least 2 axes"):
        sdpa(q[0, 0], k[0], v[0])
    with pytest.raises(ShapeError, match="do not broadcast"):
        sdpa(normal(0, (3, 3, 4)), k, v)
    with pytest.raises(ShapeError, match="multiple of the key/value heads"):
        sdpa(normal(0, (3, 3, 4)), normal(1, (2, 5, 4)), normal(2, (2, 5, 4)),
             enable_gqa=True)
    with pytest.raises(ConfigError, match="dropout_p"):
        sdpa(q, k, v, dropout_p=1.5)
    with pytest.raises(ArgumentTypeError, match="is_causal"):
        sdpa(q, k, v, is_causal=1)


def test_a_mask_written_as_a_python_bool_list_is_boolean() -> None:
    """``Tensor([[True, False], ...])`` is a bool mask (as NumPy's and PyTorch's), not a
    0/1 float mask that would be added to the scores (it was float64)."""
    rng = np.random.default_rng(3)
    q, k, v = rng.standard_normal((2, 4)), rng.standard_normal((3, 4)), rng.standard_normal((3, 2))
    rows = [[True, False, True], [False, True, True]]
    got = F.scaled_dot_product_attention(q, k, v, attn_mask=Tensor(rows))
    want = F.scaled_dot_product_attention(q, k, v, attn_mask=np.array(rows))
    np.testing.assert_array_equal(got.data, want.data)
