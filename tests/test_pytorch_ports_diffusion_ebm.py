"""The UvA deep learning course's tutorial 8, "Deep Energy-Based Generative Models", as its
readers write it: the ``CNNModel`` energy (Swish, stride-2 convolutions), the ``Sampler``
with its replay buffer (``random.choices`` of old samples, 5% new ``torch.rand`` images,
``chunk`` back into the buffer) and ``generate_samples``, Langevin dynamics on the input
(``p.requires_grad = False`` for the parameters, ``inp_imgs.requires_grad = True``,
``torch.set_grad_enabled(True)``, a noise buffer refilled by ``noise.normal_(0, 0.005)``,
``(-model(inp_imgs)).sum().backward()``, the input's gradient clamped and applied, then
``inp_imgs.grad.detach_()``/``zero_()`` and a clamp to [-1, 1]), and ``DeepEnergyModel``'s
``training_step`` (``real_imgs.add_(small_noise).clamp_(...)``, the contrastive divergence
``fake_out.mean() - real_out.mean()`` plus the ``alpha`` regulariser) with Adam and
``StepLR``. It runs step for step next to PyTorch from the same weights, images and noise:
the losses, every step's gradients and parameters, and the replay buffer agree to 1e-10.

Data: scikit-learn's 8x8 digits in [-1, 1] in place of MNIST, 2 batches of 8; the
network is shrunk (hidden 8, the first convolution still padded by 4: 8 -> 6 -> 3 -> 2 ->
1, so the linear layer reads ``c_hid3`` features, not ``c_hid3*4``), 6 Langevin steps.

Lines written differently here, and why:
- ``.data`` is the live NumPy array here (by design), so ``inp_imgs.data.add_(noise.data)``,
  ``inp_imgs.data.clamp_(...)`` and ``inp_imgs.data.add_(-step_size * inp_imgs.grad.data)``
  are written on the tensor under ``torch.no_grad()``, and
  ``inp_imgs.grad.data.clamp_(-0.03, 0.03)`` on the gradient (which records no graph);
- PyTorch Lightning's ``pl.LightningModule`` is ``nn.Module``, and its trainer is the loop
  at the end (``configure_optimizers``, ``training_step``, ``backward``, ``step``, the
  scheduler per epoch); ``self.hparams`` is a namespace of the arguments;
- the test's glue: PyTorch's initial weights; our ``rand``/``randn``/``randn_like`` and
  ``normal_`` draws replayed on PyTorch's side; Python's ``random`` and NumPy's global
  generator seeded alike in both runs.
"""

import random
from types import SimpleNamespace

import numpy as np

import autograd as ag

from diffusion_helpers import Draws, assert_same, libraries, state
from pytorch_examples_helpers import digits, record_steps


def energy_tutorial(torch, nn, optim, data, images, start=None, epochs=1) -> dict:
    """The tutorial's cells for the library ``torch``; returns the record."""
    device = torch.device("cpu")

    class Swish(nn.Module):
        def forward(self, x):
            return x * torch.sigmoid(x)

    class CNNModel(nn.Module):
        def __init__(self, hidden_features=32, out_dim=1, **kwargs):
            super().__init__()
            # We increase the hidden dimension over layers. Here pre-calculated for simplicity.
            c_hid1 = hidden_features // 2
            c_hid2 = hidden_features
            c_hid3 = hidden_features * 2
            # Series of convolutions and Swish activation functions
            self.cnn_layers = nn.Sequential(
                nn.Conv2d(1, c_hid1, kernel_size=5, stride=2, padding=4),  # [6x6]
                Swish(),
                nn.Conv2d(c_hid1, c_hid2, kernel_size=3, stride=2, padding=1),  # [3x3]
                Swish(),
                nn.Conv2d(c_hid2, c_hid3, kernel_size=3, stride=2, padding=1),  # [2x2]
                Swish(),
                nn.Conv2d(c_hid3, c_hid3, kernel_size=3, stride=2, padding=1),  # [1x1]
                Swish(),
                nn.Flatten(),
                nn.Linear(c_hid3, c_hid3),  # c_hid3*4 of the [2x2] of MNIST
                Swish(),
                nn.Linear(c_hid3, out_dim),
            )

        def forward(self, x):
            x = self.cnn_layers(x).squeeze(dim=-1)
            return x

    class Sampler:
        def __init__(self, model, img_shape, sample_size, max_len=8192):
            super().__init__()
            self.model = model
            self.img_shape = img_shape
            self.sample_size = sample_size
            self.max_len = max_len
            self.examples = [(torch.rand((1,) + img_shape) * 2 - 1)
                             for _ in range(self.sample_size)]

        def sample_new_exmps(self, steps=60, step_size=10):
            # Choose 95% of the batch from the buffer, 5% generate from scratch
            n_new = np.random.binomial(self.sample_size, 0.05)
            rand_imgs = torch.rand((n_new,) + self.img_shape) * 2 - 1
            old_imgs = torch.cat(random.choices(self.examples, k=self.sample_size - n_new),
                                 dim=0)
            inp_imgs = torch.cat([rand_imgs, old_imgs], dim=0).detach().to(device)
            # Perform MCMC sampling
            inp_imgs = Sampler.generate_samples(self.model, inp_imgs, steps=steps,
                                                step_size=step_size)
            # Add new images to the buffer and remove old ones if needed
            self.examples = list(inp_imgs.to(torch.device("cpu")).chunk(
                self.sample_size, dim=0)) + self.examples
            self.examples = self.examples[:self.max_len]
            return inp_imgs

        @staticmethod
        def generate_samples(model, inp_imgs, steps=60, step_size=10,
                             return_img_per_step=False):
            # Before MCMC: set model parameters to "required_grad=False"
            # because we are only interested in the gradients of the input.
            is_training = model.training
            model.eval()
            for p in model.parameters():
                p.requires_grad = False
            inp_imgs.requires_grad = True
            # Enable gradient calculation if not already the case
            had_gradients_enabled = torch.is_grad_enabled()
            torch.set_grad_enabled(True)
            # We use a buffer tensor in which we generate noise each loop iteration.
            noise = torch.randn(inp_imgs.shape, device=inp_imgs.device)
            imgs_per_step = []
            for _ in range(steps):
                # Part 1: Add noise to the input.
                noise.normal_(0, 0.005)
                with torch.no_grad():  # inp_imgs.data.add_(noise.data): see the top
                    inp_imgs.add_(noise)
                    inp_imgs.clamp_(min=-1.0, max=1.0)
                # Part 2: calculate gradients for the current input.
                out_imgs = -model(inp_imgs)
                out_imgs.sum().backward()
                # For stabilizing and preventing too high gradients
                inp_imgs.grad.clamp_(-0.03, 0.03)  # inp_imgs.grad.data.clamp_
                # Apply gradients to our current samples
                with torch.no_grad():  # inp_imgs.data.add_(...grad.data): see the top
                    inp_imgs.add_(-step_size * inp_imgs.grad)
                inp_imgs.grad.detach_()
                inp_imgs.grad.zero_()
                with torch.no_grad():  # inp_imgs.data.clamp_: see the top
                    inp_imgs.clamp_(min=-1.0, max=1.0)
                if return_img_per_step:
                    imgs_per_step.append(inp_imgs.clone().detach())
            # Reactivate gradients for parameters for training
            for p in model.parameters():
                p.requires_grad = True
            model.train(is_training)
            # Reset gradient calculation to setting before this function
            torch.set_grad_enabled(had_gradients_enabled)
            if return_img_per_step:
                return torch.stack(imgs_per_step, dim=0)
            else:
                return inp_imgs

    class DeepEnergyModel(nn.Module):  # pl.LightningModule
        def __init__(self, img_shape, batch_size, alpha=0.1, lr=1e-4, beta1=0.0, steps=60,
                     **CNN_args):
            super().__init__()
            self.hparams = SimpleNamespace(img_shape=img_shape, batch_size=batch_size,
                                           alpha=alpha, lr=lr, beta1=beta1, steps=steps)
            self.cnn = CNNModel(**CNN_args)
            self.sampler = Sampler(self.cnn, img_shape=img_shape, sample_size=batch_size)
            self.example_input_array = torch.zeros(1, *img_shape)

        def forward(self, x):
            z = self.cnn(x)
            return z

        def configure_optimizers(self):
            # Energy models can have issues with momentum as the loss surfaces changes
            # with its parameters. Hence, we set it to 0 by default.
            optimizer = optim.Adam(self.parameters(), lr=self.hparams.lr,
                                   betas=(self.hparams.beta1, 0.999))
            # Exponential decay over epochs
            scheduler = optim.lr_scheduler.StepLR(optimizer, 1, gamma=0.97)
            return [optimizer], [scheduler]

        def training_step(self, batch, batch_idx):
            # We add minimal noise to the original images to prevent the model from
            # focusing on purely "clean" inputs
            real_imgs, _ = batch
            small_noise = torch.randn_like(real_imgs) * 0.005
            real_imgs.add_(small_noise).clamp_(min=-1.0, max=1.0)
            # Obtain samples
            fake_imgs = self.sampler.sample_new_exmps(steps=self.hparams.steps, step_size=10)
            # Predict energy score for all images
            inp_imgs = torch.cat([real_imgs, fake_imgs], dim=0)
            real_out, fake_out = self.cnn(inp_imgs).chunk(2, dim=0)
            # Calculate losses
            reg_loss = self.hparams.alpha * (real_out ** 2 + fake_out ** 2).mean()
            cdiv_loss = fake_out.mean() - real_out.mean()
            loss = reg_loss + cdiv_loss
            self.logged = [loss.item(), reg_loss.item(), cdiv_loss.item(),
                           real_out.mean().item(), fake_out.mean().item()]
            return loss

    random.seed(42)  # pl.seed_everything(42), the parts the test's glue does not replay
    np.random.seed(42)
    model = DeepEnergyModel(img_shape=(1, 8, 8), batch_size=8, lr=1e-4, beta1=0.0,
                            steps=6, hidden_features=8)
    if start is not None:  # the test's glue: PyTorch's initial weights
        model.load_state_dict(start)
    record = {"start": state(model), "logged": [], "steps": []}
    train_loader = data.DataLoader(
        data.TensorDataset(torch.tensor(images), torch.zeros(len(images))),
        batch_size=8, shuffle=False)
    [optimizer], [scheduler] = model.configure_optimizers()
    record_steps(optimizer, record["steps"])
    for epoch in range(epochs):  # the trainer's loop
        for batch_idx, batch in enumerate(train_loader):
            loss = model.training_step(batch, batch_idx)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            record["logged"].append(model.logged)
        scheduler.step()
    record["buffer"] = [x.detach().numpy() for x in model.sampler.examples]
    record["lr"] = scheduler.get_last_lr()
    return record


def patch_normal_(monkeypatch, torch, draws: list) -> None:
    """``Tensor.normal_`` recorded (our run: ``torch`` None) or replayed (PyTorch's): the
    Langevin noise buffer is refilled in place, where ``Draws`` does not see it."""
    Tensor = ag.Tensor if torch is None else torch.Tensor
    original = Tensor.normal_

    def normal_(tensor, *args, **kwargs):
        if torch is not None:
            return tensor.copy_(torch.tensor(draws.pop(0)))
        original(tensor, *args, **kwargs)
        draws.append(tensor.numpy().copy())
        return tensor

    monkeypatch.setattr(Tensor, "normal_", normal_)


def run_both(torch, monkeypatch, epochs: int = 1) -> tuple[dict, dict]:
    images = digits(16, lambda x: x * 2 - 1)[0]
    draws, noise = [], []
    torch.manual_seed(0)
    lib = libraries()
    T, *rest = libraries(torch)
    start = energy_tutorial(T, *rest, images, epochs=0)["start"]
    with monkeypatch.context() as patch:
        patch_normal_(patch, None, noise)
        got = energy_tutorial(Draws(lib[0], draws=draws), *lib[1:], images, start, epochs)
    start = {k: torch.tensor(v) for k, v in start.items()}
    with monkeypatch.context() as patch:
        patch_normal_(patch, torch, noise)
        want = energy_tutorial(Draws(T, replay=draws), *rest, images, start, epochs)
    assert not draws and not noise
    return got, want


def test_deep_energy_model_with_langevin_replay_buffer(torch, monkeypatch):
    got, want = run_both(torch, monkeypatch, epochs=2)
    assert_same(got, want)
    assert len(got["logged"]) == 4 and len(got["buffer"]) == 8 * 5
