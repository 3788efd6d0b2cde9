"""ProGAN's pieces as Aladdin Persson's ``ML-Collection`` ProGAN writes them in plain
PyTorch (``model.py``, ``utils.py``, ``train.py``), shrunk: ``WSConv2d`` (the equalized
learning rate: weights drawn N(0, 1) and the input scaled by sqrt(gain / fan_in) at run
time, the conv's bias taken out with ``self.bias = self.conv.bias; self.conv.bias =
None`` and added back through ``view``), ``PixelNorm``, a generator and a critic grown by
``ModuleList``s of blocks with ``rgb_layers``, the fade-in (``alpha`` blends the upscaled
lower-resolution output, ``F.interpolate(scale_factor=2, mode="nearest")``, with the new
block's; the critic blends ``AvgPool2d`` downscaled input likewise), the minibatch
standard deviation (``torch.std(x, dim=0).mean().repeat(...)`` concatenated as a
channel), WGAN-GP with the drift term 0.001 E[D(x)^2], and ``alpha`` grown per batch.
Written once for a library ``T`` (``autograd`` here, ``torch`` there), it runs step for
step next to PyTorch's from the same weights, images and noise (float64): every loss,
gradient, alpha and the final parameters agree to 1e-10.

Data: scikit-learn's 8x8 digits in [-1, 1], one channel; factors [1, 1/2] (4x4 then 8x8),
in_channels = z_dim = 8, training at step 1 (8x8) for 3 batches of 4.

Lines written differently here, and why:
- the latent noise and the gradient penalty's ``beta`` (``torch.randn`` / ``torch.rand``
  there) come from ``np.random``, seeded alike, and are passed in as tensors;
- ``torch.autograd.grad`` is ``autograd.grad`` (the library is the autograd package);
- PyTorch's initial weights are loaded into ours, the test's glue.
"""

import numpy as np

import autograd as ag
import nn
from port_records import assert_same
from test_pytorch_ports_wgan_gp import digit_images, grads, state


def progan_program(torch=None, start=None, images=None, batch_size: int = 4) -> list:
    """ProGAN's training at one resolution step, with fade-in; returns the run's record."""
    lib = nn if torch is None else torch.nn
    optim = nn.optim if torch is None else torch.optim
    autograd = ag if torch is None else torch.autograd  # torch.autograd is autograd here
    torch = ag if torch is None else torch
    F = lib.functional
    factors = [1, 1 / 2]
    z_dim, in_channels, img_channels, LAMBDA_GP, step = 8, 8, 1, 10, 1

    class WSConv2d(lib.Module):
        def __init__(self, in_channels, out_channels, kernel_size=3, stride=1, padding=1,
                     gain=2):
            super().__init__()
            self.conv = lib.Conv2d(in_channels, out_channels, kernel_size, stride, padding)
            self.scale = (gain / (in_channels * (kernel_size ** 2))) ** 0.5
            self.bias = self.conv.bias
            self.conv.bias = None
            lib.init.normal_(self.conv.weight)
            lib.init.zeros_(self.bias)

        def forward(self, x):
            return self.conv(x * self.scale) + self.bias.view(1, self.bias.shape[0], 1, 1)

    class PixelNorm(lib.Module):
        def __init__(self):
            super().__init__()
            self.epsilon = 1e-8

        def forward(self, x):
            return x / torch.sqrt(torch.mean(x ** 2, dim=1, keepdim=True) + self.epsilon)

    class ConvBlock(lib.Module):
        def __init__(self, in_channels, out_channels, use_pixelnorm=True):
            super().__init__()
            self.use_pn = use_pixelnorm
            self.conv1 = WSConv2d(in_channels, out_channels)
            self.conv2 = WSConv2d(out_channels, out_channels)
            self.leaky = lib.LeakyReLU(0.2)
            self.pn = PixelNorm()

        def forward(self, x):
            x = self.leaky(self.conv1(x))
            x = self.pn(x) if self.use_pn else x
            x = self.leaky(self.conv2(x))
            x = self.pn(x) if self.use_pn else x
            return x

    class Generator(lib.Module):
        def __init__(self, z_dim, in_channels, img_channels=3):
            super().__init__()
            self.initial = lib.Sequential(
                PixelNorm(), lib.ConvTranspose2d(z_dim, in_channels, 4, 1, 0),
                lib.LeakyReLU(0.2), WSConv2d(in_channels, in_channels, kernel_size=3,
                                             stride=1, padding=1),
                lib.LeakyReLU(0.2), PixelNorm())
            self.initial_rgb = WSConv2d(in_channels, img_channels, kernel_size=1, stride=1,
                                        padding=0)
            self.prog_blocks, self.rgb_layers = (lib.ModuleList([]),
                                                 lib.ModuleList([self.initial_rgb]))
            for i in range(len(factors) - 1):
                conv_in_c = int(in_channels * factors[i])
                conv_out_c = int(in_channels * factors[i + 1])
                self.prog_blocks.append(ConvBlock(conv_in_c, conv_out_c))
                self.rgb_layers.append(WSConv2d(conv_out_c, img_channels, kernel_size=1,
                                                stride=1, padding=0))

        def fade_in(self, alpha, upscaled, generated):
            return torch.tanh(alpha * generated + (1 - alpha) * upscaled)

        def forward(self, x, alpha, steps):
            out = self.initial(x)
            if steps == 0:
                return self.initial_rgb(out)
            for step in range(steps):
                upscaled = F.interpolate(out, scale_factor=2, mode="nearest")
                out = self.prog_blocks[step](upscaled)
            final_upscaled = self.rgb_layers[steps - 1](upscaled)
            final_out = self.rgb_layers[steps](out)
            return self.fade_in(alpha, final_upscaled, final_out)

    class Discriminator(lib.Module):
        def __init__(self, z_dim, in_channels, img_channels=3):
            super().__init__()
            self.prog_blocks, self.rgb_layers = lib.ModuleList([]), lib.ModuleList([])
            self.leaky = lib.LeakyReLU(0.2)
            for i in range(len(factors) - 1, 0, -1):
                conv_in = int(in_channels * factors[i])
                conv_out = int(in_channels * factors[i - 1])
                self.prog_blocks.append(ConvBlock(conv_in, conv_out, use_pixelnorm=False))
                self.rgb_layers.append(WSConv2d(img_channels, conv_in, kernel_size=1,
                                                stride=1, padding=0))
            self.initial_rgb = WSConv2d(img_channels, in_channels, kernel_size=1, stride=1,
                                        padding=0)
            self.rgb_layers.append(self.initial_rgb)
            self.avg_pool = lib.AvgPool2d(kernel_size=2, stride=2)
            self.final_block = lib.Sequential(
                WSConv2d(in_channels + 1, in_channels, kernel_size=3, padding=1),
                lib.LeakyReLU(0.2),
                WSConv2d(in_channels, in_channels, kernel_size=4, padding=0, stride=1),
                lib.LeakyReLU(0.2),
                WSConv2d(in_channels, 1, kernel_size=1, padding=0, stride=1))

        def fade_in(self, alpha, downscaled, out):
            return alpha * out + (1 - alpha) * downscaled

        def minibatch_std(self, x):
            batch_statistics = (torch.std(x, dim=0).mean()
                                .repeat(x.shape[0], 1, x.shape[2], x.shape[3]))
            return torch.cat([x, batch_statistics], dim=1)

        def forward(self, x, alpha, steps):
            cur_step = len(self.prog_blocks) - steps
            out = self.leaky(self.rgb_layers[cur_step](x))
            if steps == 0:
                out = self.minibatch_std(out)
                return self.final_block(out).view(out.shape[0], -1)
            downscaled = self.leaky(self.rgb_layers[cur_step + 1](self.avg_pool(x)))
            out = self.avg_pool(self.prog_blocks[cur_step](out))
            out = self.fade_in(alpha, downscaled, out)
            for step in range(cur_step + 1, len(self.prog_blocks)):
                out = self.prog_blocks[step](out)
                out = self.avg_pool(out)
            out = self.minibatch_std(out)
            return self.final_block(out).view(out.shape[0], -1)

    def gradient_penalty(critic, real, fake, alpha, train_step, beta):
        BATCH_SIZE, C, H, W = real.shape
        beta = beta.repeat(1, C, H, W)
        interpolated_images = real * beta + fake.detach() * (1 - beta)
        interpolated_images.requires_grad_(True)
        mixed_scores = critic(interpolated_images, alpha, train_step)
        gradient = autograd.grad(inputs=interpolated_images, outputs=mixed_scores,
                                  grad_outputs=torch.ones_like(mixed_scores),
                                  create_graph=True, retain_graph=True)[0]
        gradient = gradient.view(gradient.shape[0], -1)
        gradient_norm = gradient.norm(2, dim=1)
        return torch.mean((gradient_norm - 1) ** 2)

    gen = Generator(z_dim, in_channels, img_channels=img_channels)
    critic = Discriminator(z_dim, in_channels, img_channels=img_channels)
    if start is not None:
        gen.load_state_dict(start[0])
        critic.load_state_dict(start[1])
    record = [[state(gen), state(critic)]]
    opt_gen = optim.Adam(gen.parameters(), lr=1e-3, betas=(0.0, 0.99))
    opt_critic = optim.Adam(critic.parameters(), lr=1e-3, betas=(0.0, 0.99))
    rng = np.random.default_rng(7)
    alpha, n_epochs = 1e-5, 1
    for batch_idx in range(len(images) // batch_size):
        real = torch.tensor(images[batch_idx * batch_size:(batch_idx + 1) * batch_size])
        cur_batch_size = real.shape[0]
        noise = torch.tensor(rng.standard_normal((cur_batch_size, z_dim, 1, 1)))
        beta = torch.tensor(rng.uniform(size=(cur_batch_size, 1, 1, 1)))
        fake = gen(noise, alpha, step)
        critic_real = critic(real, alpha, step)
        critic_fake = critic(fake.detach(), alpha, step)
        gp = gradient_penalty(critic, real, fake, alpha, step, beta)
        loss_critic = (-(torch.mean(critic_real) - torch.mean(critic_fake))
                       + LAMBDA_GP * gp + (0.001 * torch.mean(critic_real ** 2)))
        opt_critic.zero_grad()
        loss_critic.backward()
        opt_critic.step()
        gen_fake = critic(fake, alpha, step)
        loss_gen = -torch.mean(gen_fake)
        opt_gen.zero_grad()
        loss_gen.backward()
        opt_gen.step()
        alpha += cur_batch_size / ((n_epochs * 0.5) * len(images))
        alpha = min(alpha, 1)
        record += [[loss_critic.item(), gp.item(), loss_gen.item(), alpha],
                   grads(gen), grads(critic)]
    return record + [[state(gen), state(critic)]]


def test_progan_fade_in_trains_as_torch(torch):
    torch.manual_seed(0)
    images = digit_images(12)
    want = progan_program(torch, images=images)
    got = progan_program(start=want[0], images=images)
    assert_same(got[1:], want[1:])
