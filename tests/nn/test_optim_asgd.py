"""``nn.optim.ASGD``: PyTorch's ``torch.optim.ASGD`` (it was missing here), checked step
by step against it: the decaying step size eta, the weight shrinkage by lambd, the average
``ax`` of the iterates from step t0 on, weight decay, ``maximize``, and a state dict
round trip."""
import numpy as np
import pytest

import autograd
from nn.optim import ASGD

SHAPES = [(3, 4), (5,)]
SETTINGS = [dict(), dict(lr=0.1, lambd=0.01, alpha=0.5, t0=2), dict(t0=0, weight_decay=0.1),
            dict(lr=0.05, t0=3, maximize=True)]


def trajectory(make_param, make_grad, optimizer_class, kwargs, reload):
    rng = np.random.default_rng(0)
    params = [make_param(rng.normal(size=s)) for s in SHAPES]
    opt = optimizer_class(params, **kwargs)
    out = []
    for i in range(6):
        for p in params:
            p.grad = make_grad(rng.normal(size=tuple(p.shape)))
        opt.step()
        out.append([p.detach().numpy().copy() for p in params])
        if reload and i == 2:
            state = opt.state_dict()
            opt = optimizer_class(params, **kwargs)
            opt.load_state_dict(state)
    out.append([np.asarray(opt.state[p][k].detach().numpy(), dtype=float)
                for p in params for k in ("step", "eta", "mu", "ax")])
    return out


@pytest.mark.parametrize("kwargs", SETTINGS, ids=[str(s) for s in SETTINGS])
@pytest.mark.parametrize("reload", [False, True], ids=["", "reloaded"])
def test_asgd_matches_torch(torch, kwargs, reload):
    got = trajectory(lambda x: autograd.tensor(x, requires_grad=True), autograd.tensor, ASGD,
                     kwargs, reload)
    want = trajectory(lambda x: torch.nn.Parameter(torch.tensor(x)), torch.tensor,
                      torch.optim.ASGD, kwargs, reload)
    for g, w in zip(got, want):
        for a, b in zip(g, w):
            np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-15)


def test_asgd_refuses_what_torch_refuses(torch):
    for kwargs in (dict(lr=-1.0), dict(weight_decay=-0.5)):
        with pytest.raises(ValueError):
            torch.optim.ASGD([torch.nn.Parameter(torch.zeros(2))], **kwargs)
        with pytest.raises(ValueError):
            ASGD([autograd.zeros(2, requires_grad=True)], **kwargs)
