"""Stanford CS231n, assignment 3's ``Generative_Adversarial_Networks.ipynb`` with its
``cs231n/gan_pytorch.py``, ported as students write it: ``sample_noise`` (``torch.rand(
batch_size, dim) * 2 - 1``), the ``Flatten``/``Unflatten`` modules, ``initialize_weights``
(``nn.init.xavier_uniform_(m.weight.data)`` by ``model.apply``), the fully connected
discriminator and generator, ``bce_loss`` by ``nn.BCEWithLogitsLoss``, the GAN and LS-GAN
losses (``torch.ones(N).type(dtype)`` from ``N = logits_real.size()``), ``get_optimizer``
(Adam, ``betas=(0.5, 0.999)``), ``run_a_gan`` with a ``ChunkSampler`` loader, and the
DCGAN (convolutions, max pooling, ``BatchNorm1d``/``BatchNorm2d``, ``ConvTranspose2d``),
with the notebook's checks (``count_params``, ``test_sample_noise``). 8x8 digits stand in
for MNIST; each GAN trains a few iterations next to PyTorch (float64) and every loss,
image and parameter agrees to 1e-10.

Lines written differently here, and why:
- ``fake_images.data.cpu().numpy()``: ``.data`` is the NumPy array here (by design), so
  ``fake_images.detach().cpu().numpy()``, what PyTorch's ``.data`` gives;
- ``dtype = torch.FloatTensor`` is ``torch.DoubleTensor`` in both runs, for the comparison;
- the test's glue: both runs start from our weights, and ``torch.rand`` is ours replayed
  on PyTorch's side (``RandomDraws``).
"""

import numpy as np

from cs231n_helpers import RandomDraws, libraries
from interpret_helpers import numpy_of
from pytorch_examples_helpers import digits

NOISE_DIM, BATCH, NUM_TRAIN = 8, 16, 48


def gan_pytorch(torch, nn, optim, dtype):
    """The functions of ``cs231n/gan_pytorch.py`` for the library ``torch``."""

    def sample_noise(batch_size, dim, seed=None):
        if seed is not None:
            torch.manual_seed(seed)
        return torch.rand(batch_size, dim) * 2 - 1

    class Flatten(nn.Module):
        def forward(self, x):
            N, C, H, W = x.size()  # read in N, C, H, W
            return x.view(N, -1)  # "flatten" the C * H * W values into a single vector

    class Unflatten(nn.Module):
        """An Unflatten module receives an input of shape (N, C*H*W) and reshapes it
        to produce an output of shape (N, C, H, W)."""
        def __init__(self, N=-1, C=128, H=7, W=7):
            super(Unflatten, self).__init__()
            self.N = N
            self.C = C
            self.H = H
            self.W = W

        def forward(self, x):
            return x.view(self.N, self.C, self.H, self.W)

    def initialize_weights(m):
        if isinstance(m, nn.Linear) or isinstance(m, nn.ConvTranspose2d):
            nn.init.xavier_uniform_(m.weight.data)

    def discriminator(seed=None):
        if seed is not None:
            torch.manual_seed(seed)
        model = nn.Sequential(
            nn.Flatten(),
            nn.Linear(64, 32),  # 784, 256 for MNIST
            nn.LeakyReLU(0.01),
            nn.Linear(32, 32),
            nn.LeakyReLU(0.01),
            nn.Linear(32, 1))
        return model

    def generator(noise_dim=NOISE_DIM, seed=None):
        if seed is not None:
            torch.manual_seed(seed)
        model = nn.Sequential(
            nn.Linear(noise_dim, 32),  # 1024 for MNIST
            nn.ReLU(),
            nn.Linear(32, 32),
            nn.ReLU(),
            nn.Linear(32, 64),
            nn.Tanh())
        return model

    def bce_loss(input, target):
        bce = nn.BCEWithLogitsLoss()
        return bce(input.squeeze(), target)

    def discriminator_loss(logits_real, logits_fake):
        N = logits_real.size()
        true_labels = torch.ones(N).type(dtype)
        real_image_loss = bce_loss(logits_real, true_labels.squeeze())
        fake_image_loss = bce_loss(logits_fake, 1 - true_labels.squeeze())
        loss = real_image_loss + fake_image_loss
        return loss

    def generator_loss(logits_fake):
        N = logits_fake.size()
        true_labels = torch.ones(N).type(dtype)
        loss = bce_loss(logits_fake, true_labels.squeeze())
        return loss

    def get_optimizer(model):
        optimizer = optim.Adam(model.parameters(), lr=1e-3, betas=(0.5, 0.999))
        return optimizer

    def ls_discriminator_loss(scores_real, scores_fake):
        loss = 0.5 * torch.mean((scores_real - 1) ** 2) + 0.5 * torch.mean(scores_fake ** 2)
        return loss

    def ls_generator_loss(scores_fake):
        loss = 0.5 * torch.mean((scores_fake - 1) ** 2)
        return loss

    def build_dc_classifier(batch_size):
        return nn.Sequential(
            Unflatten(batch_size, 1, 8, 8),  # 28, 28 for MNIST
            nn.Conv2d(1, 4, kernel_size=3, stride=1),
            nn.LeakyReLU(0.01),
            nn.MaxPool2d(kernel_size=2, stride=2),
            nn.Conv2d(4, 8, kernel_size=2, stride=1),
            nn.LeakyReLU(0.01),
            nn.MaxPool2d(kernel_size=2, stride=2),
            Flatten(),
            nn.Linear(8, 8),
            nn.LeakyReLU(0.01),
            nn.Linear(8, 1))

    def build_dc_generator(noise_dim=NOISE_DIM):
        return nn.Sequential(
            nn.Linear(noise_dim, 32),
            nn.ReLU(),
            nn.BatchNorm1d(32),
            nn.Linear(32, 2 * 2 * 16),
            nn.ReLU(),
            nn.BatchNorm1d(2 * 2 * 16),
            Unflatten(-1, 16, 2, 2),
            nn.ConvTranspose2d(16, 8, kernel_size=4, stride=2, padding=1),
            nn.ReLU(),
            nn.BatchNorm2d(8),
            nn.ConvTranspose2d(8, 1, kernel_size=4, stride=2, padding=1),
            nn.Tanh(),
            Flatten())

    def run_a_gan(D, G, D_solver, G_solver, discriminator_loss, generator_loss, loader_train,
                  show_every=2, batch_size=BATCH, noise_size=NOISE_DIM, num_epochs=1):
        images, record = [], []
        iter_count = 0
        for epoch in range(num_epochs):
            for x, _ in loader_train:
                if len(x) != batch_size:
                    continue
                D_solver.zero_grad()
                real_data = x.type(dtype)
                logits_real = D(2 * (real_data - 0.5)).type(dtype)

                g_fake_seed = sample_noise(batch_size, noise_size).type(dtype)
                fake_images = G(g_fake_seed).detach()
                logits_fake = D(fake_images.view(batch_size, 1, 8, 8))

                d_total_error = discriminator_loss(logits_real, logits_fake)
                d_total_error.backward()
                D_solver.step()

                G_solver.zero_grad()
                g_fake_seed = sample_noise(batch_size, noise_size).type(dtype)
                fake_images = G(g_fake_seed)

                gen_logits_fake = D(fake_images.view(batch_size, 1, 8, 8))
                g_error = generator_loss(gen_logits_fake)
                g_error.backward()
                G_solver.step()
                record += [d_total_error.item(), g_error.item()]

                if (iter_count % show_every == 0):
                    print('Iter: {}, D: {:.4}, G:{:.4}'.format(
                        iter_count, d_total_error.item(), g_error.item()))
                    imgs_numpy = fake_images.detach().cpu().numpy()  # .data: see the top
                    images.append(imgs_numpy[0:16])
                iter_count += 1
        return images, record

    return locals()


def notebook(torch, nn, optim, data, start, record):
    """The notebook's cells: the loader, the checks, then vanilla GAN, LS-GAN and DCGAN;
    ``start(model)`` is the test's glue (both runs from our weights)."""
    dtype = torch.DoubleTensor  # torch.FloatTensor in the notebook: see the top
    g = gan_pytorch(torch, nn, optim, dtype)

    class ChunkSampler(data.Sampler):
        """Samples elements sequentially from some offset."""
        def __init__(self, num_samples, start=0):
            self.num_samples = num_samples
            self.start = start

        def __iter__(self):
            return iter(range(self.start, self.start + self.num_samples))

        def __len__(self):
            return self.num_samples

    images, labels = digits(NUM_TRAIN, lambda a: a)
    mnist_train = data.TensorDataset(torch.tensor(images), torch.tensor(labels))
    loader_train = data.DataLoader(mnist_train, batch_size=BATCH,
                                   sampler=ChunkSampler(NUM_TRAIN, 0))

    def count_params(model):
        """Count the number of parameters in the model. """
        param_count = np.sum([np.prod(p.size()) for p in model.parameters()])
        return param_count

    def test_sample_noise():
        batch_size = 3
        dim = 4
        torch.manual_seed(231)
        z = g["sample_noise"](batch_size, dim)
        np_z = z.cpu().numpy()
        assert np_z.shape == (batch_size, dim)
        assert torch.is_tensor(z)
        assert np.all(np_z >= -1.0) and np.all(np_z <= 1.0)
        assert np.any(np_z < 0.0) and np.any(np_z > 0.0)
        print('All tests passed!')

    test_sample_noise()
    record.append(count_params(g["discriminator"]()))
    record.append(count_params(g["generator"](4)))
    logits_real, logits_fake = torch.tensor([[0.5], [-1.2], [2.0]]), torch.tensor([[0.3], [-0.7],
                                                                                 [1.1]])
    record += [g["discriminator_loss"](logits_real, logits_fake).cpu().numpy(),
               g["generator_loss"](logits_fake).cpu().numpy(),
               g["ls_discriminator_loss"](logits_real, logits_fake).cpu().numpy(),
               g["ls_generator_loss"](logits_fake).cpu().numpy()]

    for losses in ((g["discriminator_loss"], g["generator_loss"]),
                   (g["ls_discriminator_loss"], g["ls_generator_loss"])):
        # Make the discriminator
        D = g["discriminator"]().type(dtype)
        # Make the generator
        G = g["generator"]().type(dtype)
        D, G = start(D), start(G)
        # Use the function you wrote earlier to get optimizers for the Discriminator and
        # the Generator
        D_solver = g["get_optimizer"](D)
        G_solver = g["get_optimizer"](G)
        # Run it!
        shown, losses = g["run_a_gan"](D, G, D_solver, G_solver, *losses, loader_train)
        record += [*shown, *losses, *G.parameters(), *D.parameters()]

    D_DC = g["build_dc_classifier"](BATCH).type(dtype)
    D_DC.apply(g["initialize_weights"])
    G_DC = g["build_dc_generator"]().type(dtype)
    G_DC.apply(g["initialize_weights"])
    D_DC, G_DC = start(D_DC), start(G_DC)
    D_DC_solver = g["get_optimizer"](D_DC)
    G_DC_solver = g["get_optimizer"](G_DC)
    shown, losses = g["run_a_gan"](D_DC, G_DC, D_DC_solver, G_DC_solver,
                                   g["discriminator_loss"], g["generator_loss"], loader_train,
                                   num_epochs=2)
    record += [*shown, *losses, *G_DC.state_dict().values(), *D_DC.parameters()]


def run(torch=None, draws=None, weights=None):
    """The notebook in one library; ours first (its weights and draws for PyTorch's)."""
    T, nn, _, optim, data = libraries(torch)
    if torch is None:
        T = RandomDraws(T, draws=draws)

        def start(model):
            weights.append({k: v.numpy().copy() for k, v in model.state_dict().items()})
            return model
    else:
        T = RandomDraws(T, replay=list(draws))
        queue = list(weights)

        def start(model):
            model.load_state_dict({k: T.tensor(v) for k, v in queue.pop(0).items()})
            return model
    record = []
    notebook(T, nn, optim, data, start, record)
    return [numpy_of(v) for v in record]


def test_gans_notebook_matches_pytorch(torch, capsys):
    draws, weights = [], []
    ours = run(None, draws, weights)
    ours_printed = capsys.readouterr().out
    theirs = run(torch, draws, weights)
    theirs_printed = capsys.readouterr().out
    assert ours_printed == theirs_printed
    assert ours_printed.count("Iter: ") == 2 + 2 + 3
    assert len(ours) == len(theirs)
    for i, (a, b) in enumerate(zip(ours, theirs)):
        assert np.isfinite(a).all(), f"record {i}"
        np.testing.assert_allclose(a, b, rtol=1e-10, atol=1e-12, err_msg=f"record {i}")
