"""PyTorch's ``index_put_(indices, values, accumulate=False)`` and ``index_put(...,
accumulate=)``: the dense form of ``sparse_coo_tensor(indices, values, size)``
(pytorch/examples' GCN builds its adjacency matrix so; repeated edges add up as coalescing
sums them). Values and gradients against PyTorch, and the in-place rules."""

import numpy as np
import pytest

import autograd as ag

RNG = np.random.default_rng(5)
ROWS, COLS = np.array([0, 2, 0, 1, 0]), np.array([1, 2, 1, 0, 3])  # (0, 1) three times


@pytest.mark.parametrize("accumulate", [True, False])
def test_index_put_in_place_gives_pytorch_s_matrix(torch, accumulate) -> None:
    rows, cols = (ROWS, COLS) if accumulate else (ROWS[1:4], COLS[1:4])  # distinct
    values = RNG.integers(1, 5, len(rows))
    made = []
    for lib in (ag, torch):
        adj = lib.zeros(3, 4, dtype=lib.int64)
        same = adj.index_put_((lib.tensor(rows), lib.tensor(cols)), lib.tensor(values),
                              accumulate=accumulate)
        assert same is adj
        made.append(adj.numpy())
    np.testing.assert_array_equal(*made)
    assert made[0].dtype == np.int64


def test_accumulate_adds_to_what_is_there_and_is_differentiable(torch) -> None:
    x, v, g = RNG.standard_normal((3, 4)), RNG.standard_normal(5), RNG.standard_normal((3, 4))
    grads = []
    for lib in (ag, torch):
        xs, vs = lib.tensor(x, requires_grad=True), lib.tensor(v, requires_grad=True)
        index = (lib.tensor(ROWS), lib.tensor(COLS))
        out = xs.index_put(index, vs, accumulate=True)
        inplace = (xs * 1).index_put_(index, vs * 2, accumulate=True)
        (out * lib.tensor(g)).sum().backward()
        (inplace * lib.tensor(g)).sum().backward()
        grads.append([out.detach().numpy(), inplace.detach().numpy(), xs.grad.numpy(),
                      vs.grad.numpy()])
    for ours, theirs in zip(*grads):
        np.testing.assert_allclose(ours, theirs, rtol=1e-12)
    same = ag.index_put(ag.tensor(x), (ROWS, COLS), ag.tensor(v), accumulate=True)
    np.testing.assert_allclose(same.numpy(), grads[0][0])


def test_index_put_in_place_on_a_leaf_that_requires_grad_is_refused(torch) -> None:
    with pytest.raises(RuntimeError, match="leaf"):
        torch.zeros(2, requires_grad=True).index_put_((torch.tensor([0]),), torch.tensor(1.0))
    with pytest.raises(ag.InplaceError, match="index_put"):
        ag.zeros(2, requires_grad=True).index_put_((ag.tensor([0]),), ag.tensor(1.0))
    w = ag.zeros(2, requires_grad=True)
    with ag.no_grad():
        w.index_put_((ag.tensor([1, 1]),), ag.tensor(1.5), accumulate=True)
    np.testing.assert_array_equal(w.detach().numpy(), [0.0, 3.0])
