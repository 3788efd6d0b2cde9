"""The keys PyTorch's OneCycleLR and CyclicLR write into each param group (initial_lr,
max_lr, min_lr, max_momentum, base_momentum) are written here too, and an optimizer state
dict holding them loads into a fresh optimizer (no scheduler attached yet), as in PyTorch."""
import numpy as np
import pytest

import autograd
import nn
from nn.optim import SGD, Adagrad, Adam, CyclicLR, OneCycleLR
from scheduler_helpers import make_optimizer, torch_optimizer

KEYS = ("initial_lr", "max_lr", "min_lr", "max_momentum", "base_momentum")
CASES = [  # (scheduler, its keyword arguments, optimizer name, optimizer keywords)
    ("OneCycleLR", dict(max_lr=[0.5, 0.2], total_steps=20, div_factor=10.0,
                        final_div_factor=50.0), "SGD", dict(momentum=0.9)),
    ("OneCycleLR", dict(max_lr=0.4, total_steps=20, base_momentum=[0.8, 0.7]), "Adam", {}),
    ("OneCycleLR", dict(max_lr=0.4, total_steps=20, cycle_momentum=False), "Adagrad", {}),
    ("CyclicLR", dict(base_lr=0.01, max_lr=[0.1, 0.2], max_momentum=[0.95, 0.9]), "SGD",
     dict(momentum=0.9)),
]


def group_keys(optimizer):
    return [{k: g[k] for k in KEYS if k in g} for g in optimizer.param_groups]


@pytest.mark.parametrize("name, kwargs, opt_name, opt_kwargs", CASES)
def test_param_group_keys_are_torchs(name, kwargs, opt_name, opt_kwargs):
    torch = pytest.importorskip("torch")
    opt = make_optimizer(cls=getattr(nn.optim, opt_name), **opt_kwargs)
    topt = torch_optimizer(torch, name=opt_name, **opt_kwargs)
    getattr(nn.optim, name)(opt, **kwargs)
    getattr(torch.optim.lr_scheduler, name)(topt, **kwargs)
    ours, theirs = group_keys(opt), group_keys(topt)
    for mine, want in zip(ours, theirs):
        assert mine.keys() == want.keys()
        for key, value in want.items():
            assert mine[key] == pytest.approx(value, rel=1e-15), key


def test_one_cycle_records_its_bounds_in_each_group():
    opt = make_optimizer(cls=SGD, momentum=0.9)
    OneCycleLR(opt, max_lr=[0.5, 0.2], total_steps=10, div_factor=5.0,
               final_div_factor=20.0, base_momentum=0.8, max_momentum=[0.9, 0.95])
    assert group_keys(opt) == [
        dict(initial_lr=0.1, max_lr=0.5, min_lr=pytest.approx(0.1 / 20.0), max_momentum=0.9,
             base_momentum=0.8),
        dict(initial_lr=0.04, max_lr=0.2, min_lr=pytest.approx(0.04 / 20.0),
             max_momentum=0.95, base_momentum=0.8)]
    plain = make_optimizer(cls=Adagrad)
    OneCycleLR(plain, max_lr=0.3, total_steps=10, cycle_momentum=False)
    assert all(g.keys().isdisjoint({"max_momentum", "base_momentum"})
               for g in plain.param_groups)


@pytest.mark.parametrize("make_scheduler", [
    lambda o: OneCycleLR(o, max_lr=0.5, total_steps=10),
    lambda o: CyclicLR(o, base_lr=0.01, max_lr=0.1)], ids=["OneCycleLR", "CyclicLR"])
def test_state_dict_with_scheduler_keys_loads_into_a_fresh_optimizer(make_scheduler,
                                                                     tmp_path):
    opt = make_optimizer(cls=Adam)
    scheduler = make_scheduler(opt)
    for _ in range(3):
        for g in opt.param_groups:
            g["params"][0].grad = autograd.Tensor(np.ones(2))
        opt.step()
        scheduler.step()
    nn.save(tmp_path / "ckpt.npz", optimizer=opt)
    fresh = make_optimizer(cls=Adam)
    nn.load_into(tmp_path / "ckpt.npz", optimizer=fresh)
    assert group_keys(fresh) == group_keys(opt)
    assert [g["lr"] for g in fresh.param_groups] == [g["lr"] for g in opt.param_groups]
