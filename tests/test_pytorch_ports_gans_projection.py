"""A class-conditional SNGAN with a projection discriminator (Miyato and Koyama, "cGANs
with Projection Discriminator") as people write it in plain PyTorch: a generator with
conditional BatchNorm (``BatchNorm2d(affine=False)`` and an ``nn.Embedding`` of the class
giving gamma and beta, initialized ``embed.weight.data[:, :nf].normal_(1, 0.02)``), a
discriminator of layers wrapped in the legacy ``nn.utils.spectral_norm`` (an
``nn.Embedding`` too), global sum pooling and the projection
``l5(h) + torch.sum(l_y(y) * h, dim=1, keepdim=True)``, hinge losses, ``n_dis`` = 2
discriminator steps on detached fakes per generator step, then both nets in eval mode.
Written once for a library ``T`` (``autograd`` here, ``torch`` there), it runs step for
step next to PyTorch's from the same weights, spectral-norm vectors, digits and noise
(float64): losses, gradients, parameters and buffers agree to 1e-10.

Data: scikit-learn's 8x8 digits and their labels, scaled to [-1, 1]; 3 generator steps.

Lines written differently here, and why:
- ``self.embed.weight.data[:, :num_features].normal_(1, 0.02)`` (and ``.zero_()``):
  ``.data`` is the NumPy array here (by design), so the same in-place writes go through
  the parameter's slices under ``no_grad()``;
- PyTorch's initial weights are loaded into ours (``load_state_dict``), the test's glue.
"""

import numpy as np
import pytest

import autograd as ag
import nn
from test_pytorch_ports_pinn import assert_same
from test_pytorch_ports_wgan_gp import grads, state


def projection_program(torch=None, start=None, digits=None, steps: int = 3) -> list:
    """The projection-discriminator cGAN's training loop; returns its record."""
    lib = nn if torch is None else torch.nn
    optim = nn.optim if torch is None else torch.optim
    torch = ag if torch is None else torch
    F, SN = lib.functional, lib.utils.spectral_norm
    num_classes, dim_z, ch, batch_size, n_dis = 10, 6, 4, 6, 2

    class ConditionalBatchNorm2d(lib.Module):
        def __init__(self, num_features, num_classes):
            super().__init__()
            self.num_features = num_features
            self.bn = lib.BatchNorm2d(num_features, affine=False)
            self.embed = lib.Embedding(num_classes, num_features * 2)
            with torch.no_grad():  # .data[:, :num_features].normal_(1, 0.02) in PyTorch
                self.embed.weight[:, :num_features].normal_(1, 0.02)
                self.embed.weight[:, num_features:].zero_()

        def forward(self, x, y):
            out = self.bn(x)
            gamma, beta = self.embed(y).chunk(2, 1)
            return gamma.view(-1, self.num_features, 1, 1) * out \
                + beta.view(-1, self.num_features, 1, 1)

    class Generator(lib.Module):
        def __init__(self):
            super().__init__()
            # no bias where a BatchNorm follows: it cancels it, and Adam's steps on its
            # rounding-noise gradient would differ between the runs
            self.l1 = lib.Linear(dim_z, ch * 2 * 2 * 2, bias=False)
            self.b2 = ConditionalBatchNorm2d(ch * 2, num_classes)
            self.c2 = lib.Conv2d(ch * 2, ch, 3, 1, 1, bias=False)
            self.b3 = ConditionalBatchNorm2d(ch, num_classes)
            self.c3 = lib.Conv2d(ch, 1, 3, 1, 1)

        def forward(self, z, y):
            h = self.l1(z).view(z.shape[0], -1, 2, 2)
            h = self.c2(F.interpolate(F.relu(self.b2(h, y)), scale_factor=2))
            h = self.c3(F.interpolate(F.relu(self.b3(h, y)), scale_factor=2))
            return torch.tanh(h)

    class SNProjectionDiscriminator(lib.Module):
        def __init__(self):
            super().__init__()
            self.c1 = SN(lib.Conv2d(1, ch, 3, 1, 1))
            self.c2 = SN(lib.Conv2d(ch, ch * 2, 4, 2, 1))
            self.l5 = SN(lib.Linear(ch * 2, 1))
            self.l_y = SN(lib.Embedding(num_classes, ch * 2))

        def forward(self, x, y=None):
            h = F.relu(self.c2(F.relu(self.c1(x))))
            h = torch.sum(h, dim=(2, 3))  # global sum pooling
            output = self.l5(h)
            if y is not None:
                output += torch.sum(self.l_y(y) * h, dim=1, keepdim=True)
            return output

    gen, dis = Generator(), SNProjectionDiscriminator()
    if start is not None:
        gen.load_state_dict(start[0])
        dis.load_state_dict(start[1])
    record = [(state(gen), state(dis))]
    opt_gen = optim.Adam(gen.parameters(), 2e-3, (0.0, 0.9))
    opt_dis = optim.Adam(dis.parameters(), 2e-3, (0.0, 0.9))
    images, labels = digits
    np.random.seed(5)

    def sample_z_y():
        return (torch.tensor(np.random.standard_normal((batch_size, dim_z))),
                torch.tensor(np.random.randint(0, num_classes, batch_size)))

    seen = 0
    for n_iter in range(steps):
        for i in range(n_dis):
            if i == 0:  # the generator's step
                z, pseudo_y = sample_z_y()
                fake = gen(z, pseudo_y)
                loss_gen = -torch.mean(dis(fake, pseudo_y))
                opt_gen.zero_grad()
                loss_gen.backward()
                opt_gen.step()
                record += [loss_gen.item(), grads(gen)]
            real = torch.tensor(images[seen:seen + batch_size])
            y = torch.tensor(labels[seen:seen + batch_size])
            seen += batch_size
            z, pseudo_y = sample_z_y()
            with torch.no_grad():
                fake = gen(z, pseudo_y).detach()
            loss_dis = torch.mean(F.relu(1. - dis(real, y))) \
                + torch.mean(F.relu(1. + dis(fake, pseudo_y)))
            opt_dis.zero_grad()
            loss_dis.backward()
            opt_dis.step()
            record += [loss_dis.item(), grads(dis), state(dis)]
    gen.eval()
    dis.eval()
    with torch.no_grad():
        z, pseudo_y = sample_z_y()
        scores = dis(gen(z, pseudo_y), pseudo_y)
    return record + [scores.numpy().copy(), state(gen), state(dis)]


def digits_with_labels(n: int = 36) -> tuple[np.ndarray, np.ndarray]:
    datasets = pytest.importorskip("sklearn.datasets")
    digits = datasets.load_digits()
    return (digits.images[:n] / 8.0 - 1.0).reshape(n, 1, 8, 8), digits.target[:n]


def test_projection_discriminator_cgan_trains_as_torch(torch):
    torch.manual_seed(0)
    digits = digits_with_labels()
    want = projection_program(torch, digits=digits)
    got = projection_program(start=want[0], digits=digits)
    assert_same(got[1:], want[1:])
    assert "l_y.weight_u" in want[-1] and "l_y.weight_orig" in got[-1]
