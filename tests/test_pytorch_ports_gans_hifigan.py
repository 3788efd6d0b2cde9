"""HiFi-GAN (Kong et al.), shrunk, as jik876's ``hifi-gan`` writes it (``models.py``,
``train.py``): a generator of layers wrapped in the legacy ``weight_norm`` (imported as
``from torch.nn.utils import weight_norm, remove_weight_norm, spectral_norm``), a
``ConvTranspose1d`` upsampling and a dilated ``ResBlock2``; the multi-period
discriminator (the waveform reflect-padded with ``F.pad`` and folded into 2-D, periods 2
and 3) and the multi-scale one (``spectral_norm`` on its first scale, grouped ``Conv1d``s,
``AvgPool1d(4, 2, padding=2)``); the LSGAN discriminator and generator losses, the
feature-matching loss over every feature map, ``AdamW`` with betas (0.8, 0.99) over
``itertools.chain`` of the two discriminators, ``ExponentialLR`` per epoch, and
``remove_weight_norm`` before inference. Written once for a library ``T`` (``autograd``
here, ``torch`` there), it runs step for step next to PyTorch's from the same weights,
features and waveforms (float64): every loss, gradient and parameter agrees to 1e-10.

Data: 4-channel "mel" frames (random) and their waveforms (sums of sines), 32 samples.

Lines written differently here, and why:
- the mel-spectrogram L1 loss (an STFT: there are no complex tensors here) is an L1 loss
  on the waveform, weighted 45 as there, in both runs;
- ``init_weights``' ``m.weight.data.normal_(mean, std)``: ``.data`` is the NumPy array
  here (by design), so it is ``m.weight.normal_(mean, std)`` under ``no_grad()``; under
  ``weight_norm`` this writes the computed weight, which the next forward recomputes from
  ``weight_g`` and ``weight_v``, in both libraries;
- PyTorch's initial weights are loaded into ours (``load_state_dict``), the test's glue.
"""

# ruff: noqa: E741 (hifi-gan's loop variable `l`, kept as written)
import itertools

import numpy as np
import pytest

import autograd as ag
import nn
from test_pytorch_ports_pinn import assert_same
from test_pytorch_ports_wgan_gp import grads, state

LRELU_SLOPE = 0.1
# the legacy weight_norm is deprecated with a FutureWarning in both libraries
pytestmark = pytest.mark.filterwarnings("ignore:.*weight_norm.* is deprecated:FutureWarning")


def get_padding(kernel_size, dilation=1):
    return int((kernel_size * dilation - dilation) / 2)


def hifigan_program(torch=None, start=None, data=None, epochs: int = 2) -> list:
    """HiFi-GAN's training loop, small; returns the record of its losses and grads."""
    lib = nn if torch is None else torch.nn
    optim = nn.optim if torch is None else torch.optim
    torch = ag if torch is None else torch
    F = lib.functional
    weight_norm, remove_weight_norm, spectral_norm = \
        lib.utils.weight_norm, lib.utils.remove_weight_norm, lib.utils.spectral_norm
    Conv1d, ConvTranspose1d, Conv2d, AvgPool1d = \
        lib.Conv1d, lib.ConvTranspose1d, lib.Conv2d, lib.AvgPool1d

    def init_weights(m, mean=0.0, std=0.01):
        classname = m.__class__.__name__
        if classname.find("Conv") != -1:
            with torch.no_grad():  # hifi-gan: m.weight.data.normal_(mean, std)
                m.weight.normal_(mean, std)

    class ResBlock2(lib.Module):
        def __init__(self, channels, kernel_size=3, dilation=(1, 3)):
            super().__init__()
            self.convs = lib.ModuleList([
                weight_norm(Conv1d(channels, channels, kernel_size, 1, dilation=d,
                                   padding=get_padding(kernel_size, d))) for d in dilation])
            self.convs.apply(init_weights)

        def forward(self, x):
            for c in self.convs:
                xt = F.leaky_relu(x, LRELU_SLOPE)
                xt = c(xt)
                x = xt + x
            return x

        def remove_weight_norm(self):
            for l in self.convs:
                remove_weight_norm(l)

    class Generator(lib.Module):
        def __init__(self, ch=8, u=4, k=8):
            super().__init__()
            self.conv_pre = weight_norm(Conv1d(4, ch, 7, 1, padding=3))
            self.ups = lib.ModuleList([weight_norm(
                ConvTranspose1d(ch, ch // 2, k, u, padding=(k - u) // 2))])
            self.resblocks = lib.ModuleList([ResBlock2(ch // 2)])
            self.conv_post = weight_norm(Conv1d(ch // 2, 1, 7, 1, padding=3))
            self.ups.apply(init_weights)
            self.conv_post.apply(init_weights)

        def forward(self, x):
            x = self.conv_pre(x)
            x = F.leaky_relu(x, LRELU_SLOPE)
            x = self.ups[0](x)
            x = self.resblocks[0](x)
            x = F.leaky_relu(x)
            x = self.conv_post(x)
            return torch.tanh(x)

        def remove_weight_norm(self):
            for l in self.ups:
                remove_weight_norm(l)
            for l in self.resblocks:
                l.remove_weight_norm()
            remove_weight_norm(self.conv_pre)
            remove_weight_norm(self.conv_post)

    class DiscriminatorP(lib.Module):
        def __init__(self, period, kernel_size=5, stride=3):
            super().__init__()
            self.period = period
            self.convs = lib.ModuleList([
                weight_norm(Conv2d(1, 4, (kernel_size, 1), (stride, 1),
                                   padding=(get_padding(5, 1), 0))),
                weight_norm(Conv2d(4, 8, (kernel_size, 1), 1, padding=(2, 0)))])
            self.conv_post = weight_norm(Conv2d(8, 1, (3, 1), 1, padding=(1, 0)))

        def forward(self, x):
            fmap = []
            b, c, t = x.shape
            if t % self.period != 0:  # pad first
                n_pad = self.period - (t % self.period)
                x = F.pad(x, (0, n_pad), "reflect")
                t = t + n_pad
            x = x.view(b, c, t // self.period, self.period)
            for l in self.convs:
                x = F.leaky_relu(l(x), LRELU_SLOPE)
                fmap.append(x)
            x = self.conv_post(x)
            fmap.append(x)
            return torch.flatten(x, 1, -1), fmap

    class DiscriminatorS(lib.Module):
        def __init__(self, use_spectral_norm=False):
            super().__init__()
            norm_f = weight_norm if use_spectral_norm == False else spectral_norm  # noqa: E712
            self.convs = lib.ModuleList([
                norm_f(Conv1d(1, 8, 15, 1, padding=7)),
                norm_f(Conv1d(8, 8, 41, 2, groups=4, padding=20))])
            self.conv_post = norm_f(Conv1d(8, 1, 3, 1, padding=1))

        def forward(self, x):
            fmap = []
            for l in self.convs:
                x = F.leaky_relu(l(x), LRELU_SLOPE)
                fmap.append(x)
            x = self.conv_post(x)
            fmap.append(x)
            return torch.flatten(x, 1, -1), fmap

    class MultiDiscriminator(lib.Module):
        def __init__(self, discriminators, pools=()):
            super().__init__()
            self.discriminators = lib.ModuleList(discriminators)
            self.meanpools = lib.ModuleList(pools)

        def forward(self, y, y_hat):
            y_d_rs, y_d_gs, fmap_rs, fmap_gs = [], [], [], []
            for i, d in enumerate(self.discriminators):
                if i != 0 and self.meanpools:
                    y = self.meanpools[i - 1](y)
                    y_hat = self.meanpools[i - 1](y_hat)
                y_d_r, fmap_r = d(y)
                y_d_g, fmap_g = d(y_hat)
                y_d_rs.append(y_d_r)
                fmap_rs.append(fmap_r)
                y_d_gs.append(y_d_g)
                fmap_gs.append(fmap_g)
            return y_d_rs, y_d_gs, fmap_rs, fmap_gs

    def feature_loss(fmap_r, fmap_g):
        loss = 0
        for dr, dg in zip(fmap_r, fmap_g):
            for rl, gl in zip(dr, dg):
                loss += torch.mean(torch.abs(rl - gl))
        return loss * 2

    def discriminator_loss(disc_real_outputs, disc_generated_outputs):
        loss, r_losses, g_losses = 0, [], []
        for dr, dg in zip(disc_real_outputs, disc_generated_outputs):
            r_loss = torch.mean((1 - dr) ** 2)
            g_loss = torch.mean(dg ** 2)
            loss += (r_loss + g_loss)
            r_losses.append(r_loss.item())
            g_losses.append(g_loss.item())
        return loss, r_losses, g_losses

    def generator_loss(disc_outputs):
        loss, gen_losses = 0, []
        for dg in disc_outputs:
            l = torch.mean((1 - dg) ** 2)
            gen_losses.append(l)
            loss += l
        return loss, gen_losses

    generator = Generator()
    mpd = MultiDiscriminator([DiscriminatorP(2), DiscriminatorP(3)])
    msd = MultiDiscriminator([DiscriminatorS(use_spectral_norm=True), DiscriminatorS()],
                             [AvgPool1d(4, 2, padding=2)])
    nets = [generator, mpd, msd]
    if start is not None:
        for net, weights in zip(nets, start):
            net.load_state_dict(weights)
    record = [[state(net) for net in nets]]
    optim_g = optim.AdamW(generator.parameters(), 2e-3, betas=[0.8, 0.99])
    optim_d = optim.AdamW(itertools.chain(msd.parameters(), mpd.parameters()), 2e-3,
                          betas=[0.8, 0.99])
    scheduler_g = optim.lr_scheduler.ExponentialLR(optim_g, gamma=0.9, last_epoch=-1)
    scheduler_d = optim.lr_scheduler.ExponentialLR(optim_d, gamma=0.9, last_epoch=-1)
    mels, waves = data
    for epoch in range(epochs):
        for i in range(0, len(mels), 2):
            x, y = torch.tensor(mels[i:i + 2]), torch.tensor(waves[i:i + 2])
            y_g_hat = generator(x)
            optim_d.zero_grad()
            y_df_hat_r, y_df_hat_g, _, _ = mpd(y, y_g_hat.detach())
            loss_disc_f, losses_disc_f_r, _ = discriminator_loss(y_df_hat_r, y_df_hat_g)
            y_ds_hat_r, y_ds_hat_g, _, _ = msd(y, y_g_hat.detach())
            loss_disc_s, losses_disc_s_r, _ = discriminator_loss(y_ds_hat_r, y_ds_hat_g)
            loss_disc_all = loss_disc_s + loss_disc_f
            loss_disc_all.backward()
            optim_d.step()
            record += [loss_disc_all.item(), losses_disc_f_r + losses_disc_s_r,
                       grads(mpd), grads(msd)]

            optim_g.zero_grad()
            loss_mel = F.l1_loss(y, y_g_hat) * 45  # hifi-gan: on mel spectrograms
            y_df_hat_r, y_df_hat_g, fmap_f_r, fmap_f_g = mpd(y, y_g_hat)
            y_ds_hat_r, y_ds_hat_g, fmap_s_r, fmap_s_g = msd(y, y_g_hat)
            loss_fm_f = feature_loss(fmap_f_r, fmap_f_g)
            loss_fm_s = feature_loss(fmap_s_r, fmap_s_g)
            loss_gen_f, losses_gen_f = generator_loss(y_df_hat_g)
            loss_gen_s, losses_gen_s = generator_loss(y_ds_hat_g)
            loss_gen_all = loss_gen_s + loss_gen_f + loss_fm_s + loss_fm_f + loss_mel
            loss_gen_all.backward()
            optim_g.step()
            record += [loss_gen_all.item(), loss_fm_f.item(), grads(generator)]
        scheduler_g.step()
        scheduler_d.step()
        record += [optim_g.param_groups[0]["lr"]]
    generator.eval()
    generator.remove_weight_norm()
    with torch.no_grad():
        y_g_hat = generator(torch.tensor(mels[:2]))
    return record + [y_g_hat.numpy().copy()] + [state(net) for net in nets]


def speech_like(n: int = 4) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(6)
    t = np.arange(32) / 32
    waves = np.stack([0.5 * np.sin(2 * np.pi * (2 + k) * t) + 0.2 * np.sin(2 * np.pi * 7 * t)
                      for k in range(n)])[:, None, :]
    return rng.standard_normal((n, 4, 8)), waves


def test_hifigan_trains_as_torch(torch):
    torch.manual_seed(0)
    data = speech_like()
    want = hifigan_program(torch, data=data)
    got = hifigan_program(start=want[0], data=data)
    assert_same(got[1:], want[1:])
    assert "conv_post.weight" in got[-3] and "conv_post.weight_g" in got[0][0]
