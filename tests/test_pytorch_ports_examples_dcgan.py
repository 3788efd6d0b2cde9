"""pytorch/examples' ``dcgan/main.py``, ported as written for ``--dataset mnist`` (one
channel), shrunk to 16x16 images with one layer fewer on each side, keeping the pattern:
``weights_init`` applied through ``classname.find('Conv')`` / ``find('BatchNorm')``, the
``Generator`` (``ConvTranspose2d``, ``BatchNorm2d``, ``ReLU(True)``, ``Tanh``) and the
``Discriminator`` (``Conv2d``, ``LeakyReLU(0.2, inplace=True)``, ``Sigmoid``,
``output.view(-1, 1).squeeze(1)``) with their ``input.is_cuda and self.ngpu > 1`` test,
``BCELoss``, the two ``Adam(..., betas=(opt.beta1, 0.999))``, ``torch.full((batch_size,),
real_label, dtype=real_cpu.dtype, device=device)``, ``label.fill_(fake_label)``, D on
``fake.detach()``, G through D, the printed line with ``errD.item()`` and
``output.mean().item()``, the samples of ``netG(fixed_noise)`` and the checkpoints;
``print(netG)`` prints what PyTorch 2.13 prints (its BatchNorm's ``bias=`` was missing here:
fixed).
It runs step for step next to PyTorch (float64) on scikit-learn's digits from the same
weights, noise and batches: the printed lines, every step's gradients and parameters of
both networks (BatchNorm's running statistics too), the images and checkpoints agree.

Lines written differently here:
- ``m.weight.data.normal_(0.0, 0.02)``, ``m.weight.data.normal_(1.0, 0.02)`` and
  ``m.bias.data.fill_(0)`` (the older script's): ``.data`` is the NumPy array here, so they
  are ``nn.init.normal_(m.weight, 0.0, 0.02)`` and ``nn.init.zeros_(m.bias)``, as the
  script writes them today;
- ``device = torch.device("cpu")`` is ``device = "cpu"`` (see the MNIST port), and
  ``cudnn.benchmark = True`` is dropped (``autograd.backends``' error says so);
- ``torch.save(netG.state_dict(), path)`` is ``nn.save(path, netG=netG.state_dict())``;
- ``dset.MNIST(root=opt.dataroot, download=True, transform=...)`` (``Resize``,
  ``ToTensor``, ``Normalize((0.5,), (0.5,))``) is ``Digits`` on the 8x8 digits repeated
  to 16x16, and torchvision's ``vutils.save_image`` keeps the tensor it is given (glue);
- the test's glue: PyTorch's initial weights (after its ``weights_init``) loaded into
  both, our ``randn`` draws and shuffled order replayed on PyTorch's side.
"""

import argparse
import contextlib
import io
import os
import random

import numpy as np
import pytest

import autograd as ag
import nn
from pytorch_examples_helpers import (Digits, Draws, assert_steps, digits, libraries,
                                      record_steps)


def dcgan_main(torch, nn, optim, data, argv, glue):
    """The script (its module-level lines in a function) for the library ``torch``."""
    vutils_save_image = glue["save_image"]
    parser = argparse.ArgumentParser()
    parser.add_argument('--dataset', required=True,
                        help='cifar10 | lsun | mnist |imagenet | folder | lfw | fake')
    parser.add_argument('--dataroot', required=False, help='path to dataset')
    parser.add_argument('--workers', type=int, help='number of data loading workers',
                        default=2)
    parser.add_argument('--batchSize', type=int, default=64, help='input batch size')
    parser.add_argument('--imageSize', type=int, default=64,
                        help='the height / width of the input image to network')
    parser.add_argument('--nz', type=int, default=100, help='size of the latent z vector')
    parser.add_argument('--ngf', type=int, default=64)
    parser.add_argument('--ndf', type=int, default=64)
    parser.add_argument('--niter', type=int, default=25, help='number of epochs to train for')
    parser.add_argument('--lr', type=float, default=0.0002, help='learning rate, default=0.0002')
    parser.add_argument('--beta1', type=float, default=0.5, help='beta1 for adam. default=0.5')
    parser.add_argument('--dry-run', action='store_true',
                        help='check a single training cycle works')
    parser.add_argument('--ngpu', type=int, default=1, help='number of GPUs to use')
    parser.add_argument('--netG', default='', help="path to netG (to continue training)")
    parser.add_argument('--netD', default='', help="path to netD (to continue training)")
    parser.add_argument('--outf', default='.', help='folder to output images and model checkpoints')
    parser.add_argument('--manualSeed', type=int, help='manual seed')
    parser.add_argument('--classes', default='bedroom',
                        help='comma separated list of classes for the lsun data set')
    parser.add_argument('--accel', action='store_true', default=False, help='enables accelerator')

    opt = parser.parse_args(argv)
    print(opt)

    try:
        os.makedirs(opt.outf)
    except OSError:
        pass

    if opt.manualSeed is None:
        opt.manualSeed = random.randint(1, 10000)
    print("Random Seed: ", opt.manualSeed)
    random.seed(opt.manualSeed)
    torch.manual_seed(opt.manualSeed)

    if opt.accel and torch.accelerator.is_available():
        device = torch.accelerator.current_accelerator()
    else:
        device = "cpu"  # torch.device("cpu")

    print(f"Using device: {device}")

    if opt.dataroot is None and str(opt.dataset).lower() != 'fake':
        raise ValueError("`dataroot` parameter is required for dataset \"%s\"" % opt.dataset)

    if opt.dataset == 'mnist':
        dataset = glue["dataset"]  # dset.MNIST(root=opt.dataroot, download=True, ...)
        nc = 1

    assert dataset
    dataloader = data.DataLoader(dataset, batch_size=opt.batchSize,
                                 shuffle=True, num_workers=int(opt.workers))

    ngpu = int(opt.ngpu)
    nz = int(opt.nz)
    ngf = int(opt.ngf)
    ndf = int(opt.ndf)

    # custom weights initialization called on netG and netD
    def weights_init(m):
        classname = m.__class__.__name__
        if classname.find('Conv') != -1:
            nn.init.normal_(m.weight, 0.0, 0.02)  # m.weight.data.normal_(0.0, 0.02)
        elif classname.find('BatchNorm') != -1:
            nn.init.normal_(m.weight, 1.0, 0.02)  # m.weight.data.normal_(1.0, 0.02)
            nn.init.zeros_(m.bias)  # m.bias.data.fill_(0)

    class Generator(nn.Module):
        def __init__(self, ngpu):
            super(Generator, self).__init__()
            self.ngpu = ngpu
            self.main = nn.Sequential(
                # input is Z, going into a convolution
                nn.ConvTranspose2d(     nz, ngf * 4, 4, 1, 0, bias=False),  # noqa: E201
                nn.BatchNorm2d(ngf * 4),
                nn.ReLU(True),
                # state size. (ngf*4) x 4 x 4
                nn.ConvTranspose2d(ngf * 4, ngf * 2, 4, 2, 1, bias=False),
                nn.BatchNorm2d(ngf * 2),
                nn.ReLU(True),
                # state size. (ngf*2) x 8 x 8
                nn.ConvTranspose2d(ngf * 2,      nc, 4, 2, 1, bias=False),  # noqa: E241
                nn.Tanh()
                # state size. (nc) x 16 x 16
            )

        def forward(self, input):
            if input.is_cuda and self.ngpu > 1:
                output = nn.parallel.data_parallel(self.main, input, range(self.ngpu))
            else:
                output = self.main(input)
            return output

    netG = Generator(ngpu).to(device)
    netG.apply(weights_init)
    glue["applied"](netG)  # the test's glue: check it, then load the same start
    if opt.netG != '':
        netG.load_state_dict(torch.load(opt.netG))
    print(netG)

    class Discriminator(nn.Module):
        def __init__(self, ngpu):
            super(Discriminator, self).__init__()
            self.ngpu = ngpu
            self.main = nn.Sequential(
                # input is (nc) x 16 x 16
                nn.Conv2d(nc, ndf, 4, 2, 1, bias=False),
                nn.LeakyReLU(0.2, inplace=True),
                # state size. (ndf) x 8 x 8
                nn.Conv2d(ndf, ndf * 2, 4, 2, 1, bias=False),
                nn.BatchNorm2d(ndf * 2),
                nn.LeakyReLU(0.2, inplace=True),
                # state size. (ndf*2) x 4 x 4
                nn.Conv2d(ndf * 2, 1, 4, 1, 0, bias=False),
                nn.Sigmoid()
            )

        def forward(self, input):
            if input.is_cuda and self.ngpu > 1:
                output = nn.parallel.data_parallel(self.main, input, range(self.ngpu))
            else:
                output = self.main(input)

            return output.view(-1, 1).squeeze(1)

    netD = Discriminator(ngpu).to(device)
    netD.apply(weights_init)
    glue["applied"](netD)  # the test's glue
    if opt.netD != '':
        netD.load_state_dict(torch.load(opt.netD))
    print(netD)

    criterion = nn.BCELoss()

    fixed_noise = torch.randn(opt.batchSize, nz, 1, 1, device=device)
    real_label = 1
    fake_label = 0

    # setup optimizer
    optimizerD = optim.Adam(netD.parameters(), lr=opt.lr, betas=(opt.beta1, 0.999))
    optimizerG = optim.Adam(netG.parameters(), lr=opt.lr, betas=(opt.beta1, 0.999))
    record_steps(optimizerD, glue["steps"])  # the test's glue
    record_steps(optimizerG, glue["steps"])

    if opt.dry_run:
        opt.niter = 1

    for epoch in range(opt.niter):
        for i, data in enumerate(dataloader, 0):
            ############################
            # (1) Update D network: maximize log(D(x)) + log(1 - D(G(z)))
            ###########################
            # train with real
            netD.zero_grad()
            real_cpu = data[0].to(device)
            batch_size = real_cpu.size(0)
            label = torch.full((batch_size,), real_label,
                               dtype=real_cpu.dtype, device=device)

            output = netD(real_cpu)
            errD_real = criterion(output, label)
            errD_real.backward()
            D_x = output.mean().item()

            # train with fake
            noise = torch.randn(batch_size, nz, 1, 1, device=device)
            fake = netG(noise)
            label.fill_(fake_label)
            output = netD(fake.detach())
            errD_fake = criterion(output, label)
            errD_fake.backward()
            D_G_z1 = output.mean().item()
            errD = errD_real + errD_fake
            optimizerD.step()

            ############################
            # (2) Update G network: maximize log(D(G(z)))
            ###########################
            netG.zero_grad()
            label.fill_(real_label)  # fake labels are real for generator cost
            output = netD(fake)
            errG = criterion(output, label)
            errG.backward()
            D_G_z2 = output.mean().item()
            optimizerG.step()

            print('[%d/%d][%d/%d] Loss_D: %.4f Loss_G: %.4f D(x): %.4f D(G(z)): %.4f / %.4f'
                  % (epoch, opt.niter, i, len(dataloader),
                     errD.item(), errG.item(), D_x, D_G_z1, D_G_z2))
            if i % 100 == 0:
                vutils_save_image(real_cpu,
                                  '%s/real_samples.png' % opt.outf,
                                  normalize=True)
                fake = netG(fixed_noise)
                vutils_save_image(fake.detach(),
                                  '%s/fake_samples_epoch_%03d.png' % (opt.outf, epoch),
                                  normalize=True)

            if opt.dry_run:
                break
        # do checkpointing
        if not hasattr(torch, 'save'):  # here: torch.save(...) is nn.save(path, **objects)
            nn.save('%s/netG_epoch_%d.pth' % (opt.outf, epoch), netG=netG.state_dict())
            nn.save('%s/netD_epoch_%d.pth' % (opt.outf, epoch), netD=netD.state_dict())
        else:
            torch.save(netG.state_dict(), '%s/netG_epoch_%d.pth' % (opt.outf, epoch))
            torch.save(netD.state_dict(), '%s/netD_epoch_%d.pth' % (opt.outf, epoch))
    return netG, netD


def _check_weights_init(module) -> None:
    """What ``weights_init`` made: conv weights N(0, 0.02), BatchNorm's N(1, 0.02), 0."""
    convs = [m.weight.detach().numpy().ravel() for m in module.modules()
             if 'Conv' in type(m).__name__]
    weights = np.concatenate(convs)
    assert abs(weights.mean()) < 0.01 and 0.01 < weights.std() < 0.03
    for m in module.modules():
        if 'BatchNorm' in type(m).__name__:
            assert abs(m.weight.detach().numpy() - 1).max() < 0.1
            assert not m.bias.detach().numpy().any()


class _Started(Exception):
    """Both networks are initialised: PyTorch's start is known."""


def _run(torch, argv, images, labels, start, orders, draws, steps):
    """Run the script for ``torch`` (None: this library): what it printed and saved, and
    the two networks."""
    T, lib, optim, data = libraries(torch)
    starts = iter(start)
    saved = {}

    def save_image(tensor, filename, normalize=False):
        saved[filename] = (tensor.numpy().copy(), normalize)

    if torch is None:
        dataset = Digits(T, images, labels, order=orders)
        T = Draws(T, draws=draws)

        def applied(net):
            _check_weights_init(net)
            net.load_state_dict({k: ag.tensor(v.numpy()) for k, v in next(starts).items()})
    else:
        dataset = Digits(T, images, labels, replay=orders)
        T = Draws(T, replay=draws)

        def applied(net):  # PyTorch's start (seeded: the same in every run)
            _check_weights_init(net)
            if len(start) < 2:
                start.append(net.state_dict())
                if len(start) == 2:  # only the start was asked for
                    raise _Started

    glue = {"dataset": dataset, "steps": steps, "save_image": save_image, "applied": applied}
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        nets = dcgan_main(T, lib, optim, data, argv, glue)
    return printed.getvalue(), saved, nets


def test_dcgan_example_runs_step_for_step_as_torch(torch, tmp_path):
    images, labels = digits(48, lambda a: (np.kron(a, np.ones((1, 1, 2, 2))) - 0.5) / 0.5)
    argv = ['--dataset', 'mnist', '--dataroot', str(tmp_path), '--workers', '0',
            '--batchSize', '16', '--imageSize', '16', '--nz', '8', '--ngf', '4',
            '--ndf', '4', '--niter', '2', '--lr', '0.002', '--manualSeed', '7']
    start, orders, draws, got_steps, want_steps = [], [], [], [], []
    with pytest.raises(_Started):
        _run(torch, argv + ['--outf', str(tmp_path / 'theirs')], images, labels, start, [],
             [], [])
    # PyTorch's initial weights, after its weights_init
    start = [{k: v.clone() for k, v in net.items()} for net in start]
    got, got_saved, ours = _run(None, argv + ['--outf', str(tmp_path / 'ours')], images,
                                labels, start, orders, draws, got_steps)
    assert len(draws) == 1 + 2 * 3 and sorted(orders[:48]) == list(range(48))
    assert orders[:48] != orders[48:]
    # PyTorch's run (from the same start: it is seeded) with our noise and order
    want, want_saved, theirs = _run(torch, argv + ['--outf', str(tmp_path / 'theirs')],
                                    images, labels, start, orders, draws, want_steps)
    assert orders == [] and draws == []
    assert got.replace('ours', 'theirs') == want
    assert got.count('BatchNorm2d(') == 3 and '  (main): Sequential(' in got
    assert '[1/2][2/3] Loss_D: ' in got and 'Using device: cpu' in got
    assert_steps(got_steps, want_steps)
    for a, b in zip(ours, theirs):
        for name, value in b.state_dict().items():  # weights and running statistics
            np.testing.assert_allclose(a.state_dict()[name], value.numpy(), rtol=1e-10,
                                       atol=1e-12, err_msg=name)
    assert len(got_saved) == len(want_saved) == 3
    for (name, (image, normalize)), (their_name, (their_image, _)) in zip(
            sorted(got_saved.items()), sorted(want_saved.items())):
        assert name.replace('ours', 'theirs') == their_name and normalize is True
        np.testing.assert_allclose(image, their_image, rtol=1e-10, atol=1e-12)
    for epoch in range(2):
        for net in ('netG', 'netD'):
            ckpt = nn.load(tmp_path / 'ours' / f'{net}_epoch_{epoch}.pth')[net]
            their_ckpt = torch.load(tmp_path / 'theirs' / f'{net}_epoch_{epoch}.pth')
            assert list(ckpt) == list(their_ckpt)
            for name, value in their_ckpt.items():
                np.testing.assert_allclose(ckpt[name], value.numpy(), rtol=1e-10, atol=1e-12)

