"""PyTorch's ``module.__getattr__(name)`` called by name, as SWAG's reference code
(wjmaddox/swa_gaussian) reads the moments it registered as buffers:
``module.__getattr__("%s_mean" % name)``; and ``super().__getattr__(name)`` in a wrapper
module's own ``__getattr__``. Both raised "'Linear' object has no attribute
'__getattr__'" here. A name that is not there is the usual AttributeError."""

import copy
import pickle

import pytest

import autograd as ag
import nn


def swag_like(lib, T):
    module = lib.Linear(3, 2)
    for name, p in list(module.named_parameters()):
        module.register_buffer("%s_mean" % name, T.zeros_like(p))
        module.register_buffer("%s_sq_mean" % name, T.ones_like(p))
    return module


@pytest.mark.parametrize("member", ["weight", "bias", "weight_mean", "bias_sq_mean"])
def test_getattr_by_name_gives_the_member_as_torch(torch, member):
    ours, theirs = swag_like(nn, ag), swag_like(torch.nn, torch)
    assert ours.__getattr__(member) is getattr(ours, member)
    assert theirs.__getattr__(member) is getattr(theirs, member)
    assert ours.__getattr__(member).shape == tuple(theirs.__getattr__(member).shape)


def test_getattr_by_name_of_a_sub_module(torch):
    ours = nn.Sequential(nn.Linear(2, 2))
    outer = nn.Module()
    outer.body = ours
    assert outer.__getattr__("body") is ours
    their_outer = torch.nn.Module()
    their_outer.body = torch.nn.Linear(2, 2)
    assert their_outer.__getattr__("body") is their_outer.body


def test_a_missing_name_is_the_usual_attribute_error(torch):
    for module in (nn.Linear(2, 2), torch.nn.Linear(2, 2)):
        with pytest.raises(AttributeError, match="'Linear' object has no attribute 'wieght'"):
            module.__getattr__("wieght")
        with pytest.raises(AttributeError, match="has no attribute 'wieght'"):
            module.wieght
        assert not hasattr(module, "wieght")


def test_a_wrapper_forwarding_unknown_names_through_super(torch):
    for lib in (nn, torch.nn):
        class Wrapper(lib.Module):
            def __init__(self, model):
                super().__init__()
                self.model = model
                self.temperature = lib.Parameter((ag if lib is nn else torch).ones(1))

            def __getattr__(self, name):
                try:
                    return super().__getattr__(name)
                except AttributeError:
                    return getattr(self.model, name)

        inner = lib.Linear(2, 3)
        wrapper = Wrapper(inner)
        assert wrapper.__getattr__("temperature") is wrapper.temperature
        assert wrapper.out_features == 3 and wrapper.__getattr__("weight") is inner.weight


def test_copies_and_pickles_still_work():
    module = swag_like(nn, ag)
    for clone in (copy.deepcopy(module), pickle.loads(pickle.dumps(module))):
        assert clone.__getattr__("weight_mean").shape == (2, 3)
        assert [n for n, _ in clone.named_buffers()] == [n for n, _ in module.named_buffers()]
