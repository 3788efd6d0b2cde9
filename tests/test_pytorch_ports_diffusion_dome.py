"""dome272/Diffusion-Models-pytorch's conditional DDPM (``modules.py`` and
``ddpm_conditional.py``), ported as written: ``SelfAttention`` (``nn.MultiheadAttention(
channels, 4, batch_first=True)``, ``nn.LayerNorm([channels])``, ``x.view(...).swapaxes(1,
2)`` and back with ``.swapaxes(2, 1).view(...)``), ``DoubleConv`` (GroupNorm(1, ...), GELU,
``F.gelu(x + self.double_conv(x))``), ``Down`` (MaxPool2d) and ``Up`` (``nn.Upsample(
scale_factor=2, mode="bilinear", align_corners=True)``) with the time embedding
``self.emb_layer(t)[:, :, None, None].repeat(1, 1, H, W)``, ``UNet_conditional``
(``pos_encoding`` with ``t.repeat(1, channels // 2) * inv_freq``, ``t += self.label_emb(y)``),
``EMA`` on ``copy.deepcopy(self.model).eval().requires_grad_(False)``, and ``Diffusion``:
``sample_timesteps`` (``torch.randint(low=1, high=..., size=(n,))``), ``noise_images``,
``one_epoch`` (``with torch.autocast("cuda") and (torch.inference_mode() if not train else
torch.enable_grad()):``, labels dropped with ``np.random.random() < 0.1``, ``avg_loss +=
loss``, AdamW with ``OneCycleLR`` stepped before the optimizer) and ``sample`` under
``@torch.inference_mode()`` (``torch.lerp(uncond_predicted_noise, predicted_noise,
cfg_scale)``, ``(x * 255).type(torch.uint8)``). It runs step for step next to PyTorch from
the same weights, batches and noise: losses, gradients, parameters, the EMA weights and
the sampled images agree to 1e-10 (the uint8 images exactly).

Shrunk: scikit-learn's 8x8 digits scaled to [-1, 1] with their labels, channels 8/16/32
for 64/128/256 (the embeddings' ``emb_dim`` 32 for 256), 6 noise steps, 2 batches of 8,
one epoch (the validation pass on the training batches), the EMA from the second step.

Lines written differently here, and why:
- ``t.unsqueeze(-1).type(torch.float)`` and ``torch.arange(0, channels, 2).float()`` are
  ``.double()``, the comparison's float (PyTorch's float64 layers refuse float32 inputs);
- ``from torch import optim`` is ``optim`` (``nn.optim``), the data are ``Digits`` (our
  shuffled order replayed on PyTorch's side), logging, tqdm, wandb and the saved images
  and checkpoints are left out, and ``device`` is "cpu";
- the test's glue: PyTorch's initial weights; our ``randint``/``randn``/``randn_like`` draws
  replayed on PyTorch's side (``Draws``); NumPy's global generator seeded alike.
"""

import copy

import numpy as np
import pytest

from diffusion_helpers import Draws, assert_same, grads, libraries, state
from pytorch_examples_helpers import Digits, digits

# dome272 steps the scheduler before the optimizer and asks for CUDA's autocast: both
# libraries warn alike
pytestmark = [pytest.mark.filterwarnings("ignore:Detected call of `lr_scheduler.step"),
              pytest.mark.filterwarnings("ignore:OneCycleLR.step.. was called before"),
              pytest.mark.filterwarnings("ignore:autocast. device_type 'cuda'"),
              pytest.mark.filterwarnings("ignore:CUDA is not available")]


def dome_diffusion(torch, nn, optim, data, dataset, start=None, epochs=1) -> dict:
    """modules.py's classes and the conditional Diffusion's fit for the library ``torch``."""
    F = nn.functional

    class EMA:
        def __init__(self, beta):
            super().__init__()
            self.beta = beta
            self.step = 0

        def update_model_average(self, ma_model, current_model):
            for current_params, ma_params in zip(current_model.parameters(),
                                                 ma_model.parameters()):
                old_weight, up_weight = ma_params.data, current_params.data
                ma_params.data = self.update_average(old_weight, up_weight)

        def update_average(self, old, new):
            if old is None:
                return new
            return old * self.beta + (1 - self.beta) * new

        def step_ema(self, ema_model, model, step_start_ema=2000):
            if self.step < step_start_ema:
                self.reset_parameters(ema_model, model)
                self.step += 1
                return
            self.update_model_average(ema_model, model)
            self.step += 1

        def reset_parameters(self, ema_model, model):
            ema_model.load_state_dict(model.state_dict())

    class SelfAttention(nn.Module):
        def __init__(self, channels):
            super(SelfAttention, self).__init__()
            self.channels = channels
            self.mha = nn.MultiheadAttention(channels, 4, batch_first=True)
            self.ln = nn.LayerNorm([channels])
            self.ff_self = nn.Sequential(
                nn.LayerNorm([channels]),
                nn.Linear(channels, channels),
                nn.GELU(),
                nn.Linear(channels, channels),
            )

        def forward(self, x):
            size = x.shape[-1]
            x = x.view(-1, self.channels, size * size).swapaxes(1, 2)
            x_ln = self.ln(x)
            attention_value, _ = self.mha(x_ln, x_ln, x_ln)
            attention_value = attention_value + x
            attention_value = self.ff_self(attention_value) + attention_value
            return attention_value.swapaxes(2, 1).view(-1, self.channels, size, size)

    class DoubleConv(nn.Module):
        def __init__(self, in_channels, out_channels, mid_channels=None, residual=False):
            super().__init__()
            self.residual = residual
            if not mid_channels:
                mid_channels = out_channels
            self.double_conv = nn.Sequential(
                nn.Conv2d(in_channels, mid_channels, kernel_size=3, padding=1, bias=False),
                nn.GroupNorm(1, mid_channels),
                nn.GELU(),
                nn.Conv2d(mid_channels, out_channels, kernel_size=3, padding=1, bias=False),
                nn.GroupNorm(1, out_channels),
            )

        def forward(self, x):
            if self.residual:
                return F.gelu(x + self.double_conv(x))
            else:
                return self.double_conv(x)

    class Down(nn.Module):
        def __init__(self, in_channels, out_channels, emb_dim=32):
            super().__init__()
            self.maxpool_conv = nn.Sequential(
                nn.MaxPool2d(2),
                DoubleConv(in_channels, in_channels, residual=True),
                DoubleConv(in_channels, out_channels),
            )
            self.emb_layer = nn.Sequential(nn.SiLU(), nn.Linear(emb_dim, out_channels))

        def forward(self, x, t):
            x = self.maxpool_conv(x)
            emb = self.emb_layer(t)[:, :, None, None].repeat(1, 1, x.shape[-2], x.shape[-1])
            return x + emb

    class Up(nn.Module):
        def __init__(self, in_channels, out_channels, emb_dim=32):
            super().__init__()
            self.up = nn.Upsample(scale_factor=2, mode="bilinear", align_corners=True)
            self.conv = nn.Sequential(
                DoubleConv(in_channels, in_channels, residual=True),
                DoubleConv(in_channels, out_channels, in_channels // 2),
            )
            self.emb_layer = nn.Sequential(nn.SiLU(), nn.Linear(emb_dim, out_channels))

        def forward(self, x, skip_x, t):
            x = self.up(x)
            x = torch.cat([skip_x, x], dim=1)
            x = self.conv(x)
            emb = self.emb_layer(t)[:, :, None, None].repeat(1, 1, x.shape[-2], x.shape[-1])
            return x + emb

    class UNet_conditional(nn.Module):
        def __init__(self, c_in=1, c_out=1, time_dim=32, num_classes=None, device="cpu"):
            super().__init__()
            self.device = device
            self.time_dim = time_dim
            self.inc = DoubleConv(c_in, 8)
            self.down1 = Down(8, 16)
            self.sa1 = SelfAttention(16)
            self.down2 = Down(16, 32)
            self.sa2 = SelfAttention(32)
            self.down3 = Down(32, 32)
            self.sa3 = SelfAttention(32)
            self.bot1 = DoubleConv(32, 32)
            self.bot3 = DoubleConv(32, 32)
            self.up1 = Up(64, 16)
            self.sa4 = SelfAttention(16)
            self.up2 = Up(32, 8)
            self.sa5 = SelfAttention(8)
            self.up3 = Up(16, 8)
            self.sa6 = SelfAttention(8)
            self.outc = nn.Conv2d(8, c_out, kernel_size=1)
            if num_classes is not None:
                self.label_emb = nn.Embedding(num_classes, time_dim)

        def pos_encoding(self, t, channels):
            inv_freq = 1.0 / (
                10000
                ** (torch.arange(0, channels, 2, device=self.device).double() / channels)
            )  # .float(): see the top
            pos_enc_a = torch.sin(t.repeat(1, channels // 2) * inv_freq)
            pos_enc_b = torch.cos(t.repeat(1, channels // 2) * inv_freq)
            pos_enc = torch.cat([pos_enc_a, pos_enc_b], dim=-1)
            return pos_enc

        def forward(self, x, t, y):
            t = t.unsqueeze(-1).type(torch.double)  # .type(torch.float): see the top
            t = self.pos_encoding(t, self.time_dim)
            if y is not None:
                t += self.label_emb(y)
            x1 = self.inc(x)
            x2 = self.sa1(self.down1(x1, t))
            x3 = self.sa2(self.down2(x2, t))
            x4 = self.sa3(self.down3(x3, t))
            x = self.bot3(self.bot1(x4))
            x = self.sa4(self.up1(x, x3, t))
            x = self.sa5(self.up2(x, x2, t))
            x = self.sa6(self.up3(x, x1, t))
            return self.outc(x)

    class Diffusion:
        def __init__(self, noise_steps=1000, beta_start=1e-4, beta_end=0.02, img_size=256,
                     num_classes=10, device="cuda"):
            self.noise_steps = noise_steps
            self.beta_start = beta_start
            self.beta_end = beta_end
            self.beta = self.prepare_noise_schedule().to(device)
            self.alpha = 1. - self.beta
            self.alpha_hat = torch.cumprod(self.alpha, dim=0)
            self.img_size = img_size
            self.model = UNet_conditional(num_classes=num_classes).to(device)
            if start is not None:  # the test's glue: PyTorch's initial weights
                self.model.load_state_dict(start)
            self.ema_model = copy.deepcopy(self.model).eval().requires_grad_(False)
            self.device = device

        def prepare_noise_schedule(self):
            return torch.linspace(self.beta_start, self.beta_end, self.noise_steps)

        def noise_images(self, x, t):
            sqrt_alpha_hat = torch.sqrt(self.alpha_hat[t])[:, None, None, None]
            sqrt_one_minus_alpha_hat = torch.sqrt(1 - self.alpha_hat[t])[:, None, None, None]
            Ɛ = torch.randn_like(x)
            return sqrt_alpha_hat * x + sqrt_one_minus_alpha_hat * Ɛ, Ɛ

        def sample_timesteps(self, n):
            return torch.randint(low=1, high=self.noise_steps, size=(n,))

        @torch.inference_mode()
        def sample(self, use_ema, n, labels, cfg_scale=3):
            model = self.ema_model if use_ema else self.model
            model.eval()
            with torch.inference_mode():
                x = torch.randn((n, 1, self.img_size, self.img_size)).to(self.device)
                for i in reversed(range(1, self.noise_steps)):
                    t = (torch.ones(n) * i).long().to(self.device)
                    predicted_noise = self.model(x, t, labels)
                    if cfg_scale > 0:
                        uncond_predicted_noise = model(x, t, None)
                        predicted_noise = torch.lerp(uncond_predicted_noise, predicted_noise,
                                                     cfg_scale)
                    alpha = self.alpha[t][:, None, None, None]
                    alpha_hat = self.alpha_hat[t][:, None, None, None]
                    beta = self.beta[t][:, None, None, None]
                    if i > 1:
                        noise = torch.randn_like(x)
                    else:
                        noise = torch.zeros_like(x)
                    x = 1 / torch.sqrt(alpha) * (x - ((1 - alpha) / (torch.sqrt(
                        1 - alpha_hat))) * predicted_noise) + torch.sqrt(beta) * noise
            self.record["raw"].append(x.numpy())
            x = (x.clamp(-1, 1) + 1) / 2
            x = (x * 255).type(torch.uint8)
            return x

        def one_epoch(self, train=True):
            avg_loss = 0.
            if train:
                self.model.train()
            else:
                self.model.eval()
            for i, (images, labels) in enumerate(self.train_dataloader):
                with torch.autocast("cuda") and (
                        torch.inference_mode() if not train else torch.enable_grad()):
                    images = images.to(self.device)
                    labels = labels.to(self.device)
                    t = self.sample_timesteps(images.shape[0]).to(self.device)
                    x_t, noise = self.noise_images(images, t)
                    if np.random.random() < 0.1:
                        labels = None
                    predicted_noise = self.model(x_t, t, labels)
                    loss = self.mse(noise, predicted_noise)
                    avg_loss += loss
                    if train:
                        self.optimizer.zero_grad()
                        self.scheduler.step()
                        loss.backward()
                        self.record["grads"].append(grads(self.model))
                        self.optimizer.step()
                        self.ema.step_ema(self.ema_model, self.model, step_start_ema=1)
                    self.record["losses"].append(loss.item())
            return avg_loss.mean().item()

        def fit(self, args):
            self.record = {"start": state(self.model), "losses": [], "grads": [], "raw": [],
                           "images": [], "val": []}
            self.train_dataloader = data.DataLoader(dataset, batch_size=args.batch_size,
                                                    shuffle=True)
            self.optimizer = optim.AdamW(self.model.parameters(), lr=args.lr,
                                         weight_decay=0.001)
            self.scheduler = optim.lr_scheduler.OneCycleLR(
                self.optimizer, max_lr=args.lr, steps_per_epoch=len(self.train_dataloader),
                epochs=args.epochs)
            self.mse = nn.MSELoss()
            self.ema = EMA(0.995)
            for epoch in range(args.epochs):
                self.model.train()
                _ = self.one_epoch(train=True)
                avg_loss = self.one_epoch(train=False)
                self.record["val"].append(avg_loss)
                labels = torch.arange(10).long().to(self.device)
                sampled_images = self.sample(use_ema=False, n=len(labels), labels=labels)
                ema_sampled_images = self.sample(use_ema=True, n=len(labels), labels=labels)
                self.record["images"] += [sampled_images.numpy(), ema_sampled_images.numpy()]
            self.record.update(end=state(self.model), ema=state(self.ema_model))
            return self.record

    np.random.seed(42)  # set_seed(config.seed), the part the test's glue does not replay
    diffuser = Diffusion(6, img_size=8, num_classes=10, device="cpu")
    if epochs == 0:
        return {"start": state(diffuser.model)}
    return diffuser.fit(type("Config", (), dict(batch_size=8, lr=3e-4, epochs=epochs)))


def test_dome272_conditional_diffusion(torch):
    images, labels = digits(16, lambda x: x * 2 - 1)
    draws, order = [], []
    torch.manual_seed(0)
    lib = libraries()
    lib[0].manual_seed(0)
    T, *rest = libraries(torch)
    start = dome_diffusion(T, *rest, None, epochs=0)["start"]
    got = dome_diffusion(Draws(lib[0], draws=draws), *lib[1:],
                         Digits(lib[0], images, labels, order=order), start)
    start = {k: torch.tensor(v) for k, v in start.items()}
    want = dome_diffusion(Draws(T, replay=draws), *rest, Digits(T, images, labels,
                                                                replay=order), start)
    assert not draws and not order
    assert_same(got, want)
    assert got["images"][0].dtype == np.uint8 and got["images"][0].shape == (10, 1, 8, 8)
