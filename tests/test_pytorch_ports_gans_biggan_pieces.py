"""BigGAN's pieces as ajbrock's ``BigGAN-PyTorch`` writes them (``layers.py``,
``utils.py``, ``losses.py``, ``train_fns.py``), shrunk: the SAGAN-style ``Attention``
block (1x1 convs theta, phi, g, o with ``ch // 8`` and ``ch // 2`` channels, phi and g
``F.max_pool2d(..., [2, 2])``, ``torch.bmm`` of the transposed maps, ``F.softmax`` over
the last axis, a learned ``gamma = P(torch.tensor(0.), requires_grad=True)`` gating the
residual), the hinge losses, and the orthogonal regularisation ``ortho``: under
``torch.no_grad()``, for each parameter with two or more axes (the shared embedding
blacklisted by identity), ``param.grad.data += strength * 2 (W W^T * (1 - I)) W`` between
``backward`` and the optimizer's step. Written once for a library ``T`` (``autograd``
here, ``torch`` there), it runs step for step next to PyTorch's from the same weights,
images and noise (float64): every loss, gradient and the final parameters agree to 1e-10.

Data: scikit-learn's 8x8 digits in [-1, 1], one channel; a tiny class-conditional
generator (shared class embedding concatenated to z) and discriminator, each with one
attention block at 8x8 (ch = 16), 3 steps of batch 4, ortho strength 1e-2 (1e-4 in the
repository; raised so it shows in the gradients).

Lines written differently here, and why:
- ``SNConv2d`` (the repository's own spectral norm, a random ``u``) is a plain ``Conv2d``
  in both runs: the two libraries' random generators differ;
- the noise (``torch.randn`` there) comes from ``np.random``, seeded alike, passed in;
- PyTorch's initial weights are loaded into ours, the test's glue.
"""

import numpy as np
import pytest

import autograd as ag
import nn
from port_records import assert_same
from test_pytorch_ports_wgan_gp import digit_images, grads, state


def biggan_program(torch=None, start=None, images=None, labels=None) -> list:
    """BigGAN-style hinge training with attention and ortho reg; returns the record."""
    lib = nn if torch is None else torch.nn
    optim = nn.optim if torch is None else torch.optim
    torch = ag if torch is None else torch
    F, P = lib.functional, lib.Parameter
    ch, z_dim, n_classes, strength = 16, 8, 10, 1e-2

    class Attention(lib.Module):
        def __init__(self, ch, which_conv=lib.Conv2d, name='attention'):
            super().__init__()
            self.ch = ch
            self.which_conv = which_conv
            self.theta = self.which_conv(self.ch, self.ch // 8, kernel_size=1, padding=0,
                                         bias=False)
            self.phi = self.which_conv(self.ch, self.ch // 8, kernel_size=1, padding=0,
                                       bias=False)
            self.g = self.which_conv(self.ch, self.ch // 2, kernel_size=1, padding=0,
                                     bias=False)
            self.o = self.which_conv(self.ch // 2, self.ch, kernel_size=1, padding=0,
                                     bias=False)
            self.gamma = P(torch.tensor(0.), requires_grad=True)

        def forward(self, x, y=None):
            theta = self.theta(x)
            phi = F.max_pool2d(self.phi(x), [2, 2])
            g = F.max_pool2d(self.g(x), [2, 2])
            theta = theta.view(-1, self.ch // 8, x.shape[2] * x.shape[3])
            phi = phi.view(-1, self.ch // 8, x.shape[2] * x.shape[3] // 4)
            g = g.view(-1, self.ch // 2, x.shape[2] * x.shape[3] // 4)
            beta = F.softmax(torch.bmm(theta.transpose(1, 2), phi), -1)
            o = self.o(torch.bmm(g, beta.transpose(1, 2)).view(-1, self.ch // 2, x.shape[2],
                                                                  x.shape[3]))
            return self.gamma * o + x

    class Generator(lib.Module):
        def __init__(self):
            super().__init__()
            self.shared = lib.Embedding(n_classes, 4)
            self.linear = lib.Linear(z_dim + 4, ch * 4 * 4)
            self.conv1 = lib.Conv2d(ch, ch, 3, padding=1)
            self.attention = Attention(ch)
            self.output_layer = lib.Conv2d(ch, 1, 3, padding=1)

        def forward(self, z, y):
            h = self.linear(torch.cat([z, self.shared(y)], 1)).view(z.size(0), -1, 4, 4)
            h = F.interpolate(F.relu(h), scale_factor=2)
            h = self.attention(F.relu(self.conv1(h)))
            return torch.tanh(self.output_layer(F.relu(h)))

    class Discriminator(lib.Module):
        def __init__(self):
            super().__init__()
            self.conv1 = lib.Conv2d(1, ch, 3, padding=1)
            self.attention = Attention(ch)
            self.conv2 = lib.Conv2d(ch, ch, 3, padding=1)
            self.linear = lib.Linear(ch, 1)
            self.embed = lib.Embedding(n_classes, ch)

        def forward(self, x, y=None):
            h = self.attention(F.relu(self.conv1(x)))
            h = torch.sum(F.relu(self.conv2(h)), [2, 3])
            out = self.linear(h)
            return out + torch.sum(self.embed(y) * h, 1, keepdim=True)  # projection

    def ortho(model, strength=1e-4, blacklist=[]):
        with torch.no_grad():
            for param in model.parameters():
                if len(param.shape) < 2 or any([param is item for item in blacklist]):
                    continue
                w = param.view(param.shape[0], -1)
                grad = (2 * torch.mm(torch.mm(w, w.t())
                        * (1. - torch.eye(w.shape[0], device=w.device)), w))
                param.grad.data += strength * grad.view(param.shape)

    def loss_hinge_dis(dis_fake, dis_real):
        loss_real = torch.mean(F.relu(1. - dis_real))
        loss_fake = torch.mean(F.relu(1. + dis_fake))
        return loss_real, loss_fake

    def loss_hinge_gen(dis_fake):
        return -torch.mean(dis_fake)

    G, D = Generator(), Discriminator()
    if start is not None:
        G.load_state_dict(start[0])
        D.load_state_dict(start[1])
    record = [[state(G), state(D)]]
    G_optim = optim.Adam(G.parameters(), lr=1e-3, betas=(0.0, 0.999), eps=1e-6)
    D_optim = optim.Adam(D.parameters(), lr=4e-3, betas=(0.0, 0.999), eps=1e-6)
    rng = np.random.default_rng(3)
    for i in range(len(images) // 4):
        x = torch.tensor(images[4 * i:4 * i + 4])
        y = torch.tensor(labels[4 * i:4 * i + 4])
        z_ = torch.tensor(rng.standard_normal((4, z_dim)))
        D_optim.zero_grad()
        with torch.no_grad():
            G_z = G(z_, y)
        D_real, D_fake = D(x, y), D(G_z, y)
        D_loss_real, D_loss_fake = loss_hinge_dis(D_fake, D_real)
        D_loss = D_loss_real + D_loss_fake
        D_loss.backward()
        ortho(D, strength)
        D_optim.step()
        G_optim.zero_grad()
        D_fake = D(G(z_, y), y)
        G_loss = loss_hinge_gen(D_fake)
        G_loss.backward()
        ortho(G, strength, blacklist=[param for param in G.shared.parameters()])
        G_optim.step()
        record += [[loss.item() for loss in (D_loss_real, D_loss_fake, G_loss)],
                   grads(G), grads(D)]
    return record + [[state(G), state(D)]]


def test_biggan_attention_and_ortho_train_as_torch(torch):
    datasets = pytest.importorskip("sklearn.datasets")
    torch.manual_seed(0)
    images, labels = digit_images(12), datasets.load_digits().target[:12]
    want = biggan_program(torch, images=images, labels=labels)
    got = biggan_program(start=want[0], images=images, labels=labels)
    assert_same(got[1:], want[1:])
    assert want[-1][0]["attention.gamma"] != 0.0  # the attention branch was trained
