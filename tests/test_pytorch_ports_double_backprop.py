"""Double backpropagation (Drucker and LeCun, 1992) as a PyTorch reader writes it for a
small CNN: the loss's gradient with respect to the input images,
``torch.autograd.grad(loss, data, create_graph=True)``, is penalised
(``loss + lam * grad.pow(2).sum() / len(data)``) and the sum backpropagated into the
weights, a double backward through Conv2d, ReLU, MaxPool2d, Dropout, Linear and
log_softmax / nll_loss (the MNIST example's network, shrunk). Also a conv critic's
WGAN-GP penalty (Conv2d with stride, LeakyReLU, InstanceNorm2d, LayerNorm). Written once
for a library ``T`` (``autograd`` here, ``torch`` there), each runs step for step next to
PyTorch's from the same weights (float64): losses, penalties, gradients and parameters
agree to 1e-10.

Data: 48 of scikit-learn's 8x8 digits, batches of 16. Dropout runs in eval mode (the two
libraries draw different masks). PyTorch's initial weights are loaded into ours. The
critic's second conv has ``bias=False``, as DCGAN-style critics before a norm do: that
bias's gradient is 0 up to rounding, and Adam would blow the two runs' different rounding
noise up to steps of size lr.
Time per step, this loaded 2-core machine, 2026-12-01, noted, not asserted: the CNN about
9-10 ms here, 5-6 ms in PyTorch; the critic about 19-21 ms here, 10-12 ms in PyTorch.
"""

import numpy as np
import pytest

import autograd as ag
import nn
from test_pytorch_ports_pinn import assert_same


def libraries(torch=None) -> tuple:
    if torch is None:
        return ag, nn, nn.functional, nn.optim, ag.grad
    return torch, torch.nn, torch.nn.functional, torch.optim, torch.autograd.grad


def double_backprop(torch, images, labels, start=None) -> list:
    T, lib, F, optim, grad = libraries(torch)

    class Net(lib.Module):
        def __init__(self):
            super(Net, self).__init__()
            self.conv1 = lib.Conv2d(1, 4, 3, 1)
            self.conv2 = lib.Conv2d(4, 8, 3, 1)
            self.dropout1 = lib.Dropout(0.25)
            self.fc1 = lib.Linear(8 * 2 * 2, 10)

        def forward(self, x):
            x = self.conv1(x)
            x = F.relu(x)
            x = self.conv2(x)
            x = F.relu(x)
            x = F.max_pool2d(x, 2)
            x = self.dropout1(x)
            x = T.flatten(x, 1)
            x = self.fc1(x)
            output = F.log_softmax(x, dim=1)
            return output

    model = Net()
    if start is not None:
        model.load_state_dict({k: T.tensor(v) for k, v in start.items()})
    record = [{k: v.detach().numpy().copy() for k, v in model.state_dict().items()}]
    model.eval()  # dropout off: the libraries' masks differ
    optimizer = optim.Adadelta(model.parameters(), lr=1.0)
    lam = 0.1
    for i in range(0, len(images), 16):
        data = T.tensor(images[i:i + 16]).requires_grad_(True)
        target = T.tensor(labels[i:i + 16])
        optimizer.zero_grad()
        output = model(data)
        loss = F.nll_loss(output, target)
        (input_grad,) = grad(loss, data, create_graph=True)
        penalty = input_grad.pow(2).sum() / len(data)
        total = loss + lam * penalty
        total.backward()
        optimizer.step()
        record += [loss.item(), penalty.item(),
                   [p.grad.numpy().copy() for p in model.parameters()]]
    return record + [{k: v.detach().numpy().copy() for k, v in model.state_dict().items()}]


def conv_critic_penalty(torch, images, start=None) -> list:
    T, lib, F, optim, grad = libraries(torch)
    critic = lib.Sequential(lib.Conv2d(1, 4, 4, 2, 1), lib.LeakyReLU(0.2, inplace=True),
                            lib.Conv2d(4, 8, 4, 2, 1, bias=False),
                            lib.InstanceNorm2d(8, affine=True),
                            lib.LeakyReLU(0.2, inplace=True), lib.Flatten(),
                            lib.LayerNorm(32), lib.Linear(32, 1))
    if start is not None:
        critic.load_state_dict({k: T.tensor(v) for k, v in start.items()})
    record = [{k: v.detach().numpy().copy() for k, v in critic.state_dict().items()}]
    optimizer = optim.Adam(critic.parameters(), lr=1e-3, betas=(0.5, 0.9))
    rng = np.random.RandomState(0)
    for i in range(0, len(images) - 16, 16):
        real = T.tensor(images[i:i + 16])
        fake = T.tensor(images[i + 16:i + 32].transpose(0, 1, 3, 2))  # transposed digits
        alpha = T.tensor(rng.rand(16, 1, 1, 1))
        interpolates = (alpha * real + (1 - alpha) * fake).requires_grad_(True)
        d = critic(interpolates)
        gradients = grad(outputs=d, inputs=interpolates, grad_outputs=T.ones(d.size()),
                         create_graph=True, retain_graph=True)[0]
        gp = ((gradients.view(16, -1).norm(2, dim=1) - 1) ** 2).mean()
        optimizer.zero_grad()
        loss = critic(fake).mean() - critic(real).mean() + 10 * gp
        loss.backward()
        optimizer.step()
        record += [loss.item(), gp.item(),
                   [None if p.grad is None else p.grad.numpy().copy()
                    for p in critic.parameters()]]
    return record + [{k: v.detach().numpy().copy() for k, v in critic.state_dict().items()}]


def digits(n: int = 48) -> tuple:
    datasets = pytest.importorskip("sklearn.datasets")
    images, labels = datasets.load_digits(return_X_y=True)
    return (images[:n] / 16.0).reshape(n, 1, 8, 8), labels[:n].astype(np.int64)


def test_double_backpropagation_trains_as_torch(torch):
    torch.manual_seed(0)
    images, labels = digits()
    want = double_backprop(torch, images, labels)
    got = double_backprop(None, images, labels, start=want[0])
    assert_same(got[1:], want[1:])


def test_a_conv_critics_gradient_penalty_trains_as_torch(torch):
    torch.manual_seed(0)
    images, _ = digits()
    want = conv_critic_penalty(torch, images)
    got = conv_critic_penalty(None, images, start=want[0])
    assert_same(got[1:], want[1:])
