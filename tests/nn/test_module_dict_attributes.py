"""ModuleDict keys as attributes (md.fc, md.fc = m, del md.fc), as PyTorch's."""

import copy
import pickle

import numpy as np
import pytest

import nn
from autograd import Tensor
from autograd.errors import AutogradError


def both(torch):
    """Our ModuleDict({"fc": Linear}) and torch's."""
    return (nn.ModuleDict({"fc": nn.Linear(2, 2, rng=0)}),
            torch.nn.ModuleDict({"fc": torch.nn.Linear(2, 2)}))


def test_attribute_access_edits_the_keys_as_torch():
    torch = pytest.importorskip("torch")
    ours, theirs = both(torch)
    for md, lib in ((ours, nn), (theirs, torch.nn)):
        assert md.fc is md["fc"]
        md.out = lib.ReLU()
        md["act"] = lib.Tanh()
        assert md.act is md["act"]
        md.note = 3  # not a module: a plain attribute, as in torch
        del md.out
    assert list(ours.keys()) == list(theirs.keys()) == ["fc", "act"]
    assert ours.note == theirs.note == 3
    assert ([n for n, _ in ours.named_parameters()]
            == [n for n, _ in theirs.named_parameters()])
    assert list(ours.state_dict()) == list(theirs.state_dict())


def test_a_replaced_key_is_used_and_trained():
    md = nn.ModuleDict({"fc": nn.Linear(2, 2, rng=0)})
    new = nn.Linear(2, 3, rng=1)
    md.fc = new
    assert md["fc"] is new and list(md.keys()) == ["fc"]
    assert set(map(id, md.parameters())) == set(map(id, new.parameters()))
    md.fc(Tensor(np.ones((1, 2)))).sum().backward()
    assert new.weight.grad is not None


def test_a_subclass_registers_attribute_modules_as_keys_as_torch():
    torch = pytest.importorskip("torch")

    def make(base, lib):
        class Heads(base):
            def __init__(self):
                super().__init__()
                self.head = lib.Linear(2, 2)
        return Heads()
    assert list(make(nn.ModuleDict, nn).keys()) == list(
        make(torch.nn.ModuleDict, torch.nn).keys()) == ["head"]


def test_copies_and_pickles_keep_the_keys():
    md = nn.ModuleDict({"fc": nn.Linear(2, 2, rng=0)})
    for clone in (copy.deepcopy(md), pickle.loads(pickle.dumps(md))):
        assert list(clone.keys()) == ["fc"] and clone.fc is not md.fc
        np.testing.assert_array_equal(clone.fc.weight.data, md.fc.weight.data)


def test_bad_attribute_uses_raise_named_errors():
    md = nn.ModuleDict({"fc": nn.Linear(2, 2, rng=0)})
    with pytest.raises(AttributeError, match="no attribute or key 'missing'.*'fc'") as info:
        md.missing
    assert isinstance(info.value, AutogradError) and not hasattr(md, "missing")
    with pytest.raises(TypeError, match="del md.fc") as info:
        md.fc = 3
    assert isinstance(info.value, AutogradError) and md.fc is md["fc"]
    with pytest.raises(TypeError, match="del md.fc"):
        md.fc = None  # PyTorch keeps the key with None; a ModuleDict here holds modules
    with pytest.raises(AttributeError):
        del md.missing
