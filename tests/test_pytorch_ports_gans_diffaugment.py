"""DiffAugment (Zhao et al., "Differentiable Augmentation for Data-Efficient GAN
Training"), ``DiffAugment_pytorch.py`` as written: colour (brightness, saturation,
contrast), translation (``torch.meshgrid(..., indexing='ij')``, ``torch.clamp``, an
8-entry ``F.pad`` and a gather by three index tensors after ``permute(...).contiguous()``)
and cutout (a mask written through three index tensors), applied to real and fake images
before a small discriminator, the generator's gradient flowing back through them. Written
once for a library ``T`` (``autograd`` here, ``torch`` there), it runs step for step next to
PyTorch's from the same weights, digits and draws (float64): losses and gradients agree to
1e-10.

Lines written differently here, and why:
- ``torch.rand`` / ``torch.randint`` are the program's ``rand`` / ``randint``, drawing from
  a ``np.random.RandomState`` seeded alike (the two libraries' generators differ), with
  PyTorch's signatures (``dtype=``, ``device=``, ``size=``);
- PyTorch's initial weights are loaded into ours (``load_state_dict``), the test's glue.
"""

import numpy as np

import autograd as ag
import nn
from test_pytorch_ports_pinn import assert_same
from test_pytorch_ports_wgan_gp import digit_images, grads, state


def diffaugment_program(torch=None, start=None, images=None, steps: int = 3) -> list:
    """A GAN step with DiffAugment on both image streams; returns the record."""
    lib = nn if torch is None else torch.nn
    optim = nn.optim if torch is None else torch.optim
    T = torch = ag if torch is None else torch
    F = lib.functional
    rs = np.random.RandomState(0)

    def rand(*size, dtype=None, device=None):
        return torch.tensor(rs.rand(*size))

    def randint(low, high, size, device=None):
        return torch.tensor(rs.randint(low, high, size))

    def rand_brightness(x):
        return x + (rand(x.size(0), 1, 1, 1, dtype=x.dtype, device=x.device) - 0.5)

    def rand_saturation(x):
        x_mean = x.mean(dim=1, keepdim=True)
        return (x - x_mean) * (rand(x.size(0), 1, 1, 1, dtype=x.dtype, device=x.device)
                               * 2) + x_mean

    def rand_contrast(x):
        x_mean = x.mean(dim=[1, 2, 3], keepdim=True)
        return (x - x_mean) * (rand(x.size(0), 1, 1, 1, dtype=x.dtype, device=x.device)
                               + 0.5) + x_mean

    def rand_translation(x, ratio=0.125):
        shift_x, shift_y = int(x.size(2) * ratio + 0.5), int(x.size(3) * ratio + 0.5)
        translation_x = randint(-shift_x, shift_x + 1, size=[x.size(0), 1, 1], device=x.device)
        translation_y = randint(-shift_y, shift_y + 1, size=[x.size(0), 1, 1], device=x.device)
        grid_batch, grid_x, grid_y = T.meshgrid(
            T.arange(x.size(0), dtype=T.long, device=x.device),
            T.arange(x.size(2), dtype=T.long, device=x.device),
            T.arange(x.size(3), dtype=T.long, device=x.device), indexing='ij')
        grid_x = T.clamp(grid_x + translation_x + 1, 0, x.size(2) + 1)
        grid_y = T.clamp(grid_y + translation_y + 1, 0, x.size(3) + 1)
        x_pad = F.pad(x, [1, 1, 1, 1, 0, 0, 0, 0])
        return x_pad.permute(0, 2, 3, 1).contiguous()[grid_batch, grid_x, grid_y] \
            .permute(0, 3, 1, 2)

    def rand_cutout(x, ratio=0.5):
        cutout_size = int(x.size(2) * ratio + 0.5), int(x.size(3) * ratio + 0.5)
        offset_x = randint(0, x.size(2) + (1 - cutout_size[0] % 2), size=[x.size(0), 1, 1],
                           device=x.device)
        offset_y = randint(0, x.size(3) + (1 - cutout_size[1] % 2), size=[x.size(0), 1, 1],
                           device=x.device)
        grid_batch, grid_x, grid_y = T.meshgrid(
            T.arange(x.size(0), dtype=T.long, device=x.device),
            T.arange(cutout_size[0], dtype=T.long, device=x.device),
            T.arange(cutout_size[1], dtype=T.long, device=x.device), indexing='ij')
        grid_x = T.clamp(grid_x + offset_x - cutout_size[0] // 2, min=0, max=x.size(2) - 1)
        grid_y = T.clamp(grid_y + offset_y - cutout_size[1] // 2, min=0, max=x.size(3) - 1)
        mask = T.ones(x.size(0), x.size(2), x.size(3), dtype=x.dtype, device=x.device)
        mask[grid_batch, grid_x, grid_y] = 0
        return x * mask.unsqueeze(1)
    AUGMENT_FNS = {'color': [rand_brightness, rand_saturation, rand_contrast],
                   'translation': [rand_translation], 'cutout': [rand_cutout]}

    def DiffAugment(x, policy='', channels_first=True):
        if policy:
            if not channels_first:
                x = x.permute(0, 3, 1, 2)
            for p in policy.split(','):
                for f in AUGMENT_FNS[p]:
                    x = f(x)
            if not channels_first:
                x = x.permute(0, 2, 3, 1)
            x = x.contiguous()
        return x

    policy = 'color,translation,cutout'
    netG = lib.Sequential(lib.Linear(4, 32), lib.ReLU(), lib.Linear(32, 64), lib.Tanh(),
                          lib.Unflatten(1, (1, 8, 8)))
    netD = lib.Sequential(lib.Conv2d(1, 4, 3, 2, 1), lib.LeakyReLU(0.2), lib.Flatten(),
                          lib.Linear(64, 1))
    if start is not None:
        netG.load_state_dict(start[0])
        netD.load_state_dict(start[1])
    record = [(state(netG), state(netD))]
    optG = optim.Adam(netG.parameters(), 1e-3, betas=(0.5, 0.999))
    optD = optim.Adam(netD.parameters(), 1e-3, betas=(0.5, 0.999))
    for i in range(steps):
        reals = torch.tensor(images[i * 4:(i + 1) * 4])
        z = torch.tensor(rs.standard_normal((4, 4)))
        fakes = netG(z)
        optD.zero_grad()
        loss_d = F.softplus(-netD(DiffAugment(reals, policy=policy))).mean() \
            + F.softplus(netD(DiffAugment(fakes.detach(), policy=policy))).mean()
        loss_d.backward()
        optD.step()
        optG.zero_grad()
        loss_g = F.softplus(-netD(DiffAugment(fakes, policy=policy))).mean()
        loss_g.backward()
        optG.step()
        record += [loss_d.item(), loss_g.item(), grads(netD), grads(netG)]
    return record + [state(netG), state(netD)]


def test_diffaugment_gan_trains_as_torch(torch):
    torch.manual_seed(0)
    images = digit_images(12)
    want = diffaugment_program(torch, images=images)
    got = diffaugment_program(start=want[0], images=images)
    assert_same(got[1:], want[1:])
