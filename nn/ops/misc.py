"""torchvision.ops.misc's building blocks that torchvision's ConvNeXt and Swin Transformer
are made of: ``Permute`` (a layer that permutes the axes, e.g. NCHW -> NHWC around a
channels-last LayerNorm) and ``MLP`` (Linear, [norm], activation, Dropout per hidden
layer, then Linear and Dropout, as one ``Sequential`` so its state_dict keys are
``0.weight``, ``3.weight``, ... as torchvision's).
"""

from __future__ import annotations

from typing import Any, Callable, Sequence

from autograd import Tensor

from ..activations import ReLU
from ..containers import Sequential
from ..layers import Dropout, Linear
from ..module import Module

__all__ = ["Permute", "MLP"]


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
