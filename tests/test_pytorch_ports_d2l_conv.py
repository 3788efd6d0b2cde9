"""d2l's convolutional chapters, ported as in ``test_pytorch_ports_d2l.py`` (float64
PyTorch, the same weights in both): ``corr2d`` written with ``Y = torch.zeros(...)`` and
``Y[i, j] = (X[i:i + h, j:j + w] * K).sum()`` (differentiable through the writes, as in
PyTorch), the ``Conv2D`` module on it, learning the edge kernel with
``conv2d.weight.data[:] -= lr * conv2d.weight.grad``, padding and stride, multiple input
and output channels (``torch.stack([corr2d_multi_in(X, k) for k in K], 0)``), the 1x1
convolution as a matrix product, ``pool2d`` by hand and ``nn.MaxPool2d``/``AvgPool2d``, and
LeNet (``nn.Sequential`` of ``Conv2d``, ``Sigmoid``, ``AvgPool2d``, ``Flatten``,
``Linear``) on random 28x28 images in float32, and a LeNet sized for the 8x8 digits
trained with d2l's ``train_ch6`` loop in float64. d2l's ``d2l.try_gpu()`` gives a
``torch.device``; here the device is written ``"cpu"`` (``autograd.device("cpu")`` works
too), which ``.to()`` takes in both.
"""

import numpy as np
import pytest

import autograd as ag
import nn
from test_pytorch_ports_d2l import (Accumulator, _loaders, accuracy, assert_records,
                                    libraries)

pytestmark = pytest.mark.filterwarnings("ignore:Converting a tensor with requires_grad")


def corr2d(T, X, K):
    """Compute 2D cross-correlation."""
    h, w = K.shape
    Y = T.zeros((X.shape[0] - h + 1, X.shape[1] - w + 1))
    for i in range(Y.shape[0]):
        for j in range(Y.shape[1]):
            Y[i, j] = (X[i:i + h, j:j + w] * K).sum()
    return Y


def _cross_correlation(T, lib, start) -> list:
    X = T.tensor([[0.0, 1.0, 2.0], [3.0, 4.0, 5.0], [6.0, 7.0, 8.0]])
    K = T.tensor([[0.0, 1.0], [2.0, 3.0]])
    printed = [corr2d(T, X, K)]

    class Conv2D(lib.Module):
        def __init__(self, kernel_size):
            super().__init__()
            self.weight = lib.Parameter(T.rand(kernel_size))
            self.bias = lib.Parameter(T.zeros(1))

        def forward(self, x):
            return corr2d(T, x, self.weight) + self.bias

    X = T.ones((6, 8))
    X[:, 2:6] = 0
    K = T.tensor([[1.0, -1.0]])
    Y = corr2d(T, X, K)
    printed += [X, Y, corr2d(T, X.t(), K)]
    layer = Conv2D((1, 2))
    layer.load_state_dict({k: T.tensor(v) for k, v in start.items()})
    ((layer(X) - Y) ** 2).sum().backward()
    printed += [layer.weight.grad, layer.bias.grad]

    # Construct a two-dimensional convolutional layer with 1 output channel and a
    # kernel of shape (1, 2). For the sake of simplicity, we ignore the bias here
    conv2d = lib.Conv2d(1, 1, kernel_size=(1, 2), bias=False)
    conv2d.weight.data[:] = T.tensor(start["weight"].reshape(1, 1, 1, 2))
    X = X.reshape((1, 1, 6, 8))
    Y = Y.reshape((1, 1, 6, 7))
    lr = 3e-2  # Learning rate
    for i in range(10):
        Y_hat = conv2d(X)
        l = (Y_hat - Y) ** 2  # noqa: E741
        conv2d.zero_grad()
        l.sum().backward()
        # Update the kernel
        conv2d.weight.data[:] -= lr * conv2d.weight.grad
        printed += [l.sum(), conv2d.weight.grad]
    printed.append(conv2d.weight.data.reshape((1, 2)))
    return [np.array(p.detach().numpy() if hasattr(p, "detach") else p) for p in printed]


def test_cross_correlation_and_learning_a_kernel(torch):
    start = {"weight": np.array([[0.3, 0.7]]), "bias": np.zeros(1)}
    got = _cross_correlation(ag, nn, start)
    want = _cross_correlation(torch, torch.nn, start)
    assert_records(got, want)
    np.testing.assert_array_equal(got[0], [[19, 25], [37, 43]])
    np.testing.assert_allclose(got[-1], [[1, -1]], atol=0.1)  # it learned the edge kernel


def _comp_conv2d(conv2d, X):
    # (1, 1) indicates that batch size and the number of channels are both 1
    X = X.reshape((1, 1) + X.shape)
    Y = conv2d(X)
    # Strip the first two dimensions: examples and channels
    return Y.reshape(Y.shape[2:])


def _padding_and_stride(T, lib) -> list:
    X = T.rand(size=(8, 8))
    shapes = []
    for kwargs in [dict(kernel_size=3, padding=1), dict(kernel_size=(5, 3), padding=(2, 1)),
                   dict(kernel_size=3, padding=1, stride=2),
                   dict(kernel_size=(3, 5), padding=(0, 1), stride=(3, 4))]:
        shapes.append(tuple(_comp_conv2d(lib.Conv2d(1, 1, **kwargs), X).shape))
    return shapes


def test_padding_and_stride(torch):
    assert _padding_and_stride(ag, nn) == _padding_and_stride(torch, torch.nn) == [
        (8, 8), (8, 8), (4, 4), (2, 2)]


def _channels(T) -> list:
    def corr2d_multi_in(X, K):
        # Iterate through the 0th dimension (channel) of K first, then add them up
        return sum(corr2d(T, x, k) for x, k in zip(X, K))

    def corr2d_multi_in_out(X, K):
        # Iterate through the 0th dimension of K, and each time, perform
        # cross-correlation operations with input X. All of the results are
        # stacked together
        return T.stack([corr2d_multi_in(X, k) for k in K], 0)

    def corr2d_multi_in_out_1x1(X, K):
        c_i, h, w = X.shape
        c_o = K.shape[0]
        X = X.reshape((c_i, h * w))
        K = K.reshape((c_o, c_i))
        # Matrix multiplication in the fully connected layer
        Y = T.matmul(K, X)
        return Y.reshape((c_o, h, w))

    X = T.tensor([[[0.0, 1.0, 2.0], [3.0, 4.0, 5.0], [6.0, 7.0, 8.0]],
                  [[1.0, 2.0, 3.0], [4.0, 5.0, 6.0], [7.0, 8.0, 9.0]]])
    K = T.tensor([[[0.0, 1.0], [2.0, 3.0]], [[1.0, 2.0], [3.0, 4.0]]], requires_grad=True)
    printed = [corr2d_multi_in(X, K)]
    K3 = T.stack((K, K + 1, K + 2), 0)
    Y = corr2d_multi_in_out(X, K3)
    Y.sum().backward()
    printed += [K3.shape, Y, K.grad]
    rng = np.random.default_rng(5)
    X = T.tensor(rng.standard_normal((3, 3, 3)))  # d2l: torch.normal(0, 1, (3, 3, 3))
    K = T.tensor(rng.standard_normal((2, 3, 1, 1)))
    Y1 = corr2d_multi_in_out_1x1(X, K)
    Y2 = corr2d_multi_in_out(X, K)
    assert float(T.abs(Y1 - Y2).sum()) < 1e-6
    return printed + [Y1]


def test_multiple_channels(torch):
    got, want = _channels(ag), _channels(torch)
    assert tuple(got.pop(1)) == tuple(want.pop(1)) == (3, 2, 2, 2)
    assert_records([g.detach().numpy() for g in got], [w.detach().numpy() for w in want])


# ------------------------------------------------------------------ pooling
def pool2d(T, X, pool_size, mode="max"):
    p_h, p_w = pool_size
    Y = T.zeros((X.shape[0] - p_h + 1, X.shape[1] - p_w + 1))
    for i in range(Y.shape[0]):
        for j in range(Y.shape[1]):
            if mode == "max":
                Y[i, j] = X[i: i + p_h, j: j + p_w].max()
            elif mode == "avg":
                Y[i, j] = X[i: i + p_h, j: j + p_w].mean()
    return Y


def _pooling(T, lib) -> list:
    X = T.tensor([[0.0, 1.0, 2.0], [3.0, 4.0, 5.0], [6.0, 7.0, 8.0]], requires_grad=True)
    ties = T.tensor([[1.0, 1.0, 0.0], [1.0, 1.0, 0.0], [0.0, 0.0, 0.0]], requires_grad=True)
    outs = [pool2d(T, X, (2, 2)), pool2d(T, X, (2, 2), "avg"), pool2d(T, ties, (2, 2))]
    sum(o.sum() for o in outs).backward()
    printed = outs + [X.grad, ties.grad]
    X = T.arange(16, dtype=T.float32).reshape((1, 1, 4, 4))
    X.requires_grad_(True)
    X2 = T.cat((X, X + 1), 1)
    for pool in [lib.MaxPool2d(3), lib.MaxPool2d(3, padding=1, stride=2),
                 lib.MaxPool2d((2, 3), stride=(2, 3), padding=(0, 1)),
                 lib.AvgPool2d(3, padding=1, stride=2)]:
        printed += [pool(X), pool(X2)]
    sum((p * p).sum() for p in printed[-8:]).backward()
    return [p.detach().numpy() for p in printed] + [X.grad.numpy()]


def test_pooling(torch):
    assert_records(_pooling(ag, nn), _pooling(torch, torch.nn), rtol=1e-6)


# ------------------------------------------------------------------ LeNet
def _lenet(lib):
    return lib.Sequential(
        lib.Conv2d(1, 6, kernel_size=5, padding=2), lib.Sigmoid(),
        lib.AvgPool2d(kernel_size=2, stride=2),
        lib.Conv2d(6, 16, kernel_size=5), lib.Sigmoid(),
        lib.AvgPool2d(kernel_size=2, stride=2),
        lib.Flatten(),
        lib.Linear(16 * 5 * 5, 120), lib.Sigmoid(),
        lib.Linear(120, 84), lib.Sigmoid(),
        lib.Linear(84, 10))


def _lenet_float32(T, lib, optim, net, images, labels) -> list:
    X = T.tensor(images[:1])
    printed = []
    for layer in net:
        X = layer(X)
        printed.append((layer.__class__.__name__, "output shape: \t", tuple(X.shape)))
    optimizer = optim.SGD(net.parameters(), lr=0.9)
    loss = lib.CrossEntropyLoss()
    record = []
    for _ in range(3):
        optimizer.zero_grad()
        l = loss(net(T.tensor(images)), T.tensor(labels))  # noqa: E741
        l.backward()
        optimizer.step()
        record += [l.item(), net[0].weight.grad.numpy().copy()]
    return printed, record + [p.detach().numpy() for p in net.parameters()]


def test_lenet_float32(torch):
    """d2l's LeNet on 28x28 inputs (random images here), in float32 as d2l runs it."""
    rng = np.random.default_rng(6)
    images = rng.random((8, 1, 28, 28), dtype=np.float32)
    labels = rng.integers(0, 10, 8)
    theirs, ours = _lenet(torch.nn).float(), _lenet(nn).float()
    ours.load_state_dict({k: v.numpy() for k, v in theirs.state_dict().items()})
    assert ours[0].weight.dtype == np.float32
    got = _lenet_float32(ag, nn, nn.optim, ours, images, labels)
    want = _lenet_float32(torch, torch.nn, torch.optim, theirs, images, labels)
    assert got[0] == want[0]
    assert got[0][6][2] == (1, 400)
    assert all(r.dtype == np.float32 for r in got[1][1:] if isinstance(r, np.ndarray))
    assert_records(got[1], want[1], rtol=1e-5, atol=1e-6)


def evaluate_accuracy_gpu(T, lib, net, data_iter, device=None):
    """Compute the accuracy for a model on a dataset using a GPU."""
    if isinstance(net, lib.Module):
        net.eval()  # Set the model to evaluation mode
        if not device:
            device = next(iter(net.parameters())).device
    # No. of correct predictions, no. of predictions
    metric = Accumulator(2)
    with T.no_grad():
        for X, y in data_iter:
            if isinstance(X, list):
                X = [x.to(device) for x in X]
            else:
                X = X.to(device)
            y = y.to(device)
            metric.add(accuracy(net(X), y), y.numel())
    return metric[0] / metric[1]


def train_ch6(T, lib, optim, net, train_iter, test_iter, num_epochs, lr, device, state):
    def init_weights(m):
        if type(m) == lib.Linear or type(m) == lib.Conv2d:  # noqa: E721
            lib.init.xavier_uniform_(m.weight)

    net.apply(init_weights)
    net.load_state_dict(state)  # the same start in both
    net.to(device)
    optimizer = optim.SGD(net.parameters(), lr=lr)
    loss = lib.CrossEntropyLoss()
    record = []
    for epoch in range(num_epochs):
        # Sum of training loss, sum of training accuracy, no. of examples
        metric = Accumulator(3)
        net.train()
        for i, (X, y) in enumerate(train_iter):
            optimizer.zero_grad()
            X, y = X.to(device), y.to(device)
            y_hat = net(X)
            l = loss(y_hat, y)  # noqa: E741
            l.backward()
            optimizer.step()
            with T.no_grad():
                metric.add(l * X.shape[0], accuracy(y_hat, y), X.shape[0])
            record += [l.item(), net[0].weight.grad.numpy().copy()]
        record += [metric[0] / metric[2], metric[1] / metric[2]]
        record.append(evaluate_accuracy_gpu(T, lib, net, test_iter))
    return record + [p.detach().numpy() for p in net.parameters()]


def _small_lenet(lib):
    """LeNet sized for 8x8 digits: 3x3 kernels, the same layers."""
    return lib.Sequential(
        lib.Conv2d(1, 6, kernel_size=3, padding=1), lib.Sigmoid(),
        lib.AvgPool2d(kernel_size=2, stride=2),
        lib.Conv2d(6, 16, kernel_size=3), lib.Sigmoid(),
        lib.AvgPool2d(kernel_size=2, stride=2),
        lib.Flatten(),
        lib.Linear(16, 120), lib.Sigmoid(),
        lib.Linear(120, 84), lib.Sigmoid(),
        lib.Linear(84, 10))


def test_lenet_train_ch6_on_digits(torch):
    theirs = _small_lenet(torch.nn)
    state = {k: v.detach().clone() for k, v in theirs.state_dict().items()}
    runs = []
    for T, lib, optim, data in (libraries(), libraries(torch)):
        train_iter, test_iter = _loaders(T, data)
        net = _small_lenet(lib)
        start = state if T is torch else {k: v.numpy() for k, v in state.items()}
        device = "cpu"  # d2l: d2l.try_gpu(), a torch.device (see the top)
        runs.append(train_ch6(T, lib, optim, net, train_iter, test_iter, 3, 0.9, device,
                              start))
    assert_records(*runs)
