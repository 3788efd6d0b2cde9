"""``bias=None`` builds a layer without a bias, as in PyTorch, whose layers test ``if bias:``.
Programs rely on it when they rebuild a layer from another one's attributes: VainF's
DeepLabV3+ ``convert_to_separable_conv`` passes ``module.bias`` (None for a bias-free
convolution) as ``bias``."""

import pytest

import nn
from nn.errors import ArgumentTypeError


def layer_makers(lib) -> dict:
    """Layers whose PyTorch constructor takes ``bias=None`` as no bias."""
    return {
        "Conv1d": lambda bias: lib.Conv1d(2, 3, 3, bias=bias),
        "Conv2d": lambda bias: lib.Conv2d(2, 3, 3, bias=bias),
        "Conv3d": lambda bias: lib.Conv3d(2, 3, 3, bias=bias),
        "ConvTranspose2d": lambda bias: lib.ConvTranspose2d(2, 3, 3, bias=bias),
        "MultiheadAttention": lambda bias: lib.MultiheadAttention(4, 2, bias=bias),
        "GRUCell": lambda bias: lib.GRUCell(2, 3, bias=bias),
        "LSTMCell": lambda bias: lib.LSTMCell(2, 3, bias=bias),
        "RNNCell": lambda bias: lib.RNNCell(2, 3, bias=bias),
    }


@pytest.mark.parametrize("name", sorted(layer_makers(nn)))
def test_bias_none_means_no_bias_as_pytorch(torch, name):
    ours = layer_makers(nn)[name](None)
    theirs = layer_makers(torch.nn)[name](None)
    assert [n for n, _ in ours.named_parameters()] == [n for n, _ in theirs.named_parameters()]
    assert [n for n, _ in ours.named_parameters()] == \
        [n for n, _ in layer_makers(nn)[name](False).named_parameters()]


def test_separable_rebuild_from_a_bias_free_convolution(torch):
    """The DeepLabV3+ spelling: a depthwise convolution rebuilt from ``module.bias``."""
    for lib in (nn, torch.nn):
        module = lib.Conv2d(4, 4, 3, padding=2, dilation=2, bias=False)
        depthwise = lib.Conv2d(module.in_channels, module.in_channels, module.kernel_size,
                               module.stride, module.padding, module.dilation,
                               groups=module.in_channels, bias=module.bias)
        assert depthwise.bias is None and depthwise.dilation == (2, 2)


def test_other_values_in_bias_are_still_refused():
    with pytest.raises(ArgumentTypeError, match="bias must be True or False"):
        nn.Conv2d(1, 1, 3, bias="yes")
    with pytest.raises(ArgumentTypeError, match="write bias=True"):
        nn.Conv2d(1, 1, 3, bias=1)
