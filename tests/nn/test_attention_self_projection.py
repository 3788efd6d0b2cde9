"""``nn.MultiheadAttention`` on self-attention (one tensor as query, key and value)
projects once with all of ``in_proj_weight``, as PyTorch does: one ``Affine`` node
where three were, with the same output and gradients as the three projections that
separate (equal) tensors take."""
from __future__ import annotations

import numpy as np

import autograd as ag
import nn
from autograd import Tensor
from autograd.viz import topological_order


def _affines(y: Tensor) -> int:
    return sum(1 for t in topological_order([y]) if t.grad_fn is not None
               and t.grad_fn.name() == "Affine")


def test_self_attention_projects_once_with_the_same_result() -> None:
    rng = np.random.default_rng(0)
    attention = nn.MultiheadAttention(8, 2, batch_first=True, rng=rng)
    data = rng.standard_normal((3, 5, 8))
    x = Tensor(data, requires_grad=True)
    same, _ = attention(x, x, x)
    assert _affines(same) == 2  # the joint projection and out_proj
    copies = [Tensor(data, requires_grad=True) for _ in range(3)]
    separate, _ = attention(*copies)
    assert _affines(separate) == 4
    np.testing.assert_allclose(same.data, separate.data, rtol=1e-12, atol=1e-14)
    seed = Tensor(rng.standard_normal(same.shape))
    grads_same = ag.grad(same, [x, attention.in_proj_weight, attention.in_proj_bias], seed)
    grads_separate = ag.grad(separate, copies + [attention.in_proj_weight,
                                                 attention.in_proj_bias], seed)
    np.testing.assert_allclose(grads_same[0].data, sum(g.data for g in grads_separate[:3]),
                               rtol=1e-12, atol=1e-13)
    for got, want in zip(grads_same[1:], grads_separate[3:]):
        np.testing.assert_allclose(got.data, want.data, rtol=1e-12, atol=1e-13)


def test_sequence_first_and_unbatched_self_attention_project_once_too() -> None:
    """batch_first=False swaps the axes of query, key and value, and an unbatched input
    gains a batch axis: one tensor for all three stays one, so the joint projection
    still applies (it did not for (L, N, E), TransformerEncoderLayer's default)."""
    rng = np.random.default_rng(1)
    attention = nn.MultiheadAttention(8, 2, rng=rng)  # batch_first=False
    for shape in ((5, 3, 8), (5, 8)):  # (L, N, E), and one sequence (L, E)
        data = rng.standard_normal(shape)
        x = Tensor(data, requires_grad=True)
        same, _ = attention(x, x, x)
        assert _affines(same) == 2
        separate, _ = attention(*[Tensor(data) for _ in range(3)])
        np.testing.assert_allclose(same.data, separate.data, rtol=1e-12, atol=1e-14)
