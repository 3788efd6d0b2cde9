"""CycleGAN, shrunk, as junyanz's ``pytorch-CycleGAN-and-pix2pix`` writes it
(``networks.py``, ``cycle_gan_model.py``, ``image_pool.py``): a ResNet generator
(``ReflectionPad2d``, ``InstanceNorm2d`` without affine or running stats, picked with
``functools.partial``, a strided downsampling conv, residual blocks, a
``ConvTranspose2d(output_padding=1)`` upsampling), a PatchGAN discriminator, ``init_weights``
(``init.normal_(m.weight.data, 0.0, 0.02)`` through ``net.apply``), the LSGAN ``GANLoss``
(``MSELoss`` against a registered label buffer ``expand_as`` the prediction), the cycle and
identity L1 losses, the 50-image history ``ImagePool`` (``random.uniform`` and
``random.randint``, ``torch.unsqueeze(image.data, 0)``), ``set_requires_grad(nets, False)``
around the generators' step, ``itertools.chain`` of both generators' parameters in one
Adam, and ``LambdaLR`` linear decay stepped per epoch. Written once for a library ``T``
(``autograd`` here, ``torch`` there), it runs step for step next to PyTorch's from the
same weights, images and Python ``random`` seed (float64): every loss, gradient, learning
rate and the final parameters agree to 1e-10.

Data: scikit-learn's 8x8 digits, domain A the zeros and domain B the ones, scaled to
[-1, 1]; ngf = ndf = 4, one residual block, one downsampling, pool of 3, 3 epochs of 2
batches of 2 (n_epochs 1, n_epochs_decay 2).

Lines written differently here, and why:
- PyTorch's initial weights are loaded into ours after ``init_weights`` ran (the two
  libraries' random generators differ), the test's glue; the biases an InstanceNorm
  cancels are compared to be ~0 rather than to 1e-10 (see the test).
"""

import functools
import itertools
import random

import numpy as np
import pytest

import autograd as ag
import nn
from test_pytorch_ports_pinn import assert_same
from test_pytorch_ports_wgan_gp import grads, state


def cyclegan_program(torch=None, start=None, domains=None) -> list:
    """CycleGAN's training loop, small; returns the record of its losses, grads, lrs."""
    lib = nn if torch is None else torch.nn
    optim = nn.optim if torch is None else torch.optim
    torch = ag if torch is None else torch
    init, lr_scheduler = lib.init, optim.lr_scheduler
    n_epochs, n_epochs_decay, epoch_count, batch_size = 1, 2, 1, 2
    lambda_A = lambda_B = 10.0
    lambda_identity = 0.5

    class ResnetBlock(lib.Module):
        def __init__(self, dim, norm_layer, use_bias):
            super().__init__()
            self.conv_block = lib.Sequential(
                lib.ReflectionPad2d(1), lib.Conv2d(dim, dim, kernel_size=3, bias=use_bias),
                norm_layer(dim), lib.ReLU(True),
                lib.ReflectionPad2d(1), lib.Conv2d(dim, dim, kernel_size=3, bias=use_bias),
                norm_layer(dim))

        def forward(self, x):
            return x + self.conv_block(x)  # add skip connections

    class ResnetGenerator(lib.Module):
        def __init__(self, input_nc, output_nc, ngf=4, norm_layer=lib.BatchNorm2d,
                     n_blocks=1, n_downsampling=1):
            super().__init__()
            if type(norm_layer) == functools.partial:  # noqa: E721 (the repository's line)
                use_bias = norm_layer.func == lib.InstanceNorm2d
            else:
                use_bias = norm_layer == lib.InstanceNorm2d
            model = [lib.ReflectionPad2d(3),
                     lib.Conv2d(input_nc, ngf, kernel_size=7, padding=0, bias=use_bias),
                     norm_layer(ngf), lib.ReLU(True)]
            for i in range(n_downsampling):
                mult = 2 ** i
                model += [lib.Conv2d(ngf * mult, ngf * mult * 2, kernel_size=3, stride=2,
                                     padding=1, bias=use_bias),
                          norm_layer(ngf * mult * 2), lib.ReLU(True)]
            mult = 2 ** n_downsampling
            for i in range(n_blocks):
                model += [ResnetBlock(ngf * mult, norm_layer=norm_layer, use_bias=use_bias)]
            for i in range(n_downsampling):
                mult = 2 ** (n_downsampling - i)
                model += [lib.ConvTranspose2d(ngf * mult, int(ngf * mult / 2), kernel_size=3,
                                              stride=2, padding=1, output_padding=1,
                                              bias=use_bias),
                          norm_layer(int(ngf * mult / 2)), lib.ReLU(True)]
            model += [lib.ReflectionPad2d(3), lib.Conv2d(ngf, output_nc, kernel_size=7,
                                                         padding=0), lib.Tanh()]
            self.model = lib.Sequential(*model)

        def forward(self, input):
            return self.model(input)

    class NLayerDiscriminator(lib.Module):
        def __init__(self, input_nc, ndf=4, n_layers=1, norm_layer=lib.BatchNorm2d):
            super().__init__()
            use_bias = norm_layer.func == lib.InstanceNorm2d
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
            self.loss = lib.MSELoss()  # gan_mode 'lsgan'

        def __call__(self, prediction, target_is_real):
            target_tensor = self.real_label if target_is_real else self.fake_label
            return self.loss(prediction, target_tensor.expand_as(prediction))

    class ImagePool:
        def __init__(self, pool_size):
            self.pool_size, self.num_imgs, self.images = pool_size, 0, []

        def query(self, images):
            return_images = []
            for image in images:
                image = torch.unsqueeze(image.data, 0)
                if self.num_imgs < self.pool_size:
                    self.num_imgs = self.num_imgs + 1
                    self.images.append(image)
                    return_images.append(image)
                elif random.uniform(0, 1) > 0.5:
                    random_id = random.randint(0, self.pool_size - 1)
                    tmp = self.images[random_id].clone()
                    self.images[random_id] = image
                    return_images.append(tmp)
                else:
                    return_images.append(image)
            return torch.cat(return_images, 0)

    def set_requires_grad(nets, requires_grad=False):
        for net in nets:
            for param in net.parameters():
                param.requires_grad = requires_grad

    norm_layer = functools.partial(lib.InstanceNorm2d, affine=False, track_running_stats=False)
    netG_A = init_weights(ResnetGenerator(1, 1, norm_layer=norm_layer))
    netG_B = init_weights(ResnetGenerator(1, 1, norm_layer=norm_layer))
    netD_A = init_weights(NLayerDiscriminator(1, norm_layer=norm_layer))
    netD_B = init_weights(NLayerDiscriminator(1, norm_layer=norm_layer))
    nets = [netG_A, netG_B, netD_A, netD_B]
    if start is not None:
        for net, weights in zip(nets, start):
            net.load_state_dict(weights)
    record = [[state(net) for net in nets]]
    fake_A_pool, fake_B_pool = ImagePool(3), ImagePool(3)
    criterionGAN, criterionCycle, criterionIdt = GANLoss(), lib.L1Loss(), lib.L1Loss()
    optimizer_G = optim.Adam(itertools.chain(netG_A.parameters(), netG_B.parameters()),
                             lr=0.0002, betas=(0.5, 0.999))
    optimizer_D = optim.Adam(itertools.chain(netD_A.parameters(), netD_B.parameters()),
                             lr=0.0002, betas=(0.5, 0.999))

    def lambda_rule(epoch):
        return 1.0 - max(0, epoch + epoch_count - n_epochs) / float(n_epochs_decay + 1)

    schedulers = [lr_scheduler.LambdaLR(o, lr_lambda=lambda_rule)
                  for o in (optimizer_G, optimizer_D)]

    def backward_D_basic(netD, real, fake):
        loss_D_real = criterionGAN(netD(real), True)
        loss_D_fake = criterionGAN(netD(fake.detach()), False)
        loss_D = (loss_D_real + loss_D_fake) * 0.5
        loss_D.backward()
        return loss_D

    random.seed(4)
    images_A, images_B = domains
    for epoch in range(epoch_count, n_epochs + n_epochs_decay + 1):
        for i in range(0, len(images_A), batch_size):
            real_A = torch.tensor(images_A[i:i + batch_size])
            real_B = torch.tensor(images_B[i:i + batch_size])
            fake_B = netG_A(real_A)
            rec_A = netG_B(fake_B)
            fake_A = netG_B(real_B)
            rec_B = netG_A(fake_A)
            # G_A and G_B
            set_requires_grad([netD_A, netD_B], False)
            optimizer_G.zero_grad()
            idt_A = netG_A(real_B)
            loss_idt_A = criterionIdt(idt_A, real_B) * lambda_B * lambda_identity
            idt_B = netG_B(real_A)
            loss_idt_B = criterionIdt(idt_B, real_A) * lambda_A * lambda_identity
            loss_G_A = criterionGAN(netD_A(fake_B), True)
            loss_G_B = criterionGAN(netD_B(fake_A), True)
            loss_cycle_A = criterionCycle(rec_A, real_A) * lambda_A
            loss_cycle_B = criterionCycle(rec_B, real_B) * lambda_B
            loss_G = (loss_G_A + loss_G_B + loss_cycle_A + loss_cycle_B + loss_idt_A
                      + loss_idt_B)
            loss_G.backward()
            optimizer_G.step()
            # D_A and D_B
            set_requires_grad([netD_A, netD_B], True)
            optimizer_D.zero_grad()
            loss_D_A = backward_D_basic(netD_A, real_B, fake_B_pool.query(fake_B))
            loss_D_B = backward_D_basic(netD_B, real_A, fake_A_pool.query(fake_A))
            optimizer_D.step()
            record += [[loss.item() for loss in (loss_G, loss_cycle_A, loss_idt_B,
                                                 loss_D_A, loss_D_B)],
                       [grads(net) for net in nets]]
        old_lr = optimizer_G.param_groups[0]['lr']
        for scheduler in schedulers:
            scheduler.step()
        record += [old_lr, optimizer_G.param_groups[0]['lr'],
                   optimizer_D.param_groups[0]['lr']]
    return record + [[state(net) for net in nets]]


def digit_domains() -> tuple[np.ndarray, np.ndarray]:
    datasets = pytest.importorskip("sklearn.datasets")
    digits = datasets.load_digits()
    pick = [(digits.images[digits.target == k][:4] / 8.0 - 1.0).reshape(4, 1, 8, 8)
            for k in (0, 1)]
    return pick[0], pick[1]


def test_cyclegan_trains_as_torch(torch):
    torch.manual_seed(0)
    domains = digit_domains()
    want = cyclegan_program(torch, domains=domains)
    got = cyclegan_program(start=want[0], domains=domains)
    # A conv's bias right before an InstanceNorm (use_bias is True there) is cancelled by
    # the norm: its gradient is rounding noise (~1e-17) in both runs, which Adam turns
    # into different values of ~1e-10 in the two final states; they stay ~0 in both.
    for got_net, want_net in zip(got[-1], want[-1]):
        for key in [k for k, v in want_net.items() if k.endswith("bias")
                    and np.abs(v).max() < 1e-8]:
            assert np.abs(got_net.pop(key)).max() < 1e-8
            del want_net[key]
    assert_same(got[1:], want[1:])
    assert want[-4:-1] == [pytest.approx(0.0002 / 3), 0.0, 0.0]  # the linear decay to 0
