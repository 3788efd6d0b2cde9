"""``x.diagonal()`` is a view of x, as PyTorch's: GP code's ``K.diagonal().add_(jitter)``
adds to K's diagonal. It was a copy, so the write silently changed nothing. While
recording, a write into the diagonal of a computed tensor is refused by name (the base's
graph would not know), never silently lost. Gradients (first and second) as PyTorch's."""

import numpy as np
import pytest

import autograd as ag

RNG = np.random.default_rng(0)


@pytest.mark.parametrize("shape, offset, dims", [((3, 3), 0, (0, 1)), ((3, 4), 1, (0, 1)),
                                                 ((4, 3), -2, (1, 0)),
                                                 ((2, 3, 4), 1, (2, 0))])
def test_writes_into_the_diagonal_reach_the_tensor_as_pytorch(torch, shape, offset, dims):
    data = RNG.normal(size=shape)
    ours, theirs = ag.tensor(data.copy()), torch.tensor(data.copy())
    ours.diagonal(offset, *dims).add_(1.5)
    theirs.diagonal(offset, *dims).add_(1.5)
    np.testing.assert_array_equal(ours.numpy(), theirs.numpy())
    ag.diagonal(ours, offset, *dims).mul_(2.0)
    torch.diagonal(theirs, offset, *dims).mul_(2.0)
    np.testing.assert_array_equal(ours.numpy(), theirs.numpy())


@pytest.mark.parametrize("shape, offset, dims", [((3, 4), 1, (0, 1)),
                                                 ((2, 3, 4), -1, (2, 1))])
def test_first_and_second_gradients_as_pytorch(torch, shape, offset, dims):
    data = RNG.normal(size=shape)
    x, xt = ag.tensor(data, requires_grad=True), torch.tensor(data, requires_grad=True)
    y, yt = x.diagonal(offset, *dims), xt.diagonal(offset, *dims)
    np.testing.assert_array_equal(y.detach().numpy(), yt.detach().numpy())
    (g,) = ag.grad((y ** 3).sum(), x, create_graph=True)
    (gt,) = torch.autograd.grad((yt ** 3).sum(), xt, create_graph=True)
    np.testing.assert_allclose(g.detach().numpy(), gt.detach().numpy(), rtol=1e-12)
    (h,) = ag.grad((g * g).sum(), x)
    (ht,) = torch.autograd.grad((gt * gt).sum(), xt)
    np.testing.assert_allclose(h.numpy(), ht.numpy(), rtol=1e-12)
    assert ag.gradgradcheck(lambda t: t.diagonal(offset, *dims) ** 2,
                            [ag.tensor(data, requires_grad=True)])


def test_writing_into_a_recorded_diagonal_is_refused_by_name():
    w = ag.ones(9, requires_grad=True)
    kernel = (w * 2).reshape(3, 3)
    with pytest.raises(ag.InplaceError, match="view of another tensor's array"):
        kernel.diagonal().add_(1.0)
    np.testing.assert_array_equal(kernel.detach().numpy(), np.full((3, 3), 2.0))
