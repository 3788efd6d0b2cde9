"""PyTorch's in-place rounding and comparison methods (``floor_ ceil_ round_`` and ``ge_
gt_ le_ lt_ eq_ ne_``): stochastic depth as timm and ConvNeXt write it,
``random_tensor = keep_prob + torch.rand(shape); random_tensor.floor_()``, was an
AttributeError. Values and dtypes as PyTorch's; the usual in-place rules (refused on a
leaf that requires grad, recorded on a computed tensor)."""

import numpy as np
import pytest

import autograd as ag
from autograd import InplaceError

X = np.array([[-2.5, -1.2, -0.5, 0.0], [0.5, 1.49, 2.5, 3.7]])
Y = np.array([0.5, -1.2, 0.0, 3.7])

UPDATES = [
    ("floor_", lambda t, of: t.floor_()),
    ("ceil_", lambda t, of: t.ceil_()),
    ("round_", lambda t, of: t.round_()),
    ("round_ decimals", lambda t, of: t.round_(decimals=1)),
    ("ge_", lambda t, of: t.ge_(of(Y))),
    ("gt_", lambda t, of: t.gt_(0.5)),
    ("le_", lambda t, of: t.le_(of(Y))),
    ("lt_", lambda t, of: t.lt_(0.5)),
    ("eq_", lambda t, of: t.eq_(of(Y))),
    ("ne_", lambda t, of: t.ne_(0.0)),
]


@pytest.mark.parametrize("update", [u for _, u in UPDATES], ids=[n for n, _ in UPDATES])
@pytest.mark.parametrize("dtype", ["float64", "float32", "int64"])
def test_inplace_rounding_and_comparisons_are_pytorch_s(torch, update, dtype):
    if dtype == "int64" and update is UPDATES[3][1]:
        pytest.skip("PyTorch has no integer round with decimals (NotImplementedError)")
    ours, theirs = ag.tensor(X.astype(dtype)), torch.tensor(X.astype(dtype))
    assert update(ours, ag.tensor) is ours
    assert update(theirs, torch.tensor) is theirs
    assert ours.dtype == theirs.numpy().dtype
    np.testing.assert_array_equal(ours.numpy(), theirs.numpy())


def test_drop_path_as_timm_writes_it(torch):
    """``drop_path``: the mask drawn once (with NumPy), then the same lines in both."""
    keep_prob = 0.75
    x = np.random.default_rng(0).standard_normal((4, 3, 2, 2))
    noise = np.random.default_rng(1).random((4, 1, 1, 1))
    outputs = []
    for lib in (ag, torch):
        inp = lib.tensor(x, requires_grad=True)
        random_tensor = keep_prob + lib.tensor(noise)  # torch.rand(shape, dtype=x.dtype)
        random_tensor.floor_()  # binarize
        output = inp.div(keep_prob) * random_tensor
        output.sum().backward()
        outputs.append((output.detach().numpy(), inp.grad.numpy()))
    for a, b in zip(*outputs):
        np.testing.assert_array_equal(a, b)


def test_inplace_rounding_follows_the_inplace_rules():
    leaf = ag.tensor(X, requires_grad=True)
    with pytest.raises(InplaceError, match="floor_.*leaf"):
        leaf.floor_()
    with pytest.raises(InplaceError, match="ge_.*leaf"):
        leaf.ge_(0.0)
    y = leaf * 2
    y.floor_()
    y.sum().backward()
    np.testing.assert_array_equal(leaf.grad.numpy(), np.zeros_like(X))  # floor' = 0
    with ag.no_grad():
        leaf.gt_(0.0)
    np.testing.assert_array_equal(leaf.detach().numpy(), (X > 0).astype(float))
