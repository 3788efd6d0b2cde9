"""ModuleList and ModuleDict edited as PyTorch's are: pop, clear, and the errors for a
missing key or a non-iterable given to extend."""

import pytest

import nn
from nn.errors import ArgumentTypeError, NameNotFoundError


def _lists():
    torch = pytest.importorskip("torch")
    ours = nn.ModuleList([nn.Linear(1, 1), nn.ReLU(), nn.Tanh()])
    theirs = torch.nn.ModuleList([torch.nn.Linear(1, 1), torch.nn.ReLU(), torch.nn.Tanh()])
    return ours, theirs


def _names(module):
    return [name for name, _ in module.named_parameters()] + [
        name for name, _ in module.named_children()]


@pytest.mark.parametrize("index", [0, -2, 2])
def test_module_list_pop_as_torch(index):
    ours, theirs = _lists()
    assert type(ours.pop(index)).__name__ == type(theirs.pop(index)).__name__
    assert _names(ours) == _names(theirs)
    assert [type(m).__name__ for m in ours] == [type(m).__name__ for m in theirs]


def test_module_list_pop_takes_the_last_by_default_as_a_list():
    ours = nn.ModuleList([nn.Linear(1, 1), nn.ReLU()])
    assert isinstance(ours.pop(), nn.ReLU) and len(ours) == 1


def test_module_list_extend_with_one_module_is_a_named_error():
    ours, theirs = _lists()
    with pytest.raises(TypeError):
        theirs.extend(theirs[1])
    with pytest.raises(ArgumentTypeError, match="Use append"):
        ours.extend(ours[1])


def _dicts():
    torch = pytest.importorskip("torch")
    ours = nn.ModuleDict({"fc": nn.Linear(1, 1), "act": nn.ReLU()})
    theirs = torch.nn.ModuleDict({"fc": torch.nn.Linear(1, 1), "act": torch.nn.ReLU()})
    return ours, theirs


def test_module_dict_pop_and_clear_as_torch():
    ours, theirs = _dicts()
    assert type(ours.pop("fc")).__name__ == type(theirs.pop("fc")).__name__
    assert list(ours) == list(theirs) == ["act"] and _names(ours) == _names(theirs)
    ours.clear()
    theirs.clear()
    assert len(ours) == len(theirs) == 0 and list(ours.parameters()) == []


def test_module_dict_missing_key_is_a_key_error_listing_the_keys():
    ours, theirs = _dicts()
    for action in (lambda d: d["head"], lambda d: d.pop("head"),
                   lambda d: d.__delitem__("head")):
        with pytest.raises(KeyError):
            action(theirs)
        with pytest.raises(NameNotFoundError, match=r"no key 'head'; keys: \['fc', 'act'\]"):
            action(ours)


@pytest.mark.parametrize("make", [lambda: nn.Sequential(nn.Linear(1, 1), nn.ReLU()),
                                  lambda: nn.ModuleList([nn.Linear(1, 1), nn.ReLU()])])
def test_extend_with_itself_doubles_instead_of_looping_forever(make):
    """seq.extend(seq) appended while iterating the container it grew: an endless loop
    (PyTorch raises 'dictionary changed size'); it now doubles, as seq += seq does."""
    container = make()
    layers = list(container)
    assert container.extend(container) is container
    assert list(container) == layers * 2
    assert len(list(container.parameters())) == 2  # the same Linear, listed once


def test_module_list_plus_an_iterable_as_pytorch() -> None:
    """``ml + [...]`` is a new ModuleList of the same objects; ``ml += [...]`` extends."""
    torch = pytest.importorskip("torch")
    a, b = nn.ReLU(), nn.Tanh()
    ml = nn.ModuleList([a])
    joined = ml + [b]
    assert isinstance(joined, nn.ModuleList) and list(joined) == [a, b] and len(ml) == 1
    ml += nn.ModuleList([b])
    assert list(ml) == [a, b]
    ta, tb = torch.nn.ReLU(), torch.nn.Tanh()
    tml = torch.nn.ModuleList([ta])
    assert [type(m).__name__ for m in tml + [tb]] == [type(m).__name__ for m in joined]
    tml += [tb]
    assert [name for name, _ in ml.named_children()] == [name for name, _ in
                                                          tml.named_children()]
    with pytest.raises(ArgumentTypeError, match="needs an iterable of modules"):
        ml + 5
