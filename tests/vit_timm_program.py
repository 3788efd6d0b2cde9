"""timm's ``vision_transformer.py`` as its readers write it (shrunk), once for a library
``torch`` with its ``nn`` and ``F``: ``PatchEmbed`` (``Conv2d`` + ``flatten(2).transpose(1,
2)``), ``Attention`` (``qkv.reshape(B, N, 3, heads, head_dim).permute(2, 0, 3, 1, 4)``,
``unbind(0)``, ``F.scaled_dot_product_attention`` when ``fused_attn``, else ``q @
k.transpose(-2, -1)`` and ``softmax``), ``LayerScale``, ``DropPath``, ``Mlp``, ``Block``,
``VisionTransformer`` (``partial(nn.LayerNorm, eps=1e-6)``, ``@torch.jit.ignore``
``no_weight_decay``, ``trunc_normal_`` / ``normal_`` init, ``self.apply(_init_weights)``,
token or average pooling with ``fc_norm``), and DeiT's ``interpolate_pos_embed`` (bicubic).
"""

from functools import partial

__all__ = ["timm_classes", "interpolate_pos_embed"]


def timm_classes(torch, nn, F) -> dict:

    def drop_path(x, drop_prob: float = 0., training: bool = False, scale_by_keep=True):
        if drop_prob == 0. or not training:
            return x
        keep_prob = 1 - drop_prob
        shape = (x.shape[0],) + (1,) * (x.ndim - 1)
        random_tensor = x.new_empty(shape).bernoulli_(keep_prob)
        if keep_prob > 0.0 and scale_by_keep:
            random_tensor.div_(keep_prob)
        return x * random_tensor

    class DropPath(nn.Module):
        def __init__(self, drop_prob: float = 0., scale_by_keep: bool = True):
            super().__init__()
            self.drop_prob = drop_prob
            self.scale_by_keep = scale_by_keep

        def forward(self, x):
            return drop_path(x, self.drop_prob, self.training, self.scale_by_keep)

    class PatchEmbed(nn.Module):
        def __init__(self, img_size=8, patch_size=4, in_chans=1, embed_dim=16):
            super().__init__()
            self.grid_size = (img_size // patch_size, img_size // patch_size)
            self.num_patches = self.grid_size[0] * self.grid_size[1]
            self.proj = nn.Conv2d(in_chans, embed_dim, kernel_size=patch_size,
                                  stride=patch_size)
            self.norm = nn.Identity()

        def forward(self, x):
            x = self.proj(x)
            x = x.flatten(2).transpose(1, 2)  # NCHW -> NLC
            return self.norm(x)

    class Attention(nn.Module):
        fused_attn: torch.jit.Final[bool]

        def __init__(self, dim, num_heads=8, qkv_bias=False, qk_norm=False, attn_drop=0.,
                     proj_drop=0., norm_layer=nn.LayerNorm, fused_attn=True):
            super().__init__()
            assert dim % num_heads == 0, 'dim should be divisible by num_heads'
            self.num_heads = num_heads
            self.head_dim = dim // num_heads
            self.scale = self.head_dim ** -0.5
            self.fused_attn = fused_attn

            self.qkv = nn.Linear(dim, dim * 3, bias=qkv_bias)
            self.q_norm = norm_layer(self.head_dim) if qk_norm else nn.Identity()
            self.k_norm = norm_layer(self.head_dim) if qk_norm else nn.Identity()
            self.attn_drop = nn.Dropout(attn_drop)
            self.proj = nn.Linear(dim, dim)
            self.proj_drop = nn.Dropout(proj_drop)

        def forward(self, x):
            B, N, C = x.shape
            qkv = self.qkv(x).reshape(B, N, 3, self.num_heads, self.head_dim).permute(
                2, 0, 3, 1, 4)
            q, k, v = qkv.unbind(0)
            q, k = self.q_norm(q), self.k_norm(k)

            if self.fused_attn:
                x = F.scaled_dot_product_attention(
                    q, k, v, dropout_p=self.attn_drop.p if self.training else 0.)
            else:
                q = q * self.scale
                attn = q @ k.transpose(-2, -1)
                attn = attn.softmax(dim=-1)
                attn = self.attn_drop(attn)
                x = attn @ v

            x = x.transpose(1, 2).reshape(B, N, C)
            x = self.proj(x)
            x = self.proj_drop(x)
            return x

    class LayerScale(nn.Module):
        def __init__(self, dim, init_values=1e-5, inplace=False):
            super().__init__()
            self.inplace = inplace
            self.gamma = nn.Parameter(init_values * torch.ones(dim))

        def forward(self, x):
            return x.mul_(self.gamma) if self.inplace else x * self.gamma

    class Mlp(nn.Module):
        def __init__(self, in_features, hidden_features=None, act_layer=nn.GELU, drop=0.):
            super().__init__()
            self.fc1 = nn.Linear(in_features, hidden_features)
            self.act = act_layer()
            self.drop1 = nn.Dropout(drop)
            self.fc2 = nn.Linear(hidden_features, in_features)
            self.drop2 = nn.Dropout(drop)

        def forward(self, x):
            return self.drop2(self.fc2(self.drop1(self.act(self.fc1(x)))))

    class Block(nn.Module):
        def __init__(self, dim, num_heads, mlp_ratio=4., qkv_bias=False, qk_norm=False,
                     init_values=None, drop_path=0., norm_layer=nn.LayerNorm,
                     fused_attn=True):
            super().__init__()
            self.norm1 = norm_layer(dim)
            self.attn = Attention(dim, num_heads=num_heads, qkv_bias=qkv_bias,
                                  qk_norm=qk_norm, norm_layer=norm_layer,
                                  fused_attn=fused_attn)
            self.ls1 = LayerScale(dim, init_values=init_values) if init_values \
                else nn.Identity()
            self.drop_path1 = DropPath(drop_path) if drop_path > 0. else nn.Identity()

            self.norm2 = norm_layer(dim)
            self.mlp = Mlp(in_features=dim, hidden_features=int(dim * mlp_ratio))
            self.ls2 = LayerScale(dim, init_values=init_values) if init_values \
                else nn.Identity()
            self.drop_path2 = DropPath(drop_path) if drop_path > 0. else nn.Identity()

        def forward(self, x):
            x = x + self.drop_path1(self.ls1(self.attn(self.norm1(x))))
            x = x + self.drop_path2(self.ls2(self.mlp(self.norm2(x))))
            return x

    class VisionTransformer(nn.Module):
        def __init__(self, img_size=8, patch_size=4, in_chans=1, num_classes=10,
                     global_pool='token', embed_dim=16, depth=2, num_heads=2, mlp_ratio=2.,
                     qkv_bias=True, qk_norm=False, init_values=None, drop_path_rate=0.,
                     fused_attn=True):
            super().__init__()
            norm_layer = partial(nn.LayerNorm, eps=1e-6)
            self.global_pool = global_pool
            self.num_prefix_tokens = 1
            self.patch_embed = PatchEmbed(img_size, patch_size, in_chans, embed_dim)
            num_patches = self.patch_embed.num_patches
            self.cls_token = nn.Parameter(torch.zeros(1, 1, embed_dim))
            self.pos_embed = nn.Parameter(torch.randn(1, num_patches + 1, embed_dim) * .02)
            dpr = [x.item() for x in torch.linspace(0, drop_path_rate, depth)]
            self.blocks = nn.Sequential(*[
                Block(dim=embed_dim, num_heads=num_heads, mlp_ratio=mlp_ratio,
                      qkv_bias=qkv_bias, qk_norm=qk_norm, init_values=init_values,
                      drop_path=dpr[i], norm_layer=norm_layer, fused_attn=fused_attn)
                for i in range(depth)])
            use_fc_norm = global_pool == 'avg'
            self.norm = norm_layer(embed_dim) if not use_fc_norm else nn.Identity()
            self.fc_norm = norm_layer(embed_dim) if use_fc_norm else nn.Identity()
            self.head = nn.Linear(embed_dim, num_classes)
            self.init_weights()

        def init_weights(self):
            nn.init.trunc_normal_(self.pos_embed, std=.02)
            nn.init.normal_(self.cls_token, std=1e-6)
            self.apply(self._init_weights)

        @staticmethod
        def _init_weights(m):
            if isinstance(m, nn.Linear):
                nn.init.trunc_normal_(m.weight, std=.02)
                if m.bias is not None:
                    nn.init.zeros_(m.bias)

        @torch.jit.ignore
        def no_weight_decay(self):
            return {'pos_embed', 'cls_token', 'dist_token'}

        def _pos_embed(self, x):
            x = torch.cat((self.cls_token.expand(x.shape[0], -1, -1), x), dim=1)
            return x + self.pos_embed

        def forward_features(self, x):
            x = self.patch_embed(x)
            x = self._pos_embed(x)
            x = self.blocks(x)
            return self.norm(x)

        def forward_head(self, x, pre_logits: bool = False):
            if self.global_pool == 'avg':
                x = x[:, self.num_prefix_tokens:].mean(dim=1)
            else:
                x = x[:, 0]
            x = self.fc_norm(x)
            return x if pre_logits else self.head(x)

        def forward(self, x):
            return self.forward_head(self.forward_features(x))

    return {"VisionTransformer": VisionTransformer, "Block": Block, "PatchEmbed": PatchEmbed,
            "drop_path": drop_path, "DropPath": DropPath}


def interpolate_pos_embed(torch, F, model, checkpoint_model):
    """DeiT/MAE's ``interpolate_pos_embed``: the checkpoint's position grid resized to the
    model's with bicubic interpolation, the class token kept."""
    if 'pos_embed' in checkpoint_model:
        pos_embed_checkpoint = checkpoint_model['pos_embed']
        embedding_size = pos_embed_checkpoint.shape[-1]
        num_patches = model.patch_embed.num_patches
        num_extra_tokens = model.pos_embed.shape[-2] - num_patches
        orig_size = int((pos_embed_checkpoint.shape[-2] - num_extra_tokens) ** 0.5)
        new_size = int(num_patches ** 0.5)
        if orig_size != new_size:
            extra_tokens = pos_embed_checkpoint[:, :num_extra_tokens]
            pos_tokens = pos_embed_checkpoint[:, num_extra_tokens:]
            pos_tokens = pos_tokens.reshape(-1, orig_size, orig_size,
                                            embedding_size).permute(0, 3, 1, 2)
            pos_tokens = F.interpolate(
                pos_tokens, size=(new_size, new_size), mode='bicubic', align_corners=False)
            pos_tokens = pos_tokens.permute(0, 2, 3, 1).flatten(1, 2)
            new_pos_embed = torch.cat((extra_tokens, pos_tokens), dim=1)
            checkpoint_model['pos_embed'] = new_pos_embed
