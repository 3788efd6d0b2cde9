"""``nn.ops``' torchvision pieces of ConvNeXt, Swin, EfficientNet and MobileNet:
``stochastic_depth`` / ``StochasticDepth`` (whole samples or the whole batch dropped),
``Permute``, ``MLP``, ``Conv2dNormActivation`` and ``SqueezeExcitation``, compared with
torchvision's code written in plain torch here (torchvision is not installed)."""

import numpy as np
import pytest

import autograd as ag
import nn
from nn.errors import ConfigError


def torch_mlp(torch, in_channels, hidden_channels, norm_layer=None,
              activation_layer=None, bias=True, dropout=0.0):
    """torchvision.ops.MLP's layer order, in plain torch."""
    activation_layer = activation_layer or torch.nn.ReLU
    layers, width = [], in_channels
    for hidden in hidden_channels[:-1]:
        layers.append(torch.nn.Linear(width, hidden, bias=bias))
        if norm_layer is not None:
            layers.append(norm_layer(hidden))
        layers += [activation_layer(), torch.nn.Dropout(dropout)]
        width = hidden
    layers += [torch.nn.Linear(width, hidden_channels[-1], bias=bias),
               torch.nn.Dropout(dropout)]
    return torch.nn.Sequential(*layers)


@pytest.mark.parametrize("mode", ["row", "batch"])
def test_stochastic_depth_drops_whole_samples_or_batch_like_torchvision(torch, mode):
    x_np = np.random.default_rng(0).normal(size=(64, 3, 2, 2)) + 5.0
    x = ag.tensor(x_np, requires_grad=True)
    nn.manual_seed(0)
    y = nn.ops.stochastic_depth(x, 0.25, mode)
    # torchvision's rule in plain torch, with the keep pattern this draw made
    kept = (np.abs(y.detach().numpy()).reshape(64, -1).max(axis=1) > 0).astype(float)
    if mode == "batch":
        assert kept.min() == kept.max()
        noise = torch.tensor(kept[:1].reshape(1, 1, 1, 1))
    else:
        noise = torch.tensor(kept.reshape(64, 1, 1, 1))
    x_t = torch.tensor(x_np, requires_grad=True)
    y_t = x_t * noise.div_(0.75)
    np.testing.assert_allclose(y.detach().numpy(), y_t.detach().numpy(), rtol=1e-15)
    y.sum().backward()
    y_t.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), x_t.grad.numpy(), rtol=1e-15)


def test_stochastic_depth_keeps_rows_at_the_survival_rate():
    nn.manual_seed(1)
    y = nn.ops.stochastic_depth(ag.ones(20000, 2), 0.3, "row").numpy()
    assert set(np.unique(y.round(12))) <= {0.0, round(1 / 0.7, 12)}
    assert abs((y[:, 0] > 0).mean() - 0.7) < 0.02


def test_stochastic_depth_is_the_identity_in_eval_and_zero_at_p_one():
    x = ag.randn(4, 3)
    layer = nn.ops.StochasticDepth(0.5, "row").eval()
    assert layer(x) is x
    assert nn.ops.stochastic_depth(x, 0.0, "row") is x
    assert (nn.ops.stochastic_depth(x, 1.0, "batch").numpy() == 0).all()
    assert repr(layer) == "StochasticDepth(p=0.5, mode=row)"


def test_stochastic_depth_names_bad_mode_and_probability():
    with pytest.raises(ConfigError, match="'row'"):
        nn.ops.StochasticDepth(0.1, "sample")
    with pytest.raises(ValueError, match="in \\[0, 1\\]"):
        nn.ops.stochastic_depth(ag.ones(2), 1.5, "row")


def test_permute_layer_matches_torch_permute(torch):
    x = np.random.default_rng(2).normal(size=(2, 3, 4, 5))
    got = nn.ops.Permute([0, 2, 3, 1])(ag.tensor(x)).numpy()
    np.testing.assert_array_equal(got, torch.tensor(x).permute(0, 2, 3, 1).numpy())


def test_mlp_matches_torchvision_layout_values_and_gradients(torch):
    ours = nn.ops.MLP(6, [8, 8, 3], norm_layer=nn.LayerNorm, activation_layer=nn.GELU)
    theirs = torch_mlp(torch, 6, [8, 8, 3], torch.nn.LayerNorm, torch.nn.GELU)
    state = {k: v.detach().numpy().copy() for k, v in theirs.state_dict().items()}
    assert sorted(ours.state_dict()) == sorted(state)
    ours.load_state_dict(state)
    x = np.random.default_rng(3).normal(size=(5, 6))
    y = ours(ag.tensor(x))
    y_t = theirs(torch.tensor(x))
    np.testing.assert_allclose(y.detach().numpy(), y_t.detach().numpy(), rtol=1e-12)
    (y ** 2).sum().backward()
    (y_t ** 2).sum().backward()
    for p, q in zip(ours.parameters(), theirs.parameters()):
        np.testing.assert_allclose(p.grad.numpy(), q.grad.numpy(), rtol=1e-12, atol=1e-15)


def torch_conv_norm_activation(torch, in_channels, out_channels, kernel_size=3, stride=1,
                               padding=None, groups=1, norm_layer=None, activation_layer=None,
                               dilation=1, bias=None):
    """torchvision's Conv2dNormActivation's layers, in plain torch (int kernel sizes)."""
    if padding is None:
        padding = (kernel_size - 1) // 2 * dilation
    if bias is None:
        bias = norm_layer is None
    layers = [torch.nn.Conv2d(in_channels, out_channels, kernel_size, stride, padding,
                              dilation=dilation, groups=groups, bias=bias)]
    if norm_layer is not None:
        layers.append(norm_layer(out_channels))
    if activation_layer is not None:
        layers.append(activation_layer())
    return torch.nn.Sequential(*layers)


def compare(torch, ours, theirs, x, train=True):
    """Same state dict keys; after loading PyTorch's, the same outputs and gradients."""
    state = {k: v.detach().numpy().copy() for k, v in theirs.state_dict().items()}
    assert list(ours.state_dict()) == list(state)
    ours.load_state_dict(state)
    ours.train(train)
    theirs.train(train)
    y, y_t = ours(ag.tensor(x)), theirs(torch.tensor(x))
    np.testing.assert_allclose(y.detach().numpy(), y_t.detach().numpy(), rtol=1e-12, atol=1e-14)
    (y ** 2).sum().backward()
    (y_t ** 2).sum().backward()
    for p, q in zip(ours.parameters(), theirs.parameters()):
        np.testing.assert_allclose(p.grad.numpy(), q.grad.numpy(), rtol=1e-11, atol=1e-13)


@pytest.mark.parametrize("options", [
    dict(kernel_size=3, stride=2),  # torchvision's defaults: BatchNorm2d, ReLU, no bias
    dict(kernel_size=5, dilation=2, groups=4, norm="none", act="silu"),
    dict(kernel_size=4, stride=4, padding=0, act="none", bias=True),  # ConvNeXt's stem
], ids=["defaults", "depthwise-dilated", "convnext-stem"])
def test_conv2d_norm_activation_matches_torchvision(torch, options):
    options = dict(options)
    norm, act = options.pop("norm", "batch"), options.pop("act", "relu")
    ours = nn.ops.Conv2dNormActivation(
        4, 8, **options, norm_layer=None if norm == "none" else nn.BatchNorm2d,
        activation_layer={"relu": nn.ReLU, "silu": nn.SiLU, "none": None}[act])
    theirs = torch_conv_norm_activation(
        torch, 4, 8, **options, norm_layer=None if norm == "none" else torch.nn.BatchNorm2d,
        activation_layer={"relu": torch.nn.ReLU, "silu": torch.nn.SiLU, "none": None}[act])
    assert ours.out_channels == 8
    compare(torch, ours, theirs, np.random.default_rng(4).normal(size=(3, 4, 9, 9)))


def test_squeeze_excitation_matches_torchvision(torch):
    class SqueezeExcitation(torch.nn.Module):
        """torchvision's, in plain torch."""

        def __init__(self, input_channels, squeeze_channels):
            super().__init__()
            self.avgpool = torch.nn.AdaptiveAvgPool2d(1)
            self.fc1 = torch.nn.Conv2d(input_channels, squeeze_channels, 1)
            self.fc2 = torch.nn.Conv2d(squeeze_channels, input_channels, 1)
            self.activation = torch.nn.SiLU()
            self.scale_activation = torch.nn.Sigmoid()

        def forward(self, input):
            scale = self.fc2(self.activation(self.fc1(self.avgpool(input))))
            return self.scale_activation(scale) * input

    ours = nn.ops.SqueezeExcitation(8, 2, activation=nn.SiLU)
    compare(torch, ours, SqueezeExcitation(8, 2),
            np.random.default_rng(5).normal(size=(2, 8, 5, 5)))
