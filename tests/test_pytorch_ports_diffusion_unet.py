"""A small DDPM U-Net on 8x8 digits, as the readers of "The Annotated Diffusion Model"
(Hugging Face) write it: ``SinusoidalPositionEmbeddings`` (``time[:, None] *
embeddings[None, :]``), ``Block`` (Conv2d, GroupNorm, SiLU, the optional scale/shift),
``ResnetBlock`` with its time-embedding MLP added per channel (``time_emb[:, :, None,
None]``), a multi-head ``Attention`` in the middle (``chunk``, ``torch.einsum``, ``sim -
sim.amax(dim=-1, keepdim=True).detach()``, ``softmax``), ``Residual``/``PreNorm``,
down-sampling by a stride-2 convolution, up-sampling by ``nn.ConvTranspose2d`` or by
``F.interpolate`` then a convolution, skip connections with ``torch.cat``; the schedule
(``cosine_beta_schedule`` with ``torch.clip``, ``linear_beta_schedule``), ``extract`` with
``a.gather(-1, t.cpu())``, ``q_sample``, ``p_losses`` (l1, l2, huber), the training loop
(Adam) with an exponential moving average of the weights (dome272's ``EMA``: ``ma_params.data
= old * beta + (1 - beta) * new`` on ``copy.deepcopy(model)``), and ``p_sample_loop`` of the
averaged model under ``@torch.no_grad()``. Written once for a library ``torch``,
it runs step for step next to PyTorch's from the same weights, batches and noise: the
losses, every step's gradients and parameters, and each sampled image agree to 1e-10.

Shrunk: images 1x8x8 (scikit-learn's digits scaled to [-1, 1]), ``dim`` 8 with
``dim_mults`` (1, 2), ``GroupNorm(4, ...)``, 2 heads of 4, 12 timesteps, 2 batches of 8.

Lines written differently here, and why:
- ``einops``' ``rearrange`` (not a dependency) is written with ``reshape``/``permute``, the
  same arrays, and the dataset is a list of tensors (no ``datasets``/``torchvision``);
- ``from torch.optim import Adam`` is ``optim.Adam`` (``autograd`` does not import ``nn``);
- the test's glue: PyTorch's initial weights in both; our ``randn``/``randn_like``/``randint``
  draws are replayed on PyTorch's side (``Draws``); hooks record each optimizer step.
"""

import copy
import math
from functools import partial

from diffusion_helpers import Draws, assert_same, libraries, state
from pytorch_examples_helpers import digits, record_steps


def annotated_diffusion(torch, nn, optim, data, images, glue, loss_type="huber",
                        schedule="cosine", up="transpose", epochs=1, timesteps=12) -> dict:
    """The notebook's cells for the library ``torch``; returns the record."""
    F = nn.functional

    def exists(x):
        return x is not None

    def default(val, d):
        if exists(val):
            return val
        return d() if callable(d) else d

    class Residual(nn.Module):
        def __init__(self, fn):
            super().__init__()
            self.fn = fn

        def forward(self, x, *args, **kwargs):
            return self.fn(x, *args, **kwargs) + x

    def Upsample(dim, dim_out=None):
        if up == "transpose":
            return nn.ConvTranspose2d(dim, default(dim_out, dim), 4, 2, 1)
        return Interpolate(dim, default(dim_out, dim))

    class Interpolate(nn.Module):
        """nn.Upsample(scale_factor=2, mode="nearest") then a 3x3 convolution."""
        def __init__(self, dim, dim_out):
            super().__init__()
            self.conv = nn.Conv2d(dim, dim_out, 3, padding=1)

        def forward(self, x):
            return self.conv(F.interpolate(x, scale_factor=2, mode="nearest"))

    def Downsample(dim, dim_out=None):
        return nn.Conv2d(dim, default(dim_out, dim), 4, 2, 1)

    class SinusoidalPositionEmbeddings(nn.Module):
        def __init__(self, dim):
            super().__init__()
            self.dim = dim

        def forward(self, time):
            device = time.device
            half_dim = self.dim // 2
            embeddings = math.log(10000) / (half_dim - 1)
            embeddings = torch.exp(torch.arange(half_dim, device=device) * -embeddings)
            embeddings = time[:, None] * embeddings[None, :]
            embeddings = torch.cat((embeddings.sin(), embeddings.cos()), dim=-1)
            return embeddings

    class Block(nn.Module):
        def __init__(self, dim, dim_out, groups=8):
            super().__init__()
            self.proj = nn.Conv2d(dim, dim_out, 3, padding=1)
            self.norm = nn.GroupNorm(groups, dim_out)
            self.act = nn.SiLU()

        def forward(self, x, scale_shift=None):
            x = self.proj(x)
            x = self.norm(x)
            if exists(scale_shift):
                scale, shift = scale_shift
                x = x * (scale + 1) + shift
            x = self.act(x)
            return x

    class ResnetBlock(nn.Module):
        def __init__(self, dim, dim_out, *, time_emb_dim=None, groups=8):
            super().__init__()
            self.mlp = (
                nn.Sequential(nn.SiLU(), nn.Linear(time_emb_dim, dim_out))
                if exists(time_emb_dim) else None)
            self.block1 = Block(dim, dim_out, groups=groups)
            self.block2 = Block(dim_out, dim_out, groups=groups)
            self.res_conv = nn.Conv2d(dim, dim_out, 1) if dim != dim_out else nn.Identity()

        def forward(self, x, time_emb=None):
            h = self.block1(x)
            if exists(self.mlp) and exists(time_emb):
                time_emb = self.mlp(time_emb)
                h = time_emb[:, :, None, None] + h  # rearrange(time_emb, "b c -> b c 1 1")
            h = self.block2(h)
            return h + self.res_conv(x)

    class Attention(nn.Module):
        def __init__(self, dim, heads=4, dim_head=32):
            super().__init__()
            self.scale = dim_head**-0.5
            self.heads = heads
            hidden_dim = dim_head * heads
            self.to_qkv = nn.Conv2d(dim, hidden_dim * 3, 1, bias=False)
            self.to_out = nn.Conv2d(hidden_dim, dim, 1)

        def forward(self, x):
            b, c, h, w = x.shape
            qkv = self.to_qkv(x).chunk(3, dim=1)
            # rearrange(t, "b (h c) x y -> b h c (x y)", h=self.heads)
            q, k, v = map(lambda t: t.reshape(b, self.heads, -1, h * w), qkv)
            q = q * self.scale

            sim = torch.einsum("b h d i, b h d j -> b h i j", q, k)
            sim = sim - sim.amax(dim=-1, keepdim=True).detach()
            attn = sim.softmax(dim=-1)

            out = torch.einsum("b h i j, b h d j -> b h i d", attn, v)
            # rearrange(out, "b h (x y) d -> b (h d) x y", x=h, y=w)
            out = out.permute(0, 1, 3, 2).reshape(b, -1, h, w)
            return self.to_out(out)

    class PreNorm(nn.Module):
        def __init__(self, dim, fn):
            super().__init__()
            self.fn = fn
            self.norm = nn.GroupNorm(1, dim)

        def forward(self, x):
            x = self.norm(x)
            return self.fn(x)

    class Unet(nn.Module):
        def __init__(self, dim, init_dim=None, out_dim=None, dim_mults=(1, 2, 4, 8),
                     channels=3, resnet_block_groups=4, heads=2, dim_head=4):
            super().__init__()
            self.channels = channels
            input_channels = channels
            init_dim = default(init_dim, dim)
            self.init_conv = nn.Conv2d(input_channels, init_dim, 1, padding=0)
            dims = [init_dim, *map(lambda m: dim * m, dim_mults)]
            in_out = list(zip(dims[:-1], dims[1:]))
            block_klass = partial(ResnetBlock, groups=resnet_block_groups)
            time_dim = dim * 4
            self.time_mlp = nn.Sequential(
                SinusoidalPositionEmbeddings(dim),
                nn.Linear(dim, time_dim),
                nn.GELU(),
                nn.Linear(time_dim, time_dim),
            )
            self.downs = nn.ModuleList([])
            self.ups = nn.ModuleList([])
            num_resolutions = len(in_out)
            for ind, (dim_in, dim_out) in enumerate(in_out):
                is_last = ind >= (num_resolutions - 1)
                self.downs.append(nn.ModuleList([
                    block_klass(dim_in, dim_in, time_emb_dim=time_dim),
                    block_klass(dim_in, dim_in, time_emb_dim=time_dim),
                    Downsample(dim_in, dim_out) if not is_last
                    else nn.Conv2d(dim_in, dim_out, 3, padding=1),
                ]))
            mid_dim = dims[-1]
            self.mid_block1 = block_klass(mid_dim, mid_dim, time_emb_dim=time_dim)
            self.mid_attn = Residual(PreNorm(mid_dim, Attention(mid_dim, heads, dim_head)))
            self.mid_block2 = block_klass(mid_dim, mid_dim, time_emb_dim=time_dim)
            for ind, (dim_in, dim_out) in enumerate(reversed(in_out)):
                is_last = ind == (len(in_out) - 1)
                self.ups.append(nn.ModuleList([
                    block_klass(dim_out + dim_in, dim_out, time_emb_dim=time_dim),
                    block_klass(dim_out + dim_in, dim_out, time_emb_dim=time_dim),
                    Upsample(dim_out, dim_in) if not is_last
                    else nn.Conv2d(dim_out, dim_in, 3, padding=1),
                ]))
            self.out_dim = default(out_dim, channels)
            self.final_res_block = block_klass(dim * 2, dim, time_emb_dim=time_dim)
            self.final_conv = nn.Conv2d(dim, self.out_dim, 1)

        def forward(self, x, time):
            x = self.init_conv(x)
            r = x.clone()
            t = self.time_mlp(time)
            h = []
            for block1, block2, downsample in self.downs:
                x = block1(x, t)
                h.append(x)
                x = block2(x, t)
                h.append(x)
                x = downsample(x)
            x = self.mid_block1(x, t)
            x = self.mid_attn(x)
            x = self.mid_block2(x, t)
            for block1, block2, upsample in self.ups:
                x = torch.cat((x, h.pop()), dim=1)
                x = block1(x, t)
                x = torch.cat((x, h.pop()), dim=1)
                x = block2(x, t)
                x = upsample(x)
            x = torch.cat((x, r), dim=1)
            x = self.final_res_block(x, t)
            return self.final_conv(x)

    def cosine_beta_schedule(timesteps, s=0.008):
        steps = timesteps + 1
        x = torch.linspace(0, timesteps, steps)
        alphas_cumprod = torch.cos(((x / timesteps) + s) / (1 + s) * torch.pi * 0.5) ** 2
        alphas_cumprod = alphas_cumprod / alphas_cumprod[0]
        betas = 1 - (alphas_cumprod[1:] / alphas_cumprod[:-1])
        return torch.clip(betas, 0.0001, 0.9999)

    def linear_beta_schedule(timesteps):
        beta_start = 0.0001
        beta_end = 0.02
        return torch.linspace(beta_start, beta_end, timesteps)

    schedules = {"cosine": cosine_beta_schedule, "linear": linear_beta_schedule}
    betas = schedules[schedule](timesteps=timesteps)
    alphas = 1. - betas
    alphas_cumprod = torch.cumprod(alphas, axis=0)
    alphas_cumprod_prev = F.pad(alphas_cumprod[:-1], (1, 0), value=1.0)
    sqrt_recip_alphas = torch.sqrt(1.0 / alphas)
    sqrt_alphas_cumprod = torch.sqrt(alphas_cumprod)
    sqrt_one_minus_alphas_cumprod = torch.sqrt(1. - alphas_cumprod)
    posterior_variance = betas * (1. - alphas_cumprod_prev) / (1. - alphas_cumprod)

    def extract(a, t, x_shape):
        batch_size = t.shape[0]
        out = a.gather(-1, t.cpu())
        return out.reshape(batch_size, *((1,) * (len(x_shape) - 1))).to(t.device)

    def q_sample(x_start, t, noise=None):
        if noise is None:
            noise = torch.randn_like(x_start)
        sqrt_alphas_cumprod_t = extract(sqrt_alphas_cumprod, t, x_start.shape)
        sqrt_one_minus_alphas_cumprod_t = extract(
            sqrt_one_minus_alphas_cumprod, t, x_start.shape)
        return sqrt_alphas_cumprod_t * x_start + sqrt_one_minus_alphas_cumprod_t * noise

    def p_losses(denoise_model, x_start, t, noise=None, loss_type="l1"):
        if noise is None:
            noise = torch.randn_like(x_start)
        x_noisy = q_sample(x_start=x_start, t=t, noise=noise)
        predicted_noise = denoise_model(x_noisy, t)
        if loss_type == 'l1':
            loss = F.l1_loss(noise, predicted_noise)
        elif loss_type == 'l2':
            loss = F.mse_loss(noise, predicted_noise)
        elif loss_type == "huber":
            loss = F.smooth_l1_loss(noise, predicted_noise)
        else:
            raise NotImplementedError()
        return loss

    @torch.no_grad()
    def p_sample(model, x, t, t_index):
        betas_t = extract(betas, t, x.shape)
        sqrt_one_minus_alphas_cumprod_t = extract(sqrt_one_minus_alphas_cumprod, t, x.shape)
        sqrt_recip_alphas_t = extract(sqrt_recip_alphas, t, x.shape)
        model_mean = sqrt_recip_alphas_t * (
            x - betas_t * model(x, t) / sqrt_one_minus_alphas_cumprod_t)
        if t_index == 0:
            return model_mean
        else:
            posterior_variance_t = extract(posterior_variance, t, x.shape)
            noise = torch.randn_like(x)
            return model_mean + torch.sqrt(posterior_variance_t) * noise

    @torch.no_grad()
    def p_sample_loop(model, shape):
        device = next(model.parameters()).device
        b = shape[0]
        img = torch.randn(shape, device=device)
        imgs = []
        for i in reversed(range(0, timesteps)):
            img = p_sample(model, img, torch.full((b,), i, device=device, dtype=torch.long), i)
            imgs.append(img.cpu().numpy())
        return imgs

    @torch.no_grad()
    def sample(model, image_size, batch_size=16, channels=3):
        return p_sample_loop(model, shape=(batch_size, channels, image_size, image_size))

    class EMA:
        """dome272/Diffusion-Models-pytorch's exponential moving average of the weights."""
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

    image_size, channels, batch_size = 8, 1, 8
    dataloader = data.DataLoader(
        [torch.tensor(image) * 2 - 1 for image in images],  # Lambda(lambda t: (t * 2) - 1)
        batch_size=batch_size, shuffle=False)
    device = "cuda" if torch.cuda.is_available() else "cpu"
    model = Unet(dim=image_size, channels=channels, dim_mults=(1, 2))
    model.load_state_dict(glue["start"]) if "start" in glue else None  # the test's glue
    record = {"start": state(model), "losses": [], "steps": []}
    model.to(device)
    optimizer = optim.Adam(model.parameters(), lr=1e-3)
    ema = EMA(0.9)
    ema_model = copy.deepcopy(model).eval().requires_grad_(False)
    record_steps(optimizer, record["steps"])

    for epoch in range(epochs):
        for step, batch in enumerate(dataloader):
            optimizer.zero_grad()
            batch_size = batch.shape[0]
            batch = batch.to(device)
            # Algorithm 1 line 3: sample t uniformally for every example in the batch
            t = torch.randint(0, timesteps, (batch_size,), device=device).long()
            loss = p_losses(model, batch, t, loss_type=loss_type)
            record["losses"].append(loss.item())
            loss.backward()
            optimizer.step()
            ema.step_ema(ema_model, model, step_start_ema=1)

    samples = sample(ema_model, image_size=image_size, batch_size=4, channels=channels)
    record.update(samples=samples, ema=state(ema_model))
    return record


def run_both(torch, **options) -> tuple[dict, dict]:
    images = digits(16, lambda x: x)[0]
    draws = []
    torch.manual_seed(0)
    lib = libraries()
    T, *rest = libraries(torch)
    start = annotated_diffusion(T, *rest, images[:0], {}, epochs=0, **options)["start"]
    got = annotated_diffusion(Draws(lib[0], draws=draws), *lib[1:], images,
                              {"start": start}, **options)
    start = {k: torch.tensor(v) for k, v in start.items()}
    want = annotated_diffusion(Draws(T, replay=draws), *rest, images, {"start": start},
                               **options)
    assert not draws
    return got, want


def test_unet_ddpm_huber_cosine_transposed_convolution(torch):
    got, want = run_both(torch)
    assert_same(got, want)
    assert len(got["losses"]) == 2 and len(got["samples"]) == 12
    assert got["samples"][-1].shape == (4, 1, 8, 8)


def test_unet_ddpm_l2_linear_interpolation(torch):
    got, want = run_both(torch, loss_type="l2", schedule="linear", up="interpolate")
    assert_same(got, want)


def test_unet_ddpm_l1_loss(torch):
    got, want = run_both(torch, loss_type="l1", timesteps=3)
    assert_same(got, want)
