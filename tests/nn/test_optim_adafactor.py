"""``nn.optim.Adafactor``: PyTorch's ``torch.optim.Adafactor`` (added in 2.5; it was
missing here), checked step by step against it: factored row/column second moments for
matrices (and stacks of them), a full one for vectors, the relative step size
``min(lr, 1/sqrt(t))`` scaled by the parameter's RMS, update clipping by ``d``, decoupled
weight decay, ``maximize``, a given ``eps1``, and a state dict round trip."""
import numpy as np
import pytest

import autograd
from nn.optim import Adafactor

SHAPES = [(3, 4), (4,), (2, 3, 5), (1, 1)]
SETTINGS = [dict(), dict(lr=0.05, weight_decay=0.1), dict(beta2_decay=-0.5, d=1.5),
            dict(eps=(1e-20, 1e-2), maximize=True)]


def problem(seed: int = 0, steps: int = 5):
    rng = np.random.default_rng(seed)
    start = [rng.normal(size=s) for s in SHAPES]
    grads = [[rng.normal(size=s) for s in SHAPES] for _ in range(steps)]
    return start, grads


def trajectory(make_param, make_grad, optimizer_class, kwargs, start, grads, reload=False):
    params = [make_param(x) for x in start]
    opt = optimizer_class(params, **kwargs)
    out = []
    for i, step_grads in enumerate(grads):
        for p, g in zip(params, step_grads):
            p.grad = make_grad(g)
        opt.step()
        out.append([p.detach().numpy().copy() for p in params])
        if reload and i == 1:
            state = opt.state_dict()
            opt = optimizer_class(params, **kwargs)
            opt.load_state_dict(state)
    states = [{k: np.asarray(v.detach().numpy() if hasattr(v, "detach") else v)
               for k, v in opt.state[p].items()} for p in params]
    return out, states


@pytest.mark.parametrize("kwargs", SETTINGS, ids=[str(s) for s in SETTINGS])
@pytest.mark.parametrize("reload", [False, True], ids=["", "reloaded"])
def test_adafactor_matches_torch(torch, kwargs, reload):
    start, grads = problem()
    got, got_states = trajectory(lambda x: autograd.tensor(x, requires_grad=True),
                                 autograd.tensor, Adafactor, kwargs, start, grads, reload)
    want, want_states = trajectory(lambda x: torch.nn.Parameter(torch.tensor(x)),
                                   torch.tensor, torch.optim.Adafactor, kwargs, start, grads,
                                   reload)
    for g, w in zip(got, want):
        for a, b in zip(g, w):
            np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-15)
    for g, w in zip(got_states, want_states):
        assert sorted(g) == sorted(w)
        for key in w:
            np.testing.assert_allclose(g[key], w[key], rtol=1e-12, atol=1e-15, err_msg=key)


def test_adafactor_checks_its_arguments_as_torch():
    p = [autograd.zeros(2, requires_grad=True)]
    for kwargs in (dict(lr=-1.0), dict(beta2_decay=0.5), dict(eps=(-1.0, 1e-3)),
                   dict(eps=(None, -1.0)), dict(d=0.5), dict(weight_decay=-0.1)):
        with pytest.raises(ValueError):
            Adafactor(p, **kwargs)
