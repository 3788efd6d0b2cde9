"""PyTorch's methods that were missing: memory layout (``stride storage_offset data_ptr
nbytes itemsize get_device conj resolve_conj resolve_neg is_conj is_neg``), pieces
(``hsplit vsplit dsplit select swapdims msort sum_to_size aminmax positive``), ``logit
xlogy`` and the in-place forms of these and of ``remainder fmod``, ``bitwise_*``, and
``clip_ addmm_ baddbmm_``; values and gradients against PyTorch."""

import numpy as np
import pytest

import autograd as ag

RNG = np.random.default_rng(0)
X = RNG.normal(size=(4, 6))


def _pair(torch, data=X):
    return ag.tensor(data, requires_grad=True), torch.tensor(data, requires_grad=True)


def _same_grads(torch, ours, theirs, out, out_t) -> None:
    outs = out if isinstance(out, (tuple, list)) else (out,)
    outs_t = out_t if isinstance(out_t, (tuple, list)) else (out_t,)
    assert len(outs) == len(outs_t)
    total, total_t = 0, 0
    for k, (o, t) in enumerate(zip(outs, outs_t)):
        np.testing.assert_allclose(o.detach().numpy(), t.detach().numpy(), rtol=1e-12)
        g = np.random.default_rng(k).normal(size=o.shape)
        total = total + (o * ag.tensor(g)).sum()
        total_t = total_t + (t * torch.tensor(g, dtype=t.dtype)).sum()
    total.backward()
    total_t.backward()
    np.testing.assert_allclose(ours.grad.numpy(), theirs.grad.numpy(), rtol=1e-12, atol=1e-15)


def test_layout_matches_pytorch(torch) -> None:
    x, xt = ag.tensor(X), torch.tensor(X)
    for ours, theirs in ((x, xt), (x.T, xt.T), (x[1], xt[1]), (x[:, 2:], xt[:, 2:])):
        assert ours.stride() == theirs.stride()
        assert ours.stride(-1) == theirs.stride(-1)
        assert ours.storage_offset() == theirs.storage_offset()
        assert ours.nbytes == theirs.nbytes and ours.itemsize == theirs.itemsize
    assert x[1].data_ptr() - x.data_ptr() == xt[1].data_ptr() - xt.data_ptr()
    assert x.detach().data_ptr() == x.data_ptr() and x.clone().data_ptr() != x.data_ptr()
    assert x.get_device() == xt.get_device() == -1
    for name in ("conj", "resolve_conj", "resolve_neg"):
        assert getattr(x, name)() is x
    assert not x.is_conj() and not x.is_neg() and not xt.is_conj()


@pytest.mark.parametrize("call", [
    lambda t, x: t.hsplit(x, 2), lambda t, x: x.vsplit(2),
    lambda t, x: t.dsplit(x.reshape(2, 2, 6), [1, 4]), lambda t, x: x.hsplit([2]),
    lambda t, x: t.select(x, 1, -2), lambda t, x: x.select(0, 3),
    lambda t, x: t.swapdims(x, 0, 1), lambda t, x: x.msort(), lambda t, x: t.msort(x),
    lambda t, x: x.sum_to_size(1, 6), lambda t, x: x.sum_to_size((4, 1)),
    lambda t, x: x.sum_to_size(6), lambda t, x: tuple(t.aminmax(x)),
    lambda t, x: tuple(x.aminmax(dim=1, keepdim=True)), lambda t, x: x.positive(),
    lambda t, x: t.remainder(x, 0.7), lambda t, x: x.remainder(x * 0.3 + 2),
    lambda t, x: t.fmod(x, -0.7), lambda t, x: x.fmod(x * 0.3 + 2),
    lambda t, x: x.sigmoid().logit(), lambda t, x: x.sigmoid().logit(eps=0.3),
    lambda t, x: x.xlogy(x * x + 1), lambda t, x: (x * x).xlogy(2.0)])
def test_piece_and_special_methods_match_pytorch(torch, call) -> None:
    ours, theirs = _pair(torch)
    _same_grads(torch, ours, theirs, call(ag, ours), call(torch, theirs))


def test_pieces_name_their_mistakes() -> None:
    x = ag.tensor(X)
    with pytest.raises(ag.ShapeError, match="hsplit: an axis of length 6 does not split "
                                            "into 4 equal parts"):
        x.hsplit(4)
    with pytest.raises(ag.ShapeError, match="dsplit needs a tensor of at least 3 axes"):
        x.dsplit(2)
    with pytest.raises(IndexError, match="select: index 4 is out of range for axis 0"):
        x.select(0, 4)
    with pytest.raises(ag.ShapeError, match=r"sum_to_size: size \(3,\) is not expandable"):
        x.sum_to_size(3)
    with pytest.raises(ag.UsageError, match="positive: a bool tensor"):
        (x > 0).positive()


def test_in_place_forms_match_pytorch(torch) -> None:
    a, b = RNG.normal(size=(4, 3)), RNG.normal(size=(3, 6))
    cases = [("clip_", (-0.5, 0.5), {}), ("clamp_min_", (0.1,), {}),
             ("clamp_max_", (0.2,), {}), ("remainder_", (0.7,), {}), ("fmod_", (0.7,), {}),
             ("addmm_", (a, b), dict(beta=0.5, alpha=2.0))]
    for name, args, kwargs in cases:
        ours, theirs = ag.tensor(X.copy()), torch.tensor(X.copy())
        getattr(ours, name)(*[ag.tensor(v) if isinstance(v, np.ndarray) else v for v in args],
                            **kwargs)
        getattr(theirs, name)(*[torch.tensor(v) if isinstance(v, np.ndarray) else v
                                for v in args], **kwargs)
        np.testing.assert_allclose(ours.numpy(), theirs.numpy(), rtol=1e-12)
    p = RNG.uniform(0.1, 0.9, size=(3, 2))
    ours, theirs = ag.tensor(p.copy()), torch.tensor(p.copy())
    ours.logit_()
    theirs.logit_()
    ours.xlogy_(2.0)
    theirs.xlogy_(2.0)
    np.testing.assert_allclose(ours.numpy(), theirs.numpy(), rtol=1e-12)
    batch = RNG.normal(size=(2, 3, 3))
    ours, theirs = ag.tensor(batch.copy()), torch.tensor(batch.copy())
    ours.baddbmm_(ag.tensor(batch), ag.tensor(batch), alpha=0.5)
    theirs.baddbmm_(torch.tensor(batch), torch.tensor(batch), alpha=0.5)
    np.testing.assert_allclose(ours.numpy(), theirs.numpy(), rtol=1e-12)


def test_bitwise_methods_and_functions_match_pytorch(torch) -> None:
    a, b = X > 0, X < 0.5
    ints = np.arange(12).reshape(3, 4)
    for name in ("bitwise_and", "bitwise_or", "bitwise_xor"):
        for u, v in ((a, b), (ints, ints[::-1].copy())):
            want = getattr(torch, name)(torch.tensor(u), torch.tensor(v)).numpy()
            np.testing.assert_array_equal(getattr(ag, name)(ag.tensor(u), ag.tensor(v)).numpy(),
                                          want)
            np.testing.assert_array_equal(getattr(ag.tensor(u), name)(ag.tensor(v)).numpy(),
                                          want)
    np.testing.assert_array_equal(ag.tensor(a).bitwise_not().numpy(),
                                  torch.tensor(a).bitwise_not().numpy())
    np.testing.assert_array_equal(ag.bitwise_not(ag.tensor(ints)).numpy(),
                                  torch.bitwise_not(torch.tensor(ints)).numpy())
