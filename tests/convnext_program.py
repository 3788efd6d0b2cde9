"""Facebook Research's ConvNeXt (``models/convnext.py`` of facebookresearch/ConvNeXt) as its
readers write it, once for a library ``torch`` (``autograd`` or PyTorch) with its ``nn`` and
``F``: the block (depthwise 7x7 convolution, LayerNorm channels-last, pointwise MLP as
``Linear`` layers, layer scale ``gamma``, drop path), the channels-first ``LayerNorm`` of
the stem and downsampling layers, and the network.

Written differently: sizes are shrunk (a 2x2 stem on an 8x8 digit, two stages instead of
four, so the downsampling loop runs over ``len(dims)`` stages); ``trunc_normal_`` is
``nn.init.trunc_normal_``; ``DropPath`` is timm's (``vit_timm_program``);
``self.head.weight.data.mul_(head_init_scale)`` is an in-place ``mul_`` under ``no_grad``
(``.data`` is a NumPy array in this library, by design).
"""

__all__ = ["convnext_classes"]


def convnext_classes(torch, nn, F, DropPath) -> dict:
    """ConvNeXt's ``Block``, ``LayerNorm`` and ``ConvNeXt``."""
    trunc_normal_ = nn.init.trunc_normal_

    class Block(nn.Module):
        r""" ConvNeXt Block. There are two equivalent implementations:
        (1) DwConv -> LayerNorm (channels_first) -> 1x1 Conv -> GELU -> 1x1 Conv; all in
        (N, C, H, W)
        (2) DwConv -> Permute to (N, H, W, C); LayerNorm (channels_last) -> Linear -> GELU
        -> Linear; Permute back
        We use (2) as we find it slightly faster in PyTorch
        """
        def __init__(self, dim, drop_path=0., layer_scale_init_value=1e-6):
            super().__init__()
            self.dwconv = nn.Conv2d(dim, dim, kernel_size=7, padding=3, groups=dim)
            self.norm = LayerNorm(dim, eps=1e-6)
            self.pwconv1 = nn.Linear(dim, 4 * dim)  # pointwise/1x1 convs, as linear layers
            self.act = nn.GELU()
            self.pwconv2 = nn.Linear(4 * dim, dim)
            self.gamma = nn.Parameter(layer_scale_init_value * torch.ones((dim)),
                                      requires_grad=True) if layer_scale_init_value > 0 \
                else None
            self.drop_path = DropPath(drop_path) if drop_path > 0. else nn.Identity()

        def forward(self, x):
            input = x
            x = self.dwconv(x)
            x = x.permute(0, 2, 3, 1)  # (N, C, H, W) -> (N, H, W, C)
            x = self.norm(x)
            x = self.pwconv1(x)
            x = self.act(x)
            x = self.pwconv2(x)
            if self.gamma is not None:
                x = self.gamma * x
            x = x.permute(0, 3, 1, 2)  # (N, H, W, C) -> (N, C, H, W)

            x = input + self.drop_path(x)
            return x

    class ConvNeXt(nn.Module):
        def __init__(self, in_chans=3, num_classes=1000, depths=[3, 3, 9, 3],
                     dims=[96, 192, 384, 768], drop_path_rate=0.,
                     layer_scale_init_value=1e-6, head_init_scale=1., stem_size=4):
            super().__init__()

            # stem and 3 intermediate downsampling conv layers
            self.downsample_layers = nn.ModuleList()
            stem = nn.Sequential(
                nn.Conv2d(in_chans, dims[0], kernel_size=stem_size, stride=stem_size),
                LayerNorm(dims[0], eps=1e-6, data_format="channels_first")
            )
            self.downsample_layers.append(stem)
            for i in range(len(dims) - 1):
                downsample_layer = nn.Sequential(
                    LayerNorm(dims[i], eps=1e-6, data_format="channels_first"),
                    nn.Conv2d(dims[i], dims[i + 1], kernel_size=2, stride=2),
                )
                self.downsample_layers.append(downsample_layer)

            # 4 feature resolution stages, each consisting of multiple residual blocks
            self.stages = nn.ModuleList()
            dp_rates = [x.item() for x in torch.linspace(0, drop_path_rate, sum(depths))]
            cur = 0
            for i in range(len(dims)):
                stage = nn.Sequential(
                    *[Block(dim=dims[i], drop_path=dp_rates[cur + j],
                            layer_scale_init_value=layer_scale_init_value)
                      for j in range(depths[i])]
                )
                self.stages.append(stage)
                cur += depths[i]

            self.norm = nn.LayerNorm(dims[-1], eps=1e-6)  # final norm layer
            self.head = nn.Linear(dims[-1], num_classes)

            self.apply(self._init_weights)
            # ``.data`` is a NumPy array here: the in-place scaling runs under no_grad
            with torch.no_grad():
                self.head.weight.mul_(head_init_scale)
                self.head.bias.mul_(head_init_scale)

        def _init_weights(self, m):
            if isinstance(m, (nn.Conv2d, nn.Linear)):
                trunc_normal_(m.weight, std=.02)
                nn.init.constant_(m.bias, 0)

        def forward_features(self, x):
            for i in range(len(self.stages)):
                x = self.downsample_layers[i](x)
                x = self.stages[i](x)
            # global average pooling, (N, C, H, W) -> (N, C)
            return self.norm(x.mean([-2, -1]))

        def forward(self, x):
            x = self.forward_features(x)
            x = self.head(x)
            return x

    class LayerNorm(nn.Module):
        r""" LayerNorm that supports two data formats: channels_last (default) or
        channels_first. channels_last corresponds to inputs with shape (batch_size, height,
        width, channels) while channels_first corresponds to inputs with shape
        (batch_size, channels, height, width).
        """
        def __init__(self, normalized_shape, eps=1e-6, data_format="channels_last"):
            super().__init__()
            self.weight = nn.Parameter(torch.ones(normalized_shape))
            self.bias = nn.Parameter(torch.zeros(normalized_shape))
            self.eps = eps
            self.data_format = data_format
            if self.data_format not in ["channels_last", "channels_first"]:
                raise NotImplementedError
            self.normalized_shape = (normalized_shape, )

        def forward(self, x):
            if self.data_format == "channels_last":
                return F.layer_norm(x, self.normalized_shape, self.weight, self.bias,
                                    self.eps)
            elif self.data_format == "channels_first":
                u = x.mean(1, keepdim=True)
                s = (x - u).pow(2).mean(1, keepdim=True)
                x = (x - u) / torch.sqrt(s + self.eps)
                x = self.weight[:, None, None] * x + self.bias[:, None, None]
                return x

    return {"ConvNeXt": ConvNeXt, "Block": Block, "LayerNorm": LayerNorm}
