"""pytorch/examples' ``vae/main.py``, ported as written: the ``VAE`` module (``fc1``,
``fc21``, ``fc22``, ``fc3``, ``fc4``; ``encode``, ``reparameterize`` with
``torch.randn_like(std)``, ``decode`` with ``torch.sigmoid``, ``forward`` with
``x.view(-1, 784)``), ``loss_function`` (``F.binary_cross_entropy(..., reduction='sum')``
plus the KL divergence), ``train``/``test`` with their printed lines, the reconstruction
grid ``torch.cat([data[:n], recon_batch.view(args.batch_size, 1, 28, 28)[:n]])`` and the
samples ``model.decode(torch.randn(64, 20))`` under ``no_grad``. It runs step for step
next to PyTorch (float64) on scikit-learn's 8x8 digits from the same weights and noise:
the printed lines, every step's gradients and parameters, and the saved images agree.

Lines written differently here:
- ``device = torch.device("cpu")`` is ``device = "cpu"`` (see the MNIST port);
- ``datasets.MNIST('../data', train=True, download=True, transform=transforms.ToTensor())``
  is ``Digits`` (8x8 digits in [0, 1]), and 784 / 28 / 400 are 64 / 8 / 32;
- ``save_image`` (torchvision's, not here) keeps the tensor it is given (the test's glue);
- the test's glue: PyTorch's initial weights in both; our ``randn_like`` and ``randn`` draws
  recorded and replayed on PyTorch's side (``Draws``), and our shuffled order too
  (``Digits``); hooks recording each optimizer step.
"""

import argparse
import contextlib
import io

from pytorch_examples_helpers import (Digits, Draws, assert_steps, digits, libraries,
                                      record_steps)


def vae_main(torch, nn, optim, data, argv, glue):
    """The script (its module-level lines in a function) for the library ``torch``."""
    F = nn.functional
    save_image = glue["save_image"]
    parser = argparse.ArgumentParser(description='VAE MNIST Example')
    parser.add_argument('--batch-size', type=int, default=128, metavar='N',
                        help='input batch size for training (default: 128)')
    parser.add_argument('--epochs', type=int, default=10, metavar='N',
                        help='number of epochs to train (default: 10)')
    parser.add_argument('--accel', action='store_true',
                        help='use accelerator')
    parser.add_argument('--seed', type=int, default=1, metavar='S',
                        help='random seed (default: 1)')
    parser.add_argument('--log-interval', type=int, default=10, metavar='N',
                        help='how many batches to wait before logging training status')
    args = parser.parse_args(argv)

    torch.manual_seed(args.seed)

    if args.accel and torch.accelerator.is_available():
        device = torch.accelerator.current_accelerator()
    else:
        device = "cpu"  # torch.device("cpu")

    print(f"Using {device} device")

    kwargs = {'num_workers': 1, 'pin_memory': True} if device == "cuda" else {}
    train_loader = data.DataLoader(
        glue["train"],  # datasets.MNIST('../data', train=True, download=True, ...)
        batch_size=args.batch_size, shuffle=True, **kwargs)
    test_loader = data.DataLoader(
        glue["test"],  # datasets.MNIST('../data', train=False, ...)
        batch_size=args.batch_size, shuffle=True, **kwargs)

    class VAE(nn.Module):
        def __init__(self):
            super(VAE, self).__init__()

            self.fc1 = nn.Linear(64, 32)
            self.fc21 = nn.Linear(32, 20)
            self.fc22 = nn.Linear(32, 20)
            self.fc3 = nn.Linear(20, 32)
            self.fc4 = nn.Linear(32, 64)

        def encode(self, x):
            h1 = F.relu(self.fc1(x))
            return self.fc21(h1), self.fc22(h1)

        def reparameterize(self, mu, logvar):
            std = torch.exp(0.5*logvar)
            eps = torch.randn_like(std)
            return mu + eps*std

        def decode(self, z):
            h3 = F.relu(self.fc3(z))
            return torch.sigmoid(self.fc4(h3))

        def forward(self, x):
            mu, logvar = self.encode(x.view(-1, 64))
            z = self.reparameterize(mu, logvar)
            return self.decode(z), mu, logvar

    model = VAE().to(device)
    model.load_state_dict(glue["start"])  # the test's glue: the same start
    optimizer = optim.Adam(model.parameters(), lr=1e-3)
    record_steps(optimizer, glue["steps"])  # the test's glue

    # Reconstruction + KL divergence losses summed over all elements and batch
    def loss_function(recon_x, x, mu, logvar):
        BCE = F.binary_cross_entropy(recon_x, x.view(-1, 64), reduction='sum')

        # see Appendix B from VAE paper:
        # Kingma and Welling. Auto-Encoding Variational Bayes. ICLR, 2014
        # https://arxiv.org/abs/1312.6114
        # 0.5 * sum(1 + log(sigma^2) - mu^2 - sigma^2)
        KLD = -0.5 * torch.sum(1 + logvar - mu.pow(2) - logvar.exp())

        return BCE + KLD

    def train(epoch):
        model.train()
        train_loss = 0
        for batch_idx, (data, _) in enumerate(train_loader):
            data = data.to(device)
            optimizer.zero_grad()
            recon_batch, mu, logvar = model(data)
            loss = loss_function(recon_batch, data, mu, logvar)
            loss.backward()
            train_loss += loss.item()
            optimizer.step()
            if batch_idx % args.log_interval == 0:
                print('Train Epoch: {} [{}/{} ({:.0f}%)]\tLoss: {:.6f}'.format(
                    epoch, batch_idx * len(data), len(train_loader.dataset),
                    100. * batch_idx / len(train_loader),
                    loss.item() / len(data)))

        print('====> Epoch: {} Average loss: {:.4f}'.format(
              epoch, train_loss / len(train_loader.dataset)))

    def test(epoch):
        model.eval()
        test_loss = 0
        with torch.no_grad():
            for i, (data, _) in enumerate(test_loader):
                data = data.to(device)
                recon_batch, mu, logvar = model(data)
                test_loss += loss_function(recon_batch, data, mu, logvar).item()
                if i == 0:
                    n = min(data.size(0), 8)
                    comparison = torch.cat([data[:n],
                                            recon_batch.view(args.batch_size, 1, 8, 8)[:n]])
                    save_image(comparison.cpu(),
                               'results/reconstruction_' + str(epoch) + '.png', nrow=n)

        test_loss /= len(test_loader.dataset)
        print('====> Test set loss: {:.4f}'.format(test_loss))

    for epoch in range(1, args.epochs + 1):
        train(epoch)
        test(epoch)
        with torch.no_grad():
            sample = torch.randn(64, 20).to(device)
            sample = model.decode(sample).cpu()
            save_image(sample.view(64, 1, 8, 8),
                       'results/sample_' + str(epoch) + '.png')


def _run(torch, argv, start, images, labels, orders, draws, steps):
    """Run the script for ``torch`` (None: this library): what it printed and saved."""
    T, lib, optim, data = libraries(torch)
    n = len(images) * 4 // 5
    images = {"train": images[:n], "test": images[n:]}
    labels = {"train": labels[:n], "test": labels[n:]}
    if torch is None:
        sets = {k: Digits(T, images[k], labels[k], order=orders[k]) for k in images}
        start = {k: T.tensor(v.numpy()) for k, v in start.items()}
        T = Draws(T, draws=draws)
    else:
        sets = {k: Digits(T, images[k], labels[k], replay=orders[k]) for k in images}
        T = Draws(T, replay=draws)
    saved = {}

    def save_image(tensor, filename, nrow=8):
        saved[filename] = (tensor.numpy().copy(), nrow)

    glue = {"train": sets["train"], "test": sets["test"], "start": start, "steps": steps,
            "save_image": save_image}
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        vae_main(T, lib, optim, data, argv, glue)
    return printed.getvalue(), saved


def test_vae_example_runs_step_for_step_as_torch(torch):
    images, labels = digits(200, lambda a: a)
    start = {"fc1": (32, 64), "fc21": (20, 32), "fc22": (20, 32), "fc3": (32, 20),
             "fc4": (64, 32)}
    torch.manual_seed(0)
    start = {f"{name}.{kind}": value for name, (out, inp) in start.items()
             for kind, value in torch.nn.Linear(inp, out).state_dict().items()}
    argv = ['--batch-size', '20', '--epochs', '2', '--log-interval', '3']
    orders, draws = {"train": [], "test": []}, []
    got_steps, want_steps = [], []
    got, got_saved = _run(None, argv, start, images, labels, orders, draws, got_steps)
    assert len(draws) == 2 * (8 + 2 + 1)  # randn_like per batch (train, test), randn per epoch
    assert sorted(orders["train"][:160]) == list(range(160))
    assert orders["train"][:160] != orders["train"][160:]
    want, want_saved = _run(torch, argv, start, images, labels, orders, draws, want_steps)
    assert orders == {"train": [], "test": []} and draws == []  # PyTorch's used every one
    assert got == want
    assert got.startswith('Using cpu device\nTrain Epoch: 1 [0/160 (0%)]\tLoss: ')
    assert got.count('====> Test set loss: ') == 2
    assert_steps(got_steps, want_steps)
    assert sorted(got_saved) == sorted(want_saved) == [
        'results/reconstruction_1.png', 'results/reconstruction_2.png',
        'results/sample_1.png', 'results/sample_2.png']
    for name, (image, nrow) in got_saved.items():
        assert image.shape == ((16, 1, 8, 8) if 'reconstruction' in name else (64, 1, 8, 8))
        assert nrow == want_saved[name][1]
        assert_steps([[image]], [[want_saved[name][0]]])
