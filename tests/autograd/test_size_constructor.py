"""``autograd.Size``: PyTorch's ``torch.Size``, made from an iterable of ints (rtdl's
``get_output_shape`` returns ``torch.Size((n_features, d_embedding))``), with
``numel()`` (rtdl's ``self.impl.weight.shape.numel()`` reads it on a size); what
``x.size()`` returns."""

import numpy as np
import pytest

import autograd as ag


@pytest.mark.parametrize("sizes", [(3, 4), [2, 1, 5], (), (np.int64(3), 2), (0, 7)])
def test_size_as_in_pytorch(torch, sizes):
    theirs, ours = torch.Size(sizes), ag.Size(sizes)
    assert ours == tuple(theirs) and ours == theirs and len(ours) == len(theirs)
    assert ours.numel() == theirs.numel() and isinstance(ours.numel(), int)
    assert isinstance(ours, tuple) and all(type(n) is int for n in ours)


def test_size_of_a_tensor_and_its_numel(torch):
    x = np.zeros((2, 3, 4))
    assert ag.tensor(x).size().numel() == torch.tensor(x).size().numel() == 24
    assert isinstance(ag.tensor(x).size(), ag.Size)
    assert ag.BoolTensor(ag.Size((2, 3))).shape == (2, 3)  # read as a size, as PyTorch


def test_size_of_floats_is_a_type_error(torch):
    with pytest.raises(TypeError):
        torch.Size((2.5,))
    with pytest.raises(TypeError, match="Size takes an iterable of ints"):
        ag.Size((2.5,))
