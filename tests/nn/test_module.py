"""Module and Parameter: discovery, modes, state dicts, casting, containers."""
import copy
import pickle

import numpy as np
import pytest

import autograd
from autograd import Tensor, no_grad
from autograd.errors import DTypeError, UsageError
from nn.containers import ModuleDict, ModuleList, Sequential
from nn.layers import Dropout, Identity, Linear
from nn.module import LoadResult, Module, Parameter, StateDictError, functional_call
from nn.normalization import BatchNorm1d


class Block(Module):
    def __init__(self, n, rng=0):
        super().__init__()
        self.fc = Linear(n, n, rng=rng)
        self.norm = BatchNorm1d(n)
        self.gate = Parameter(np.ones(n))

    def forward(self, x):
        return self.norm(self.fc(x)) * self.gate


class Net(Module):
    """Parameters in every place discovery must look: attributes, lists, dicts, tuples."""

    def __init__(self, rng=0):
        super().__init__()
        self.inp = Linear(3, 4, rng=rng)
        self.blocks = [Block(4, rng=rng), Block(4, rng=rng)]
        self.heads = {"a": Linear(4, 2, rng=rng), "b": Linear(4, 1, rng=rng)}
        self.pair = (Parameter(np.zeros(2)), Identity())
        self.scale = Parameter(2.0)
        self.not_a_parameter = Tensor(np.ones(3), requires_grad=True)

    def forward(self, x):
        h = self.inp(x)
        for block in self.blocks:
            h = block(h)
        return self.heads["a"](h) * self.scale


def expected_names():
    """PyTorch's order: a module's own parameters first, then its sub-modules'."""
    block = ["gate", "fc.weight", "fc.bias", "norm.weight", "norm.bias"]
    return (["scale", "inp.weight", "inp.bias"]
            + [f"blocks.{i}.{n}" for i in range(2) for n in block]
            + ["heads.a.weight", "heads.a.bias", "heads.b.weight", "heads.b.bias",
               "pair.0"])


# ---------------------------------------------------------------- Parameter
def test_parameter_is_a_leaf_tensor_that_requires_grad():
    p = Parameter(np.arange(3.0))
    assert isinstance(p, Tensor) and p.requires_grad and p.is_leaf
    assert Parameter([1, 2]).dtype == np.float64
    assert Parameter(np.ones(2), dtype=np.float32).dtype == np.float32
    assert repr(p).startswith("Parameter([0., 1., 2.]")


def test_parameter_shares_a_numpy_array_and_detaches_a_tensor():
    data = np.zeros(3)
    p = Parameter(data)
    data[0] = 5.0
    assert p.data[0] == 5.0
    y = Tensor(np.ones(2), requires_grad=True) * 2
    assert Parameter(y).is_leaf


def test_parameter_rejects_integer_data():
    with pytest.raises(DTypeError, match="floating"):
        Parameter(np.arange(3))


# ---------------------------------------------------------------- discovery
def test_named_parameters_follow_pytorchs_order_with_dotted_names():
    net = Net()
    assert [n for n, _ in net.named_parameters()] == expected_names()
    assert [p for _, p in net.named_parameters()] == list(net.parameters())
    assert all(isinstance(p, Parameter) for p in net.parameters())


def test_buffers_are_state_but_not_parameters():
    net = Net()
    buffer_names = [n for n, _ in net.named_buffers()]
    assert buffer_names == [f"blocks.{i}.norm.{b}" for i in range(2)
                            for b in ("running_mean", "running_var", "num_batches_tracked")]
    parameter_ids = {id(p) for p in net.parameters()}
    assert not any(id(b) in parameter_ids for b in net.buffers())
    state = net.state_dict()
    assert set(state) == set(expected_names()) | set(buffer_names)


def test_modules_are_listed_pre_order_each_once():
    net = Net()
    names = [n for n, _ in net.named_modules()]
    assert names == ["", "inp", "blocks.0", "blocks.0.fc", "blocks.0.norm", "blocks.1",
                     "blocks.1.fc", "blocks.1.norm", "heads.a", "heads.b", "pair.1"]
    assert list(net.modules())[0] is net
    assert [n for n, _ in net.named_children()] == ["inp", "blocks.0", "blocks.1",
                                                    "heads.a", "heads.b", "pair.1"]
    assert len(list(net.children())) == 6


def test_shared_parameters_and_modules_are_reported_once():
    shared = Linear(2, 2, rng=0)
    model = Sequential(shared, Identity(), shared)
    assert [n for n, _ in model.named_parameters()] == ["0.weight", "0.bias"]
    assert len(list(model.modules())) == 3  # Sequential, Linear, Identity
    tied = Module()
    tied.enc, tied.dec = Linear(2, 2, rng=0), Linear(2, 2, rng=1)
    tied.dec.weight = tied.enc.weight
    assert [n for n, _ in tied.named_parameters()] == ["enc.weight", "enc.bias", "dec.bias"]
    assert set(tied.state_dict()) == {"enc.weight", "enc.bias", "dec.weight", "dec.bias"}


def test_cyclic_references_do_not_loop():
    net = Net()
    net.blocks[0].parent = net  # a child holding its parent
    net.blocks.append(net.blocks)  # a list holding itself
    assert [n for n, _ in net.named_parameters()] == expected_names()


def test_lists_filled_after_assignment_are_found():
    model = Module()
    model.layers = []
    model.layers.append(Linear(2, 3, rng=0))
    assert [n for n, _ in model.named_parameters()] == ["layers.0.weight", "layers.0.bias"]


def test_parameter_count_of_the_784_256_128_10_mlp():
    sizes = [784, 256, 128, 10]
    model = Sequential(*[Linear(i, o, rng=0) for i, o in zip(sizes, sizes[1:])])
    counted = sum(p.size for p in model.parameters())
    assert counted == sum(i * o + o for i, o in zip(sizes, sizes[1:]))
    assert counted == 235_146


# ---------------------------------------------------------------- attribute rules
def test_assigning_a_plain_tensor_to_a_parameter_name_is_refused():
    layer = Linear(2, 2, rng=0)
    with pytest.raises(TypeError, match="parameter 'weight'.*Parameter or None"):
        layer.weight = layer.weight * 2
    layer.bias = None
    assert [n for n, _ in layer.named_parameters()] == ["weight"]


def test_forgetting_super_init_is_reported():
    class Broken(Module):
        def __init__(self):
            self.fc = Linear(2, 2, rng=0)

    with pytest.raises(RuntimeError, match=r"super\(\).__init__\(\)"):
        Broken()


def test_register_buffer_keeps_assignments_buffers():
    m = Module()
    m.register_buffer("count", np.zeros(2))
    m.count = np.ones(2)
    assert isinstance(m.count, Tensor) and not m.count.requires_grad
    assert [n for n, _ in m.named_buffers()] == ["count"]
    assert list(m.parameters()) == []
    del m.count
    assert list(m.named_buffers()) == []
    with pytest.raises(ValueError, match="without '.'"):
        m.register_buffer("a.b", np.zeros(1))


def test_call_runs_forward_and_base_forward_is_required():
    class Affine(Module):
        def forward(self, x, shift=0.0):
            return x * 2 + shift

    assert Affine()(Tensor(1.0), shift=3.0).item() == 5.0
    with pytest.raises(NotImplementedError, match="forward"):
        Module()(Tensor(1.0))


# ---------------------------------------------------------------- modes and grads
def test_train_and_eval_recurse_and_return_self():
    net = Net()
    assert net.eval() is net
    assert not any(m.training for m in net.modules())
    assert net.train() is net and all(m.training for m in net.modules())
    with pytest.raises(TypeError, match="bool"):
        net.train("no")


def test_zero_grad_forgets_every_gradient():
    net = Net()
    net(Tensor(np.random.default_rng(0).standard_normal((5, 3)))).sum().backward()
    had = {id(p) for p in net.parameters() if p.grad is not None}
    assert net.inp.weight.grad is not None and len(had) < len(list(net.parameters()))
    net.zero_grad(set_to_none=False)  # as PyTorch: zeros where a gradient was, else None
    for p in net.parameters():
        if id(p) in had:
            assert p.grad.shape == p.shape and not p.grad.data.any()
        else:
            assert p.grad is None
    net.zero_grad()
    assert all(p.grad is None for p in net.parameters())


def test_requires_grad_freezes_and_apply_visits_every_module():
    net = Net()
    net.requires_grad_(False)
    assert not any(p.requires_grad for p in net.parameters())
    visited = []
    net.apply(visited.append)
    assert visited[-1] is net and {id(m) for m in visited} == {id(m) for m in net.modules()}


# ---------------------------------------------------------------- state dicts
def test_state_dict_holds_read_only_copies():
    """Training does not change a kept state dict; and PyTorch's habit of writing into a
    state dict to change the model (its values are views there) raises, never silently
    changing only the copy."""
    layer = Linear(2, 3, rng=0)
    state = layer.state_dict()
    with no_grad():
        layer.weight.sub_(1.0)
    assert not np.array_equal(state["weight"].data, layer.weight.data)
    for write in (lambda t: t.__setitem__(Ellipsis, 0.0), lambda t: t.copy_(np.zeros((3, 2))),
                  lambda t: t.mul_(2.0), lambda t: t.zero_()):
        with pytest.raises(UsageError, match="read-only.*state_dict.*load_state_dict"):
            write(state["weight"])
    assert layer.weight.data.any()
    fresh = Linear(2, 3, rng=1)  # assign=True takes the values, in memory it may write
    fresh.load_state_dict(state, assign=True)
    with no_grad():
        fresh.weight.mul_(2.0)
    np.testing.assert_array_equal(fresh.weight.data, 2 * state["weight"].data)


def test_load_state_dict_round_trip_keeps_identity():
    x = Tensor(np.random.default_rng(1).standard_normal((6, 3)))
    source, target = Net(rng=0), Net(rng=1)
    source(x)  # moves the running statistics away from their initial values
    params, arrays = list(target.parameters()), [p.data for p in target.parameters()]
    assert target.load_state_dict(source.state_dict()) == LoadResult([], [])
    assert list(target.parameters()) == params
    assert all(p.data is a for p, a in zip(target.parameters(), arrays))
    for key, value in source.state_dict().items():
        np.testing.assert_array_equal(target.state_dict()[key], value)
    np.testing.assert_array_equal(source.eval()(x).data, target.eval()(x).data)


def test_load_state_dict_keeps_the_module_dtype():
    model = Linear(3, 2, rng=0).astype(np.float32)
    model.load_state_dict(Linear(3, 2, rng=1).state_dict())
    assert model.weight.dtype == np.float32
    np.testing.assert_allclose(model.weight.data, Linear(3, 2, rng=1).weight.data,
                               rtol=1e-6)


def test_missing_and_unexpected_keys_are_named_in_one_error():
    model = Sequential(Linear(2, 3, rng=0), Linear(3, 1, rng=0))
    state = model.state_dict()
    del state["1.bias"]
    state["2.weight"] = np.zeros((1, 1))
    before = model.state_dict()
    pattern = r"(?s)missing.*'1\.bias'.*unexpected.*'2\.weight'"
    with pytest.raises(StateDictError, match=pattern) as info:
        model.load_state_dict(state)
    assert info.value.missing == ["1.bias"] and info.value.unexpected == ["2.weight"]
    assert isinstance(info.value, ValueError) and not isinstance(info.value, KeyError)
    for key, value in before.items():  # nothing was loaded
        np.testing.assert_array_equal(model.state_dict()[key], value)


def test_non_strict_loading_skips_missing_and_unexpected_keys():
    model, other = Sequential(Linear(2, 3, rng=0)), Linear(2, 3, rng=1)
    state = {"0.weight": other.weight.data, "extra": np.zeros(1)}
    result = model.load_state_dict(state, strict=False)
    assert result.missing_keys == ["0.bias"] and result.unexpected_keys == ["extra"]
    np.testing.assert_array_equal(model[0].weight.data, other.weight.data)


def test_shape_mismatch_names_the_key_and_both_shapes():
    model = Linear(2, 3, rng=0)
    state = model.state_dict()
    state["weight"] = np.zeros((3, 4))
    for strict in (True, False):
        with pytest.raises(StateDictError, match=r"'weight'.*\(3, 4\).*\(3, 2\)"):
            model.load_state_dict(state, strict=strict)


def test_load_state_dict_accepts_tensors_and_rejects_non_mappings():
    model = Linear(2, 1, rng=0)
    model.load_state_dict({"weight": Tensor(np.ones((1, 2))), "bias": [0.5]})
    assert model.weight.data.tolist() == [[1.0, 1.0]] and model.bias.data.tolist() == [0.5]
    with pytest.raises(TypeError, match="mapping"):
        model.load_state_dict([("weight", np.ones((1, 2)))])


# ---------------------------------------------------------------- casting and copying
def test_astype_casts_parameters_buffers_and_grads_in_place():
    net = Net()
    net(Tensor(np.ones((4, 3)))).sum().backward()
    params = list(net.parameters())
    assert net.astype(np.float32) is net
    assert list(net.parameters()) == params
    assert all(p.dtype == np.float32 for p in net.parameters())
    assert all(p.grad.dtype == np.float32 for p in net.parameters() if p.grad is not None)
    assert net.blocks[0].norm.running_var.dtype == np.float32
    assert net.blocks[0].norm.num_batches_tracked.dtype == np.int64
    assert net(Tensor(np.ones((4, 3), np.float32))).dtype == np.float32
    with pytest.raises(DTypeError, match="float"):
        net.astype(np.int32)


def test_pytorch_spellings_of_astype():
    net = Net()
    assert net.float() is net and all(p.dtype == np.float32 for p in net.parameters())
    assert net.double() is net and all(p.dtype == np.float64 for p in net.parameters())
    assert net.to(np.float32) is net and net.blocks[0].norm.running_var.dtype == np.float32
    assert net.to("cpu") is net and net.to(device="cpu", dtype=np.float64) is net
    assert all(p.dtype == np.float64 for p in net.parameters())
    with pytest.raises(UsageError, match="no other device"):
        net.to("cuda")


def test_deepcopy_and_pickle_make_independent_models():
    net = Net()
    for clone in (copy.deepcopy(net), pickle.loads(pickle.dumps(net))):
        assert [n for n, _ in clone.named_parameters()] == expected_names()
        clone.inp.weight.data[...] = 0.0
        assert net.inp.weight.data.any()


# ---------------------------------------------------------------- printing
def test_repr_is_an_indented_tree():
    model = Sequential(Linear(2, 3, rng=0), Sequential(Dropout(0.25), Identity()))
    assert repr(model) == (
        "Sequential(\n"
        "  (0): Linear(in_features=2, out_features=3, bias=True)\n"
        "  (1): Sequential(\n"
        "    (0): Dropout(p=0.25, inplace=False)\n"
        "    (1): Identity()\n"
        "  )\n"
        ")")


# ---------------------------------------------------------------- functional_call
def test_functional_call_substitutes_and_restores():
    layer = Linear(2, 1, bias=False, rng=0)
    original = layer.weight
    w = Tensor(np.array([[1.0, 2.0]]), requires_grad=True)
    y = functional_call(layer, {"weight": w}, Tensor(np.array([3.0, 4.0])))
    assert y.item() == 11.0 and layer.weight is original
    y.backward()
    np.testing.assert_array_equal(w.grad.data, [[3.0, 4.0]])
    with pytest.raises(ValueError, match="no parameter or buffer named 'bias'"):
        functional_call(layer, {"bias": w}, Tensor(np.ones(2)))


def test_functional_call_reaches_parameters_in_lists():
    model = Module()
    model.ws = [Parameter(np.ones(2))]
    model.forward = lambda x: x * model.ws[0]
    v = Tensor(np.full(2, 3.0))
    assert functional_call(model, {"ws.0": v}, Tensor(np.ones(2))).data.tolist() == [3, 3]
    assert isinstance(model.ws[0], Parameter)


# ---------------------------------------------------------------- containers
def test_module_list_behaves_like_a_list():
    layers = ModuleList([Linear(2, 2, rng=0), Identity()])
    layers.append(Linear(2, 1, rng=0)).extend([Identity()])
    layers.insert(0, Identity())
    assert len(layers) == 5 and isinstance(layers[1], Linear)
    assert isinstance(layers[1:3], ModuleList) and len(layers[1:3]) == 2
    assert [n for n, _ in layers.named_parameters()] == ["1.weight", "1.bias", "3.weight",
                                                         "3.bias"]
    del layers[0]
    assert [n for n, _ in layers.named_parameters()][0] == "0.weight"
    with pytest.raises(TypeError, match="holds Modules"):
        layers.append(autograd.relu)
    with pytest.raises(NotImplementedError, match="Sequential"):
        layers(Tensor(1.0))


def test_module_dict_behaves_like_a_dict():
    heads = ModuleDict({"cls": Linear(2, 3, rng=0)})
    heads["reg"] = Linear(2, 1, rng=0)
    assert list(heads) == ["cls", "reg"] and "reg" in heads and len(heads) == 2
    assert [n for n, _ in heads.named_parameters()] == ["cls.weight", "cls.bias",
                                                        "reg.weight", "reg.bias"]
    del heads["cls"]
    assert list(heads.keys()) == ["reg"]
    with pytest.raises(ValueError, match="without '.'"):
        heads["a.b"] = Identity()
