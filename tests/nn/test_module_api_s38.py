"""nn.Module API fixes of session 38, each checked against values computed here (NumPy or
hand-derived): ``_save_to_state_dict`` overrides, PyTorch's private state-dict hook
registrars, ``_get_name``, ``to_empty``, container index errors, a multi-line
``extra_repr``, a backward pre-hook dropping a gradient, ``add_module(name, None)`` on a
container, mixing the two backward hook kinds, and KeyError for taken names."""

import numpy as np
import pytest

import nn
from autograd import Tensor
from autograd.errors import TensorIndexError, UsageError
from nn.errors import ArgumentTypeError, ConfigError


def linear(n_in: int, n_out: int) -> nn.Linear:
    layer = nn.Linear(n_in, n_out)
    layer.weight.data[...] = np.arange(n_in * n_out, dtype=float).reshape(n_out, n_in)
    layer.bias.data[...] = np.arange(n_out, dtype=float) + 10
    return layer


class ScaledLinear(nn.Linear):
    """A quantization-style override: the parent's entries, then one of its own."""

    def _save_to_state_dict(self, destination, prefix, keep_vars):
        super()._save_to_state_dict(destination, prefix, keep_vars)
        destination[prefix + "scale"] = float(np.abs(self.weight.data).max())


class Packed(nn.Linear):
    """An override that saves the weight transposed (a packed layout)."""

    def _save_to_state_dict(self, destination, prefix, keep_vars):
        super()._save_to_state_dict(destination, prefix, keep_vars)
        destination[prefix + "weight"] = Tensor(self.weight.data.T.copy())


# ---------------------------------------------------------------- 1. _save_to_state_dict
def test_save_to_state_dict_override_adds_its_entry_under_the_prefix():
    q = ScaledLinear(2, 3)
    q.weight.data[...] = np.array([[1.0, -7.0], [2.0, 3.0], [0.5, 4.0]])
    model = nn.Sequential(linear(3, 2), nn.Sequential(q))
    sd = model.state_dict()
    assert list(sd) == ["0.weight", "0.bias", "1.0.weight", "1.0.bias", "1.0.scale"]
    assert sd["1.0.scale"] == 7.0
    np.testing.assert_array_equal(sd["1.0.weight"].data, q.weight.data)
    assert list(model.state_dict(prefix="m.")) == ["m." + k for k in sd]


def test_save_to_state_dict_override_may_change_a_value():
    p = Packed(2, 3)
    sd = nn.Sequential(p).state_dict()
    np.testing.assert_array_equal(sd["0.weight"].data, p.weight.data.T)
    np.testing.assert_array_equal(sd["0.bias"].data, p.bias.data)


def test_base_save_to_state_dict_writes_only_the_module_own_state():
    class Block(nn.Module):
        def __init__(self):
            super().__init__()
            self.scale = nn.Parameter(Tensor(np.array([2.0])))
            self.register_buffer("count", Tensor(np.array([3.0])))
            self.register_buffer("tmp", Tensor(np.array([4.0])), persistent=False)
            self.fc = linear(1, 1)

        def get_extra_state(self):
            return {"step": 5}

        def set_extra_state(self, state):
            pass

    block, destination = Block(), {}
    block._save_to_state_dict(destination, "b.", False)
    assert list(destination) == ["b.scale", "b.count", "b._extra_state"]
    assert destination["b._extra_state"] == {"step": 5}
    assert not destination["b.scale"].data.flags.writeable  # a read-only copy
    kept = {}
    block._save_to_state_dict(kept, "", True)
    assert kept["scale"] is block.scale


def test_override_path_gives_the_same_entries_as_the_plain_path():
    class Model(nn.Module):
        def __init__(self, head):
            super().__init__()
            self.body = nn.Sequential(linear(2, 2), nn.ReLU())
            self.register_buffer("mean", Tensor(np.array([1.0, 2.0])))
            self.head = head

    plain = Model(linear(2, 1)).state_dict()
    overridden = Model(ScaledLinear(2, 1))
    overridden.head.weight.data[...] = np.array([[1.0, -3.0]])
    overridden.head.bias.data[...] = plain["head.bias"].data
    with_override = overridden.state_dict()
    assert with_override.pop("head.scale") == 3.0
    plain["head.weight"] = Tensor(np.array([[1.0, -3.0]]))
    assert sorted(with_override) == sorted(plain)
    for key, value in plain.items():
        np.testing.assert_array_equal(with_override[key].data, value.data)


def test_state_dict_with_a_hook_keeps_parameters_held_in_a_plain_list():
    class Model(nn.Module):
        def __init__(self):
            super().__init__()
            self.sub = linear(1, 1)
            self.ws = [nn.Parameter(Tensor(np.array([1.0, 2.0])))]

    model = Model()
    plain = model.state_dict()
    model.register_state_dict_pre_hook(lambda module, prefix, keep_vars: None)
    hooked = model.state_dict()
    assert sorted(hooked) == sorted(plain) == ["sub.bias", "sub.weight", "ws.0"]


def test_save_override_round_trips_with_load_from_state_dict_override():
    class Saved(ScaledLinear):
        def _load_from_state_dict(self, state_dict, prefix, *args):
            state_dict.pop(prefix + "scale", None)
            super()._load_from_state_dict(state_dict, prefix, *args)

    source, target = nn.Sequential(Saved(2, 2)), nn.Sequential(Saved(2, 2))
    source[0].weight.data[...] = np.array([[1.0, 2.0], [3.0, 4.0]])
    target.load_state_dict(source.state_dict())
    np.testing.assert_array_equal(target[0].weight.data, source[0].weight.data)


# ---------------------------------------------------------------- 2. private registrars
def test_register_state_dict_hook_may_return_a_new_dict_at_the_root():
    model = nn.Sequential(linear(1, 1))
    seen = []

    def hook(module, state_dict, prefix, local_metadata):
        seen.append((prefix, sorted(state_dict)))
        return {key.upper(): value for key, value in state_dict.items()}

    handle = model._register_state_dict_hook(hook)
    assert sorted(model.state_dict()) == ["0.BIAS", "0.WEIGHT"]
    assert seen == [("", ["0.bias", "0.weight"])]
    handle.remove()
    assert sorted(model.state_dict()) == ["0.bias", "0.weight"]


def test_register_state_dict_hook_return_on_a_child_is_ignored_but_edits_stay():
    child = linear(1, 1)
    model = nn.Sequential(child)

    def hook(module, state_dict, prefix, local_metadata):
        state_dict[prefix + "note"] = 1
        return {"ignored": 0}

    child._register_state_dict_hook(hook)
    assert sorted(model.state_dict()) == ["0.bias", "0.note", "0.weight"]


def test_register_state_dict_hook_runs_in_order_with_the_public_post_hooks():
    model, calls = linear(1, 1), []
    model.register_state_dict_post_hook(lambda m, sd, p, meta: calls.append("public"))
    model._register_state_dict_hook(lambda m, sd, p, meta: calls.append("private"))
    model.state_dict()
    assert calls == ["public", "private"]


def test_register_state_dict_hook_returning_a_non_dict_is_refused():
    model = linear(1, 1)
    model._register_state_dict_hook(lambda m, sd, p, meta: 3)
    with pytest.raises(UsageError, match="returned a int"):
        model.state_dict()


def test_register_load_state_dict_pre_hook_without_and_with_module():
    model = nn.Sequential(linear(1, 1))
    calls = []

    def rename(state_dict, prefix, local_metadata, strict, missing, unexpected, errors):
        calls.append(prefix)
        if "0.w" in state_dict:
            state_dict["0.weight"] = state_dict.pop("0.w")

    model._register_load_state_dict_pre_hook(rename)
    handle = model[0]._register_load_state_dict_pre_hook(
        lambda module, state_dict, prefix, *rest: calls.append((module, prefix)),
        with_module=True)
    model.load_state_dict({"0.w": np.array([[4.0]]), "0.bias": np.array([5.0])})
    assert model[0].weight.data[0, 0] == 4.0 and model[0].bias.data[0] == 5.0
    assert calls == ["", (model[0], "0.")]
    handle.remove()
    with pytest.raises(ArgumentTypeError):
        model._register_load_state_dict_pre_hook(rename, with_module=1)


def test_get_name_is_the_class_name_and_an_override_renames_repr():
    class Renamed(nn.ReLU):
        def _get_name(self):
            return "QuantizedReLU"

    assert nn.Linear(1, 1)._get_name() == "Linear"
    assert repr(nn.Sequential(Renamed())) == "Sequential(\n  (0): QuantizedReLU()\n)"


def test_to_empty_gives_new_arrays_of_the_same_shape_and_dtype():
    model = nn.Sequential(linear(2, 3), nn.BatchNorm1d(3))
    model[0].weight.grad = np.ones((3, 2))
    before = {name: t.data for name, t in model.state_dict(keep_vars=True).items()}
    params = list(model.parameters())
    assert model.to_empty(device="cpu") is model
    assert list(model.parameters()) == params  # the same Parameter objects
    for name, t in model.state_dict(keep_vars=True).items():
        assert t.shape == before[name].shape and t.dtype == before[name].dtype
        assert not np.shares_memory(t.data, before[name])
    assert model[0].weight.grad.shape == (3, 2)


def test_to_empty_without_recurse_and_on_another_device():
    model = nn.Sequential(linear(1, 1))
    model.register_buffer("own", Tensor(np.array([1.0])))
    weight = model[0].weight.data
    own = model.own.data
    model.to_empty(recurse=False)
    assert model[0].weight.data is weight and model.own.data is not own
    with pytest.raises(UsageError, match="to_empty"):
        model.to_empty(device="cuda")


# ---------------------------------------------------------------- 3. index errors
@pytest.mark.parametrize("action", [
    lambda c: c[3], lambda c: c[-3], lambda c: c.__setitem__(2, nn.Tanh()),
    lambda c: c.__delitem__(5), lambda c: c.pop(2)])
@pytest.mark.parametrize("make", [nn.Sequential, lambda *ms: nn.ModuleList(ms)])
def test_out_of_range_index_names_the_container_its_length_and_the_index(make, action):
    container = make(nn.ReLU(), nn.Sigmoid())
    with pytest.raises(TensorIndexError, match=r"index -?\d is out of range for 2 items"
                       ) as info:
        action(container)
    assert isinstance(info.value, IndexError)
    assert type(container).__name__ in str(info.value)
    assert [type(m) for m in container] == [nn.ReLU, nn.Sigmoid]


def test_parameter_list_out_of_range_and_negative_indices():
    params = nn.ParameterList([np.zeros(1), np.ones(2)])
    assert params[-1].shape == (2,)
    with pytest.raises(TensorIndexError, match="ParameterList: index 2 .* 2 items"):
        params[2]
    with pytest.raises(TensorIndexError, match="ParameterList: index -3"):
        params[-3] = np.ones(3)
    assert [p.shape for p in params] == [(1,), (2,)]
    with pytest.raises(TensorIndexError, match="it is empty"):
        nn.ModuleList()[0]


# ---------------------------------------------------------------- 4. extra_repr lines
def test_multi_line_extra_repr_is_indented_as_pytorch():
    class X(nn.Module):
        def extra_repr(self):
            return "a=1\nb=2"

    class Y(nn.Module):
        def __init__(self):
            super().__init__()
            self.x = X()

    class Block(nn.Module):
        def __init__(self):
            super().__init__()
            self.fc = nn.Identity()

        def extra_repr(self):
            return "k=1\nz=2"

    assert repr(X()) == "X(\n  a=1\n  b=2\n)"
    assert repr(Y()) == "Y(\n  (x): X(\n    a=1\n    b=2\n  )\n)"
    assert repr(Block()) == "Block(\n  k=1\n  z=2\n  (fc): Identity()\n)"


# ---------------------------------------------------------------- 5. pre-hook drops a grad
def test_backward_pre_hook_returning_none_gives_zero_gradients():
    module = nn.Tanh()
    module.register_full_backward_pre_hook(lambda m, grad_output: (None,))
    w = Tensor(np.ones(3)).requires_grad_()
    module(w * 2).sum().backward()
    np.testing.assert_array_equal(w.grad.data, np.zeros(3))


def test_full_backward_hook_returning_none_still_gives_no_gradient():
    module = nn.Tanh()
    module.register_full_backward_hook(lambda m, grad_input, grad_output: (None,))
    w = Tensor(np.ones(3)).requires_grad_()
    module(w * 2).sum().backward()
    assert w.grad is None


# ---------------------------------------------------------------- 6. add_module None
@pytest.mark.parametrize("make", [nn.Sequential, lambda *ms: nn.ModuleList(ms)])
def test_container_add_module_none_is_refused_as_item_none(make):
    container = make(nn.ReLU())
    with pytest.raises(ArgumentTypeError, match="PyTorch keeps a None there") as info:
        container.add_module("x", None)
    with pytest.raises(ArgumentTypeError) as same:
        container[0] = None
    assert str(info.value).replace("'x'", "0") == str(same.value)
    assert len(container) == 1 and not hasattr(container, "x")


# ---------------------------------------------------------------- 9. backward hook kinds
def test_mixing_the_two_backward_hook_kinds_raises_naming_both():
    legacy = nn.Tanh()
    legacy.register_backward_hook(lambda m, gi, go: None).remove()
    with pytest.raises(RuntimeError, match="register_backward_hook.*cannot take both"):
        legacy.register_full_backward_hook(lambda m, gi, go: None)
    full = nn.Tanh()
    full.register_full_backward_hook(lambda m, gi, go: None)
    with pytest.raises(UsageError, match="register_full_backward_hook.*cannot take both"):
        full.register_backward_hook(lambda m, gi, go: None)


def test_the_legacy_hook_alone_still_runs():
    module, seen = nn.Tanh(), []
    module.register_backward_hook(lambda m, gi, go: seen.append(gi[0].data.copy()))
    x = Tensor(np.array([0.5])).requires_grad_()
    module(x).sum().backward()
    np.testing.assert_allclose(seen[0], 1 - np.tanh(0.5) ** 2)


# ---------------------------------------------------------------- 7. KeyError classes
@pytest.mark.parametrize("action", [
    lambda m: m.register_buffer("weight", Tensor(np.zeros(1))),
    lambda m: m.add_module("forward", nn.ReLU()),
    lambda m: m.register_parameter("train", nn.Parameter(Tensor(np.zeros(1)))),
    lambda m: nn.ModuleDict({"training": nn.ReLU()}),
    lambda m: nn.ParameterDict({"keys": np.zeros(1)})])
def test_a_name_in_use_is_a_key_error_too(action):
    with pytest.raises(KeyError) as info:
        action(nn.Linear(1, 1))
    assert isinstance(info.value, UsageError)
    assert str(info.value) == info.value.args[0]  # KeyError's str() would add quotes
    assert "already has an attribute" in str(info.value)


@pytest.mark.parametrize("action", [
    lambda: nn.ModuleDict({"a.b": nn.ReLU()}),
    lambda: nn.ParameterDict({"a.b": np.zeros(1)}),
    lambda: nn.Sequential({"": nn.ReLU()})])
def test_a_container_key_with_a_dot_is_a_key_error_too(action):
    with pytest.raises(KeyError) as info:
        action()
    assert isinstance(info.value, ConfigError)
    assert str(info.value) == info.value.args[0]
