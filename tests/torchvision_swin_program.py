"""torchvision's Swin Transformer (``torchvision/models/swin_transformer.py``, V1 and V2) as
its readers write it, once for a library ``torch`` (``autograd`` or PyTorch) with its
``nn``, ``F`` and torchvision's ``ops`` (``MLP``, ``Permute``, ``StochasticDepth``): the
functional ``shifted_window_attention`` (windows padded with ``F.pad``, cyclic shift with
``torch.roll``, the mask built from ``new_zeros`` and slices; V2's cosine attention with a
clamped learned ``logit_scale``), patch merging on ``[..., H, W, C]``, V2's continuous
relative position bias (an MLP on log-spaced coordinates, ``16 * sigmoid``).

Written differently: torchvision's module-level ``torch.fx.wrap("...")`` lines are left out
(there is no ``torch.fx`` here: nothing is traced); the patch embedding takes
``in_channels`` (torchvision's is 3) and sizes are shrunk; V2's coordinate table is
float64 where torchvision writes ``dtype=torch.float32`` (a float32 table would not go
through float64 ``Linear`` layers in PyTorch), and ``self.qkv.bias[length:2 *
length].data.zero_()`` runs as ``zero_()`` under ``no_grad`` (``.data`` is a NumPy array
here, by design); ``_log_api_usage_once`` is left out. ``ops`` is ``torchvision.ops`` (PyTorch,
written in plain torch by the test: no torchvision is installed) or ``nn.ops``.
"""

import math
from functools import partial

__all__ = ["torchvision_swin_classes"]


def torchvision_swin_classes(torch, nn, F, ops) -> dict:
    """torchvision's ``SwinTransformer`` (V1, or V2 with ``use_v2=True``)."""
    MLP, Permute, StochasticDepth = ops.MLP, ops.Permute, ops.StochasticDepth

    def _patch_merging_pad(x):
        H, W, _ = x.shape[-3:]
        x = F.pad(x, (0, 0, 0, W % 2, 0, H % 2))
        return x

    def _get_relative_position_bias(relative_position_bias_table, relative_position_index,
                                    window_size):
        N = window_size[0] * window_size[1]
        relative_position_bias = relative_position_bias_table[relative_position_index]
        relative_position_bias = relative_position_bias.view(N, N, -1)
        relative_position_bias = relative_position_bias.permute(2, 0, 1).contiguous() \
            .unsqueeze(0)
        return relative_position_bias

    class PatchMerging(nn.Module):
        def __init__(self, dim, norm_layer=nn.LayerNorm):
            super().__init__()
            self.dim = dim
            self.reduction = nn.Linear(4 * dim, 2 * dim, bias=False)
            self.norm = norm_layer(4 * dim)

        def forward(self, x):
            x = _patch_merging_pad(x)
            x0 = x[..., 0::2, 0::2, :]  # ... H/2 W/2 C
            x1 = x[..., 1::2, 0::2, :]  # ... H/2 W/2 C
            x2 = x[..., 0::2, 1::2, :]  # ... H/2 W/2 C
            x3 = x[..., 1::2, 1::2, :]  # ... H/2 W/2 C
            x = torch.cat([x0, x1, x2, x3], -1)  # ... H/2 W/2 4*C
            x = self.norm(x)
            x = self.reduction(x)  # ... H/2 W/2 2*C
            return x

    def shifted_window_attention(input, qkv_weight, proj_weight, relative_position_bias,
                                 window_size, num_heads, shift_size, attention_dropout=0.0,
                                 dropout=0.0, qkv_bias=None, proj_bias=None,
                                 v2_logit_scale=None):
        B, H, W, C = input.shape
        # pad feature maps to multiples of window size
        pad_r = (window_size[1] - W % window_size[1]) % window_size[1]
        pad_b = (window_size[0] - H % window_size[0]) % window_size[0]
        x = F.pad(input, (0, 0, 0, pad_r, 0, pad_b))
        _, pad_H, pad_W, _ = x.shape

        # If window size is larger than feature size, there is no need to shift window
        if window_size[0] >= pad_H:
            shift_size[0] = 0
        if window_size[1] >= pad_W:
            shift_size[1] = 0

        # cyclic shift
        if sum(shift_size) > 0:
            x = torch.roll(x, shifts=(-shift_size[0], -shift_size[1]), dims=(1, 2))

        # partition windows
        num_windows = (pad_H // window_size[0]) * (pad_W // window_size[1])
        x = x.view(B, pad_H // window_size[0], window_size[0], pad_W // window_size[1],
                   window_size[1], C)
        x = x.permute(0, 1, 3, 2, 4, 5).reshape(B * num_windows,
                                                window_size[0] * window_size[1], C)

        # multi-head attention
        if v2_logit_scale is not None and qkv_bias is not None:
            qkv_bias = qkv_bias.clone()
            length = qkv_bias.numel() // 3
            qkv_bias[length: 2 * length].zero_()
        qkv = F.linear(x, qkv_weight, qkv_bias)
        qkv = qkv.reshape(x.size(0), x.size(1), 3, num_heads,
                          C // num_heads).permute(2, 0, 3, 1, 4)
        q, k, v = qkv[0], qkv[1], qkv[2]
        if v2_logit_scale is not None:
            # cosine attention
            attn = F.normalize(q, dim=-1) @ F.normalize(k, dim=-1).transpose(-2, -1)
            v2_logit_scale = torch.clamp(v2_logit_scale, max=math.log(100.0)).exp()
            attn = attn * v2_logit_scale
        else:
            q = q * (C // num_heads) ** -0.5
            attn = q.matmul(k.transpose(-2, -1))
        # add relative position bias
        attn = attn + relative_position_bias

        if sum(shift_size) > 0:
            # generate attention mask
            attn_mask = x.new_zeros((pad_H, pad_W))
            h_slices = ((0, -window_size[0]), (-window_size[0], -shift_size[0]),
                        (-shift_size[0], None))
            w_slices = ((0, -window_size[1]), (-window_size[1], -shift_size[1]),
                        (-shift_size[1], None))
            count = 0
            for h in h_slices:
                for w in w_slices:
                    attn_mask[h[0]: h[1], w[0]: w[1]] = count
                    count += 1
            attn_mask = attn_mask.view(pad_H // window_size[0], window_size[0],
                                       pad_W // window_size[1], window_size[1])
            attn_mask = attn_mask.permute(0, 2, 1, 3).reshape(
                num_windows, window_size[0] * window_size[1])
            attn_mask = attn_mask.unsqueeze(1) - attn_mask.unsqueeze(2)
            attn_mask = attn_mask.masked_fill(attn_mask != 0, float(-100.0)).masked_fill(
                attn_mask == 0, float(0.0))
            attn = attn.view(x.size(0) // num_windows, num_windows, num_heads, x.size(1),
                             x.size(1))
            attn = attn + attn_mask.unsqueeze(1).unsqueeze(0)
            attn = attn.view(-1, num_heads, x.size(1), x.size(1))

        attn = F.softmax(attn, dim=-1)
        attn = F.dropout(attn, p=attention_dropout)

        x = attn.matmul(v).transpose(1, 2).reshape(x.size(0), x.size(1), C)
        x = F.linear(x, proj_weight, proj_bias)
        x = F.dropout(x, p=dropout)

        # reverse windows
        x = x.view(B, pad_H // window_size[0], pad_W // window_size[1], window_size[0],
                   window_size[1], C)
        x = x.permute(0, 1, 3, 2, 4, 5).reshape(B, pad_H, pad_W, C)

        # reverse cyclic shift
        if sum(shift_size) > 0:
            x = torch.roll(x, shifts=(shift_size[0], shift_size[1]), dims=(1, 2))

        # unpad features
        x = x[:, :H, :W, :].contiguous()
        return x

    class ShiftedWindowAttention(nn.Module):
        def __init__(self, dim, window_size, shift_size, num_heads, qkv_bias=True,
                     proj_bias=True, attention_dropout=0.0, dropout=0.0):
            super().__init__()
            if len(window_size) != 2 or len(shift_size) != 2:
                raise ValueError("window_size and shift_size must be of length 2")
            self.window_size = window_size
            self.shift_size = shift_size
            self.num_heads = num_heads
            self.attention_dropout = attention_dropout
            self.dropout = dropout

            self.qkv = nn.Linear(dim, dim * 3, bias=qkv_bias)
            self.proj = nn.Linear(dim, dim, bias=proj_bias)

            self.define_relative_coords()

        def define_relative_coords(self):
            # define a parameter table of relative position bias
            self.relative_position_bias_table = nn.Parameter(
                torch.zeros((2 * self.window_size[0] - 1) * (2 * self.window_size[1] - 1),
                            self.num_heads))  # 2*Wh-1 * 2*Ww-1, nH

            # get pair-wise relative position index for each token inside the window
            coords_h = torch.arange(self.window_size[0])
            coords_w = torch.arange(self.window_size[1])
            coords = torch.stack(torch.meshgrid(coords_h, coords_w, indexing="ij"))
            coords_flatten = torch.flatten(coords, 1)  # 2, Wh*Ww
            relative_coords = coords_flatten[:, :, None] - coords_flatten[:, None, :]
            relative_coords = relative_coords.permute(1, 2, 0).contiguous()
            relative_coords[:, :, 0] += self.window_size[0] - 1  # shift to start from 0
            relative_coords[:, :, 1] += self.window_size[1] - 1
            relative_coords[:, :, 0] *= 2 * self.window_size[1] - 1
            relative_position_index = relative_coords.sum(-1).flatten()  # Wh*Ww*Wh*Ww
            self.register_buffer("relative_position_index", relative_position_index)

            nn.init.trunc_normal_(self.relative_position_bias_table, std=0.02)

        def get_relative_position_bias(self):
            return _get_relative_position_bias(
                self.relative_position_bias_table, self.relative_position_index,
                self.window_size)

        def forward(self, x):
            relative_position_bias = self.get_relative_position_bias()
            return shifted_window_attention(
                x, self.qkv.weight, self.proj.weight, relative_position_bias,
                self.window_size, self.num_heads, shift_size=self.shift_size,
                attention_dropout=self.attention_dropout, dropout=self.dropout,
                qkv_bias=self.qkv.bias, proj_bias=self.proj.bias)

    class SwinTransformerBlock(nn.Module):
        def __init__(self, dim, num_heads, window_size, shift_size, mlp_ratio=4.0,
                     dropout=0.0, attention_dropout=0.0, stochastic_depth_prob=0.0,
                     norm_layer=nn.LayerNorm, attn_layer=ShiftedWindowAttention, **kwargs):
            super().__init__()
            self.norm1 = norm_layer(dim)
            self.attn = attn_layer(dim, window_size, shift_size, num_heads,
                                   attention_dropout=attention_dropout, dropout=dropout,
                                   **kwargs)
            self.stochastic_depth = StochasticDepth(stochastic_depth_prob, "row")
            self.norm2 = norm_layer(dim)
            self.mlp = MLP(dim, [int(dim * mlp_ratio), dim], activation_layer=nn.GELU,
                           inplace=None, dropout=dropout)

            for m in self.mlp.modules():
                if isinstance(m, nn.Linear):
                    nn.init.xavier_uniform_(m.weight)
                    if m.bias is not None:
                        nn.init.normal_(m.bias, std=1e-6)

        def forward(self, x):
            x = x + self.stochastic_depth(self.attn(self.norm1(x)))
            x = x + self.stochastic_depth(self.mlp(self.norm2(x)))
            return x

    class ShiftedWindowAttentionV2(ShiftedWindowAttention):
        def __init__(self, dim, window_size, shift_size, num_heads, qkv_bias=True,
                     proj_bias=True, attention_dropout=0.0, dropout=0.0,
                     pretrained_window_size=[0, 0]):
            self.pretrained_window_size = pretrained_window_size
            super().__init__(dim, window_size, shift_size, num_heads, qkv_bias=qkv_bias,
                             proj_bias=proj_bias, attention_dropout=attention_dropout,
                             dropout=dropout)
            self.v2_logit_scale = nn.Parameter(torch.log(10 * torch.ones((num_heads, 1, 1))))
            # mlp to generate continuous relative position bias
            self.cpb_mlp = nn.Sequential(
                nn.Linear(2, 32, bias=True), nn.ReLU(inplace=True),
                nn.Linear(32, num_heads, bias=False))
            if qkv_bias:
                length = self.qkv.bias.numel() // 3
                with torch.no_grad():  # torchvision: self.qkv.bias[...].data.zero_()
                    self.qkv.bias[length: 2 * length].zero_()

        def define_relative_coords(self):
            # get relative_coords_table
            relative_coords_h = torch.arange(-(self.window_size[0] - 1), self.window_size[0],
                                             dtype=torch.float64)
            relative_coords_w = torch.arange(-(self.window_size[1] - 1), self.window_size[1],
                                             dtype=torch.float64)
            relative_coords_table = torch.stack(
                torch.meshgrid([relative_coords_h, relative_coords_w], indexing="ij"))
            relative_coords_table = relative_coords_table.permute(1, 2, 0).contiguous() \
                .unsqueeze(0)  # 1, 2*Wh-1, 2*Ww-1, 2
            if self.pretrained_window_size[0] > 0:
                relative_coords_table[:, :, :, 0] /= self.pretrained_window_size[0] - 1
                relative_coords_table[:, :, :, 1] /= self.pretrained_window_size[1] - 1
            else:
                relative_coords_table[:, :, :, 0] /= self.window_size[0] - 1
                relative_coords_table[:, :, :, 1] /= self.window_size[1] - 1
            relative_coords_table *= 8  # normalize to -8, 8
            relative_coords_table = (
                torch.sign(relative_coords_table)
                * torch.log2(torch.abs(relative_coords_table) + 1.0) / 3.0)
            self.register_buffer("relative_coords_table", relative_coords_table)

            # get pair-wise relative position index for each token inside the window
            coords_h = torch.arange(self.window_size[0])
            coords_w = torch.arange(self.window_size[1])
            coords = torch.stack(torch.meshgrid([coords_h, coords_w], indexing="ij"))
            coords_flatten = torch.flatten(coords, 1)  # 2, Wh*Ww
            relative_coords = coords_flatten[:, :, None] - coords_flatten[:, None, :]
            relative_coords = relative_coords.permute(1, 2, 0).contiguous()
            relative_coords[:, :, 0] += self.window_size[0] - 1  # shift to start from 0
            relative_coords[:, :, 1] += self.window_size[1] - 1
            relative_coords[:, :, 0] *= 2 * self.window_size[1] - 1
            relative_position_index = relative_coords.sum(-1).flatten()  # Wh*Ww*Wh*Ww
            self.register_buffer("relative_position_index", relative_position_index)

        def get_relative_position_bias(self):
            relative_position_bias = _get_relative_position_bias(
                self.cpb_mlp(self.relative_coords_table).view(-1, self.num_heads),
                self.relative_position_index, self.window_size)
            relative_position_bias = 16 * torch.sigmoid(relative_position_bias)
            return relative_position_bias

        def forward(self, x):
            relative_position_bias = self.get_relative_position_bias()
            return shifted_window_attention(
                x, self.qkv.weight, self.proj.weight, relative_position_bias,
                self.window_size, self.num_heads, shift_size=self.shift_size,
                attention_dropout=self.attention_dropout, dropout=self.dropout,
                qkv_bias=self.qkv.bias, proj_bias=self.proj.bias,
                v2_logit_scale=self.v2_logit_scale)

    class SwinTransformerBlockV2(SwinTransformerBlock):
        def __init__(self, dim, num_heads, window_size, shift_size, mlp_ratio=4.0,
                     dropout=0.0, attention_dropout=0.0, stochastic_depth_prob=0.0,
                     norm_layer=nn.LayerNorm, attn_layer=ShiftedWindowAttentionV2,
                     pretrained_window_size=0):
            super().__init__(dim, num_heads, window_size, shift_size, mlp_ratio=mlp_ratio,
                             dropout=dropout, attention_dropout=attention_dropout,
                             stochastic_depth_prob=stochastic_depth_prob,
                             norm_layer=norm_layer, attn_layer=attn_layer,
                             pretrained_window_size=[pretrained_window_size,
                                                     pretrained_window_size])

        def forward(self, x):
            x = x + self.stochastic_depth(self.norm1(self.attn(x)))
            x = x + self.stochastic_depth(self.norm2(self.mlp(x)))
            return x

    class SwinTransformer(nn.Module):
        def __init__(self, patch_size, embed_dim, depths, num_heads, window_size,
                     mlp_ratio=4.0, dropout=0.0, attention_dropout=0.0,
                     stochastic_depth_prob=0.0, num_classes=1000, block=None,
                     norm_layer=None, use_v2=False, v2_pretrained_window_sizes=[0, 0, 0, 0],
                     in_channels=3):
            super().__init__()
            self.num_classes = num_classes

            if block is None:
                block = SwinTransformerBlockV2 if use_v2 else SwinTransformerBlock

            if norm_layer is None:
                norm_layer = partial(nn.LayerNorm, eps=1e-5)

            layers = []
            # split image into non-overlapping patches
            layers.append(
                nn.Sequential(
                    nn.Conv2d(in_channels, embed_dim, kernel_size=(patch_size[0], patch_size[1]),
                              stride=(patch_size[0], patch_size[1])),
                    Permute([0, 2, 3, 1]),
                    norm_layer(embed_dim),
                )
            )

            total_stage_blocks = sum(depths)
            stage_block_id = 0
            # build SwinTransformer blocks
            for i_stage in range(len(depths)):
                stage = []
                dim = embed_dim * 2 ** i_stage
                kwargs = {}
                if use_v2:
                    kwargs["pretrained_window_size"] = v2_pretrained_window_sizes[i_stage]
                for i_layer in range(depths[i_stage]):
                    # adjust stochastic depth probability based on the depth of the stage
                    sd_prob = stochastic_depth_prob * float(stage_block_id) / (
                        total_stage_blocks - 1)
                    stage.append(
                        block(dim, num_heads[i_stage], window_size=window_size,
                              shift_size=[0 if i_layer % 2 == 0 else w // 2
                                          for w in window_size],
                              mlp_ratio=mlp_ratio, dropout=dropout,
                              attention_dropout=attention_dropout,
                              stochastic_depth_prob=sd_prob, norm_layer=norm_layer,
                              **kwargs))
                    stage_block_id += 1
                layers.append(nn.Sequential(*stage))
                # add patch merging layer
                if i_stage < (len(depths) - 1):
                    layers.append(PatchMerging(dim, norm_layer))
            self.features = nn.Sequential(*layers)

            num_features = embed_dim * 2 ** (len(depths) - 1)
            self.norm = norm_layer(num_features)
            self.avgpool = nn.AdaptiveAvgPool2d(1)
            self.head = nn.Linear(num_features, num_classes)

            for m in self.modules():
                if isinstance(m, nn.Linear):
                    nn.init.trunc_normal_(m.weight, std=0.02)
                    if m.bias is not None:
                        nn.init.zeros_(m.bias)

        def forward(self, x):
            x = self.features(x)
            x = self.norm(x)
            x = x.permute(0, 3, 1, 2)
            x = self.avgpool(x)
            x = torch.flatten(x, 1)
            x = self.head(x)
            return x
    return {"SwinTransformer": SwinTransformer}
