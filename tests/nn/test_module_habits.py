"""PyTorch's Module habits: add_module / register_module, register_parameter,
get_submodule, get_parameter, half(), and recurse= / prefix= on the parameter and buffer
iterators; names and results compared with torch where it has the same model."""

import numpy as np
import pytest

import nn
from autograd.errors import UsageError
from nn.errors import ArgumentTypeError, ConfigError, MemberNotFoundError, NameNotFoundError
from nn.module import Module, Parameter


class Holder(Module):
    def __init__(self):
        super().__init__()
        self.own = Parameter(np.zeros(2))
        self.listed = [Parameter(np.ones(1))]
        self.body = nn.Sequential(nn.Linear(2, 3), nn.BatchNorm1d(3))
        self.register_buffer("steps", np.zeros(1))

    def forward(self, x):
        return self.body(x)


def test_add_module_and_register_parameter_are_found_as_attributes_are():
    m = Module()
    m.add_module("fc", nn.Linear(2, 2))
    m.register_module("act", nn.ReLU())
    m.register_parameter("scale", Parameter(np.ones(1)))
    m.register_parameter("unused", None)
    # PyTorch's order: the module's own parameters before its sub-modules'
    assert [n for n, _ in m.named_parameters()] == ["scale", "fc.weight", "fc.bias"]
    assert list(dict(m.named_children())) == ["fc", "act"]
    m.add_module("fc", nn.Linear(2, 1))  # replacing a module by a module is allowed
    assert m.fc.out_features == 1


def test_add_module_and_register_parameter_errors():
    m = Holder()
    with pytest.raises(ConfigError, match=r"add_module: the name must be a non-empty str "
                                          r"without '\.'; got 'a\.b'"):
        m.add_module("a.b", nn.ReLU())
    with pytest.raises(ArgumentTypeError, match=r"add_module\('x', \.\.\.\): expected a "
                                                r"Module or None; got int"):
        m.add_module("x", 3)
    with pytest.raises(ArgumentTypeError, match="expected a Parameter or None; got ndarray"):
        m.register_parameter("p", np.zeros(2))
    for taken in ("own", "steps", "forward"):
        with pytest.raises(UsageError, match=f"already has an attribute '{taken}'"):
            m.add_module(taken, nn.ReLU())
    with pytest.raises(UsageError, match="already has an attribute 'body'"):
        m.register_parameter("body", Parameter(np.zeros(1)))


def test_get_submodule_and_get_parameter():
    m = Holder()
    assert m.get_submodule("") is m
    assert m.get_submodule("body.1") is m.body[1]
    assert m.get_parameter("body.0.weight") is m.body[0].weight
    assert m.get_parameter("listed.0") is m.listed[0]
    with pytest.raises(AttributeError, match=r"get_submodule: body \(Sequential\) has no "
                                             r"'2' \(looking for 'body\.2\.x'\); it has "
                                             r"'0', '1'"):
        m.get_submodule("body.2.x")
    with pytest.raises(NameNotFoundError, match="'body.0.weight' is a Parameter, not a "
                                                "Module"):
        m.get_submodule("body.0.weight")
    with pytest.raises(MemberNotFoundError, match="'body' is a Sequential, not a Parameter"):
        m.get_parameter("body")
    with pytest.raises(ArgumentTypeError, match="expected a dotted str; got 0"):
        m.get_submodule(0)


def test_recurse_and_prefix():
    m = Holder()
    assert [n for n, _ in m.named_parameters(recurse=False)] == ["own", "listed.0"]
    assert list(m.parameters(recurse=False)) == [m.own, m.listed[0]]
    assert len(list(m.parameters())) == 6
    assert [n for n, _ in m.named_buffers(recurse=False)] == ["steps"]
    assert [b for b in m.buffers(recurse=False)] == [m.steps]
    assert [n for n, _ in m.body.named_parameters("body")] == [
        n for n, _ in m.named_parameters() if n.startswith("body.")]
    assert list(m.body.parameters(recurse=False)) == []


def test_recurse_and_names_match_torch():
    torch = pytest.importorskip("torch")
    ours = nn.Sequential(nn.Linear(2, 3), nn.BatchNorm1d(3))
    theirs = torch.nn.Sequential(torch.nn.Linear(2, 3), torch.nn.BatchNorm1d(3))
    for args in [(), ("pre",), ("pre", False)]:
        assert ([n for n, _ in ours.named_parameters(*args)]
                == [n for n, _ in theirs.named_parameters(*args)])
    assert ([n for n, _ in ours[1].named_buffers("bn", False)]
            == [n for n, _ in theirs[1].named_buffers("bn", False)])


def test_half_casts_to_float16():
    m = Holder().half()
    assert {p.dtype for p in m.parameters()} == {np.dtype(np.float16)}
    assert m.steps.dtype == np.float16
