"""PyTorch's spellings (``x.view``, ``x.permute``, ``x.gather``, ``autograd.cat``...): the
same values as PyTorch where it is installed, gradients against finite differences, and
named errors for what makes no sense here (``cuda()``)."""

from __future__ import annotations

from typing import Any, Callable

import numpy as np
import pytest

import autograd as ag
from autograd import DTypeError, ShapeError, Tensor, UsageError, gradcheck

X = np.random.default_rng(0).standard_normal((3, 4))
INDEX = np.array([[2, 0, 1], [1, 1, 0]])  # gather along 0: smaller than X on axis 1
MASK = X > 0.3

# (name, ours, PyTorch's): each takes the tensor and returns a tensor (or a tuple of them)
SPELLINGS: list[tuple[str, Callable[[Any], Any], Callable[[Any], Any]]] = [
    ("view", lambda t: t.view(4, 3), lambda t: t.view(4, 3)),
    ("view tuple", lambda t: t.view((2, 6)), lambda t: t.view((2, 6))),
    ("permute", lambda t: t.permute(1, 0), lambda t: t.permute(1, 0)),
    ("t", lambda t: t.t(), lambda t: t.t()),
    ("mT", lambda t: t.mT, lambda t: t.mT),
    ("mT batch", lambda t: t.reshape(2, 3, 2).mT, lambda t: t.reshape(2, 3, 2).mT),
    ("ravel", lambda t: t.ravel(), lambda t: t.ravel()),
    ("flatten", lambda t: t.flatten(), lambda t: t.flatten()),
    ("flatten per sample", lambda t: t.reshape(3, 2, 2).flatten(1),
     lambda t: t.reshape(3, 2, 2).flatten(1)),
    ("flatten range", lambda t: t.reshape(3, 2, 2, 1).flatten(0, -2),
     lambda t: t.reshape(3, 2, 2, 1).flatten(0, -2)),
    ("unflatten", lambda t: t.unflatten(1, (2, -1)), lambda t: t.unflatten(1, (2, -1))),
    ("expand", lambda t: t[:, :1].expand(2, -1, 5), lambda t: t[:, :1].expand(2, -1, 5)),
    ("split int", lambda t: t.split(3, dim=1), lambda t: t.split(3, dim=1)),
    ("split sizes", lambda t: t.split([1, 2], 0), lambda t: t.split([1, 2], 0)),
    ("chunk", lambda t: t.chunk(3, dim=1), lambda t: t.chunk(3, dim=1)),
    ("gather", lambda t: t.gather(0, INDEX), lambda t: t.gather(0, _torch().tensor(INDEX))),
    ("masked_fill", lambda t: t.masked_fill(MASK, -1.0),
     lambda t: t.masked_fill(_torch().tensor(MASK), -1.0)),
    ("clamp", lambda t: t.clamp(min=-0.5), lambda t: t.clamp(min=-0.5)),
    ("clamp both", lambda t: ag.clamp(t, -0.5, 0.5), lambda t: _torch().clamp(t, -0.5, 0.5)),
    ("cat", lambda t: ag.cat([t, t * 2], dim=1), lambda t: _torch().cat([t, t * 2], dim=1)),
    ("add alpha", lambda t: t.add(t * t, alpha=3), lambda t: t.add(t * t, alpha=3)),
    ("sub alpha", lambda t: t.sub(t * t, alpha=0.5), lambda t: t.sub(t * t, alpha=0.5)),
    ("mul div neg", lambda t: t.mul(t).div(2.0).neg(), lambda t: t.mul(t).div(2.0).neg()),
    ("mm", lambda t: t.mm(t.t()), lambda t: t.mm(t.t())),
    ("clone", lambda t: t.clone() * 1.0, lambda t: t.clone() * 1.0),
    ("var unbiased", lambda t: t.var(dim=1, unbiased=True), lambda t: t.var(dim=1)),
    ("var biased", lambda t: t.var(dim=0, unbiased=False),
     lambda t: t.var(dim=0, unbiased=False)),
    ("std correction", lambda t: t.std(dim=1, correction=2),
     lambda t: t.std(dim=1, correction=2)),
]


def _torch() -> Any:
    return pytest.importorskip("torch")


def _pieces(y: Any) -> list:
    return list(y) if isinstance(y, tuple) else [y]


@pytest.mark.parametrize("name, ours, theirs", SPELLINGS, ids=[s[0] for s in SPELLINGS])
def test_spellings_are_differentiable(name: str, ours: Callable, theirs: Callable) -> None:
    x = Tensor(X.copy(), requires_grad=True)
    assert ag.gradcheck(lambda t: ag.cat([p.reshape(-1) for p in _pieces(ours(t))]), [x]), name


@pytest.mark.parametrize("name, ours, theirs", SPELLINGS, ids=[s[0] for s in SPELLINGS])
def test_spellings_match_pytorch(name: str, ours: Callable, theirs: Callable) -> None:
    torch = _torch()
    x, tx = Tensor(X.copy(), requires_grad=True), torch.tensor(X, requires_grad=True)
    mine, reference = _pieces(ours(x)), _pieces(theirs(tx))
    assert len(mine) == len(reference), name
    weights = [np.random.default_rng(k).standard_normal(r.shape) for k, r in enumerate(reference)]
    for m, r in zip(mine, reference):
        np.testing.assert_allclose(m.data, r.detach().numpy(), rtol=1e-12, atol=1e-12)
    sum(((m * w).sum() for m, w in zip(mine, weights)), Tensor(0.0)).backward()
    sum((r * torch.tensor(w)).sum() for r, w in zip(reference, weights)).backward()
    np.testing.assert_allclose(x.grad.data, tx.grad.numpy(), rtol=1e-10, atol=1e-12)


def test_conversions_and_queries() -> None:
    x = Tensor(X.copy(), requires_grad=True)
    assert x.float().dtype == np.float32 and x.double().dtype == np.float64
    assert x.half().dtype == np.float16 and x.to(np.float32).dtype == np.float32
    assert x.to("cpu") is x and x.cpu() is x and x.contiguous() is x
    assert x.to(device="cpu", dtype=np.float32).dtype == np.float32
    assert x.to(Tensor(np.ones(2, np.float32))).dtype == np.float32
    assert x.type() == "torch.DoubleTensor" and x.type(np.float32).dtype == np.float32
    assert x.numel() == 12 and x.dim() == 2 and x.size == 12  # NumPy's size stays
    assert x.float().requires_grad  # conversions stay in the graph
    assert x.new_zeros(2, 3).shape == (2, 3) and x.new_ones((2,)).dtype == np.float64
    assert x.new_full((2,), 7.0).tolist() == [7.0, 7.0]
    assert not x.new_zeros(2).requires_grad
    y = Tensor(np.array([1.0, np.nan, np.inf]))
    assert y.isnan().tolist() == [False, True, False]
    assert y.isinf().tolist() == [False, False, True]
    assert y.isfinite().tolist() == [True, False, False]
    assert (x > 0).any().item() and not (x > 10).all().item()
    assert (x > -10).all(dim=1).shape == (3,) and not x.isnan().requires_grad


def test_integer_and_bool_conversions_are_constants_as_in_pytorch() -> None:
    torch = _torch()
    x, tx = Tensor(X * 3, requires_grad=True), torch.tensor(X * 3, requires_grad=True)
    for name, dtype in (("long", np.int64), ("int", np.int32), ("bool", np.bool_)):
        mine, theirs = getattr(x, name)(), getattr(tx, name)()
        assert mine.dtype == dtype and not mine.requires_grad, name
        assert theirs.requires_grad is False
        np.testing.assert_array_equal(mine.data, theirs.numpy())
    assert x.requires_grad and x.device == "cpu" == str(tx.device)


def test_detach_in_place_follows_pytorch_on_leaves() -> None:
    torch = _torch()
    x, tx = Tensor(X.copy(), requires_grad=True), torch.tensor(X, requires_grad=True)
    y, ty = (x * 2).sum(), (tx * 2).sum()
    assert x.detach_() is x and tx.detach_() is tx
    assert not x.requires_grad and x.is_leaf and not tx.requires_grad
    y.backward()
    ty.backward()
    assert x.grad is None and tx.grad is None  # graphs built before see it detached too


def test_detach_in_place_of_a_computed_tensor_makes_it_a_leaf_as_pytorch() -> None:
    """d2l's ``train_epoch_ch8`` carries the RNN state over with ``s.detach_()`` after the
    backward that went through it: the state becomes an untracked leaf (same array)."""
    torch = _torch()
    x, tx = Tensor(X.copy(), requires_grad=True), torch.tensor(X, requires_grad=True)
    h, th = x * 2, tx * 2
    (h * 3).sum().backward()
    (th * 3).sum().backward()
    array = h.data
    assert h.detach_() is h and th.detach_() is th
    assert (h.requires_grad, h.grad_fn, h.is_leaf) == (th.requires_grad, None, th.is_leaf)
    assert h.data is array and h.is_leaf
    (h * x).sum().backward()  # a graph built after: h is a constant there
    (th * tx).sum().backward()
    np.testing.assert_allclose(x.grad.data, tx.grad.numpy())
    assert Tensor(X).detach_().requires_grad is False  # untracked leaf: nothing to do


def test_backward_through_a_graph_built_before_detach_in_place_says_so() -> None:
    """PyTorch's graph keeps the history of a tensor detached in place after it was used;
    here the tensor is the node, so that history is gone: a named error, not a gradient
    that silently stops there."""
    x = Tensor(X.copy(), requires_grad=True)
    h = x * 2
    y = (h * 3).sum()
    h.detach_()
    with pytest.raises(UsageError, match=r"detach_\(\).*after.*t = t\.detach\(\)"):
        y.backward()


@pytest.mark.parametrize("call, error, message", [
    (lambda x: x.cuda(), UsageError, "no GPU"),
    (lambda x: x.to("cuda:0"), UsageError, "no GPU"),
    (lambda x: x.reshape(1, 3, 4).t(), ShapeError, "at most 2 axes"),
    (lambda x: x[0].mT, ShapeError, "2 or more axes"),
    (lambda x: x.split([1, 1], dim=0), ShapeError, "add up to 3"),
    (lambda x: x.split(0), ShapeError, "positive"),
    (lambda x: x.chunk(0), ShapeError, "positive"),
    (lambda x: x.gather(1, np.zeros(3, dtype=int)), ShapeError, "2 axes"),
    (lambda x: x.gather(1, np.zeros((4, 1), dtype=int)), ShapeError, "no longer"),
    (lambda x: x.masked_fill(X, 0.0), DTypeError, "boolean"),
    (lambda x: x.mm(np.ones(4)), ShapeError, "two matrices"),
    (lambda x: x.expand(4), ShapeError, "at least one size per axis"),
    (lambda x: x.var(ddof=1, unbiased=True), UsageError, "only one"),
    (lambda x: ag.std(x, correction=1, unbiased=False), UsageError, "only one"),
])
def test_what_makes_no_sense_here_is_named(call: Callable, error: type, message: str) -> None:
    with pytest.raises(error, match=message):
        call(Tensor(X.copy()))


def test_transpose_of_two_axes_of_a_matrix_swaps_them_as_pytorch() -> None:
    torch = _torch()
    x, tx = Tensor(X.copy()), torch.tensor(X)
    for axes in ((0, 1), (-2, -1), (0, -1), (-2, 1), (1, 0)):  # NumPy's ndarray: (0, 1) no-op
        np.testing.assert_array_equal(x.transpose(*axes).data, tx.transpose(*axes).numpy())
    np.testing.assert_array_equal(x.transpose((0, 1)).data, X)  # NumPy's tuple: as NumPy
    for swapped in (x.swapaxes(0, 1), x.permute(1, 0), x.T, x.mT):
        np.testing.assert_array_equal(swapped.data, tx.transpose(0, 1).numpy())


@pytest.mark.parametrize("axes", [(0, 1), (-2, -1), (2, 0), (1, 1)])
def test_transpose_of_two_axes_of_a_3d_tensor_swaps_them_as_pytorch(axes) -> None:
    torch = _torch()
    data = np.arange(24.0).reshape(2, 3, 4)
    x = Tensor(data, requires_grad=True)
    tx = torch.tensor(data, requires_grad=True)
    expected = tx.transpose(*axes)
    result = x.transpose(*axes)
    np.testing.assert_array_equal(result.data, expected.detach().numpy())
    weights = np.random.default_rng(0).random(result.shape)
    (result * weights).sum().backward()
    (expected * torch.tensor(weights)).sum().backward()
    np.testing.assert_array_equal(x.grad.data, tx.grad.numpy())
    np.testing.assert_array_equal(x.transpose(2, 0, 1).data, np.transpose(data, (2, 0, 1)))
    np.testing.assert_array_equal(ag.transpose(data, *axes).data,  # torch.transpose's form
                                  torch.transpose(torch.tensor(data), *axes).numpy())


@pytest.mark.parametrize("shape, axes", [((3, 4), (0, 0)), ((3, 4), (1, -1)),
                                         ((4,), (0, 0)), ((4,), (0, -1))])
def test_transpose_of_an_axis_with_itself_is_no_change_as_pytorch(shape, axes) -> None:
    """NumPy refuses a repeated axis, so only PyTorch's reading is left: no change
    (entmax's and TabNet's ``rho.view(view).transpose(0, dim)`` with dim 0)."""
    torch = _torch()
    data = np.arange(float(np.prod(shape))).reshape(shape)
    x = Tensor(data, requires_grad=True)
    tx = torch.tensor(data, requires_grad=True)
    result, expected = x.transpose(*axes), tx.transpose(*axes)
    np.testing.assert_array_equal(result.data, expected.detach().numpy())
    weights = np.random.default_rng(1).random(shape)
    (result * weights).sum().backward()
    (expected * torch.tensor(weights)).sum().backward()
    np.testing.assert_array_equal(x.grad.data, tx.grad.numpy())
    np.testing.assert_array_equal(ag.transpose(data, *axes).data, data)


# ------------------------------------------------------------------ is_contiguous
VIEWS = [("itself", lambda t: t), ("transpose", lambda t: t.t()),
         ("strided columns", lambda t: t[:, ::2]), ("rows", lambda t: t[1:]),
         ("columns", lambda t: t[:, 1:]), ("one column", lambda t: t[:, :1]),
         ("a size-1 axis dropped", lambda t: t[:1].reshape(4)),
         ("expand", lambda t: t[:1].expand(3, 4)), ("0-d", lambda t: t[0, 0]),
         ("empty", lambda t: t[:0])]


@pytest.mark.parametrize("name, view", VIEWS, ids=[v[0] for v in VIEWS])
def test_is_contiguous_as_pytorch(name: str, view: Callable) -> None:
    torch = _torch()
    assert view(Tensor(X)).is_contiguous() == view(torch.tensor(X)).is_contiguous()


def test_is_contiguous_reads_the_array() -> None:
    assert not Tensor(X[::-1]).is_contiguous()  # a negative-stride view of NumPy's
    assert Tensor(np.asfortranarray(X)).T.is_contiguous()


def test_contiguous_is_self_or_a_c_ordered_copy_the_gradient_passes_through() -> None:
    torch = _torch()
    for name, view in VIEWS:
        x = Tensor(X.copy(), requires_grad=True)
        ours, theirs = view(x).contiguous(), view(torch.tensor(X)).contiguous()
        assert ours.is_contiguous() and theirs.is_contiguous(), name
        np.testing.assert_array_equal(ours.data, theirs.numpy())
    x = Tensor(X.copy(), requires_grad=True)
    assert x.contiguous() is x  # already C-ordered: no copy, as PyTorch
    gradcheck(lambda t: t.T.contiguous() * 2.0, [Tensor(X.copy(), requires_grad=True)])


# ------------------------------------------------------------ empty axes, repeated axes
@pytest.mark.parametrize("shape, pieces", [
    ((0,), lambda t: t.chunk(2)), ((0, 3), lambda t: t.chunk(3)),
    ((3, 0), lambda t: t.chunk(2, 1)), ((0, 3), lambda t: t.split(1)),
    ((0, 3), lambda t: t.split(2)), ((3, 0), lambda t: t.split(1, dim=1)),
    ((5,), lambda t: t.chunk(3)), ((1,), lambda t: t.chunk(3))])
def test_chunk_and_split_of_an_empty_axis_give_pytorchs_pieces(shape, pieces) -> None:
    """An empty axis gave no pieces at all (``a, = t.split(1)`` failed); PyTorch gives one
    empty piece for split and ``chunks`` of them for chunk."""
    torch = _torch()
    ours, theirs = pieces(ag.zeros(shape)), pieces(torch.zeros(shape))
    assert [t.shape for t in ours] == [tuple(t.shape) for t in theirs]


@pytest.mark.parametrize("name", ["all", "any"])
def test_all_and_any_name_a_repeated_or_out_of_range_axis(name: str) -> None:
    x = ag.ones((2, 2))
    with pytest.raises(ag.AxisError, match=f"{name}: repeated axis in \\(0, 0\\)"):
        getattr(x, name)(dim=(0, 0))
    with pytest.raises(ag.AxisError, match=f"{name}: axis 2 is out of range"):
        getattr(x, name)(axis=2)
    np.testing.assert_array_equal(getattr(x, name)(axis=(1, -2)).data,
                                  getattr(np, name)(np.ones((2, 2)), axis=(1, -2)))


def test_size_is_numpys_count_and_pytorchs_call():
    """x.size is an int (NumPy's element count) and x.size()/x.size(dim) are PyTorch's,
    so the CNN habit x.view(x.size(0), -1) works (it was "'int' object is not callable")."""
    import copy
    import pickle
    torch = pytest.importorskip("torch")
    x, tx = ag.zeros(2, 3, 4), torch.zeros(2, 3, 4)
    assert x.size == 24 == np.zeros((2, 3, 4)).size and isinstance(x.size, int)
    assert x.size() == tuple(tx.size()) and x.size(0) == tx.size(0) and x.size(-1) == 4
    assert x.view(x.size(0), -1).shape == tuple(tx.view(tx.size(0), -1).shape)
    assert type(x.size + 1) is int and type(x.numel()) is int
    assert pickle.loads(pickle.dumps(x.size)) == 24 == copy.deepcopy(x.size)
    with pytest.raises(ag.AxisError, match="size: axis 3 is out of range"):
        x.size(3)


@pytest.mark.parametrize("dtype", ["float32", "float64", "float16", "int64", "int32",
                                   "int16", "int8", "uint8", "bool"])
def test_type_without_argument_is_pytorchs_type_name(dtype: str, torch) -> None:
    """``x.type()`` is PyTorch's alone (NumPy arrays have no such method), so it answers
    as PyTorch's: 'torch.FloatTensor' for float32; it said 'float32', so an older
    script's ``if x.type() == 'torch.FloatTensor'`` was silently False. The name also
    casts back: ``y.type(x.type())``."""
    ours = Tensor(np.zeros(2, dtype=dtype))
    assert ours.type() == torch.zeros(2, dtype=getattr(torch, dtype)).type()
    assert Tensor(np.ones(2)).type(ours.type()).dtype == ours.dtype


def test_type_of_a_dtype_pytorch_does_not_name_so_is_numpys_name() -> None:
    assert Tensor(np.zeros(2, dtype=np.uint32)).type() == "uint32"
