"""torchvision's EfficientNet definitions (``torchvision/models/efficientnet.py``,
``torchvision/ops/misc.py`` and ``stochastic_depth.py``), shrunk, written once for a library
``torch``: the program of ``test_pytorch_ports_efficientnet.py``."""

import copy
import math
from dataclasses import dataclass
from functools import partial
from typing import Callable, List, Optional

__all__ = ["efficientnet"]


def efficientnet(torch, nn, Tensor):
    """torchvision's definitions for the library ``torch``."""
    def _make_divisible(v: float, divisor: int, min_value: Optional[int] = None) -> int:
        if min_value is None:
            min_value = divisor
        new_v = max(min_value, int(v + divisor / 2) // divisor * divisor)
        # Make sure that round down does not go down by more than 10%.
        if new_v < 0.9 * v:
            new_v += divisor
        return new_v

    def stochastic_depth(input: Tensor, p: float, mode: str, training: bool = True) -> Tensor:
        if p < 0.0 or p > 1.0:
            raise ValueError(f"drop probability has to be between 0 and 1, but got {p}")
        if mode not in ["batch", "row"]:
            raise ValueError(f"mode has to be either 'batch' or 'row', but got {mode}")
        if not training or p == 0.0:
            return input

        survival_rate = 1.0 - p
        if mode == "row":
            size = [input.shape[0]] + [1] * (input.ndim - 1)
        else:
            size = [1] * input.ndim
        noise = torch.empty(size, dtype=input.dtype, device=input.device)
        noise = noise.bernoulli_(survival_rate)
        if survival_rate > 0.0:
            noise.div_(survival_rate)
        return input * noise

    class StochasticDepth(nn.Module):
        def __init__(self, p: float, mode: str) -> None:
            super().__init__()
            self.p = p
            self.mode = mode

        def forward(self, input: Tensor) -> Tensor:
            return stochastic_depth(input, self.p, self.mode, self.training)

    class Conv2dNormActivation(nn.Sequential):
        def __init__(self, in_channels, out_channels, kernel_size=3, stride=1, padding=None,
                     groups=1, norm_layer=nn.BatchNorm2d, activation_layer=nn.ReLU,
                     dilation=1, inplace=True, bias=None):
            if padding is None:
                padding = (kernel_size - 1) // 2 * dilation
            if bias is None:
                bias = norm_layer is None
            layers = [nn.Conv2d(in_channels, out_channels, kernel_size, stride, padding,
                                dilation=dilation, groups=groups, bias=bias)]
            if norm_layer is not None:
                layers.append(norm_layer(out_channels))
            if activation_layer is not None:
                params = {} if inplace is None else {"inplace": inplace}
                layers.append(activation_layer(**params))
            super().__init__(*layers)
            self.out_channels = out_channels

    class SqueezeExcitation(nn.Module):
        def __init__(self, input_channels, squeeze_channels, activation=nn.ReLU,
                     scale_activation=nn.Sigmoid):
            super().__init__()
            self.avgpool = nn.AdaptiveAvgPool2d(1)
            self.fc1 = nn.Conv2d(input_channels, squeeze_channels, 1)
            self.fc2 = nn.Conv2d(squeeze_channels, input_channels, 1)
            self.activation = activation()
            self.scale_activation = scale_activation()

        def _scale(self, input: Tensor) -> Tensor:
            scale = self.avgpool(input)
            scale = self.fc1(scale)
            scale = self.activation(scale)
            scale = self.fc2(scale)
            return self.scale_activation(scale)

        def forward(self, input: Tensor) -> Tensor:
            scale = self._scale(input)
            return scale * input

    @dataclass
    class MBConvConfig:
        expand_ratio: float
        kernel: int
        stride: int
        input_channels: int
        out_channels: int
        num_layers: int
        block: Optional[Callable[..., nn.Module]] = None

        def __post_init__(self):
            self.input_channels = self.adjust_channels(self.input_channels, 1.0)
            self.out_channels = self.adjust_channels(self.out_channels, 1.0)
            if self.block is None:
                self.block = MBConv

        @staticmethod
        def adjust_channels(channels: int, width_mult: float,
                            min_value: Optional[int] = None) -> int:
            return _make_divisible(channels * width_mult, 4, min_value)

    class MBConv(nn.Module):
        def __init__(self, cnf, stochastic_depth_prob, norm_layer,
                     se_layer=SqueezeExcitation) -> None:
            super().__init__()
            if not (1 <= cnf.stride <= 2):
                raise ValueError("illegal stride value")
            self.use_res_connect = cnf.stride == 1 and cnf.input_channels == cnf.out_channels
            layers: List[nn.Module] = []
            activation_layer = nn.SiLU
            # expand
            expanded_channels = cnf.adjust_channels(cnf.input_channels, cnf.expand_ratio)
            if expanded_channels != cnf.input_channels:
                layers.append(Conv2dNormActivation(
                    cnf.input_channels, expanded_channels, kernel_size=1,
                    norm_layer=norm_layer, activation_layer=activation_layer))
            # depthwise
            layers.append(Conv2dNormActivation(
                expanded_channels, expanded_channels, kernel_size=cnf.kernel,
                stride=cnf.stride, groups=expanded_channels, norm_layer=norm_layer,
                activation_layer=activation_layer))
            # squeeze and excitation
            squeeze_channels = max(1, cnf.input_channels // 4)
            layers.append(se_layer(expanded_channels, squeeze_channels,
                                   activation=partial(nn.SiLU, inplace=True)))
            # project
            layers.append(Conv2dNormActivation(
                expanded_channels, cnf.out_channels, kernel_size=1, norm_layer=norm_layer,
                activation_layer=None))
            self.block = nn.Sequential(*layers)
            self.stochastic_depth = StochasticDepth(stochastic_depth_prob, "row")
            self.out_channels = cnf.out_channels

        def forward(self, input: Tensor) -> Tensor:
            result = self.block(input)
            if self.use_res_connect:
                result = self.stochastic_depth(result)
                result += input
            return result

    class EfficientNet(nn.Module):
        def __init__(self, inverted_residual_setting, dropout, stochastic_depth_prob=0.2,
                     num_classes=1000, norm_layer=None, last_channel=None, in_channels=3):
            super().__init__()
            if norm_layer is None:
                norm_layer = nn.BatchNorm2d
            layers: List[nn.Module] = []
            # building first layer (shrunk: stride 1 for 8x8 digits)
            firstconv_output_channels = inverted_residual_setting[0].input_channels
            layers.append(Conv2dNormActivation(in_channels, firstconv_output_channels,
                                               kernel_size=3, stride=1,
                                               norm_layer=norm_layer,
                                               activation_layer=nn.SiLU))
            # building inverted residual blocks
            total_stage_blocks = sum(cnf.num_layers for cnf in inverted_residual_setting)
            stage_block_id = 0
            for cnf in inverted_residual_setting:
                stage: List[nn.Module] = []
                for _ in range(cnf.num_layers):
                    # copy to avoid modifications. shallow copy is enough
                    block_cnf = copy.copy(cnf)
                    # overwrite info if not the first conv in the stage
                    if stage:
                        block_cnf.input_channels = block_cnf.out_channels
                        block_cnf.stride = 1
                    # adjust stochastic depth probability based on the depth of the stage
                    sd_prob = stochastic_depth_prob * float(stage_block_id) / total_stage_blocks
                    stage.append(block_cnf.block(block_cnf, sd_prob, norm_layer))
                    stage_block_id += 1
                layers.append(nn.Sequential(*stage))
            # building last several layers
            lastconv_input_channels = inverted_residual_setting[-1].out_channels
            lastconv_output_channels = (last_channel if last_channel is not None
                                        else 4 * lastconv_input_channels)
            layers.append(Conv2dNormActivation(lastconv_input_channels,
                                               lastconv_output_channels, kernel_size=1,
                                               norm_layer=norm_layer,
                                               activation_layer=nn.SiLU))
            self.features = nn.Sequential(*layers)
            self.avgpool = nn.AdaptiveAvgPool2d(1)
            self.classifier = nn.Sequential(
                nn.Dropout(p=dropout, inplace=True),
                nn.Linear(lastconv_output_channels, num_classes),
            )
            for m in self.modules():
                if isinstance(m, nn.Conv2d):
                    nn.init.kaiming_normal_(m.weight, mode="fan_out")
                    if m.bias is not None:
                        nn.init.zeros_(m.bias)
                elif isinstance(m, (nn.BatchNorm2d, nn.GroupNorm)):
                    nn.init.ones_(m.weight)
                    nn.init.zeros_(m.bias)
                elif isinstance(m, nn.Linear):
                    init_range = 1.0 / math.sqrt(m.out_features)
                    nn.init.uniform_(m.weight, -init_range, init_range)
                    nn.init.zeros_(m.bias)

        def forward(self, x: Tensor) -> Tensor:
            x = self.features(x)
            x = self.avgpool(x)
            x = torch.flatten(x, 1)
            x = self.classifier(x)
            return x

    return EfficientNet, MBConvConfig, StochasticDepth
