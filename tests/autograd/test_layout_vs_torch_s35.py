"""Layout and storage methods next to PyTorch (session 35): ``resize_`` keeps the memory
its views share, ``numpy()`` of a tensor that requires grad refuses, ``view(shape)``
shares memory where PyTorch's does, ``is_contiguous(memory_format=)``, the missing
``as_strided``/``set_`` and the storage's index checks."""

import numpy as np
import pytest

import autograd as ag
from autograd.errors import MissingNameError, ShapeError, TensorIndexError, UnsupportedError
from autograd.errors import UsageError


def _pair(torch, values):
    return ag.Tensor(np.array(values, dtype=np.float64)), torch.tensor(values)


@pytest.mark.parametrize("size", [(2, 3), (3,), (6,), (1, 6)])
def test_resize_to_as_many_or_fewer_elements_keeps_the_views_shared(torch, size):
    x, tx = _pair(torch, np.arange(6.0).tolist())
    v, tv = x[:2], tx[:2]
    x.resize_(*size)
    tx.resize_(*size)
    x.add_(1)
    tx.add_(1)
    assert v.tolist() == tv.tolist()
    assert x.tolist() == tx.tolist()


def test_resize_of_a_detached_tensor_writes_into_the_original(torch):
    x, tx = _pair(torch, np.arange(6.0).tolist())
    d, td = x.detach(), tx.detach()
    d.resize_(3)
    td.resize_(3)
    d.add_(5)
    td.add_(5)
    assert x.tolist() == tx.tolist()


def test_resize_keeps_a_dtype_view_shared(torch):
    x, tx = _pair(torch, np.arange(4.0).tolist())
    w, tw = x.view(ag.int64), tx.view(torch.int64)
    x.resize_(2)
    tx.resize_(2)
    x.add_(1)
    tx.add_(1)
    assert w.tolist()[:2] == tw.tolist()[:2]


def test_shrinking_then_growing_back_finds_the_old_values(torch):
    x, tx = _pair(torch, np.arange(6.0).tolist())
    x.resize_(3)
    tx.resize_(3)
    x.resize_(6)
    tx.resize_(6)
    assert x.tolist() == tx.tolist()


def test_growing_keeps_the_values_and_refuses_while_a_view_is_alive(torch):
    x, tx = _pair(torch, np.arange(6.0).tolist())
    x.resize_(2, 4)
    tx.resize_(2, 4)
    assert x.flatten()[:6].tolist() == tx.flatten()[:6].tolist()
    y = ag.arange(6.0)
    view = y[:2]
    with pytest.raises(UnsupportedError, match="clone"):
        y.resize_(8)
    assert y.shape == (6,) and view.tolist() == [0.0, 1.0]
    del view
    assert y.resize_(8).shape == (8,)


def test_numpy_of_a_tensor_that_requires_grad_refuses_as_pytorch(torch):
    x, tx = _pair(torch, [1.0, 2.0, 3.0])
    x.requires_grad_()
    tx.requires_grad_()
    with pytest.raises(RuntimeError) as expected:
        tx.numpy()
    with pytest.raises(UsageError, match="detach") as got:
        x.numpy()
    assert isinstance(got.value, RuntimeError)
    assert str(got.value) in str(expected.value)
    assert np.shares_memory(x.detach().numpy(), x.data)
    assert x.numpy(force=True).tolist() == tx.numpy(force=True).tolist()
    assert (x * 2).detach().numpy().tolist() == (tx * 2).detach().numpy().tolist()


CHAINS = [
    lambda t: t.T,
    lambda t: t[:, ::2],
    lambda t: t[:, 1:],
    lambda t: t.unsqueeze(1).expand(2, 2, 3),
    lambda t: t,
    lambda t: t.T.contiguous(),
    lambda t: t[:1].T,
]


@pytest.mark.parametrize("chain", range(len(CHAINS)))
@pytest.mark.parametrize("shape", [(-1,), (3, -1), (1, -1)])
def test_view_shares_the_memory_where_pytorch_views(torch, chain, shape):
    """Where PyTorch refuses the view, ours copies (documented: ops here may return other
    layouts than PyTorch's, so a refusal would reject code that works there)."""
    x, tx = _pair(torch, np.arange(6.0).reshape(2, 3).tolist())
    source, tsource = CHAINS[chain](x), CHAINS[chain](tx)
    try:
        expected = tsource.view(*shape)
    except RuntimeError:
        if tsource.numel() % 3 and shape == (3, -1):  # no such shape at all
            with pytest.raises(ShapeError):
                source.view(*shape)
        else:
            assert source.view(*shape).tolist() == tsource.reshape(*shape).tolist()
        return
    got = source.view(*shape)
    assert got.tolist() == expected.tolist()
    if 0 not in source.stride():  # (a write into an expand is refused here)
        got.fill_(100.0)
        expected.fill_(100.0)
        assert x.tolist() == tx.tolist()  # written through the view


@pytest.mark.parametrize("shape", [(2, 3), (1, 2, 3, 4), (2, 1, 3, 4), (1, 2, 1, 1, 3)])
@pytest.mark.parametrize("permuted", [False, True])
@pytest.mark.parametrize("name", ["contiguous_format", "preserve_format", "channels_last",
                                  "channels_last_3d", None])
def test_is_contiguous_takes_a_memory_format_as_pytorch(torch, shape, permuted, name):
    t = torch.zeros(shape)
    x = ag.zeros(*shape)
    if permuted and len(shape) >= 3:  # laid out with the channels (axis 1) fastest
        order = (0, *range(2, len(shape)), 1)
        back = tuple(order.index(axis) for axis in range(len(shape)))
        t = t.permute(order).contiguous().permute(back)
        x = x.permute(order).contiguous().permute(back)
    if name is None:
        assert x.is_contiguous() == t.is_contiguous()
    else:
        got = x.is_contiguous(memory_format=getattr(ag, name))
        assert got == t.is_contiguous(memory_format=getattr(torch, name))


def test_is_contiguous_refuses_another_value():
    with pytest.raises(UsageError, match="memory_format"):
        ag.zeros(2).is_contiguous(memory_format=3)


@pytest.mark.parametrize("name", ["as_strided", "as_strided_", "set_"])
def test_missing_storage_methods_are_named_errors(torch, name):
    assert hasattr(torch.zeros(4), name)
    with pytest.raises(MissingNameError) as got:
        getattr(ag.zeros(4), name)
    assert isinstance(got.value, AttributeError) and name in str(got.value)


@pytest.mark.parametrize("index", [12, -13, 100])
def test_storage_index_out_of_range_is_a_named_error_as_pytorch(torch, index):
    t = torch.arange(12.0)
    with pytest.raises(IndexError) as expected:
        t.untyped_storage()[index * 8]
    x = ag.arange(12.0)
    with pytest.raises(TensorIndexError, match="out of range for storage of size 12"):
        x.storage()[index]
    with pytest.raises(TensorIndexError, match="out of range"):
        x.storage()[index] = 1.0
    assert "out of range" in str(expected.value)
    assert x.storage()[-1] == t[-1].item()


def test_storage_is_not_shared_as_pytorch(torch):
    t = torch.arange(3.0)
    x = ag.arange(3.0)
    assert x.storage().is_shared() == t.untyped_storage().is_shared()
    assert x.untyped_storage().is_shared() == t.untyped_storage().is_shared()


def test_a_refused_write_into_a_base_that_others_view_names_the_base() -> None:
    w = ag.ones(4, requires_grad=True)
    x = ag.zeros(4)
    bits = x.view(ag.int64)  # x owns its memory; the int64 view shares it
    with pytest.raises(ag.InplaceError, match="whose memory is also held by a view"):
        x.add_(w)
    assert bits.shape == (4,)
    leaf = ag.zeros(4, requires_grad=True)
    with pytest.raises(ag.InplaceError, match="is a view of another tensor's"):
        leaf.detach().add_(w)  # a detach() keeps the message about its source
