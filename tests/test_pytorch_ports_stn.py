"""PyTorch's tutorial "Spatial Transformer Networks" (``intermediate_source/
spatial_transformer_tutorial.py``, Ghassen Hamrouni), ported as its readers write it and
run step for step next to PyTorch (float64): every training step's gradients and
parameters, the printed lines, the test loss and accuracy and the transformed images of
``visualize_stn`` agree to 1e-10.

The tutorial's program: ``Net`` with its classifier (``conv2_drop = nn.Dropout2d()``,
``F.dropout(x, training=self.training)``), its localization network (``nn.ReLU(True)``
after ``nn.MaxPool2d(2, stride=2)``) and ``fc_loc`` regressor started at the identity
transformation, ``stn`` (``xs.view(-1, 10 * 3 * 3)``, ``theta.view(-1, 2, 3)``,
``F.affine_grid(theta, x.size())``, ``F.grid_sample(x, grid)``), ``optim.SGD(lr=0.01)``,
``train`` and ``test`` (``F.nll_loss(output, target, size_average=False)``,
``output.max(1, keepdim=True)[1]``, ``pred.eq(target.view_as(pred)).sum().item()``) and
``visualize_stn``'s ``convert_image_np``.

Lines written differently here, and why:
- ``self.fc_loc[2].weight.data.zero_()`` and ``.bias.data.copy_(torch.tensor([1, 0, 0, 0,
  1, 0], dtype=torch.float))``: ``.data`` is NumPy's array here (no ``zero_``/``copy_``),
  so both are written on the parameter under ``no_grad()`` (the same in both);
- MNIST (a download) is scikit-learn's 8x8 digits, each pixel made a 3x3 block and
  padded by 2 to MNIST's 28x28, with a faint noise (std 0.02) so that no max-pooling
  window holds equal values (equal in exact arithmetic, the two libraries' convolutions
  round them apart differently, and each picks its own first largest), normalised by
  ``Normalize((0.1307,), (0.3081,))`` (``Digits``); the loaders shuffle as written, and
  PyTorch's read the samples in the order ours drew (the generators differ); 2 epochs
  of 5 batches of 16 stand for 20 epochs of MNIST, and the log line prints every 2
  batches (not 500);
- ``torchvision.utils.make_grid`` (not installed) is left out: ``convert_image_np`` takes
  the first image and its transformed image;
- each ``Net()`` starts from PyTorch's weights, and PyTorch's dropout (the module and
  ``F.dropout``) keeps what ours kept (the test's glue, marked: the generators differ);
  the start's translation is moved off the identity by 0.005 (0.07 pixel): at the
  identity each sampling point sits on a pixel centre, a kink of the bilinear
  interpolation, where the one-sided derivative each library takes depends on the last
  bit of its grid (the test checks the tutorial's identity start itself).
"""

import contextlib
import io

import numpy as np
import pytest

import autograd as ag
import nn
from pytorch_examples_helpers import (Digits, assert_printed, assert_steps, libraries,
                                      record_dropout, record_steps, replay_dropout)

# F.nll_loss(..., size_average=False) and F.affine_grid/grid_sample without
# align_corners, as the tutorial writes them: both libraries warn
pytestmark = [pytest.mark.filterwarnings("ignore:.*size_average and reduce args"),
              pytest.mark.filterwarnings("ignore:Default grid_sample and affine_grid")]


class FunctionalDropout:
    """The library's ``torch.nn.functional`` whose ``dropout`` records where ours kept its
    input (``masks`` filled) or keeps those elements on PyTorch's side (``replay``)."""

    def __init__(self, T, F, masks: list, replay: bool) -> None:
        self.T, self.F, self.masks, self.replay = T, F, masks, replay

    def __getattr__(self, name: str):
        return getattr(self.F, name)

    def dropout(self, input, p=0.5, training=True):  # noqa: A002 (PyTorch's name)
        if not training:
            return self.F.dropout(input, p, training)
        if self.replay:
            mask = self.T.tensor(self.masks.pop(0), dtype=input.dtype)
            return input * (mask / (1 - p))
        output = self.F.dropout(input, p, training)
        self.masks.append(output.detach().numpy() != 0)
        return output


def mnist_like(n: int) -> tuple[np.ndarray, np.ndarray]:
    """n digits as MNIST's normalised 28x28 images (1 channel) and int64 labels."""
    datasets = pytest.importorskip("sklearn.datasets")
    images, labels = datasets.load_digits(return_X_y=True)
    images = np.kron(images[:n].reshape(n, 1, 8, 8) / 16.0, np.ones((3, 3)))
    images = np.pad(images, ((0, 0), (0, 0), (2, 2), (2, 2)))
    images = images + np.random.default_rng(5).normal(0, 0.02, images.shape)  # no ties
    return (images - 0.1307) / 0.3081, labels[:n].astype(np.int64)


def definitions(torch, nn, F):
    """The tutorial's ``Net`` for the library ``torch`` (its ``nn`` and ``F``)."""

    class Net(nn.Module):
        def __init__(self):
            super(Net, self).__init__()
            self.conv1 = nn.Conv2d(1, 10, kernel_size=5)
            self.conv2 = nn.Conv2d(10, 20, kernel_size=5)
            self.conv2_drop = nn.Dropout2d()
            self.fc1 = nn.Linear(320, 50)
            self.fc2 = nn.Linear(50, 10)

            # Spatial transformer localization-network
            self.localization = nn.Sequential(
                nn.Conv2d(1, 8, kernel_size=7),
                nn.MaxPool2d(2, stride=2),
                nn.ReLU(True),
                nn.Conv2d(8, 10, kernel_size=5),
                nn.MaxPool2d(2, stride=2),
                nn.ReLU(True)
            )

            # Regressor for the 3 * 2 affine matrix
            self.fc_loc = nn.Sequential(
                nn.Linear(10 * 3 * 3, 32),
                nn.ReLU(True),
                nn.Linear(32, 3 * 2)
            )

            # Initialize the weights/bias with identity transformation
            with torch.no_grad():  # the tutorial: .weight.data.zero_(), .bias.data.copy_
                self.fc_loc[2].weight.zero_()
                self.fc_loc[2].bias.copy_(torch.tensor([1, 0, 0, 0, 1, 0],
                                                       dtype=torch.float))

        # Spatial transformer network forward function
        def stn(self, x):
            xs = self.localization(x)
            xs = xs.view(-1, 10 * 3 * 3)
            theta = self.fc_loc(xs)
            theta = theta.view(-1, 2, 3)

            grid = F.affine_grid(theta, x.size())
            x = F.grid_sample(x, grid)

            return x

        def forward(self, x):
            # transform the input
            x = self.stn(x)

            # Perform the usual forward pass
            x = F.relu(F.max_pool2d(self.conv1(x), 2))
            x = F.relu(F.max_pool2d(self.conv2_drop(self.conv2(x)), 2))
            x = x.view(-1, 320)
            x = F.relu(self.fc1(x))
            x = F.dropout(x, training=self.training)
            x = self.fc2(x)
            return F.log_softmax(x, dim=1)

    return Net


def tutorial(torch, nn, optim, data, glue: dict) -> tuple:
    """The tutorial's program for the library ``torch``; returns what it shows."""
    F = glue["F"]  # torch.nn.functional, its dropout recorded or replayed (the test's glue)
    Net = definitions(torch, nn, F)
    shown = []
    device = torch.device("cuda" if torch.cuda.is_available() else "cpu")

    # Training dataset, Test dataset (MNIST's stand-in, see the top)
    train_loader = data.DataLoader(glue["train"], batch_size=16, shuffle=True)
    test_loader = data.DataLoader(glue["test"], batch_size=16, shuffle=True)

    model = Net().to(device)
    glue["model"](model)  # the test's glue: PyTorch's start, dropout recorded or replayed
    shown.append([p.detach().numpy().copy() for p in model.fc_loc[2].parameters()])

    optimizer = optim.SGD(model.parameters(), lr=0.01)
    glue["optimizer"](optimizer)

    def train(epoch):
        model.train()
        for batch_idx, (data, target) in enumerate(train_loader):
            data, target = data.to(device), target.to(device)

            optimizer.zero_grad()
            output = model(data)
            loss = F.nll_loss(output, target)
            loss.backward()
            optimizer.step()
            if batch_idx % 2 == 0:  # the tutorial: % 500
                print('Train Epoch: {} [{}/{} ({:.0f}%)]\tLoss: {:.6f}'.format(
                    epoch, batch_idx * len(data), len(train_loader.dataset),
                    100. * batch_idx / len(train_loader), loss.item()))
    #
    # A simple test procedure to measure the STN performances on MNIST.
    #

    def test():
        with torch.no_grad():
            model.eval()
            test_loss = 0
            correct = 0
            for data, target in test_loader:
                data, target = data.to(device), target.to(device)
                output = model(data)

                # sum up batch loss
                test_loss += F.nll_loss(output, target, size_average=False).item()
                # get the index of the max log-probability
                pred = output.max(1, keepdim=True)[1]
                correct += pred.eq(target.view_as(pred)).sum().item()

            test_loss /= len(test_loader.dataset)
            print('\nTest set: Average loss: {:.4f}, Accuracy: {}/{} ({:.0f}%)\n'
                  .format(test_loss, correct, len(test_loader.dataset),
                          100. * correct / len(test_loader.dataset)))
            shown.append(test_loss)

    def convert_image_np(inp):
        """Convert a Tensor to numpy image."""
        inp = inp.numpy().transpose((1, 2, 0))
        mean = np.array([0.485, 0.456, 0.406])
        std = np.array([0.229, 0.224, 0.225])
        inp = std * inp + mean
        inp = np.clip(inp, 0, 1)
        return inp

    def visualize_stn():
        with torch.no_grad():
            # Get a batch of training data
            data = next(iter(test_loader))[0].to(device)

            input_tensor = data.cpu()
            transformed_input_tensor = model.stn(data).cpu()

            in_grid = convert_image_np(input_tensor[0])  # the tutorial: make_grid(...)
            out_grid = convert_image_np(transformed_input_tensor[0])
            shown.extend([in_grid, out_grid, transformed_input_tensor.numpy()])

    for epoch in range(1, 2 + 1):
        train(epoch)
        test()

    # Visualize the STN transformation on some input batch
    visualize_stn()
    return shown


def test_spatial_transformer_tutorial_runs_step_for_step_as_pytorch(torch):
    images, labels = mnist_like(112)
    torch.manual_seed(0)
    theirs = definitions(torch, torch.nn, torch.nn.functional)()
    ours = definitions(ag, nn, nn.functional)()
    for net in (theirs, ours):  # the identity transformation, as the tutorial sets it
        np.testing.assert_array_equal(net.fc_loc[2].weight.detach().numpy(), 0.0)
        np.testing.assert_array_equal(net.fc_loc[2].bias.detach().numpy(), [1, 0, 0, 0, 1, 0])
        assert net.fc_loc[2].bias.dtype == net.fc_loc[0].bias.dtype  # float64 kept
    start = {k: v.detach().numpy().copy() for k, v in theirs.state_dict().items()}
    # At the identity every sampling point is a pixel centre, where bilinear interpolation
    # has a kink: which one-sided derivative theta gets depends on the last bit of each
    # grid point, i.e. on how each library's linspace rounds (PyTorch's own rounding even
    # depends on its CPU kernel's vector width). Both start shifted by 0.07 pixel instead.
    start["fc_loc.2.bias"] = start["fc_loc.2.bias"] + [0, 0, 0.005, 0, 0, 0.005]
    masks, steps, shown, printed, orders = [], [], [], [], ([], [])
    for library in (None, torch):  # ours first: PyTorch's run replays our dropout
        T, lib, optim, data = libraries(library)
        ours = library is None
        run_steps = []
        steps.append(run_steps)

        def model_glue(model, T=T, ours=ours):
            model.load_state_dict({k: T.tensor(v) for k, v in start.items()})
            if ours:
                record_dropout(model, masks)
            else:
                replay_dropout(torch, model, masks)

        glue = {"F": FunctionalDropout(T, lib.functional, masks, replay=not ours),
                "train": Digits(T, images[:80], labels[:80], **{
                    "order" if ours else "replay": orders[0]}),  # the same shuffles
                "test": Digits(T, images[80:], labels[80:], **{
                    "order" if ours else "replay": orders[1]}),
                "model": model_glue,
                "optimizer": lambda opt, record=run_steps: record_steps(opt, record)}
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            shown.append(tutorial(T, lib, optim, data, glue))
        printed.append(out.getvalue())
        if ours:  # our loaders shuffled, each epoch anew
            assert sorted(orders[0][:80]) == list(range(80)) != orders[0][:80] != orders[0][80:]
    assert masks == [] and orders == ([], [])  # PyTorch's run used every mask and index
    assert len(steps[0]) == 2 * 2 * 5
    assert_steps(steps[0], steps[1])
    assert_printed(printed[0], printed[1])
    assert printed[0].count("Train Epoch: ") == 6 and "Test set: Average loss" in printed[0]
    got, want = shown
    assert len(got) == len(want)
    for i, (a, b) in enumerate(zip(got, want)):
        for x, y in zip(a if isinstance(a, list) else [a], b if isinstance(b, list) else [b]):
            np.testing.assert_allclose(x, y, rtol=1e-10, atol=1e-12, err_msg=f"shown {i}")
