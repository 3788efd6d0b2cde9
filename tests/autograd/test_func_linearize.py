"""``autograd.func.linearize`` (PyTorch's ``torch.func.linearize``): the output at the
primals and a function giving the JVP there, called many times; compared with PyTorch's
and with ``func.jvp``."""

import numpy as np
import pytest

import autograd as ag

# torch.func imports torch._dynamo on first use, which calls torch.jit.script (deprecated)
pytestmark = pytest.mark.filterwarnings("ignore:`torch.jit.script` is deprecated")


def fn(x, w):
    return {"y": (x @ w).tanh(), "z": x.sin().sum()}


def test_linearize_matches_pytorch_and_jvp(torch):
    rng = np.random.default_rng(0)
    x, w = rng.standard_normal((2, 3)), rng.standard_normal((3, 4))
    directions = [(rng.standard_normal((2, 3)), rng.standard_normal((3, 4)))
                  for _ in range(3)]
    results = []
    for T, func in ((ag, ag.func), (torch, torch.func)):
        output, jvp_fn = func.linearize(fn, T.tensor(x), T.tensor(w))
        results.append([output] + [jvp_fn(T.tensor(a), T.tensor(b)) for a, b in directions])
    for ours, theirs in zip(*results):
        for key in ("y", "z"):
            assert ours[key].shape == tuple(theirs[key].shape)
            np.testing.assert_allclose(ours[key].numpy(), theirs[key].numpy(), rtol=1e-12,
                                       atol=1e-14)
    for (a, b), got in zip(directions, results[0][1:]):
        _, expected = ag.func.jvp(fn, (ag.tensor(x), ag.tensor(w)),
                                  (ag.tensor(a), ag.tensor(b)))
        np.testing.assert_allclose(got["y"].numpy(), expected["y"].numpy(), rtol=1e-14)
        assert not got["y"].requires_grad


def test_linearize_of_sin_as_documented_and_its_errors():
    output, jvp_fn = ag.func.linearize(lambda x: x.sin(), ag.zeros(3, 3))
    np.testing.assert_array_equal(jvp_fn(ag.ones(3, 3)).numpy(), np.ones((3, 3)))
    np.testing.assert_array_equal(output.numpy(), np.zeros((3, 3)))
    with pytest.raises(ag.ShapeError, match="tangent 0 has shape \\(2,\\).*\\(3, 3\\)"):
        jvp_fn(ag.ones(2))
    with pytest.raises(ag.UsageError, match="one tangent per primal"):
        jvp_fn(ag.ones(3, 3), ag.ones(3, 3))
    with pytest.raises(ag.DTypeError, match="floating point"):
        jvp_fn(ag.ones(3, 3, dtype=ag.int64))
