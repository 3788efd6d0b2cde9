"""Static hypernetworks (Ha, Dai & Le 2017) as PyTorch readers write them (g1910's
"HyperNetworks" for a CIFAR ResNet, shrunk to scikit-learn's 8x8 digits and four residual
blocks): a ``HyperNetwork`` whose two ``Parameter(torch.fmod(torch.randn(...), 2))``
layers map a layer embedding z to a 3x3 kernel tile (``matmul``, ``view``); ``Embedding``
modules holding their z's in an ``nn.ParameterList`` and tiling the generated kernels with
``torch.cat`` along both axes; ``ResNetBlock.forward(x, conv1_w, conv2_w)`` running
``F.conv2d`` with the generated weights, ``F.relu(..., inplace=True)``,
``out += residual``; the ``PrimaryNetwork`` with ``nn.ModuleList`` of blocks and of
embeddings, ``nn.AvgPool2d``; and the training script: Adam with weight decay,
``MultiStepLR`` stepped every batch, ``CrossEntropyLoss``, a test pass counting
``(predicted == labels).sum()`` for the accuracy, the best state saved. Written once for a
library ``T`` (``autograd`` here, ``torch`` there) and run step for step next to PyTorch's
from the same weights (float64): losses, gradients of the embeddings and the hypernetwork,
accuracies and parameters agree to 1e-10.

Lines written differently here, and why:
- ``Variable(inputs.cuda())`` is ``inputs`` and ``loss.data[0]`` is ``loss.item()`` (as
  since PyTorch 0.4);
- ``torch.max(outputs.data, 1)`` is ``torch.max(outputs.detach(), dim=1)``: ``.data`` is a
  NumPy array here, by design, and ``max(x, 1)`` means two things (NumPy's values,
  PyTorch's pair), so the library asks which one is meant;
- ``torch.randn`` draws from one NumPy generator fed to both runs (``SharedRandom``);
  ``torch.save`` is ``nn.save``, ``torch.utils.data`` is ``nn.data``.
"""

import numpy as np
import pytest

import autograd as ag
import nn
from test_pytorch_ports_pinn import assert_same


class SharedRandom:
    """A library's namespace whose ``randn(*size)`` draws from a NumPy generator."""

    def __init__(self, library) -> None:
        self.library, self.rng = library, np.random.default_rng(0)

    def __getattr__(self, name: str):
        return getattr(self.library, name)

    def randn(self, *size):
        if len(size) == 1 and isinstance(size[0], (tuple, list)):
            size = tuple(size[0])
        return self.library.tensor(self.rng.standard_normal(size))


def libraries(torch=None) -> tuple:
    if torch is None:
        return SharedRandom(ag), nn, nn.functional, nn.optim, nn.data, nn.save
    return (SharedRandom(torch), torch.nn, torch.nn.functional, torch.optim, torch.utils.data,
            torch.save)


def build(torch):
    torch, lib, F, optim, data, save = libraries(torch)
    Parameter = lib.Parameter

    class HyperNetwork(lib.Module):
        def __init__(self, f_size=3, z_dim=4, out_size=4, in_size=4):
            super(HyperNetwork, self).__init__()
            self.z_dim = z_dim
            self.f_size = f_size
            self.out_size = out_size
            self.in_size = in_size
            self.w1 = Parameter(torch.fmod(torch.randn((self.z_dim,
                                                        self.out_size * self.f_size
                                                        * self.f_size)), 2))
            self.b1 = Parameter(torch.fmod(torch.randn((self.out_size * self.f_size
                                                        * self.f_size)), 2))
            self.w2 = Parameter(torch.fmod(torch.randn((self.z_dim,
                                                        self.in_size * self.z_dim)), 2))
            self.b2 = Parameter(torch.fmod(torch.randn((self.in_size * self.z_dim)), 2))

        def forward(self, z):
            h_in = torch.matmul(z, self.w2) + self.b2
            h_in = h_in.view(self.in_size, self.z_dim)
            h_final = torch.matmul(h_in, self.w1) + self.b1
            kernel = h_final.view(self.out_size, self.in_size, self.f_size, self.f_size)
            return kernel

    class Embedding(lib.Module):
        def __init__(self, z_num, z_dim):
            super(Embedding, self).__init__()
            self.z_list = lib.ParameterList()
            self.z_num = z_num
            self.z_dim = z_dim
            h, k = self.z_num
            for i in range(h):
                for j in range(k):
                    self.z_list.append(Parameter(torch.fmod(torch.randn(self.z_dim), 2)))

        def forward(self, hyper_net):
            ww = []
            h, k = self.z_num
            for i in range(h):
                w = []
                for j in range(k):
                    w.append(hyper_net(self.z_list[i * k + j]))
                ww.append(torch.cat(w, dim=1))
            return torch.cat(ww, dim=0)

    class IdentityLayer(lib.Module):
        def forward(self, x):
            return x

    class ResNetBlock(lib.Module):
        def __init__(self, in_size=4, out_size=4, downsample=False):
            super(ResNetBlock, self).__init__()
            self.out_size = out_size
            self.in_size = in_size
            if downsample:
                self.stride1 = 2
                self.reslayer = lib.Conv2d(in_channels=self.in_size, out_channels=self.out_size,
                                           stride=2, kernel_size=1)
            else:
                self.stride1 = 1
                self.reslayer = IdentityLayer()
            self.bn1 = lib.BatchNorm2d(out_size)
            self.bn2 = lib.BatchNorm2d(out_size)

        def forward(self, x, conv1_w, conv2_w):
            residual = self.reslayer(x)
            out = F.relu(self.bn1(F.conv2d(x, conv1_w, stride=self.stride1, padding=1)),
                         inplace=True)
            out = self.bn2(F.conv2d(out, conv2_w, padding=1))
            out += residual
            out = F.relu(out)
            return out

    class PrimaryNetwork(lib.Module):
        def __init__(self, z_dim=4):
            super(PrimaryNetwork, self).__init__()
            self.conv1 = lib.Conv2d(1, 4, 3, padding=1)
            self.bn1 = lib.BatchNorm2d(4)
            self.z_dim = z_dim
            self.hope = HyperNetwork(z_dim=self.z_dim)
            self.zs_size = [[1, 1], [1, 1], [1, 1], [1, 1],
                            [2, 1], [2, 2], [2, 2], [2, 2]]
            self.filter_size = [[4, 4], [4, 4], [4, 8], [8, 8]]
            self.res_net = lib.ModuleList()
            for i in range(4):
                down_sample = False
                if i > 1 and i % 2 == 0:
                    down_sample = True
                self.res_net.append(ResNetBlock(self.filter_size[i][0], self.filter_size[i][1],
                                                downsample=down_sample))
            self.zs = lib.ModuleList()
            for i in range(8):
                self.zs.append(Embedding(self.zs_size[i], self.z_dim))
            self.global_avg = lib.AvgPool2d(4)
            self.final = lib.Linear(8, 10)

        def forward(self, x):
            x = F.relu(self.bn1(self.conv1(x)))
            for i in range(4):
                w1 = self.zs[2 * i](self.hope)
                w2 = self.zs[2 * i + 1](self.hope)
                x = self.res_net[i](x, w1, w2)
            x = self.global_avg(x)
            x = self.final(x.view(-1, 8))
            return x

    def train(trainloader, testloader, epochs, model_path, sync, record):
        net = PrimaryNetwork()
        sync(net)
        best_accuracy = 0.
        criterion = lib.CrossEntropyLoss()
        optimizer = optim.Adam(net.parameters(), lr=0.002, weight_decay=0.0005)
        milestones = [3, 5]
        scheduler = optim.lr_scheduler.MultiStepLR(optimizer, milestones=milestones, gamma=0.5)
        for epoch in range(epochs):
            running_loss = 0.0
            net.train()
            for i, data_ in enumerate(trainloader, 0):
                inputs, labels = data_
                optimizer.zero_grad()
                outputs = net(inputs)
                loss = criterion(outputs, labels)
                loss.backward()
                record.append([net.hope.w1.grad, net.zs[5].z_list[3].grad,
                               net.res_net[2].reslayer.weight.grad])
                optimizer.step()
                scheduler.step()
                running_loss += loss.item()
            record.append(running_loss)
            correct = 0
            total = 0
            net.eval()
            for data_ in testloader:
                images, labels = data_
                outputs = net(images)
                _, predicted = torch.max(outputs.detach(), dim=1)
                total += labels.size(0)
                correct += (predicted == labels).sum()
            accuracy = (100. * correct) / total
            record.append(accuracy)
            if accuracy > best_accuracy:
                save(net.state_dict(), model_path)
                best_accuracy = accuracy
        return net

    return train, data


def run(torch, images, labels, model_path, sync) -> list:
    train, data = build(torch)
    T = libraries(torch)[0]
    dataset = data.TensorDataset(T.tensor(images[:48]), T.tensor(labels[:48]))
    testset = data.TensorDataset(T.tensor(images[48:80]), T.tensor(labels[48:80]))
    trainloader = data.DataLoader(dataset, batch_size=16, shuffle=False)
    testloader = data.DataLoader(testset, batch_size=16, shuffle=False)
    record = []
    net = train(trainloader, testloader, 2, model_path, sync, record)
    record = [[g.numpy().copy() for g in r] if isinstance(r, list) else r.item()
              if hasattr(r, "item") else r for r in record]
    return record + [{k: v.detach().numpy().copy() for k, v in net.state_dict().items()}]


def test_static_hypernetwork_resnet_trains_as_torch(torch, tmp_path):
    datasets = pytest.importorskip("sklearn.datasets")
    x, y = datasets.load_digits(return_X_y=True)
    images = (x / 16.0).reshape(-1, 1, 8, 8)
    starts = []
    want = run(torch, images, y, tmp_path / "theirs.pth",
               lambda net: starts.append({k: v.detach().numpy().copy()
                                          for k, v in net.state_dict().items()}))
    got = run(None, images, y, tmp_path / "ours.pth",
              lambda net: net.load_state_dict(starts.pop()))
    assert_same(got, want)
