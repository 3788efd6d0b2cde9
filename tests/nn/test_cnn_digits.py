"""A student's first CNN on scikit-learn's 8x8 digits: Conv2d -> ReLU -> MaxPool2d ->
Flatten -> Linear, trained with Adam; it learns, and step for step as PyTorch's."""

import numpy as np
import pytest

import nn
import nn.functional as F
from autograd import Tensor


def _digits():
    datasets = pytest.importorskip("sklearn.datasets")
    images, labels = datasets.load_digits(return_X_y=True)
    return (images[:64] / 16.0).reshape(64, 1, 8, 8), labels[:64]


def _cnn(module):
    return module.Sequential(module.Conv2d(1, 4, 3, padding=1), module.ReLU(),
                             module.MaxPool2d(2), module.Flatten(), module.Linear(64, 10))


def test_a_tiny_cnn_learns_the_digits():
    x, labels = _digits()
    nn.manual_seed(0)
    model = _cnn(nn)
    opt = nn.optim.Adam(model.parameters(), lr=1e-2)
    losses = []
    for _ in range(8):
        loss = F.cross_entropy(model(Tensor(x)), labels)
        opt.zero_grad()
        loss.backward()
        opt.step()
        losses.append(loss.item())
    assert losses[-1] < 0.9 * losses[0]


def test_the_cnn_trains_as_torch_from_its_state_dict():
    torch = pytest.importorskip("torch")
    x, labels = _digits()
    torch.manual_seed(0)
    theirs = _cnn(torch.nn).double()
    ours = _cnn(nn)
    ours.load_state_dict({k: v.numpy() for k, v in theirs.state_dict().items()})
    opt = nn.optim.Adam(ours.parameters(), lr=1e-2)
    topt = torch.optim.Adam(theirs.parameters(), lr=1e-2)
    for _ in range(4):
        loss = F.cross_entropy(ours(Tensor(x)), labels)
        tloss = torch.nn.functional.cross_entropy(theirs(torch.tensor(x)),
                                                  torch.tensor(labels))
        assert loss.item() == pytest.approx(tloss.item(), rel=1e-10)
        opt.zero_grad()
        topt.zero_grad()
        loss.backward()
        tloss.backward()
        opt.step()
        topt.step()
    for name, p in ours.named_parameters():
        np.testing.assert_allclose(p.data, theirs.get_parameter(name).detach().numpy(),
                                   rtol=1e-8, atol=1e-10)
