"""Optimizers accept ``named_parameters()`` (PyTorch >= 2.6): the names are kept in each
group's ``"param_names"`` and in ``state_dict()["param_groups"][i]["param_names"]``."""
import numpy as np
import pytest

import autograd
import nn
from nn.errors import ArgumentTypeError, ConfigError
from nn.optim import SGD, Adam


def model():
    net = nn.Sequential(nn.Linear(3, 4), nn.Linear(4, 2))
    rng = np.random.default_rng(0)
    for p in net.parameters():
        p.data[...] = rng.normal(size=p.shape)
    return net


def torch_twin(net):
    torch = pytest.importorskip("torch")
    twin = torch.nn.Sequential(torch.nn.Linear(3, 4), torch.nn.Linear(4, 2)).double()
    with torch.no_grad():
        for p, q in zip(net.parameters(), twin.parameters()):
            q.copy_(torch.tensor(p.data))
    return torch, twin


def train(net, opt, x):
    for _ in range(3):
        opt.zero_grad()
        (net(x) ** 2).sum().backward()
        opt.step()


def test_named_parameters_as_torch():
    net = model()
    torch, twin = torch_twin(net)
    x = np.random.default_rng(1).normal(size=(5, 3))
    opt = Adam(net.named_parameters(), lr=0.1)
    topt = torch.optim.Adam(twin.named_parameters(), lr=0.1)
    train(net, opt, autograd.Tensor(x))
    train(twin, topt, torch.tensor(x))
    for p, q in zip(net.parameters(), twin.parameters()):
        np.testing.assert_allclose(p.data, q.detach().numpy(), rtol=1e-10, atol=1e-12)
    group, tgroup = opt.state_dict()["param_groups"][0], topt.state_dict()["param_groups"][0]
    assert group["param_names"] == tgroup["param_names"] == ["0.weight", "0.bias",
                                                             "1.weight", "1.bias"]
    assert group["params"] == tgroup["params"]
    assert opt.param_groups[0]["param_names"] == tgroup["param_names"]
    assert all(not isinstance(p, tuple) for p in opt.param_groups[0]["params"])


def test_groups_of_named_parameters_as_torch():
    net = model()
    torch, twin = torch_twin(net)
    named, tnamed = list(net.named_parameters()), list(twin.named_parameters())
    opt = SGD([{"params": named[:2]}, {"params": named[2:], "lr": 0.5}], lr=0.1)
    topt = torch.optim.SGD([{"params": tnamed[:2]}, {"params": tnamed[2:], "lr": 0.5}], lr=0.1)
    ours = [(g["param_names"], g["params"], g["lr"]) for g in opt.state_dict()["param_groups"]]
    theirs = [(g["param_names"], g["params"], g["lr"])
              for g in topt.state_dict()["param_groups"]]
    assert ours == theirs


def test_state_dict_names_round_trip():
    net = model()
    opt = Adam(net.named_parameters(), lr=0.1)
    sd = opt.state_dict()
    sd["param_groups"][0]["param_names"].append("not mine")  # a copy: the group is unchanged
    assert len(opt.param_groups[0]["param_names"]) == 4
    plain = Adam(net.parameters(), lr=0.1)
    plain.load_state_dict(opt.state_dict())  # as torch: the saved names come along
    assert plain.param_groups[0]["param_names"] == opt.param_groups[0]["param_names"]
    named = Adam(net.named_parameters(), lr=0.1)
    named.load_state_dict(Adam(net.parameters(), lr=0.1).state_dict())  # keeps its own
    assert named.param_groups[0]["param_names"] == opt.param_groups[0]["param_names"]


def test_mixing_named_and_plain_is_a_named_error():
    named = list(model().named_parameters())
    with pytest.raises(ConfigError, match="pairs and the others bare tensors"):
        SGD([named[0], named[1][1]], lr=0.1)
    with pytest.raises(ConfigError, match="group without parameter names"):
        SGD([{"params": named[:2]}, {"params": [p for _, p in named[2:]]}], lr=0.1)
    opt = SGD([p for _, p in named[:2]], lr=0.1)
    with pytest.raises(ConfigError, match="group with parameter names"):
        opt.add_param_group({"params": named[2:]})


def test_a_bad_pair_is_a_named_error():
    w = next(model().parameters())
    with pytest.raises(ArgumentTypeError, match=r"\(name, tensor\) pair"):
        SGD([("w",)], lr=0.1)
    with pytest.raises(ArgumentTypeError, match="str name"):
        SGD([(0, w)], lr=0.1)
