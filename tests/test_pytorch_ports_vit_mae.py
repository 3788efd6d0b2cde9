"""facebookresearch/mae's ``MaskedAutoencoderViT`` (``models_mae.py``), shrunk to 8x8 digits
with 2x2 patches and timm's ``Block``, trained step for step next to PyTorch (float64, the
same starting weights and masking noise): ``get_2d_sincos_pos_embed`` in NumPy copied into
``nn.Parameter(..., requires_grad=False)``, ``initialize_weights`` (xavier on the
convolution's weight viewed 2-d, ``normal_(std=.02)`` tokens, ``self.apply``),
``random_masking`` (``argsort`` of noise, ``torch.gather`` with ``unsqueeze(-1).repeat``,
``mask[:, :len_keep] = 0``), the decoder's ``mask_token.repeat`` and ``gather`` unshuffle,
``patchify`` with ``einsum('nchpwq->nhwpqc')``, and the normalised-pixel loss averaged
over the masked patches. Each step's loss, gradients and the final parameters agree.

Written differently: ``.data`` is a NumPy array here (by design), so MAE's
``self.pos_embed.data.copy_(...)`` is ``copy_`` under ``torch.no_grad()``, and ``w =
self.patch_embed.proj.weight.data; xavier_uniform_(w.view([w.shape[0], -1]))`` takes the
Parameter's ``view`` under ``no_grad()`` (an ndarray's ``view`` means a dtype); the noise
``torch.rand(N, L)`` is drawn once in NumPy for both; the models start from PyTorch's
weights (``weight_sync``).
"""

import numpy as np

import autograd as ag
import nn
import nn.functional as nn_F
from test_pytorch_ports_nlp_tutorial import Printed, assert_records, weight_sync
from vit_programs import digits_batches
from vit_timm_program import timm_classes


def get_2d_sincos_pos_embed(embed_dim, grid_size, cls_token=False):
    grid_h = np.arange(grid_size, dtype=np.float32)
    grid_w = np.arange(grid_size, dtype=np.float32)
    grid = np.meshgrid(grid_w, grid_h)  # here w goes first
    grid = np.stack(grid, axis=0)
    grid = grid.reshape([2, 1, grid_size, grid_size])
    emb_h = get_1d_sincos_pos_embed_from_grid(embed_dim // 2, grid[0])
    emb_w = get_1d_sincos_pos_embed_from_grid(embed_dim // 2, grid[1])
    pos_embed = np.concatenate([emb_h, emb_w], axis=1)
    if cls_token:
        pos_embed = np.concatenate([np.zeros([1, embed_dim]), pos_embed], axis=0)
    return pos_embed


def get_1d_sincos_pos_embed_from_grid(embed_dim, pos):
    omega = np.arange(embed_dim // 2, dtype=np.float64)
    omega /= embed_dim / 2.
    omega = 1. / 10000**omega
    pos = pos.reshape(-1)
    out = np.einsum('m,d->md', pos, omega)
    return np.concatenate([np.sin(out), np.cos(out)], axis=1)


def mae_class(torch, nn, F):
    c = timm_classes(torch, nn, F)
    PatchEmbed, Block = c["PatchEmbed"], c["Block"]

    class MaskedAutoencoderViT(nn.Module):
        def __init__(self, img_size=8, patch_size=2, in_chans=1, embed_dim=16, depth=2,
                     num_heads=2, decoder_embed_dim=8, decoder_depth=1, decoder_num_heads=2,
                     mlp_ratio=2., norm_layer=nn.LayerNorm, norm_pix_loss=True):
            super().__init__()
            self.patch_embed = PatchEmbed(img_size, patch_size, in_chans, embed_dim)
            num_patches = self.patch_embed.num_patches
            self.cls_token = nn.Parameter(torch.zeros(1, 1, embed_dim))
            self.pos_embed = nn.Parameter(torch.zeros(1, num_patches + 1, embed_dim),
                                          requires_grad=False)  # fixed sin-cos embedding
            self.blocks = nn.ModuleList([
                Block(embed_dim, num_heads, mlp_ratio, qkv_bias=True, norm_layer=norm_layer)
                for i in range(depth)])
            self.norm = norm_layer(embed_dim)

            self.decoder_embed = nn.Linear(embed_dim, decoder_embed_dim, bias=True)
            self.mask_token = nn.Parameter(torch.zeros(1, 1, decoder_embed_dim))
            self.decoder_pos_embed = nn.Parameter(
                torch.zeros(1, num_patches + 1, decoder_embed_dim), requires_grad=False)
            self.decoder_blocks = nn.ModuleList([
                Block(decoder_embed_dim, decoder_num_heads, mlp_ratio, qkv_bias=True,
                      norm_layer=norm_layer)
                for i in range(decoder_depth)])
            self.decoder_norm = norm_layer(decoder_embed_dim)
            self.decoder_pred = nn.Linear(decoder_embed_dim, patch_size**2 * in_chans,
                                          bias=True)
            self.norm_pix_loss = norm_pix_loss
            self.patch_size = patch_size
            self.initialize_weights()

        def initialize_weights(self):
            grid = int(self.patch_embed.num_patches**.5)
            pos_embed = get_2d_sincos_pos_embed(self.pos_embed.shape[-1], grid, cls_token=True)
            decoder_pos_embed = get_2d_sincos_pos_embed(self.decoder_pos_embed.shape[-1], grid,
                                                        cls_token=True)
            with torch.no_grad():  # MAE: self.pos_embed.data.copy_(...)
                self.pos_embed.copy_(torch.from_numpy(pos_embed).float().unsqueeze(0))
                self.decoder_pos_embed.copy_(
                    torch.from_numpy(decoder_pos_embed).float().unsqueeze(0))
                # MAE: w = self.patch_embed.proj.weight.data (an ndarray here)
                w = self.patch_embed.proj.weight
                nn.init.xavier_uniform_(w.view([w.shape[0], -1]))  # MAE: torch.nn.init
            nn.init.normal_(self.cls_token, std=.02)
            nn.init.normal_(self.mask_token, std=.02)
            self.apply(self._init_weights)

        def _init_weights(self, m):
            if isinstance(m, nn.Linear):
                nn.init.xavier_uniform_(m.weight)
                if isinstance(m, nn.Linear) and m.bias is not None:
                    nn.init.constant_(m.bias, 0)
            elif isinstance(m, nn.LayerNorm):
                nn.init.constant_(m.bias, 0)
                nn.init.constant_(m.weight, 1.0)

        def patchify(self, imgs):
            p = self.patch_size
            h = w = imgs.shape[2] // p
            x = imgs.reshape(shape=(imgs.shape[0], 1, h, p, w, p))
            x = torch.einsum('nchpwq->nhwpqc', x)
            x = x.reshape(shape=(imgs.shape[0], h * w, p**2 * 1))
            return x

        def random_masking(self, x, mask_ratio, noise):
            N, L, D = x.shape
            len_keep = int(L * (1 - mask_ratio))
            ids_shuffle = torch.argsort(noise, dim=1)  # ascend: small is keep
            ids_restore = torch.argsort(ids_shuffle, dim=1)
            ids_keep = ids_shuffle[:, :len_keep]
            x_masked = torch.gather(x, dim=1, index=ids_keep.unsqueeze(-1).repeat(1, 1, D))
            mask = torch.ones([N, L], device=x.device)
            mask[:, :len_keep] = 0
            mask = torch.gather(mask, dim=1, index=ids_restore)
            return x_masked, mask, ids_restore

        def forward_encoder(self, x, mask_ratio, noise):
            x = self.patch_embed(x)
            x = x + self.pos_embed[:, 1:, :]
            x, mask, ids_restore = self.random_masking(x, mask_ratio, noise)
            cls_token = self.cls_token + self.pos_embed[:, :1, :]
            cls_tokens = cls_token.expand(x.shape[0], -1, -1)
            x = torch.cat((cls_tokens, x), dim=1)
            for blk in self.blocks:
                x = blk(x)
            x = self.norm(x)
            return x, mask, ids_restore

        def forward_decoder(self, x, ids_restore):
            x = self.decoder_embed(x)
            mask_tokens = self.mask_token.repeat(x.shape[0],
                                                 ids_restore.shape[1] + 1 - x.shape[1], 1)
            x_ = torch.cat([x[:, 1:, :], mask_tokens], dim=1)  # no cls token
            x_ = torch.gather(x_, dim=1, index=ids_restore.unsqueeze(-1).repeat(1, 1,
                                                                                 x.shape[2]))
            x = torch.cat([x[:, :1, :], x_], dim=1)  # append cls token
            x = x + self.decoder_pos_embed
            for blk in self.decoder_blocks:
                x = blk(x)
            x = self.decoder_norm(x)
            x = self.decoder_pred(x)
            x = x[:, 1:, :]
            return x

        def forward_loss(self, imgs, pred, mask):
            target = self.patchify(imgs)
            if self.norm_pix_loss:
                mean = target.mean(dim=-1, keepdim=True)
                var = target.var(dim=-1, keepdim=True)
                target = (target - mean) / (var + 1.e-6)**.5
            loss = (pred - target) ** 2
            loss = loss.mean(dim=-1)  # [N, L], mean loss per patch
            loss = (loss * mask).sum() / mask.sum()  # mean loss on removed patches
            return loss

        def forward(self, imgs, noise, mask_ratio=0.75):
            latent, mask, ids_restore = self.forward_encoder(imgs, mask_ratio, noise)
            pred = self.forward_decoder(latent, ids_restore)
            loss = self.forward_loss(imgs, pred, mask)
            return loss, pred, mask

    return MaskedAutoencoderViT


def pretrain(torch, nn, F, optim, batches, noises, record, sync):
    model = mae_class(torch, nn, F)()
    record.append(model.pos_embed)
    sync(model)
    optimizer = optim.AdamW([p for p in model.parameters() if p.requires_grad], lr=1.5e-3,
                            betas=(0.9, 0.95), weight_decay=0.05)
    model.train(True)
    for (samples, _), noise in zip(batches, noises):
        loss, pred, mask = model(torch.tensor(samples), torch.tensor(noise), mask_ratio=0.75)
        optimizer.zero_grad()
        loss.backward()
        record += [p.grad for p in model.parameters() if p.requires_grad]
        record += [loss.item(), mask]
        optimizer.step()
    record += list(model.parameters())


def test_mae_pretraining_matches_pytorch(torch):
    batches, *_ = digits_batches(4, 16)
    noises = [np.random.default_rng(i).random((16, 16)) for i in range(4)]
    ours, theirs = weight_sync()
    want, got = Printed(), Printed()
    pretrain(torch, torch.nn, torch.nn.functional, torch.optim, batches, noises, want, theirs)
    pretrain(ag, nn, nn_F, nn.optim, batches, noises, got, ours)
    # the key bias's gradient is 0 in exact arithmetic (softmax ignores a constant added
    # to a query's every score): both libraries give round-off of ~1e-12 there
    assert_records(got, want, atol=1e-10)


def test_xavier_through_a_view_writes_the_convolution(torch):
    """MAE's xavier_uniform_ of the patch convolution's weight viewed (out, in*k*k): the
    bound is sqrt(6 / (16 + 4)), wider than the 4-d weight's own sqrt(6 / (4 + 64))."""
    ag.manual_seed(0)
    w = mae_class(ag, nn, nn_F)().patch_embed.proj.weight.detach().numpy()
    assert w.shape == (16, 1, 2, 2)
    assert np.sqrt(6 / 68) < np.abs(w).max() <= np.sqrt(6 / 20)
