"""torchvision.ops.misc's building blocks that torchvision's ConvNeXt, Swin Transformer,
EfficientNet and MobileNet are made of: ``Permute`` (a layer that permutes the axes, e.g.
NCHW -> NHWC around a channels-last LayerNorm), ``MLP`` (Linear, [norm], activation,
Dropout per hidden layer, then Linear and Dropout), ``Conv2dNormActivation`` (convolution,
[norm], [activation]) and ``SqueezeExcitation``. The stacks are ``Sequential``s, so their
state_dict keys (``0.weight``, ``1.running_mean``, ...) are torchvision's.
"""

from __future__ import annotations

from typing import Any, Callable, Sequence

from autograd import Tensor

from ..activations import ReLU, Sigmoid
from ..containers import Sequential
from ..conv import Conv2d
from ..layers import Dropout, Linear
from ..module import Module
from ..normalization import BatchNorm2d
from ..pooling import AdaptiveAvgPool2d

__all__ = ["Permute", "MLP", "Conv2dNormActivation", "SqueezeExcitation"]


class Permute(Module):
    """y = x.permute(*dims): ``Permute([0, 2, 3, 1])`` turns NCHW into NHWC."""

    def __init__(self, dims: Sequence[int]) -> None:
        super().__init__()
        self.dims = list(dims)

    def forward(self, x: Tensor) -> Tensor:
        return x.permute(*self.dims)


class MLP(Sequential):
    """For each width h in hidden_channels[:-1]: Linear(., h), norm_layer(h) if given,
    activation_layer(), Dropout(dropout); then Linear(., hidden_channels[-1]) and
    Dropout(dropout). ``inplace`` (None: the layers' defaults) goes to the activation and
    the dropouts, as torchvision's."""

    def __init__(self, in_channels: int, hidden_channels: Sequence[int],
                 norm_layer: Callable[..., Module] | None = None,
                 activation_layer: Callable[..., Module] | None = ReLU,
                 inplace: bool | None = None, bias: bool = True, dropout: float = 0.0) -> None:
        options: dict[str, Any] = {} if inplace is None else {"inplace": inplace}
        layers: list[Module] = []
        width = in_channels
        for hidden in hidden_channels[:-1]:
            layers.append(Linear(width, hidden, bias=bias))
            if norm_layer is not None:
                layers.append(norm_layer(hidden))
            layers.append(activation_layer(**options))
            layers.append(Dropout(dropout, **options))
            width = hidden
        layers.append(Linear(width, hidden_channels[-1], bias=bias))
        layers.append(Dropout(dropout, **options))
        super().__init__(*layers)


def _same_padding(kernel_size: int | Sequence[int], dilation: int | Sequence[int]) -> Any:
    """(k - 1) // 2 * d per axis: the output keeps the input's size at stride 1 (odd k)."""
    if isinstance(kernel_size, int) and isinstance(dilation, int):
        return (kernel_size - 1) // 2 * dilation
    axes = len(kernel_size) if isinstance(kernel_size, Sequence) else len(dilation)
    kernel = kernel_size if isinstance(kernel_size, Sequence) else (kernel_size,) * axes
    dilations = dilation if isinstance(dilation, Sequence) else (dilation,) * axes
    return tuple((k - 1) // 2 * d for k, d in zip(kernel, dilations))


class Conv2dNormActivation(Sequential):
    """Conv2d, then norm_layer(out_channels) unless None, then activation_layer() unless
    None. ``padding`` None keeps the size: (k - 1) // 2 * dilation; ``bias`` None means a
    bias only without a norm layer; ``inplace`` (True, as torchvision's) goes to the
    activation. Defaults as torchvision's: kernel 3, BatchNorm2d, ReLU."""

    def __init__(self, in_channels: int, out_channels: int,
                 kernel_size: int | Sequence[int] = 3, stride: int | Sequence[int] = 1,
                 padding: int | Sequence[int] | str | None = None, groups: int = 1,
                 norm_layer: Callable[..., Module] | None = BatchNorm2d,
                 activation_layer: Callable[..., Module] | None = ReLU,
                 dilation: int | Sequence[int] = 1, inplace: bool | None = True,
                 bias: bool | None = None) -> None:
        if padding is None:
            padding = _same_padding(kernel_size, dilation)
        if bias is None:
            bias = norm_layer is None
        layers: list[Module] = [Conv2d(in_channels, out_channels, kernel_size, stride, padding,
                                       dilation=dilation, groups=groups, bias=bias)]
        if norm_layer is not None:
            layers.append(norm_layer(out_channels))
        if activation_layer is not None:
            layers.append(activation_layer(**({} if inplace is None else {"inplace": inplace})))
        super().__init__(*layers)
        self.out_channels = out_channels


class SqueezeExcitation(Module):
    """Squeeze-and-excitation (Hu et al.): s = scale_activation(fc2(activation(fc1(
    avgpool(x))))), y = s * x, with fc1 and fc2 1x1 convolutions C -> squeeze_channels -> C
    (ReLU and Sigmoid by default, as torchvision's)."""

    def __init__(self, input_channels: int, squeeze_channels: int,
                 activation: Callable[..., Module] = ReLU,
                 scale_activation: Callable[..., Module] = Sigmoid) -> None:
        super().__init__()
        self.avgpool = AdaptiveAvgPool2d(1)
        self.fc1 = Conv2d(input_channels, squeeze_channels, 1)
        self.fc2 = Conv2d(squeeze_channels, input_channels, 1)
        self.activation = activation()
        self.scale_activation = scale_activation()

    def forward(self, input: Tensor) -> Tensor:
        scale = self.fc2(self.activation(self.fc1(self.avgpool(input))))
        return self.scale_activation(scale) * input
