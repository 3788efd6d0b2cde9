"""pytorch/examples' ``siamese_network/main.py``, ported as written: ``SiameseNetwork`` (a
ResNet whose ``conv1`` is replaced for one channel, ``fc.in_features`` read, the last
child cut off with ``nn.Sequential(*(list(self.resnet.children())[:-1]))``, ``apply`` of
the bound ``self.init_weights`` with ``torch.nn.init.xavier_uniform(m.weight)``,
``forward_once`` with ``output.view(output.size()[0], -1)``, ``torch.cat((output1,
output2), 1)``, ``nn.Sigmoid``), the ``APP_MATCHER(Dataset)`` of image pairs
(``self.dataset.data.unsqueeze(1).clone()``, ``np.array(self.dataset.targets.clone())``,
``np.where``, Python's ``random.randint``, ``self.data[index_1].clone().float()``,
``torch.tensor(1, dtype=torch.float)``), ``train``/``test`` with ``BCELoss``,
``.squeeze()``, ``torch.where(outputs > 0.5, 1, 0)`` and ``pred.eq(targets.view_as(pred))``,
``Adadelta`` with ``StepLR``. The images are float32 (``.float()``), so both run in float32
(PyTorch's default dtype): step for step on scikit-learn's 8x8 digits, the printed lines,
every step's gradients and parameters agree to float32's precision.

Lines written differently here:
- ``torchvision.models.resnet18(pretrained=False)`` is ``resnet18`` below, a small stand-in
  with ResNet's children (``conv1``, ``bn1``, ``relu``, ``maxpool``, ``layer1``,
  ``avgpool``, ``fc``); the sizes are 8 / 32 for 64 / 256 and the kernel 3 for 7;
- ``m.bias.data.fill_(0.01)``: ``.data`` is the NumPy array, so it is
  ``nn.init.constant_(m.bias, 0.01)``; ``device = torch.device(...)`` is a str;
- ``torch.nn.Sequential`` and ``torch.nn.init.xavier_uniform`` are ``nn.Sequential`` and
  ``nn.init.xavier_uniform`` (``nn`` is a package of its own: ``autograd.nn``'s error says
  so);
- ``datasets.MNIST(root, train=train, download=download)`` is ``mnist`` (its ``data`` as
  uint8 and ``targets``), and ``torch.save(model.state_dict(), ...)`` is left out;
- layers are float64 here unless told: the model is made float32 (``model.float()``) for
  the float32 images, where PyTorch's follow its default dtype;
- the test's glue: PyTorch's initial weights in both, Python's ``random`` seeded alike for
  both runs, hooks recording each optimizer step.
(``xavier_uniform`` (deprecated, without the underscore) was missing, and ``torch.where(c,
1, 0)`` was float64: fixed.)
"""

import argparse
import contextlib
import io
import random
from types import SimpleNamespace

import numpy as np
import pytest

from pytorch_examples_helpers import assert_printed, assert_steps, libraries, record_steps

pytestmark = pytest.mark.filterwarnings(
    "ignore:`nn.init.xavier_uniform` is now deprecated",
    "ignore:__array__ implementation doesn't accept a copy")  # PyTorch's, of np.array(t)


def resnet18(nn, pretrained=False):
    """A stand-in for torchvision's ``resnet18``: its children, sized for 8x8 digits."""
    class ResNet(nn.Module):
        def __init__(self):
            super().__init__()
            self.conv1 = nn.Conv2d(3, 8, kernel_size=3, stride=1, padding=1, bias=False)
            self.bn1 = nn.BatchNorm2d(8)
            self.relu = nn.ReLU(inplace=True)
            self.maxpool = nn.MaxPool2d(kernel_size=3, stride=2, padding=1)
            self.layer1 = nn.Sequential(nn.Conv2d(8, 8, 3, 1, 1, bias=False),
                                        nn.BatchNorm2d(8), nn.ReLU(inplace=True))
            self.avgpool = nn.AdaptiveAvgPool2d((1, 1))
            self.fc = nn.Linear(8, 1000)

    return ResNet()


def siamese(torch, nn, F, optim, data, torchvision, datasets):
    """The script's definitions for the library ``torch``."""
    Dataset = data.Dataset
    StepLR = optim.lr_scheduler.StepLR

    class SiameseNetwork(nn.Module):
        def __init__(self):
            super(SiameseNetwork, self).__init__()
            # get resnet model
            self.resnet = torchvision.models.resnet18(pretrained=False)

            # over-write the first conv layer to be able to read MNIST images
            # as resnet18 reads (3,x,x) where 3 is RGB channels
            # whereas MNIST has (1,x,x) where 1 is a gray-scale channel
            self.resnet.conv1 = nn.Conv2d(1, 8, kernel_size=(3, 3), stride=(1, 1),
                                          padding=(1, 1), bias=False)
            self.fc_in_features = self.resnet.fc.in_features

            # remove the last layer of resnet18 (linear layer which is before avgpool layer)
            self.resnet = nn.Sequential(*(list(self.resnet.children())[:-1]))  # torch.nn.

            # add linear layers to compare between the features of the two images
            self.fc = nn.Sequential(
                nn.Linear(self.fc_in_features * 2, 32),
                nn.ReLU(inplace=True),
                nn.Linear(32, 1),
            )

            self.sigmoid = nn.Sigmoid()

            # initialize the weights
            self.resnet.apply(self.init_weights)
            self.fc.apply(self.init_weights)

        def init_weights(self, m):
            if isinstance(m, nn.Linear):
                nn.init.xavier_uniform(m.weight)  # torch.nn.init.xavier_uniform(m.weight)
                nn.init.constant_(m.bias, 0.01)  # m.bias.data.fill_(0.01)

        def forward_once(self, x):
            output = self.resnet(x)
            output = output.view(output.size()[0], -1)
            return output

        def forward(self, input1, input2):
            # get two images' features
            output1 = self.forward_once(input1)
            output2 = self.forward_once(input2)

            # concatenate both images' features
            output = torch.cat((output1, output2), 1)

            # pass the concatenation to the linear layers
            output = self.fc(output)

            # pass the out of the linear layers to sigmoid layer
            output = self.sigmoid(output)

            return output

    class APP_MATCHER(Dataset):
        def __init__(self, root, train, download=False):
            super(APP_MATCHER, self).__init__()

            # get MNIST dataset
            self.dataset = datasets.MNIST(root, train=train, download=download)
            self.data = self.dataset.data.unsqueeze(1).clone()

            self.group_examples()

        def group_examples(self):
            # get the targets from MNIST dataset
            np_arr = np.array(self.dataset.targets.clone())

            # group examples based on class
            self.grouped_examples = {}
            for i in range(0, 10):
                self.grouped_examples[i] = np.where((np_arr == i))[0]

        def __len__(self):
            return self.data.shape[0]

        def __getitem__(self, index):
            # pick some random class for the first image
            selected_class = random.randint(0, 9)

            # pick a random index for the first image in the grouped indices based of the label
            # of the class
            random_index_1 = random.randint(0, self.grouped_examples[selected_class].shape[0]-1)

            # pick the index to get the first image
            index_1 = self.grouped_examples[selected_class][random_index_1]

            # get the first image
            image_1 = self.data[index_1].clone().float()

            # same class
            if index % 2 == 0:
                # pick a random index for the second image
                random_index_2 = random.randint(
                    0, self.grouped_examples[selected_class].shape[0]-1)

                # ensure that the index of the second image isn't the same as the first image
                while random_index_2 == random_index_1:
                    random_index_2 = random.randint(
                        0, self.grouped_examples[selected_class].shape[0]-1)

                # pick the index to get the second image
                index_2 = self.grouped_examples[selected_class][random_index_2]

                # get the second image
                image_2 = self.data[index_2].clone().float()

                # set the label for this example to be positive (1)
                target = torch.tensor(1, dtype=torch.float)

            # different class
            else:
                # pick a random class
                other_selected_class = random.randint(0, 9)

                # ensure that the class of the second image isn't the same as the first image
                while other_selected_class == selected_class:
                    other_selected_class = random.randint(0, 9)

                # pick a random index for the second image in the grouped indices based of
                # the label of the class
                random_index_2 = random.randint(
                    0, self.grouped_examples[other_selected_class].shape[0]-1)

                # pick the index to get the second image
                index_2 = self.grouped_examples[other_selected_class][random_index_2]

                # get the second image
                image_2 = self.data[index_2].clone().float()

                # set the label for this example to be negative (0)
                target = torch.tensor(0, dtype=torch.float)

            return image_1, image_2, target

    def train(args, model, device, train_loader, optimizer, epoch):
        model.train()

        # we aren't using `TripletLoss` as the MNIST dataset is simple, so `BCELoss` can do
        # the trick.
        criterion = nn.BCELoss()

        for batch_idx, (images_1, images_2, targets) in enumerate(train_loader):
            images_1, images_2, targets = (images_1.to(device), images_2.to(device),
                                           targets.to(device))
            optimizer.zero_grad()
            outputs = model(images_1, images_2).squeeze()
            loss = criterion(outputs, targets)
            loss.backward()
            optimizer.step()
            if batch_idx % args.log_interval == 0:
                print('Train Epoch: {} [{}/{} ({:.0f}%)]\tLoss: {:.6f}'.format(
                    epoch, batch_idx * len(images_1), len(train_loader.dataset),
                    100. * batch_idx / len(train_loader), loss.item()))
                if args.dry_run:
                    break

    def test(model, device, test_loader):
        model.eval()
        test_loss = 0
        correct = 0

        # we aren't using `TripletLoss` as the MNIST dataset is simple, so `BCELoss` can do
        # the trick.
        criterion = nn.BCELoss()

        with torch.no_grad():
            for (images_1, images_2, targets) in test_loader:
                images_1, images_2, targets = (images_1.to(device), images_2.to(device),
                                               targets.to(device))
                outputs = model(images_1, images_2).squeeze()
                test_loss += criterion(outputs, targets).sum().item()  # sum up batch loss
                pred = torch.where(outputs > 0.5, 1, 0)  # get the index of the max log-probability
                correct += pred.eq(targets.view_as(pred)).sum().item()

        test_loss /= len(test_loader.dataset)

        print('\nTest set: Average loss: {:.4f}, Accuracy: {}/{} ({:.0f}%)\n'.format(
            test_loss, correct, len(test_loader.dataset),
            100. * correct / len(test_loader.dataset)))

    def main(argv, glue):
        # Training settings
        parser = argparse.ArgumentParser(description='PyTorch Siamese network Example')
        parser.add_argument('--batch-size', type=int, default=64, metavar='N',
                            help='input batch size for training (default: 64)')
        parser.add_argument('--test-batch-size', type=int, default=1000, metavar='N',
                            help='input batch size for testing (default: 1000)')
        parser.add_argument('--epochs', type=int, default=14, metavar='N',
                            help='number of epochs to train (default: 14)')
        parser.add_argument('--lr', type=float, default=1.0, metavar='LR',
                            help='learning rate (default: 1.0)')
        parser.add_argument('--gamma', type=float, default=0.7, metavar='M',
                            help='Learning rate step gamma (default: 0.7)')
        parser.add_argument('--no-cuda', action='store_true', default=False,
                            help='disables CUDA training')
        parser.add_argument('--dry-run', action='store_true', default=False,
                            help='quickly check a single pass')
        parser.add_argument('--seed', type=int, default=1, metavar='S',
                            help='random seed (default: 1)')
        parser.add_argument('--log-interval', type=int, default=10, metavar='N',
                            help='how many batches to wait before logging training status')
        args = parser.parse_args(argv)

        use_cuda = not args.no_cuda and torch.cuda.is_available()

        torch.manual_seed(args.seed)

        device = "cuda" if use_cuda else "cpu"  # torch.device("cuda" if use_cuda else "cpu")

        train_kwargs = {'batch_size': args.batch_size}
        test_kwargs = {'batch_size': args.test_batch_size}
        if use_cuda:
            cuda_kwargs = {'num_workers': 1,
                           'pin_memory': True,
                           'shuffle': True}
            train_kwargs.update(cuda_kwargs)
            test_kwargs.update(cuda_kwargs)

        train_dataset = APP_MATCHER('../data', train=True, download=True)
        test_dataset = APP_MATCHER('../data', train=False)
        train_loader = data.DataLoader(train_dataset, **train_kwargs)
        test_loader = data.DataLoader(test_dataset, **test_kwargs)

        model = SiameseNetwork().to(device)
        glue["model"](model)  # the test's glue: float32 here, the same start
        optimizer = optim.Adadelta(model.parameters(), lr=args.lr)
        record_steps(optimizer, glue["steps"])  # the test's glue

        scheduler = StepLR(optimizer, step_size=1, gamma=args.gamma)
        for epoch in range(1, args.epochs + 1):
            train(args, model, device, train_loader, optimizer, epoch)
            test(model, device, test_loader)
            scheduler.step()
        return model

    return SiameseNetwork, main


def _mnist(T, images, labels):
    """``datasets.MNIST``: ``data`` (N, 8, 8) uint8, ``targets`` int64."""
    def MNIST(root, train, download=False):
        n = len(images) * 3 // 4
        part = slice(None, n) if train else slice(n, None)
        return SimpleNamespace(data=T.tensor(images[part]), targets=T.tensor(labels[part]))

    return SimpleNamespace(MNIST=MNIST)


def _run(torch, argv, start, images, labels, steps):
    T, lib, optim, data = libraries(torch)
    torchvision = SimpleNamespace(models=SimpleNamespace(resnet18=lambda pretrained: resnet18(
        lib, pretrained)))

    def model_glue(model):
        if torch is None:
            model.float()
        model.load_state_dict({k: T.tensor(v.numpy()) for k, v in start.items()})

    _, main = siamese(T, lib, lib.functional, optim, data, torchvision,
                      _mnist(T, images, labels))
    random.seed(0)  # the dataset's random.randint: the same pairs in both runs
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        model = main(argv, {"model": model_glue, "steps": steps})
    return printed.getvalue(), model


def test_siamese_network_runs_step_for_step_as_torch(torch):
    import sklearn.datasets
    images, labels = sklearn.datasets.load_digits(return_X_y=True)
    # every class twice in each part at least: the dataset's second pick loops until it
    # finds another image of the class
    images = np.minimum(images[:128] * 16, 255).astype(np.uint8).reshape(128, 8, 8)
    labels = labels[:128].astype(np.int64)
    assert min(np.bincount(labels[:96]).min(), np.bincount(labels[96:]).min()) >= 2
    torch.set_default_dtype(torch.float32)  # the fixture restores it
    torch.manual_seed(0)
    theirs = siamese(torch, torch.nn, None, torch.optim, torch.utils.data, SimpleNamespace(
        models=SimpleNamespace(resnet18=lambda pretrained: resnet18(torch.nn))), None)[0]()
    start = theirs.state_dict()
    argv = ['--batch-size', '16', '--test-batch-size', '16', '--epochs', '2', '--lr', '0.5',
            '--log-interval', '2']
    got_steps, want_steps = [], []
    got, ours = _run(None, argv, start, images, labels, got_steps)
    want, theirs = _run(torch, argv, start, images, labels, want_steps)
    assert got.startswith('Train Epoch: 1 [0/96 (0%)]\tLoss: ')
    assert got.count('Accuracy: ') == 2 and got.count('Train Epoch: 2 ') == 3
    assert_printed(got, want, rtol=1e-4)
    assert_steps(got_steps, want_steps, rtol=2e-4, atol=1e-6)
    assert all(p.dtype == np.float32 for step in got_steps for p in step)
