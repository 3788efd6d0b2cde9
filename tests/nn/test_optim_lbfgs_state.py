"""nn.optim.LBFGS without torch: its errors (no closure, a closure without a loss, a second
parameter group, bad hyper-parameters), state dicts and checkpoints that resume exactly,
maximize, float32, and its parameter writes counting as writes."""
import numpy as np
import pytest

import autograd
import nn
from autograd import InplaceError, Tensor
from nn.errors import ArgumentTypeError, CheckpointError, ConfigError, StateDictError
from nn.optim import LBFGS

RNG = np.random.default_rng(0)
A, B = RNG.standard_normal((8, 3)), RNG.standard_normal(8)
STATE_KEYS = {"func_evals", "n_iter", "d", "t", "old_dirs", "old_stps", "ro", "H_diag",
              "prev_flat_grad", "prev_loss"}


def problem(dtype=np.float64, sign=1.0, **kwargs):
    """Least squares in two parameters (a matrix, F order as Linear's, and a vector)."""
    w = Tensor(np.asfortranarray(np.full((3, 1), 0.5, dtype)), requires_grad=True)
    b = Tensor(np.array([0.1], dtype), requires_grad=True)
    opt = LBFGS([w, b], **kwargs)
    a, target = Tensor(A.astype(dtype)), Tensor(B.astype(dtype)[:, None])

    def closure():
        opt.zero_grad()
        loss = ((a @ w + b - target) ** 2).mean() * sign
        loss.backward()
        return loss
    return [w, b], opt, closure


# ------------------------------------------------------------------- errors
@pytest.mark.parametrize("closure", [None, 0.5])
def test_step_without_a_closure_is_a_named_error(closure):
    _, opt, _ = problem()
    with pytest.raises(ArgumentTypeError, match=r"LBFGS\.step\(closure\) needs a closure") as e:
        opt.step() if closure is None else opt.step(closure)
    assert isinstance(e.value, TypeError) and "loss.backward()" in str(e.value)


@pytest.mark.parametrize("returned", [None, "loss", np.ones(3)])
def test_a_closure_that_does_not_return_the_loss_is_a_named_error(returned):
    params, opt, closure = problem()

    def forgetful():
        closure()
        return returned
    with pytest.raises(ArgumentTypeError, match="the closure must return the loss"):
        opt.step(forgetful)


def test_one_parameter_group_only():
    w, b = Tensor([1.0], requires_grad=True), Tensor([2.0], requires_grad=True)
    with pytest.raises(ConfigError, match=r"doesn't support per-parameter options") as e:
        LBFGS([{"params": [w]}, {"params": [b], "lr": 0.1}])
    assert isinstance(e.value, ValueError)
    opt = LBFGS([w])
    with pytest.raises(ConfigError, match="Pass them in one list"):
        opt.add_param_group({"params": [b]})
    assert LBFGS([{"params": [w, b], "lr": 0.5}]).param_groups[0]["lr"] == 0.5


BAD = [
    (dict(lr=-1.0), ConfigError, r"LBFGS: lr must be a finite number >= 0; got -1\.0"),
    (dict(lr="1"), ArgumentTypeError, r"LBFGS: lr must be a finite number"),
    (dict(max_iter=0), ConfigError, r"LBFGS: max_iter must be an int >= 1; got 0"),
    (dict(max_iter=2.0), ArgumentTypeError, r"max_iter must be an int .*max_iter=2"),
    (dict(max_eval=0), ConfigError, r"LBFGS: max_eval must be an int >= 1"),
    (dict(history_size=0), ConfigError, r"LBFGS: history_size must be an int >= 1"),
    (dict(tolerance_grad=-1e-7), ConfigError, r"LBFGS: tolerance_grad must be"),
    (dict(tolerance_change=float("nan")), ConfigError, r"LBFGS: tolerance_change must be"),
    (dict(line_search_fn="wolfe"), ConfigError,
     r"line_search_fn must be None or 'strong_wolfe' \(the only .*got 'wolfe'"),
    (dict(line_search_fn=True), ArgumentTypeError, r"line_search_fn must be None or"),
    (dict(maximize=1), ArgumentTypeError, r"LBFGS: maximize must be True or False"),
]


@pytest.mark.parametrize("kwargs, error, message", BAD, ids=[str(k) for k, _, _ in BAD])
def test_bad_hyper_parameters_are_named_errors(kwargs, error, message):
    with pytest.raises(error, match=message):
        LBFGS([Tensor([1.0], requires_grad=True)], **kwargs)


def test_max_eval_defaults_to_a_quarter_more_than_max_iter():
    w = Tensor([1.0], requires_grad=True)
    assert LBFGS([w]).param_groups[0]["max_eval"] == 25
    assert LBFGS([w], max_iter=7).param_groups[0]["max_eval"] == 8
    assert LBFGS([w], max_iter=7, max_eval=3).param_groups[0]["max_eval"] == 3


# ---------------------------------------------------------------- behaviour
def test_step_runs_the_closure_with_gradients_under_no_grad():
    params, opt, closure = problem()
    with autograd.no_grad():
        first = opt.step(closure)
    assert first.requires_grad  # the closure's loss, recorded with gradients on
    assert opt.state[params[0]]["func_evals"] > 1
    assert closure().item() < first.item()


@pytest.mark.parametrize("search", [None, "strong_wolfe"])
def test_maximize_climbs_as_minimising_the_negated_loss(search):
    """maximize=True on -f runs exactly the iterations of minimising f, and returns the
    closure's own (negative) loss."""
    params, opt, closure = problem(line_search_fn=search, max_iter=6)
    up_params, up, up_closure = problem(sign=-1.0, line_search_fn=search, max_iter=6,
                                        maximize=True)
    for _ in range(3):
        loss, up_loss = opt.step(closure), up.step(up_closure)
        assert up_loss.item() == -loss.item()
        for p, q in zip(params, up_params):
            np.testing.assert_array_equal(p.data, q.data)


@pytest.mark.parametrize("search", [None, "strong_wolfe"])
def test_float32_stays_float32(search):
    params, opt, closure = problem(np.float32, line_search_fn=search, max_iter=4)
    ref_params, ref, ref_closure = problem(np.float64, line_search_fn=search, max_iter=4)
    for _ in range(2):
        opt.step(closure)
        ref.step(ref_closure)
    for p, q in zip(params, ref_params):
        assert p.data.dtype == np.float32
        np.testing.assert_allclose(p.data, q.data, rtol=1e-4, atol=1e-5)
    state = opt.state[params[0]]
    assert all(v.dtype == np.float32 for v in [state["d"], *state["old_dirs"]])


def test_a_step_counts_as_a_write_of_each_parameter():
    params, opt, closure = problem()
    stale = (params[0] ** 2).sum()  # saved w's values before the step
    opt.step(closure)
    with pytest.raises(InplaceError):
        stale.backward()


def test_stops_at_once_when_the_gradient_is_already_small():
    params, opt, closure = problem(tolerance_grad=1e3)
    before = [p.data.copy() for p in params]
    opt.step(closure)
    assert opt.state[params[0]] == {"func_evals": 1, "n_iter": 0}
    for p, x in zip(params, before):
        np.testing.assert_array_equal(p.data, x)


# -------------------------------------------------------------- state dicts
@pytest.mark.parametrize("search", [None, "strong_wolfe"])
def test_checkpoint_round_trip_resumes_exactly(search, tmp_path):
    params, opt, closure = problem(line_search_fn=search, max_iter=3, history_size=2)
    for _ in range(2):
        opt.step(closure)
    state = opt.state_dict()["state"]
    assert list(state) == [0] and set(state[0]) == STATE_KEYS  # torch's keys, under param 0
    nn.save(tmp_path / "ckpt.npz", optimizer=opt)
    clones, other, other_closure = problem(line_search_fn=search, max_iter=3, history_size=2)
    for p, q in zip(clones, params):
        np.copyto(p.data, q.data)
    nn.load_into(tmp_path / "ckpt.npz", optimizer=other)
    assert other.state_dict()["param_groups"] == opt.state_dict()["param_groups"]
    for _ in range(3):
        assert opt.step(closure).item() == other.step(other_closure).item()
        for p, q in zip(params, clones):
            np.testing.assert_array_equal(p.data, q.data)


def test_state_dict_is_a_snapshot():
    params, opt, closure = problem(history_size=3, max_iter=2)
    opt.step(closure)
    saved = opt.state_dict()
    pairs, d = len(saved["state"][0]["old_dirs"]), saved["state"][0]["d"].copy()
    for _ in range(3):
        opt.step(closure)
    assert len(saved["state"][0]["old_dirs"]) == pairs
    np.testing.assert_array_equal(saved["state"][0]["d"], d)


def test_loading_copies_the_history():
    """Later steps change the optimizer's lists, never the state dict it was loaded from."""
    params, opt, closure = problem(max_iter=2)
    opt.step(closure)
    saved = opt.state_dict()
    lengths = {k: len(saved["state"][0][k]) for k in ("old_dirs", "old_stps", "ro")}
    other_params, other, other_closure = problem(max_iter=2)
    other.load_state_dict(saved)
    for _ in range(2):
        other.step(other_closure)
    assert {k: len(saved["state"][0][k]) for k in lengths} == lengths


def test_load_state_dict_casts_to_the_parameters_dtype():
    params, opt, closure = problem(max_iter=3)
    opt.step(closure)
    params32, opt32, _ = problem(np.float32, max_iter=3)
    opt32.load_state_dict(opt.state_dict())
    state = opt32.state[params32[0]]
    assert state["d"].dtype == np.float32 and state["old_stps"][0].dtype == np.float32


def test_mismatched_state_dicts_are_named_errors():
    params, opt, closure = problem(max_iter=3)
    opt.step(closure)
    saved = opt.state_dict()
    for name, value, message in [
            ("d", np.zeros(3), r"'d' must be a vector of 4 numbers .* shape \(3,\)"),
            ("old_dirs", [np.zeros(5)], r"'old_dirs\[0\]' must be a vector of 4"),
            ("old_stps", np.zeros(4), r"'old_stps' must be a list of vectors"),
            ("ro", [], r"must have the same length"),
            ("ro", ["x"], r"'ro' must be a list of numbers")]:
        broken = {**saved, "state": {0: {**saved["state"][0], name: value}}}
        with pytest.raises(StateDictError, match=message):
            opt.load_state_dict(broken)
    with pytest.raises(StateDictError, match=r"under parameter 0 .* under 1"):
        opt.load_state_dict({**saved, "state": {1: saved["state"][0]}})
    with pytest.raises(StateDictError, match="exactly the keys"):
        opt.load_state_dict({"state": {}})
    opt.load_state_dict(saved)  # the intact one still loads


def test_an_adam_checkpoint_does_not_load_into_lbfgs(tmp_path):
    params, opt, closure = problem()
    adam = nn.optim.Adam(params)
    closure()
    adam.step()
    nn.save(tmp_path / "adam.npz", optimizer=adam)
    with pytest.raises(CheckpointError, match="class Adam"):
        nn.load_into(tmp_path / "adam.npz", optimizer=opt)
