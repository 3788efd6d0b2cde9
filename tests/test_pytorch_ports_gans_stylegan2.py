"""StyleGAN2's pieces as rosinality's ``stylegan2-pytorch`` (``model.py``, ``train.py``)
writes them in plain PyTorch, shrunk: a mapping network of ``EqualLinear`` layers (weights
drawn N(0, 1/lr_mul^2) and scaled at run time by lr_mul / sqrt(fan_in), the equalized
learning rate), ``PixelNorm``, a constant input, modulated and demodulated convolutions run
as one grouped ``F.conv2d`` with ``groups=batch``, noise injection, ``ToRGB`` skips, a
discriminator with equalized convolutions and the minibatch-stddev layer; the logistic
losses, the R1 penalty on real images (``autograd.grad(create_graph=True)``), the
path-length penalty with its running mean, both applied lazily every 2 steps with Adam's
lr and betas rescaled by k / (k + 1), ``requires_grad(model, flag)`` toggling and the
generator's EMA (``accumulate``) into a ``deepcopy`` in eval mode. Written once for a
library ``T`` (``autograd`` here, ``torch`` there), it runs step for step next to
PyTorch's from the same weights, images and noise (float64): losses, penalties, gradients,
parameters and the EMA agree to 1e-10.

Data: scikit-learn's 8x8 digits scaled to [-1, 1], one channel; 4 steps of batch 4.

Lines written differently here, and why:
- ``upfirdn2d`` (a CUDA kernel) is replaced by bilinear ``F.interpolate`` / ``avg_pool2d``
  in both runs, and ``fused_leaky_relu`` by its math, ``leaky_relu(x + b, 0.2) * sqrt(2)``;
- the injected noise and the path-length noise (``randn_like`` there) come from
  ``np.random``, seeded alike, and are passed in; style mixing is left out;
- ``accumulate`` writes ``par1[k].data.mul_(decay).add_(par2[k].data, ...)``; ``.data``
  is the NumPy array here (by design), so the update runs under ``no_grad()`` on the
  parameters themselves;
- PyTorch's initial weights are loaded into ours (``load_state_dict``), the test's glue.
"""

import copy
import math

import numpy as np

import autograd as ag
import nn
from test_pytorch_ports_pinn import assert_same
from test_pytorch_ports_wgan_gp import digit_images, grads, state


def stylegan2_program(torch=None, start=None, images=None, steps: int = 4) -> list:
    """rosinality's StyleGAN2 training loop, small; returns the record of the run."""
    lib = nn if torch is None else torch.nn
    optim = nn.optim if torch is None else torch.optim
    autograd = ag if torch is None else torch.autograd
    torch = ag if torch is None else torch
    F = lib.functional
    style_dim, channels, batch, r1, path_regularize = 8, 8, 4, 10.0, 2.0
    d_reg_every = g_reg_every = 2

    class PixelNorm(lib.Module):
        def forward(self, input):
            return input * torch.rsqrt(torch.mean(input ** 2, dim=1, keepdim=True) + 1e-8)

    class EqualLinear(lib.Module):
        def __init__(self, in_dim, out_dim, bias=True, bias_init=0, lr_mul=1,
                     activation=None):
            super().__init__()
            self.weight = lib.Parameter(torch.randn(out_dim, in_dim).div_(lr_mul))
            self.bias = lib.Parameter(torch.zeros(out_dim).fill_(bias_init)) if bias else None
            self.activation = activation
            self.scale = (1 / math.sqrt(in_dim)) * lr_mul
            self.lr_mul = lr_mul

        def forward(self, input):
            if self.activation:
                out = F.linear(input, self.weight * self.scale)
                return F.leaky_relu(out + self.bias * self.lr_mul, 0.2) * math.sqrt(2)
            return F.linear(input, self.weight * self.scale, bias=self.bias * self.lr_mul)

    class EqualConv2d(lib.Module):
        def __init__(self, in_channel, out_channel, kernel_size, stride=1, padding=0):
            super().__init__()
            self.weight = lib.Parameter(
                torch.randn(out_channel, in_channel, kernel_size, kernel_size))
            self.scale = 1 / math.sqrt(in_channel * kernel_size ** 2)
            self.stride, self.padding = stride, padding
            self.bias = lib.Parameter(torch.zeros(out_channel))

        def forward(self, input):
            out = F.conv2d(input, self.weight * self.scale, bias=None, stride=self.stride,
                           padding=self.padding)
            return F.leaky_relu(out + self.bias.view(1, -1, 1, 1), 0.2) * math.sqrt(2)

    class ModulatedConv2d(lib.Module):
        def __init__(self, in_channel, out_channel, kernel_size, style_dim,
                     demodulate=True, upsample=False):
            super().__init__()
            self.eps, self.kernel_size = 1e-8, kernel_size
            self.in_channel, self.out_channel = in_channel, out_channel
            self.scale = 1 / math.sqrt(in_channel * kernel_size ** 2)
            self.padding = kernel_size // 2
            self.weight = lib.Parameter(
                torch.randn(1, out_channel, in_channel, kernel_size, kernel_size))
            self.modulation = EqualLinear(style_dim, in_channel, bias_init=1)
            self.demodulate, self.upsample = demodulate, upsample

        def forward(self, input, style):
            batch, in_channel, height, width = input.shape
            style = self.modulation(style).view(batch, 1, in_channel, 1, 1)
            weight = self.scale * self.weight * style
            if self.demodulate:
                demod = torch.rsqrt(weight.pow(2).sum([2, 3, 4]) + 1e-8)
                weight = weight * demod.view(batch, self.out_channel, 1, 1, 1)
            weight = weight.view(batch * self.out_channel, in_channel, self.kernel_size,
                                 self.kernel_size)
            if self.upsample:  # upfirdn2d's transposed conv + blur, here plain bilinear
                input = F.interpolate(input, scale_factor=2, mode="bilinear",
                                      align_corners=False)
                height, width = height * 2, width * 2
            input = input.view(1, batch * in_channel, height, width)
            out = F.conv2d(input, weight, padding=self.padding, groups=batch)
            _, _, height, width = out.shape
            return out.view(batch, self.out_channel, height, width)

    class NoiseInjection(lib.Module):
        def __init__(self):
            super().__init__()
            self.weight = lib.Parameter(torch.zeros(1))

        def forward(self, image, noise=None):
            if noise is None:
                batch, _, height, width = image.shape
                noise = image.new_empty(batch, 1, height, width).normal_()
            return image + self.weight * noise

    class StyledConv(lib.Module):
        def __init__(self, in_channel, out_channel, kernel_size, style_dim, upsample=False):
            super().__init__()
            self.conv = ModulatedConv2d(in_channel, out_channel, kernel_size, style_dim,
                                        upsample=upsample)
            self.noise = NoiseInjection()
            self.activate_bias = lib.Parameter(torch.zeros(1, out_channel, 1, 1))

        def forward(self, input, style, noise=None):
            out = self.noise(self.conv(input, style), noise=noise)
            return F.leaky_relu(out + self.activate_bias, 0.2) * math.sqrt(2)

    class ToRGB(lib.Module):
        def __init__(self, in_channel, style_dim, upsample=True):
            super().__init__()
            self.upsample = upsample
            self.conv = ModulatedConv2d(in_channel, 1, 1, style_dim, demodulate=False)
            self.bias = lib.Parameter(torch.zeros(1, 1, 1, 1))

        def forward(self, input, style, skip=None):
            out = self.conv(input, style) + self.bias
            if skip is not None:
                out = out + F.interpolate(skip, scale_factor=2, mode="bilinear",
                                          align_corners=False)
            return out

    class Generator(lib.Module):
        def __init__(self):
            super().__init__()
            self.style = lib.Sequential(
                PixelNorm(), *[EqualLinear(style_dim, style_dim, lr_mul=0.01,
                                           activation="fused_lrelu") for _ in range(2)])
            self.input = lib.Parameter(torch.randn(1, channels, 4, 4))  # ConstantInput
            self.conv1 = StyledConv(channels, channels, 3, style_dim)
            self.to_rgb1 = ToRGB(channels, style_dim, upsample=False)
            self.convs = lib.ModuleList([StyledConv(channels, channels, 3, style_dim, True),
                                         StyledConv(channels, channels, 3, style_dim)])
            self.to_rgb = ToRGB(channels, style_dim)
            self.n_latent = 4
            self.register_buffer("mean_path_length", torch.zeros(()))  # the running mean

        def forward(self, z, noise, return_latents=False):
            latent = self.style(z).unsqueeze(1).repeat(1, self.n_latent, 1)
            out = self.input.repeat(latent.shape[0], 1, 1, 1)
            out = self.conv1(out, latent[:, 0], noise=noise[0])
            skip = self.to_rgb1(out, latent[:, 1])
            out = self.convs[0](out, latent[:, 1], noise=noise[1])
            out = self.convs[1](out, latent[:, 2], noise=noise[2])
            image = self.to_rgb(out, latent[:, 3], skip)
            return (image, latent) if return_latents else (image, None)

    class Discriminator(lib.Module):
        def __init__(self):
            super().__init__()
            self.conv = EqualConv2d(1, channels, 3, padding=1)
            self.down = EqualConv2d(channels, channels, 3, padding=1)
            self.stddev_group, self.stddev_feat = 4, 1
            self.final_conv = EqualConv2d(channels + 1, channels, 3, padding=1)
            self.final_linear = lib.Sequential(
                EqualLinear(channels * 4 * 4, channels, activation="fused_lrelu"),
                EqualLinear(channels, 1))

        def forward(self, input):
            out = F.avg_pool2d(self.down(self.conv(input)), 2)
            batch, channel, height, width = out.shape
            group = min(batch, self.stddev_group)
            stddev = out.view(group, -1, self.stddev_feat, channel // self.stddev_feat,
                              height, width)
            stddev = torch.sqrt(stddev.var(0, unbiased=False) + 1e-8)
            stddev = stddev.mean([2, 3, 4], keepdims=True).squeeze(2)
            stddev = stddev.repeat(group, 1, height, width)
            out = self.final_conv(torch.cat([out, stddev], 1))
            return self.final_linear(out.view(batch, -1))

    def requires_grad(model, flag=True):
        for p in model.parameters():
            p.requires_grad = flag

    def accumulate(model1, model2, decay=0.999):
        par1, par2 = dict(model1.named_parameters()), dict(model2.named_parameters())
        with torch.no_grad():  # train.py: par1[k].data.mul_(decay).add_(par2[k].data, ...)
            for k in par1.keys():
                par1[k].mul_(decay).add_(par2[k], alpha=1 - decay)

    def d_logistic_loss(real_pred, fake_pred):
        return F.softplus(-real_pred).mean() + F.softplus(fake_pred).mean()

    def d_r1_loss(real_pred, real_img):
        grad_real, = autograd.grad(outputs=real_pred.sum(), inputs=real_img,
                                   create_graph=True)
        return grad_real.pow(2).reshape(grad_real.shape[0], -1).sum(1).mean()

    def g_nonsaturating_loss(fake_pred):
        return F.softplus(-fake_pred).mean()

    def g_path_regularize(fake_img, latents, mean_path_length, noise, decay=0.01):
        noise = noise / math.sqrt(fake_img.shape[2] * fake_img.shape[3])
        grad, = autograd.grad(outputs=(fake_img * noise).sum(), inputs=latents,
                              create_graph=True)
        path_lengths = torch.sqrt(grad.pow(2).sum(2).mean(1))
        path_mean = mean_path_length + decay * (path_lengths.mean() - mean_path_length)
        path_penalty = (path_lengths - path_mean).pow(2).mean()
        return path_penalty, path_mean.detach(), path_lengths

    generator, discriminator = Generator(), Discriminator()
    if start is not None:
        generator.load_state_dict(start[0])
        discriminator.load_state_dict(start[1])
    g_ema = copy.deepcopy(generator)
    g_ema.eval()
    accumulate(g_ema, generator, 0)
    record = [(state(generator), state(discriminator))]
    g_ratio, d_ratio = g_reg_every / (g_reg_every + 1), d_reg_every / (d_reg_every + 1)
    g_optim = optim.Adam(generator.parameters(), lr=0.002 * g_ratio,
                         betas=(0 ** g_ratio, 0.99 ** g_ratio))
    d_optim = optim.Adam(discriminator.parameters(), lr=0.002 * d_ratio,
                         betas=(0 ** d_ratio, 0.99 ** d_ratio))
    accum = 0.5 ** (32 / (10 * 1000))
    np.random.seed(3)

    def sample():
        z = torch.tensor(np.random.standard_normal((batch, style_dim)))
        return z, [torch.tensor(np.random.standard_normal((batch, 1, s, s)))
                   for s in (4, 8, 8)]

    for idx in range(steps):
        real_img = torch.tensor(images[idx * batch:(idx + 1) * batch])
        requires_grad(generator, False)
        requires_grad(discriminator, True)
        z, noise = sample()
        fake_img, _ = generator(z, noise)
        d_loss = d_logistic_loss(discriminator(real_img), discriminator(fake_img))
        discriminator.zero_grad()
        d_loss.backward()
        d_optim.step()
        record += [d_loss.item(), grads(discriminator)]
        if idx % d_reg_every == 0:
            real_img.requires_grad = True
            real_pred = discriminator(real_img)
            r1_loss = d_r1_loss(real_pred, real_img)
            discriminator.zero_grad()
            (r1 / 2 * r1_loss * d_reg_every + 0 * real_pred[0]).backward()
            d_optim.step()
            record += [r1_loss.item(), grads(discriminator)]

        requires_grad(generator, True)
        requires_grad(discriminator, False)
        z, noise = sample()
        fake_img, _ = generator(z, noise)
        g_loss = g_nonsaturating_loss(discriminator(fake_img))
        generator.zero_grad()
        g_loss.backward()
        g_optim.step()
        record += [g_loss.item(), grads(generator)]
        if idx % g_reg_every == 0:
            z, noise = sample()
            fake_img, latents = generator(z, noise, return_latents=True)
            path_noise = torch.tensor(np.random.standard_normal(fake_img.shape))
            path_loss, mean_path_length, path_lengths = g_path_regularize(
                fake_img, latents, generator.mean_path_length, path_noise)
            generator.zero_grad()
            weighted_path_loss = path_regularize * g_reg_every * path_loss
            weighted_path_loss += 0 * fake_img[0, 0, 0, 0]
            weighted_path_loss.backward()
            g_optim.step()
            generator.mean_path_length.copy_(mean_path_length)
            record += [path_loss.item(), path_lengths.detach().numpy().copy(),
                       grads(generator)]
        accumulate(g_ema, generator, accum)
    with torch.no_grad():
        sample_z, sample_noise = sample()
        samples, _ = g_ema(sample_z, sample_noise)
    return record + [samples.numpy().copy(), state(generator), state(discriminator),
                     state(g_ema)]


def test_stylegan2_pieces_train_as_torch(torch):
    torch.manual_seed(0)
    images = digit_images(16)
    want = stylegan2_program(torch, images=images)
    got = stylegan2_program(start=want[0], images=images)
    assert_same(got[1:], want[1:])
    assert float(got[-3]["mean_path_length"]) > 0  # the running mean moved
