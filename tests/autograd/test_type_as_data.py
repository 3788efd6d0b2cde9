"""``x.type_as(y.data)``: The Annotated Transformer's spelling (``torch.zeros(1, 1)
.fill_(start_symbol).type_as(src.data)``, ``subsequent_mask(n).type_as(tgt_mask.data)``).
``.data`` is the NumPy array here, by design, so ``type_as`` takes an ndarray's dtype as
it takes a Tensor's; the result is the one PyTorch gives for its ``.data`` tensor."""

import numpy as np
import pytest

from autograd import Tensor, UsageError


@pytest.mark.parametrize("target", ["int64", "bool", "float32", "uint8"])
def test_type_as_of_a_tensors_data_as_pytorch(torch, target: str) -> None:
    values = np.array([[0.0, 1.0, 3.0], [1.0, 0.0, 2.0]])
    other = np.ones(2, target)
    ours = Tensor(values).type_as(Tensor(other).data)
    theirs = torch.tensor(values).type_as(torch.tensor(other).data)
    assert ours.dtype == np.dtype(target) and not ours.requires_grad
    np.testing.assert_array_equal(ours.data, theirs.numpy())


def test_type_as_of_data_keeps_the_graph_between_floats() -> None:
    x = Tensor(np.arange(3.0), requires_grad=True)
    assert x.type_as(Tensor(np.ones(2)).data) is x
    y = x.type_as(np.ones(2, np.float32))
    assert y.dtype == np.float32 and y.requires_grad
    long = x.type_as(np.ones(2, np.int64))
    assert long.dtype == np.int64 and not long.requires_grad


def test_type_as_of_something_without_a_dtype_names_what_to_do() -> None:
    with pytest.raises(UsageError, match="type_as needs a Tensor.*got list.*astype"):
        Tensor(np.ones(2)).type_as([1.0, 2.0])
