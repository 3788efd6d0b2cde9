"""``Module.register_state_dict_pre_hook`` / ``register_state_dict_post_hook`` and
``register_load_state_dict_pre_hook`` / ``register_load_state_dict_post_hook``: code that
keeps continual-learning or federated extras in a checkpoint (an importance buffer added
by a post hook, an old key renamed by a load pre-hook) called them and got an
AttributeError here. Each is compared with PyTorch's, same hooks on both."""

from __future__ import annotations

import numpy as np
import pytest

import autograd as ag
import nn
from nn.errors import StateDictError


def libraries(torch=None) -> tuple:
    return (ag, nn) if torch is None else (torch, torch.nn)


def save_hooks_program(torch=None) -> tuple:
    T, NN = libraries(torch)
    model = NN.Sequential(NN.Linear(2, 3), NN.Linear(3, 1))
    seen = []
    model[0].register_state_dict_pre_hook(
        lambda module, prefix, keep_vars: seen.append(("pre", prefix, keep_vars)))

    def add_omega(module, state_dict, prefix, local_metadata):
        state_dict[prefix + "omega"] = T.ones(3)
        seen.append(("post", prefix))
    handle = model[0].register_state_dict_post_hook(add_omega)
    keys = list(model.state_dict(prefix="net."))
    handle.remove()
    return keys, list(model.state_dict()), seen


def load_hooks_program(torch=None) -> tuple:
    T, NN = libraries(torch)
    T.manual_seed(0)
    model = NN.Sequential(NN.Linear(2, 3), NN.Linear(3, 1))
    seen = []

    def rename(module, state_dict, prefix, local_metadata, strict, missing_keys,
               unexpected_keys, error_msgs):
        if prefix + "w" in state_dict:  # an old checkpoint's name
            state_dict[prefix + "weight"] = state_dict.pop(prefix + "w")
        seen.append(("pre", prefix, strict))

    def after(module, incompatible_keys):
        seen.append(("post", list(incompatible_keys.missing_keys),
                     list(incompatible_keys.unexpected_keys)))
    model[1].register_load_state_dict_pre_hook(rename)
    model.register_load_state_dict_post_hook(after)
    old = {"0.weight": T.zeros(3, 2), "0.bias": T.zeros(3), "1.w": T.full((1, 3), 2.0),
           "1.bias": T.zeros(1)}
    model.load_state_dict(old)
    model.load_state_dict({"1.w": T.full((1, 3), 3.0)}, strict=False)
    return model[1].weight.detach().numpy().copy(), seen


def test_state_dict_pre_and_post_hooks_as_pytorchs(torch):
    assert save_hooks_program() == save_hooks_program(torch)
    keys, _, _ = save_hooks_program()
    assert keys == ["net.0.weight", "net.0.bias", "net.0.omega", "net.1.weight",
                    "net.1.bias"]


def test_load_state_dict_pre_and_post_hooks_as_pytorchs(torch):
    ours, theirs = load_hooks_program(), load_hooks_program(torch)
    np.testing.assert_array_equal(ours[0], theirs[0])
    assert ours[1] == theirs[1]


def test_a_load_pre_hook_error_message_raises_and_a_post_hook_value_is_refused():
    model = nn.Linear(2, 1)
    model.register_load_state_dict_pre_hook(
        lambda module, sd, prefix, meta, strict, missing, unexpected, errors:
        errors.append("old format"))
    with pytest.raises(StateDictError, match="old format"):
        model.load_state_dict(model.state_dict())
    other = nn.Linear(2, 1)
    other.register_state_dict_post_hook(lambda module, sd, prefix, meta: {})
    with pytest.raises(ag.UsageError, match="must return None"):
        other.state_dict()


def test_a_load_post_hook_that_clears_the_keys_passes_strict_as_pytorchs(torch):
    """PyTorch checks ``strict`` after the post-hooks: a hook clearing the unexpected keys
    (an old checkpoint's extras) lets a strict load pass; one that keeps them raises."""
    for T, NN, error in ((ag, nn, StateDictError), (torch, torch.nn, RuntimeError)):
        model = NN.Linear(2, 1)
        checkpoint = {"weight": T.ones(1, 2), "bias": T.zeros(1), "omega": T.ones(1)}
        handle = model.register_load_state_dict_post_hook(
            lambda module, keys: keys.unexpected_keys.clear())
        model.load_state_dict(checkpoint)
        assert model.weight.sum().item() == 2.0
        handle.remove()
        model.register_load_state_dict_post_hook(lambda module, keys: None)
        with pytest.raises(error, match="omega"):
            model.load_state_dict(checkpoint)
