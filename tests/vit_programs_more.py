"""lucidrains' ``simple_vit.py`` and torchvision's ``VisionTransformer`` (shrunk), written
once for a library ``torch`` with its ``nn``, as in ``vit_programs.py`` (einops written out
with ``reshape``/``permute``)."""

import math

from vit_programs import posemb_sincos_2d, vit_classes

__all__ = ["simple_vit_classes", "torchvision_vit_class"]


def simple_vit_classes(torch, nn) -> dict:
    """lucidrains' ``simple_vit.py``: no class token, no dropout, the fixed 2-d sin-cos
    position embedding added in place, mean pooling, a LayerNorm + Linear head."""
    Rearrange = vit_classes(torch, nn)["Rearrange"]

    class FeedForward(nn.Module):
        def __init__(self, dim, hidden_dim):
            super().__init__()
            self.net = nn.Sequential(
                nn.LayerNorm(dim),
                nn.Linear(dim, hidden_dim),
                nn.GELU(),
                nn.Linear(hidden_dim, dim),
            )

        def forward(self, x):
            return self.net(x)

    class Attention(nn.Module):
        def __init__(self, dim, heads=8, dim_head=64):
            super().__init__()
            inner_dim = dim_head * heads
            self.heads = heads
            self.scale = dim_head ** -0.5
            self.norm = nn.LayerNorm(dim)

            self.attend = nn.Softmax(dim=-1)

            self.to_qkv = nn.Linear(dim, inner_dim * 3, bias=False)
            self.to_out = nn.Linear(inner_dim, dim, bias=False)

        def forward(self, x):
            x = self.norm(x)

            qkv = self.to_qkv(x).chunk(3, dim=-1)
            q, k, v = map(lambda t: t.reshape(t.shape[0], t.shape[1], self.heads, -1)
                          .permute(0, 2, 1, 3), qkv)

            dots = torch.matmul(q, k.transpose(-1, -2)) * self.scale

            attn = self.attend(dots)

            out = torch.matmul(attn, v)
            out = out.permute(0, 2, 1, 3).flatten(2)  # 'b h n d -> b n (h d)'
            return self.to_out(out)

    class Transformer(nn.Module):
        def __init__(self, dim, depth, heads, dim_head, mlp_dim):
            super().__init__()
            self.layers = nn.ModuleList([])
            for _ in range(depth):
                self.layers.append(nn.ModuleList([
                    Attention(dim, heads=heads, dim_head=dim_head),
                    FeedForward(dim, mlp_dim)
                ]))

        def forward(self, x):
            for attn, ff in self.layers:
                x = attn(x) + x
                x = ff(x) + x
            return x

    class SimpleViT(nn.Module):
        def __init__(self, *, image_size, patch_size, num_classes, dim, depth, heads,
                     mlp_dim, channels=3, dim_head=64):
            super().__init__()
            patch_dim = channels * patch_size * patch_size

            self.to_patch_embedding = nn.Sequential(
                Rearrange(patch_size, patch_size),
                nn.LayerNorm(patch_dim),
                nn.Linear(patch_dim, dim),
                nn.LayerNorm(dim),
            )

            self.pos_embedding = posemb_sincos_2d(
                torch,
                h=image_size // patch_size,
                w=image_size // patch_size,
                dim=dim,
            )

            self.transformer = Transformer(dim, depth, heads, dim_head, mlp_dim)

            self.to_latent = nn.Identity()
            self.linear_head = nn.Sequential(
                nn.LayerNorm(dim),
                nn.Linear(dim, num_classes)
            )

        def forward(self, img):
            device = img.device

            x = self.to_patch_embedding(img)
            x += self.pos_embedding.to(device)

            x = self.transformer(x)
            x = x.mean(dim=1)

            x = self.to_latent(x)
            return self.linear_head(x)

    return {"SimpleViT": SimpleViT}


def torchvision_vit_class(torch, nn):
    """torchvision's ``VisionTransformer`` shrunk: ``conv_proj`` patches reshaped and
    permuted, a zero class token, a ``normal_(std=0.02)`` position Parameter, and
    ``nn.TransformerEncoder`` of pre-norm GELU layers (torchvision writes its own
    ``EncoderBlock``; this is how many readers write it with PyTorch's modules)."""

    class VisionTransformer(nn.Module):
        def __init__(self, image_size, patch_size, num_layers, num_heads, hidden_dim,
                     mlp_dim, dropout=0.0, num_classes=10, channels=3):
            super().__init__()
            self.image_size = image_size
            self.patch_size = patch_size
            self.hidden_dim = hidden_dim
            self.conv_proj = nn.Conv2d(in_channels=channels, out_channels=hidden_dim,
                                       kernel_size=patch_size, stride=patch_size)
            seq_length = (image_size // patch_size) ** 2
            self.class_token = nn.Parameter(torch.zeros(1, 1, hidden_dim))
            seq_length += 1
            self.pos_embedding = nn.Parameter(
                torch.empty(1, seq_length, hidden_dim).normal_(std=0.02))
            self.dropout = nn.Dropout(dropout)
            layer = nn.TransformerEncoderLayer(hidden_dim, num_heads, mlp_dim, dropout,
                                               activation="gelu", batch_first=True,
                                               norm_first=True)
            self.encoder = nn.TransformerEncoder(layer, num_layers,
                                                 norm=nn.LayerNorm(hidden_dim),
                                                 enable_nested_tensor=False)
            self.heads = nn.Linear(hidden_dim, num_classes)

            fan_in = (self.conv_proj.in_channels * self.conv_proj.kernel_size[0]
                      * self.conv_proj.kernel_size[1])
            nn.init.trunc_normal_(self.conv_proj.weight, std=math.sqrt(1 / fan_in))
            nn.init.zeros_(self.conv_proj.bias)
            nn.init.zeros_(self.heads.weight)
            nn.init.zeros_(self.heads.bias)

        def _process_input(self, x):
            n, c, h, w = x.shape
            p = self.patch_size
            torch._assert(h == self.image_size,
                          f"Wrong image height! Expected {self.image_size} but got {h}!")
            torch._assert(w == self.image_size,
                          f"Wrong image width! Expected {self.image_size} but got {w}!")
            n_h = h // p
            n_w = w // p

            # (n, c, h, w) -> (n, hidden_dim, n_h, n_w)
            x = self.conv_proj(x)
            # (n, hidden_dim, n_h, n_w) -> (n, hidden_dim, (n_h * n_w))
            x = x.reshape(n, self.hidden_dim, n_h * n_w)
            # (n, hidden_dim, (n_h * n_w)) -> (n, (n_h * n_w), hidden_dim)
            x = x.permute(0, 2, 1)
            return x

        def forward(self, x):
            x = self._process_input(x)
            n = x.shape[0]

            batch_class_token = self.class_token.expand(n, -1, -1)
            x = torch.cat([batch_class_token, x], dim=1)

            x = x + self.pos_embedding
            x = self.encoder(self.dropout(x))

            # Classifier "token" as used by standard language architectures
            x = x[:, 0]

            x = self.heads(x)
            return x

    return VisionTransformer
