"""PyTorch's "60-minute blitz", ported as a PyTorch user writes it (``import autograd as
ag`` for ``torch``, ``import nn``, ``import nn.functional as F``), on small synthetic data
(nothing is downloaded):

(a) "Neural Networks": the LeNet ``Net`` on a 1x32x32 input, ``params[0].size()``,
    ``net.zero_grad(); out.backward(torch.randn(1, 10))``, ``MSELoss``, the hand-written
    update over ``net.parameters()``, then ``optim.SGD``;
(b) "Training a classifier": the CIFAR-10 ``Net`` on 3x32x32 images, the loop with
    ``running_loss += loss.item()``, saving and loading the state dict, the accuracy
    loop (``total += labels.size(0)``, ``correct += (predicted == labels).sum().item()``)
    and per-class accuracy (``classes[label]`` over ``zip(labels, predictions)``);
(c) "A gentle introduction to torch.autograd": ``Q.backward(gradient=external_grad)``,
    ``requires_grad`` of sums, one SGD step of a pretrained-style model, then freezing
    every parameter, replacing ``model.fc`` and training with an optimizer over all of
    ``model.parameters()``; and Learn the Basics' "Automatic differentiation" (``w.grad``
    of a BCE-with-logits loss, ``no_grad``, ``detach``, and gradients accumulating over
    ``out.backward(torch.ones_like(out), retain_graph=True)`` until ``inp.grad.zero_()``).

Each runs step for step as PyTorch's from the same weights and data. Spellings that differ
here (documented choices), each marked where it is written:
- ``f.data`` is the NumPy array, which has no ``sub_``: ``f.data.sub_(f.grad.data * lr)``
  is written ``f.data -= f.grad.data * lr`` (the same in-place update, in both libraries);
- ``torch.max(outputs, 1)`` by position is about to be a ``UsageError`` here (NumPy's
  ``max(1)`` gives the values, PyTorch's the pair), so it is written
  ``torch.max(outputs, dim=1)``, which is PyTorch's pair in both;
- ``torch.save`` / ``torch.load`` are ``nn.save`` / ``nn.load`` (files of data, never
  pickles), called as the tutorial calls them.
"""

import numpy as np
import pytest

import autograd as ag
import nn
import nn.data
from test_pytorch_ports import _to_numpy
from test_pytorch_ports_seq import _assert_same_state


# ------------------------------------------------------------------ (a) Neural Networks
def _lenet(T, lib, channels: int = 1):
    """The blitz's ``Net``: two 5x5 convolutions with 2x2 max pooling, three Linear."""
    F = lib.functional

    class Net(lib.Module):
        def __init__(self) -> None:
            super().__init__()
            self.conv1 = lib.Conv2d(channels, 6, 5)
            self.conv2 = lib.Conv2d(6, 16, 5)
            self.fc1 = lib.Linear(16 * 5 * 5, 120)
            self.fc2 = lib.Linear(120, 84)
            self.fc3 = lib.Linear(84, 10)

        def forward(self, input):
            c1 = F.relu(self.conv1(input))
            s2 = F.max_pool2d(c1, (2, 2))
            c3 = F.relu(self.conv2(s2))
            s4 = F.max_pool2d(c3, 2)
            s4 = T.flatten(s4, 1)
            f5 = F.relu(self.fc1(s4))
            f6 = F.relu(self.fc2(f5))
            return self.fc3(f6)

    return Net()


def _neural_networks(T, lib, optim, net, draws) -> list:
    """The tutorial's statements in order; returns what it prints (as arrays)."""
    printed = []
    params = list(net.parameters())
    printed.append((len(params), tuple(params[0].size())))  # conv1's .weight
    input = T.tensor(draws[0])
    out = net(input)
    printed.append(out.detach().numpy())
    net.zero_grad()
    out.backward(T.tensor(draws[1]))
    printed.append(net.conv1.weight.grad.numpy().copy())

    output = net(input)
    target = T.tensor(draws[2])  # a dummy target, for example
    target = target.view(1, -1)  # make it the same shape as output
    criterion = lib.MSELoss()
    loss = criterion(output, target)
    printed.append(loss.item())
    net.zero_grad()  # zeroes the gradient buffers of all parameters
    assert net.conv1.bias.grad is None  # 'conv1.bias.grad before backward': None
    loss.backward()
    printed.append(net.conv1.bias.grad.numpy().copy())

    learning_rate = 0.01
    for f in net.parameters():
        f.data -= f.grad.data * learning_rate  # the blitz's f.data.sub_(...): see the top

    optimizer = optim.SGD(net.parameters(), lr=0.01)
    for _ in range(3):  # in your training loop:
        optimizer.zero_grad()  # zero the gradient buffers
        output = net(input)
        loss = criterion(output, target)
        loss.backward()
        optimizer.step()  # does the update
        printed.append(loss.item())
    return printed


def test_neural_networks_tutorial_as_torch():
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(0)
    draws = [rng.standard_normal(s) for s in [(1, 1, 32, 32), (1, 10), (10,)]]
    torch.manual_seed(0)
    theirs = _lenet(torch, torch.nn).double()
    ours = _lenet(ag, nn)
    assert repr(ours) == repr(theirs)
    ours.load_state_dict(_to_numpy(theirs.state_dict()))
    got = _neural_networks(ag, nn, nn.optim, ours, draws)
    want = _neural_networks(torch, torch.nn, torch.optim, theirs, draws)
    assert got[0] == want[0] == (10, (6, 1, 5, 5))
    for a, b in zip(got[1:], want[1:]):
        np.testing.assert_allclose(a, b, rtol=1e-10, atol=1e-14)
    _assert_same_state(ours, theirs, atol=1e-12)


def test_the_blitz_in_place_update_on_data_names_numpy():
    """``f.data`` is NumPy's array here: PyTorch's ``f.data.sub_`` fails loudly, never
    silently (NumPy's AttributeError names the array type and the missing method)."""
    net = _lenet(ag, nn)
    net(ag.zeros(1, 1, 32, 32)).sum().backward()
    f = next(iter(net.parameters()))
    with pytest.raises(AttributeError, match="numpy.ndarray.*sub_"):
        f.data.sub_(f.grad.data * 0.01)


# ------------------------------------------------------------------ (b) a classifier
CLASSES = ("plane", "car", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck")


def _cifar_like(n: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """n 3x32x32 images in [-1, 1] (the tutorial's Normalize((0.5,)*3, (0.5,)*3) of [0, 1]
    pixels): each class a fixed smooth pattern plus noise, so a small net can learn it."""
    pattern_rng, rng = np.random.default_rng(123), np.random.default_rng(seed)
    patterns = pattern_rng.random((10, 3, 4, 4)).repeat(8, axis=2).repeat(8, axis=3)
    labels = rng.integers(0, 10, n)
    pixels = np.clip(0.7 * patterns[labels] + 0.3 * rng.random((n, 3, 32, 32)), 0, 1)
    return (pixels - 0.5) / 0.5, labels


def _classifier(T, lib, optim, data, net, new_net, path, train, test, order) -> dict:
    """The tutorial's training, saving, loading and testing, on 4-image batches."""
    trainloader = data.DataLoader(data.TensorDataset(*map(T.tensor, train)), batch_size=4,
                                  sampler=order)  # shuffle=True, in the same order for both
    testloader = data.DataLoader(data.TensorDataset(*map(T.tensor, test)), batch_size=4,
                                 shuffle=False)
    criterion = lib.CrossEntropyLoss()
    optimizer = optim.SGD(net.parameters(), lr=0.001, momentum=0.9)
    log: dict = {"running": [], "losses": []}
    for epoch in range(2):  # loop over the dataset multiple times
        running_loss = 0.0
        for i, data_ in enumerate(trainloader, 0):
            inputs, labels = data_
            optimizer.zero_grad()
            outputs = net(inputs)
            loss = criterion(outputs, labels)
            loss.backward()
            optimizer.step()
            running_loss += loss.item()
            log["losses"].append(loss.item())
            if i % 5 == 4:  # the tutorial's every 2000 mini-batches
                log["running"].append(f"[{epoch + 1}, {i + 1:5d}] loss: {running_loss / 5:.3f}")
                running_loss = 0.0
    save, load = (nn.save, nn.load) if T is ag else (T.save, T.load)
    save(net.state_dict(), path)
    state = load(path, weights_only=True)
    net = new_net
    net.load_state_dict(state)

    images, labels = next(iter(testloader))
    outputs = net(images)
    _, predicted = T.max(outputs, dim=1)  # the tutorial's torch.max(outputs, 1): see the top
    log["predicted"] = " ".join(f"{CLASSES[predicted[j]]:5s}" for j in range(4))
    correct = 0
    total = 0
    with T.no_grad():  # since we're not training, we don't need gradients
        for images, labels in testloader:
            outputs = net(images)
            _, predicted = T.max(outputs.data, dim=1)  # torch.max(outputs.data, 1)
            total += labels.size(0)
            correct += (predicted == labels).sum().item()
    log["accuracy"] = f"Accuracy of the network on the {total} test images: " \
                      f"{100 * correct // total} %"
    correct_pred = {classname: 0 for classname in CLASSES}
    total_pred = {classname: 0 for classname in CLASSES}
    with T.no_grad():
        for images, labels in testloader:
            outputs = net(images)
            _, predictions = T.max(outputs, dim=1)  # torch.max(outputs, 1)
            for label, prediction in zip(labels, predictions):
                if label == prediction:
                    correct_pred[CLASSES[label]] += 1
                total_pred[CLASSES[label]] += 1
    log["per_class"] = {c: 100 * float(n) / total_pred[c] for c, n in correct_pred.items()
                        if total_pred[c]}
    log["correct"] = correct
    return log


def test_training_a_classifier_as_torch(tmp_path):
    torch = pytest.importorskip("torch")
    train, test = _cifar_like(120, seed=1), _cifar_like(40, seed=2)
    order = np.random.default_rng(0).permutation(120).tolist()
    torch.manual_seed(0)
    theirs, their_new = _lenet(torch, torch.nn, 3).double(), _lenet(torch, torch.nn, 3).double()
    ours, our_new = _lenet(ag, nn, 3), _lenet(ag, nn, 3)
    ours.load_state_dict(_to_numpy(theirs.state_dict()))
    got = _classifier(ag, nn, nn.optim, nn.data, ours, our_new, tmp_path / "ours.pth",
                      train, test, order)
    want = _classifier(torch, torch.nn, torch.optim, torch.utils.data, theirs, their_new,
                       tmp_path / "theirs.pth", train, test, order)
    np.testing.assert_allclose(got.pop("losses"), want.pop("losses"), rtol=1e-10)
    assert got == want  # what it prints: running losses, predictions, accuracies
    _assert_same_state(our_new, their_new, atol=1e-12)


# ------------------------------------------------------------------ (c) torch.autograd
def _q_example(T) -> list:
    a = T.tensor([2., 3.], requires_grad=True)
    b = T.tensor([6., 4.], requires_grad=True)
    Q = 3 * a**3 - b**2
    external_grad = T.tensor([1., 1.])
    Q.backward(gradient=external_grad)
    checks = [bool((9 * a**2 == a.grad).all()), bool((-2 * b == b.grad).all())]
    x = T.rand(5, 5)
    y = T.rand(5, 5)
    z = T.rand((5, 5), requires_grad=True)
    a = x + y
    b = x + z
    return [Q.detach().numpy(), a.requires_grad, b.requires_grad] + checks


def test_gentle_introduction_q_example_as_torch():
    torch = pytest.importorskip("torch")
    got, want = _q_example(ag), _q_example(torch)
    np.testing.assert_array_equal(got[0], want[0])
    assert got[1:] == want[1:] == [False, True, True, True]


def _pretrained_stand_in(lib):
    """A stand-in for ``resnet18``: a strided convolution, BatchNorm, pooling, ``fc``."""
    class TinyResNet(lib.Module):
        def __init__(self) -> None:
            super().__init__()
            self.conv1 = lib.Conv2d(3, 8, 3, stride=2, padding=1, bias=False)
            self.bn1 = lib.BatchNorm2d(8)
            self.relu = lib.ReLU(inplace=True)
            self.avgpool = lib.AdaptiveAvgPool2d((1, 1))
            self.fc = lib.Linear(8, 1000)

        def forward(self, x):
            x = self.avgpool(self.relu(self.bn1(self.conv1(x))))
            return self.fc(x.flatten(1))

    return TinyResNet()


def _gentle_intro(T, lib, optim_pkg, model, draws) -> list[float]:
    """One SGD step of the whole model, then freeze it, replace ``fc`` and train only it
    through an optimizer given all of ``model.parameters()``."""
    data = T.tensor(draws[0])  # torch.rand(1, 3, 64, 64)
    labels = T.tensor(draws[1])  # torch.rand(1, 1000)
    prediction = model(data)  # forward pass
    loss = (prediction - labels).sum()
    loss.backward()  # backward pass
    optim = optim_pkg.SGD(model.parameters(), lr=1e-2, momentum=0.9)
    optim.step()  # gradient descent
    log = [loss.item()]

    for param in model.parameters():  # freeze all the parameters in the network
        param.requires_grad = False
    model.fc = lib.Linear(8, 10).double()  # the new classifier, unfrozen by default
    model.fc.load_state_dict({"weight": T.tensor(draws[2]), "bias": T.zeros(10).double()})
    optimizer = optim_pkg.SGD(model.parameters(), lr=1e-2, momentum=0.9)
    target = T.tensor(draws[3])
    for _ in range(3):
        loss = lib.functional.cross_entropy(model(data), target)
        loss.backward()
        optimizer.step()  # the frozen parameters still hold the first .grad here
        optimizer.zero_grad()
        log.append(loss.item())
    return log


def test_gentle_introduction_freezing_as_torch():
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(0)
    draws = [rng.random((1, 3, 64, 64)), rng.random((1, 1000)),
             rng.uniform(-0.3, 0.3, (10, 8)), np.array([3])]
    torch.manual_seed(0)
    theirs = _pretrained_stand_in(torch.nn).double()
    ours = _pretrained_stand_in(nn)
    ours.load_state_dict(_to_numpy(theirs.state_dict()))
    got = _gentle_intro(ag, nn, nn.optim, ours, draws)
    want = _gentle_intro(torch, torch.nn, torch.optim, theirs, draws)
    np.testing.assert_allclose(got, want, rtol=1e-10)
    _assert_same_state(ours, theirs, atol=1e-12)
    assert [p.requires_grad for p in ours.parameters()] == [False] * 3 + [True] * 2


def _autograd_basics(T, F, w0, b0) -> list:
    """Learn the Basics, "Automatic differentiation with torch.autograd"."""
    x = T.ones(5)  # input tensor
    y = T.zeros(3)  # expected output
    w = T.tensor(w0, requires_grad=True)  # the tutorial's torch.randn(5, 3, requires_grad=True)
    b = T.tensor(b0, requires_grad=True)
    z = T.matmul(x, w) + b
    loss = F.binary_cross_entropy_with_logits(z, y)
    loss.backward()
    shown = [loss.item(), w.grad.numpy().copy(), b.grad.numpy().copy()]
    with T.no_grad():
        z = T.matmul(x, w) + b
    shown.append(z.requires_grad)
    z_det = (T.matmul(x, w) + b).detach()
    shown.append(z_det.requires_grad)
    inp = T.eye(4, 5, requires_grad=True)
    out = (inp + 1).pow(2).t()
    out.backward(T.ones_like(out), retain_graph=True)
    shown.append(inp.grad.numpy().copy())  # First call
    out.backward(T.ones_like(out), retain_graph=True)
    shown.append(inp.grad.numpy().copy())  # Second call: accumulated
    inp.grad.zero_()
    out.backward(T.ones_like(out), retain_graph=True)
    shown.append(inp.grad.numpy().copy())  # Call after zeroing gradients
    return shown


def test_autograd_basics_tutorial_as_torch():
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(0)
    w0, b0 = rng.standard_normal((5, 3)), rng.standard_normal(3)
    got = _autograd_basics(ag, nn.functional, w0, b0)
    default = torch.get_default_dtype()
    torch.set_default_dtype(torch.float64)  # so that torch.ones(5) meets float64 weights
    try:
        want = _autograd_basics(torch, torch.nn.functional, w0, b0)
    finally:
        torch.set_default_dtype(default)
    assert got[3:5] == want[3:5] == [False, False]
    for a, b in zip(got[:3] + got[5:], want[:3] + want[5:]):
        np.testing.assert_allclose(a, b, rtol=1e-12)
    np.testing.assert_array_equal(got[6], 2 * got[5])
