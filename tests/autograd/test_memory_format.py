"""PyTorch's ``memory_format=`` keyword and ``torch.preserve_format``/``contiguous_format``
(optimizers and layers copied from PyTorch write ``torch.zeros_like(p,
memory_format=torch.preserve_format)``): the names were missing and the keyword a
TypeError. Every Tensor here is row-major, so both ask for what happens anyway; the
channels-last layouts are refused with a ``UsageError`` saying to drop the argument."""

import numpy as np
import pytest

import autograd as ag
from autograd import UsageError

X = np.random.default_rng(2).standard_normal((2, 3, 4, 5))


@pytest.mark.parametrize("make", [
    lambda lib, x, f: lib.zeros_like(x, memory_format=f),
    lambda lib, x, f: lib.ones_like(x, memory_format=f),
    lambda lib, x, f: lib.full_like(x, 2.5, memory_format=f),
    lambda lib, x, f: lib.empty_like(x, memory_format=f).zero_(),
    lambda lib, x, f: lib.clone(x, memory_format=f),
    lambda lib, x, f: x.clone(memory_format=f),
    lambda lib, x, f: lib.rand_like(x, memory_format=f) * 0,
    lambda lib, x, f: lib.randn_like(x, memory_format=f) * 0,
    lambda lib, x, f: lib.randint_like(x, 3, memory_format=f) * 0,
])
@pytest.mark.parametrize("name", ["preserve_format", "contiguous_format"])
def test_memory_format_keyword_is_taken_as_pytorchs(make, name):
    torch = pytest.importorskip("torch")
    got = make(ag, ag.tensor(X), getattr(ag, name))
    want = make(torch, torch.tensor(X), getattr(torch, name))
    assert got.shape == tuple(want.shape) and got.dtype == want.numpy().dtype
    np.testing.assert_array_equal(got.numpy(), want.numpy())
    assert got.is_contiguous()


def test_contiguous_takes_the_memory_format_too():
    x = ag.tensor(X).transpose(0, 1)
    assert not x.is_contiguous()
    y = x.contiguous(memory_format=ag.contiguous_format)
    assert y.is_contiguous()
    np.testing.assert_array_equal(y.numpy(), X.transpose(1, 0, 2, 3))


def test_zeros_like_for_an_optimizer_state_as_copied_from_pytorch():
    p = ag.tensor(X, requires_grad=True)
    state = {"exp_avg": ag.zeros_like(p, memory_format=ag.preserve_format)}
    assert not state["exp_avg"].requires_grad and state["exp_avg"].shape == p.shape
    assert repr(ag.preserve_format) == "autograd.preserve_format"
    assert isinstance(ag.channels_last, ag.memory_format)


@pytest.mark.parametrize("call", [
    lambda f: ag.zeros_like(ag.tensor(X), memory_format=f),
    lambda f: ag.tensor(X).clone(memory_format=f),
    lambda f: ag.tensor(X).contiguous(memory_format=f),
])
def test_channels_last_is_refused_with_what_to_do(call):
    with pytest.raises(UsageError, match=r"channels_last.*not offered.*Drop memory_format"):
        call(ag.channels_last)
    with pytest.raises(UsageError, match="channels_last_3d"):
        call(ag.channels_last_3d)
    with pytest.raises(UsageError, match="memory_format must be autograd.preserve_format"):
        call("channels_last")


@pytest.mark.parametrize("name", ["preserve_format", "contiguous_format"])
def test_to_takes_memory_format_and_copy_as_pytorch(torch, name):
    """``x.to(memory_format=...)`` and ``x.to(dtype, copy=True)`` (torchvision's reference
    scripts, ``model.to(memory_format=...)``) were TypeErrors."""
    for lib in (ag, torch):
        x = lib.tensor(X)
        fmt = getattr(lib, name)
        assert x.to(memory_format=fmt) is x
        assert x.to(lib.float64, memory_format=fmt) is x
        for y in (x.to(copy=True), x.to("cpu", copy=True), x.to(lib.float64, copy=True)):
            assert y is not x and y.dtype == x.dtype
            np.testing.assert_array_equal(np.asarray(y.numpy()), X)
        assert x.to(lib.float32, copy=True).dtype == lib.float32
    leaf = ag.tensor(X, requires_grad=True)
    copied = leaf.to(copy=True)
    copied.sum().backward()
    np.testing.assert_array_equal(leaf.grad.numpy(), np.ones_like(X))
    copied.data[...] = 0  # its own memory
    assert leaf.data.any()
    with pytest.raises(UsageError, match=r"to\(memory_format=autograd.channels_last\)"):
        ag.tensor(X).to(memory_format=ag.channels_last)
