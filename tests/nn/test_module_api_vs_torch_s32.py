"""nn.Module's member registration and the containers' editing methods, run as one program
on each library and compared with torch.nn: names already used (a container's item, a
method) are refused, a member's place takes only a member of its kind, buffers take
tensors, members keep PyTorch's order, and the dict/list containers' methods exist."""

from collections import OrderedDict
from types import SimpleNamespace

import numpy as np
import pytest

import autograd as ag
import nn
from autograd.errors import AutogradError


def _libraries(torch):
    """The same small vocabulary for each library: ``nn``, a Parameter and a Tensor."""
    ours = SimpleNamespace(nn=nn, P=lambda n=1: nn.Parameter(np.arange(1.0, n + 1)),
                           T=lambda n=1: ag.Tensor(np.arange(1.0, n + 1)))
    theirs = SimpleNamespace(
        nn=torch.nn, P=lambda n=1: torch.nn.Parameter(torch.arange(1.0, n + 1)),
        T=lambda n=1: torch.arange(1.0, n + 1))
    return ours, theirs


def _outcome(program, lib):
    """``("ok", result)`` or ``("raises", the first of KeyError, TypeError, ValueError,
    IndexError, AttributeError it is)``; ours must raise a named (AutogradError) error."""
    try:
        return "ok", program(lib)
    except (KeyError, TypeError, ValueError, IndexError, AttributeError) as error:
        if lib.nn is nn:
            assert isinstance(error, AutogradError), repr(error)
        return "raises", error


def _same(torch, program, same_error_kind=True):
    """Run ``program(lib)`` on both libraries: equal results, or both raise (the same
    builtin kind with ``same_error_kind``)."""
    ours, theirs = (_outcome(program, lib) for lib in _libraries(torch))
    assert ours[0] == theirs[0], (ours, theirs)
    if ours[0] == "ok":
        assert ours[1] == theirs[1]
    elif same_error_kind:
        kind = next(k for k in (KeyError, TypeError, ValueError, IndexError, AttributeError)
                    if isinstance(theirs[1], k))
        assert isinstance(ours[1], kind), (ours[1], theirs[1])
    return ours[1]


def _keys(module):
    return list(module.state_dict())


def _names(module):
    return [n for n, _ in module.named_parameters(remove_duplicate=False)]


def test_dict_containers_update_from_another_one_or_none(torch) -> None:
    _same(torch, lambda L: list(L.nn.ModuleDict(L.nn.ModuleDict({"b": L.nn.ReLU(),
                                                                 "a": L.nn.Tanh()}))))
    _same(torch, lambda L: _keys(L.nn.ParameterDict(L.nn.ParameterDict(
        OrderedDict([("b", L.P()), ("a", L.P())])))))

    def update(L):
        md = L.nn.ModuleDict({"x": L.nn.ReLU()})
        md.update(L.nn.ModuleDict({"b": L.nn.Linear(1, 1), "a": L.nn.Tanh()}))
        pd = L.nn.ParameterDict()
        pd.update(L.nn.ParameterDict(OrderedDict([("q", L.P()), ("p", L.P(2))])))
        return _keys(md), _keys(pd)

    _same(torch, update)
    _same(torch, lambda L: len(L.nn.ModuleDict(None)))
    _same(torch, lambda L: L.nn.ModuleDict().update([("a",)]))  # ValueError
    _same(torch, lambda L: L.nn.ModuleDict().update(3))  # TypeError
    _same(torch, lambda L: L.nn.ParameterDict().update([("a", L.T(), L.T())]))


def test_a_container_item_name_takes_no_other_member(torch) -> None:
    def replace_through_modules_dict(L):
        ml = L.nn.ModuleList([L.nn.Linear(1, 1), L.nn.Linear(1, 1)])
        ml._modules["1"] = L.nn.ReLU()
        ml.add_module("0", L.nn.Tanh())
        return [type(m).__name__ for m in ml], _keys(ml)

    _same(torch, replace_through_modules_dict)

    def replace_parameter_item(L):
        pl = L.nn.ParameterList([L.T()])
        setattr(pl, "0", L.P(2))
        pl.register_parameter("0", L.P(3))
        return _names(pl), [tuple(p.shape) for p in pl.parameters()]

    _same(torch, replace_parameter_item)
    _same(torch, lambda L: L.nn.ParameterList([L.T()]).register_buffer("0", L.T()),
          same_error_kind=False)  # torch: KeyError; ours: UsageError
    _same(torch, lambda L: L.nn.ModuleList([L.nn.ReLU()]).register_buffer("0", L.T()),
          same_error_kind=False)
    _same(torch, lambda L: L.nn.ModuleList([L.nn.ReLU()]).register_parameter("0", L.P()),
          same_error_kind=False)
    _same(torch, lambda L: L.nn.ParameterDict({"q": L.T()}).register_buffer("q", L.T()),
          same_error_kind=False)
    _same(torch, lambda L: L.nn.ParameterDict({"q": L.T()}).add_module("q", L.nn.ReLU()),
          same_error_kind=False)
    _same(torch, lambda L: setattr(L.nn.ParameterList([L.T()]), "0", L.T()))  # TypeError

    def module_dict_add_module(L):
        md = L.nn.ModuleDict({"a": L.nn.ReLU()})
        md.add_module("a", L.nn.Linear(1, 1))
        return _keys(md)

    _same(torch, module_dict_add_module)


def test_a_sequential_layer_name_takes_only_a_layer(torch) -> None:
    _same(torch, lambda L: setattr(L.nn.Sequential(L.nn.Linear(1, 1)), "0", 3))
    _same(torch, lambda L: setattr(L.nn.Sequential(L.nn.Linear(1, 1)), "0", L.T()))
    seq = nn.Sequential(nn.Linear(1, 1), nn.ReLU())
    layer = seq[0]
    with pytest.raises(TypeError, match="remove the item instead"):
        seq.add_module("0", None)  # PyTorch keeps a None layer; ours holds no None
    assert getattr(seq, "0") is seq[0] is layer and _keys(seq) == ["0.weight", "0.bias"]


def test_a_member_place_takes_only_its_kind(torch) -> None:
    def module_then_tensor(L):
        m = L.nn.Module()
        m.fc = L.nn.Linear(1, 1)
        m.fc = L.T()

    def none_parameter_then(value):
        def program(L):
            m = L.nn.Module()
            m.register_parameter("b", None)
            setattr(m, "b", value(L))
        return program

    def none_module_then_parameter(L):
        m = L.nn.Module()
        m.add_module("p", None)
        m.p = L.P()
        return _names(m)

    _same(torch, module_then_tensor)  # TypeError
    _same(torch, none_parameter_then(lambda L: L.T()))
    _same(torch, none_parameter_then(lambda L: L.nn.ReLU()))
    _same(torch, none_parameter_then(lambda L: 3))
    _same(torch, none_module_then_parameter)
    _same(torch, lambda L: (lambda m: (m.register_parameter("p", None),
                                       m.add_module("p", L.nn.ReLU())))(L.nn.Module()),
          same_error_kind=False)


@pytest.mark.parametrize("name", ["", "a.b"])
def test_an_assigned_parameter_needs_a_valid_name(torch, name) -> None:
    _same(torch, lambda L: setattr(L.nn.Linear(1, 1), name, L.P()))  # KeyError


def test_a_method_name_is_taken(torch) -> None:
    def run_after_buffer(name):
        def program(L):
            lin = L.nn.Linear(1, 1)
            lin.register_buffer(name, L.T())
            return _keys(lin)
        return program

    for name in ("forward", "state_dict"):
        _same(torch, run_after_buffer(name), same_error_kind=False)
    _same(torch, lambda L: setattr(L.nn.Linear(1, 1), "forward", L.P()),
          same_error_kind=False)
    for key in ("training", "forward", "keys", "update"):
        _same(torch, lambda L: L.nn.ModuleDict().__setitem__(key, L.nn.ReLU()),
              same_error_kind=False)
    for key in ("forward", "keys", "update"):  # (torch's takes 'training': its flag goes)
        _same(torch, lambda L: L.nn.ParameterDict().__setitem__(key, L.T()),
              same_error_kind=False)


def test_a_buffer_takes_a_tensor_or_none(torch) -> None:
    _same(torch, lambda L: L.nn.Module().register_buffer("b", [1.0, 2.0]))  # TypeError
    _same(torch, lambda L: L.nn.Module().register_buffer("b", 3))

    def int_over_buffer(L):
        m = L.nn.Module()
        m.register_buffer("b", L.T())
        m.b = 3

    _same(torch, int_over_buffer)


def test_a_module_replaced_by_a_parameter_goes_last(torch) -> None:
    def program(L):
        m = L.nn.Module()
        m.fc = L.nn.Linear(1, 1)
        m.w = L.P()
        m.fc = L.P(2)
        return _keys(m)

    _same(torch, program)


def test_linear_without_bias_keeps_the_bias_place(torch) -> None:
    def program(L):
        lin = L.nn.Linear(1, 1, bias=False)
        lin.x = L.P()
        lin.bias = L.P()
        return _keys(lin)

    _same(torch, program)


def test_parameter_dict_sorts_a_plain_dict_as_pytorch(torch) -> None:
    _same(torch, lambda L: _keys(L.nn.ParameterDict({"b": L.T(), "c": L.T(), "a": L.T()})))
    _same(torch, lambda L: _keys(L.nn.ParameterDict(OrderedDict([("b", L.T()),
                                                                 ("a", L.T())]))))


def test_sequential_insert_range_and_pop_of_a_slice(torch) -> None:
    for index in (3, -3, 2, -2):
        _same(torch, lambda L: [type(m).__name__ for m in L.nn.Sequential(
            L.nn.ReLU(), L.nn.ReLU()).insert(index, L.nn.Tanh())])

    def pop_slice(container):
        def program(L):
            held = getattr(L.nn, container)([L.nn.ReLU(), L.nn.Tanh(), L.nn.Sigmoid()]) \
                if container == "ModuleList" else L.nn.Sequential(
                    L.nn.ReLU(), L.nn.Tanh(), L.nn.Sigmoid())
            popped = held.pop(slice(0, 2))
            return (type(popped).__name__, [type(m).__name__ for m in popped],
                    list(dict(popped.named_children())), list(dict(held.named_children())))
        return program

    _same(torch, pop_slice("Sequential"))
    _same(torch, pop_slice("ModuleList"))
    with pytest.raises(IndexError, match="out of range"):  # list.insert would clamp
        nn.ModuleList([nn.ReLU()]).insert(-3, nn.Tanh())


def test_set_submodule(torch) -> None:
    def program(L):
        net = L.nn.Sequential(L.nn.Sequential(L.nn.ReLU()), L.nn.Linear(1, 1))
        net.set_submodule("0.0", L.nn.Tanh())
        net.set_submodule("0.extra", L.nn.Sigmoid())
        net.set_submodule("1", L.nn.Identity(), strict=True)
        return repr(net)

    _same(torch, program)
    _same(torch, lambda L: L.nn.Sequential(L.nn.ReLU()).set_submodule(
        "x", L.nn.Tanh(), strict=True))  # AttributeError
    _same(torch, lambda L: L.nn.Linear(1, 1).set_submodule("weight", L.nn.Tanh()))


def test_parameter_dict_and_list_methods(torch) -> None:
    def program(L):
        pd = L.nn.ParameterDict(OrderedDict([("b", L.T(1)), ("a", L.T(2))]))
        out = [list(reversed(pd)), tuple(pd.a.shape)]
        out.append((pd.popitem()[0], list(pd)))
        out.append(tuple(pd.setdefault("c", L.T(3)).shape))
        out.append(tuple(pd.setdefault("c", L.T(4)).shape))
        copied = pd.copy()
        out.append((list(copied), all(copied[k] is pd[k] for k in pd)))
        out.append(list(pd.fromkeys(["x", "y"], L.T(2))))
        merged = pd | L.nn.ParameterDict(OrderedDict([("z", L.T()), ("b", L.T())]))
        out.append((type(merged).__name__, list(merged), list(pd)))
        pd |= L.nn.ParameterDict(OrderedDict([("q", L.T())]))
        out.append(list(pd))
        pd.clear()
        out.append(len(pd))
        pl = L.nn.ParameterList([L.T()])
        pl += [L.T(2), L.T(3)]
        out.append(_names(pl))
        return out

    _same(torch, program)


def test_get_buffer_of_a_none_buffer(torch) -> None:
    def program(L):
        m = L.nn.Module()
        m.register_buffer("b", None)
        return m.get_buffer("b")

    _same(torch, program)


def test_assign_load_of_int_values_into_a_frozen_parameter(torch) -> None:
    def program(L):
        lin = L.nn.Linear(2, 2)
        lin.weight.requires_grad_(False)
        state = {k: v.detach().clone() for k, v in lin.state_dict().items()}
        ints = np.arange(4).reshape(2, 2)
        state["weight"] = ag.tensor(ints) if L.nn is nn else torch.tensor(ints)
        lin.load_state_dict(state, assign=True)
        weight = lin.weight
        return str(weight.dtype).split(".")[-1], weight.requires_grad, weight.tolist()

    _same(torch, program)


def test_reprs_as_pytorch(torch) -> None:
    _same(torch, lambda L: repr(L.nn.ModuleList([L.nn.ReLU(), L.nn.ReLU(), L.nn.Tanh(),
                                                 L.nn.Linear(1, 1), L.nn.Linear(1, 1)])))
    _same(torch, lambda L: repr(L.nn.Linear(1, 1).load_state_dict(
        L.nn.Linear(1, 1).state_dict())))
