"""pix2pix, shrunk, as junyanz's ``pytorch-CycleGAN-and-pix2pix`` writes it
(``networks.py``, ``pix2pix_model.py``): the U-Net generator built inside out from nested
``UnetSkipConnectionBlock``s (each one ``torch.cat([x, self.model(x)], 1)``, its model
starting with ``LeakyReLU(0.2, True)``, which writes into ``x`` before the concatenation,
as in PyTorch; the parent's ``ReLU(True)`` right after makes it harmless here, but see
``tests/nn/test_inplace_activation_modules.py``), ``BatchNorm2d`` layers (conv
biases off, ``use_bias`` from the norm layer), the 70x70-style ``NLayerDiscriminator``
(PatchGAN) on the concatenated (input, output) pair, ``init_weights`` 'normal' through
``net.apply``, the 'vanilla' ``GANLoss`` (``BCEWithLogitsLoss`` against a registered label
buffer ``expand_as`` the prediction), the L1 term weighted by ``lambda_L1 = 100``,
``set_requires_grad(self.netD, False)`` (one net, not a list) around the generator's step,
and Adam with betas (0.5, 0.999). Written once for a library ``T`` (``autograd`` here,
``torch`` there), it runs step for step next to PyTorch's from the same weights and images
(float64): every loss, gradient and the final parameters agree to 1e-10.

Data: scikit-learn's 8x8 digits blown up to 32x32 (the U-Net needs 5 halvings), domain A
the digit, domain B its mirror image, in [-1, 1]; ngf = ndf = 2, 4 steps of batch 1 (the
paper's batch size).

Lines written differently here, and why:
- ``use_dropout=False`` (the repository's default for pix2pix is True): the two libraries'
  dropout masks come from different random generators;
- PyTorch's initial weights are loaded into ours after ``init_weights`` ran, the test's
  glue.
"""

import functools

import numpy as np
import pytest

import autograd as ag
import nn
from test_pytorch_ports_pinn import assert_same
from test_pytorch_ports_wgan_gp import grads, state


def pix2pix_program(torch=None, start=None, pairs=None) -> list:
    """pix2pix's training loop, small; returns the record of its losses and grads."""
    lib = nn if torch is None else torch.nn
    optim = nn.optim if torch is None else torch.optim
    torch = ag if torch is None else torch
    init = lib.init
    lambda_L1 = 100.0

    class UnetGenerator(lib.Module):
        def __init__(self, input_nc, output_nc, num_downs, ngf=64, norm_layer=lib.BatchNorm2d,
                     use_dropout=False):
            super().__init__()
            unet_block = UnetSkipConnectionBlock(ngf * 8, ngf * 8, input_nc=None,
                                                 submodule=None, norm_layer=norm_layer,
                                                 innermost=True)
            for i in range(num_downs - 5):
                unet_block = UnetSkipConnectionBlock(ngf * 8, ngf * 8, input_nc=None,
                                                     submodule=unet_block,
                                                     norm_layer=norm_layer,
                                                     use_dropout=use_dropout)
            unet_block = UnetSkipConnectionBlock(ngf * 4, ngf * 8, input_nc=None,
                                                 submodule=unet_block, norm_layer=norm_layer)
            unet_block = UnetSkipConnectionBlock(ngf * 2, ngf * 4, input_nc=None,
                                                 submodule=unet_block, norm_layer=norm_layer)
            unet_block = UnetSkipConnectionBlock(ngf, ngf * 2, input_nc=None,
                                                 submodule=unet_block, norm_layer=norm_layer)
            self.model = UnetSkipConnectionBlock(output_nc, ngf, input_nc=input_nc,
                                                 submodule=unet_block, outermost=True,
                                                 norm_layer=norm_layer)

        def forward(self, input):
            return self.model(input)

    class UnetSkipConnectionBlock(lib.Module):
        def __init__(self, outer_nc, inner_nc, input_nc=None, submodule=None,
                     outermost=False, innermost=False, norm_layer=lib.BatchNorm2d,
                     use_dropout=False):
            super().__init__()
            self.outermost = outermost
            if type(norm_layer) == functools.partial:  # noqa: E721 (the repository's line)
                use_bias = norm_layer.func == lib.InstanceNorm2d
            else:
                use_bias = norm_layer == lib.InstanceNorm2d
            if input_nc is None:
                input_nc = outer_nc
            downconv = lib.Conv2d(input_nc, inner_nc, kernel_size=4, stride=2, padding=1,
                                  bias=use_bias)
            downrelu = lib.LeakyReLU(0.2, True)
            downnorm = norm_layer(inner_nc)
            uprelu = lib.ReLU(True)
            upnorm = norm_layer(outer_nc)
            if outermost:
                upconv = lib.ConvTranspose2d(inner_nc * 2, outer_nc, kernel_size=4, stride=2,
                                             padding=1)
                down = [downconv]
                up = [uprelu, upconv, lib.Tanh()]
                model = down + [submodule] + up
            elif innermost:
                upconv = lib.ConvTranspose2d(inner_nc, outer_nc, kernel_size=4, stride=2,
                                             padding=1, bias=use_bias)
                down = [downrelu, downconv]
                up = [uprelu, upconv, upnorm]
                model = down + up
            else:
                upconv = lib.ConvTranspose2d(inner_nc * 2, outer_nc, kernel_size=4, stride=2,
                                             padding=1, bias=use_bias)
                down = [downrelu, downconv, downnorm]
                up = [uprelu, upconv, upnorm]
                if use_dropout:
                    model = down + [submodule] + up + [lib.Dropout(0.5)]
                else:
                    model = down + [submodule] + up
            self.model = lib.Sequential(*model)

        def forward(self, x):
            if self.outermost:
                return self.model(x)
            else:  # add skip connections
                return torch.cat([x, self.model(x)], 1)

    class NLayerDiscriminator(lib.Module):
        def __init__(self, input_nc, ndf=64, n_layers=3, norm_layer=lib.BatchNorm2d):
            super().__init__()
            if type(norm_layer) == functools.partial:  # noqa: E721 (the repository's line)
                use_bias = norm_layer.func == lib.InstanceNorm2d
            else:
                use_bias = norm_layer == lib.InstanceNorm2d
            kw, padw = 4, 1
            sequence = [lib.Conv2d(input_nc, ndf, kernel_size=kw, stride=2, padding=padw),
                        lib.LeakyReLU(0.2, True)]
            nf_mult = 1
            for n in range(1, n_layers):
                nf_mult_prev, nf_mult = nf_mult, min(2 ** n, 8)
                sequence += [lib.Conv2d(ndf * nf_mult_prev, ndf * nf_mult, kernel_size=kw,
                                        stride=2, padding=padw, bias=use_bias),
                             norm_layer(ndf * nf_mult), lib.LeakyReLU(0.2, True)]
            nf_mult_prev, nf_mult = nf_mult, min(2 ** n_layers, 8)
            sequence += [lib.Conv2d(ndf * nf_mult_prev, ndf * nf_mult, kernel_size=kw,
                                    stride=1, padding=padw, bias=use_bias),
                         norm_layer(ndf * nf_mult), lib.LeakyReLU(0.2, True)]
            sequence += [lib.Conv2d(ndf * nf_mult, 1, kernel_size=kw, stride=1, padding=padw)]
            self.model = lib.Sequential(*sequence)

        def forward(self, input):
            return self.model(input)

    def init_weights(net, init_gain=0.02):
        def init_func(m):
            classname = m.__class__.__name__
            if hasattr(m, 'weight') and (classname.find('Conv') != -1
                                         or classname.find('Linear') != -1):
                init.normal_(m.weight.data, 0.0, init_gain)
                if hasattr(m, 'bias') and m.bias is not None:
                    init.constant_(m.bias.data, 0.0)
            elif classname.find('BatchNorm2d') != -1:
                init.normal_(m.weight.data, 1.0, init_gain)
                init.constant_(m.bias.data, 0.0)
        net.apply(init_func)
        return net

    class GANLoss(lib.Module):
        def __init__(self, target_real_label=1.0, target_fake_label=0.0):
            super().__init__()
            self.register_buffer('real_label', torch.tensor(target_real_label))
            self.register_buffer('fake_label', torch.tensor(target_fake_label))
            self.loss = lib.BCEWithLogitsLoss()  # gan_mode 'vanilla'

        def get_target_tensor(self, prediction, target_is_real):
            target_tensor = self.real_label if target_is_real else self.fake_label
            return target_tensor.expand_as(prediction)

        def __call__(self, prediction, target_is_real):
            return self.loss(prediction, self.get_target_tensor(prediction, target_is_real))

    def set_requires_grad(nets, requires_grad=False):
        if not isinstance(nets, list):
            nets = [nets]
        for net in nets:
            if net is not None:
                for param in net.parameters():
                    param.requires_grad = requires_grad

    norm_layer = functools.partial(lib.BatchNorm2d, affine=True, track_running_stats=True)
    netG = init_weights(UnetGenerator(1, 1, 5, ngf=2, norm_layer=norm_layer))
    netD = init_weights(NLayerDiscriminator(2, ndf=2, n_layers=3, norm_layer=norm_layer))
    if start is not None:
        netG.load_state_dict(start[0])
        netD.load_state_dict(start[1])
    record = [[state(netG), state(netD)]]
    criterionGAN, criterionL1 = GANLoss(), lib.L1Loss()
    optimizer_G = optim.Adam(netG.parameters(), lr=0.0002, betas=(0.5, 0.999))
    optimizer_D = optim.Adam(netD.parameters(), lr=0.0002, betas=(0.5, 0.999))
    images_A, images_B = pairs
    for i in range(len(images_A)):
        real_A = torch.tensor(images_A[i:i + 1])
        real_B = torch.tensor(images_B[i:i + 1])
        fake_B = netG(real_A)  # forward()
        # update D
        set_requires_grad(netD, True)
        optimizer_D.zero_grad()
        fake_AB = torch.cat((real_A, fake_B), 1)
        pred_fake = netD(fake_AB.detach())
        loss_D_fake = criterionGAN(pred_fake, False)
        real_AB = torch.cat((real_A, real_B), 1)
        pred_real = netD(real_AB)
        loss_D_real = criterionGAN(pred_real, True)
        loss_D = (loss_D_fake + loss_D_real) * 0.5
        loss_D.backward()
        optimizer_D.step()
        # update G
        set_requires_grad(netD, False)
        optimizer_G.zero_grad()
        fake_AB = torch.cat((real_A, fake_B), 1)
        pred_fake = netD(fake_AB)
        loss_G_GAN = criterionGAN(pred_fake, True)
        loss_G_L1 = criterionL1(fake_B, real_B) * lambda_L1
        loss_G = loss_G_GAN + loss_G_L1
        loss_G.backward()
        optimizer_G.step()
        record += [[loss.item() for loss in (loss_D_fake, loss_D_real, loss_G_GAN, loss_G_L1)],
                   grads(netG), grads(netD), fake_B.detach().numpy().copy()]
    return record + [[state(netG), state(netD)]]


def digit_pairs(n: int = 4) -> tuple[np.ndarray, np.ndarray]:
    datasets = pytest.importorskip("sklearn.datasets")
    images = datasets.load_digits().images[:n] / 8.0 - 1.0
    big = np.kron(images, np.ones((4, 4))).reshape(n, 1, 32, 32)
    return big, big[..., ::-1].copy()


def test_pix2pix_trains_as_torch(torch):
    torch.manual_seed(0)
    pairs = digit_pairs()
    want = pix2pix_program(torch, pairs=pairs)
    got = pix2pix_program(start=want[0], pairs=pairs)
    assert_same(got[1:], want[1:])
