"""Sequential's +, *, += and *= as PyTorch's: the same layer objects, named by position."""

import numpy as np
import pytest

import nn
from autograd import Tensor
from autograd.errors import AutogradError


def pair(torch):
    """Sequential(Linear(2, 2), Tanh()) and Sequential(Linear(2, 2)): ours and torch's,
    with the same weights."""
    ours = nn.Sequential(nn.Linear(2, 2, rng=0), nn.Tanh()), nn.Sequential(
        nn.Linear(2, 2, rng=1))
    theirs = (torch.nn.Sequential(torch.nn.Linear(2, 2), torch.nn.Tanh()).double(),
              torch.nn.Sequential(torch.nn.Linear(2, 2)).double())
    with torch.no_grad():
        for a, b in zip(ours, theirs):
            for (_, p), (_, q) in zip(a.named_parameters(), b.named_parameters()):
                q.copy_(torch.tensor(p.data))
    return ours, theirs


def same_structure(ours, theirs, sources, torch_sources):
    """Equal names and output; each layer is the very object of the sources' layer."""
    assert [n for n, _ in ours.named_children()] == [n for n, _ in theirs.named_children()]
    layers = [m for s in sources for m in s]
    torch_layers = [m for s in torch_sources for m in s]
    assert [layers.index(m) for m in ours] == [torch_layers.index(m) for m in theirs]


def check_outputs(ours, theirs, torch):
    x = np.random.default_rng(3).normal(size=(5, 2))
    np.testing.assert_allclose(ours(Tensor(x)).data,
                               theirs(torch.tensor(x)).detach().numpy(), rtol=1e-12)


@pytest.mark.parametrize("spelling", ["a + b", "a * 3", "3 * a", "a += b", "a *= 2",
                                      "a + a"])
def test_operators_as_torch(spelling):
    torch = pytest.importorskip("torch")
    (a, b), (ta, tb) = pair(torch)
    names = {"a": a, "b": b}
    torch_names = {"a": ta, "b": tb}
    if "=" in spelling:
        exec(spelling, {}, names)
        exec(spelling, {}, torch_names)
        assert names["a"] is a and torch_names["a"] is ta  # in place
        result, torch_result = a, ta
        sources, torch_sources = [list(a)], [list(ta)]
    else:
        result, torch_result = eval(spelling, {}, names), eval(spelling, {}, torch_names)
        assert result is not a and len(a) == 2
        sources, torch_sources = [a, b], [ta, tb]
    same_structure(result, torch_result, sources, torch_sources)
    assert len(result.state_dict()) == len(torch_result.state_dict())
    check_outputs(result, torch_result, torch)


def test_named_layers_are_renumbered_as_torch():
    torch = pytest.importorskip("torch")
    ours = nn.Sequential({"fc": nn.Linear(2, 2, rng=0), "act": nn.Tanh()})
    theirs = torch.nn.Sequential(__import__("collections").OrderedDict(
        fc=torch.nn.Linear(2, 2), act=torch.nn.Tanh()))
    for op in (lambda s: s + s, lambda s: s * 2):
        assert ([n for n, _ in op(ours).named_children()]
                == [n for n, _ in op(theirs).named_children()])


@pytest.mark.parametrize("spelling, error, match", [
    ("a + nn.Linear(2, 2)", TypeError, "needs another Sequential"),
    ("a + [nn.Linear(2, 2)]", TypeError, "got list"),
    ("a * 1.5", TypeError, "int number of repeats"),
    ("a * True", TypeError, "int number of repeats"),
    ("a * 0", ValueError, "positive number of repeats; got 0"),
    ("a * -1", ValueError, "positive"),
])
def test_bad_operands_raise_named_errors(spelling, error, match):
    a = nn.Sequential(nn.Linear(2, 2, rng=0))
    with pytest.raises(error, match=match) as info:
        eval(spelling, {"nn": nn}, {"a": a})
    assert isinstance(info.value, AutogradError)


def test_in_place_operators_refuse_bad_operands_without_changing_anything():
    a = nn.Sequential(nn.Linear(2, 2, rng=0))
    with pytest.raises(ValueError, match="positive"):
        a *= 0
    with pytest.raises(TypeError, match="another Sequential"):
        a += [nn.Tanh()]
    assert len(a) == 1
    a *= np.int64(3)  # a NumPy integer too
    assert len(a) == 3 and a[0] is a[2]
