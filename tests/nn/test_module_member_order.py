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
