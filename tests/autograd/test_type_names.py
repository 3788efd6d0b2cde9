"""``x.type('torch.FloatTensor')``: PyTorch's legacy type names as strings (older scripts
cast with them) give the tensor of that dtype, as PyTorch's; a CUDA type name is refused
with the CPU-only message; ``x.type(np.float32)`` and ``x.type(autograd.LongTensor)`` keep
working, the latter now also on a tensor that requires grad (a constant, as ``long()``)."""

import numpy as np
import pytest

import autograd as ag

NAMES = ["torch.FloatTensor", "torch.DoubleTensor", "torch.HalfTensor", "torch.LongTensor",
         "torch.IntTensor", "torch.ShortTensor", "torch.CharTensor", "torch.ByteTensor",
         "torch.BoolTensor"]


@pytest.mark.parametrize("name", NAMES)
def test_type_name_strings_cast_as_pytorch(torch, name):
    data = np.array([0.0, 1.5, 2.0])
    ours, theirs = ag.tensor(data).type(name), torch.tensor(data).type(name)
    assert str(ours.dtype) == str(theirs.dtype).removeprefix("torch.")
    np.testing.assert_array_equal(ours.numpy(), theirs.numpy())


def test_other_spellings_still_cast_and_cuda_is_refused():
    x = ag.tensor([1.0, 2.0], requires_grad=True)
    assert x.type("torch.DoubleTensor") is x  # already float64: self, as PyTorch
    assert x.type(np.float32).dtype == np.float32
    assert x.type(ag.LongTensor).dtype == np.int64  # a constant, as PyTorch's
    assert not x.type("torch.LongTensor").requires_grad
    with pytest.raises(ag.UsageError, match="no GPU"):
        x.type("torch.cuda.FloatTensor")
