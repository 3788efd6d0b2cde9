"""PyTorch's legacy typed constructors (``torch.LongTensor([label])`` in the NLP tutorial's
bag-of-words classifier, ``torch.FloatTensor(data)``): data gives a tensor of that dtype,
ints give a size (zeros here), ``isinstance`` checks the dtype; each against PyTorch."""

import re

import numpy as np
import pytest

import autograd as ag

NAMES = ["LongTensor", "IntTensor", "FloatTensor", "DoubleTensor", "BoolTensor"]


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("data", [[1, 0, 2], [[1.7, -2.5]], (3,), np.array([0.5, 2.0]), []])
def test_data_as_pytorch(torch, name, data) -> None:
    ours, theirs = getattr(ag, name)(data), getattr(torch, name)(data)
    assert ours.dtype == np.dtype(str(theirs.dtype).removeprefix("torch."))
    assert ours.shape == tuple(theirs.shape) and not ours.requires_grad
    np.testing.assert_array_equal(ours.numpy(), theirs.numpy())


@pytest.mark.parametrize("sizes", [(3,), (2, 3), ()])
def test_ints_are_a_size(torch, sizes) -> None:
    ours, theirs = ag.LongTensor(*sizes), torch.LongTensor(*sizes)
    assert ours.shape == tuple(theirs.shape) and ours.dtype == np.int64
    np.testing.assert_array_equal(ours.numpy(), 0)  # never left uninitialised here


def test_isinstance_checks_the_dtype() -> None:
    assert isinstance(ag.tensor([1]), ag.LongTensor)
    assert not isinstance(ag.tensor([1.0]), ag.LongTensor)
    assert isinstance(ag.tensor([1.0], dtype=np.float32), ag.FloatTensor)
    assert not isinstance(np.array([1]), ag.LongTensor)
    assert isinstance(ag.LongTensor([2]), ag.Tensor)


def test_a_tensor_of_the_dtype_is_shared_and_another_is_refused() -> None:
    t = ag.tensor([1, 2])
    same = ag.LongTensor(t)
    same[0] = 7
    assert t[0].item() == 7
    with pytest.raises(ag.DTypeError, match=r"t\.to\(float32\)|\.float\(\)"):
        ag.FloatTensor(t)


@pytest.mark.parametrize("sizes", [(3, 4), (2, 3, 4), (5, 0)])
def test_the_class_with_sizes_says_to_write_empty(torch, sizes) -> None:
    """``torch.Tensor(input_dim, output_dim)`` (pytorch/examples' GCN) is PyTorch's size
    constructor; here ``Tensor(data, requires_grad)`` read it as the number 3 requiring
    grad (a 0-d parameter, silently). It is refused, naming ``empty`` with the same sizes,
    which makes PyTorch's shape."""
    assert tuple(torch.Tensor(*sizes).shape) == sizes
    spelled = ", ".join(map(str, sizes))
    with pytest.raises(ag.UsageError, match=re.escape(f"autograd.empty({spelled})")):
        ag.Tensor(*sizes)
    assert ag.empty(*sizes).shape == sizes


@pytest.mark.parametrize("flag", [1, 0, np.int64(1), "yes", None])
def test_requires_grad_must_be_a_bool_as_in_pytorch(torch, flag) -> None:
    with pytest.raises(TypeError, match="must be bool"):
        torch.tensor([1.0], requires_grad=flag)
    with pytest.raises(TypeError, match="requires_grad must be a bool"):
        ag.Tensor([1.0], requires_grad=flag)
    assert ag.Tensor([1.0], requires_grad=np.True_).requires_grad
