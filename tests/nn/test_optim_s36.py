"""Session 36 optimizer fixes: running averages by lerp (NaN after an infinite gradient, as
PyTorch's), hyper-parameters as 0-d tensors, the state dict's first-step order, the
global step hooks, PyTorch's repr, and Adagrad's per-group initial_accumulator_value."""
import warnings

import numpy as np
import pytest

import autograd
import nn
from nn.errors import ConfigError
from nn.optim import SGD, Adagrad, Adam
from nn.optim import optimizer as optimizer_module
from nn.optim.optimizer import Optimizer


def param(values):
    return nn.Parameter(autograd.Tensor(np.array(values, dtype=np.float64)))


def set_grads(params, value):
    for p in params:
        p.grad = None if value is None else autograd.Tensor(np.full(p.shape, value))


def lerp_average(grads, beta):
    """PyTorch's ``exp_avg.lerp_(g, 1 - beta)`` over the gradients, in NumPy."""
    m = np.float64(0.0)
    with np.errstate(invalid="ignore"):  # inf - inf
        for g in grads:
            m = m + (1 - beta) * (g - m)
    return m


# ------------------------------------------------------ running averages by lerp
GRADS = [0.5, np.inf, 0.3]


@pytest.mark.parametrize("make, key, beta", [
    (lambda ps: nn.optim.Adam(ps, lr=0.01), "exp_avg", 0.9),
    (lambda ps: nn.optim.Adam(ps, lr=0.01, amsgrad=True), "exp_avg", 0.9),
    (lambda ps: nn.optim.AdamW(ps, lr=0.01), "exp_avg", 0.9),
    (lambda ps: nn.optim.NAdam(ps, lr=0.01), "exp_avg", 0.9),
    (lambda ps: nn.optim.RAdam(ps, lr=0.01), "exp_avg", 0.9),
    (lambda ps: nn.optim.Adamax(ps, lr=0.01), "exp_avg", 0.9),
    (lambda ps: nn.optim.RMSprop(ps, lr=0.01, centered=True), "grad_avg", 0.99),
])
@pytest.mark.parametrize("flat", [True, False])
def test_running_average_after_an_infinite_gradient_is_nan(make, key, beta, flat):
    """m = m + (1 - beta)(g - m): m is inf after g = inf, then inf - inf = nan (PyTorch's
    state); beta m + (1 - beta) g stayed inf. ``flat``: every parameter has a gradient
    (Adam's flat path); else one has none (parameter by parameter)."""
    params = [param([1.0, 2.0]), param([3.0])]
    opt = make(params)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # NumPy's inf - inf
        for g in GRADS:
            set_grads(params, g)
            if not flat:
                params[1].grad = None
            opt.step()
    state = opt.state[params[0]][key].data
    expected = lerp_average(GRADS, beta)
    assert np.isnan(expected)
    assert np.isnan(state).all()


def test_radam_parameter_is_nan_after_an_infinite_gradient():
    p = param([1.0])
    opt = nn.optim.RAdam([p], lr=0.01)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        for g in GRADS:
            set_grads([p], g)
            opt.step()
    assert np.isnan(p.data).all()  # lr m_hat with m = nan (was -inf)


@pytest.mark.parametrize("flat", [True, False])
def test_adam_first_moment_is_the_lerp_formula(flat):
    """Finite gradients: exp_avg is ``m + (1 - b1)(g - m)`` evaluated as written."""
    grads = [0.7, -1.3, 2.9, 1e-3]
    params = [param([0.0]), param([0.0])]
    opt = Adam(params, lr=0.1)
    for g in grads:
        set_grads(params, g)
        if not flat:
            params[1].grad = None
        opt.step()
    assert opt.state[params[0]]["exp_avg"].data[0] == lerp_average(grads, 0.9)


# ---------------------------------------------------- 0-d tensor hyper-parameters
def scalar(value):
    return autograd.Tensor(np.array(value))


def run(opt_factory, steps=3):
    p = param([1.0, -2.0])
    opt = opt_factory([p])
    for _ in range(steps):
        p.grad = autograd.Tensor(p.data ** 3)
        opt.step()
    return p.data.copy(), opt


@pytest.mark.parametrize("cls, name, value", [
    (SGD, "weight_decay", 0.1), (SGD, "momentum", 0.5), (SGD, "dampening", 0.2),
    (Adam, "eps", 1e-3), (Adam, "weight_decay", 0.05), (nn.optim.NAdam, "momentum_decay", 0.01),
    (Adagrad, "lr_decay", 0.1), (Adagrad, "initial_accumulator_value", 0.2),
    (nn.optim.RMSprop, "alpha", 0.9), (nn.optim.Adadelta, "rho", 0.8),
    (nn.optim.ASGD, "t0", 2.0), (nn.optim.Adafactor, "d", 1.5),
])
def test_a_0d_tensor_hyper_parameter_is_used_as_its_number(cls, name, value):
    expected, _ = run(lambda ps: cls(ps, lr=0.1, **{name: value}))
    got, opt = run(lambda ps: cls(ps, lr=0.1, **{name: scalar(value)}))
    np.testing.assert_array_equal(got, expected)
    assert type(opt.param_groups[0][name]) is float and opt.param_groups[0][name] == value
    assert type(opt.defaults[name]) is float


def test_a_0d_tensor_in_a_param_group_and_in_add_param_group():
    p, q = param([1.0]), param([2.0])
    opt = SGD([{"params": [p], "weight_decay": scalar(0.1)}], lr=0.1)
    opt.add_param_group({"params": [q], "momentum": scalar(0.9)})
    assert opt.param_groups[0]["weight_decay"] == 0.1
    assert opt.param_groups[1]["momentum"] == 0.9


def test_an_integer_tensor_gives_an_int():
    opt = nn.optim.LBFGS([param([1.0])], max_eval=5, history_size=scalar(3))
    assert opt.param_groups[0]["history_size"] == 3
    assert type(opt.param_groups[0]["history_size"]) is int


def test_a_tensor_of_another_shape_is_a_config_error():
    with pytest.raises(ConfigError, match="weight_decay must be 0-d"):
        SGD([param([1.0])], lr=0.1, weight_decay=autograd.Tensor(np.array([0.1, 0.2])))


def test_a_loaded_0d_tensor_hyper_parameter_is_used_as_its_number():
    opt = SGD([param([1.0])], lr=0.1)
    sd = opt.state_dict()
    sd["param_groups"][0]["weight_decay"] = scalar(0.25)
    opt.load_state_dict(sd)
    assert opt.param_groups[0]["weight_decay"] == 0.25


def test_a_custom_optimizers_float_hyper_parameter_may_be_a_tensor():
    class Scaled(Optimizer):
        def __init__(self, params, lr=0.1, scale=2.0):
            super().__init__(params, dict(lr=lr, scale=scale))

    class Child(Scaled):
        def __init__(self, params, **kwargs):  # the parent's defaults count
            super().__init__(params, **kwargs)

    scale = Child([param([1.0])], scale=scalar(3.0)).param_groups[0]["scale"]
    assert type(scale) is float and scale == 3.0


# --------------------------------------------------------- state dict key order
def step_only(opt, params, active):
    for i, p in enumerate(params):
        p.grad = autograd.Tensor(np.ones(p.shape)) if i in active else None
    opt.step()


@pytest.mark.parametrize("cls", [Adam, nn.optim.RMSprop, nn.optim.NAdam])
def test_state_entries_come_in_first_step_order(cls):
    params = [param([1.0]) for _ in range(4)]
    opt = cls([{"params": params[:2]}, {"params": params[2:]}], lr=0.1)
    first_seen = []  # a step visits the parameters in group order
    for active in ([3, 1], [0, 1, 3], [2, 0]):
        step_only(opt, params, active)
        first_seen += [i for i in sorted(active) if i not in first_seen]
    assert first_seen == [1, 3, 0, 2]  # not sorted: the case the old order missed
    sd = opt.state_dict()
    assert list(sd["state"]) == first_seen
    fresh = cls([{"params": params[:2]}, {"params": params[2:]}], lr=0.1)
    fresh.load_state_dict(sd)
    assert list(fresh.state_dict()["state"]) == first_seen  # the loaded order is kept


def test_sgd_momentum_state_order_and_adagrad_construction_order():
    params = [param([1.0]) for _ in range(3)]
    opt = SGD(params, lr=0.1, momentum=0.9)
    step_only(opt, params, [2])
    step_only(opt, params, [0, 2])
    assert list(opt.state_dict()["state"]) == [2, 0]
    adagrad = Adagrad(params, lr=0.1)  # its state exists from the start
    step_only(adagrad, params, [2])
    assert list(adagrad.state_dict()["state"]) == [0, 1, 2]


# ---------------------------------------------------------------- global hooks
def test_global_step_hooks_wrap_every_optimizers_own():
    seen = []
    opt = SGD([param([1.0])], lr=0.1)
    other = Adam([param([1.0])], lr=0.1)
    handles = [optimizer_module.register_optimizer_step_pre_hook(
                   lambda o, a, k: seen.append(("gpre", o))),
               optimizer_module.register_optimizer_step_post_hook(
                   lambda o, a, k: seen.append(("gpost", o)))]
    try:
        opt.register_step_pre_hook(lambda o, a, k: seen.append(("pre", o)))
        opt.register_step_post_hook(lambda o, a, k: seen.append(("post", o)))
        set_grads(opt.param_groups[0]["params"] + other.param_groups[0]["params"], 1.0)
        opt.step()
        other.step()  # no hooks of its own
        assert seen == [("gpre", opt), ("pre", opt), ("post", opt), ("gpost", opt),
                        ("gpre", other), ("gpost", other)]
    finally:
        for handle in handles:
            handle.remove()
    seen.clear()
    other.step()
    assert seen == []


def test_a_global_pre_hook_may_replace_the_arguments():
    p = param([1.0])
    opt = SGD([p], lr=0.1)
    p.grad = autograd.Tensor(np.ones(1))

    def closure():
        return 42.0

    handle = optimizer_module.register_optimizer_step_pre_hook(
        lambda o, a, k: (a, {"closure": closure}))
    try:
        assert opt.step() == 42.0
    finally:
        handle.remove()
    assert opt.step() is None


def test_global_hooks_are_in_nn_optim_optimizer_as_in_torch_optim_optimizer():
    assert {"register_optimizer_step_pre_hook",
            "register_optimizer_step_post_hook"} <= set(nn.optim.optimizer.__all__)


# ------------------------------------------------------------------------ repr
def test_repr_is_pytorchs_format():
    p, q = param([1.0]), param([2.0])
    opt = SGD([{"params": [p]}, {"params": [q], "lr": 0.5}], lr=0.1, momentum=0.9)
    blocks = []
    for i, group in enumerate(opt.param_groups):
        lines = [f"    {k}: {group[k]}\n" for k in sorted(group) if k != "params"]
        blocks.append(f"\nParameter Group {i}\n" + "".join(lines))
    assert repr(opt) == "SGD (" + "".join(blocks) + ")"
    assert "Parameter Group 1\n    dampening: 0.0\n    lr: 0.5\n" in repr(opt)


# ------------------------------------------- Adagrad's initial_accumulator_value
def test_adagrad_uses_the_groups_initial_accumulator_value():
    """A deliberate divergence: PyTorch starts every sum at the constructor's value."""
    p, q = param([1.0]), param([1.0])
    opt = Adagrad([{"params": [p], "initial_accumulator_value": 5.0}], lr=0.1)
    opt.add_param_group({"params": [q], "initial_accumulator_value": 3.0})
    set_grads([p, q], 1.0)
    opt.step()
    assert opt.state[p]["sum"].data[0] == 6.0 and opt.state[q]["sum"].data[0] == 4.0
    assert p.data[0] == 1.0 - 0.1 / (np.sqrt(6.0) + 1e-10)
