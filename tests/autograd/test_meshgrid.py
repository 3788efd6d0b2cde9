"""``autograd.meshgrid`` (d2l's ``show_trace_2d``: ``torch.meshgrid(torch.arange(...),
torch.arange(...), indexing='ij')`` was missing): values and gradients next to PyTorch,
the 'xy' form next to NumPy's, and the call whose meaning differs refused."""

import numpy as np
import pytest

import autograd as ag
from autograd import UsageError

RNG = np.random.default_rng(3)


@pytest.mark.parametrize("indexing", ["ij", "xy"])
@pytest.mark.parametrize("sizes", [(4, 3), (2, 3, 5), (5,), (1, 4)])
def test_meshgrid_matches_pytorch_values_and_gradients(indexing, sizes):
    torch = pytest.importorskip("torch")
    arrays = [RNG.standard_normal(n) for n in sizes]
    ours = [ag.tensor(a, requires_grad=True) for a in arrays]
    theirs = [torch.tensor(a, requires_grad=True) for a in arrays]
    got = ag.meshgrid(*ours, indexing=indexing)
    want = torch.meshgrid(*theirs, indexing=indexing)
    assert isinstance(got, tuple) and len(got) == len(want)
    for g, w in zip(got, want):
        np.testing.assert_array_equal(g.detach().numpy(), w.detach().numpy())
    for g, w in zip(got, np.meshgrid(*arrays, indexing=indexing)):
        np.testing.assert_array_equal(g.detach().numpy(), w)
    upstream = [RNG.standard_normal(tuple(w.shape)) for w in want]
    sum((g * ag.tensor(u)).sum() for g, u in zip(got, upstream)).backward()
    sum((w * torch.tensor(u)).sum() for w, u in zip(want, upstream)).backward()
    for a, b in zip(ours, theirs):
        np.testing.assert_allclose(a.grad.numpy(), b.grad.numpy(), rtol=1e-12)


def test_meshgrid_takes_a_list_and_0d_tensors_as_pytorch():
    torch = pytest.importorskip("torch")
    got = ag.meshgrid([ag.arange(3), ag.tensor(2)], indexing="ij")
    want = torch.meshgrid([torch.arange(3), torch.tensor(2)], indexing="ij")
    assert [tuple(g.shape) for g in got] == [tuple(w.shape) for w in want] == [(3, 1)] * 2
    assert got[0].dtype == np.int64


def test_d2l_contour_grid_as_pytorch():
    torch = pytest.importorskip("torch")
    torch_default = torch.get_default_dtype()
    torch.set_default_dtype(torch.float64)
    try:
        want = torch.meshgrid(torch.arange(-5.5, 1.0, 0.1), torch.arange(-3.0, 1.0, 0.1),
                              indexing="ij")
    finally:
        torch.set_default_dtype(torch_default)
    got = ag.meshgrid(ag.arange(-5.5, 1.0, 0.1), ag.arange(-3.0, 1.0, 0.1), indexing="ij")
    for g, w in zip(got, want):  # arange: NumPy's and PyTorch's roundings differ by ~1e-14
        np.testing.assert_allclose(g.numpy(), w.numpy(), rtol=1e-12, atol=1e-13)


def test_meshgrid_without_indexing_or_of_2d_input_says_what_to_write():
    with pytest.raises(UsageError, match="indexing='ij'.*PyTorch's default.*NumPy's"):
        ag.meshgrid(ag.arange(3), ag.arange(2))
    with pytest.raises(UsageError, match="indexing='ij'"):
        ag.meshgrid(ag.arange(3), indexing="yx")
    with pytest.raises(UsageError, match=r"input 1 has shape \(2, 2\).*reshape\(-1\)"):
        ag.meshgrid(ag.arange(3), ag.ones((2, 2)), indexing="ij")
