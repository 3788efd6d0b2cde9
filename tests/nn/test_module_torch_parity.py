"""PyTorch's Module spellings compared with torch on the same model: state_dict's
destination / prefix / keep_vars, non-persistent buffers, ParameterList/ParameterDict
(Unflatten, the parameter-vector functions and the initialisers are in
test_nn_torch_parity_utils.py)."""


import numpy as np
import pytest

import nn
from autograd import Tensor
from autograd.errors import DTypeError, UsageError
from nn.errors import ArgumentTypeError
from nn.module import Parameter


def _pair():
    """The same Linear + BatchNorm1d model in nn and in torch."""
    torch = pytest.importorskip("torch")
    ours = nn.Sequential(nn.Linear(2, 3, rng=0), nn.BatchNorm1d(3))
    theirs = torch.nn.Sequential(torch.nn.Linear(2, 3), torch.nn.BatchNorm1d(3))
    return ours, theirs


# ---------------------------------------------------------------- state_dict arguments
def test_state_dict_prefix_and_destination_as_torch():
    ours, theirs = _pair()
    mine, torch_dest = {"kept": 1}, {"kept": 1}
    assert ours.state_dict(destination=mine, prefix="model.") is mine
    theirs.state_dict(destination=torch_dest, prefix="model.")
    assert list(mine) == list(torch_dest)
    assert list(ours.state_dict(None, "m")) == list(theirs.state_dict(prefix="m"))


def test_state_dict_default_is_copies_and_keep_vars_gives_the_objects():
    ours, theirs = _pair()
    copies = ours.state_dict()
    assert type(copies["0.weight"]) is Tensor and not copies["0.weight"].requires_grad
    assert type(theirs.state_dict()["0.weight"]) is type(theirs[0].weight.data)  # a Tensor
    with pytest.raises(UsageError, match="read-only.*state_dict"):  # PyTorch's is a view:
        copies["0.weight"][...] = 7.0  # the write would change the model there, not here
    assert not np.any(ours[0].weight.data == 7.0)
    best = {k: v.clone() for k, v in ours.state_dict().items()}  # PyTorch's habit
    np.testing.assert_array_equal(best["0.weight"].numpy(), ours[0].weight.data)
    best["0.weight"][...] = 7.0  # a clone is the user's own, as in PyTorch
    assert isinstance(ours.state_dict()["0.bias"].data, np.ndarray)  # not a memoryview
    kept = ours.state_dict(keep_vars=True)
    torch_kept = theirs.state_dict(keep_vars=True)
    assert list(kept) == list(torch_kept)
    assert kept["0.weight"] is ours[0].weight
    assert kept["1.running_mean"] is ours[1].running_mean
    assert torch_kept["0.weight"] is theirs[0].weight  # the habit we copy


def test_state_dict_keep_vars_loads_back_and_saves(tmp_path):
    ours, _ = _pair()
    other = nn.Sequential(nn.Linear(2, 3, rng=1), nn.BatchNorm1d(3))
    other.load_state_dict(ours.state_dict(keep_vars=True))
    np.testing.assert_array_equal(other[0].weight.data, ours[0].weight.data)
    nn.save(tmp_path / "m.npz", model=ours)
    restored = nn.Sequential(nn.Linear(2, 3, rng=2), nn.BatchNorm1d(3))
    nn.load_into(tmp_path / "m.npz", model=restored)
    np.testing.assert_array_equal(restored[0].bias.data, ours[0].bias.data)


def test_state_dict_argument_errors():
    model = nn.Linear(2, 2)
    with pytest.raises(ArgumentTypeError, match="destination must be a dict"):
        model.state_dict(destination=[])
    with pytest.raises(ArgumentTypeError, match="prefix must be a str"):
        model.state_dict(prefix=3)
    with pytest.raises(ArgumentTypeError, match="keep_vars must be True or False"):
        model.state_dict(keep_vars="yes")


# ---------------------------------------------------------------- non-persistent buffers
def _buffered(lib):
    """A module with a persistent and a non-persistent buffer, in nn or in torch."""
    torch = pytest.importorskip("torch")
    m = (torch.nn if lib == "torch" else nn).Module()
    make = torch.ones if lib == "torch" else np.ones
    m.register_buffer("kept", make(2))
    m.register_buffer("scratch", make(3), persistent=False)
    return m


def test_non_persistent_buffer_is_listed_but_not_saved_as_torch():
    ours, theirs = _buffered("nn"), _buffered("torch")
    assert list(ours.state_dict()) == list(theirs.state_dict()) == ["kept"]
    assert ([n for n, _ in ours.named_buffers()] == [n for n, _ in theirs.named_buffers()]
            == ["kept", "scratch"])
    assert len(list(ours.buffers())) == 2
    assert list(ours.state_dict(keep_vars=True)) == ["kept"]


def test_non_persistent_buffer_is_cast_with_the_others():
    ours = _buffered("nn")
    ours.float()
    assert ours.scratch.dtype == np.float32
    ours.to(np.float64)
    assert ours.scratch.dtype == np.float64
    ours.astype(np.float16)
    assert ours.scratch.dtype == np.float16


def test_load_state_dict_neither_expects_nor_accepts_a_non_persistent_buffer():
    torch = pytest.importorskip("torch")
    ours, theirs = _buffered("nn"), _buffered("torch")
    ours.load_state_dict({"kept": np.zeros(2)})  # strict, and "scratch" is not missing
    theirs.load_state_dict({"kept": torch.zeros(2)})
    np.testing.assert_array_equal(ours.scratch.data, np.ones(3))
    with pytest.raises(nn.StateDictError, match="unexpected keys.*'scratch'"):
        ours.load_state_dict({"kept": np.zeros(2), "scratch": np.zeros(3)})
    with pytest.raises(RuntimeError, match="Unexpected key.*scratch"):
        theirs.load_state_dict({"kept": torch.zeros(2), "scratch": torch.zeros(3)})
    result = ours.load_state_dict({"kept": np.zeros(2), "scratch": np.zeros(3)}, strict=False)
    assert result.unexpected_keys == ["scratch"] and result.missing_keys == []


def test_register_buffer_again_switches_persistence_as_torch():
    ours, theirs = _buffered("nn"), _buffered("torch")
    ours.register_buffer("scratch", np.ones(3), persistent=True)
    theirs.register_buffer("scratch", theirs.scratch, persistent=True)
    assert list(ours.state_dict()) == list(theirs.state_dict()) == ["kept", "scratch"]
    ours.register_buffer("kept", np.ones(2), persistent=False)
    assert list(ours.state_dict()) == ["scratch"]


def test_non_persistent_buffers_in_sub_modules_and_checkpoints(tmp_path):
    outer = nn.Sequential(_buffered("nn"), nn.Linear(2, 2, rng=0))
    assert list(outer.state_dict()) == ["0.kept", "1.weight", "1.bias"]
    assert [n for n, _ in outer.named_buffers()] == ["0.kept", "0.scratch"]
    nn.save(tmp_path / "c.npz", model=outer)
    other = nn.Sequential(_buffered("nn"), nn.Linear(2, 2, rng=1))
    nn.load_into(tmp_path / "c.npz", model=other)
    np.testing.assert_array_equal(other[1].weight.data, outer[1].weight.data)


def test_register_buffer_persistent_must_be_a_bool():
    with pytest.raises(ArgumentTypeError, match="persistent must be True or False"):
        nn.Module().register_buffer("b", np.ones(1), persistent="no")


# ---------------------------------------------------------------- ParameterList / Dict
def _with_parameter_containers(lib):
    """A module holding a ParameterList and a ParameterDict, in nn or in torch."""
    torch = pytest.importorskip("torch")
    if lib == "torch":
        m, make, P = torch.nn.Module(), torch.ones, torch.nn.Parameter
        m.plist = torch.nn.ParameterList([make(2), P(make(3))])
        m.pdict = torch.nn.ParameterDict({"scale": make(1), "shift": P(make(2))})
    else:
        m, make, P = nn.Module(), np.ones, Parameter
        m.plist = nn.ParameterList([make(2), P(make(3))])
        m.pdict = nn.ParameterDict({"scale": make(1), "shift": P(make(2))})
    m.plist.append(make(4))
    m.plist.extend([make(5)])
    m.pdict["gain"] = make(6)
    m.pdict.update({"bias": make(7)})
    return m


def test_parameter_containers_are_discovered_with_torch_names():
    ours, theirs = _with_parameter_containers("nn"), _with_parameter_containers("torch")
    names = [n for n, _ in ours.named_parameters()]
    assert names == [n for n, _ in theirs.named_parameters()]
    assert list(ours.state_dict()) == list(theirs.state_dict()) == names
    assert ([p.shape for p in ours.parameters()]
            == [tuple(p.shape) for p in theirs.parameters()])
    assert all(isinstance(p, Parameter) and p.requires_grad for p in ours.parameters())
    assert [n for n, _ in ours.plist.named_parameters()] == ["0", "1", "2", "3"]
    assert ours.get_parameter("pdict.gain") is ours.pdict["gain"]


def test_parameter_list_behaves_as_torchs():
    torch = pytest.importorskip("torch")
    ours = nn.ParameterList([np.zeros(2), np.zeros(3)])
    theirs = torch.nn.ParameterList([torch.zeros(2), torch.zeros(3)])
    assert len(ours) == len(theirs) == 2
    assert [p.shape for p in ours] == [tuple(p.shape) for p in theirs]
    assert ours[-1].shape == tuple(theirs[-1].shape) == (3,)
    part = ours[1:]
    assert isinstance(part, nn.ParameterList) and part[0] is ours[1]
    for index in (slice(None, None, -1), slice(None, None, 2), slice(-1, None)):
        assert [p.shape for p in ours[index]] == [tuple(p.shape) for p in theirs[index]]
    ours[0] = np.ones(4)
    theirs[0] = torch.ones(4)
    assert isinstance(ours[0], Parameter) and ours[0].shape == tuple(theirs[0].shape)
    kept = Parameter(np.ones(1))
    assert ours.append(kept) is ours and ours[2] is kept  # a Parameter is not re-wrapped
    array = np.zeros(2)
    ours.append(array)
    assert np.shares_memory(ours[3].data, array)  # wrapped, sharing, as torch does
    with pytest.raises(IndexError):
        ours[10] = np.ones(1)


def test_parameter_dict_behaves_as_torchs():
    torch = pytest.importorskip("torch")
    ours = nn.ParameterDict({"a": np.zeros(1), "b": np.zeros(2)})
    theirs = torch.nn.ParameterDict({"a": torch.zeros(1), "b": torch.zeros(2)})
    assert list(ours) == list(theirs) == list(ours.keys()) == list(theirs.keys())
    assert len(ours) == len(theirs) and ("a" in ours) == ("a" in theirs)
    assert [k for k, _ in ours.items()] == [k for k, _ in theirs.items()]
    assert [p.shape for p in ours.values()] == [tuple(p.shape) for p in theirs.values()]
    assert ours.pop("a").shape == tuple(theirs.pop("a").shape)
    del ours["b"]
    del theirs["b"]
    assert list(ours) == list(theirs) == []
    assert ours.get("b") is None and ours.get("b", 3) == 3


def test_parameter_containers_train_load_and_cast():
    model = _with_parameter_containers("nn")
    before = [p.data.copy() for p in model.parameters()]
    loss = sum((p * p).sum() for p in model.parameters())
    loss.backward()
    nn.optim.SGD(model.parameters(), lr=0.1).step()
    for old, p in zip(before, model.parameters()):
        np.testing.assert_allclose(p.data, old * 0.8)
    fresh = _with_parameter_containers("nn")
    fresh.load_state_dict(model.state_dict())
    np.testing.assert_array_equal(fresh.pdict["bias"].data, model.pdict["bias"].data)
    model.float()
    assert {p.dtype for p in model.parameters()} == {np.dtype(np.float32)}


def test_functional_call_swaps_parameter_container_items():
    from nn.module import functional_call

    class Scale(nn.Module):
        def __init__(self):
            super().__init__()
            self.ws = nn.ParameterList([np.full(2, 2.0)])
            self.bs = nn.ParameterDict({"b": np.zeros(2)})

        def forward(self, x):
            return x * self.ws[0] + self.bs["b"]

    m = Scale()
    y = functional_call(m, {"ws.0": np.full(2, 3.0), "bs.b": np.ones(2)}, np.ones(2))
    np.testing.assert_array_equal(y.data, [4.0, 4.0])
    np.testing.assert_array_equal(m(np.ones(2)).data, [2.0, 2.0])  # originals back


def test_parameter_container_errors():
    with pytest.raises(ArgumentTypeError, match="ParameterList holds Parameters.*item 1 is a "
                                                "float"):
        nn.ParameterList([np.ones(1), 2.0])
    with pytest.raises(ArgumentTypeError, match="extend needs an iterable.*ndarray"):
        nn.ParameterList().extend(np.ones(2))
    with pytest.raises(DTypeError, match="must be floating"):
        nn.ParameterList([np.arange(3)])
    pdict = nn.ParameterDict()
    with pytest.raises(ArgumentTypeError, match="ParameterDict keys are str; got 1"):
        pdict[1] = np.ones(1)
    with pytest.raises(nn.errors.ConfigError, match="without '.'"):
        pdict["a.b"] = np.ones(1)
    with pytest.raises(ArgumentTypeError, match="item 'a' is a NoneType"):
        pdict["a"] = None
    with pytest.raises(nn.errors.NameNotFoundError, match="no key 'x'; keys: \\[\\]"):
        pdict["x"]
    with pytest.raises(nn.errors.NameNotFoundError, match="no key 'x'; keys: \\[\\]"):
        del pdict["x"]
    with pytest.raises(nn.errors.NameNotFoundError, match="no key 'x'; keys: \\[\\]"):
        pdict.pop("x")
    with pytest.raises(NotImplementedError, match="container without forward"):
        nn.ParameterList()(1)


def test_parameter_container_repr_is_pytorchs(torch):
    ours, theirs = _with_parameter_containers("nn"), _with_parameter_containers("torch")
    text = repr(theirs).replace("DoubleTensor", "float64").replace("torch.", "")
    assert repr(ours) == text  # PyTorch's text, with this library's dtype names
    assert repr(nn.ParameterDict()) == repr(torch.nn.ParameterDict())
