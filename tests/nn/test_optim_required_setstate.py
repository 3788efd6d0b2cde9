"""Two habits of optimizer code copied from PyTorch 1.x reference implementations (SGD
variants, AdaBound, sgd_hd.py, LARS): ``from torch.optim.optimizer import required`` with
``lr=required`` (a param group must then give its own lr), and a ``__setstate__`` that
calls ``super().__setstate__(state)`` and fills new defaults, which ``copy.deepcopy`` and
``pickle`` run. ``required`` was missing (ImportError) and the base class had no
``__setstate__`` (AttributeError); both now behave as PyTorch's."""

import copy
import pickle

import numpy as np
import pytest

import autograd as ag
import nn
from nn.errors import ConfigError
from nn.optim.optimizer import Optimizer, required


def sgd_class(torch, Base, required, name="OldSGD"):
    """An SGD written as PyTorch 1.x's was, for library ``torch``; kept in this module's
    namespace as ``name`` so that pickle finds it."""

    class OldSGD(Base):
        def __init__(self, params, lr=required, momentum=0):
            if lr is not required and lr < 0.0:
                raise ValueError("Invalid learning rate: {}".format(lr))
            super(OldSGD, self).__init__(params, dict(lr=lr, momentum=momentum))

        def __setstate__(self, state):
            super(OldSGD, self).__setstate__(state)
            for group in self.param_groups:
                group.setdefault('nesterov', False)

        @torch.no_grad()
        def step(self, closure=None):
            for group in self.param_groups:
                for p in group['params']:
                    if p.grad is None:
                        continue
                    state = self.state[p]
                    if 'momentum_buffer' not in state:
                        state['momentum_buffer'] = torch.clone(p.grad).detach()
                    else:
                        state['momentum_buffer'].mul_(group['momentum']).add_(p.grad)
                    p.add_(state['momentum_buffer'], alpha=-group['lr'])

    OldSGD.__name__ = OldSGD.__qualname__ = name
    globals()[name] = OldSGD
    return OldSGD


def test_required_is_pytorchs(torch) -> None:
    from torch.optim.optimizer import required as their_required

    assert repr(required) == repr(their_required)
    ours = sgd_class(ag, Optimizer, required)
    theirs = sgd_class(torch, torch.optim.Optimizer, their_required)
    with pytest.raises(ValueError, match="required optimization parameter lr") as error:
        ours([ag.zeros(2, requires_grad=True)])
    assert isinstance(error.value, ConfigError)
    with pytest.raises(ValueError, match="required optimization parameter lr"):
        theirs([torch.zeros(2, requires_grad=True)])
    # a group that gives its lr is fine, and so is lr= given to the constructor
    for lib, opt_class in ((ag, ours), (torch, theirs)):
        a, b = lib.zeros(2, requires_grad=True), lib.zeros(3, requires_grad=True)
        opt = opt_class([{"params": [a], "lr": 0.1}, {"params": [b], "lr": 0.2}])
        assert [g["lr"] for g in opt.param_groups] == [0.1, 0.2]
        assert opt_class([a], lr=0.3).param_groups[0]["lr"] == 0.3


@pytest.mark.parametrize("duplicate", [copy.deepcopy, lambda o: pickle.loads(pickle.dumps(o))])
def test_a_subclass_setstate_runs_on_copy(torch, duplicate) -> None:
    results = []
    for lib, base in ((ag, Optimizer), (torch, torch.optim.Optimizer)):
        model = (nn if lib is ag else torch.nn).Linear(3, 2)
        opt_class = sgd_class(lib, base, required, f"OldSGD_{lib.__name__}")
        opt = opt_class(model.parameters(), lr=0.1, momentum=0.9)
        model(lib.ones(4, 3)).sum().backward()
        opt.step()
        twin = duplicate(opt)
        assert twin.param_groups[0]["nesterov"] is False
        assert "nesterov" not in opt.param_groups[0]
        buffers = list(twin.state.values())
        assert len(buffers) == 2 and buffers[0] is not opt.state[model.weight]
        results.append(sorted(float(np.sum(s["momentum_buffer"].numpy())) for s in buffers))
    np.testing.assert_allclose(results[0], results[1], rtol=1e-15)
