"""PackedSequence's tensor-like conversions, as PyTorch's: ``packed.to(device/dtype)``
(collate functions and training loops move a packed batch with ``.to(device)``),
``.cpu()``, ``.double()``, ``.float()``, ``.half()``, ``.is_cuda``; the data is converted,
the int64 batch sizes and indices are kept, and a no-op returns the same object."""

from __future__ import annotations

import numpy as np
import pytest

from autograd import Tensor
from autograd.errors import UsageError
from nn.utils.rnn import pack_sequence

SEQUENCES = [np.arange(n * 2, dtype=float).reshape(n, 2) for n in (2, 4, 3)]


def _packed():
    return pack_sequence([Tensor(s) for s in SEQUENCES], enforce_sorted=False)


def _torch_packed(torch):
    return torch.nn.utils.rnn.pack_sequence([torch.tensor(s) for s in SEQUENCES],
                                            enforce_sorted=False)


@pytest.mark.parametrize("convert", [
    lambda p, T: p.to("cpu"), lambda p, T: p.to(T.float32), lambda p, T: p.to(dtype=T.float16),
    lambda p, T: p.to("cpu", T.float32), lambda p, T: p.cpu(), lambda p, T: p.double(),
    lambda p, T: p.float(), lambda p, T: p.half()])
def test_conversions_match_pytorch(torch, convert):
    import autograd
    mine, theirs = convert(_packed(), autograd), convert(_torch_packed(torch), torch)
    assert type(mine).__name__ == "PackedSequence"
    assert mine.data.dtype == np.dtype(str(theirs.data.dtype).replace("torch.", ""))
    np.testing.assert_array_equal(mine.data.numpy(), theirs.data.numpy())
    for field in ("batch_sizes", "sorted_indices", "unsorted_indices"):
        np.testing.assert_array_equal(getattr(mine, field).numpy(),
                                      getattr(theirs, field).numpy())
        assert getattr(mine, field).dtype == np.int64
    assert mine.is_cuda is theirs.is_cuda is False


def test_no_op_returns_the_same_packed_sequence_and_cuda_raises():
    packed = _packed()
    assert packed.to("cpu") is packed and packed.cpu() is packed and packed.double() is packed
    with pytest.raises(UsageError, match="CPU"):
        packed.cuda()


def test_conversion_keeps_the_graph():
    x = Tensor(SEQUENCES[1], requires_grad=True)
    packed = pack_sequence([x, Tensor(SEQUENCES[0])])
    packed.float().data.sum().backward()
    np.testing.assert_array_equal(x.grad, np.ones_like(SEQUENCES[1]))
