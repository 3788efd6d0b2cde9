"""Optimizer.load_state_dict across optimizer types: another optimizer's state (other
hyper-parameter keys) is a StateDictError, a scheduler's and the user's group keys load."""
import numpy as np
import pytest

import autograd
from nn.errors import StateDictError
from nn.optim import SGD, Adagrad, Adam, AdamW, RMSprop, StepLR


def make_params(start):
    return [autograd.Tensor(x.copy(), requires_grad=True) for x in start]


def run(opt, params, grads):
    for p, g in zip(params, grads):
        p.grad = autograd.Tensor(g.copy())
    opt.step()


@pytest.mark.parametrize("saved_cls, loading_cls", [(Adam, SGD), (SGD, Adam),
                                                   (Adagrad, RMSprop), (RMSprop, AdamW)])
def test_load_state_dict_of_another_optimizer_type_is_a_named_error(saved_cls, loading_cls):
    """Adam's state loaded into SGD used to merge silently (betas and exp_avg kept,
    momentum from SGD's defaults); now a StateDictError names both key sets."""
    params = make_params([np.zeros(3)])
    saved = saved_cls(params, lr=0.1)
    run(saved, params, [np.ones(3)])
    target = loading_cls(make_params([np.zeros(3)]), lr=0.1)
    before = (target.state_dict(), repr(target))
    with pytest.raises(StateDictError, match=rf"{loading_cls.__name__}.load_state_dict: "
                                             rf"parameter group 0 .* a {loading_cls.__name__} "
                                             rf"expects .*missing: .*unexpected: "):
        target.load_state_dict(saved.state_dict())
    assert (target.state_dict(), repr(target)) == before  # nothing changed


def test_load_state_dict_accepts_scheduler_and_user_group_keys():
    params = make_params([np.zeros(3)])
    opt = SGD([{"params": params, "name": "body"}], lr=0.1, momentum=0.9)
    StepLR(opt, step_size=1)  # adds initial_lr to the group
    run(opt, params, [np.ones(3)])
    fresh = SGD([{"params": make_params([np.zeros(3)]), "name": "body"}], lr=0.5)
    fresh.load_state_dict(opt.state_dict())
    assert fresh.param_groups[0]["momentum"] == 0.9
    loaded = SGD(make_params([np.zeros(3)]), lr=0.5)  # a group's own key loads, as PyTorch's
    loaded.load_state_dict(opt.state_dict())
    assert loaded.param_groups[0]["name"] == "body"


def test_a_damaged_state_entry_is_a_state_dict_error_and_loads_nothing():
    params = make_params([np.zeros((2, 3))])
    opt = SGD(params, lr=0.1, momentum=0.9)
    run(opt, params, [np.ones((2, 3))])
    saved = opt.state_dict()
    before = opt.state[params[0]]["momentum_buffer"].copy()
    bad_key = {"state": {"first": saved["state"][0]}, "param_groups": saved["param_groups"]}
    with pytest.raises(StateDictError, match="state for parameter first, which is in no"):
        opt.load_state_dict(bad_key)
    text = {"state": {"0": {"momentum_buffer": np.full((2, 3), "a")}},
            "param_groups": saved["param_groups"]}
    with pytest.raises(StateDictError, match="'momentum_buffer' of parameter 0 holds <U1 data"):
        opt.load_state_dict(text)
    np.testing.assert_array_equal(opt.state[params[0]]["momentum_buffer"], before)
