"""``nn.utils.fusion`` (it was missing): ``fuse_conv_bn_eval`` folds an evaluation-mode
BatchNorm into the convolution before it (MobileNet deployment and quantization scripts),
``fuse_linear_bn_eval`` into a linear layer, and the ``*_weights`` forms; checked against
PyTorch's functions and against the unfused modules."""

import numpy as np
import pytest

import autograd as ag
import nn
from nn.errors import ConfigError


def _trained_pair(lib, T, first, bn_class, x):
    """``first`` and a BatchNorm after it, with running statistics from two training
    batches and a non-trivial affine part, both then in evaluation mode."""
    bn = bn_class(first.weight.shape[1] if isinstance(first, lib.ConvTranspose2d)
                  else first.weight.shape[0])
    with T.no_grad():
        bn.weight.copy_(T.tensor(np.linspace(0.5, 1.5, bn.num_features)))
        bn.bias.copy_(T.tensor(np.linspace(-0.2, 0.3, bn.num_features)))
    for batch in (x, x * 2 + 1):
        bn(first(batch))
    first.eval(), bn.eval()
    return first, bn


@pytest.mark.parametrize("kind", ["conv", "conv_nobias", "transpose", "linear"])
def test_fused_module_equals_bn_after_layer_as_torch(torch, kind):
    rng = np.random.default_rng(0)
    x = rng.normal(size=(3, 4, 5, 5)) if kind != "linear" else rng.normal(size=(6, 4))
    results = []
    for lib, T in [(nn, ag), (torch.nn, torch)]:
        layer = {"conv": lambda: lib.Conv2d(4, 6, 3, padding=1, groups=2),
                 "conv_nobias": lambda: lib.Conv2d(4, 6, 3, bias=False),
                 "transpose": lambda: lib.ConvTranspose2d(4, 6, 3, stride=2),
                 "linear": lambda: lib.Linear(4, 6)}[kind]()
        with T.no_grad():  # the same starting weights in both
            layer.weight.copy_(T.tensor(np.cos(np.arange(layer.weight.numel()))
                                        .reshape(tuple(layer.weight.shape))))
            if layer.bias is not None:
                layer.bias.copy_(T.tensor(np.sin(np.arange(layer.bias.numel()))))
        bn_class = lib.BatchNorm1d if kind == "linear" else lib.BatchNorm2d
        layer, bn = _trained_pair(lib, T, layer, bn_class, T.tensor(x))
        fusion = lib.utils.fusion
        fused = (fusion.fuse_linear_bn_eval(layer, bn) if kind == "linear" else
                 fusion.fuse_conv_bn_eval(layer, bn, transpose=kind == "transpose"))
        assert fused is not layer and isinstance(fused.weight, lib.Parameter)
        assert fused.weight.requires_grad and fused.weight.grad_fn is None
        with T.no_grad():
            unfused, out = bn(layer(T.tensor(x))).numpy(), fused(T.tensor(x)).numpy()
        np.testing.assert_allclose(out, unfused, rtol=1e-12, atol=1e-12)
        results.append([fused.weight.detach().numpy(), fused.bias.detach().numpy(), out])
    for ours, theirs in zip(*results):
        np.testing.assert_allclose(ours, theirs, rtol=1e-12, atol=1e-14)


def test_weights_forms_as_torch(torch):
    rng = np.random.default_rng(1)
    w, rm, rv = rng.normal(size=(5, 3, 2, 2)), rng.normal(size=5), rng.uniform(0.5, 2, 5)
    got = nn.utils.fusion.fuse_conv_bn_weights(ag.tensor(w), None, ag.tensor(rm),
                                               ag.tensor(rv), 1e-3, None, None)
    want = torch.nn.utils.fusion.fuse_conv_bn_weights(torch.tensor(w), None, torch.tensor(rm),
                                                      torch.tensor(rv), 1e-3, None, None)
    for a, b in zip(got, want):
        np.testing.assert_allclose(a.detach().numpy(), b.detach().numpy(), rtol=1e-13)
    assert [p.requires_grad for p in got] == [p.requires_grad for p in want] == [False, False]


def test_training_modules_are_refused():
    conv, bn = nn.Conv2d(2, 2, 1), nn.BatchNorm2d(2)
    with pytest.raises(ConfigError, match="Fusion only for eval"):
        nn.utils.fusion.fuse_conv_bn_eval(conv, bn)
    with pytest.raises(ConfigError, match="linear.out_features == bn.num_features"):
        nn.utils.fusion.fuse_linear_bn_eval(nn.Linear(2, 3).eval(), nn.BatchNorm1d(2).eval())
    with pytest.raises(ConfigError, match="no running statistics"):
        nn.utils.fusion.fuse_conv_bn_eval(conv.eval(),
                                          nn.BatchNorm2d(2, track_running_stats=False).eval())
