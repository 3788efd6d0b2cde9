"""convert_conv2d/3d_weight_memory_format refuse a memory format a conv weight of theirs
cannot take (preserve_format, the other rank's channels-last), as PyTorch's, only where
the module holds such a conv; a valid one leaves the module as it was."""

import numpy as np
import pytest

import autograd as ag
import nn
from autograd.errors import UsageError

U = nn.utils


@pytest.mark.parametrize("convert, layer, bad", [
    (U.convert_conv2d_weight_memory_format, lambda: nn.Conv2d(2, 2, 3), "preserve_format"),
    (U.convert_conv2d_weight_memory_format, lambda: nn.ConvTranspose2d(2, 2, 3),
     "channels_last_3d"),
    (U.convert_conv3d_weight_memory_format, lambda: nn.Conv3d(2, 2, 3), "channels_last"),
    (U.convert_conv3d_weight_memory_format, lambda: nn.ConvTranspose3d(2, 2, 3),
     "preserve_format")])
def test_a_format_the_conv_weights_cannot_take_is_refused(convert, layer, bad):
    model = nn.Sequential(layer())
    with pytest.raises(UsageError, match="memory_format must be"):
        convert(model, getattr(ag.memory_formats, bad))


def test_valid_formats_and_modules_without_convs_pass_unchanged():
    conv = nn.Conv2d(2, 2, 3)
    weight = conv.weight.detach().numpy().copy()
    assert U.convert_conv2d_weight_memory_format(conv, ag.memory_formats.channels_last) is conv
    np.testing.assert_array_equal(conv.weight.detach().numpy(), weight)
    linear = nn.Linear(2, 2)
    assert U.convert_conv2d_weight_memory_format(
        linear, ag.memory_formats.preserve_format) is linear
