"""Whether an op's input gets a gradient is decided when the op runs, as PyTorch records
its graph: a parameter frozen (``requires_grad = False``) during a forward pass and
unfrozen before ``backward()`` gets no gradient (DreamerV2's ``FreezeParameters`` around
its imagination rollouts relies on it: the actor's loss flows through the world model
without training it). A leaf frozen after the forward gets none either (PyTorch checks
both times). The gradients that do flow are compared with PyTorch's."""

import numpy as np
import pytest

import autograd as ag
import nn


def _gradients(lib, layers, freeze_during_forward: bool, freeze_after: bool):
    """Gradients of w (a Linear's weight), of the input x, and of the layer after it."""
    torch_like = lib.nn if lib is not ag else nn
    first, second = (torch_like.Linear(3, 3) for _ in range(2))
    for layer, (weight, bias) in zip((first, second), layers):
        layer.load_state_dict({"weight": lib.tensor(weight), "bias": lib.tensor(bias)})
    x = lib.tensor(np.linspace(-1.0, 1.0, 6).reshape(2, 3), requires_grad=True)
    if freeze_during_forward:
        for p in first.parameters():
            p.requires_grad = False
    loss = second(lib.tanh(first(x))).pow(2).sum()
    for p in first.parameters():
        p.requires_grad = not freeze_after
    loss.backward()
    return ([None if p.grad is None else p.grad.numpy() for p in first.parameters()],
            x.grad.numpy(), [p.grad.numpy() for p in second.parameters()])


@pytest.mark.parametrize("during, after", [(True, False), (False, True), (False, False)])
def test_gradients_follow_the_flag_at_forward_and_backward_as_pytorch(torch, during, after):
    rng = np.random.default_rng(0)
    layers = [(rng.standard_normal((3, 3)), rng.standard_normal(3)) for _ in range(2)]
    theirs = _gradients(torch, layers, during, after)
    ours = _gradients(ag, layers, during, after)
    for mine, want in zip(ours[0], theirs[0]):
        assert (mine is None) == (want is None)
        if want is not None:
            np.testing.assert_allclose(mine, want, rtol=1e-12)
    np.testing.assert_allclose(ours[1], theirs[1], rtol=1e-12)
    for mine, want in zip(ours[2], theirs[2]):
        np.testing.assert_allclose(mine, want, rtol=1e-12)


def test_a_flag_set_after_the_forward_gives_no_gradient():
    """Two-input and one-input ops alike: the leaf that did not require grad when the op
    ran gets none; needs_input_grad reads the flags the op saw."""
    w = ag.ones(2)
    x = ag.ones(2, requires_grad=True)
    product, exponential = w * x, ag.exp(w) * x
    w.requires_grad = True
    assert product.grad_fn.needs_input_grad == (False, True)
    (product.sum() + exponential.sum()).backward()
    assert w.grad is None
    np.testing.assert_allclose(x.grad.numpy(), 1 + np.e)


def test_next_functions_show_the_edges_the_op_recorded(torch):
    """``grad_fn.next_functions``: no ``AccumulateGrad`` for a leaf that did not require
    grad when the op ran, though it does now, as PyTorch's."""
    kinds = []
    for lib in (torch, ag):
        w, x = lib.ones(2), lib.ones(2, requires_grad=True)
        y = w * x
        w.requires_grad = True
        kinds.append([None if node is None else type(node).__name__
                      for node, _ in y.grad_fn.next_functions])
    assert kinds[1] == kinds[0] == [None, "AccumulateGrad"]
