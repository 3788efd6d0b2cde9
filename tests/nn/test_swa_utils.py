"""nn.optim.swa_utils: AveragedModel, the avg functions, SWALR and update_bn against
PyTorch's torch.optim.swa_utils, and their named errors."""
import numpy as np
import pytest

import nn
from autograd.errors import AutogradError, ShapeError
from nn.errors import ArgumentTypeError, ConfigError
from nn.optim import swa_utils

torch = pytest.importorskip("torch")
tswa = torch.optim.swa_utils


def _pair(seed=0):
    """An MLP with BatchNorm1d here and in torch, with the same starting weights."""
    ours = nn.Sequential(nn.Linear(3, 4), nn.BatchNorm1d(4), nn.ReLU(), nn.Linear(4, 2))
    theirs = torch.nn.Sequential(torch.nn.Linear(3, 4), torch.nn.BatchNorm1d(4),
                                 torch.nn.ReLU(), torch.nn.Linear(4, 2)).double()
    rng = np.random.default_rng(seed)
    state = {name: rng.normal(size=value.shape) if name.endswith(("weight", "bias"))
             else value for name, value in ours.state_dict().items()}
    ours.load_state_dict(state)
    theirs.load_state_dict({k: torch.as_tensor(np.asarray(v)) for k, v in state.items()})
    return ours, theirs


def _perturb(ours, theirs, rng, steps=1):
    """New random weights (and a training forward, which moves the BN buffers) in both."""
    x = rng.normal(size=(6, 3))
    for (_, p), (_, q) in zip(ours.named_parameters(), theirs.named_parameters()):
        values = rng.normal(size=p.shape)
        p.data[...] = values
        with torch.no_grad():
            q.copy_(torch.as_tensor(values))
    ours(x)
    theirs(torch.as_tensor(x))


def _check_same(avg, tavg):
    mine, their = avg.state_dict(), tavg.state_dict()
    assert list(mine) == list(their)
    for key in mine:
        np.testing.assert_allclose(np.asarray(mine[key]), their[key].numpy(), rtol=1e-12,
                                   atol=1e-12, err_msg=key)


@pytest.mark.parametrize("kind", ["swa", "ema_multi", "ema_avg", "swa_avg", "custom"])
@pytest.mark.parametrize("use_buffers", [False, True])
def test_averaged_model_matches_torch(kind, use_buffers):
    ours, theirs = _pair()
    fns = {"swa": ({}, {}),
           "ema_multi": ({"multi_avg_fn": swa_utils.get_ema_multi_avg_fn(0.9)},
                         {"multi_avg_fn": tswa.get_ema_multi_avg_fn(0.9)}),
           "ema_avg": ({"avg_fn": swa_utils.get_ema_avg_fn(0.8)},
                       {"avg_fn": tswa.get_ema_avg_fn(0.8)}),
           "swa_avg": ({"avg_fn": swa_utils.get_swa_avg_fn()},
                       {"avg_fn": tswa.get_swa_avg_fn()}),
           "custom": ({"avg_fn": lambda a, c, n: 0.5 * a + 0.5 * c},
                      {"avg_fn": lambda a, c, n: 0.5 * a + 0.5 * c})}
    mine, their = fns[kind]
    avg = swa_utils.AveragedModel(ours, use_buffers=use_buffers, **mine)
    tavg = tswa.AveragedModel(theirs, use_buffers=use_buffers, **their)
    _check_same(avg, tavg)
    rng = np.random.default_rng(1)
    for _ in range(5):
        _perturb(ours, theirs, rng)
        avg.update_parameters(ours)
        tavg.update_parameters(theirs)
        _check_same(avg, tavg)
    assert int(avg.n_averaged.data) == 5
    x = rng.normal(size=(5, 3))
    avg.eval()
    tavg.eval()
    np.testing.assert_allclose(np.asarray(avg(x).data),
                               tavg(torch.as_tensor(x)).detach().numpy(), rtol=1e-10)


def test_state_dict_keys_and_n_averaged_buffer():
    ours, theirs = _pair()
    avg, tavg = swa_utils.AveragedModel(ours), tswa.AveragedModel(theirs)
    assert list(avg.state_dict()) == list(tavg.state_dict())
    assert "n_averaged" in dict(avg.named_buffers())
    assert avg.n_averaged.dtype == np.int64 and avg.n_averaged.shape == ()
    assert avg.module is not ours and avg.module[0].weight is not ours[0].weight
    fresh = swa_utils.AveragedModel(ours)
    fresh.load_state_dict(avg.state_dict())


def test_update_is_a_counted_write_outside_the_graph():
    model = nn.Linear(2, 1)
    avg = swa_utils.AveragedModel(model)
    w = avg.module.weight
    loss = (w * w).sum()  # saves w for backward
    avg.update_parameters(model)
    avg.update_parameters(model)
    with pytest.raises(AutogradError):
        loss.backward()  # w was overwritten in place: refused, not silently wrong


def test_no_buffers_copied_not_averaged():
    ours, _ = _pair()
    avg = swa_utils.AveragedModel(ours)
    rng = np.random.default_rng(3)
    for _ in range(3):
        ours(rng.normal(size=(4, 3)))
        avg.update_parameters(ours)
        np.testing.assert_array_equal(avg.module[1].running_mean.data,
                                      ours[1].running_mean.data)


@pytest.mark.parametrize("strategy", ["cos", "linear"])
@pytest.mark.parametrize("anneal_epochs", [0, 1, 5])
def test_swalr_matches_torch(strategy, anneal_epochs):
    p = nn.Parameter(np.zeros(2))
    q = torch.nn.Parameter(torch.zeros(2))
    opt = nn.optim.SGD([{"params": [p]}, {"params": [nn.Parameter(np.zeros(1))], "lr": 0.3}],
                       lr=1.0)
    topt = torch.optim.SGD([{"params": [q]}, {"params": [torch.nn.Parameter(torch.zeros(1))],
                                              "lr": 0.3}], lr=1.0)
    sched = swa_utils.SWALR(opt, [0.05, 0.1], anneal_epochs=anneal_epochs,
                            anneal_strategy=strategy)
    tsched = tswa.SWALR(topt, [0.05, 0.1], anneal_epochs=anneal_epochs,
                        anneal_strategy=strategy)
    assert [g["swa_lr"] for g in opt.param_groups] == [g["swa_lr"] for g in topt.param_groups]
    for _ in range(15):
        np.testing.assert_allclose(sched.get_last_lr(), tsched.get_last_lr(), rtol=1e-12)
        opt.step()
        topt.step()
        sched.step()
        tsched.step()
    np.testing.assert_allclose(sched.get_last_lr(), [0.05, 0.1], rtol=1e-12)


def test_swalr_chains_after_another_schedule_and_restores_state():
    p = nn.Parameter(np.zeros(2))
    q = torch.nn.Parameter(torch.zeros(2))
    opt, topt = nn.optim.SGD([p], lr=1.0), torch.optim.SGD([q], lr=1.0)
    first, tfirst = nn.optim.ExponentialLR(opt, 0.5), torch.optim.lr_scheduler.ExponentialLR(
        topt, 0.5)
    for _ in range(3):
        opt.step()
        topt.step()
        first.step()
        tfirst.step()
    sched = swa_utils.SWALR(opt, 0.01, anneal_epochs=4)
    tsched = tswa.SWALR(topt, 0.01, anneal_epochs=4)
    for _ in range(6):
        opt.step()
        topt.step()
        sched.step()
        tsched.step()
        np.testing.assert_allclose(sched.get_last_lr(), tsched.get_last_lr(), rtol=1e-12)
    again = swa_utils.SWALR(opt, 0.01, anneal_epochs=4, anneal_strategy="linear")
    again.load_state_dict(sched.state_dict())
    assert again.anneal_func(0.25) == pytest.approx((1 - np.cos(np.pi / 4)) / 2)  # cos


def test_update_bn_matches_torch():
    ours, theirs = _pair()
    rng = np.random.default_rng(5)
    xs = [rng.normal(size=(n, 3)) for n in (4, 7, 5)]
    ours.eval()
    theirs.eval()
    ours[1].momentum = theirs[1].momentum = 0.3
    swa_utils.update_bn([(x, np.zeros(len(x))) for x in xs], ours)
    tswa.update_bn([(torch.as_tensor(x), torch.zeros(len(x))) for x in xs], theirs)
    for key in ("running_mean", "running_var", "num_batches_tracked"):
        np.testing.assert_allclose(np.asarray(ours.state_dict()["1." + key]),
                                   theirs.state_dict()["1." + key].numpy(), rtol=1e-12)
    assert not ours.training and ours[1].momentum == 0.3
    before = ours.state_dict()["1.running_mean"].copy()
    swa_utils.update_bn(xs, ours)  # plain arrays as batches: the same statistics
    np.testing.assert_allclose(ours.state_dict()["1.running_mean"], before, rtol=1e-12)


def test_update_bn_on_averaged_model_and_without_batchnorm():
    ours, _ = _pair()
    avg = swa_utils.AveragedModel(ours)
    avg.update_parameters(ours)
    swa_utils.update_bn([np.ones((3, 3)), np.zeros((3, 3))], avg)
    np.testing.assert_allclose(avg.module[1].num_batches_tracked.data, 2)
    plain = nn.Linear(3, 1)
    before = plain.weight.data.copy()
    swa_utils.update_bn([np.ones((2, 3))], plain)
    np.testing.assert_array_equal(plain.weight.data, before)


def test_errors_are_named():
    model = nn.Linear(2, 1)
    with pytest.raises(ConfigError, match="avg_fn or multi_avg_fn"):
        swa_utils.AveragedModel(model, avg_fn=swa_utils.get_swa_avg_fn(),
                                multi_avg_fn=swa_utils.get_swa_multi_avg_fn())
    with pytest.raises(ArgumentTypeError, match="nn.Module"):
        swa_utils.AveragedModel(object())
    avg = swa_utils.AveragedModel(model)
    with pytest.raises(ShapeError, match="architecture"):
        avg.update_parameters(nn.Linear(3, 1))
    for fn in (swa_utils.get_ema_avg_fn, swa_utils.get_ema_multi_avg_fn):
        with pytest.raises(ValueError, match="decay"):  # as torch: a ValueError
            fn(1.5)
    opt = nn.optim.SGD([nn.Parameter(np.zeros(1))], lr=0.1)
    with pytest.raises(ValueError, match="anneal_epochs"):
        swa_utils.SWALR(opt, 0.05, anneal_epochs=-1)
    with pytest.raises(ValueError, match="anneal_strategy"):
        swa_utils.SWALR(opt, 0.05, anneal_strategy="exp")
    with pytest.raises(ValueError, match="swa_lr"):
        swa_utils.SWALR(opt, [0.05, 0.1])
    with pytest.raises(ArgumentTypeError, match="Optimizer"):
        swa_utils.SWALR(object(), 0.05)
    with pytest.raises(ConfigError, match="CPU"):
        swa_utils.update_bn([], model, device="cuda")
    topt = torch.optim.SGD([torch.nn.Parameter(torch.zeros(1))], lr=0.1)
    with pytest.raises(ValueError):  # torch's class of error for the same input
        tswa.SWALR(topt, 0.05, anneal_epochs=-1)
