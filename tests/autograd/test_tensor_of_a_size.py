"""``Tensor(x.size())``: PyTorch's ``torch.Tensor(size)`` reads a ``torch.Size`` as the shape
of a new tensor (CS231n's style transfer: ``torch.Tensor(content_img.size()).uniform_(0,
1)``); ours read it as the data, the 4 numbers of the shape, silently."""

import numpy as np

import autograd as ag


def test_a_size_is_the_shape_of_a_new_tensor_as_in_pytorch(torch):
    content = np.random.default_rng(0).standard_normal((1, 3, 4, 5))
    ours = ag.Tensor(ag.tensor(content).size())
    theirs = torch.Tensor(torch.tensor(content).size())
    assert ours.shape == tuple(theirs.shape) == (1, 3, 4, 5)
    assert ours.dtype == np.float64 and not ours.requires_grad
    ours.uniform_(0, 1)
    assert ((ours.numpy() >= 0) & (ours.numpy() <= 1)).all()


def test_a_size_with_requires_grad_and_dtype():
    t = ag.Tensor(ag.Size((2, 3)), requires_grad=True)
    assert t.shape == (2, 3) and t.requires_grad
    assert ag.Tensor(ag.zeros(4).size(), dtype=np.float32).dtype == np.float32


def test_a_plain_tuple_or_list_stays_data(torch):
    assert ag.Tensor((2, 3)).tolist() == torch.Tensor((2, 3)).tolist() == [2.0, 3.0]
    assert ag.tensor(ag.Size((2, 3))).tolist() == torch.tensor(torch.Size((2, 3))).tolist()
