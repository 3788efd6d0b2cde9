"""TeaPearce/Conditional_Diffusion_MNIST's ``script.py``, a class-conditional DDPM with
classifier-free guidance, ported as written: ``ResidualConvBlock`` (Conv2d, BatchNorm2d,
GELU, the residual ``/ 1.414``), ``UnetDown`` (MaxPool2d), ``UnetUp`` (ConvTranspose2d after
``torch.cat((x, skip), 1)``), ``EmbedFC``, ``ContextUnet`` (``nn.functional.one_hot(c,
num_classes).type(torch.float)``, the context mask ``-1*(1-context_mask)`` repeated per
class, embeddings that scale and shift the feature maps), ``ddpm_schedules`` (``torch.cumsum(
log_alpha_t, dim=0).exp()``), ``DDPM.forward`` (``self.sqrtab[_ts, None, None, None]``,
``torch.bernoulli(torch.zeros_like(c)+self.drop_prob)`` context dropout) and ``DDPM.sample``
(the doubled batch, ``context_mask[n_sample:] = 1.``, ``torch.tensor([i / self.n_T]).repeat(
n_sample,1,1,1)``, the guided mix ``(1+guide_w)*eps1 - guide_w*eps2``), trained with Adam
and the manual ``optim.param_groups[0]['lr']`` decay. It runs step for step next to
PyTorch from the same weights, batches and noise: every loss, gradient, parameter and
guided sample agrees to 1e-10.

Shrunk: scikit-learn's 8x8 digits (in [0, 1], MNIST's ``ToTensor``), ``n_feat`` 8, 10
timesteps, 2 batches of 16, 2 epochs, one sample per class for each guidance weight; the
7x7 bottleneck (``nn.AvgPool2d(7)``, ``nn.ConvTranspose2d(..., 7, 7)``) is 2x2 here.

Lines written differently here, and why:
- ``torch.arange(0, T + 1, dtype=torch.float32)`` takes its dtype from the schedule's
  ``dtype`` (float64 in the 1e-10 comparison; the reader's float32 run is compared to
  float32's precision: NumPy's and PyTorch's float32 ``log``/``exp`` differ in the last bit);
- ``(c == k).nonzero()`` is ``.nonzero(as_tuple=False)`` (PyTorch's meaning): here the
  bare ``nonzero()`` is a named error (NumPy's reads it as a tuple), which the script's bare
  ``except:`` swallowed, silently picking image 0 for every class;
- ``one_hot(...).type(torch.float)`` is ``.type(torch.double)``, the comparison's float
  (PyTorch's float64 layers refuse float32 inputs);
- ``x_real = torch.Tensor(x_gen.shape)`` (an uninitialised tensor of that shape) is
  ``torch.empty(x_gen.shape)``: a shape here is a plain tuple, so ``Tensor(shape)`` would
  be the 1-D tensor of its numbers (reported);
- ``c_i.repeat(2)`` of the 1-d labels is ``c_i.tile(2)`` (PyTorch has both): a Tensor's
  ``repeat`` here also reads NumPy's spelling (each element repeated), and one count of a
  1-d tensor means different things in the two, a named error saying so (a design choice);
- MNIST is ``Digits`` (it records our shuffled order, PyTorch's replays it); tqdm, the
  saved grids and GIFs are left out; ``device`` is "cpu";
- the test's glue: PyTorch's initial weights; our ``randint``/``randn``/``randn_like``/
  ``bernoulli`` draws replayed on PyTorch's side (``Draws``).
"""

import numpy as np

from diffusion_helpers import Draws, assert_same, grads, libraries, state
from pytorch_examples_helpers import Digits, digits


def conditional_diffusion(torch, nn, optim_module, data, dataset, start=None, n_epoch=2,
                          dtype="float64", ws_test=(0.0, 2.0)) -> dict:
    """script.py's classes and ``train_mnist`` for the library ``torch``."""

    class ResidualConvBlock(nn.Module):
        def __init__(self, in_channels: int, out_channels: int, is_res: bool = False
                     ) -> None:
            super().__init__()
            self.same_channels = in_channels == out_channels
            self.is_res = is_res
            self.conv1 = nn.Sequential(
                nn.Conv2d(in_channels, out_channels, 3, 1, 1),
                nn.BatchNorm2d(out_channels),
                nn.GELU(),
            )
            self.conv2 = nn.Sequential(
                nn.Conv2d(out_channels, out_channels, 3, 1, 1),
                nn.BatchNorm2d(out_channels),
                nn.GELU(),
            )

        def forward(self, x):
            if self.is_res:
                x1 = self.conv1(x)
                x2 = self.conv2(x1)
                # this adds on correct residual in case channels have increased
                if self.same_channels:
                    out = x + x2
                else:
                    out = x1 + x2
                return out / 1.414
            else:
                x1 = self.conv1(x)
                x2 = self.conv2(x1)
                return x2

    class UnetDown(nn.Module):
        def __init__(self, in_channels, out_channels):
            super(UnetDown, self).__init__()
            self.model = nn.Sequential(*[ResidualConvBlock(in_channels, out_channels),
                                         nn.MaxPool2d(2)])

        def forward(self, x):
            return self.model(x)

    class UnetUp(nn.Module):
        def __init__(self, in_channels, out_channels):
            super(UnetUp, self).__init__()
            layers = [
                nn.ConvTranspose2d(in_channels, out_channels, 2, 2),
                ResidualConvBlock(out_channels, out_channels),
                ResidualConvBlock(out_channels, out_channels),
            ]
            self.model = nn.Sequential(*layers)

        def forward(self, x, skip):
            x = torch.cat((x, skip), 1)
            x = self.model(x)
            return x

    class EmbedFC(nn.Module):
        def __init__(self, input_dim, emb_dim):
            super(EmbedFC, self).__init__()
            self.input_dim = input_dim
            layers = [
                nn.Linear(input_dim, emb_dim),
                nn.GELU(),
                nn.Linear(emb_dim, emb_dim),
            ]
            self.model = nn.Sequential(*layers)

        def forward(self, x):
            x = x.view(-1, self.input_dim)
            return self.model(x)

    class ContextUnet(nn.Module):
        def __init__(self, in_channels, n_feat=256, n_classes=10):
            super(ContextUnet, self).__init__()
            self.in_channels = in_channels
            self.n_feat = n_feat
            self.n_classes = n_classes
            self.init_conv = ResidualConvBlock(in_channels, n_feat, is_res=True)
            self.down1 = UnetDown(n_feat, n_feat)
            self.down2 = UnetDown(n_feat, 2 * n_feat)
            self.to_vec = nn.Sequential(nn.AvgPool2d(2), nn.GELU())  # AvgPool2d(7): 28x28
            self.timeembed1 = EmbedFC(1, 2*n_feat)
            self.timeembed2 = EmbedFC(1, 1*n_feat)
            self.contextembed1 = EmbedFC(n_classes, 2*n_feat)
            self.contextembed2 = EmbedFC(n_classes, 1*n_feat)
            self.up0 = nn.Sequential(
                nn.ConvTranspose2d(2 * n_feat, 2 * n_feat, 2, 2),  # 7, 7 for 28x28
                nn.GroupNorm(8, 2 * n_feat),
                nn.ReLU(),
            )
            self.up1 = UnetUp(4 * n_feat, n_feat)
            self.up2 = UnetUp(2 * n_feat, n_feat)
            self.out = nn.Sequential(
                nn.Conv2d(2 * n_feat, n_feat, 3, 1, 1),
                nn.GroupNorm(8, n_feat),
                nn.ReLU(),
                nn.Conv2d(n_feat, self.in_channels, 3, 1, 1),
            )

        def forward(self, x, c, t, context_mask):
            x = self.init_conv(x)
            down1 = self.down1(x)
            down2 = self.down2(down1)
            hiddenvec = self.to_vec(down2)
            # convert context to one hot embedding
            c = nn.functional.one_hot(c, num_classes=self.n_classes).type(
                torch.double)  # .type(torch.float): see the top
            # mask out context if context_mask == 1
            context_mask = context_mask[:, None]
            context_mask = context_mask.repeat(1, self.n_classes)
            context_mask = (-1*(1-context_mask))  # need to flip 0 <-> 1
            c = c * context_mask
            # embed context, time step
            cemb1 = self.contextembed1(c).view(-1, self.n_feat * 2, 1, 1)
            temb1 = self.timeembed1(t).view(-1, self.n_feat * 2, 1, 1)
            cemb2 = self.contextembed2(c).view(-1, self.n_feat, 1, 1)
            temb2 = self.timeembed2(t).view(-1, self.n_feat, 1, 1)
            up1 = self.up0(hiddenvec)
            up2 = self.up1(cemb1*up1 + temb1, down2)  # add and multiply embeddings
            up3 = self.up2(cemb2*up2 + temb2, down1)
            out = self.out(torch.cat((up3, x), 1))
            return out

    def ddpm_schedules(beta1, beta2, T):
        """Returns pre-computed schedules for DDPM sampling, training process."""
        assert beta1 < beta2 < 1.0, "beta1 and beta2 must be in (0, 1)"
        beta_t = (beta2 - beta1) * torch.arange(0, T + 1, dtype=getattr(torch, dtype)) / T \
            + beta1  # dtype=torch.float32: see the top
        sqrt_beta_t = torch.sqrt(beta_t)
        alpha_t = 1 - beta_t
        log_alpha_t = torch.log(alpha_t)
        alphabar_t = torch.cumsum(log_alpha_t, dim=0).exp()
        sqrtab = torch.sqrt(alphabar_t)
        oneover_sqrta = 1 / torch.sqrt(alpha_t)
        sqrtmab = torch.sqrt(1 - alphabar_t)
        mab_over_sqrtmab_inv = (1 - alpha_t) / sqrtmab
        return {
            "alpha_t": alpha_t, "oneover_sqrta": oneover_sqrta, "sqrt_beta_t": sqrt_beta_t,
            "alphabar_t": alphabar_t, "sqrtab": sqrtab, "sqrtmab": sqrtmab,
            "mab_over_sqrtmab": mab_over_sqrtmab_inv,
        }

    class DDPM(nn.Module):
        def __init__(self, nn_model, betas, n_T, device, drop_prob=0.1):
            super(DDPM, self).__init__()
            self.nn_model = nn_model.to(device)
            # register_buffer allows accessing dictionary produced by ddpm_schedules
            for k, v in ddpm_schedules(betas[0], betas[1], n_T).items():
                self.register_buffer(k, v)
            self.n_T = n_T
            self.device = device
            self.drop_prob = drop_prob
            self.loss_mse = nn.MSELoss()

        def forward(self, x, c):
            _ts = torch.randint(1, self.n_T+1, (x.shape[0],)).to(self.device)
            noise = torch.randn_like(x)  # eps ~ N(0, 1)
            x_t = (
                self.sqrtab[_ts, None, None, None] * x
                + self.sqrtmab[_ts, None, None, None] * noise
            )
            # dropout context with some probability
            context_mask = torch.bernoulli(torch.zeros_like(c)+self.drop_prob).to(self.device)
            # return MSE between added noise, and our predicted noise
            return self.loss_mse(noise, self.nn_model(x_t, c, _ts / self.n_T, context_mask))

        def sample(self, n_sample, size, device, guide_w=0.0):
            x_i = torch.randn(n_sample, *size).to(device)  # x_T ~ N(0, 1)
            c_i = torch.arange(0, 10).to(device)  # context cycles through the labels
            c_i = c_i.tile(int(n_sample/c_i.shape[0]))  # .repeat(...): see the top
            # don't drop context at test time
            context_mask = torch.zeros_like(c_i).to(device)
            # double the batch
            c_i = c_i.tile(2)  # c_i.repeat(2)
            context_mask = context_mask.tile(2)  # context_mask.repeat(2)
            context_mask[n_sample:] = 1.  # makes second half of batch context free
            x_i_store = []
            for i in range(self.n_T, 0, -1):
                t_is = torch.tensor([i / self.n_T]).to(device)
                t_is = t_is.repeat(n_sample, 1, 1, 1)
                # double batch
                x_i = x_i.repeat(2, 1, 1, 1)
                t_is = t_is.repeat(2, 1, 1, 1)
                z = torch.randn(n_sample, *size).to(device) if i > 1 else 0
                # split predictions and compute weighting
                eps = self.nn_model(x_i, c_i, t_is, context_mask)
                eps1 = eps[:n_sample]
                eps2 = eps[n_sample:]
                eps = (1+guide_w)*eps1 - guide_w*eps2
                x_i = x_i[:n_sample]
                x_i = (
                    self.oneover_sqrta[i] * (x_i - eps * self.mab_over_sqrtmab[i])
                    + self.sqrt_beta_t[i] * z
                )
                if i % 20 == 0 or i == self.n_T or i < 8:
                    x_i_store.append(x_i.detach().cpu().numpy())
            x_i_store = np.array(x_i_store)
            return x_i, x_i_store

    batch_size, n_T, device, n_classes, n_feat, lrate = 16, 10, "cpu", 10, 8, 1e-4
    ddpm = DDPM(nn_model=ContextUnet(in_channels=1, n_feat=n_feat, n_classes=n_classes),
                betas=(1e-4, 0.02), n_T=n_T, device=device, drop_prob=0.1)
    ddpm.to(device)
    if start is not None:  # the test's glue: PyTorch's initial weights
        ddpm.load_state_dict(start)
    record = {"start": state(ddpm), "losses": [], "grads": [], "samples": []}
    dataloader = data.DataLoader(dataset, batch_size=batch_size, shuffle=True)
    optim = optim_module.Adam(ddpm.parameters(), lr=lrate)
    for ep in range(n_epoch):
        ddpm.train()
        # linear lrate decay
        optim.param_groups[0]['lr'] = lrate*(1-ep/n_epoch)
        loss_ema = None
        for x, c in dataloader:
            optim.zero_grad()
            x = x.to(device)
            c = c.to(device)
            loss = ddpm(x, c)
            loss.backward()
            if loss_ema is None:
                loss_ema = loss.item()
            else:
                loss_ema = 0.95 * loss_ema + 0.05 * loss.item()
            record["losses"].append(loss_ema)
            record["grads"].append(grads(ddpm))
            optim.step()
        ddpm.eval()
        with torch.no_grad():
            n_sample = 1*n_classes
            for w_i, w in enumerate(ws_test):
                x_gen, x_gen_store = ddpm.sample(n_sample, (1, 8, 8), device, guide_w=w)
                # append some real images at bottom, order by class also
                x_real = torch.empty(x_gen.shape).to(device)  # torch.Tensor(x_gen.shape)
                for k in range(n_classes):
                    for j in range(int(n_sample/n_classes)):
                        try:
                            # (c == k).nonzero(): see the top
                            idx = torch.squeeze((c == k).nonzero(as_tuple=False))[j]
                        except Exception:  # script.py: a bare except
                            idx = 0
                        x_real[k+(j*n_classes)] = x[idx]
                x_all = torch.cat([x_gen, x_real])
                record["samples"] += [x_all.numpy(), x_gen_store]
    record["end"] = state(ddpm)
    return record


def run_both(torch, **options) -> tuple[dict, dict]:
    images, labels = digits(32, lambda x: x)
    draws, order = [], []
    torch.manual_seed(0)
    lib = libraries()
    lib[0].manual_seed(0)
    T, *rest = libraries(torch)
    start = conditional_diffusion(T, *rest, Digits(T, images, labels), n_epoch=0)["start"]
    got = conditional_diffusion(Draws(lib[0], draws=draws), *lib[1:],
                                Digits(lib[0], images, labels, order=order), start, **options)
    start = {k: torch.tensor(v) for k, v in start.items()}
    want = conditional_diffusion(Draws(T, replay=draws), *rest,
                                 Digits(T, images, labels, replay=order), start, **options)
    assert not draws and not order
    return got, want


def test_conditional_diffusion_with_classifier_free_guidance(torch):
    got, want = run_both(torch)
    samples = got.pop("samples"), want.pop("samples")
    assert_same(got, want)
    assert len(got["losses"]) == 4 and samples[0][0].shape == (20, 1, 8, 8)
    for a, b in zip(*samples, strict=True):  # O(1) values; the guided mix cancels
        np.testing.assert_allclose(a, b, rtol=1e-10, atol=1e-10)


def test_conditional_diffusion_float32_schedule(torch):
    got, want = run_both(torch, n_epoch=1, dtype="float32", ws_test=(0.5,))
    assert got["start"]["sqrtab"].dtype == np.float32
    np.testing.assert_allclose(got["losses"], want["losses"], rtol=1e-5)
    np.testing.assert_allclose(got["samples"][0], want["samples"][0], rtol=1e-4, atol=1e-5)
