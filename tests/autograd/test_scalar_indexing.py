"""PyTorch's indexing methods on a 0-d tensor read its dim 0 (or -1) as an axis of length
1 (``autograd.scalar_axis``): gather, index_select, scatter and its reductions,
index_copy/add/reduce, their in-place forms and movedim. Values, shapes and the gradients
of self and of the source are compared with PyTorch's; what PyTorch refuses is refused."""

from __future__ import annotations

import numpy as np
import pytest

import autograd as ag

torch = pytest.importorskip("torch")

CASES = {  # (self, source, library) -> result; each side builds its own index tensors
    "gather(0, 0-d)": lambda a, s, T: a.gather(0, T.tensor(0)),
    "gather(-1, [0, 0])": lambda a, s, T: a.gather(-1, T.tensor([0, 0])),
    "gather(0, [])": lambda a, s, T: a.gather(0, T.tensor([], dtype=T.int64)),
    "torch.gather": lambda a, s, T: T.gather(a, 0, T.tensor(0)),
    "index_select(0, [0])": lambda a, s, T: a.index_select(0, T.tensor([0])),
    "index_select(-1, 0-d)": lambda a, s, T: a.index_select(-1, T.tensor(0)),
    "torch.index_select": lambda a, s, T: T.index_select(a, 0, T.tensor([0])),
    "scatter(0-d src)": lambda a, s, T: a.scatter(0, T.tensor(0), s),
    "scatter([0], [src])": lambda a, s, T: a.scatter(0, T.tensor([0]), s.reshape(1)),
    "scatter(value)": lambda a, s, T: a.scatter(0, T.tensor(0), 7.0) * a,
    "scatter_add": lambda a, s, T: a.scatter_add(0, T.tensor(0), s),
    "scatter_add([0, 0])": lambda a, s, T: a.scatter_add(0, T.tensor([0, 0]), s.expand(2)),
    "scatter_reduce prod": lambda a, s, T: a.scatter_reduce(0, T.tensor(0), s, "prod"),
    "scatter_reduce mean": lambda a, s, T: a.scatter_reduce(
        0, T.tensor([0, 0]), T.stack([s, s * 2]), "mean", include_self=False),
    "index_copy": lambda a, s, T: a.index_copy(0, T.tensor(0), s) * a,
    "index_copy([0], 0-d)": lambda a, s, T: a.index_copy(0, T.tensor([0]), s),
    "index_add": lambda a, s, T: a.index_add(0, T.tensor([0]), s),
    "index_add(alpha)": lambda a, s, T: a.index_add(0, T.tensor(0), s, alpha=2),
    "index_reduce amax": lambda a, s, T: a.index_reduce(0, T.tensor(0), s, "amax"),
    "index_reduce prod": lambda a, s, T: a.index_reduce(0, T.tensor([0]), s, "prod"),
    "movedim(0, -1)": lambda a, s, T: a.movedim(0, -1) * a,
    "moveaxis((0,), (0,))": lambda a, s, T: a.moveaxis((0,), (0,)),
    "scatter_ on a computed tensor": lambda a, s, T: (a * 1).scatter_(0, T.tensor(0), s) * a,
    "scatter_add_": lambda a, s, T: (a * 1).scatter_add_(0, T.tensor([0]), s.reshape(1)),
    "scatter_reduce_": lambda a, s, T: (a * 1).scatter_reduce_(0, T.tensor(0), s, "prod"),
    "index_copy_": lambda a, s, T: (a * 1).index_copy_(0, T.tensor(0), s),
    "index_add_": lambda a, s, T: (a * 1).index_add_(0, T.tensor(0), s, alpha=3),
    "index_reduce_": lambda a, s, T: (a * 2).index_reduce_(0, T.tensor(0), s, "prod"),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_indexing_a_0d_tensor_as_pytorch(name: str) -> None:
    ours = ag.tensor(-1.5, requires_grad=True), ag.tensor(2.5, requires_grad=True)
    theirs = tuple(torch.tensor(v, dtype=torch.float64, requires_grad=True)
                   for v in (-1.5, 2.5))
    y, expected = CASES[name](*ours, ag), CASES[name](*theirs, torch)
    assert y.shape == tuple(expected.shape)
    np.testing.assert_allclose(y.detach().numpy(), expected.detach().numpy(), rtol=1e-15)
    y.sum().backward()
    expected.sum().backward()
    for mine, reference in zip(ours, theirs):
        got = mine.grad.numpy() if mine.grad is not None else np.zeros(())
        want = reference.grad.numpy() if reference.grad is not None else np.zeros(())
        np.testing.assert_allclose(got, want, rtol=1e-15, err_msg=name)


def test_in_place_forms_write_a_plain_0d_tensor() -> None:
    x = ag.tensor(3.0)
    assert x.scatter_(0, ag.tensor(0), 5.0) is x and x.item() == 5.0
    x.index_add_(0, ag.tensor([0]), ag.tensor(2.0))  # the source 0-d too, as PyTorch
    assert x.item() == 7.0 and x.shape == ()
    x.index_copy_(-1, ag.tensor(0), ag.tensor(1.0))
    assert x.item() == 1.0


def test_in_place_on_a_0d_leaf_that_requires_grad_is_refused() -> None:
    leaf = ag.tensor(3.0, requires_grad=True)
    with pytest.raises(ag.InplaceError, match="scatter_"):
        leaf.scatter_(0, ag.tensor(0), 5.0)
    with pytest.raises(RuntimeError):
        torch.tensor(3.0, requires_grad=True).scatter_(0, torch.tensor(0), 5.0)


@pytest.mark.parametrize("call", [
    lambda x, T: x.gather(0, T.tensor(1)),             # positions are 0 only
    lambda x, T: x.gather(0, T.tensor([[0]])),         # index of more axes
    lambda x, T: x.index_select(0, T.tensor([0, 0])),  # one position exactly
    lambda x, T: x.index_select(0, T.tensor([], dtype=T.int64)),
    lambda x, T: x.index_select(1, T.tensor([0])),     # no dim 1
    lambda x, T: x.scatter(0, T.tensor([1]), T.tensor([5.0])),
    lambda x, T: x.index_add(0, T.tensor([0]), T.tensor([5.0, 6.0, 7.0])),
    lambda x, T: x.index_add(0, T.tensor([0]), T.tensor([5.0])),  # source (1,), not ()
    lambda x, T: (x * 1).index_add_(0, T.tensor(0), T.tensor([5.0])),
    lambda x, T: x.movedim(1, 0),
])
def test_what_pytorch_refuses_on_a_0d_tensor_is_refused(call) -> None:
    with pytest.raises((IndexError, RuntimeError)):
        call(torch.tensor(3.0), torch)
    with pytest.raises(ag.AutogradError):
        call(ag.tensor(3.0), ag)
