"""``Conv1d/2d/3d._conv_forward(input, weight, bias)``: the layer's convolution with another
weight, which subclasses that transform their weight call as in PyTorch
(``torch.ao.nn.qat.Conv2d``: ``self._conv_forward(input, self.weight_fake_quant(
self.weight), self.bias)``; weight-standardized convolutions). It was missing
(AttributeError). Checked against PyTorch: values and gradients."""

import numpy as np
import pytest

import autograd as ag
import nn


def _standardized(torch_nn, dims: int):
    """A weight-standardized convolution written once for either library."""
    base = {1: torch_nn.Conv1d, 2: torch_nn.Conv2d, 3: torch_nn.Conv3d}[dims]

    class StdConv(base):
        def forward(self, x):
            w = self.weight
            w = (w - w.mean(dim=(1, 2), keepdim=True)) * 0.5
            return self._conv_forward(x, w, None)

    return StdConv


@pytest.mark.parametrize("dims, padding_mode", [(1, "zeros"), (2, "circular"), (3, "zeros"),
                                                (2, "reflect")])
def test_subclass_convolves_with_its_own_weight_as_torch(torch, dims, padding_mode):
    rng = np.random.default_rng(0)
    x = rng.normal(size=(2, 4) + (5,) * dims)
    results = []
    for lib, T in [(nn, ag), (torch.nn, torch)]:
        conv = _standardized(lib, dims)(4, 6, 3, stride=1, padding=1, groups=2,
                                        padding_mode=padding_mode)
        if results:  # PyTorch's layer takes our starting weight
            with torch.no_grad():
                conv.weight.copy_(torch.tensor(results[0][2]))
        inputs = T.tensor(x, requires_grad=True)
        out = conv(inputs)
        (out * T.tensor(np.cos(np.arange(out.numel())).reshape(tuple(out.shape)))).sum() \
            .backward()
        results.append([out.detach().numpy(), inputs.grad.numpy(),
                        conv.weight.detach().numpy(), conv.weight.grad.numpy()])
    for ours, theirs in zip(*results):
        np.testing.assert_allclose(ours, theirs, rtol=1e-10, atol=1e-12)


def test_conv_forward_uses_the_bias_given():
    conv = nn.Conv2d(1, 2, 1)
    x = ag.ones(1, 1, 2, 2)
    out = conv._conv_forward(x, ag.ones(2, 1, 1, 1), ag.tensor([1.0, -1.0]))
    np.testing.assert_array_equal(out.numpy()[0, :, 0, 0], [2.0, 0.0])
