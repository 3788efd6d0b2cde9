"""``autograd.tensor`` infers the dtype of Python data as PyTorch and NumPy do: ints give
int64 (the labels and indices of every PyTorch example), bools bool, floats float64;
``Tensor(data)`` keeps making Python numbers float64 (``torch.Tensor`` makes floats)."""

import numpy as np
import pytest

import autograd as ag
import nn.functional as F
from autograd import Tensor
from autograd.errors import DTypeError, UsageError


@pytest.mark.parametrize("data, expected", [
    ([1, 0, 4], np.int64), (3, np.int64), ([[1, 2], [3, 4]], np.int64),
    ([1.0, 2], np.float64), (2.5, np.float64), ([True, False], np.bool_), ([], np.float64),
])
@pytest.mark.filterwarnings("ignore::autograd.SizeOrDataWarning")  # Tensor(3): the number
def test_python_data_keeps_its_kind(data, expected):
    assert ag.tensor(data).dtype == expected
    assert ag.Tensor(data).dtype == (np.bool_ if expected is np.bool_ else np.float64)


def test_matches_torch_for_integers_and_bools():
    torch = pytest.importorskip("torch")
    for data in ([1, 0, 4], 7, [[1, 2], [3, 4]], [True, False]):
        assert str(ag.tensor(data).dtype) == str(torch.tensor(data).dtype).removeprefix(
            "torch.")


def test_arrays_and_given_dtypes_win():
    assert ag.tensor(np.arange(3, dtype=np.int32)).dtype == np.int32
    assert ag.tensor(np.arange(3.0, dtype=np.float32)).dtype == np.float32
    assert ag.tensor([1, 2], dtype=ag.float32).dtype == np.float32
    assert ag.tensor(ag.Tensor([1, 2])).dtype == np.float64


def test_integer_labels_work_as_pytorch_examples_write_them():
    logits = ag.Tensor(np.random.default_rng(0).standard_normal((3, 5)), requires_grad=True)
    target = ag.tensor([1, 0, 4])
    loss = F.cross_entropy(logits, target)
    loss.backward()
    assert logits.grad.shape == (3, 5)
    assert logits[ag.tensor([0, 2])].shape == (2, 5)


def test_integer_data_cannot_require_grad():
    with pytest.raises(DTypeError, match="floating dtype"):
        ag.tensor([1, 2], requires_grad=True)
    assert ag.tensor([1.0, 2.0], requires_grad=True).requires_grad


@pytest.mark.parametrize("sizes", [(3, 4), (4, 1, 8), (4, 1, 8, 8)])
def test_pytorchs_size_constructor_is_named_with_every_size(sizes):
    """``torch.Tensor(4, 1, 8, 8)`` is an uninitialised tensor of that shape in PyTorch;
    here Tensor takes data, so it is refused, naming the call and what to write with all
    the sizes given (the fourth was dropped: Tensor(4, 1, 8))."""
    text = ", ".join(map(str, sizes))
    with pytest.raises(UsageError, match=rf"^Tensor\({text}\): PyTorch's.*"
                                         rf"autograd\.empty\({text}\)"):
        Tensor(*sizes)
