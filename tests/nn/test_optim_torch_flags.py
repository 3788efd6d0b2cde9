"""PyTorch's optimizer switches (foreach, fused, capturable, differentiable) are accepted
where torch's optimizers take them and change nothing; Adam's decoupled_weight_decay."""
import inspect

import numpy as np
import pytest

import autograd
from nn.errors import ArgumentTypeError, ConfigError, StateDictError
from nn.optim import (SGD, Adadelta, Adagrad, Adam, Adamax, AdamW, NAdam, RAdam, RMSprop,
                      Rprop)

FLAGS = ("foreach", "fused", "capturable", "differentiable")
CLASSES = [Adam, AdamW, SGD, RMSprop, Adagrad, Adamax, NAdam, RAdam, Adadelta, Rprop]
IDS = [c.__name__ for c in CLASSES]


def flags_of(cls):
    return {name for name in inspect.signature(cls).parameters if name in FLAGS}


def trajectory(cls, steps=4, **kwargs):
    rng = np.random.default_rng(0)
    p = autograd.Tensor(rng.normal(size=(3, 2)), requires_grad=True)
    opt = cls([p], lr=0.05, **kwargs)
    for _ in range(steps):
        p.grad = autograd.Tensor(rng.normal(size=(3, 2)))
        opt.step()
    return p.data.copy(), opt


@pytest.mark.parametrize("cls", CLASSES, ids=IDS)
def test_takes_the_flags_torch_takes(cls):
    torch = pytest.importorskip("torch")
    assert flags_of(cls) == flags_of(getattr(torch.optim, cls.__name__))


@pytest.mark.parametrize("cls", CLASSES, ids=IDS)
def test_flags_change_nothing(cls):
    given = {name: True for name in flags_of(cls) if name != "differentiable"}
    given["differentiable"] = False
    with_flags, opt = trajectory(cls, **given)
    plain, plain_opt = trajectory(cls)
    np.testing.assert_array_equal(with_flags, plain)
    assert opt.state_dict()["param_groups"] == plain_opt.state_dict()["param_groups"]


def test_nanogpt_fused_adamw_matches_torch():
    torch = pytest.importorskip("torch")
    ours, _ = trajectory(AdamW, weight_decay=0.1, betas=(0.9, 0.95), fused=True)
    rng = np.random.default_rng(0)
    p = torch.nn.Parameter(torch.tensor(rng.normal(size=(3, 2))))
    opt = torch.optim.AdamW([p], lr=0.05, weight_decay=0.1, betas=(0.9, 0.95))
    for _ in range(4):
        p.grad = torch.tensor(rng.normal(size=(3, 2)))
        opt.step()
    np.testing.assert_allclose(ours, p.detach().numpy(), rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("cls", CLASSES, ids=IDS)
def test_differentiable_true_is_a_named_error(cls):
    p = autograd.Tensor(np.ones(2), requires_grad=True)
    with pytest.raises(ConfigError, match=r"differentiable=True\) is not supported.*p\.data"):
        cls([p], differentiable=True)


def test_flags_must_be_bools():
    p = autograd.Tensor(np.ones(2), requires_grad=True)
    with pytest.raises(ArgumentTypeError, match="foreach"):
        Adam([p], foreach=1)
    with pytest.raises(ArgumentTypeError, match="capturable"):
        RMSprop([p], capturable="yes")


def test_a_flag_torch_lacks_is_still_a_type_error():
    p = autograd.Tensor(np.ones(2), requires_grad=True)
    with pytest.raises(TypeError, match="capturable"):
        SGD([p], capturable=False)  # as torch.optim.SGD


@pytest.mark.parametrize("amsgrad", [False, True])
def test_adam_decoupled_weight_decay_is_adamw(amsgrad):
    kwargs = dict(weight_decay=0.3, amsgrad=amsgrad)
    decoupled, opt = trajectory(Adam, decoupled_weight_decay=True, **kwargs)
    adamw, adamw_opt = trajectory(AdamW, **kwargs)
    np.testing.assert_array_equal(decoupled, adamw)
    assert opt.param_groups[0]["decoupled_weight_decay"] is True
    assert adamw_opt.param_groups[0]["decoupled_weight_decay"] is True
    l2, _ = trajectory(Adam, **kwargs)
    assert not np.allclose(l2, adamw)


def test_adam_decoupled_weight_decay_matches_torch():
    torch = pytest.importorskip("torch")
    if "decoupled_weight_decay" not in inspect.signature(torch.optim.Adam).parameters:
        pytest.skip("this torch's Adam has no decoupled_weight_decay (pinned above)")
    ours, opt = trajectory(Adam, weight_decay=0.3, decoupled_weight_decay=True)
    rng = np.random.default_rng(0)
    p = torch.nn.Parameter(torch.tensor(rng.normal(size=(3, 2))))
    topt = torch.optim.Adam([p], lr=0.05, weight_decay=0.3, decoupled_weight_decay=True)
    for _ in range(4):
        p.grad = torch.tensor(rng.normal(size=(3, 2)))
        topt.step()
    np.testing.assert_allclose(ours, p.detach().numpy(), rtol=1e-12, atol=1e-12)
    tgroup = topt.state_dict()["param_groups"][0]
    assert opt.state_dict()["param_groups"][0]["decoupled_weight_decay"] is \
        tgroup["decoupled_weight_decay"]


def test_adam_loads_a_state_dict_saved_before_decoupled_weight_decay():
    _, opt = trajectory(Adam, weight_decay=0.1)
    sd = opt.state_dict()
    del sd["param_groups"][0]["decoupled_weight_decay"]  # as an older version saved it
    _, fresh = trajectory(AdamW, steps=0)
    fresh.load_state_dict(sd)
    assert fresh.param_groups[0]["decoupled_weight_decay"] is True  # AdamW stays AdamW
    del sd["param_groups"][0]["amsgrad"]  # a real hyper-parameter missing still fails
    with pytest.raises(StateDictError, match="amsgrad"):
        fresh.load_state_dict(sd)


def test_adam_decoupled_weight_decay_must_be_a_bool():
    p = autograd.Tensor(np.ones(2), requires_grad=True)
    with pytest.raises(ArgumentTypeError, match="decoupled_weight_decay"):
        Adam([p], decoupled_weight_decay=1)
