"""Vision transformers as their readers write them (lucidrains/vit-pytorch's ``vit.py`` and
``simple_vit.py``, torchvision's ``vision_transformer.py``), each written once for a
library ``torch`` (``autograd`` or PyTorch) with its ``nn``: the pieces the ports in
``test_pytorch_ports_vit*.py`` put together and train on scikit-learn's 8x8 digits.

Written differently: einops is not installed, so ``Rearrange('b c (h p1) (w p2) -> b (h w)
(p1 p2 c)')`` and ``rearrange(t, 'b n (h d) -> b h n d')`` are written out with ``reshape``
and ``permute`` (what einops runs); sizes are shrunk (4x4 patches of an 8x8 image, width
16, two heads, depth 2).
"""

import math

import numpy as np

__all__ = ["vit_classes", "posemb_sincos_2d", "digits_batches", "warmup_cosine",
           "init_weights"]


def vit_classes(torch, nn) -> dict:
    """lucidrains' ``FeedForward``, ``Attention``, ``Transformer`` and ``ViT``, with the
    patch embedding einops' spelling, ``Tensor.unfold``'s or torchvision's ``Conv2d``."""

    class Rearrange(nn.Module):
        """'b c (h p1) (w p2) -> b (h w) (p1 p2 c)' written out (einops is not here)."""

        def __init__(self, p1, p2):
            super().__init__()
            self.p1, self.p2 = p1, p2

        def forward(self, x):
            b, c, H, W = x.shape
            h, w = H // self.p1, W // self.p2
            x = x.reshape(b, c, h, self.p1, w, self.p2)
            x = x.permute(0, 2, 4, 3, 5, 1)
            return x.reshape(b, h * w, self.p1 * self.p2 * c)

    class ConvPatches(nn.Module):
        """torchvision's patchify: a strided convolution, then flatten(2).transpose(1, 2)."""

        def __init__(self, channels, dim, patch_size):
            super().__init__()
            self.proj = nn.Conv2d(channels, dim, kernel_size=patch_size, stride=patch_size)

        def forward(self, x):
            return self.proj(x).flatten(2).transpose(1, 2)

    class UnfoldPatches(nn.Module):
        """The ViT-from-scratch tutorials' patchify: ``unfold`` the height, then the width
        ((b, c, h, w, p1, p2)), then permute and reshape to (p1 p2 c) as einops' order."""

        def __init__(self, patch_size):
            super().__init__()
            self.patch_size = patch_size

        def forward(self, x):
            p = self.patch_size
            patches = x.unfold(2, p, p).unfold(3, p, p)
            b, c, h, w = patches.shape[:4]
            return patches.permute(0, 2, 3, 4, 5, 1).reshape(b, h * w, p * p * c)

    class FeedForward(nn.Module):
        def __init__(self, dim, hidden_dim, dropout=0.):
            super().__init__()
            self.net = nn.Sequential(
                nn.LayerNorm(dim),
                nn.Linear(dim, hidden_dim),
                nn.GELU(),
                nn.Dropout(dropout),
                nn.Linear(hidden_dim, dim),
                nn.Dropout(dropout)
            )

        def forward(self, x):
            return self.net(x)

    class Attention(nn.Module):
        def __init__(self, dim, heads=8, dim_head=64, dropout=0.):
            super().__init__()
            inner_dim = dim_head * heads
            project_out = not (heads == 1 and dim_head == dim)

            self.heads = heads
            self.scale = dim_head ** -0.5

            self.norm = nn.LayerNorm(dim)
            self.attend = nn.Softmax(dim=-1)
            self.dropout = nn.Dropout(dropout)

            self.to_qkv = nn.Linear(dim, inner_dim * 3, bias=False)

            self.to_out = nn.Sequential(
                nn.Linear(inner_dim, dim),
                nn.Dropout(dropout)
            ) if project_out else nn.Identity()

        def forward(self, x):
            x = self.norm(x)
            qkv = self.to_qkv(x).chunk(3, dim=-1)
            # rearrange(t, 'b n (h d) -> b h n d', h=self.heads)
            q, k, v = map(lambda t: t.reshape(t.shape[0], t.shape[1], self.heads, -1)
                          .permute(0, 2, 1, 3), qkv)

            dots = torch.matmul(q, k.transpose(-1, -2)) * self.scale

            attn = self.attend(dots)
            attn = self.dropout(attn)

            out = torch.matmul(attn, v)
            # rearrange(out, 'b h n d -> b n (h d)')
            out = out.permute(0, 2, 1, 3).reshape(out.shape[0], out.shape[2], -1)
            return self.to_out(out)

    class MHAttention(nn.Module):
        """The same block with ``nn.MultiheadAttention(batch_first=True)``."""

        def __init__(self, dim, heads=8, dim_head=64, dropout=0.):
            super().__init__()
            self.norm = nn.LayerNorm(dim)
            self.attn = nn.MultiheadAttention(dim, heads, dropout=dropout, batch_first=True)

        def forward(self, x):
            x = self.norm(x)
            x, _ = self.attn(x, x, x, need_weights=False)
            return x

    class Transformer(nn.Module):
        def __init__(self, dim, depth, heads, dim_head, mlp_dim, dropout=0.,
                     attention=Attention):
            super().__init__()
            self.norm = nn.LayerNorm(dim)
            self.layers = nn.ModuleList([])
            for _ in range(depth):
                self.layers.append(nn.ModuleList([
                    attention(dim, heads=heads, dim_head=dim_head, dropout=dropout),
                    FeedForward(dim, mlp_dim, dropout=dropout)
                ]))

        def forward(self, x):
            for attn, ff in self.layers:
                x = attn(x) + x
                x = ff(x) + x
            return self.norm(x)

    class ViT(nn.Module):
        def __init__(self, *, image_size, patch_size, num_classes, dim, depth, heads,
                     mlp_dim, pool='cls', channels=3, dim_head=64, dropout=0.,
                     emb_dropout=0., patches="einops", attention=Attention):
            super().__init__()
            num_patches = (image_size // patch_size) ** 2
            patch_dim = channels * patch_size * patch_size
            assert pool in {'cls', 'mean'}, 'pool type must be either cls (cls token) or mean'

            if patches == "conv":
                self.to_patch_embedding = ConvPatches(channels, dim, patch_size)
            else:
                self.to_patch_embedding = nn.Sequential(
                    Rearrange(patch_size, patch_size) if patches == "einops"
                    else UnfoldPatches(patch_size),
                    nn.LayerNorm(patch_dim),
                    nn.Linear(patch_dim, dim),
                    nn.LayerNorm(dim),
                )

            self.pos_embedding = nn.Parameter(torch.randn(1, num_patches + 1, dim))
            self.cls_token = nn.Parameter(torch.randn(1, 1, dim))
            self.dropout = nn.Dropout(emb_dropout)

            self.transformer = Transformer(dim, depth, heads, dim_head, mlp_dim, dropout,
                                           attention)

            self.pool = pool
            self.to_latent = nn.Identity()

            self.mlp_head = nn.Linear(dim, num_classes)

        def forward(self, img):
            x = self.to_patch_embedding(img)
            b, n, _ = x.shape

            # repeat(self.cls_token, '1 1 d -> b 1 d', b=b), torchvision's spelling
            cls_tokens = self.cls_token.expand(b, -1, -1)
            x = torch.cat((cls_tokens, x), dim=1)
            x += self.pos_embedding[:, :(n + 1)]
            x = self.dropout(x)

            x = self.transformer(x)

            x = x.mean(dim=1) if self.pool == 'mean' else x[:, 0]

            x = self.to_latent(x)
            return self.mlp_head(x)

    return {"Rearrange": Rearrange, "FeedForward": FeedForward, "Attention": Attention,
            "MHAttention": MHAttention, "Transformer": Transformer, "ViT": ViT}


def posemb_sincos_2d(torch, h, w, dim, temperature: int = 10000, dtype=None):
    dtype = torch.float32 if dtype is None else dtype  # simple_vit: dtype=torch.float32
    """simple_vit's fixed 2-d sin-cos position embedding, (h*w, dim)."""
    y, x = torch.meshgrid(torch.arange(h), torch.arange(w), indexing="ij")
    assert (dim % 4) == 0, "feature dimension must be multiple of 4 for sincos emb"
    omega = torch.arange(dim // 4) / (dim // 4 - 1)
    omega = 1.0 / (temperature ** omega)

    y = y.flatten()[:, None] * omega[None, :]
    x = x.flatten()[:, None] * omega[None, :]
    pe = torch.cat((x.sin(), x.cos(), y.sin(), y.cos()), dim=1)
    return pe.type(dtype)


def init_weights(nn, model) -> None:
    """timm/DeiT's ``_init_weights`` loop: trunc_normal_(std=.02) Linear weights, zero
    biases, LayerNorm weight 1 and bias 0."""
    for m in model.modules():
        if isinstance(m, nn.Linear):
            nn.init.trunc_normal_(m.weight, std=.02)
            if m.bias is not None:
                nn.init.constant_(m.bias, 0)
        elif isinstance(m, nn.LayerNorm):
            nn.init.constant_(m.bias, 0)
            nn.init.constant_(m.weight, 1.0)


def warmup_cosine(warmup: int, total: int):
    """The LambdaLR factor: linear warmup, then a half cosine down to 0."""
    def lr_lambda(step):
        if step < warmup:
            return (step + 1) / warmup
        progress = (step - warmup) / max(1, total - warmup)
        return 0.5 * (1.0 + math.cos(math.pi * progress))
    return lr_lambda


def digits_batches(n_batches: int, batch_size: int, seed: int = 0):
    """(train batches, held-out images, held-out labels) of scikit-learn's digits as NumPy:
    (B, 1, 8, 8) float64 images scaled to [0, 1] and int64 labels, drawn once for both."""
    from sklearn.datasets import load_digits
    digits = load_digits()
    images = (digits.images / 16.0).reshape(-1, 1, 8, 8)
    labels = digits.target.astype(np.int64)
    order = np.random.default_rng(seed).permutation(len(labels))
    batches = [(images[order[i * batch_size:(i + 1) * batch_size]],
                labels[order[i * batch_size:(i + 1) * batch_size]]) for i in range(n_batches)]
    held = order[-200:]
    return batches, images[held], labels[held]
