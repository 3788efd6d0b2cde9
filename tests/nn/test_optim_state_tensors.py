"""Optimizer state kept as PyTorch keeps it: ``opt.state[p]`` holds Tensors with PyTorch's
keys, shapes and dtypes (``step`` a 0-d float Tensor for all but SparseAdam), so a
PyTorch program's reads and in-place edits of the state work, compared with torch 2.x."""
import numpy as np
import pytest

import autograd
from nn import optim

SPECS = [
    ("SGD", dict(lr=0.1, momentum=0.9)),
    ("SGD", dict(lr=0.1, momentum=0.9, nesterov=True, weight_decay=0.01)),
    ("SGD", dict(lr=0.1)),
    ("Adagrad", dict(lr=0.1, lr_decay=0.01)),
    ("RMSprop", dict(lr=0.01, momentum=0.9, centered=True)),
    ("Adam", dict(lr=0.01, amsgrad=True)),
    ("AdamW", dict(lr=0.01)),
    ("Adamax", dict(lr=0.01)),
    ("NAdam", dict(lr=0.01)),
    ("RAdam", dict(lr=0.01)),
    ("Adadelta", dict(lr=0.5)),
    ("Rprop", dict(lr=0.01)),
]


def start(seed=0, shape=(3, 2)):
    return np.random.default_rng(seed).normal(size=shape)


def grads(steps, shape=(3, 2)):
    rng = np.random.default_rng(1)
    return [rng.normal(size=shape) for _ in range(steps)]


def run_ours(name, kwargs, steps=3):
    p = autograd.Tensor(start(), requires_grad=True)
    opt = getattr(optim, name)([p], **kwargs)
    for g in grads(steps):
        p.grad = autograd.Tensor(g)
        opt.step()
    return p, opt


def run_torch(torch, name, kwargs, steps=3):
    p = torch.nn.Parameter(torch.tensor(start()))
    opt = getattr(torch.optim, name)([p], **kwargs)
    for g in grads(steps):
        p.grad = torch.tensor(g)
        opt.step()
    return p, opt


def assert_state_like_torch(ours, theirs):
    assert list(ours) == list(theirs)  # same keys, same order
    for key, expected in theirs.items():
        got = ours[key]
        if not hasattr(expected, "numpy"):  # SparseAdam's int step
            assert type(got) is type(expected) and got == expected, key
            continue
        assert isinstance(got, autograd.Tensor), (key, type(got))
        assert got.shape == tuple(expected.shape), key
        assert str(got.dtype) == str(expected.dtype).removeprefix("torch."), key
        np.testing.assert_allclose(got.data, expected.numpy(), rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("name, kwargs", SPECS, ids=[f"{n}-{i}" for i, (n, _) in
                                                    enumerate(SPECS)])
def test_state_matches_pytorch(torch, name, kwargs):
    p, opt = run_ours(name, kwargs)
    tp, topt = run_torch(torch, name, kwargs)
    np.testing.assert_allclose(p.data, tp.detach().numpy(), rtol=1e-12)
    assert_state_like_torch(opt.state[p], topt.state[tp])
    # and through state_dict(), keyed by int as PyTorch's
    assert_state_like_torch(opt.state_dict()["state"].get(0, {}),
                            topt.state_dict()["state"].get(0, {}))


def test_sparse_adam_state_matches_pytorch(torch):
    """SparseAdam keeps an int step (PyTorch's too) and Tensor moments."""
    p = autograd.Tensor(start(), requires_grad=True)
    tp = torch.nn.Parameter(torch.tensor(start()))
    opt, topt = optim.SparseAdam([p], lr=0.01), torch.optim.SparseAdam([tp], lr=0.01)
    for g in grads(3):
        g[1] = 0  # a row the sparse gradient does not touch
        p.grad = autograd.Tensor(g)
        tp.grad = torch.tensor(g).to_sparse()
        opt.step()
        topt.step()
    assert_state_like_torch(opt.state[p], topt.state[tp])


def test_pytorch_style_reads_of_the_state(torch):
    """Monitoring habits: norms, sqrt().mean().item(), step.item(), clone()."""
    p, opt = run_ours("Adam", dict(lr=0.01))
    tp, topt = run_torch(torch, "Adam", dict(lr=0.01))
    state, tstate = opt.state[p], topt.state[tp]
    assert state["step"].item() == tstate["step"].item() == 3.0
    assert state["exp_avg"].norm().item() == pytest.approx(tstate["exp_avg"].norm().item())
    assert state["exp_avg_sq"].sqrt().mean().item() == pytest.approx(
        tstate["exp_avg_sq"].sqrt().mean().item())
    copy = state["exp_avg"].clone()  # a copy: the next step does not change it
    p.grad = autograd.Tensor(np.ones((3, 2)))
    opt.step()
    assert not np.array_equal(copy.data, state["exp_avg"].data)
    assert state["step"].item() == 4.0


def test_lookahead_style_reset_of_momentum_edits_the_live_state(torch):
    """Lookahead's ``param_state['momentum_buffer'].mul_(0)`` (and ``.zero_()``) must
    reset the buffer the next step uses, as in PyTorch."""
    p, opt = run_ours("SGD", dict(lr=0.1, momentum=0.9))
    tp, topt = run_torch(torch, "SGD", dict(lr=0.1, momentum=0.9))
    opt.state[p]["momentum_buffer"].mul_(0)
    topt.state[tp]["momentum_buffer"].mul_(0)
    g = grads(4)[-1]
    p.grad, tp.grad = autograd.Tensor(g), torch.tensor(g)
    opt.step()
    topt.step()
    np.testing.assert_allclose(p.data, tp.detach().numpy(), rtol=1e-12)
    assert_state_like_torch(opt.state[p], topt.state[tp])
    with autograd.no_grad():  # copying state from another optimizer, in place
        opt.state[p]["momentum_buffer"].copy_(autograd.Tensor(np.full((3, 2), 0.5)))
    opt.step()
    np.testing.assert_allclose(opt.state[p]["momentum_buffer"].data, 0.9 * 0.5 + g)


def test_copying_state_between_optimizers_with_clone():
    p, opt = run_ours("Adam", dict(lr=0.01))
    q = autograd.Tensor(start(), requires_grad=True)
    other = optim.Adam([q], lr=0.01)
    other.state[q] = {k: v.clone() for k, v in opt.state[p].items()}
    for o, param in ((opt, p), (other, q)):
        param.grad = autograd.Tensor(np.ones((3, 2)))
        o.step()
    np.testing.assert_array_equal(other.state[q]["exp_avg"].data, opt.state[p]["exp_avg"].data)
    assert other.state[q]["step"].item() == opt.state[p]["step"].item() == 4.0


def test_lbfgs_state_types_match_pytorch(torch):
    """LBFGS: vectors and the lists of pairs hold Tensors (ro, H_diag 0-d), the counts
    ints, as PyTorch's (its scratch list ``al`` is not kept here)."""
    target = start(2)
    p = autograd.Tensor(start(), requires_grad=True)
    tp = torch.nn.Parameter(torch.tensor(start()))
    opt, topt = optim.LBFGS([p], max_iter=4), torch.optim.LBFGS([tp], max_iter=4)

    def closure():
        opt.zero_grad()
        loss = ((p - autograd.Tensor(target)) ** 4).sum()
        loss.backward()
        return loss

    def tclosure():
        topt.zero_grad()
        loss = ((tp - torch.tensor(target)) ** 4).sum()
        loss.backward()
        return loss
    for _ in range(2):
        opt.step(closure)
        topt.step(tclosure)
    state, tstate = opt.state[p], topt.state[tp]
    assert set(state) == set(tstate) - {"al"}
    for key, expected in tstate.items():
        if key == "al":
            continue
        got = state[key]
        items = zip(got, expected) if isinstance(expected, list) else [(got, expected)]
        for mine, theirs in items:
            if hasattr(theirs, "numpy"):
                assert isinstance(mine, autograd.Tensor), key
                assert mine.shape == tuple(theirs.shape), key
                np.testing.assert_allclose(mine.data, theirs.numpy(), rtol=1e-7, atol=1e-12)
            else:
                assert isinstance(mine, (int, float)) and not isinstance(mine, autograd.Tensor)
