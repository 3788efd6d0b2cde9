"""Loading optimizer state: Tensors cast to the parameter's dtype as PyTorch does
(``step`` kept), checkpoints round-trip the Tensor state, and state dicts and checkpoints
written when the state was NumPy arrays and int steps still load (as Tensors)."""
import numpy as np
import pytest

import autograd
import nn
from nn import optim
from nn.errors import StateDictError


def param(dtype=np.float64, seed=0):
    return autograd.Tensor(np.random.default_rng(seed).normal(size=(3, 2)).astype(dtype),
                           requires_grad=True)


def steps(opt, p, n, seed=1):
    rng = np.random.default_rng(seed)
    for _ in range(n):
        p.grad = autograd.Tensor(rng.normal(size=p.shape).astype(p.dtype))
        opt.step()


def test_load_state_dict_casts_floating_state_to_the_parameter_dtype(torch):
    """float64 state loaded for a float32 parameter becomes float32; ``step`` keeps its
    dtype, as in PyTorch."""
    p, tp = param(), torch.nn.Parameter(torch.tensor(param().data))
    opt, topt = optim.Adam([p]), torch.optim.Adam([tp])
    p.grad, tp.grad = autograd.Tensor(np.ones((3, 2))), torch.ones(3, 2)
    opt.step()
    topt.step()
    q, tq = param(np.float32), torch.nn.Parameter(torch.zeros(3, 2, dtype=torch.float32))
    target, ttarget = optim.Adam([q]), torch.optim.Adam([tq])
    target.load_state_dict(opt.state_dict())
    ttarget.load_state_dict(topt.state_dict())
    for key, expected in ttarget.state[tq].items():
        assert str(target.state[q][key].dtype) == str(expected.dtype).removeprefix("torch.")
    assert target.state[q]["exp_avg"].dtype == np.float32
    assert target.state[q]["step"].dtype == np.float64


def test_custom_optimizer_tensor_state_is_cast_and_copied():
    class Momentum(optim.Optimizer):
        def __init__(self, params, lr=0.1):
            super().__init__(params, dict(lr=lr))

        def _update(self, param_array, grad, state, group):
            if "buf" not in state:
                state["buf"] = autograd.Tensor(np.zeros_like(param_array))
                state["scale"] = autograd.Tensor(np.ones(5))  # any shape, as PyTorch allows
            state["buf"].data[...] = 0.9 * state["buf"].data + grad
            param_array -= group["lr"] * state["buf"].data

    p = param()
    opt = Momentum([p])
    steps(opt, p, 2)
    q = param(np.float32)
    target = Momentum([q])
    saved = opt.state_dict()
    target.load_state_dict(saved)
    assert target.state[q]["buf"].dtype == np.float32
    assert target.state[q]["scale"].shape == (5,)
    target.state[q]["buf"].data[...] = 7  # a copy: the saved dict is unchanged
    assert not np.any(saved["state"][0]["buf"].data == 7)


def test_state_dict_is_a_snapshot_and_load_copies():
    p = param()
    opt = optim.Adam([p])
    steps(opt, p, 2)
    saved = opt.state_dict()
    before = saved["state"][0]["exp_avg"].data.copy()
    steps(opt, p, 1)
    np.testing.assert_array_equal(saved["state"][0]["exp_avg"].data, before)
    assert saved["state"][0]["step"].item() == 2.0
    opt.load_state_dict(saved)
    opt.state[p]["exp_avg"].mul_(0)  # editing the live state leaves the saved dict alone
    np.testing.assert_array_equal(saved["state"][0]["exp_avg"].data, before)


def test_wrong_shape_tensor_state_is_a_state_dict_error():
    p = param()
    opt = optim.Adam([p])
    steps(opt, p, 1)
    saved = opt.state_dict()
    saved["state"][0]["exp_avg"] = autograd.Tensor(np.zeros(4))
    with pytest.raises(StateDictError, match="exp_avg.*shape"):
        optim.Adam([param()]).load_state_dict(saved)


def legacy_state_dict(opt):
    """``opt.state_dict()`` as earlier versions wrote it: arrays, an int step, a float
    mu_product, "state" keyed by str."""
    saved = opt.state_dict()
    old = {}
    for key, entry in saved["state"].items():
        old[str(key)] = {name: (int(v.item()) if name == "step" else
                                float(v.item()) if name == "mu_product" else v.data.copy())
                         for name, v in entry.items()}
    return {"state": old, "param_groups": saved["param_groups"]}


@pytest.mark.parametrize("cls", [optim.Adam, optim.NAdam, optim.RMSprop, optim.Rprop])
def test_legacy_array_state_dict_loads_as_tensors_and_continues(cls):
    p = param()
    opt = cls([p], lr=0.01)
    steps(opt, p, 2)
    q = autograd.Tensor(p.data.copy(), requires_grad=True)
    resumed = cls([q], lr=0.01)
    resumed.load_state_dict(legacy_state_dict(opt))
    for key, value in opt.state[p].items():
        got = resumed.state[q][key]
        assert isinstance(got, autograd.Tensor) and got.dtype == value.dtype, key
    steps(opt, p, 2, seed=5)
    steps(resumed, q, 2, seed=5)
    np.testing.assert_array_equal(q.data, p.data)


def test_checkpoint_round_trip_keeps_tensor_state(tmp_path):
    p = param()
    opt = optim.NAdam([p], lr=0.01)
    steps(opt, p, 2)
    nn.save(tmp_path / "c.npz", optim=opt)
    q = autograd.Tensor(p.data.copy(), requires_grad=True)
    resumed = optim.NAdam([q], lr=0.01)
    nn.load(tmp_path / "c.npz", optim=resumed)
    for key, value in opt.state[p].items():
        got = resumed.state[q][key]
        assert isinstance(got, autograd.Tensor) and got.dtype == value.dtype, key
        np.testing.assert_array_equal(got.data, value.data)
    nn.save(opt.state_dict(), tmp_path / "sd.npz")  # torch.save(opt.state_dict(), path)
    sd = nn.load(tmp_path / "sd.npz")
    sd["state"][0]["exp_avg"].mul_(0)  # editing what was loaded, then loading it
    resumed.load_state_dict(sd)
    assert not np.any(resumed.state[q]["exp_avg"].data)
    np.testing.assert_array_equal(resumed.state[q]["exp_avg_sq"].data,
                                  opt.state[p]["exp_avg_sq"].data)


def test_checkpoint_written_with_array_state_still_loads(tmp_path):
    """A checkpoint from before the state was Tensors: arrays and an int step."""
    p = param()
    opt = optim.Adam([p], lr=0.01)
    steps(opt, p, 3)

    class Adam:  # stands in for the Adam of earlier versions when saving
        def state_dict(self):
            return legacy_state_dict(opt)

        def load_state_dict(self, state_dict):
            raise AssertionError("not used")

    nn.save(tmp_path / "old.npz", optim=Adam())
    q = autograd.Tensor(p.data.copy(), requires_grad=True)
    resumed = optim.Adam([q], lr=0.01)
    nn.load(tmp_path / "old.npz", optim=resumed)
    assert resumed.state[q]["step"].item() == 3.0
    assert isinstance(resumed.state[q]["exp_avg"], autograd.Tensor)
    steps(opt, p, 2, seed=5)
    steps(resumed, q, 2, seed=5)
    np.testing.assert_array_equal(q.data, p.data)


def test_legacy_lbfgs_state_dict_loads_as_tensors_and_continues():
    """LBFGS's state of earlier versions: arrays, lists of arrays, ro and H_diag floats."""
    target = np.random.default_rng(3).normal(size=(3, 2))

    def make():
        p = param()
        opt = optim.LBFGS([p], max_iter=3)

        def closure():
            opt.zero_grad()
            loss = ((p - autograd.Tensor(target)) ** 4).sum()
            loss.backward()
            return loss
        return p, opt, closure

    p, opt, closure = make()
    opt.step(closure)
    saved = opt.state_dict()
    entry = saved["state"][0]
    old = {k: (v.data if isinstance(v, autograd.Tensor) else v) for k, v in entry.items()}
    old.update(old_dirs=[v.data for v in entry["old_dirs"]],
               old_stps=[v.data for v in entry["old_stps"]],
               ro=[v.item() for v in entry["ro"]], H_diag=float(entry["H_diag"].item()))
    q, resumed, resumed_closure = make()
    q.data[...] = p.data
    resumed.load_state_dict({"state": {"0": old}, "param_groups": saved["param_groups"]})
    state = resumed.state[q]
    assert all(isinstance(state[k], autograd.Tensor) for k in ("d", "prev_flat_grad"))
    assert state["ro"] and all(isinstance(v, autograd.Tensor)
                               for v in state["old_dirs"] + state["ro"])
    for _ in range(2):
        opt.step(closure)
        resumed.step(resumed_closure)
    np.testing.assert_array_equal(q.data, p.data)
    assert isinstance(resumed.state[q]["H_diag"], autograd.Tensor)
