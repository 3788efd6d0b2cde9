"""PyTorch functions that were ``MissingNameError``s: ``asarray``, ``logspace``,
``unravel_index``, ``dstack``, ``fliplr flipud rot90`` (and methods), ``inner vdot
addbmm`` (and methods), ``conj resolve_conj resolve_neg adjoint narrow_copy``,
``select_scatter slice_scatter`` (and methods): values and gradients against PyTorch."""

import numpy as np
import pytest

import autograd as ag

RNG = np.random.default_rng(0)


def _check(torch, call, *arrays) -> None:
    """call(ag, *tensors) against call(torch, *tensors): values, then gradients of a random
    weighted sum with respect to every input."""
    ours = [ag.tensor(a, requires_grad=True) for a in arrays]
    theirs = [torch.tensor(a, requires_grad=True) for a in arrays]
    out, out_t = call(ag, *ours), call(torch, *theirs)
    np.testing.assert_allclose(out.detach().numpy(), out_t.detach().numpy(), rtol=1e-12)
    g = RNG.normal(size=out.shape)
    (out * ag.tensor(g)).sum().backward()
    (out_t * torch.tensor(g)).sum().backward()
    for o, t in zip(ours, theirs):
        if t.grad is None:  # an input the call does not use
            assert o.grad is None
            continue
        np.testing.assert_allclose(o.grad.numpy(), t.grad.numpy(), rtol=1e-12, atol=1e-14)


A, B = RNG.normal(size=(3, 4)), RNG.normal(size=(2, 4))


@pytest.mark.parametrize("call, arrays", [
    (lambda t, x: t.fliplr(x), (A,)), (lambda t, x: t.flipud(x), (A,)),
    (lambda t, x: x.fliplr() + 0, (A,)), (lambda t, x: x.flipud(), (A,)),
    (lambda t, x: t.rot90(x), (A,)), (lambda t, x: t.rot90(x, 3, [1, 0]), (A,)),
    (lambda t, x: x.rot90(2, (0, 1)), (A,)), (lambda t, x: x.rot90(-1), (A,)),
    (lambda t, x, y: t.inner(x, y), (A, B)), (lambda t, x, y: x.inner(y), (A, B)),
    (lambda t, x, y: t.vdot(x[0], y[1]), (A, B)), (lambda t, x, y: x[1].vdot(y[0]), (A, B)),
    (lambda t, m, b1, b2: t.addbmm(m, b1, b2, beta=0.5, alpha=2.0),
     (RNG.normal(size=(3, 2)), RNG.normal(size=(4, 3, 5)), RNG.normal(size=(4, 5, 2)))),
    (lambda t, m, b1, b2: m.addbmm(b1, b2),
     (RNG.normal(size=(2,)), RNG.normal(size=(4, 3, 5)), RNG.normal(size=(4, 5, 2)))),
    (lambda t, x: t.adjoint(x), (A,)), (lambda t, x: t.conj(x) * 1, (A,)),
    (lambda t, x: t.resolve_conj(x) * 1, (A,)), (lambda t, x: t.resolve_neg(x) * 1, (A,)),
    (lambda t, x: t.narrow_copy(x, 1, 1, 2), (A,)),
    (lambda t, x, y: t.select_scatter(x, y[0, :3], 1, 2), (A, B)),
    (lambda t, x, y: x.select_scatter(y[1], 0, -1), (A, B)),
    (lambda t, x, y: t.slice_scatter(x, y[:, :3].T * 1, 1, 0, 4, 2), (A, B)),
    (lambda t, x, y: x.slice_scatter(y, start=1), (A, B)),
    (lambda t, x, y: t.dstack([x, x * 2]), (A, B)),
    (lambda t, x, y: t.dstack((x[0], y[0])), (A, B))])
def test_values_and_gradients_match_pytorch(torch, call, arrays) -> None:
    _check(torch, call, *arrays)


def test_asarray_shares_copies_and_converts_as_pytorch(torch) -> None:
    data = np.ones(3)
    for kwargs, torch_kwargs in (({}, {}), ({"copy": True}, {"copy": True}),
                                 ({"dtype": ag.float32}, {"dtype": torch.float32})):
        ours, theirs = ag.asarray(data, **kwargs), torch.asarray(data, **torch_kwargs)
        assert np.shares_memory(ours.data, data) == np.shares_memory(theirs.numpy(), data)
        assert "torch." + {"float64": "float64"}.get(ours.dtype.name, ours.dtype.name) == str(
            theirs.dtype)
    for value in ([1, 2], [True], 3):  # Python ints int64, bools bool, as torch.asarray
        assert "torch." + ag.asarray(value).dtype.name == str(torch.asarray(value).dtype)
    assert ag.asarray([1.5]).dtype == np.float64  # Python floats: the default dtype here
    with pytest.raises(ag.UsageError, match=r"asarray\(copy=False\): the float64 data cannot "
                                            r"be shared as float32"):
        ag.asarray(data, dtype=ag.float32, copy=False)
    x = ag.ones(2, requires_grad=True) * 2
    assert ag.asarray(x) is x
    alias = ag.asarray(x, requires_grad=False)
    assert alias is not x and not alias.requires_grad and np.shares_memory(alias.data, x.data)
    copied = ag.asarray(x, copy=True)
    assert copied.grad_fn is not None and not np.shares_memory(copied.data, x.data)
    leaf = ag.asarray([1.0, 2.0], requires_grad=True)
    assert leaf.is_leaf and leaf.requires_grad


def test_logspace_and_unravel_index_match_pytorch(torch) -> None:
    for args, kwargs in (((0, 2, 5), {}), ((-1, 1, 4), {"base": 2.0}), ((1, 1, 1), {})):
        np.testing.assert_allclose(ag.logspace(*args, **kwargs).numpy(),
                                   torch.logspace(*args, **kwargs).numpy(), rtol=1e-12)
    for index in ([5, 7, 0, 11], 5, [[1, 2], [3, -1]]):
        ours = ag.unravel_index(ag.tensor(index), (3, 4))
        theirs = torch.unravel_index(torch.tensor(index), (3, 4))
        for o, t in zip(ours, theirs):
            np.testing.assert_array_equal(o.numpy(), t.numpy())
            assert o.dtype == np.int64
    with pytest.raises(IndexError, match=r"unravel_index: the indices must lie in \[-12, 12\)"):
        ag.unravel_index(ag.tensor([12]), (3, 4))
    with pytest.raises(ag.UsageError, match="expected integer indices"):
        ag.unravel_index(ag.tensor([1.0]), (3, 4))


def test_shape_mistakes_are_named() -> None:
    with pytest.raises(ag.ShapeError, match="vdot: expected two 1-d tensors of one length"):
        ag.vdot(ag.ones(3), ag.ones(4))
    with pytest.raises(ag.ShapeError, match="fliplr needs a tensor of at least 2 axes"):
        ag.ones(3).fliplr()
    with pytest.raises(ag.ShapeError, match="addbmm: batch1 and batch2 must be batches"):
        ag.addbmm(ag.ones((2, 2)), ag.ones((2, 2)), ag.ones((2, 2)))
