"""What a student of the lecture notes writes in a notebook, and what it must do."""
import numpy as np
import pytest

import autograd as ag
import nn
from autograd.errors import AutogradError
from nn.errors import ConfigError


def test_optimizer_refuses_a_computed_tensor_that_would_never_change():
    """w = randn(..., requires_grad=True) * 0.01 is not a leaf: it never gets a .grad, so
    step() would silently leave it alone. PyTorch raises ValueError; so do we."""
    w = ag.Tensor(np.ones(3), requires_grad=True) * 0.01
    with pytest.raises(ConfigError, match="leaf tensors.*MulScalar.*requires_grad") as info:
        nn.optim.SGD([w], lr=0.1)
    assert isinstance(info.value, ValueError) and isinstance(info.value, AutogradError)
    with pytest.raises(ConfigError, match="leaf"):
        nn.optim.Adam([{"params": [w]}])
    leaf = ag.Tensor(w.data, requires_grad=True)  # what the message says to do
    opt = nn.optim.SGD([leaf], lr=0.1)
    (leaf * leaf).sum().backward()
    want = leaf.data - 0.1 * leaf.grad.data
    opt.step()
    np.testing.assert_allclose(leaf.data, want)


def _sigmoid_net():
    layers = []
    for _ in range(3):
        layers += [nn.Linear(4, 4), nn.Sigmoid()]
    net = nn.Sequential(*layers)
    net(ag.Tensor(np.random.default_rng(0).normal(size=(5, 4)))).sum().backward()
    return net


def test_grad_norms_of_a_model_are_named_by_layer():
    """nn.grad_norms(model), the natural call for per-layer vanishing-gradient norms,
    raised AttributeError ('Linear' object has no attribute 'grad')."""
    net = _sigmoid_net()
    got = nn.grad_norms(net)
    assert got == nn.grad_norms(net.named_parameters())
    assert list(got) == ["0.weight", "0.bias", "2.weight", "2.bias", "4.weight", "4.bias"]
    assert got["0.weight"] == pytest.approx(np.linalg.norm(net[0].weight.grad.data))
    with pytest.raises(TypeError, match="grad_norms.*item 0 is Linear"):
        nn.grad_norms(list(net))


@pytest.mark.parametrize("clip", [lambda m: nn.clip_grad_norm_(m, 1.0),
                                  lambda m: nn.clip_grad_value_(m, 0.1)])
def test_clipping_a_module_says_to_pass_its_parameters(clip):
    """clip_grad_norm_(model, 1.0) raised a bare AttributeError or TypeError ('Linear'
    object is not iterable); the gradients are left as they were."""
    net = _sigmoid_net()
    before = {name: p.grad.data.copy() for name, p in net.named_parameters()}
    for module in (net, net[0]):
        with pytest.raises(TypeError, match=r"got the module .*model\.parameters\(\)") as info:
            clip(module)
        assert isinstance(info.value, AutogradError)
    with pytest.raises(TypeError, match="item 0 is Linear"):
        clip(list(net))
    for name, p in net.named_parameters():
        np.testing.assert_array_equal(p.grad.data, before[name])
