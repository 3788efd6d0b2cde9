"""load_state_dict(assign=True) as PyTorch's: the given values become the parameters and
buffers (their dtype and memory), keeping each parameter's requires_grad."""

import numpy as np
import pytest

import nn
from autograd import Tensor
from autograd.errors import AutogradError


def model_pair(torch):
    """Linear(3, 2) with a frozen bias, then BatchNorm1d(2): ours and torch's."""
    ours = nn.Sequential(nn.Linear(3, 2, rng=0), nn.BatchNorm1d(2))
    theirs = torch.nn.Sequential(torch.nn.Linear(3, 2), torch.nn.BatchNorm1d(2)).double()
    for model in (ours, theirs):
        model[0].bias.requires_grad_(False)
    return ours, theirs


def float32_state(seed=1):
    rng = np.random.default_rng(seed)
    return {"0.weight": rng.normal(size=(2, 3)).astype(np.float32),
            "0.bias": rng.normal(size=2).astype(np.float32),
            "1.weight": rng.normal(size=2).astype(np.float32),
            "1.bias": rng.normal(size=2).astype(np.float32),
            "1.running_mean": rng.normal(size=2).astype(np.float32),
            "1.running_var": rng.uniform(1, 2, size=2).astype(np.float32),
            "1.num_batches_tracked": np.array(7)}


def test_assign_takes_the_values_dtype_memory_and_keeps_requires_grad_as_torch():
    torch = pytest.importorskip("torch")
    ours, theirs = model_pair(torch)
    state = float32_state()
    torch_state = {k: torch.from_numpy(v) for k, v in state.items()}
    old_weight = ours[0].weight
    ours.load_state_dict(state, assign=True)
    theirs.load_state_dict(torch_state, assign=True)
    for (name, p), (_, q) in zip(ours.named_parameters(), theirs.named_parameters()):
        assert isinstance(p, nn.Parameter) and isinstance(q, torch.nn.Parameter)
        assert p.requires_grad == q.requires_grad, name
        assert str(p.dtype) == str(q.dtype).removeprefix("torch.") == "float32"
        assert np.shares_memory(p.data, state[name])  # torch's shares the tensor's memory
    assert ours[0].weight is not old_weight and old_weight.dtype == np.float64
    assert ours[1].running_mean.dtype == np.float32
    assert np.shares_memory(ours[1].running_mean.data, state["1.running_mean"])
    ours.eval(), theirs.eval()
    x = np.random.default_rng(2).normal(size=(4, 3)).astype(np.float32)
    np.testing.assert_allclose(ours(Tensor(x)).data,
                               theirs(torch.from_numpy(x)).detach().numpy(), rtol=1e-6)


def test_a_given_parameter_or_tensor_is_used_itself_as_torch():
    torch = pytest.importorskip("torch")
    ours, theirs = model_pair(torch)
    frozen = nn.Parameter(np.ones((2, 3)), requires_grad=False)
    frozen_t = torch.nn.Parameter(torch.ones(2, 3, dtype=torch.float64), requires_grad=False)
    mean, mean_t = Tensor(np.zeros(2)), torch.zeros(2, dtype=torch.float64)
    ours.load_state_dict({"0.weight": frozen, "1.running_mean": mean}, strict=False,
                         assign=True)
    theirs.load_state_dict({"0.weight": frozen_t, "1.running_mean": mean_t}, strict=False,
                           assign=True)
    assert ours[0].weight is frozen and theirs[0].weight is frozen_t
    assert frozen.requires_grad == frozen_t.requires_grad is True
    assert ours[1].running_mean is mean and theirs[1].running_mean is mean_t


def test_keep_vars_state_dicts_share_parameters_as_torch():
    torch = pytest.importorskip("torch")
    a, b = nn.Linear(2, 2, rng=0), nn.Linear(2, 2, rng=1)
    ta, tb = torch.nn.Linear(2, 2), torch.nn.Linear(2, 2)
    b.load_state_dict(a.state_dict(keep_vars=True), assign=True)
    tb.load_state_dict(ta.state_dict(keep_vars=True), assign=True)
    assert (b.weight is a.weight) == (tb.weight is ta.weight) is True


def test_assigned_parameters_train():
    model = nn.Linear(3, 2, rng=0)
    model.load_state_dict({"weight": np.ones((2, 3)), "bias": np.zeros(2)}, assign=True)
    opt = nn.optim.SGD(model.parameters(), lr=0.5)  # built after loading, as in PyTorch
    model(Tensor(np.ones((1, 3)))).sum().backward()
    opt.step()
    np.testing.assert_allclose(model.weight.data, 0.5)


def test_bad_values_raise_and_change_nothing():
    model = nn.Sequential(nn.Linear(3, 2, rng=0))
    before = model[0].weight
    with pytest.raises(nn.StateDictError, match="int64 data; assign=True makes it a Param"):
        model.load_state_dict({"0.weight": np.ones((2, 3), dtype=np.int64),
                               "0.bias": np.zeros(2)}, assign=True)
    with pytest.raises(nn.StateDictError, match="shape mismatch"):
        model.load_state_dict({"0.weight": np.ones((3, 3)), "0.bias": np.zeros(2)},
                              assign=True)
    assert model[0].weight is before
    with pytest.raises(TypeError, match="assign") as info:
        model.load_state_dict(model.state_dict(), assign="yes")
    assert isinstance(info.value, AutogradError)


def test_parameters_in_lists_and_parameter_lists_are_assigned():
    class Held(nn.Module):
        def __init__(self):
            super().__init__()
            self.plain = [nn.Parameter(np.zeros(2))]
            self.params = nn.ParameterList([nn.Parameter(np.zeros(2))])
    model = Held()
    state = {"plain.0": np.ones(2), "params.0": np.full(2, 2.0)}
    model.load_state_dict(state, assign=True)
    assert np.shares_memory(model.plain[0].data, state["plain.0"])
    assert np.shares_memory(model.params[0].data, state["params.0"])
    assert [p.data[0] for p in model.parameters()] == [1.0, 2.0]


def test_a_parameter_in_a_tuple_cannot_be_assigned():
    class Pair(nn.Module):
        def __init__(self):
            super().__init__()
            self.pair = (nn.Parameter(np.zeros(2)), nn.Parameter(np.zeros(2)))
    model = Pair()
    with pytest.raises(AutogradError, match="tuple, which cannot be changed"):
        model.load_state_dict({"pair.0": np.ones(2), "pair.1": np.ones(2)}, assign=True)
    model.load_state_dict({"pair.0": np.ones(2), "pair.1": np.ones(2)})  # copying works
    np.testing.assert_array_equal(model.pair[0].data, 1.0)
