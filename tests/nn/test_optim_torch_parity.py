"""Optimizer state dicts keyed as PyTorch's: ``sd["state"][0]["exp_avg"]`` (int keys);
state dicts and checkpoints written with the earlier str keys ("0") still load."""
import numpy as np
import pytest

import autograd
import nn
from nn.errors import StateDictError
from nn.optim import SGD, Adagrad, Adam, AdamW, RMSprop

CASES = [(SGD, {"lr": 0.1, "momentum": 0.9}), (Adam, {"lr": 0.01}), (AdamW, {"lr": 0.01}),
         (Adagrad, {"lr": 0.1}), (RMSprop, {"lr": 0.01})]
SHAPES = [(2, 3), (3,), (4,)]


def problem(seed=0, steps=4):
    rng = np.random.default_rng(seed)
    start = [rng.normal(size=s) for s in SHAPES]
    grads = [[rng.normal(size=s) for s in SHAPES] for _ in range(steps)]
    return start, grads


def run(opt, params, grads, tensor=autograd.Tensor):
    """Steps with the given gradients; the second parameter never gets one."""
    for step_grads in grads:
        for i, (p, g) in enumerate(zip(params, step_grads)):
            p.grad = None if i == 1 else tensor(g.copy())
        opt.step()


def ours(cls, kwargs, start):
    params = [autograd.Tensor(x.copy(), requires_grad=True) for x in start]
    return params, cls([{"params": params[:2]}, {"params": params[2:]}], **kwargs)


def str_keyed(sd):
    """The state dict as earlier versions wrote it: ``"state"`` keyed by "0", "1", ..."""
    return {"state": {str(k): v for k, v in sd["state"].items()},
            "param_groups": sd["param_groups"]}


@pytest.mark.parametrize("cls, kwargs", CASES, ids=[c[0].__name__ for c in CASES])
def test_state_is_keyed_by_int_as_torch(cls, kwargs):
    torch = pytest.importorskip("torch")
    start, grads = problem()
    params, opt = ours(cls, kwargs, start)
    run(opt, params, grads)
    tparams = [torch.nn.Parameter(torch.tensor(x)) for x in start]
    topt = getattr(torch.optim, cls.__name__)([{"params": tparams[:2]},
                                                {"params": tparams[2:]}], **kwargs)
    run(topt, tparams, grads, tensor=torch.tensor)
    sd, tsd = opt.state_dict(), topt.state_dict()
    # Adagrad fills every parameter's state when built (step 0), in both; the others
    # when a parameter first steps
    assert list(sd["state"]) == list(tsd["state"]) == ([0, 1, 2] if cls is Adagrad
                                                        else [0, 2])
    assert [g["params"] for g in sd["param_groups"]] == [g["params"] for g in
                                                         tsd["param_groups"]]
    for key, entry in tsd["state"].items():
        for name, value in entry.items():
            if name != "step":  # torch keeps a step tensor, ours an int
                np.testing.assert_allclose(sd["state"][key][name], value.numpy(), rtol=1e-12)


@pytest.mark.parametrize("cls, kwargs", CASES, ids=[c[0].__name__ for c in CASES])
def test_str_keyed_state_dict_loads_and_continues_as_the_int_keyed_one(cls, kwargs):
    start, grads = problem(seed=1, steps=6)
    params, opt = ours(cls, kwargs, start)
    run(opt, params, grads[:3])
    results = []
    for saved in (opt.state_dict(), str_keyed(opt.state_dict())):
        clones, other = ours(cls, kwargs, [p.data for p in params])
        other.load_state_dict(saved)
        assert other.state_dict()["state"].keys() == ({0, 1, 2} if cls is Adagrad else {0, 2})
        run(other, clones, grads[3:])
        results.append([p.data for p in clones])
    run(opt, params, grads[3:])
    for got in results:
        for p, x in zip(params, got):
            np.testing.assert_array_equal(p.data, x)


def test_bad_state_keys_are_state_dict_errors_and_load_nothing():
    start, grads = problem()
    params, opt = ours(Adam, {}, start)
    run(opt, params, grads[:1])
    sd = opt.state_dict()
    before = opt.state[params[0]]["exp_avg"].copy()
    twice = {"state": {0: sd["state"][0], "0": sd["state"][0]},
             "param_groups": sd["param_groups"]}
    with pytest.raises(StateDictError, match="parameter 0 twice .*int and a str key"):
        opt.load_state_dict(twice)
    for key in (True, "x", "-1", 7, 1.0):
        bad = {"state": {key: sd["state"][0]}, "param_groups": sd["param_groups"]}
        with pytest.raises(StateDictError, match=f"parameter {key}, which is in no"):
            opt.load_state_dict(bad)
    np.testing.assert_array_equal(opt.state[params[0]]["exp_avg"], before)


def assert_resumes_identically(opt, params, path, grads):
    """A fresh Adam loaded from ``path`` then continues exactly as ``opt`` does."""
    clones, other = ours(Adam, {}, [p.data for p in params])
    nn.load_into(path, optimizer=other)
    run(opt, params, grads)
    run(other, clones, grads)
    for p, q in zip(params, clones):
        np.testing.assert_array_equal(p.data, q.data)


def test_save_load_round_trip_keeps_int_keys(tmp_path):
    start, grads = problem(seed=2, steps=6)
    params, opt = ours(Adam, {"lr": 0.01}, start)
    run(opt, params, grads[:3])
    nn.save(tmp_path / "ckpt.npz", optimizer=opt)
    loaded = nn.load(tmp_path / "ckpt.npz")["optimizer"]
    assert list(loaded["state"]) == [0, 2]
    np.testing.assert_array_equal(loaded["state"][0]["exp_avg"],
                                  opt.state_dict()["state"][0]["exp_avg"])
    assert_resumes_identically(opt, params, tmp_path / "ckpt.npz", grads[3:])


def test_checkpoint_written_with_str_keys_still_loads(tmp_path):
    """A checkpoint of an earlier version (optimizer state keyed "0", "2") loads: nn.load
    hands the state back keyed by int and load_into resumes exactly."""
    start, grads = problem(seed=3, steps=6)
    params, opt = ours(Adam, {"lr": 0.01}, start)
    run(opt, params, grads[:3])

    class OldAdam:  # saved as earlier versions saved an Adam (same class name)
        def state_dict(self):
            return str_keyed(opt.state_dict())

        def load_state_dict(self, sd):
            raise AssertionError("never loaded into")
    OldAdam.__name__ = "Adam"
    nn.save(tmp_path / "old.npz", optimizer=OldAdam(), epoch=3)

    loaded = nn.load(tmp_path / "old.npz")
    assert list(loaded["optimizer"]["state"]) == [0, 2] and loaded["epoch"] == 3
    np.testing.assert_array_equal(loaded["optimizer"]["state"][2]["exp_avg_sq"],
                                  opt.state[params[2]]["exp_avg_sq"])
    assert_resumes_identically(opt, params, tmp_path / "old.npz", grads[3:])


def test_a_plain_dict_with_str_keys_is_loaded_unchanged(tmp_path):
    """Only an optimizer's state dict (saved through state_dict()) has its keys converted;
    a user's own dict keeps its str keys."""
    value = {"state": {"0": 1}, "param_groups": []}
    nn.save(tmp_path / "v.npz", value=value)
    assert nn.load(tmp_path / "v.npz")["value"] == value


# ------------------------------------------------- nn.optim.lr_scheduler (PyTorch's path)
SCHEDULERS = sorted(name for name in nn.optim.__all__
                    if isinstance(getattr(nn.optim, name), type)
                    and issubclass(getattr(nn.optim, name),
                                   (nn.optim.LRScheduler, nn.optim.ReduceLROnPlateau)))


def test_lr_scheduler_module_holds_every_scheduler_itself():
    from nn.optim import lr_scheduler
    assert len(SCHEDULERS) == 17
    assert sorted(lr_scheduler.__all__) == SCHEDULERS
    for name in SCHEDULERS:
        assert getattr(lr_scheduler, name) is getattr(nn.optim, name)  # not a copy
    from nn.optim.lr_scheduler import ReduceLROnPlateau, StepLR
    assert StepLR is nn.optim.StepLR and ReduceLROnPlateau is nn.optim.ReduceLROnPlateau


def test_lr_scheduler_names_are_torchs():
    torch = pytest.importorskip("torch")
    ours_only = {"LinearWarmup"}  # LinearLR from 0 (documented as ours)
    for name in set(SCHEDULERS) - ours_only:
        assert hasattr(torch.optim.lr_scheduler, name), name


def test_torch_tutorial_scheduler_code_gives_torchs_lrs():
    torch = pytest.importorskip("torch")
    p = autograd.Tensor(np.zeros(2), requires_grad=True)
    opt = nn.optim.SGD([p], lr=0.1, momentum=0.9)
    sched = nn.optim.lr_scheduler.StepLR(opt, step_size=2, gamma=0.5)
    plateau = nn.optim.lr_scheduler.ReduceLROnPlateau(opt, patience=1)
    tp = torch.nn.Parameter(torch.zeros(2))
    topt = torch.optim.SGD([tp], lr=0.1, momentum=0.9)
    tsched = torch.optim.lr_scheduler.StepLR(topt, step_size=2, gamma=0.5)
    tplateau = torch.optim.lr_scheduler.ReduceLROnPlateau(topt, patience=1)
    for epoch in range(8):
        p.grad, tp.grad = autograd.Tensor(np.ones(2)), torch.ones(2)
        opt.step()
        topt.step()
        sched.step()
        tsched.step()
        plateau.step(1.0)
        tplateau.step(1.0)
        assert opt.param_groups[0]["lr"] == pytest.approx(topt.param_groups[0]["lr"],
                                                          rel=1e-12), epoch


def test_lr_scheduler_has_every_torch_scheduler():
    torch = pytest.importorskip("torch")
    assert set(torch.optim.lr_scheduler.__all__) <= set(nn.optim.lr_scheduler.__all__)
    with pytest.raises(AttributeError, match="has no attribute 'Steplr'"):
        nn.optim.lr_scheduler.Steplr
