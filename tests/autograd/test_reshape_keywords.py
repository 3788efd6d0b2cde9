"""``x.reshape(shape=...)`` and ``x.view(size=...)``: PyTorch's keyword spellings (MAE's
``patchify`` writes ``imgs.reshape(shape=(N, 1, h, p, w, p))``), same values and gradients
as PyTorch; a shape given both ways is refused (a TypeError), as PyTorch refuses it."""

import numpy as np
import pytest

import autograd as ag


@pytest.mark.parametrize("call", [
    lambda x: x.reshape(shape=(3, 2, 4)),
    lambda x: x.reshape(shape=[4, -1]),
    lambda x: x.view(size=(6, 4)),
    lambda x: x.view(size=[-1]),
])
def test_shape_keywords_match_pytorch(torch, call):
    data = np.random.default_rng(0).standard_normal((2, 3, 4))
    ours, theirs = ag.tensor(data, requires_grad=True), torch.tensor(data, requires_grad=True)
    a, b = call(ours), call(theirs)
    assert a.shape == tuple(b.shape)
    np.testing.assert_array_equal(a.detach().numpy(), b.detach().numpy())
    g = np.random.default_rng(1).standard_normal(a.shape)
    a.backward(ag.tensor(g))
    b.backward(torch.tensor(g))
    np.testing.assert_array_equal(ours.grad.numpy(), theirs.grad.numpy())


def test_shape_given_twice_is_refused(torch):
    for lib in (torch, ag):
        x = lib.zeros(2, 3)
        with pytest.raises(TypeError):
            x.reshape(6, shape=(6,))
        with pytest.raises(TypeError):
            x.view(6, size=(6,))
