"""torchvision's ConvNeXt (``torchvision/models/convnext.py``: ``LayerNorm2d``, ``CNBlock``,
``CNBlockConfig``, ``ConvNeXt``) as its readers write it, once for a library ``torch``
(``autograd`` or PyTorch) with its ``nn``, ``F`` and torchvision's ``ops`` (``Permute``,
``StochasticDepth``, ``Conv2dNormActivation``).

Written differently: the stem takes ``in_channels`` (torchvision's is 3) and ``stem_size``
(4 there), and sizes are shrunk; ``_log_api_usage_once`` is left out. ``ops`` is
``torchvision.ops`` (PyTorch, written in plain torch by the test: no torchvision is
installed) or ``nn.ops``.
"""

from functools import partial

__all__ = ["torchvision_convnext_classes"]


def torchvision_convnext_classes(torch, nn, F, ops) -> dict:
    """torchvision's ``ConvNeXt`` and its pieces."""
    Permute, StochasticDepth = ops.Permute, ops.StochasticDepth
    Conv2dNormActivation = ops.Conv2dNormActivation

    class LayerNorm2d(nn.LayerNorm):
        def forward(self, x):
            x = x.permute(0, 2, 3, 1)
            x = F.layer_norm(x, self.normalized_shape, self.weight, self.bias, self.eps)
            x = x.permute(0, 3, 1, 2)
            return x

    class CNBlock(nn.Module):
        def __init__(self, dim, layer_scale, stochastic_depth_prob, norm_layer=None):
            super().__init__()
            if norm_layer is None:
                norm_layer = partial(nn.LayerNorm, eps=1e-6)

            self.block = nn.Sequential(
                nn.Conv2d(dim, dim, kernel_size=7, padding=3, groups=dim, bias=True),
                Permute([0, 2, 3, 1]),
                norm_layer(dim),
                nn.Linear(in_features=dim, out_features=4 * dim, bias=True),
                nn.GELU(),
                nn.Linear(in_features=4 * dim, out_features=dim, bias=True),
                Permute([0, 3, 1, 2]),
            )
            self.layer_scale = nn.Parameter(torch.ones(dim, 1, 1) * layer_scale)
            self.stochastic_depth = StochasticDepth(stochastic_depth_prob, "row")

        def forward(self, input):
            result = self.layer_scale * self.block(input)
            result = self.stochastic_depth(result)
            result += input
            return result

    class CNBlockConfig:
        # Stores information listed at Section 3 of the ConvNeXt paper
        def __init__(self, input_channels, out_channels, num_layers):
            self.input_channels = input_channels
            self.out_channels = out_channels
            self.num_layers = num_layers

    class ConvNeXt(nn.Module):
        def __init__(self, block_setting, stochastic_depth_prob=0.0, layer_scale=1e-6,
                     num_classes=1000, block=None, norm_layer=None, in_channels=3,
                     stem_size=4):
            super().__init__()
            if block is None:
                block = CNBlock
            if norm_layer is None:
                norm_layer = partial(LayerNorm2d, eps=1e-6)

            layers = []
            # Stem
            firstconv_output_channels = block_setting[0].input_channels
            layers.append(
                Conv2dNormActivation(in_channels, firstconv_output_channels,
                                     kernel_size=stem_size, stride=stem_size, padding=0,
                                     norm_layer=norm_layer, activation_layer=None, bias=True))

            total_stage_blocks = sum(cnf.num_layers for cnf in block_setting)
            stage_block_id = 0
            for cnf in block_setting:
                # Bottlenecks
                stage = []
                for _ in range(cnf.num_layers):
                    # adjust stochastic depth probability based on the depth of the stage
                    sd_prob = stochastic_depth_prob * stage_block_id / (
                        total_stage_blocks - 1.0)
                    stage.append(block(cnf.input_channels, layer_scale, sd_prob))
                    stage_block_id += 1
                layers.append(nn.Sequential(*stage))
                if cnf.out_channels is not None:
                    # Downsampling
                    layers.append(nn.Sequential(
                        norm_layer(cnf.input_channels),
                        nn.Conv2d(cnf.input_channels, cnf.out_channels, kernel_size=2,
                                  stride=2)))

            self.features = nn.Sequential(*layers)
            self.avgpool = nn.AdaptiveAvgPool2d(1)

            lastblock = block_setting[-1]
            lastconv_output_channels = (lastblock.out_channels
                                        if lastblock.out_channels is not None
                                        else lastblock.input_channels)
            self.classifier = nn.Sequential(
                norm_layer(lastconv_output_channels), nn.Flatten(1),
                nn.Linear(lastconv_output_channels, num_classes))

            for m in self.modules():
                if isinstance(m, (nn.Conv2d, nn.Linear)):
                    nn.init.trunc_normal_(m.weight, std=0.02)
                    if m.bias is not None:
                        nn.init.zeros_(m.bias)

        def forward(self, x):
            x = self.features(x)
            x = self.avgpool(x)
            x = self.classifier(x)
            return x

    return {"ConvNeXt": ConvNeXt, "CNBlockConfig": CNBlockConfig, "CNBlock": CNBlock,
            "LayerNorm2d": LayerNorm2d}
