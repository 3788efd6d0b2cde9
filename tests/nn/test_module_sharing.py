"""A module or parameter held under two names, compared with torch.nn.Module: the
discovery methods report it once, ``state_dict`` under every name."""

import numpy as np
import pytest

import nn
from nn.errors import ArgumentTypeError


def _shared(lib):
    """A model whose sub-module ``a`` is also ``b`` and whose ``c.weight`` is ``a``'s."""

    class Shared(lib.Module):
        def __init__(self):
            super().__init__()
            self.a = lib.Linear(2, 2)
            self.b = self.a
            self.c = lib.Linear(2, 2)
            self.c.weight = self.a.weight

    return Shared()


def test_state_dict_names_a_shared_module_under_each_name_as_torch():
    torch = pytest.importorskip("torch")
    ours, theirs = _shared(nn), _shared(torch.nn)
    assert sorted(ours.state_dict()) == sorted(theirs.state_dict())
    assert "b.weight" in ours.state_dict()
    assert [n for n, _ in ours.named_parameters()] == [
        n for n, _ in theirs.named_parameters()]
    assert [n for n, _ in ours.named_modules()] == [n for n, _ in theirs.named_modules()]


def test_a_torch_state_dict_of_a_shared_module_loads_strictly():
    torch = pytest.importorskip("torch")
    ours, theirs = _shared(nn), _shared(torch.nn)
    values = {k: v.detach().double().numpy() for k, v in theirs.state_dict().items()}
    assert ours.load_state_dict(values) == ([], [])
    np.testing.assert_array_equal(ours.a.weight.data, values["a.weight"])


def test_a_module_list_holding_one_module_twice_saves_both_places_as_torch():
    torch = pytest.importorskip("torch")
    layer, their_layer = nn.Linear(1, 1), torch.nn.Linear(1, 1)
    ours = nn.ModuleList([layer, layer])
    theirs = torch.nn.ModuleList([their_layer, their_layer])
    assert list(ours.state_dict()) == list(theirs.state_dict())


def test_a_module_holding_its_parent_does_not_loop():
    parent = nn.Sequential(nn.Linear(1, 1))
    child = nn.Module()
    child.parent = parent
    parent.append(child)
    assert list(parent.state_dict()) == ["0.weight", "0.bias"]
    assert [n for n, _ in parent.named_modules()] == ["", "0", "1"]


# ---------------------------------------------------------------- buffer names reused
def _with_buffer(lib, zeros):
    module = lib.Module()
    module.register_buffer("scale", zeros(2))
    return module


def test_a_parameter_assigned_to_a_buffer_name_becomes_a_parameter_as_torch():
    torch = pytest.importorskip("torch")
    ours = _with_buffer(nn, np.zeros)
    theirs = _with_buffer(torch.nn, torch.zeros)
    weight = nn.Parameter(np.ones(2))
    ours.scale = weight
    theirs.scale = torch.nn.Parameter(torch.ones(2))
    assert ours.scale is weight and ours.scale.requires_grad
    assert [n for n, _ in ours.named_parameters()] == [
        n for n, _ in theirs.named_parameters()] == ["scale"]
    assert list(ours.named_buffers()) == list(theirs.named_buffers()) == []
    assert list(ours.state_dict()) == list(theirs.state_dict())


def test_a_module_assigned_to_a_buffer_name_becomes_a_child_as_torch():
    torch = pytest.importorskip("torch")
    ours = _with_buffer(nn, np.zeros)
    theirs = _with_buffer(torch.nn, torch.zeros)
    ours.scale, theirs.scale = nn.Linear(1, 1), torch.nn.Linear(1, 1)
    assert [n for n, _ in ours.named_children()] == [
        n for n, _ in theirs.named_children()] == ["scale"]
    assert list(ours.state_dict()) == list(theirs.state_dict())


def test_an_array_assigned_to_a_buffer_name_stays_a_buffer():
    module = _with_buffer(nn, np.zeros)
    module.scale = np.ones(3)
    assert [n for n, _ in module.named_buffers()] == ["scale"]
    np.testing.assert_array_equal(module.scale.data, np.ones(3))


def test_register_buffer_with_a_parameter_still_makes_a_buffer():
    module = nn.Module()
    module.register_buffer("scale", nn.Parameter(np.ones(2)))
    assert [n for n, _ in module.named_buffers()] == ["scale"]
    assert list(module.parameters()) == []


# ---------------------------------------------------------------- PyTorch's keywords
def _names(pairs):
    return [name for name, _ in pairs]


@pytest.mark.parametrize("remove_duplicate", [True, False])
def test_named_methods_take_remove_duplicate_as_torch(remove_duplicate):
    torch = pytest.importorskip("torch")
    ours, theirs = _shared(nn), _shared(torch.nn)
    for method in ("named_parameters", "named_buffers", "named_modules"):
        mine = getattr(ours, method)(remove_duplicate=remove_duplicate)
        their = getattr(theirs, method)(remove_duplicate=remove_duplicate)
        assert _names(mine) == _names(their), method


def test_named_modules_takes_a_prefix_as_torch():
    torch = pytest.importorskip("torch")
    ours, theirs = _shared(nn), _shared(torch.nn)
    assert _names(ours.named_modules(prefix="model")) == _names(
        theirs.named_modules(prefix="model")) == ["model", "model.a", "model.c"]
    assert _names(ours.named_modules(prefix="m", remove_duplicate=False)) == _names(
        theirs.named_modules(prefix="m", remove_duplicate=False))


def test_remove_duplicate_must_be_a_bool():
    with pytest.raises(ArgumentTypeError, match="remove_duplicate"):
        nn.Linear(1, 1).named_parameters(remove_duplicate=0)


def test_get_buffer_as_torch():
    torch = pytest.importorskip("torch")
    ours = nn.Sequential(nn.Linear(2, 3), nn.BatchNorm1d(3))
    theirs = torch.nn.Sequential(torch.nn.Linear(2, 3), torch.nn.BatchNorm1d(3))
    for name, _ in theirs.named_buffers():
        assert ours.get_buffer(name) is dict(ours.named_buffers())[name]
    with pytest.raises(AttributeError):
        theirs.get_buffer("0.weight")
    with pytest.raises(AttributeError, match="'0.weight' is a Parameter, not a buffer"):
        ours.get_buffer("0.weight")
    with pytest.raises(AttributeError, match="has no 'nothing'"):
        ours.get_buffer("1.nothing")
