"""Training scripts from PyTorch's examples and tutorials, ported as a PyTorch user writes
them, on scikit-learn's 8x8 digits:

(f) the MNIST example's ``train(args, model, device, train_loader, optimizer, epoch)`` /
    ``test(model, device, test_loader)`` with ``model.to(device)``, ``Dropout``,
    ``max_pool2d``, ``flatten(x, 1)``, ``nll_loss(..., reduction='sum').item()``,
    ``argmax(dim=1, keepdim=True)``, ``pred.eq(target.view_as(pred))``, ``Adadelta`` with
    ``StepLR``, and saving the state dict;
(g) the transfer-learning tutorial's ``train_model``: a train and a val phase per epoch
    under ``set_grad_enabled(phase == 'train')``, ``running_corrects += sum(preds ==
    labels.data)``, the best weights kept with ``copy.deepcopy(model.state_dict())`` and
    loaded back; fine-tuned, and as a frozen feature extractor;
(h) the VAE example: ``recon_batch, mu, logvar = model(data)``, BCE plus KLD summed,
    ``randn_like`` in ``reparameterize``, and sampling the decoder.

Each learns, and runs step for step as PyTorch's from the same state dict and batches.
Spellings that differ here (documented choices): ``torch.max(outputs, 1)`` is NumPy's
``max`` (the values), so the tutorial's ``_, preds = torch.max(outputs, 1)`` is written
``torch.max(outputs, dim=1)``; ``torch.save`` / ``torch.load`` are ``nn.save`` /
``nn.load``.
"""

import copy

import numpy as np
import pytest

import autograd as ag
import nn
import nn.data
from test_pytorch_ports import _digits, _to_numpy
from test_pytorch_ports_seq import _assert_same_state


# ------------------------------------------------------------------ (f) the MNIST example
def _mnist_net(T, lib, p1: float = 0.25, p2: float = 0.5):
    F = lib.functional

    class Net(lib.Module):
        def __init__(self) -> None:
            super(Net, self).__init__()
            self.conv1 = lib.Conv2d(1, 8, 3, 1)
            self.conv2 = lib.Conv2d(8, 16, 3, 1)
            self.dropout1 = lib.Dropout(p1)
            self.dropout2 = lib.Dropout(p2)
            self.fc1 = lib.Linear(16 * 2 * 2, 32)
            self.fc2 = lib.Linear(32, 10)

        def forward(self, x):
            x = F.relu(self.conv1(x))
            x = F.relu(self.conv2(x))
            x = F.max_pool2d(x, 2)
            x = self.dropout1(x)
            x = T.flatten(x, 1)
            x = F.relu(self.fc1(x))
            x = self.dropout2(x)
            x = self.fc2(x)
            return F.log_softmax(x, dim=1)

    return Net()


def _train(F, model, device, train_loader, optimizer, epoch, log) -> None:
    model.train()
    for batch_idx, (data, target) in enumerate(train_loader):
        data, target = data.to(device), target.to(device)
        optimizer.zero_grad()
        output = model(data)
        loss = F.nll_loss(output, target)
        loss.backward()
        optimizer.step()
        log.append(loss.item())


def _test(T, F, model, device, test_loader) -> tuple[float, int]:
    model.eval()
    test_loss = 0
    correct = 0
    with T.no_grad():
        for data, target in test_loader:
            data, target = data.to(device), target.to(device)
            output = model(data)
            test_loss += F.nll_loss(output, target, reduction="sum").item()
            pred = output.argmax(dim=1, keepdim=True)
            correct += pred.eq(target.view_as(pred)).sum().item()
    test_loss /= len(test_loader.dataset)
    return test_loss, correct


def _mnist_main(T, lib, optim, data, model, images, labels, epochs: int = 2) -> list:
    use_cuda = False
    device = "cuda" if use_cuda else "cpu"
    train_kwargs = {"batch_size": 32}
    test_kwargs = {"batch_size": 100}
    if use_cuda:
        cuda_kwargs = {"num_workers": 1, "pin_memory": True, "shuffle": True}
        train_kwargs.update(cuda_kwargs)
        test_kwargs.update(cuda_kwargs)
    n = len(images) * 3 // 4
    dataset1 = data.TensorDataset(T.tensor(images[:n]), T.tensor(labels[:n]))
    dataset2 = data.TensorDataset(T.tensor(images[n:]), T.tensor(labels[n:]))
    train_loader = data.DataLoader(dataset1, **train_kwargs)
    test_loader = data.DataLoader(dataset2, **test_kwargs)
    model = model.to(device)
    optimizer = optim.Adadelta(model.parameters(), lr=1.0)
    scheduler = optim.lr_scheduler.StepLR(optimizer, step_size=1, gamma=0.7)
    log = []
    for epoch in range(1, epochs + 1):
        _train(lib.functional, model, device, train_loader, optimizer, epoch, log)
        log.extend(_test(T, lib.functional, model, device, test_loader))
        scheduler.step()
        log.append(scheduler.get_last_lr()[0])
    return log


def test_mnist_example_trains_as_torch():
    torch = pytest.importorskip("torch")
    images, labels = _digits(200, lambda a: (a / 16.0 - 0.1307) / 0.3081)
    torch.manual_seed(0)
    theirs = _mnist_net(torch, torch.nn, 0.0, 0.0).double()  # no dropout: the same masks
    ours = _mnist_net(ag, nn, 0.0, 0.0)
    ours.load_state_dict(_to_numpy(theirs.state_dict()))
    got = _mnist_main(ag, nn, nn.optim, nn.data, ours, images, labels)
    want = _mnist_main(torch, torch.nn, torch.optim, torch.utils.data, theirs, images,
                       labels)
    assert isinstance(got[-2], int) and got[-1] == pytest.approx(0.49)
    np.testing.assert_allclose(got, want, rtol=1e-10)
    _assert_same_state(ours, theirs)


def test_mnist_example_learns_with_dropout_and_saves(tmp_path):
    images, labels = _digits(800, lambda a: ((a / 16.0 - 0.1307) / 0.3081).astype(np.float32))
    nn.manual_seed(1)
    model = _mnist_net(ag, nn)
    log = _mnist_main(ag, nn, nn.optim, nn.data, model, images, labels, epochs=3)
    test_loss, correct, lr = log[-3:]
    assert log[0] > 2.0 and test_loss < 0.6 * log[0] and correct > 0.6 * 200
    assert lr == pytest.approx(0.343)
    nn.save(model.state_dict(), tmp_path / "mnist_cnn.pt")
    again = _mnist_net(ag, nn).float()
    again.load_state_dict(nn.load(tmp_path / "mnist_cnn.pt"))
    loader = nn.data.DataLoader(nn.data.TensorDataset(ag.tensor(images[600:]),
                                                      ag.tensor(labels[600:])), batch_size=50)
    assert _test(ag, nn.functional, again, "cpu", loader) == pytest.approx(
        (test_loss, correct), rel=1e-6)


# ------------------------------------------------------------------ (g) transfer learning
def _small_convnet(lib):
    """A stand-in for the pretrained ResNet: features, BatchNorm, and a last layer ``fc``."""
    class ConvNet(lib.Module):
        def __init__(self) -> None:
            super().__init__()
            self.features = lib.Sequential(lib.Conv2d(1, 16, 3, padding=1),
                                           lib.BatchNorm2d(16), lib.ReLU(), lib.MaxPool2d(2),
                                           lib.Flatten())
            self.fc = lib.Linear(256, 5)

        def forward(self, x):
            return self.fc(self.features(x))

    return ConvNet()


def _train_model(T, model, criterion, optimizer, scheduler, dataloaders, dataset_sizes,
                 num_epochs: int = 3) -> tuple[list, float]:
    device = "cpu"
    best_model_wts = copy.deepcopy(model.state_dict())
    best_acc = 0.0
    log = []
    for epoch in range(num_epochs):
        for phase in ["train", "val"]:
            if phase == "train":
                model.train()
            else:
                model.eval()
            running_loss = 0.0
            running_corrects = 0
            for inputs, labels in dataloaders[phase]:
                inputs = inputs.to(device)
                labels = labels.to(device)
                optimizer.zero_grad()
                with T.set_grad_enabled(phase == "train"):
                    outputs = model(inputs)
                    _, preds = T.max(outputs, dim=1)  # the tutorial's torch.max(outputs, 1)
                    loss = criterion(outputs, labels)
                    if phase == "train":
                        loss.backward()
                        optimizer.step()
                running_loss += loss.item() * inputs.size(0)
                running_corrects += T.sum(preds == labels.data)
            if phase == "train":
                scheduler.step()
            epoch_loss = running_loss / dataset_sizes[phase]
            epoch_acc = running_corrects.double() / dataset_sizes[phase]
            log += [epoch_loss, epoch_acc.item()]
            if phase == "val" and epoch_acc > best_acc:
                best_acc = epoch_acc
                best_model_wts = copy.deepcopy(model.state_dict())
    model.load_state_dict(best_model_wts)
    return log, float(best_acc)


def _transfer(T, lib, optim, data, model, images, labels, freeze: bool, lr: float = 0.02):
    """Fine-tune everything, or (``freeze``) train a new ``fc`` on frozen features."""
    if freeze:
        for param in model.parameters():
            param.requires_grad = False
    num_ftrs = model.fc.in_features
    model.fc = lib.Linear(num_ftrs, 5).double()
    start = np.random.default_rng(0).uniform(-0.1, 0.1, (5, num_ftrs))  # the same new fc
    model.fc.load_state_dict({"weight": T.tensor(start), "bias": T.zeros(5, dtype=T.float64)})
    optimizer = optim.SGD((model.fc if freeze else model).parameters(), lr=lr, momentum=0.9)
    scheduler = optim.lr_scheduler.StepLR(optimizer, step_size=2, gamma=0.1)
    order = np.random.default_rng(0).permutation(100).tolist()
    image_datasets = {"train": data.TensorDataset(T.tensor(images[:100]), T.tensor(labels[:100])),
                      "val": data.TensorDataset(T.tensor(images[100:]), T.tensor(labels[100:]))}
    dataloaders = {"train": data.DataLoader(image_datasets["train"], batch_size=16,
                                            sampler=order, num_workers=0),
                   "val": data.DataLoader(image_datasets["val"], batch_size=16)}
    dataset_sizes = {x: len(image_datasets[x]) for x in ["train", "val"]}
    criterion = lib.CrossEntropyLoss()
    return _train_model(T, model, criterion, optimizer, scheduler, dataloaders, dataset_sizes)


def _five_digits(n: int):
    images, labels = _digits(3 * n, lambda a: a / 16.0)
    keep = labels < 5
    return images[keep][:n], labels[keep][:n]


@pytest.mark.parametrize("freeze", [False, True], ids=["finetune", "feature_extractor"])
def test_transfer_learning_loop_as_torch(freeze):
    torch = pytest.importorskip("torch")
    images, labels = _five_digits(160)
    torch.manual_seed(0)
    theirs = _small_convnet(torch.nn).double()
    ours = _small_convnet(nn)
    ours.load_state_dict(_to_numpy(theirs.state_dict()))
    frozen = _to_numpy(theirs.features.state_dict())
    got = _transfer(ag, nn, nn.optim, nn.data, ours, images, labels, freeze)
    want = _transfer(torch, torch.nn, torch.optim, torch.utils.data, theirs, images, labels,
                     freeze)
    np.testing.assert_allclose(got[0], want[0], rtol=1e-10)
    assert got[1] == pytest.approx(want[1]) and got[1] > 0.9
    _assert_same_state(ours, theirs)  # the best epoch's weights and running statistics
    moved = [not np.array_equal(ours.features.state_dict()[k], v) for k, v in frozen.items()]
    assert any(moved)  # BatchNorm's running statistics move even when frozen
    weights_moved = moved[0]
    assert weights_moved != freeze


def test_transfer_learning_keeps_the_best_epoch():
    images, labels = _five_digits(160)
    nn.manual_seed(0)
    model = _small_convnet(nn)
    log, best_acc = _transfer(ag, nn, nn.optim, nn.data, model, images, labels, True, lr=0.05)
    val_accs = log[3::4]
    assert best_acc == max(val_accs) > val_accs[-1]  # the last epoch is not the best
    model.eval()
    with ag.no_grad():
        _, preds = ag.max(model(ag.tensor(images[100:])), dim=1)
    assert (preds == ag.tensor(labels[100:])).double().mean().item() == pytest.approx(best_acc)


# ------------------------------------------------------------------ (h) the VAE example
def _vae(T, lib, randn_like):
    F = lib.functional

    class VAE(lib.Module):
        def __init__(self) -> None:
            super(VAE, self).__init__()
            self.fc1 = lib.Linear(64, 32)
            self.fc21 = lib.Linear(32, 4)
            self.fc22 = lib.Linear(32, 4)
            self.fc3 = lib.Linear(4, 32)
            self.fc4 = lib.Linear(32, 64)

        def encode(self, x):
            h1 = F.relu(self.fc1(x))
            return self.fc21(h1), self.fc22(h1)

        def reparameterize(self, mu, logvar):
            std = T.exp(0.5 * logvar)
            eps = randn_like(std)
            return eps.mul(std).add_(mu)  # the old example's in-place line, recorded

        def decode(self, z):
            h3 = F.relu(self.fc3(z))
            return T.sigmoid(self.fc4(h3))

        def forward(self, x):
            mu, logvar = self.encode(x.view(-1, 64))
            z = self.reparameterize(mu, logvar)
            return self.decode(z), mu, logvar

    return VAE()


def _vae_loss(T, F, recon_x, x, mu, logvar):
    """Reconstruction + KL divergence losses summed over all elements and batch."""
    BCE = F.binary_cross_entropy(recon_x, x.view(-1, 64), reduction="sum")
    KLD = -0.5 * T.sum(1 + logvar - mu.pow(2) - logvar.exp())
    return BCE + KLD


def _vae_epochs(T, lib, optim, data, model, images, epochs: int) -> list[float]:
    F = lib.functional
    device = "cpu"
    n = len(images) * 3 // 4
    train_loader = data.DataLoader(data.TensorDataset(T.tensor(images[:n])), batch_size=32)
    test_loader = data.DataLoader(data.TensorDataset(T.tensor(images[n:])), batch_size=32)
    optimizer = optim.Adam(model.parameters(), lr=1e-2)
    log = []
    for epoch in range(1, epochs + 1):
        model.train()
        train_loss = 0
        for batch_idx, (data_,) in enumerate(train_loader):
            data_ = data_.to(device)
            optimizer.zero_grad()
            recon_batch, mu, logvar = model(data_)
            loss = _vae_loss(T, F, recon_batch, data_, mu, logvar)
            loss.backward()
            train_loss += loss.item()
            optimizer.step()
        model.eval()
        test_loss = 0
        with T.no_grad():
            for i, (data_,) in enumerate(test_loader):
                recon_batch, mu, logvar = model(data_.to(device))
                test_loss += _vae_loss(T, F, recon_batch, data_, mu, logvar).item()
                if i == 0:
                    n = min(data_.size(0), 8)
                    comparison = T.cat([data_[:n], recon_batch.view(-1, 1, 8, 8)[:n]])
                    assert tuple(comparison.shape) == (2 * n, 1, 8, 8)
        log += [train_loss / len(train_loader.dataset), test_loss / len(test_loader.dataset)]
    return log


def test_vae_example_trains_as_torch():
    torch = pytest.importorskip("torch")
    images, _ = _digits(128, lambda a: a / 16.0)
    noise = np.random.default_rng(0).standard_normal((2 * 4, 32, 4))

    def fixed_noise(T):
        draws = iter(noise)
        return lambda std: T.tensor(next(draws)[:std.shape[0]])

    torch.manual_seed(0)
    theirs = _vae(torch, torch.nn, fixed_noise(torch)).double()
    ours = _vae(ag, nn, fixed_noise(ag))
    ours.load_state_dict(_to_numpy(theirs.state_dict()))
    got = _vae_epochs(ag, nn, nn.optim, nn.data, ours, images, epochs=2)
    want = _vae_epochs(torch, torch.nn, torch.optim, torch.utils.data, theirs, images,
                       epochs=2)
    np.testing.assert_allclose(got, want, rtol=1e-10)
    _assert_same_state(ours, theirs)
    sample = noise[-1][:6]
    with ag.no_grad():
        ours_sample = ours.decode(ag.tensor(sample)).cpu()
    np.testing.assert_allclose(ours_sample.view(6, 1, 8, 8).numpy(),
                               theirs.decode(torch.tensor(sample)).detach().view(6, 1, 8, 8),
                               atol=1e-12)


def test_vae_example_learns_and_samples():
    images, _ = _digits(640, lambda a: (a / 16.0).astype(np.float32))
    nn.manual_seed(1)
    rng = np.random.default_rng(0)  # the noise apart from nn's draws
    model = _vae(ag, nn, lambda std: ag.randn_like(std, generator=rng)).float().to("cpu")
    x_test = ag.tensor(images[480:])
    with ag.no_grad():
        untrained = _vae_loss(ag, nn.functional, *model(x_test)[:1], x_test,
                              *model(x_test)[1:]).item() / len(x_test)
    log = _vae_epochs(ag, nn, nn.optim, nn.data, model, images, epochs=5)
    assert log[-1] < 0.7 * untrained  # the test loss per image
    with ag.no_grad():
        sample = model.decode(ag.randn(64, 4, dtype=ag.float32, generator=rng)).cpu()
    assert sample.shape == (64, 64) and sample.dtype == np.float32
    assert 0 < sample.min().item() and sample.max().item() < 1
