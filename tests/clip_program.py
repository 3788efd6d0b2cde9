"""OpenAI's CLIP (``clip/model.py`` of openai/CLIP) as its readers write it, once for a
library ``torch`` (``autograd`` or PyTorch) with its ``nn``: ``QuickGELU``, the residual
attention block on ``nn.MultiheadAttention`` (sequence first, causal ``attn_mask`` built
with ``fill_(float("-inf"))`` and ``triu_(1)``), the vision transformer (class embedding,
``ln_pre``/``ln_post``, projection), the text transformer (token and positional
embeddings, the EOT token's features picked with ``argmax``), and the contrastive logits
with the learned temperature ``logit_scale``.

Written differently: sizes are shrunk (4x4 patches of an 8x8 digit, width 16, two layers);
CLIP's fp16-safe ``LayerNorm`` subclass casts to float32 and back, which this float64 port
skips (``x.type(torch.float32)`` would round both libraries' results to float32 and hide
the comparison); ``self.dtype`` is float64.
"""

from collections import OrderedDict

import numpy as np

__all__ = ["clip_classes"]


def clip_classes(torch, nn) -> dict:
    """CLIP's ``QuickGELU``, ``ResidualAttentionBlock``, ``Transformer``,
    ``VisionTransformer`` and ``CLIP``."""
    LayerNorm = nn.LayerNorm

    class QuickGELU(nn.Module):
        def forward(self, x):
            return x * torch.sigmoid(1.702 * x)

    class ResidualAttentionBlock(nn.Module):
        def __init__(self, d_model: int, n_head: int, attn_mask=None):
            super().__init__()

            self.attn = nn.MultiheadAttention(d_model, n_head)
            self.ln_1 = LayerNorm(d_model)
            self.mlp = nn.Sequential(OrderedDict([
                ("c_fc", nn.Linear(d_model, d_model * 4)),
                ("gelu", QuickGELU()),
                ("c_proj", nn.Linear(d_model * 4, d_model))
            ]))
            self.ln_2 = LayerNorm(d_model)
            self.attn_mask = attn_mask

        def attention(self, x):
            self.attn_mask = self.attn_mask.to(dtype=x.dtype, device=x.device) \
                if self.attn_mask is not None else None
            return self.attn(x, x, x, need_weights=False, attn_mask=self.attn_mask)[0]

        def forward(self, x):
            x = x + self.attention(self.ln_1(x))
            x = x + self.mlp(self.ln_2(x))
            return x

    class Transformer(nn.Module):
        def __init__(self, width: int, layers: int, heads: int, attn_mask=None):
            super().__init__()
            self.width = width
            self.layers = layers
            self.resblocks = nn.Sequential(
                *[ResidualAttentionBlock(width, heads, attn_mask) for _ in range(layers)])

        def forward(self, x):
            return self.resblocks(x)

    class VisionTransformer(nn.Module):
        def __init__(self, input_resolution: int, patch_size: int, width: int, layers: int,
                     heads: int, output_dim: int, in_channels: int = 3):
            super().__init__()
            self.input_resolution = input_resolution
            self.output_dim = output_dim
            self.conv1 = nn.Conv2d(in_channels=in_channels, out_channels=width,
                                   kernel_size=patch_size, stride=patch_size, bias=False)

            scale = width ** -0.5
            self.class_embedding = nn.Parameter(scale * torch.randn(width))
            self.positional_embedding = nn.Parameter(
                scale * torch.randn((input_resolution // patch_size) ** 2 + 1, width))
            self.ln_pre = LayerNorm(width)

            self.transformer = Transformer(width, layers, heads)

            self.ln_post = LayerNorm(width)
            self.proj = nn.Parameter(scale * torch.randn(width, output_dim))

        def forward(self, x):
            x = self.conv1(x)  # shape = [*, width, grid, grid]
            x = x.reshape(x.shape[0], x.shape[1], -1)  # shape = [*, width, grid ** 2]
            x = x.permute(0, 2, 1)  # shape = [*, grid ** 2, width]
            x = torch.cat([self.class_embedding.to(x.dtype) + torch.zeros(
                x.shape[0], 1, x.shape[-1], dtype=x.dtype, device=x.device), x], dim=1)
            x = x + self.positional_embedding.to(x.dtype)
            x = self.ln_pre(x)

            x = x.permute(1, 0, 2)  # NLD -> LND
            x = self.transformer(x)
            x = x.permute(1, 0, 2)  # LND -> NLD

            x = self.ln_post(x[:, 0, :])

            if self.proj is not None:
                x = x @ self.proj

            return x

    class CLIP(nn.Module):
        def __init__(self, embed_dim: int, image_resolution: int, vision_layers: int,
                     vision_width: int, vision_patch_size: int, context_length: int,
                     vocab_size: int, transformer_width: int, transformer_heads: int,
                     transformer_layers: int, in_channels: int = 3):
            super().__init__()

            self.context_length = context_length

            vision_heads = vision_width // 8
            self.visual = VisionTransformer(
                input_resolution=image_resolution, patch_size=vision_patch_size,
                width=vision_width, layers=vision_layers, heads=vision_heads,
                output_dim=embed_dim, in_channels=in_channels)

            self.transformer = Transformer(
                width=transformer_width, layers=transformer_layers, heads=transformer_heads,
                attn_mask=self.build_attention_mask())

            self.vocab_size = vocab_size
            self.token_embedding = nn.Embedding(vocab_size, transformer_width)
            self.positional_embedding = nn.Parameter(
                torch.empty(self.context_length, transformer_width))
            self.ln_final = LayerNorm(transformer_width)

            self.text_projection = nn.Parameter(torch.empty(transformer_width, embed_dim))
            self.logit_scale = nn.Parameter(torch.ones([]) * np.log(1 / 0.07))

            self.initialize_parameters()

        def initialize_parameters(self):
            nn.init.normal_(self.token_embedding.weight, std=0.02)
            nn.init.normal_(self.positional_embedding, std=0.01)

            proj_std = (self.transformer.width ** -0.5) * (
                (2 * self.transformer.layers) ** -0.5)
            attn_std = self.transformer.width ** -0.5
            fc_std = (2 * self.transformer.width) ** -0.5
            for block in self.transformer.resblocks:
                nn.init.normal_(block.attn.in_proj_weight, std=attn_std)
                nn.init.normal_(block.attn.out_proj.weight, std=proj_std)
                nn.init.normal_(block.mlp.c_fc.weight, std=fc_std)
                nn.init.normal_(block.mlp.c_proj.weight, std=proj_std)

            if self.text_projection is not None:
                nn.init.normal_(self.text_projection, std=self.transformer.width ** -0.5)

        def build_attention_mask(self):
            # lazily create causal attention mask, with full attention between the vision
            # tokens; pytorch uses additive attention mask; fill with -inf
            mask = torch.empty(self.context_length, self.context_length)
            mask.fill_(float("-inf"))
            mask.triu_(1)  # zero out the lower diagonal
            return mask

        @property
        def dtype(self):
            return self.visual.conv1.weight.dtype

        def encode_image(self, image):
            return self.visual(image.type(self.dtype))

        def encode_text(self, text):
            x = self.token_embedding(text).type(self.dtype)  # [batch_size, n_ctx, d_model]

            x = x + self.positional_embedding.type(self.dtype)
            x = x.permute(1, 0, 2)  # NLD -> LND
            x = self.transformer(x)
            x = x.permute(1, 0, 2)  # LND -> NLD
            x = self.ln_final(x).type(self.dtype)

            # x.shape = [batch_size, n_ctx, transformer.width]
            # take features from the eot embedding (eot_token is the highest number in
            # each sequence)
            x = x[torch.arange(x.shape[0]), text.argmax(dim=-1)] @ self.text_projection

            return x

        def forward(self, image, text):
            image_features = self.encode_image(image)
            text_features = self.encode_text(text)

            # normalized features
            image_features = image_features / image_features.norm(dim=1, keepdim=True)
            text_features = text_features / text_features.norm(dim=1, keepdim=True)

            # cosine similarity as logits
            logit_scale = self.logit_scale.exp()
            logits_per_image = logit_scale * image_features @ text_features.t()
            logits_per_text = logits_per_image.t()

            # shape = [global_batch_size, global_batch_size]
            return logits_per_image, logits_per_text

    return {"CLIP": CLIP, "VisionTransformer": VisionTransformer, "QuickGELU": QuickGELU}
