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


INITS = [nn.init.xavier_normal_, nn.init.xavier_uniform_, nn.init.kaiming_normal_,
         nn.init.kaiming_uniform_, nn.init.normal_, nn.init.uniform_]


@pytest.mark.parametrize("init", INITS, ids=lambda f: f.__name__)
def test_init_takes_pytorchs_generator_keyword(init):
    """xavier_normal_(w, generator=g), PyTorch's keyword, raised TypeError; a generator
    given by position (it fills gain, a or mean) raised NumPy's bare 'unsupported operand'."""
    a, b = np.empty((256, 784)), np.empty((256, 784))
    init(a, generator=np.random.default_rng(3))
    init(b, rng=np.random.default_rng(3))
    np.testing.assert_array_equal(a, b)
    with pytest.raises(TypeError, match=rf"{init.__name__}: .* must be a finite number; got "
                                        r"Generator.*\(Generator\)\. Pass a generator by "
                                        r"keyword") as info:
        init(a, np.random.default_rng(3))
    assert isinstance(info.value, AutogradError)
    with pytest.raises(ConfigError, match="both rng= and generator="):
        init(a, rng=0, generator=0)


def test_xavier_and_he_statistics_match_the_notes():
    """Xavier N(0, 2 / (n_in + n_out)) and He N(0, 2 / n_in) on a 784 -> 256 weight."""
    w = np.empty((256, 784))
    nn.init.xavier_normal_(w, generator=0)
    assert w.std() == pytest.approx(np.sqrt(2 / (784 + 256)), rel=0.01)
    nn.init.kaiming_normal_(w, nonlinearity="relu", generator=0)
    assert w.std() == pytest.approx(np.sqrt(2 / 784), rel=0.01)
    assert abs(w.mean()) < 0.1 * w.std()
