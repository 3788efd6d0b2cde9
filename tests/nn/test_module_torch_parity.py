"""PyTorch's Module spellings compared with torch on the same model: state_dict's
destination / prefix / keep_vars, non-persistent buffers, ParameterList/ParameterDict,
Unflatten, parameters_to_vector / vector_to_parameters, orthogonal_ and trunc_normal_."""

import math

import numpy as np
import pytest

import nn
from autograd import Tensor, gradcheck
from autograd.errors import AxisError, DTypeError, InplaceError, ShapeError
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
    assert isinstance(copies["0.weight"], np.ndarray) and not isinstance(
        copies["0.weight"], Parameter)
    copies["0.weight"][...] = 7.0  # a copy: the model is unchanged
    assert not np.any(ours[0].weight.data == 7.0)
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
    with pytest.raises(NotImplementedError, match="container without forward"):
        nn.ParameterList()(1)


def test_parameter_container_repr_lists_shapes():
    m = _with_parameter_containers("nn")
    assert "(plist): ParameterList(\n    (0): Parameter of shape (2,), float64" in repr(m)
    assert repr(nn.ParameterDict()) == "ParameterDict()"


# ---------------------------------------------------------------- Unflatten
@pytest.mark.parametrize("dim, sizes, shape", [
    (1, (2, 5), (3, 10)), (-1, (2, -1), (3, 10)), (0, [3, 1], (3, 4)), (1, (4,), (2, 4, 3)),
    (-2, (2, 2), (2, 4, 3))])
def test_unflatten_matches_torch(dim, sizes, shape):
    torch = pytest.importorskip("torch")
    x = np.random.default_rng(0).normal(size=shape)
    ours = nn.Unflatten(dim, sizes)
    theirs = torch.nn.Unflatten(dim, tuple(sizes))
    np.testing.assert_array_equal(ours(x).data, theirs(torch.from_numpy(x)).numpy())
    assert repr(ours) == repr(theirs)


def test_unflatten_inverts_flatten_and_has_the_gradient_of_a_reshape():
    x = Tensor(np.random.default_rng(1).normal(size=(2, 3, 4)), requires_grad=True)
    model = nn.Sequential(nn.Flatten(), nn.Unflatten(1, (3, 4)))
    np.testing.assert_array_equal(model(x).data, x.data)
    assert gradcheck(lambda t: nn.Unflatten(2, (-1, 2))(t) ** 2, [x])


def test_unflatten_errors():
    with pytest.raises(ArgumentTypeError, match="unflattened_size must be a tuple of ints.*int"):
        nn.Unflatten(1, 5)
    with pytest.raises(ArgumentTypeError, match=r"unflattened_size\[0\] must be an int"):
        nn.Unflatten(1, (2.0, 5))
    with pytest.raises(ArgumentTypeError, match="dim must be an int"):
        nn.Unflatten(1.0, (2, 5))
    with pytest.raises(nn.errors.ConfigError, match="unflattened_size is empty"):
        nn.Unflatten(0, ())
    with pytest.raises(ShapeError, match=r"sizes \(3, 5\) do not split axis 1 of length 10"):
        nn.Unflatten(1, (3, 5))(np.ones((3, 10)))
    with pytest.raises(AxisError, match="axis 3 is out of range"):
        nn.Unflatten(3, (2, 5))(np.ones((3, 10)))


# ---------------------------------------------------------------- parameters <-> vector
def _linear_pair():
    """nn.Linear(3, 2) and torch's with the same weights."""
    torch = pytest.importorskip("torch")
    ours = nn.Linear(3, 2, rng=0)
    theirs = torch.nn.Linear(3, 2).double()
    with torch.no_grad():
        theirs.weight.copy_(torch.from_numpy(ours.weight.data))
        theirs.bias.copy_(torch.from_numpy(ours.bias.data))
    return torch, ours, theirs


def test_parameters_to_vector_matches_torch_in_value_and_gradient():
    torch, ours, theirs = _linear_pair()
    from torch.nn.utils import parameters_to_vector as torch_p2v
    vec = nn.utils.parameters_to_vector(ours.parameters())
    torch_vec = torch_p2v(theirs.parameters())
    np.testing.assert_array_equal(vec.data, torch_vec.detach().numpy())
    weights = np.random.default_rng(2).normal(size=vec.shape)
    (nn.utils.parameters_to_vector(ours.parameters()) ** 2 * weights).sum().backward()
    (torch_vec ** 2 * torch.from_numpy(weights)).sum().backward()
    np.testing.assert_allclose(ours.weight.grad.data, theirs.weight.grad.numpy())
    np.testing.assert_allclose(ours.bias.grad.data, theirs.bias.grad.numpy())


def test_parameters_to_vector_passes_gradcheck():
    w = Tensor(np.random.default_rng(3).normal(size=(2, 3)), requires_grad=True)
    b = Tensor(np.random.default_rng(4).normal(size=2), requires_grad=True)
    assert gradcheck(lambda w, b: nn.utils.parameters_to_vector([w, b]) ** 3, [w, b])


def test_vector_to_parameters_writes_as_torch():
    torch, ours, theirs = _linear_pair()
    from torch.nn.utils import vector_to_parameters as torch_v2p
    vec = np.arange(8.0)
    weight = ours.weight
    nn.utils.vector_to_parameters(vec, ours.parameters())
    torch_v2p(torch.from_numpy(vec.copy()), theirs.parameters())
    assert ours.weight is weight  # the same Parameter, written in place
    np.testing.assert_array_equal(ours.weight.data, theirs.weight.detach().numpy())
    np.testing.assert_array_equal(ours.bias.data, theirs.bias.detach().numpy())
    vec[:] = -1.0
    assert ours.bias.data[0] == 6.0  # a copy: vec stays separate


def test_vector_to_parameters_round_trip_keeps_dtype():
    model = nn.Sequential(nn.Linear(3, 4, rng=0), nn.Linear(4, 1, rng=1)).float()
    before = nn.utils.parameters_to_vector(model.parameters())
    nn.utils.vector_to_parameters(before * 2, model.parameters())
    after = nn.utils.parameters_to_vector(model.parameters())
    np.testing.assert_array_equal(after.data, before.data * 2)
    assert {p.dtype for p in model.parameters()} == {np.dtype(np.float32)}


def test_vector_to_parameters_is_a_write_a_stale_graph_refuses():
    layer = nn.Linear(2, 1, rng=0)
    out = (layer.weight * layer.weight).sum()  # saves the weight for its backward
    nn.utils.vector_to_parameters(np.zeros(3), layer.parameters())
    with pytest.raises(InplaceError):
        out.backward()


def test_parameters_vector_errors():
    layer = nn.Linear(2, 2)
    with pytest.raises(nn.errors.ConfigError, match="got no parameters"):
        nn.utils.parameters_to_vector([])
    with pytest.raises(ArgumentTypeError, match="got the module Linear"):
        nn.utils.parameters_to_vector(layer)
    with pytest.raises(ShapeError, match=r"one value per parameter entry, 6 here; got "
                                         r"shape \(5,\)"):
        nn.utils.vector_to_parameters(np.ones(5), layer.parameters())
    with pytest.raises(ShapeError, match=r"6 here; got shape \(7,\)"):  # torch ignores these
        nn.utils.vector_to_parameters(np.ones(7), layer.parameters())
    with pytest.raises(ShapeError, match=r"got shape \(2, 3\)"):
        nn.utils.vector_to_parameters(np.ones((2, 3)), layer.parameters())
    with pytest.raises(ArgumentTypeError, match="vec must be a Tensor.*list"):
        nn.utils.vector_to_parameters([1.0] * 6, layer.parameters())
    with pytest.raises(DTypeError, match="holds <U1 data"):
        nn.utils.vector_to_parameters(np.array(list("abcdef")), layer.parameters())


# ---------------------------------------------------------------- orthogonal_
@pytest.mark.parametrize("shape", [(3, 5), (5, 3), (4, 4), (2, 3, 4), (6, 2, 2)])
@pytest.mark.parametrize("gain", [1.0, 2.5])
def test_orthogonal_rows_or_columns_are_orthonormal_times_gain(shape, gain):
    w = nn.init.orthogonal_(Parameter(np.zeros(shape)), gain=gain, rng=0)
    matrix = w.data.reshape(shape[0], -1)
    rows, cols = matrix.shape
    gram = matrix @ matrix.T if rows <= cols else matrix.T @ matrix
    np.testing.assert_allclose(gram, gain ** 2 * np.eye(min(rows, cols)), atol=1e-12)


def test_orthogonal_is_seeded_counts_its_write_and_keeps_dtype():
    first = nn.init.orthogonal_(np.zeros((4, 3), np.float32), rng=7)
    again = nn.init.orthogonal_(np.zeros((4, 3), np.float32), generator=np.random.default_rng(7))
    assert first.dtype == np.float32
    np.testing.assert_array_equal(first, again)
    p = Parameter(np.zeros((2, 2)))
    out = (p * p).sum()
    nn.init.orthogonal_(p, rng=0)
    with pytest.raises(InplaceError):
        out.backward()


def test_orthogonal_shapes_as_torch():
    torch = pytest.importorskip("torch")
    empty = np.zeros((0, 3))
    assert nn.init.orthogonal_(empty, rng=0) is empty
    assert torch.nn.init.orthogonal_(torch.empty(0, 3)).shape == (0, 3)
    with pytest.raises(ValueError, match="2 or more dimensions"):
        torch.nn.init.orthogonal_(torch.empty(3))
    with pytest.raises(nn.errors.ConfigError, match=r"at least 2 axes.*got shape \(3,\)"):
        nn.init.orthogonal_(np.zeros(3), rng=0)
    with pytest.raises(ArgumentTypeError, match="gain must be a finite number"):
        nn.init.orthogonal_(np.zeros((2, 2)), gain="2")


# ---------------------------------------------------------------- trunc_normal_
def _pdf(x):
    return 0.0 if math.isinf(x) else math.exp(-x * x / 2) / math.sqrt(2 * math.pi)


def _cdf(x):
    return 0.5 * (1 + math.erf(x / math.sqrt(2)))


def _truncated_moments(mean, std, a, b):
    """Mean and std of N(mean, std^2) conditioned on [a, b], from the textbook formulas
    (alpha, beta: the bounds in standard units; x phi(x) is 0 at +-inf)."""
    alpha, beta = (a - mean) / std, (b - mean) / std
    z = _cdf(beta) - _cdf(alpha)
    shift = (_pdf(alpha) - _pdf(beta)) / z
    tails = ((alpha * _pdf(alpha) if math.isfinite(alpha) else 0.0)
             - (beta * _pdf(beta) if math.isfinite(beta) else 0.0)) / z
    return mean + std * shift, std * math.sqrt(1 + tails - shift ** 2)


@pytest.mark.parametrize("mean, std, a, b", [
    (0.0, 1.0, -2.0, 2.0), (0.5, 1.0, -1.0, 1.0), (0.0, 0.02, -0.04, 0.04),
    (1.0, 2.0, 0.0, math.inf), (0.0, 0.02, -2.0, 2.0)])
def test_trunc_normal_values_in_range_with_the_truncated_moments(mean, std, a, b):
    w = nn.init.trunc_normal_(Parameter(np.zeros((300, 300))), mean, std, a, b, rng=0)
    assert a <= w.data.min() and w.data.max() <= b
    expected_mean, expected_std = _truncated_moments(mean, std, a, b)
    n = w.data.size
    assert abs(w.data.mean() - expected_mean) < 5 * expected_std / math.sqrt(n)
    assert abs(w.data.std() - expected_std) < 5 * expected_std * math.sqrt(2 / n)


def test_trunc_normal_agrees_with_torch_in_distribution():
    torch = pytest.importorskip("torch")
    torch.manual_seed(0)
    theirs = torch.nn.init.trunc_normal_(torch.empty(300, 300, dtype=torch.float64),
                                         mean=0.5, std=1.0, a=-1.0, b=1.0).numpy()
    ours = nn.init.trunc_normal_(np.zeros((300, 300)), 0.5, 1.0, -1.0, 1.0, rng=0)
    assert abs(ours.mean() - theirs.mean()) < 0.01 and abs(ours.std() - theirs.std()) < 0.01
    assert ours.min() >= -1.0 and ours.max() <= 1.0


def test_trunc_normal_is_seeded_counts_its_write_and_keeps_dtype():
    first = nn.init.trunc_normal_(np.zeros(50, np.float16), rng=3)
    again = nn.init.trunc_normal_(np.zeros(50, np.float16), generator=np.random.default_rng(3))
    assert first.dtype == np.float16
    np.testing.assert_array_equal(first, again)
    p = Parameter(np.zeros(3))
    out = (p * p).sum()
    nn.init.trunc_normal_(p, rng=0)
    with pytest.raises(InplaceError):
        out.backward()


def test_trunc_normal_errors():
    w = np.zeros(4)
    with pytest.raises(nn.errors.ConfigError, match="needs a < b; got a=1.0, b=-1.0"):
        nn.init.trunc_normal_(w, a=1.0, b=-1.0)
    with pytest.raises(nn.errors.ConfigError, match="std must be a finite number > 0"):
        nn.init.trunc_normal_(w, std=0.0)  # torch: ZeroDivisionError
    with pytest.raises(nn.errors.ConfigError, match=r"holds only 2.9e-07 of N\(5.0, 1.0\^2\)"):
        nn.init.trunc_normal_(w, mean=5.0, a=-2.0, b=0.0)
    with pytest.raises(ArgumentTypeError, match="a must be a number"):
        nn.init.trunc_normal_(w, a=None)
    with pytest.raises(nn.errors.ConfigError, match="both rng= and generator="):
        nn.init.trunc_normal_(w, rng=0, generator=np.random.default_rng(0))
