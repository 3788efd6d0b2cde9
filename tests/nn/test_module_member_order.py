"""The order in which a module lists its parameters, buffers and state-dict entries, as
PyTorch's: a module's own parameters first, then its own buffers, then its sub-modules'
(each group in definition order). The NLP tutorial's BiLSTM_CRF defines
``self.transitions = nn.Parameter(...)`` after its layers: PyTorch's
``next(model.parameters())`` is ``transitions``, and an optimizer's state (by position)
or a ``zip(ours.parameters(), theirs.parameters())`` only line up in that order."""

import pytest

import autograd as ag
import nn


def _model(lib, T):
    class Inner(lib.Module):
        def __init__(self):
            super().__init__()
            self.lin = lib.Linear(2, 2)
            self.register_buffer("count", T.zeros(1))
            self.scale = lib.Parameter(T.ones(2))

    class Outer(lib.Module):
        def __init__(self):
            super().__init__()
            self.embed = lib.Embedding(3, 2)
            self.register_buffer("steps", T.zeros(1))
            self.inner = Inner()
            self.norm = lib.BatchNorm1d(2)
            self.transitions = lib.Parameter(T.zeros(2, 2))
            self.blocks = lib.ModuleList([Inner(), lib.Linear(2, 1)])
            self.bias = lib.Parameter(T.zeros(1))

    return Outer()


@pytest.mark.parametrize("listing", ["named_parameters", "named_buffers", "state_dict"])
def test_names_in_pytorchs_order(torch, listing) -> None:
    ours, theirs = _model(nn, ag), _model(torch.nn, torch)
    names = list(getattr(ours, listing)())
    if listing != "state_dict":
        names = [name for name, _ in getattr(ours, listing)()]
    want = list(getattr(theirs, listing)())
    if listing != "state_dict":
        want = [name for name, _ in getattr(theirs, listing)()]
    assert names == want


def test_parameters_follow_named_parameters(torch) -> None:
    ours = _model(nn, ag)
    assert [id(p) for p in ours.parameters()] == [id(p) for _, p in ours.named_parameters()]
    assert next(ours.parameters()) is ours.transitions
    own = [name for name, _ in ours.named_parameters(recurse=False)]
    assert own == ["transitions", "bias"]


def _lazy(lib, T, how):
    """lucidrains' ``singleton`` habit: ``self.target = None`` in ``__init__``, the module
    (or parameter) made on first use; and the slots PyTorch keeps in place: a registered
    None, and a module or parameter set to None and back."""
    class Lazy(lib.Module):
        def __init__(self):
            super().__init__()
            if how == "plain None":
                self.target, self.scale = None, None
            elif how == "plain value":
                self.target, self.scale = "not yet", 0.0
            elif how == "registered None":
                self.register_module("target", None)
                self.register_parameter("scale", None)
            else:  # "set to None": a module and a parameter emptied
                self.target, self.scale = lib.Linear(2, 2), lib.Parameter(T.ones(1))
                self.target, self.scale = None, None
            self.online = lib.Linear(2, 2)
            self.shift = lib.Parameter(T.zeros(1))

    model = Lazy()
    model.target = lib.Linear(2, 3)
    model.scale = lib.Parameter(T.ones(2))
    return model


@pytest.mark.parametrize("how", ["plain None", "plain value", "registered None",
                                 "set to None"])
def test_a_member_set_later_takes_pytorchs_place(torch, how) -> None:
    ours, theirs = _lazy(nn, ag, how), _lazy(torch.nn, torch, how)
    assert list(ours.state_dict()) == list(theirs.state_dict())
    assert [n for n, _ in ours.named_children()] == [n for n, _ in theirs.named_children()]
    del ours.target, theirs.target  # deleted and set again: the last place in both
    ours.target, theirs.target = nn.Linear(2, 1), torch.nn.Linear(2, 1)
    assert list(ours.state_dict()) == list(theirs.state_dict())
