"""``x.diagonal()`` is a view of x, as PyTorch's: GP code's ``K.diagonal().add_(jitter)``
adds to K's diagonal. It was a copy, so the write silently changed nothing. Of a tensor
in a graph being recorded it stays a copy (the engine writes through only basic indexing
and reshapes): Barlow Twins' ``torch.diagonal(c).add_(-1).pow_(2).sum()`` is recorded on
the copy. Gradients (first and second) as PyTorch's."""

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


def test_a_write_into_a_recorded_diagonal_goes_through_to_its_base(torch):
    data = RNG.normal(size=(3, 3))
    x, xt = ag.tensor(data, requires_grad=True), torch.tensor(data, requires_grad=True)
    c, ct = x * 1, xt * 1
    on_diag = ag.diagonal(c).add_(-1).pow_(2).sum()  # Barlow Twins' loss term
    on_diag_t = torch.diagonal(ct).add_(-1).pow_(2).sum()
    np.testing.assert_allclose(on_diag.item(), on_diag_t.item(), rtol=1e-12)
    np.testing.assert_allclose(c.detach().numpy(), ct.detach().numpy(), rtol=1e-12)
    (on_diag + (c * c.detach()).sum()).backward()
    (on_diag_t + (ct * ct.detach()).sum()).backward()
    np.testing.assert_allclose(x.grad.numpy(), xt.grad.numpy(), rtol=1e-12)
    plain = ag.tensor(data)
    plain.diagonal().zero_()  # no graph: NumPy's view
    np.testing.assert_array_equal(np.diag(plain.numpy()), np.zeros(3))
