"""Well-known PyTorch beginner programs, ported as a PyTorch user writes them
(``import autograd as ag; import nn; import nn.functional as F``), on scikit-learn's 8x8
digits: the "60-minute blitz" CNN classifier and a DCGAN-style generator/discriminator.
Each learns, and runs step for step as PyTorch's from the same state dict.

Where PyTorch's habit differs here (documented choices), the test writes this library's
spelling and says so: ``outputs.max(1)`` gives the values only (NumPy's ``max``), so
``_, predicted = torch.max(outputs, 1)`` becomes ``predicted = outputs.argmax(1)``.
"""

import numpy as np
import pytest

import autograd as ag
import nn
import nn.functional as F


def _digits(n: int, scale) -> tuple[np.ndarray, np.ndarray]:
    datasets = pytest.importorskip("sklearn.datasets")
    images, labels = datasets.load_digits(return_X_y=True)
    return scale(images[:n]).reshape(n, 1, 8, 8), labels[:n]


def _to_numpy(state: dict) -> dict:
    return {name: value.detach().numpy() for name, value in state.items()}


# ------------------------------------------------------------------ (a) the blitz CNN
class Net(nn.Module):
    """The blitz's ``Net``, sized for 8x8 images."""

    def __init__(self) -> None:
        super().__init__()
        self.conv1 = nn.Conv2d(1, 6, 3, padding=1)
        self.pool = nn.MaxPool2d(2, 2)
        self.conv2 = nn.Conv2d(6, 16, 3, padding=1)
        self.fc1 = nn.Linear(16 * 2 * 2, 32)
        self.fc2 = nn.Linear(32, 10)

    def forward(self, x):
        x = self.pool(F.relu(self.conv1(x)))
        x = self.pool(F.relu(self.conv2(x)))
        x = x.view(x.size(0), -1)  # the blitz's torch.flatten(x, 1) is x.flatten(1) here
        x = F.relu(self.fc1(x))
        return self.fc2(x)


def _blitz_epoch(net, criterion, optimizer, images, labels, tensor) -> list[float]:
    losses = []
    for i in range(0, len(images), 32):
        inputs, targets = tensor(images[i:i + 32]), tensor(labels[i:i + 32])
        optimizer.zero_grad()
        loss = criterion(net(inputs), targets)
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    return losses


def test_blitz_cnn_learns_and_its_accuracy_uses_argmax():
    images, labels = _digits(448, lambda a: (a / 16.0).astype(np.float32))
    nn.manual_seed(0)
    net = Net().float()
    criterion = nn.CrossEntropyLoss()
    optimizer = nn.optim.SGD(net.parameters(), lr=0.05, momentum=0.9)
    losses = []
    for _ in range(10):
        losses += _blitz_epoch(net, criterion, optimizer, images[:384], labels[:384], ag.tensor)
    assert np.mean(losses[-4:]) < 0.5 * np.mean(losses[:4])
    with ag.no_grad():
        outputs = net(ag.tensor(images[384:]))
        _, predicted = ag.max(outputs, dim=1)  # torch.max(outputs, 1): ambiguous here
        assert outputs.dtype == np.float32 and not outputs.requires_grad
    with pytest.raises(ag.UsageError, match=r"max\(x, dim=1\) for the pair"):
        ag.max(outputs, 1)  # NumPy's values or PyTorch's pair: named, never guessed
    np.testing.assert_array_equal(outputs.max(axis=1).numpy(), outputs.numpy().max(1))
    np.testing.assert_array_equal(ag.argmax(outputs, 1).numpy(), predicted.numpy())
    targets = ag.tensor(labels[384:])
    correct = (predicted == targets).sum().item()
    total = targets.size(0)
    assert isinstance(correct, int) and total == 64
    assert correct / total > 0.4  # chance is 0.1


def test_blitz_cnn_trains_as_torch():
    torch = pytest.importorskip("torch")
    images, labels = _digits(160, lambda a: a / 16.0)

    class TorchNet(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.conv1 = torch.nn.Conv2d(1, 6, 3, padding=1)
            self.pool = torch.nn.MaxPool2d(2, 2)
            self.conv2 = torch.nn.Conv2d(6, 16, 3, padding=1)
            self.fc1 = torch.nn.Linear(16 * 2 * 2, 32)
            self.fc2 = torch.nn.Linear(32, 10)

        def forward(self, x):
            x = self.pool(torch.relu(self.conv1(x)))
            x = self.pool(torch.relu(self.conv2(x)))
            return self.fc2(torch.relu(self.fc1(torch.flatten(x, 1))))

    torch.manual_seed(0)
    theirs = TorchNet().double()
    ours = Net()
    ours.load_state_dict(_to_numpy(theirs.state_dict()))
    got = _blitz_epoch(ours, nn.CrossEntropyLoss(),
                       nn.optim.SGD(ours.parameters(), lr=0.1, momentum=0.9),
                       images, labels, ag.tensor)
    want = _blitz_epoch(theirs, torch.nn.CrossEntropyLoss(),
                        torch.optim.SGD(theirs.parameters(), lr=0.1, momentum=0.9),
                        images, labels, torch.tensor)
    np.testing.assert_allclose(got, want, rtol=1e-10)
    for name, value in theirs.state_dict().items():
        np.testing.assert_allclose(ours.state_dict()[name], value.numpy(), atol=1e-12)


# ------------------------------------------------------------------ (b) DCGAN on digits
NZ = 8


def _generator(lib):
    """DCGAN's generator: noise (N, NZ, 1, 1) -> images (N, 1, 8, 8) in [-1, 1]."""
    return lib.Sequential(
        lib.ConvTranspose2d(NZ, 16, 2, 1, 0, bias=False), lib.BatchNorm2d(16), lib.ReLU(True),
        lib.ConvTranspose2d(16, 8, 4, 2, 1, bias=False), lib.BatchNorm2d(8), lib.ReLU(True),
        lib.ConvTranspose2d(8, 1, 4, 2, 1, bias=False), lib.Tanh())


def _discriminator(lib, logits: bool):
    """DCGAN's discriminator: images -> one probability (or logit) each."""
    layers = [lib.Conv2d(1, 8, 4, 2, 1, bias=False), lib.LeakyReLU(0.2, inplace=True),
              lib.Conv2d(8, 16, 4, 2, 1, bias=False), lib.BatchNorm2d(16),
              lib.LeakyReLU(0.2, inplace=True), lib.Conv2d(16, 1, 2, 1, 0, bias=False)]
    return lib.Sequential(*layers, *([] if logits else [lib.Sigmoid()]))


def _gan_steps(T, optim, lib, net_g, net_d, images, noise, logits: bool) -> np.ndarray:
    """The DCGAN tutorial's loop: D on real, D on fake.detach(), then G through D."""
    criterion = lib.BCEWithLogitsLoss() if logits else lib.BCELoss()
    opt_d = optim.Adam(net_d.parameters(), lr=2e-3, betas=(0.5, 0.999))
    opt_g = optim.Adam(net_g.parameters(), lr=2e-3, betas=(0.5, 0.999))
    log = []
    for step, z in enumerate(noise):
        real = T.tensor(images[step * 16:(step + 1) * 16])
        label = T.full((real.size(0),), 1.0, dtype=real.dtype)
        net_d.zero_grad()
        err_real = criterion(net_d(real).view(-1), label)
        err_real.backward()
        fake = net_g(T.tensor(z))
        label.fill_(0.0)
        err_fake = criterion(net_d(fake.detach()).view(-1), label)
        err_fake.backward()
        opt_d.step()
        net_g.zero_grad()
        label.fill_(1.0)
        err_g = criterion(net_d(fake).view(-1), label)
        err_g.backward()
        opt_g.step()
        log.append([err_real.item() + err_fake.item(), err_g.item()])
    return np.array(log)


def test_dcgan_weights_init_through_apply_and_data():
    def weights_init(m):  # the DCGAN tutorial's, verbatim but for the library names
        classname = m.__class__.__name__
        if classname.find("Conv") != -1:
            nn.init.normal_(m.weight.data, 0.0, 0.02)
        elif classname.find("BatchNorm") != -1:
            nn.init.normal_(m.weight.data, 1.0, 0.02)
            nn.init.constant_(m.bias.data, 0)

    nn.manual_seed(0)
    net_g = _generator(nn)
    params = list(net_g.parameters())
    assert net_g.apply(weights_init) is net_g
    assert all(a is b for a, b in zip(params, net_g.parameters()))  # written in place
    convs = [m for m in net_g.modules() if isinstance(m, nn.ConvTranspose2d)]
    weights = np.concatenate([m.weight.data.ravel() for m in convs])
    assert abs(weights.mean()) < 0.005 and 0.015 < weights.std() < 0.025
    norms = [m for m in net_g.modules() if isinstance(m, nn.BatchNorm2d)]
    assert all(np.all(m.bias.data == 0) and abs(m.weight.data.mean() - 1) < 0.02
               for m in norms)


@pytest.mark.parametrize("logits", [False, True], ids=["BCELoss", "BCEWithLogitsLoss"])
def test_dcgan_steps_as_torch(logits):
    torch = pytest.importorskip("torch")
    images, _ = _digits(80, lambda a: a / 8.0 - 1.0)
    noise = np.random.default_rng(0).standard_normal((5, 16, NZ, 1, 1))
    torch.manual_seed(0)
    their_g, their_d = _generator(torch.nn).double(), _discriminator(torch.nn, logits).double()
    our_g, our_d = _generator(nn), _discriminator(nn, logits)
    our_g.load_state_dict(_to_numpy(their_g.state_dict()))
    our_d.load_state_dict(_to_numpy(their_d.state_dict()))
    got = _gan_steps(ag, nn.optim, nn, our_g, our_d, images, noise, logits)
    want = _gan_steps(torch, torch.optim, torch.nn, their_g, their_d, images, noise, logits)
    np.testing.assert_allclose(got, want, rtol=1e-9)
    for ours, theirs in ((our_g, their_g), (our_d, their_d)):
        for name, value in theirs.state_dict().items():  # weights and running statistics
            np.testing.assert_allclose(ours.state_dict()[name], value.numpy(), atol=1e-10)
    our_g.eval()
    their_g.eval()
    z = noise[0][:4]
    with ag.no_grad():
        sample = our_g(ag.tensor(z))
    assert sample.shape == (4, 1, 8, 8) and np.abs(sample.numpy()).max() <= 1
    np.testing.assert_allclose(sample.numpy(), their_g(torch.tensor(z)).detach().numpy(),
                               atol=1e-10)


def test_conv_autoencoder_learns_in_float32():
    images, _ = _digits(64, lambda a: (a / 16.0).astype(np.float32))
    nn.manual_seed(0)
    encoder = nn.Sequential(nn.Conv2d(1, 8, 3, stride=2, padding=1), nn.LeakyReLU(0.2),
                            nn.Conv2d(8, 16, 3, stride=2, padding=1), nn.BatchNorm2d(16),
                            nn.LeakyReLU(0.2))
    decoder = nn.Sequential(
        nn.ConvTranspose2d(16, 8, 3, stride=2, padding=1, output_padding=1),
        nn.BatchNorm2d(8), nn.ReLU(),
        nn.ConvTranspose2d(8, 1, 3, stride=2, padding=1, output_padding=1))
    model = nn.Sequential(encoder, decoder).float()
    optimizer = nn.optim.Adam(model.parameters(), lr=1e-2)
    criterion = nn.BCEWithLogitsLoss()
    x = ag.from_numpy(images)
    losses = []
    for _ in range(25):
        optimizer.zero_grad()
        loss = criterion(model(x), x)
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    assert loss.dtype == np.float32 and model[0][0].weight.grad.dtype == np.float32
    assert losses[-1] < 0.6 * losses[0]
    model.eval()
    with ag.no_grad():
        reconstruction = model(x).sigmoid()
    assert reconstruction.shape == x.shape and reconstruction.dtype == np.float32
