"""PyTorch's other optimizers (Adamax, ...) against PyTorch, step by step: two param groups
with their own hyper-parameters, weight decay, maximize, a parameter without a gradient;
state keys as torch's; float32; state dicts and checkpoints that resume exactly; errors."""
import numpy as np
import pytest

import autograd
import nn
from nn.errors import ArgumentTypeError, ConfigError
from nn.optim import Adadelta, Adamax, NAdam, RAdam, Rprop

SHAPES = [(2, 3), (3,), (4,)]
STEPS = 12
# (class, keyword arguments, the second group's own hyper-parameters)
CASES = [
    (Adamax, dict(), dict(lr=0.05)),
    (Adamax, dict(lr=0.01, betas=(0.5, 0.8), eps=1e-3, weight_decay=0.1),
     dict(weight_decay=0.0, maximize=True)),
    (NAdam, dict(lr=0.01, weight_decay=0.1), dict(lr=0.05, momentum_decay=0.1)),
    (NAdam, dict(lr=0.01, weight_decay=0.1, decoupled_weight_decay=True, maximize=True),
     dict(betas=(0.5, 0.7), weight_decay=0.0)),
    (RAdam, dict(lr=0.01, weight_decay=0.1), dict(lr=0.05, betas=(0.5, 0.7))),
    (RAdam, dict(lr=0.01, weight_decay=0.1, decoupled_weight_decay=True, maximize=True),
     dict(eps=1e-2)),
    (Adadelta, dict(), dict(lr=0.5, rho=0.5)),
    (Adadelta, dict(lr=0.1, rho=0.95, eps=1e-3, weight_decay=0.1),
     dict(weight_decay=0.0, maximize=True)),
    (Rprop, dict(), dict(lr=0.05, etas=(0.3, 1.5))),
    (Rprop, dict(lr=0.1, step_sizes=(0.02, 0.12), maximize=True), dict(lr=1e-3)),
]


def _id(case):
    cls, kwargs, group = case
    return f"{cls.__name__}({','.join(f'{k}={v}' for k, v in kwargs.items())};{group})"


IDS = [_id(c) for c in CASES]


def problem(seed, dtype=np.float64):
    rng = np.random.default_rng(seed)
    start = [rng.standard_normal(s).astype(dtype) for s in SHAPES]
    start[0] = np.asfortranarray(start[0])  # as Linear's weights
    grads = [[(rng.standard_normal(s) * rng.uniform(0.1, 3.0)).astype(dtype) for s in SHAPES]
             for _ in range(STEPS)]
    for step in grads[::3]:
        step[1] = None  # the second parameter misses a gradient now and then
    return start, grads


def ours(case, start):
    cls, kwargs, group = case
    params = [autograd.Tensor(x.copy(), requires_grad=True) for x in start]
    return params, cls([{"params": params[:2]}, {"params": params[2:], **group}], **kwargs)


def step(opt, params, grads, tensor=autograd.Tensor):
    for p, g in zip(params, grads):
        p.grad = None if g is None else tensor(g.copy())
    opt.step()


@pytest.fixture
def torch64():
    """torch with float64 as its default dtype: torch keeps scalar state (NAdam's
    ``mu_product``) in the default dtype; float32 would round it, ours is a Python float."""
    torch = pytest.importorskip("torch")
    before = torch.get_default_dtype()
    torch.set_default_dtype(torch.float64)
    yield torch
    torch.set_default_dtype(before)


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_matches_torch_step_by_step(case, torch64):
    torch = torch64
    cls, kwargs, group = case
    start, grads = problem(seed=len(_id(case)))
    params, opt = ours(case, start)
    tparams = [torch.tensor(x.copy(), requires_grad=True) for x in start]
    topt = getattr(torch.optim, cls.__name__)([{"params": tparams[:2]},
                                                {"params": tparams[2:], **group}], **kwargs)
    for t, step_grads in enumerate(grads):
        step(opt, params, step_grads)
        step(topt, tparams, step_grads, tensor=torch.tensor)
        for p, tp in zip(params, tparams):
            np.testing.assert_allclose(p.data, tp.detach().numpy(), rtol=1e-10, atol=1e-13,
                                       err_msg=f"step {t + 1}")
    sd, tsd = opt.state_dict(), topt.state_dict()
    assert sd["state"].keys() == tsd["state"].keys()
    for key, entry in tsd["state"].items():
        assert sd["state"][key].keys() == entry.keys()
        for name, value in entry.items():
            np.testing.assert_allclose(sd["state"][key][name], value.numpy(), rtol=1e-10)
    for saved, tsaved in zip(sd["param_groups"], tsd["param_groups"]):
        assert {k: v for k, v in tsaved.items() if k in saved} == saved


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_float32_stays_float32(case):
    start, grads = problem(seed=3, dtype=np.float32)
    params, opt = ours(case, start)
    ref_params, ref = ours(case, [x.astype(np.float64) for x in start])
    for step_grads in grads:
        step(opt, params, step_grads)
        step(ref, ref_params, [None if g is None else g.astype(np.float64)
                               for g in step_grads])
    for p, q in zip(params, ref_params):
        assert p.data.dtype == np.float32
        assert all(v.dtype == np.float32 for v in opt.state[p].values()
                   if isinstance(v, np.ndarray))
        np.testing.assert_allclose(p.data, q.data, rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_checkpoint_round_trip_resumes_exactly(case, tmp_path):
    start, grads = problem(seed=5)
    params, opt = ours(case, start)
    for step_grads in grads[:5]:
        step(opt, params, step_grads)
    nn.save(tmp_path / "ckpt.npz", optimizer=opt)
    clones, other = ours(case, [p.data for p in params])
    nn.load_into(tmp_path / "ckpt.npz", optimizer=other)
    assert other.state_dict()["param_groups"] == opt.state_dict()["param_groups"]
    for step_grads in grads[5:]:
        step(opt, params, step_grads)
        step(other, clones, step_grads)
    for p, q in zip(params, clones):
        np.testing.assert_array_equal(p.data, q.data)


def test_exported_from_nn_optim():
    for name in ("Adamax", "NAdam", "RAdam", "Adadelta", "Rprop"):
        assert name in nn.optim.__all__ and getattr(nn.optim, name).__name__ == name


BAD = [
    (Adamax, dict(lr=-1.0), ConfigError, r"^Adamax: lr must be a finite number >= 0; got -1\.0"),
    (Adamax, dict(betas=(1.0, 0.9)), ConfigError, r"Adamax: betas\[0\] must be .*\[0, 1\)"),
    (Adamax, dict(betas=0.9), ArgumentTypeError,
     r"Adamax: betas must be a pair, e\.g\. betas=\(0\.9, 0\.999\); got 0\.9 \(float\)"),
    (Adamax, dict(betas=[0.9]), ConfigError, r"Invalid betas: \[0\.9\] \(expected a pair, e"),
    (Adamax, dict(eps="1e-8"), ArgumentTypeError, r"Adamax: eps must be a finite number"),
    (nn.optim.Adam, dict(betas=0.9), ArgumentTypeError, r"Adam: betas must be a pair, e\.g\."),
    (nn.optim.AdamW, dict(betas=[0.9]), ConfigError, r"Invalid betas: \[0\.9\]"),
    (NAdam, dict(momentum_decay=-0.1), ConfigError, r"NAdam: momentum_decay must be .*>= 0"),
    (NAdam, dict(decoupled_weight_decay=1), ArgumentTypeError,
     r"NAdam: decoupled_weight_decay must be True or False; got 1 \(int\)"),
    (NAdam, dict(betas=(0.9, 1.5)), ConfigError, r"NAdam: betas\[1\] must be"),
    (RAdam, dict(weight_decay=-0.1), ConfigError, r"RAdam: weight_decay must be .*>= 0"),
    (RAdam, dict(maximize="yes"), ArgumentTypeError, r"RAdam: maximize must be True or"),
    (Adadelta, dict(rho=1.5), ConfigError, r"Adadelta: rho must be a number in \[0, 1\]; got 1\.5"),
    (Adadelta, dict(lr=None), ArgumentTypeError, r"Adadelta: lr must be a finite number >= 0"),
    (Rprop, dict(etas=(1.0, 1.2)), ConfigError, r"Rprop: etas\[0\] must be a number in \(0, 1\)"),
    (Rprop, dict(etas=(0.5, 1)), ConfigError, r"Rprop: etas\[1\] must be a finite number > 1"),
    (Rprop, dict(etas=0.5), ArgumentTypeError, r"Rprop: etas must be a pair, e\.g\. etas="),
    (Rprop, dict(step_sizes=(1.0, 0.1)), ConfigError,
     r"Invalid step_sizes: \(1\.0, 0\.1\) \(expected \(smallest, largest\) with smallest <="),
    (Rprop, dict(step_sizes=(-1, 1)), ConfigError, r"Rprop: step_sizes\[0\] must be"),
]


@pytest.mark.parametrize("cls, kwargs, error, match", BAD)
def test_bad_hyper_parameters_are_named_errors(cls, kwargs, error, match):
    with pytest.raises(error, match=match):
        cls([autograd.Tensor(np.zeros(2), requires_grad=True)], **kwargs)
