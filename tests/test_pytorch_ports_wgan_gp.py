"""WGAN-GP (Gulrajani et al., "Improved Training of Wasserstein GANs") as PyTorch-GAN's
``wgan_gp.py`` writes it: the critic's gradient with respect to random interpolates of
real and fake images, ``autograd.grad(outputs=d_interpolates, inputs=interpolates,
grad_outputs=fake, create_graph=True, retain_graph=True, only_inputs=True)``, its
penalty ``((gradients.norm(2, dim=1) - 1) ** 2).mean()`` backpropagated into the
critic's weights (a double backward through Linear and LeakyReLU), ``n_critic`` critic
steps per generator step, Adam. Written once for a library ``T`` (``autograd`` here,
``torch`` there), it runs step for step next to PyTorch's from the same weights, images
and noise (float64): the losses, the penalty, every gradient and the parameters agree to
1e-10.

Data: scikit-learn's 8x8 digits scaled to [-1, 1] in place of MNIST; the networks are
shrunk (latent 8, generator 8-16-32-64, critic 64-32-16-1), 6 batches of 16, n_critic 2.

Lines written differently here, and why:
- ``Variable(...)`` (PyTorch's pre-0.4 wrapper, a no-op there) is dropped: it is a named
  error here saying so;
- ``compute_gradient_penalty(D, real_imgs.data, fake_imgs.data)`` passes ``.detach()``:
  ``.data`` is the NumPy array here (by design), which has no ``.size(0)``;
- ``Tensor = torch.cuda.FloatTensor if cuda else torch.FloatTensor`` is ``DoubleTensor``
  in both runs, the float64 of the comparison;
- the loader is built with ``shuffle=False`` (the two libraries' generators differ); the
  noise and the interpolation weights come from ``np.random``, seeded alike for both;
- PyTorch's initial weights are loaded into ours (``load_state_dict``), the test's glue;
- ``save_image`` of the samples is left out.

Time per iteration (a critic step with its penalty, a generator step every second one,
the loader included), this loaded 2-core machine, 2026-12-01, noted, not asserted: about
11-13 ms here, 14 ms in PyTorch.
"""

import argparse

import numpy as np
import pytest

import autograd as ag
import nn
import nn.data
from test_pytorch_ports_pinn import assert_same


def wgan_gp_program(torch=None, argv=(), start=None, images=None) -> list:
    """PyTorch-GAN's wgan_gp.py, small; returns the record of its losses and gradients."""
    if torch is None:
        torch, lib, optim, data, autograd = ag, nn, nn.optim, nn.data, ag
    else:
        lib, optim, data, autograd = torch.nn, torch.optim, torch.utils.data, torch.autograd
    parser = argparse.ArgumentParser()
    parser.add_argument("--n_epochs", type=int, default=1)
    parser.add_argument("--batch_size", type=int, default=16)
    parser.add_argument("--lr", type=float, default=0.0002)
    parser.add_argument("--b1", type=float, default=0.5)
    parser.add_argument("--b2", type=float, default=0.999)
    parser.add_argument("--latent_dim", type=int, default=8)
    parser.add_argument("--img_size", type=int, default=8)
    parser.add_argument("--channels", type=int, default=1)
    parser.add_argument("--n_critic", type=int, default=2)
    opt = parser.parse_args(list(argv))
    img_shape = (opt.channels, opt.img_size, opt.img_size)

    class Generator(lib.Module):
        def __init__(self):
            super(Generator, self).__init__()

            def block(in_feat, out_feat, normalize=True):
                layers = [lib.Linear(in_feat, out_feat)]
                if normalize:
                    layers.append(lib.BatchNorm1d(out_feat, 0.8))
                layers.append(lib.LeakyReLU(0.2, inplace=True))
                return layers

            self.model = lib.Sequential(
                *block(opt.latent_dim, 16, normalize=False),
                *block(16, 32),
                lib.Linear(32, int(np.prod(img_shape))),
                lib.Tanh()
            )

        def forward(self, z):
            img = self.model(z)
            img = img.view(img.shape[0], *img_shape)
            return img

    class Discriminator(lib.Module):
        def __init__(self):
            super(Discriminator, self).__init__()

            self.model = lib.Sequential(
                lib.Linear(int(np.prod(img_shape)), 32),
                lib.LeakyReLU(0.2, inplace=True),
                lib.Linear(32, 16),
                lib.LeakyReLU(0.2, inplace=True),
                lib.Linear(16, 1),
            )

        def forward(self, img):
            img_flat = img.view(img.shape[0], -1)
            validity = self.model(img_flat)
            return validity

    # Loss weight for gradient penalty
    lambda_gp = 10

    # Initialize generator and discriminator
    generator = Generator()
    discriminator = Discriminator()
    if start is not None:  # the test's glue: PyTorch's initial weights
        generator.load_state_dict(start[0])
        discriminator.load_state_dict(start[1])
    record = [(state(generator), state(discriminator))]

    dataloader = data.DataLoader(
        data.TensorDataset(torch.tensor(images), torch.zeros(len(images))),
        batch_size=opt.batch_size, shuffle=False)

    # Optimizers
    optimizer_G = optim.Adam(generator.parameters(), lr=opt.lr, betas=(opt.b1, opt.b2))
    optimizer_D = optim.Adam(discriminator.parameters(), lr=opt.lr, betas=(opt.b1, opt.b2))

    Tensor = torch.DoubleTensor  # wgan_gp.py: torch.cuda.FloatTensor if cuda else ...

    def compute_gradient_penalty(D, real_samples, fake_samples):
        """Calculates the gradient penalty loss for WGAN GP"""
        # Random weight term for interpolation between real and fake samples
        alpha = Tensor(np.random.random((real_samples.size(0), 1, 1, 1)))
        # Get random interpolation between real and fake samples
        interpolates = (alpha * real_samples + ((1 - alpha) * fake_samples)).requires_grad_(True)
        d_interpolates = D(interpolates)
        fake = Tensor(real_samples.shape[0], 1).fill_(1.0)
        # Get gradient w.r.t. interpolates
        gradients = autograd.grad(
            outputs=d_interpolates,
            inputs=interpolates,
            grad_outputs=fake,
            create_graph=True,
            retain_graph=True,
            only_inputs=True,
        )[0]
        gradients = gradients.view(gradients.size(0), -1)
        gradient_penalty = ((gradients.norm(2, dim=1) - 1) ** 2).mean()
        return gradient_penalty

    np.random.seed(0)
    batches_done = 0
    for epoch in range(opt.n_epochs):
        for i, (imgs, _) in enumerate(dataloader):
            # Configure input
            real_imgs = imgs.type(Tensor)

            #  Train Discriminator
            optimizer_D.zero_grad()
            # Sample noise as generator input
            z = Tensor(np.random.normal(0, 1, (imgs.shape[0], opt.latent_dim)))
            # Generate a batch of images
            fake_imgs = generator(z)
            # Real images
            real_validity = discriminator(real_imgs)
            # Fake images
            fake_validity = discriminator(fake_imgs)
            # Gradient penalty
            # wgan_gp.py: real_imgs.data, fake_imgs.data (NumPy arrays here)
            gradient_penalty = compute_gradient_penalty(discriminator, real_imgs.detach(),
                                                        fake_imgs.detach())
            # Adversarial loss
            d_loss = (-torch.mean(real_validity) + torch.mean(fake_validity)
                      + lambda_gp * gradient_penalty)
            d_loss.backward()
            optimizer_D.step()
            record += [d_loss.item(), gradient_penalty.item(), grads(discriminator),
                       grads(generator)]
            optimizer_G.zero_grad()

            # Train the generator every n_critic steps
            if i % opt.n_critic == 0:
                #  Train Generator
                # Generate a batch of images
                fake_imgs = generator(z)
                # Loss measures generator's ability to fool the discriminator
                # Train on fake images
                fake_validity = discriminator(fake_imgs)
                g_loss = -torch.mean(fake_validity)
                g_loss.backward()
                optimizer_G.step()
                record += [g_loss.item(), grads(generator)]
                batches_done += opt.n_critic
    return record + [state(generator), state(discriminator)]


def state(model) -> dict:
    return {k: v.detach().numpy().copy() for k, v in model.state_dict().items()}


def grads(model) -> list:
    return [None if p.grad is None else p.grad.numpy().copy() for p in model.parameters()]


def digit_images(n: int = 96) -> np.ndarray:
    datasets = pytest.importorskip("sklearn.datasets")
    images = datasets.load_digits().images[:n]
    return (images / 8.0 - 1.0).reshape(n, 1, 8, 8)


def test_wgan_gp_trains_as_torch(torch):
    torch.manual_seed(0)
    images = digit_images()
    want = wgan_gp_program(torch, images=images)
    got = wgan_gp_program(start=want[0], images=images)
    assert_same(got[1:], want[1:])
    assert len(want) == 1 + 6 * 4 + 3 * 2 + 2  # 6 critic steps, 3 generator steps
    assert all(g is not None for g in got[3])  # the penalty reached every critic weight
