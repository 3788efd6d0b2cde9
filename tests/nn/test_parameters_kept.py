"""``parameters()`` keeps its answer until a module's members change anywhere
(``MemberChanges``): after every way of changing them it must give what a fresh walk
gives. Each case asks once (so the answer is kept), changes the model, and compares."""
from __future__ import annotations

import copy
import gc
import pickle
import weakref

import numpy as np
import pytest

import nn
from autograd import Tensor
from nn.member_storage import MemberDict, MemberList
from nn.module import functional_call
from nn.module_discovery import _KEPT, MemberChanges


def fresh_walk(model: nn.Module) -> list:
    """The parameters by the uncached named walk."""
    return [p for _, p in model.named_parameters()]


def same(a: list, b: list) -> bool:
    return len(a) == len(b) and all(x is y for x, y in zip(a, b))


def lin(i: int = 2, o: int = 3) -> nn.Linear:
    return nn.Linear(i, o, rng=0)


class Holder(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.fc = lin()
        self.scale = nn.Parameter(np.ones(3))
        self.sizes = [2, 3]  # data alone: the answer is still kept


def _set_attr_module(m): m.extra = lin()
def _replace_param(m): m.scale = nn.Parameter(np.zeros(3))
def _param_to_none(m): m.scale = None
def _delete_param(m): del m.scale
def _register_parameter(m): m.register_parameter("bias2", nn.Parameter(np.ones(2)))
def _parameter_as_buffer(m): m.register_buffer("kept", nn.Parameter(np.ones(2)))  # not one
def _add_module(m): m.add_module("head", lin(3, 1))
def _grandchild_weight(m): m.fc.weight = nn.Parameter(np.ones((3, 2)))
def _grandchild_deleted(m): del m.fc.bias
def _plain_tensor(m): m.fc.weight = None
def _assign_load(m): m.load_state_dict({k: np.ones_like(v.data) for k, v in
                                        m.state_dict().items()}, assign=True)
def _method_name(m): m.parameters_list = nn.ParameterList([np.ones(2)])


MODULE_CHANGES = [_set_attr_module, _replace_param, _param_to_none, _delete_param,
                  _register_parameter, _parameter_as_buffer, _add_module,
                  _grandchild_weight, _grandchild_deleted, _plain_tensor, _assign_load,
                  _method_name]


@pytest.mark.parametrize("change", MODULE_CHANGES, ids=lambda f: f.__name__)
def test_a_module_change_shows(change) -> None:
    model = Holder()
    assert same(list(model.parameters()), fresh_walk(model))
    before = MemberChanges.count
    change(model)
    assert MemberChanges.count > before
    assert same(list(model.parameters()), fresh_walk(model))


SEQUENTIAL_CHANGES = {
    "append": lambda s: s.append(lin(3, 3)),
    "extend": lambda s: s.extend([lin(3, 3), lin(3, 3)]),
    "insert": lambda s: s.insert(0, lin(2, 2)),
    "pop": lambda s: s.pop(0),
    "del index": lambda s: s.__delitem__(0),
    "del slice": lambda s: s.__delitem__(slice(1, None)),
    "set index": lambda s: s.__setitem__(0, lin()),
    "set by name": lambda s: setattr(s, "0", lin()),
    "del by name": lambda s: delattr(s, "1"),
    "add_module": lambda s: s.add_module("tail", lin(3, 3)),
    "+=": lambda s: s.__iadd__(nn.Sequential(lin(3, 3))),
    "*=": lambda s: s.__imul__(2),
    "items edited": lambda s: s._layers.reverse(),
}


@pytest.mark.parametrize("name", SEQUENTIAL_CHANGES)
def test_a_sequential_edit_shows(name) -> None:
    model = nn.Sequential(lin(), nn.ReLU(), lin(3, 3))
    outer = nn.Sequential(model)
    assert same(list(outer.parameters()), fresh_walk(outer))
    SEQUENTIAL_CHANGES[name](model)
    assert same(list(outer.parameters()), fresh_walk(outer))


CONTAINER_CHANGES = {
    "ModuleList": (lambda: nn.ModuleList([lin(), lin()]), [
        lambda c: c.append(lin()), lambda c: c.extend([lin()]), lambda c: c.insert(0, lin()),
        lambda c: c.pop(), lambda c: c.__setitem__(0, lin()), lambda c: c.__delitem__(0),
        lambda c: c.__iadd__([lin()])]),
    "ModuleDict": (lambda: nn.ModuleDict({"a": lin(), "b": lin()}), [
        lambda c: c.__setitem__("c", lin()), lambda c: c.__delitem__("a"),
        lambda c: c.pop("b"), lambda c: c.clear(), lambda c: c.update({"d": lin()}),
        lambda c: setattr(c, "a", lin()), lambda c: delattr(c, "b")]),
    "ParameterList": (lambda: nn.ParameterList([np.ones(2), np.ones(3)]), [
        lambda c: c.append(np.zeros(2)), lambda c: c.extend([np.zeros(1)]),
        lambda c: c.__setitem__(0, np.zeros(4))]),
    "ParameterDict": (lambda: nn.ParameterDict({"a": np.ones(2), "b": np.ones(3)}), [
        lambda c: c.__setitem__("c", np.zeros(2)), lambda c: c.__delitem__("a"),
        lambda c: c.pop("b"), lambda c: c.update({"d": np.zeros(1)})]),
}


@pytest.mark.parametrize("kind, index", [(k, i) for k, (_, changes) in
                                         CONTAINER_CHANGES.items()
                                         for i in range(len(changes))])
def test_a_container_edit_shows(kind, index) -> None:
    make, changes = CONTAINER_CHANGES[kind]
    holder = nn.Sequential(nn.Identity())
    holder.add_module("c", make())
    assert same(list(holder.parameters()), fresh_walk(holder))
    changes[index](holder.c)
    assert same(list(holder.parameters()), fresh_walk(holder))


def test_containers_keep_items_in_noting_storage() -> None:
    """Every container's item storage notes its changes (a new container class or a
    storage swapped for a plain list would lose that)."""
    assert type(nn.Sequential()._layers) is MemberList
    assert type(nn.ModuleList()._items) is MemberList
    assert type(nn.ParameterList()._items) is MemberList
    assert type(nn.ModuleDict()._items) is MemberDict
    assert type(nn.ParameterDict()._items) is MemberDict
    for method in ("append", "extend", "insert", "pop", "remove", "clear", "sort",
                   "reverse", "__setitem__", "__delitem__", "__iadd__", "__imul__"):
        assert getattr(MemberList, method) is not getattr(list, method), method
    for method in ("__setitem__", "__delitem__", "pop", "popitem", "clear", "update",
                   "setdefault", "__ior__"):
        assert getattr(MemberDict, method) is not getattr(dict, method), method


def test_a_plain_list_of_modules_is_walked_every_time() -> None:
    """A plain list can change unseen (``self.layers = []`` then ``append``): a model
    holding one is walked at every call."""
    class Plain(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.layers = []

    model = Plain()
    assert list(model.parameters()) == []
    model.layers.append(lin())
    assert same(list(model.parameters()), fresh_walk(model)) and len(fresh_walk(model)) == 2
    model.layers[0].weight = nn.Parameter(np.zeros((3, 2)))
    assert same(list(model.parameters()), fresh_walk(model))


def test_the_answer_is_kept_while_nothing_changes() -> None:
    model = nn.Sequential(lin(), nn.ReLU(), lin(3, 1))
    first = list(model.parameters())
    model(Tensor(np.ones((4, 2)))).sum().backward()  # training changes no member
    model[0].weight.data *= 2  # nor do new values
    kept = _KEPT[id(model)]
    assert same(list(model.parameters()), first) and _KEPT[id(model)] is kept


def test_a_dropped_parameter_is_not_held_by_the_kept_answer() -> None:
    """``del model.big`` frees the layer's memory even if nothing asks again."""
    model = nn.Sequential(lin(), lin(3, 3))
    list(model.parameters())
    gone = weakref.ref(model[1].weight)
    del model[1]
    gc.collect()
    assert gone() is None


def test_functional_call_swaps_show_inside_and_are_undone() -> None:
    model = nn.Sequential(lin())
    original = list(model.parameters())
    swapped = nn.Parameter(np.zeros((3, 2)))
    seen = []

    class Peek(nn.Module):
        def forward(self, x):
            seen.append(list(model.parameters()))
            return x

    model.append(Peek())
    functional_call(model, {"0.weight": swapped}, Tensor(np.ones((1, 2))))
    assert seen[0][0] is swapped
    assert same(list(model.parameters()), original)


def test_copies_answer_with_their_own_parameters() -> None:
    model = nn.Sequential(lin(), nn.ReLU(), lin(3, 1))
    list(model.parameters())  # kept, and copied along below
    for twin in (copy.deepcopy(model), pickle.loads(pickle.dumps(model))):
        assert same(list(twin.parameters()), fresh_walk(twin))
        assert not any(p is q for p in twin.parameters() for q in model.parameters())
    shallow = copy.copy(model)
    assert same(list(shallow.parameters()), list(model.parameters()))


def test_parametrize_and_lazy_layers() -> None:
    model = nn.Sequential(lin(), nn.LazyLinear(4))
    list(model.parameters())
    nn.utils.parametrizations.weight_norm(model[0])
    assert same(list(model.parameters()), fresh_walk(model))
    nn.utils.parametrize.remove_parametrizations(model[0], "weight")
    assert same(list(model.parameters()), fresh_walk(model))
    model(Tensor(np.ones((2, 2))))  # the LazyLinear takes its shape, same objects
    assert same(list(model.parameters()), fresh_walk(model))
    assert model[1].weight.shape == (4, 3)
