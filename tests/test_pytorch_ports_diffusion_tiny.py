"""tiny-diffusion's ``ddpm.py`` (tanelp/tiny-diffusion), a minimal DDPM on 2-D data, ported
as its readers write it: ``SinusoidalEmbedding`` of the timestep and of each coordinate
(``torch.log(torch.Tensor([10000.0]))``, ``torch.exp(-emb * torch.arange(half_size))``,
``torch.cat((torch.sin(emb), torch.cos(emb)), dim=-1)``), the ``MLP`` of GELU ``Block``s with
residual connections, the ``NoiseScheduler`` (``betas`` linear or quadratic in float32,
``torch.cumprod(self.alphas, axis=0)``, ``F.pad(self.alphas_cumprod[:-1], (1, 0),
value=1.)``, ``add_noise``, ``step`` with the posterior variance ``.clip(1e-20)``), the
training loop (``loss.backward(loss)``, ``nn.utils.clip_grad_norm_``, ``AdamW``) and the
sampling loop under ``no_grad``. Written once for a library ``torch``, it runs step for
step next to PyTorch's from the same weights, batches and noise: every loss, gradient,
parameter and sampled frame agrees to 1e-10.

Data: tiny-diffusion's ``moons_dataset`` (scikit-learn's ``make_moons``, 8000 points) cut to
96 points; the sizes are shrunk (embeddings 16, hidden 16, 2 blocks, 40 timesteps, batch
32, 2 epochs, 24 samples).

Lines written differently here, and why:
- ``torch.optim.AdamW`` is ``optim.AdamW``: the optimizers live in ``nn.optim`` (``autograd``
  never imports ``nn``);
- ``torch.linspace(..., dtype=torch.float32)`` of the betas takes its dtype from a new
  ``--betas_dtype`` option (default float32, float64 in the 1e-10 comparisons): PyTorch's
  float32 linspace is computed in (vectorised) float32 arithmetic, ours in float64
  rounded once, so a few betas differ by an ulp; the float32 run is compared at
  float32's precision in its own test;
- ``config = parser.parse_args()`` reads ``argv`` (the test's); ``tqdm`` progress bars and the
  saved plots are left out;
- the test's glue: the dataset records the order our shuffling loader read it in and
  PyTorch's replays it, our ``randn``/``randint``/``randn_like`` draws are replayed on
  PyTorch's side (``Draws``), and PyTorch's initial weights are loaded into ours.
"""

import argparse

import numpy as np

from diffusion_helpers import (Draws, OrderedDataset, assert_same, grads, libraries, moons,
                               state)


def tiny_diffusion(torch, nn, optim, data, argv=(), glue=None) -> dict:
    """ddpm.py's modules and main block for the library ``torch``; returns the record."""
    F = nn.functional

    class SinusoidalEmbedding(nn.Module):
        def __init__(self, size: int, scale: float = 1.0):
            super().__init__()
            self.size = size
            self.scale = scale

        def forward(self, x):
            x = x * self.scale
            half_size = self.size // 2
            emb = torch.log(torch.Tensor([10000.0])) / (half_size - 1)
            emb = torch.exp(-emb * torch.arange(half_size))
            emb = x.unsqueeze(-1) * emb.unsqueeze(0)
            emb = torch.cat((torch.sin(emb), torch.cos(emb)), dim=-1)
            return emb

        def __len__(self):
            return self.size

    class PositionalEmbedding(nn.Module):
        def __init__(self, size: int, type: str, **kwargs):
            super().__init__()
            if type == "sinusoidal":
                self.layer = SinusoidalEmbedding(size, **kwargs)
            else:
                raise ValueError(f"Unknown positional embedding type: {type}")

        def forward(self, x):
            return self.layer(x)

    class Block(nn.Module):
        def __init__(self, size: int):
            super().__init__()
            self.ff = nn.Linear(size, size)
            self.act = nn.GELU()

        def forward(self, x):
            return x + self.act(self.ff(x))

    class MLP(nn.Module):
        def __init__(self, hidden_size: int = 128, hidden_layers: int = 3,
                     emb_size: int = 128, time_emb: str = "sinusoidal",
                     input_emb: str = "sinusoidal"):
            super().__init__()
            self.time_mlp = PositionalEmbedding(emb_size, time_emb)
            self.input_mlp1 = PositionalEmbedding(emb_size, input_emb, scale=25.0)
            self.input_mlp2 = PositionalEmbedding(emb_size, input_emb, scale=25.0)
            concat_size = (len(self.time_mlp.layer) + len(self.input_mlp1.layer)
                           + len(self.input_mlp2.layer))
            layers = [nn.Linear(concat_size, hidden_size), nn.GELU()]
            for _ in range(hidden_layers):
                layers.append(Block(hidden_size))
            layers.append(nn.Linear(hidden_size, 2))
            self.joint_mlp = nn.Sequential(*layers)

        def forward(self, x, t):
            x1_emb = self.input_mlp1(x[:, 0])
            x2_emb = self.input_mlp2(x[:, 1])
            t_emb = self.time_mlp(t)
            x = torch.cat((x1_emb, x2_emb, t_emb), dim=-1)
            x = self.joint_mlp(x)
            return x

    class NoiseScheduler():
        def __init__(self, num_timesteps=1000, beta_start=0.0001, beta_end=0.02,
                     beta_schedule="linear"):
            self.num_timesteps = num_timesteps
            if beta_schedule == "linear":
                self.betas = torch.linspace(  # dtype=torch.float32: see the top
                    beta_start, beta_end, num_timesteps, dtype=betas_dtype)
            elif beta_schedule == "quadratic":
                self.betas = torch.linspace(  # dtype=torch.float32: see the top
                    beta_start ** 0.5, beta_end ** 0.5, num_timesteps, dtype=betas_dtype) ** 2

            self.alphas = 1.0 - self.betas
            self.alphas_cumprod = torch.cumprod(self.alphas, axis=0)
            self.alphas_cumprod_prev = F.pad(
                self.alphas_cumprod[:-1], (1, 0), value=1.)

            # required for self.add_noise
            self.sqrt_alphas_cumprod = self.alphas_cumprod ** 0.5
            self.sqrt_one_minus_alphas_cumprod = (1 - self.alphas_cumprod) ** 0.5

            # required for reconstruct_x0
            self.sqrt_inv_alphas_cumprod = torch.sqrt(1 / self.alphas_cumprod)
            self.sqrt_inv_alphas_cumprod_minus_one = torch.sqrt(
                1 / self.alphas_cumprod - 1)

            # required for q_posterior
            self.posterior_mean_coef1 = self.betas * torch.sqrt(
                self.alphas_cumprod_prev) / (1. - self.alphas_cumprod)
            self.posterior_mean_coef2 = (1. - self.alphas_cumprod_prev) * torch.sqrt(
                self.alphas) / (1. - self.alphas_cumprod)

        def reconstruct_x0(self, x_t, t, noise):
            s1 = self.sqrt_inv_alphas_cumprod[t]
            s2 = self.sqrt_inv_alphas_cumprod_minus_one[t]
            s1 = s1.reshape(-1, 1)
            s2 = s2.reshape(-1, 1)
            return s1 * x_t - s2 * noise

        def q_posterior(self, x_0, x_t, t):
            s1 = self.posterior_mean_coef1[t]
            s2 = self.posterior_mean_coef2[t]
            s1 = s1.reshape(-1, 1)
            s2 = s2.reshape(-1, 1)
            mu = s1 * x_0 + s2 * x_t
            return mu

        def get_variance(self, t):
            if t == 0:
                return 0

            variance = self.betas[t] * (1. - self.alphas_cumprod_prev[t]) / (
                1. - self.alphas_cumprod[t])
            variance = variance.clip(1e-20)
            return variance

        def step(self, model_output, timestep, sample):
            t = timestep
            pred_original_sample = self.reconstruct_x0(sample, t, model_output)
            pred_prev_sample = self.q_posterior(pred_original_sample, sample, t)

            variance = 0
            if t > 0:
                noise = torch.randn_like(model_output)
                variance = (self.get_variance(t) ** 0.5) * noise

            pred_prev_sample = pred_prev_sample + variance

            return pred_prev_sample

        def add_noise(self, x_start, x_noise, timesteps):
            s1 = self.sqrt_alphas_cumprod[timesteps]
            s2 = self.sqrt_one_minus_alphas_cumprod[timesteps]

            s1 = s1.reshape(-1, 1)
            s2 = s2.reshape(-1, 1)

            return s1 * x_start + s2 * x_noise

        def __len__(self):
            return self.num_timesteps

    parser = argparse.ArgumentParser()
    parser.add_argument("--experiment_name", type=str, default="base")
    parser.add_argument("--dataset", type=str, default="dino",
                        choices=["circle", "dino", "line", "moons"])
    parser.add_argument("--train_batch_size", type=int, default=32)
    parser.add_argument("--eval_batch_size", type=int, default=1000)
    parser.add_argument("--num_epochs", type=int, default=200)
    parser.add_argument("--learning_rate", type=float, default=1e-3)
    parser.add_argument("--num_timesteps", type=int, default=50)
    parser.add_argument("--beta_schedule", type=str, default="linear",
                        choices=["linear", "quadratic"])
    parser.add_argument("--embedding_size", type=int, default=128)
    parser.add_argument("--hidden_size", type=int, default=128)
    parser.add_argument("--hidden_layers", type=int, default=3)
    parser.add_argument("--time_embedding", type=str, default="sinusoidal",
                        choices=["sinusoidal"])  # tiny-diffusion's others are left out
    parser.add_argument("--input_embedding", type=str, default="sinusoidal",
                        choices=["sinusoidal"])  # tiny-diffusion's others are left out
    parser.add_argument("--save_images_step", type=int, default=1)
    parser.add_argument("--betas_dtype", type=str, default="float32")  # see the top
    config = parser.parse_args(list(argv))
    betas_dtype = getattr(torch, config.betas_dtype)

    dataset = glue["dataset"]  # datasets.get_dataset(config.dataset)
    dataloader = data.DataLoader(
        dataset, batch_size=config.train_batch_size, shuffle=True, drop_last=True)

    model = MLP(
        hidden_size=config.hidden_size,
        hidden_layers=config.hidden_layers,
        emb_size=config.embedding_size,
        time_emb=config.time_embedding,
        input_emb=config.input_embedding)
    if glue.get("start") is not None:  # the test's glue: PyTorch's initial weights
        model.load_state_dict(glue["start"])
    record = {"start": state(model), "losses": [], "grads": [], "frames": []}

    noise_scheduler = NoiseScheduler(
        num_timesteps=config.num_timesteps,
        beta_schedule=config.beta_schedule)

    optimizer = optim.AdamW(  # torch.optim.AdamW: ``autograd`` does not import ``nn``
        model.parameters(),
        lr=config.learning_rate,
    )

    global_step = 0
    frames = []
    losses = []
    print("Training model...")
    for epoch in range(config.num_epochs):
        model.train()
        for step, batch in enumerate(dataloader):
            batch = batch[0]
            noise = torch.randn(batch.shape)
            timesteps = torch.randint(
                0, noise_scheduler.num_timesteps, (batch.shape[0],)
            ).long()

            noisy = noise_scheduler.add_noise(batch, noise, timesteps)
            noise_pred = model(noisy, timesteps)
            loss = F.mse_loss(noise_pred, noise)
            loss.backward(loss)

            nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            record["grads"].append(grads(model))
            optimizer.step()
            optimizer.zero_grad()

            logs = {"loss": loss.detach().item(), "step": global_step}  # noqa: F841 (tqdm's)
            losses.append(loss.detach().item())
            global_step += 1

        if epoch % config.save_images_step == 0 or epoch == config.num_epochs - 1:
            # generate data with the model to later visualize the learning process
            model.eval()
            sample = torch.randn(config.eval_batch_size, 2)
            timesteps = list(range(len(noise_scheduler)))[::-1]
            for i, t in enumerate(timesteps):
                t = torch.from_numpy(np.repeat(t, config.eval_batch_size)).long()
                with torch.no_grad():
                    residual = model(sample, t)
                sample = noise_scheduler.step(residual, t[0], sample)
            frames.append(sample.numpy())
    record.update(losses=losses, frames=frames, end=state(model))
    record["alphas_cumprod_prev"] = noise_scheduler.alphas_cumprod_prev.numpy()
    return record


ARGV = ["--betas_dtype", "float64", "--dataset", "moons", "--train_batch_size", "32",
        "--eval_batch_size", "24",
        "--num_epochs", "2", "--num_timesteps", "40", "--embedding_size", "16",
        "--hidden_size", "16", "--hidden_layers", "2"]


def run_both(torch, argv) -> tuple[dict, dict]:
    """The program in both libraries from PyTorch's initial weights, with our shuffled
    order and random draws replayed on PyTorch's side."""
    points = moons()[:96]
    order, draws = [], []
    torch.manual_seed(0)
    T, nn, optim, data = libraries(torch)
    want_glue = {"dataset": OrderedDataset(T, points, replay=order)}
    lib = libraries()
    got_glue = {"dataset": OrderedDataset(lib[0], points, order=order)}
    # our run first (it records), PyTorch's second (it replays), from PyTorch's weights
    start = tiny_diffusion(T, nn, optim, data, argv + ["--num_epochs", "0"],
                           {"dataset": want_glue["dataset"]})["start"]
    got = tiny_diffusion(Draws(lib[0], draws=draws), *lib[1:], argv,
                         dict(got_glue, start=start))
    start = {k: torch.tensor(v) for k, v in start.items()}
    want = tiny_diffusion(Draws(T, replay=draws), nn, optim, data, argv,
                          dict(want_glue, start=start))
    assert not draws and not order
    return got, want


def test_tiny_diffusion_linear_schedule(torch, capsys):
    got, want = run_both(torch, ARGV)
    assert_same(got, want)
    assert len(got["losses"]) == 2 * 3 and len(got["frames"]) == 2
    assert got["frames"][0].shape == (24, 2)


def test_tiny_diffusion_quadratic_schedule(torch, capsys):
    got, want = run_both(torch, ARGV + ["--beta_schedule", "quadratic", "--num_epochs", "1"])
    assert_same(got, want)


def test_tiny_diffusion_float32_betas_agree_to_float32_precision(torch, capsys):
    """The reader's float32 betas: an ulp of difference in a few betas (linspace) stays at
    float32's precision through training and sampling."""
    got, want = run_both(torch, ARGV + ["--betas_dtype", "float32", "--num_epochs", "1"])
    assert got["alphas_cumprod_prev"].dtype == np.float32
    for name in ["losses", "frames"]:
        np.testing.assert_allclose(got[name], want[name], rtol=1e-5, atol=1e-6)
