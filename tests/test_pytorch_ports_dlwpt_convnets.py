""""Deep Learning with PyTorch", chapters 7 and 8 (telling birds from airplanes), as its
readers type them: the fully connected classifier with ``LogSoftmax`` and ``NLLLoss``,
``Net`` as a module and in its functional form, ``NetWidth``, L2 regularisation by hand,
``NetDropout``, ``NetBatchNorm``, ``NetDepth``, ``NetRes`` and ``NetResDeep`` (one
``ResBlock`` repeated by ``n_blocks * [ResBlock(...)]``, with ``torch.nn.init``), each
trained a few steps next to PyTorch from the same weights (float64).

The images are small generated 3 x 32 x 32 pictures (CIFAR-10's size, so the book's
``8 * 8 * n_chans1`` stays as written) in place of CIFAR-10's birds and airplanes;
``n_chans1`` and ``n_blocks`` are smaller than the book's to keep the test fast. Loaders
keep ``shuffle=False`` (the two libraries' generators differ). ``torch.save`` of a
``state_dict`` is ``nn.save`` (NumPy's format).
"""

import numpy as np
import pytest

import autograd as ag
import nn
import nn.data
import nn.functional
import nn.optim
from test_pytorch_ports_dlwpt import assert_records

# the book's float(loss) of a loss that requires grad: PyTorch 2.13 warns there
pytestmark = pytest.mark.filterwarnings("ignore:Converting a tensor with requires_grad")


def libraries(torch=None) -> tuple:
    """(T, lib, F, optim, data) for this library, or PyTorch's when ``torch`` is given."""
    if torch is None:
        return ag, nn, nn.functional, nn.optim, nn.data
    return torch, torch.nn, torch.nn.functional, torch.optim, torch.utils.data


def birds_and_airplanes(n: int = 8) -> tuple[np.ndarray, np.ndarray]:
    """n 3 x 32 x 32 pictures: airplanes (label 0) bluer in the top half, birds (1) not."""
    rng = np.random.default_rng(0)
    labels = np.arange(n) % 2
    imgs = rng.normal(0.0, 0.5, size=(n, 3, 32, 32))
    imgs[labels == 0, 2, :16] += 1.0
    return imgs, labels.astype(np.int64)


def loaders(T, data, batch_size: int = 4):
    imgs, labels = birds_and_airplanes()
    cifar2 = data.TensorDataset(T.tensor(imgs), T.tensor(labels))
    train_loader = data.DataLoader(cifar2, batch_size=batch_size, shuffle=False)
    val_loader = data.DataLoader(cifar2, batch_size=batch_size, shuffle=False)
    return cifar2, train_loader, val_loader


def same_start(torch, ours, theirs) -> None:
    """Give our model PyTorch's freshly drawn weights (and buffers)."""
    ours.load_state_dict({k: v.detach().numpy() for k, v in theirs.state_dict().items()})


def training_loop(n_epochs, optimizer, model, loss_fn, train_loader, record, l2_lambda=0.0):
    for epoch in range(1, n_epochs + 1):
        loss_train = 0.0
        for imgs, labels in train_loader:
            outputs = model(imgs)
            loss = loss_fn(outputs, labels)
            if l2_lambda:  # the book's training_loop_l2reg
                l2_norm = sum(p.pow(2.0).sum() for p in model.parameters())
                loss = loss + l2_lambda * l2_norm
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            loss_train += loss.item()
            record += [loss.item()] + [p.grad.numpy().copy() for p in model.parameters()]
        record.append(loss_train / len(train_loader))


def validate(T, model, train_loader, val_loader, record):
    for name, loader in [("train", train_loader), ("val", val_loader)]:
        correct = 0
        total = 0
        with T.no_grad():
            for imgs, labels in loader:
                outputs = model(imgs)
                _, predicted = T.max(outputs, dim=1)
                total += labels.shape[0]
                correct += int((predicted == labels).sum())
        record.append(correct / total)


def run_both(torch, program, build, **options) -> None:
    """Run ``program`` with a model from ``build(lib, F)`` in both libraries, ours starting
    from PyTorch's weights, and compare the records."""
    theirs = build(*libraries(torch)[:3])
    ours = build(*libraries()[:3])
    same_start(torch, ours, theirs)
    got, want = [], []
    program(*libraries(torch)[:2], *libraries(torch)[3:], theirs, want, **options)
    program(*libraries()[:2], *libraries()[3:], ours, got, **options)
    assert_records(got, want)


def fit(T, lib, optim, data, model, record, n_epochs=2, l2_lambda=0.0, weight_decay=0.0):
    cifar2, train_loader, val_loader = loaders(T, data)
    optimizer = optim.SGD(model.parameters(), lr=1e-2, weight_decay=weight_decay)
    loss_fn = lib.CrossEntropyLoss()
    training_loop(n_epochs, optimizer, model, loss_fn, train_loader, record, l2_lambda)
    validate(T, model, train_loader, val_loader, record)


# ------------------------------------------------------------------ chapter 7
def _fully_connected(T, lib, optim, data, model, record) -> None:
    cifar2, train_loader, _ = loaders(T, data)
    img, label = cifar2[0]
    record.append(model(img.view(-1).unsqueeze(0)).exp().detach().numpy())  # probabilities
    optimizer = optim.SGD(model.parameters(), lr=1e-2)
    loss_fn = lib.NLLLoss()
    for epoch in range(2):
        for imgs, labels in train_loader:
            batch_size = imgs.shape[0]
            outputs = model(imgs.view(batch_size, -1))
            loss = loss_fn(outputs, labels)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            record.append(float(loss))
    numel_list = [p.numel() for p in model.parameters() if p.requires_grad is True]
    record += [sum(numel_list), numel_list]
    softmax = lib.Softmax(dim=1)
    x = T.tensor([[1.0, 2.0, 3.0], [1.0, 2.0, 3.0]])
    record.append(softmax(x).sum(dim=1).numpy())


def test_chapter7_fully_connected(torch) -> None:
    run_both(torch, _fully_connected, lambda T, lib, F: lib.Sequential(
        lib.Linear(3072, 64), lib.Tanh(), lib.Linear(64, 2), lib.LogSoftmax(dim=1)))


def test_chapter7_normalisation_statistics(torch) -> None:
    imgs_np, _ = birds_and_airplanes()
    stats = []
    for T in (ag, torch):
        tensor_cifar10 = [(T.tensor(img), 0) for img in imgs_np]
        imgs = T.stack([img_t for img_t, _ in tensor_cifar10], dim=3)
        stats.append([tuple(imgs.shape), imgs.view(3, -1).mean(dim=1).numpy(),
                      imgs.view(3, -1).std(dim=1).numpy()])
    assert stats[0][0] == stats[1][0]
    assert_records(stats[0][1:], stats[1][1:])


# ------------------------------------------------------------------ chapter 8
def chapter8_models(T, lib, F) -> dict:
    """The book's convnets, written for ``T``, ``lib`` (``nn``) and ``F``."""

    class Net(lib.Module):
        def __init__(self):
            super().__init__()
            self.conv1 = lib.Conv2d(3, 16, kernel_size=3, padding=1)
            self.act1 = lib.Tanh()
            self.pool1 = lib.MaxPool2d(2)
            self.conv2 = lib.Conv2d(16, 8, kernel_size=3, padding=1)
            self.act2 = lib.Tanh()
            self.pool2 = lib.MaxPool2d(2)
            self.fc1 = lib.Linear(8 * 8 * 8, 32)
            self.act3 = lib.Tanh()
            self.fc2 = lib.Linear(32, 2)

        def forward(self, x):
            out = self.pool1(self.act1(self.conv1(x)))
            out = self.pool2(self.act2(self.conv2(out)))
            out = out.view(-1, 8 * 8 * 8)
            out = self.act3(self.fc1(out))
            out = self.fc2(out)
            return out

    class NetFunctional(lib.Module):  # the book's second Net
        def __init__(self):
            super().__init__()
            self.conv1 = lib.Conv2d(3, 16, kernel_size=3, padding=1)
            self.conv2 = lib.Conv2d(16, 8, kernel_size=3, padding=1)
            self.fc1 = lib.Linear(8 * 8 * 8, 32)
            self.fc2 = lib.Linear(32, 2)

        def forward(self, x):
            out = F.max_pool2d(T.tanh(self.conv1(x)), 2)
            out = F.max_pool2d(T.tanh(self.conv2(out)), 2)
            out = out.view(-1, 8 * 8 * 8)
            out = T.tanh(self.fc1(out))
            out = self.fc2(out)
            return out

    class NetWidth(lib.Module):
        def __init__(self, n_chans1=32):
            super().__init__()
            self.n_chans1 = n_chans1
            self.conv1 = lib.Conv2d(3, n_chans1, kernel_size=3, padding=1)
            self.conv2 = lib.Conv2d(n_chans1, n_chans1 // 2, kernel_size=3, padding=1)
            self.fc1 = lib.Linear(8 * 8 * n_chans1 // 2, 32)
            self.fc2 = lib.Linear(32, 2)

        def forward(self, x):
            out = F.max_pool2d(T.tanh(self.conv1(x)), 2)
            out = F.max_pool2d(T.tanh(self.conv2(out)), 2)
            out = out.view(-1, 8 * 8 * self.n_chans1 // 2)
            out = T.tanh(self.fc1(out))
            out = self.fc2(out)
            return out

    class NetDropout(lib.Module):
        def __init__(self, n_chans1=32):
            super().__init__()
            self.n_chans1 = n_chans1
            self.conv1 = lib.Conv2d(3, n_chans1, kernel_size=3, padding=1)
            self.conv1_dropout = lib.Dropout2d(p=0.4)
            self.conv2 = lib.Conv2d(n_chans1, n_chans1 // 2, kernel_size=3, padding=1)
            self.conv2_dropout = lib.Dropout2d(p=0.4)
            self.fc1 = lib.Linear(8 * 8 * n_chans1 // 2, 32)
            self.fc2 = lib.Linear(32, 2)

        def forward(self, x):
            out = F.max_pool2d(T.tanh(self.conv1(x)), 2)
            out = self.conv1_dropout(out)
            out = F.max_pool2d(T.tanh(self.conv2(out)), 2)
            out = self.conv2_dropout(out)
            out = out.view(-1, 8 * 8 * self.n_chans1 // 2)
            out = T.tanh(self.fc1(out))
            out = self.fc2(out)
            return out

    class NetBatchNorm(lib.Module):
        def __init__(self, n_chans1=32):
            super().__init__()
            self.n_chans1 = n_chans1
            self.conv1 = lib.Conv2d(3, n_chans1, kernel_size=3, padding=1)
            self.conv1_batchnorm = lib.BatchNorm2d(num_features=n_chans1)
            self.conv2 = lib.Conv2d(n_chans1, n_chans1 // 2, kernel_size=3, padding=1)
            self.conv2_batchnorm = lib.BatchNorm2d(num_features=n_chans1 // 2)
            self.fc1 = lib.Linear(8 * 8 * n_chans1 // 2, 32)
            self.fc2 = lib.Linear(32, 2)

        def forward(self, x):
            out = self.conv1_batchnorm(self.conv1(x))
            out = F.max_pool2d(T.tanh(out), 2)
            out = self.conv2_batchnorm(self.conv2(out))
            out = F.max_pool2d(T.tanh(out), 2)
            out = out.view(-1, 8 * 8 * self.n_chans1 // 2)
            out = T.tanh(self.fc1(out))
            out = self.fc2(out)
            return out

    class NetDepth(lib.Module):
        def __init__(self, n_chans1=32):
            super().__init__()
            self.n_chans1 = n_chans1
            self.conv1 = lib.Conv2d(3, n_chans1, kernel_size=3, padding=1)
            self.conv2 = lib.Conv2d(n_chans1, n_chans1 // 2, kernel_size=3, padding=1)
            self.conv3 = lib.Conv2d(n_chans1 // 2, n_chans1 // 2, kernel_size=3, padding=1)
            self.fc1 = lib.Linear(4 * 4 * n_chans1 // 2, 32)
            self.fc2 = lib.Linear(32, 2)

        def forward(self, x):
            out = F.max_pool2d(T.relu(self.conv1(x)), 2)
            out = F.max_pool2d(T.relu(self.conv2(out)), 2)
            out = F.max_pool2d(T.relu(self.conv3(out)), 2)
            out = out.view(-1, 4 * 4 * self.n_chans1 // 2)
            out = T.relu(self.fc1(out))
            out = self.fc2(out)
            return out

    class NetRes(NetDepth):  # NetDepth's layers, a skip connection around conv3
        def forward(self, x):
            out = F.max_pool2d(T.relu(self.conv1(x)), 2)
            out = F.max_pool2d(T.relu(self.conv2(out)), 2)
            out1 = out
            out = F.max_pool2d(T.relu(self.conv3(out)) + out1, 2)
            out = out.view(-1, 4 * 4 * self.n_chans1 // 2)
            out = T.relu(self.fc1(out))
            out = self.fc2(out)
            return out

    class ResBlock(lib.Module):
        def __init__(self, n_chans):
            super(ResBlock, self).__init__()
            self.conv = lib.Conv2d(n_chans, n_chans, kernel_size=3, padding=1, bias=False)
            self.batch_norm = lib.BatchNorm2d(num_features=n_chans)
            lib.init.kaiming_normal_(self.conv.weight, nonlinearity='relu')
            lib.init.constant_(self.batch_norm.weight, 0.5)
            lib.init.zeros_(self.batch_norm.bias)

        def forward(self, x):
            out = self.conv(x)
            out = self.batch_norm(out)
            out = T.relu(out)
            return out + x

    class NetResDeep(lib.Module):
        def __init__(self, n_chans1=32, n_blocks=10):
            super().__init__()
            self.n_chans1 = n_chans1
            self.conv1 = lib.Conv2d(3, n_chans1, kernel_size=3, padding=1)
            self.resblocks = lib.Sequential(*(n_blocks * [ResBlock(n_chans=n_chans1)]))
            self.fc1 = lib.Linear(8 * 8 * n_chans1, 32)
            self.fc2 = lib.Linear(32, 2)

        def forward(self, x):
            out = F.max_pool2d(T.relu(self.conv1(x)), 2)
            out = self.resblocks(out)
            out = F.max_pool2d(out, 2)
            out = out.view(-1, 8 * 8 * self.n_chans1)
            out = T.relu(self.fc1(out))
            out = self.fc2(out)
            return out

    return {cls.__name__: cls for cls in (Net, NetFunctional, NetWidth, NetDropout,
                                          NetBatchNorm, NetDepth, NetRes, ResBlock,
                                          NetResDeep)}


@pytest.mark.parametrize("name", ["Net", "NetFunctional"])
def test_chapter8_net(torch, name) -> None:
    run_both(torch, fit, lambda T, lib, F: chapter8_models(T, lib, F)[name]())


def test_chapter8_net_width_with_weight_decay_by_hand_and_by_sgd(torch) -> None:
    def build(T, lib, F):
        return chapter8_models(T, lib, F)["NetWidth"](n_chans1=8)
    run_both(torch, fit, build, n_epochs=1, l2_lambda=0.001)
    run_both(torch, fit, build, n_epochs=1, weight_decay=0.002)


@pytest.mark.parametrize("name", ["NetBatchNorm", "NetDepth", "NetRes"])
def test_chapter8_batchnorm_depth_and_skip(torch, name) -> None:
    run_both(torch, fit, lambda T, lib, F: chapter8_models(T, lib, F)[name](n_chans1=8),
             n_epochs=1)


def _res_deep(T, lib, optim, data, model, record) -> None:
    record.append(sum(p.numel() for p in model.parameters()))  # the block counts once
    fit(T, lib, optim, data, model, record, n_epochs=1)
    block = model.resblocks[0]
    record += [model.resblocks[2] is block, block.batch_norm.running_mean.numpy().copy(),
               int(block.batch_norm.num_batches_tracked)]


def test_chapter8_net_res_deep_repeats_one_block(torch) -> None:
    def build(T, lib, F):
        return chapter8_models(T, lib, F)["NetResDeep"](n_chans1=4, n_blocks=3)
    got = []
    _res_deep(*libraries()[:2], *libraries()[3:], build(*libraries()[:3]), got)
    # 3 uses x 6 batches: 2 training, 4 in validate (the book does not call model.eval())
    assert got[-3] is True and got[-1] == 3 * 6
    names = [[name for name, _ in build(*libs[:3]).named_parameters()]
             for libs in (libraries(), libraries(torch))]
    assert names[0] == names[1] and "resblocks.0.conv.weight" in names[0]
    assert not any(name.startswith("resblocks.1") for name in names[0])
    run_both(torch, _res_deep, build)


def test_chapter8_resblock_initialisation(torch) -> None:
    block = chapter8_models(ag, nn, nn.functional)["ResBlock"](n_chans=16)
    std = np.sqrt(2.0 / (16 * 3 * 3))  # kaiming_normal_, fan_in, gain sqrt(2) for relu
    # weight.std() asks which divisor here (n or n - 1, NumPy's or PyTorch's): say it
    assert abs(float(block.conv.weight.std(correction=1)) / std - 1) < 0.1
    assert (block.batch_norm.weight.detach().numpy() == 0.5).all()
    assert (block.batch_norm.bias.detach().numpy() == 0).all() and block.conv.bias is None


def _dropout(T, lib, optim, data, model, record) -> None:
    cifar2, train_loader, val_loader = loaders(T, data)
    imgs, _ = next(iter(train_loader))
    model.train()
    out = model.conv1_dropout(T.ones(2, 8, 4, 4))
    kept = out[:, :, 0, 0].numpy()  # Dropout2d drops whole channels, scales the rest
    assert np.isin(kept, [0.0, 1 / 0.6]).all()
    assert (out.numpy() == kept[:, :, None, None]).all()
    model.eval()  # the comparison: evaluation mode, where dropout is the identity
    record.append(model(imgs).detach().numpy())
    validate(T, model, train_loader, val_loader, record)


def test_chapter8_net_dropout(torch) -> None:
    run_both(torch, _dropout,
             lambda T, lib, F: chapter8_models(T, lib, F)["NetDropout"](n_chans1=8))


def test_chapter8_save_load_and_device(torch, tmp_path) -> None:
    T, lib, F = ag, nn, nn.functional
    device = (T.device('cuda') if T.cuda.is_available() else T.device('cpu'))
    model = chapter8_models(T, lib, F)["Net"]().to(device=device)
    imgs, _ = birds_and_airplanes(2)
    imgs = T.tensor(imgs).to(device=device)
    # the book: torch.save(model.state_dict(), data_path + 'birds_vs_airplanes.pt')
    nn.save(model.state_dict(), tmp_path / 'birds_vs_airplanes.pt')
    loaded_model = chapter8_models(T, lib, F)["Net"]()
    loaded_model.load_state_dict(nn.load(tmp_path / 'birds_vs_airplanes.pt'))
    np.testing.assert_array_equal(loaded_model(imgs).detach().numpy(),
                                  model(imgs).detach().numpy())
