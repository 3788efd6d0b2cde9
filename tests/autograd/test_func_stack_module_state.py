"""``autograd.func.stack_module_state``: PyTorch's ``torch.func.stack_module_state``, the
parameters and buffers of M modules of one class stacked by name into new leaves, for
ensembling with ``vmap`` and ``functional_call``."""

import copy

import numpy as np
import pytest

import autograd as ag
import nn


def test_an_ensemble_through_vmap_is_torchs(torch):
    torch.manual_seed(0)
    theirs = [torch.nn.Sequential(torch.nn.Linear(3, 4), torch.nn.BatchNorm1d(4),
                                  torch.nn.Linear(4, 2)) for _ in range(3)]
    ours = [nn.Sequential(nn.Linear(3, 4), nn.BatchNorm1d(4), nn.Linear(4, 2))
            for _ in range(3)]
    for o, t in zip(ours, theirs):
        t.eval()
        o.eval()
        o.load_state_dict({k: ag.tensor(v.numpy()) for k, v in t.state_dict().items()})
    x = np.random.RandomState(0).rand(5, 3)
    results = []
    for lib, func, models in ((torch, torch.func, theirs), (ag, ag.func, ours)):
        params, buffers = func.stack_module_state(models)
        assert all(p.requires_grad and p.is_leaf for p in params.values())
        assert not any(b.requires_grad for b in buffers.values())
        base = copy.deepcopy(models[0])

        def call(params, buffers, data):
            return func.functional_call(base, (params, buffers), (data,))

        out = func.vmap(call, in_dims=(0, 0, None))(params, buffers, lib.tensor(x))
        out.square().sum().backward()
        assert models[0][0].weight.grad is None  # the stacks are new leaves
        results.append((list(params), list(buffers), out.detach().numpy(),
                        {k: p.grad.numpy() for k, p in params.items()},
                        {k: b.numpy() for k, b in buffers.items()}))
    (want_p, want_b, want, want_g, want_buf), (got_p, got_b, got, got_g, got_buf) = results
    assert got_p == want_p and got_b == want_b
    np.testing.assert_allclose(got, want, rtol=1e-12)
    for k in want_g:
        np.testing.assert_allclose(got_g[k], want_g[k], rtol=1e-10, atol=1e-14)
    for k in want_buf:
        np.testing.assert_array_equal(got_buf[k], want_buf[k])


def test_stacking_no_modules_or_mixed_ones_says_so():
    with pytest.raises(ag.UsageError, match="at least one"):
        ag.func.stack_module_state([])
    with pytest.raises(ag.UsageError, match="same class"):
        ag.func.stack_module_state([nn.Linear(2, 2), nn.Tanh()])
    with pytest.raises(ag.UsageError, match="training"):
        ag.func.stack_module_state([nn.Linear(2, 2), nn.Linear(2, 2).eval()])
