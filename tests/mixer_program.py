"""MLP-Mixer as its readers write it, once for a library ``torch`` (``autograd`` or
PyTorch) with its ``nn``: lucidrains' ``mlp_mixer_pytorch`` (token mixing as
``partial(nn.Conv1d, kernel_size=1)`` over the patches as channels, channel mixing as
``nn.Linear``, pre-norm residuals, all in one ``nn.Sequential``) and timm's
``mlp_mixer.py``: ``MixerBlock`` (token mixing on ``transpose(1, 2)``, ``Mlp`` with
``GELU``, ``DropPath``), ResMLP's ``ResBlock`` (``Affine`` norms by ``torch.addcmul``,
layer scale) and gMLP's ``SpatialGatingBlock`` (``GatedMlp`` with a
``SpatialGatingUnit``: ``chunk`` in two, a token projection initialised near 1).

Written differently: einops is not installed, so ``Rearrange('b c (h p1) (w p2) -> b (h w)
(p1 p2 c)')`` and ``Reduce('b n c -> b c', 'mean')`` are written out (what einops runs);
sizes are shrunk (2x2 patches of an 8x8 digit, width 16).
"""

from functools import partial

__all__ = ["mixer_classes"]


def mixer_classes(torch, nn, DropPath) -> dict:
    """lucidrains' ``MLPMixer`` and timm's ``MixerBlock``/``MlpMixer``."""

    def pair(x):
        return x if isinstance(x, tuple) else (x, x)

    class Rearrange(nn.Module):
        """'b c (h p1) (w p2) -> b (h w) (p1 p2 c)' written out (einops is not here)."""

        def __init__(self, p1, p2):
            super().__init__()
            self.p1, self.p2 = p1, p2

        def forward(self, x):
            b, c, H, W = x.shape
            h, w = H // self.p1, W // self.p2
            x = x.reshape(b, c, h, self.p1, w, self.p2).permute(0, 2, 4, 3, 5, 1)
            return x.reshape(b, h * w, self.p1 * self.p2 * c)

    class ReduceMean(nn.Module):
        """Reduce('b n c -> b c', 'mean') written out."""

        def forward(self, x):
            return x.mean(dim=1)

    class PreNormResidual(nn.Module):
        def __init__(self, dim, fn):
            super().__init__()
            self.fn = fn
            self.norm = nn.LayerNorm(dim)

        def forward(self, x):
            return self.fn(self.norm(x)) + x

    def FeedForward(dim, expansion_factor=4, dropout=0., dense=nn.Linear):
        inner_dim = int(dim * expansion_factor)
        return nn.Sequential(
            dense(dim, inner_dim),
            nn.GELU(),
            nn.Dropout(dropout),
            dense(inner_dim, dim),
            nn.Dropout(dropout)
        )

    def MLPMixer(*, image_size, channels, patch_size, dim, depth, num_classes,
                 expansion_factor=4, expansion_factor_token=0.5, dropout=0.):
        image_h, image_w = pair(image_size)
        assert (image_h % patch_size) == 0 and (image_w % patch_size) == 0, \
            'image must be divisible by patch size'
        num_patches = (image_h // patch_size) * (image_w // patch_size)
        chan_first, chan_last = partial(nn.Conv1d, kernel_size=1), nn.Linear

        return nn.Sequential(
            Rearrange(p1=patch_size, p2=patch_size),
            nn.Linear((patch_size ** 2) * channels, dim),
            *[nn.Sequential(
                PreNormResidual(dim, FeedForward(num_patches, expansion_factor, dropout,
                                                 chan_first)),
                PreNormResidual(dim, FeedForward(dim, expansion_factor_token, dropout,
                                                 chan_last))
            ) for _ in range(depth)],
            nn.LayerNorm(dim),
            ReduceMean(),
            nn.Linear(dim, num_classes)
        )

    class Mlp(nn.Module):
        def __init__(self, in_features, hidden_features=None, out_features=None,
                     act_layer=nn.GELU, drop=0.):
            super().__init__()
            out_features = out_features or in_features
            hidden_features = hidden_features or in_features
            self.fc1 = nn.Linear(in_features, hidden_features)
            self.act = act_layer()
            self.drop1 = nn.Dropout(drop)
            self.fc2 = nn.Linear(hidden_features, out_features)
            self.drop2 = nn.Dropout(drop)

        def forward(self, x):
            x = self.drop1(self.act(self.fc1(x)))
            return self.drop2(self.fc2(x))

    class MixerBlock(nn.Module):
        """Residual Block w/ token mixing and channel MLPs."""

        def __init__(self, dim, seq_len, mlp_ratio=(0.5, 4.0), mlp_layer=Mlp,
                     norm_layer=partial(nn.LayerNorm, eps=1e-6), act_layer=nn.GELU, drop=0.,
                     drop_path=0.):
            super().__init__()
            tokens_dim, channels_dim = [int(x * dim) for x in pair(mlp_ratio)]
            self.norm1 = norm_layer(dim)
            self.mlp_tokens = mlp_layer(seq_len, tokens_dim, act_layer=act_layer, drop=drop)
            self.drop_path = DropPath(drop_path) if drop_path > 0. else nn.Identity()
            self.norm2 = norm_layer(dim)
            self.mlp_channels = mlp_layer(dim, channels_dim, act_layer=act_layer, drop=drop)

        def forward(self, x):
            x = x + self.drop_path(self.mlp_tokens(self.norm1(x).transpose(1, 2)).transpose(1, 2))
            x = x + self.drop_path(self.mlp_channels(self.norm2(x)))
            return x

    class Affine(nn.Module):
        def __init__(self, dim):
            super().__init__()
            self.alpha = nn.Parameter(torch.ones((1, 1, dim)))
            self.beta = nn.Parameter(torch.zeros((1, 1, dim)))

        def forward(self, x):
            return torch.addcmul(self.beta, self.alpha, x)

    class ResBlock(nn.Module):
        def __init__(self, dim, seq_len, mlp_ratio=4, mlp_layer=Mlp, norm_layer=Affine,
                     act_layer=nn.GELU, init_values=1e-4, drop=0., drop_path=0.):
            super().__init__()
            channel_dim = int(dim * mlp_ratio)
            self.norm1 = norm_layer(dim)
            self.linear_tokens = nn.Linear(seq_len, seq_len)
            self.drop_path = DropPath(drop_path) if drop_path > 0. else nn.Identity()
            self.norm2 = norm_layer(dim)
            self.mlp_channels = mlp_layer(dim, channel_dim, act_layer=act_layer, drop=drop)
            self.ls1 = nn.Parameter(init_values * torch.ones(dim))
            self.ls2 = nn.Parameter(init_values * torch.ones(dim))

        def forward(self, x):
            x = x + self.drop_path(self.ls1 * self.linear_tokens(
                self.norm1(x).transpose(1, 2)).transpose(1, 2))
            x = x + self.drop_path(self.ls2 * self.mlp_channels(self.norm2(x)))
            return x

    class SpatialGatingUnit(nn.Module):
        def __init__(self, dim, seq_len, norm_layer=nn.LayerNorm):
            super().__init__()
            gate_dim = dim // 2
            self.norm = norm_layer(gate_dim)
            self.proj = nn.Linear(seq_len, seq_len)

        def init_weights(self):
            # special init for the projection gate, called as override by base model init
            nn.init.normal_(self.proj.weight, std=1e-6)
            nn.init.ones_(self.proj.bias)

        def forward(self, x):
            u, v = x.chunk(2, dim=-1)
            v = self.norm(v)
            v = self.proj(v.transpose(-1, -2))
            return u * v.transpose(-1, -2)

    class GatedMlp(nn.Module):
        def __init__(self, in_features, hidden_features=None, out_features=None,
                     act_layer=nn.GELU, norm_layer=None, gate_layer=None, bias=True, drop=0.):
            super().__init__()
            out_features = out_features or in_features
            hidden_features = hidden_features or in_features
            self.fc1 = nn.Linear(in_features, hidden_features, bias=bias)
            self.act = act_layer()
            self.drop1 = nn.Dropout(drop)
            if gate_layer is not None:
                assert hidden_features % 2 == 0
                self.gate = gate_layer(hidden_features)
                hidden_features = hidden_features // 2  # FIXME base reduction on gate property?
            else:
                self.gate = nn.Identity()
            self.norm = norm_layer(hidden_features) if norm_layer is not None else nn.Identity()
            self.fc2 = nn.Linear(hidden_features, out_features, bias=bias)
            self.drop2 = nn.Dropout(drop)

        def forward(self, x):
            x = self.drop1(self.act(self.fc1(x)))
            x = self.norm(self.gate(x))
            return self.drop2(self.fc2(x))

    class SpatialGatingBlock(nn.Module):
        def __init__(self, dim, seq_len, mlp_ratio=4, mlp_layer=GatedMlp,
                     norm_layer=partial(nn.LayerNorm, eps=1e-6), act_layer=nn.GELU, drop=0.,
                     drop_path=0.):
            super().__init__()
            channel_dim = int(dim * mlp_ratio)
            self.norm = norm_layer(dim)
            sgu = partial(SpatialGatingUnit, seq_len=seq_len)
            self.mlp_channels = mlp_layer(dim, channel_dim, act_layer=act_layer,
                                          gate_layer=sgu, drop=drop)
            self.drop_path = DropPath(drop_path) if drop_path > 0. else nn.Identity()

        def forward(self, x):
            x = x + self.drop_path(self.mlp_channels(self.norm(x)))
            return x

    class MlpMixer(nn.Module):
        def __init__(self, num_classes=10, img_size=8, in_chans=1, patch_size=2,
                     num_blocks=2, embed_dim=16, mlp_ratio=(0.5, 4.0), block_layer=None,
                     norm_layer=partial(nn.LayerNorm, eps=1e-6), drop_path_rate=0.,
                     global_pool='avg'):
            super().__init__()
            self.global_pool = global_pool
            self.stem = nn.Conv2d(in_chans, embed_dim, kernel_size=patch_size,
                                  stride=patch_size)
            num_patches = (img_size // patch_size) ** 2
            block_layer = block_layer or MixerBlock
            self.blocks = nn.Sequential(*[
                block_layer(embed_dim, num_patches, mlp_ratio, drop_path=drop_path_rate)
                for _ in range(num_blocks)])
            self.norm = norm_layer(embed_dim)
            self.head = nn.Linear(embed_dim, num_classes)
            self.init_weights()

        def init_weights(self):
            for n, m in self.named_modules():
                if isinstance(m, nn.Linear):
                    if n.startswith('head'):
                        nn.init.zeros_(m.weight)
                        nn.init.zeros_(m.bias)
                    else:
                        nn.init.xavier_uniform_(m.weight)
                        if m.bias is not None:
                            if 'mlp' in n:
                                nn.init.normal_(m.bias, std=1e-6)
                            else:
                                nn.init.zeros_(m.bias)
                elif isinstance(m, nn.Conv2d):
                    nn.init.kaiming_normal_(m.weight, mode='fan_in', nonlinearity='linear')
                    if m.bias is not None:
                        nn.init.zeros_(m.bias)
                elif m is not self and hasattr(m, 'init_weights'):
                    m.init_weights()

        def forward(self, x):
            x = self.stem(x).flatten(2).transpose(1, 2)  # NCHW -> NLC
            x = self.blocks(x)
            x = self.norm(x)
            if self.global_pool == 'avg':
                x = x.mean(dim=1)
            return self.head(x)

    return {"MLPMixer": MLPMixer, "MlpMixer": MlpMixer, "ResBlock": ResBlock,
            "Affine": Affine, "SpatialGatingBlock": SpatialGatingBlock}
