"""``Conv1d/2d/3d._conv_forward(input, weight, bias)``, PyTorch's hook for subclasses that
convolve with a weight of their own (PixelCNN's masked kernel, weight standardisation):
the layer's stride, padding, padding_mode, dilation and groups with the given weight and
bias, compared with PyTorch's (values and gradients)."""

import numpy as np
import pytest

import autograd as ag
import nn

CASES = [  # (dims, args, kwargs, input shape)
    (2, (1, 4, 3), dict(padding=1), (3, 1, 8, 8)),
    (2, (2, 4, 3), dict(stride=2, padding=1, groups=2, padding_mode="reflect"), (2, 2, 7, 8)),
    (1, (2, 4, 3), dict(padding="same", dilation=2, padding_mode="circular"), (2, 2, 7)),
    (3, (1, 2, 3), dict(padding=1, bias=False), (1, 1, 4, 5, 3)),
]


def masked(torch, torch_nn, dims, args, kwargs):
    """A subclass as readers write it: the weight times a mask of zeros in its second
    half, convolved through ``self._conv_forward``."""
    base = getattr(torch_nn, f"Conv{dims}d")

    class MaskedConv(base):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            mask = torch.ones(*self.weight.shape)
            mask[..., self.weight.shape[-1] // 2 + 1:] = 0
            self.register_buffer("mask", mask)

        def forward(self, x):
            return self._conv_forward(x, self.weight * self.mask, self.bias)

    return MaskedConv(*args, **kwargs)


@pytest.mark.parametrize("dims, args, kwargs, shape", CASES)
def test_conv_forward_with_a_masked_weight_matches_torch(torch, dims, args, kwargs, shape):
    theirs = masked(torch, torch.nn, dims, args, kwargs)
    ours = masked(ag, nn, dims, args, kwargs)
    ours.load_state_dict({k: ag.tensor(v.numpy()) for k, v in theirs.state_dict().items()})
    x = np.random.default_rng(0).standard_normal(shape)
    outs = []
    for lib, layer in ((ag, ours), (torch, theirs)):
        out = layer(lib.tensor(x))
        (out * out).sum().backward()
        outs.append([out.detach().numpy()] + [p.grad.numpy() for p in layer.parameters()])
    for got, want in zip(*outs, strict=True):
        np.testing.assert_allclose(got, want, rtol=1e-10, atol=1e-12)
    width = ours.weight.shape[-1]  # the masked taps get no gradient
    assert not ours.weight.grad.numpy()[..., width // 2 + 1:].any()


def test_padding_same_set_after_construction(torch) -> None:
    """PixelCNN code sets ``self.padding = 'same'`` after ``super().__init__``."""
    layers = []
    for lib, lib_nn in ((ag, nn), (torch, torch.nn)):
        layer = masked(lib, lib_nn, 2, (1, 2, 5), {})
        layer.padding = "same"
        layers.append(layer)
    layers[0].load_state_dict({k: ag.tensor(v.numpy())
                               for k, v in layers[1].state_dict().items()})
    x = np.random.default_rng(1).standard_normal((2, 1, 6, 6))
    got, want = layers[0](ag.tensor(x)), layers[1](torch.tensor(x))
    assert got.shape == tuple(want.shape) == (2, 2, 6, 6)
    np.testing.assert_allclose(got.detach().numpy(), want.detach().numpy(), rtol=1e-10)
