"""Two GANs as people write them in plain PyTorch, each written once for a library ``T``
(``autograd`` here, ``torch`` there) and run step for step next to PyTorch from the same
weights, data and noise (float64): losses, gradients, parameters and buffers agree to 1e-10.

- A conditional GAN on a 2-D mixture of four Gaussians, the component being the label:
  ``nn.Embedding`` of the label concatenated to the noise (generator) and to the point
  (discriminator), ``BCEWithLogitsLoss``, the fakes ``detach()``-ed for the discriminator's
  step, the discriminator frozen with ``requires_grad_(False)`` for the generator's.
- SNGAN (Miyato et al.) on scikit-learn's 8x8 digits: a convolutional discriminator whose
  layers are wrapped in ``nn.utils.parametrizations.spectral_norm`` (one power iteration
  per training forward on the buffers ``_u``, ``_v``), or in the legacy hook-based
  ``nn.utils.spectral_norm`` most SNGAN code calls (``weight_orig``, ``weight_u``, ...),
  hinge losses ``relu(1 - D(x)).mean() + relu(1 + D(G(z))).mean()`` and
  ``-D(G(z)).mean()``, Adam with betas (0.0, 0.9); afterwards ``D.eval()`` scores images
  without a power iteration.

Lines written differently here, and why:
- PyTorch's initial weights (and spectral-norm vectors u, v) are loaded into ours
  (``load_state_dict``), the test's glue; the noise comes from ``np.random``, seeded alike.
"""

import numpy as np
import pytest

import autograd as ag
import nn
from test_pytorch_ports_pinn import assert_same
from test_pytorch_ports_wgan_gp import digit_images, grads, state


def mixture(n: int = 64, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Points of four Gaussians at the corners of a square, and their component."""
    rng = np.random.default_rng(seed)
    labels = rng.integers(0, 4, n)
    centres = np.array([[1.0, 1.0], [-1.0, 1.0], [-1.0, -1.0], [1.0, -1.0]])
    return centres[labels] + 0.1 * rng.standard_normal((n, 2)), labels


def conditional_gan_program(torch=None, start=None, steps: int = 4) -> list:
    """A conditional GAN's training loop; returns the record of its losses and grads."""
    lib = nn if torch is None else torch.nn
    optim = nn.optim if torch is None else torch.optim
    torch = ag if torch is None else torch
    n_classes, latent_dim, batch_size = 4, 3, 16

    class Generator(lib.Module):
        def __init__(self):
            super().__init__()
            self.label_emb = lib.Embedding(n_classes, n_classes)
            self.model = lib.Sequential(
                lib.Linear(latent_dim + n_classes, 16), lib.LeakyReLU(0.2, inplace=True),
                lib.Linear(16, 16), lib.LeakyReLU(0.2, inplace=True), lib.Linear(16, 2))

        def forward(self, noise, labels):
            gen_input = torch.cat((self.label_emb(labels), noise), -1)
            return self.model(gen_input)

    class Discriminator(lib.Module):
        def __init__(self):
            super().__init__()
            self.label_embedding = lib.Embedding(n_classes, n_classes)
            self.model = lib.Sequential(
                lib.Linear(2 + n_classes, 16), lib.LeakyReLU(0.2, inplace=True),
                lib.Dropout(0.0), lib.Linear(16, 1))

        def forward(self, points, labels):
            d_in = torch.cat((points, self.label_embedding(labels)), -1)
            return self.model(d_in)

    generator, discriminator = Generator(), Discriminator()
    if start is not None:
        generator.load_state_dict(start[0])
        discriminator.load_state_dict(start[1])
    record = [(state(generator), state(discriminator))]
    adversarial_loss = lib.BCEWithLogitsLoss()
    optimizer_G = optim.Adam(generator.parameters(), lr=0.01, betas=(0.5, 0.999))
    optimizer_D = optim.Adam(discriminator.parameters(), lr=0.01, betas=(0.5, 0.999))
    points, classes = mixture()
    np.random.seed(1)
    for i in range(steps):
        lo = (i * batch_size) % len(points)
        real = torch.tensor(points[lo:lo + batch_size])
        labels = torch.tensor(classes[lo:lo + batch_size])
        valid = torch.ones(batch_size, 1)
        fake = torch.zeros(batch_size, 1)
        z = torch.tensor(np.random.normal(0, 1, (batch_size, latent_dim)))
        gen_labels = torch.tensor(np.random.randint(0, n_classes, batch_size))
        gen_points = generator(z, gen_labels)

        # discriminator: the fakes detached, so no gradient reaches the generator
        discriminator.requires_grad_(True)
        optimizer_D.zero_grad()
        d_real_loss = adversarial_loss(discriminator(real, labels), valid)
        d_fake_loss = adversarial_loss(discriminator(gen_points.detach(), gen_labels), fake)
        d_loss = (d_real_loss + d_fake_loss) / 2
        d_loss.backward()
        optimizer_D.step()
        record += [d_loss.item(), grads(discriminator)]

        # generator: the discriminator frozen, so its .grad stays as the D step left it
        discriminator.requires_grad_(False)
        optimizer_G.zero_grad()
        g_loss = adversarial_loss(discriminator(gen_points, gen_labels), valid)
        g_loss.backward()
        optimizer_G.step()
        record += [g_loss.item(), grads(generator), grads(discriminator)]
    return record + [state(generator), state(discriminator)]


def sngan_program(torch=None, start=None, images=None, steps: int = 3,
                  legacy: bool = False) -> list:
    """SNGAN with hinge losses, small; returns the record of its losses, grads, buffers."""
    lib = nn if torch is None else torch.nn
    optim = nn.optim if torch is None else torch.optim
    torch = ag if torch is None else torch
    F = lib.functional
    SN = lib.utils.spectral_norm if legacy else lib.utils.parametrizations.spectral_norm
    latent_dim, batch_size = 4, 8

    class Generator(lib.Module):
        def __init__(self):
            super().__init__()
            self.fc = lib.Linear(latent_dim, 8 * 2 * 2, bias=False)  # BatchNorm follows
            self.main = lib.Sequential(
                lib.BatchNorm2d(8), lib.ReLU(True),
                lib.ConvTranspose2d(8, 4, 4, 2, 1, bias=False), lib.BatchNorm2d(4), lib.ReLU(True),
                lib.ConvTranspose2d(4, 1, 4, 2, 1), lib.Tanh())

        def forward(self, z):
            return self.main(self.fc(z).view(-1, 8, 2, 2))

    class Discriminator(lib.Module):
        def __init__(self):
            super().__init__()
            self.main = lib.Sequential(
                SN(lib.Conv2d(1, 4, 3, 1, 1)), lib.LeakyReLU(0.1),
                SN(lib.Conv2d(4, 8, 4, 2, 1)), lib.LeakyReLU(0.1),
                SN(lib.Conv2d(8, 8, 4, 2, 1)), lib.LeakyReLU(0.1))
            self.linear = SN(lib.Linear(8 * 2 * 2, 1))

        def forward(self, x):
            return self.linear(self.main(x).flatten(1))

    netG, netD = Generator(), Discriminator()
    if start is not None:
        netG.load_state_dict(start[0])
        netD.load_state_dict(start[1])
    record = [(state(netG), state(netD))]
    optG = optim.Adam(netG.parameters(), lr=2e-3, betas=(0.0, 0.9))
    optD = optim.Adam(netD.parameters(), lr=2e-3, betas=(0.0, 0.9))
    np.random.seed(2)
    for i in range(steps):
        real = torch.tensor(images[i * batch_size:(i + 1) * batch_size])
        z = torch.tensor(np.random.normal(size=(batch_size, latent_dim)))
        for p in netD.parameters():
            p.requires_grad = True
        optD.zero_grad()
        fake = netG(z)
        lossD = F.relu(1.0 - netD(real)).mean() + F.relu(1.0 + netD(fake.detach())).mean()
        lossD.backward()
        optD.step()
        record += [lossD.item(), grads(netD), state(netD)]
        for p in netD.parameters():
            p.requires_grad = False
        optG.zero_grad()
        lossG = -netD(fake).mean()
        lossG.backward()
        optG.step()
        record += [lossG.item(), grads(netG)]
    netD.eval()
    netG.eval()
    with torch.no_grad():  # eval: sigma from the stored u, v; no power iteration
        scores = netD(torch.tensor(images[:batch_size]))
        again = netD(netG(torch.tensor(np.random.normal(size=(batch_size, latent_dim)))))
    return record + [scores.numpy().copy(), again.numpy().copy(), state(netG), state(netD)]


def test_conditional_gan_trains_as_torch(torch):
    torch.manual_seed(0)
    want = conditional_gan_program(torch)
    got = conditional_gan_program(start=want[0])
    assert_same(got[1:], want[1:])


@pytest.mark.parametrize("legacy", [False, True])
def test_sngan_hinge_trains_as_torch(torch, legacy):
    torch.manual_seed(0)
    images = digit_images(24)
    want = sngan_program(torch, images=images, legacy=legacy)
    got = sngan_program(start=want[0], images=images, legacy=legacy)
    assert_same(got[1:], want[1:])
