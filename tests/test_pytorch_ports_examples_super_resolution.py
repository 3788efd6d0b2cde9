"""pytorch/examples' ``super_resolution`` (``model.py``, ``main.py`` and ``super_resolve.py``),
ported as written: the sub-pixel ``Net`` (``Conv2d`` with tuple arguments,
``nn.PixelShuffle(upscale_factor)``, ``_initialize_weights`` with
``init.orthogonal_(..., init.calculate_gain('relu'))``), the loaders
``DataLoader(dataset=train_set, num_workers=opt.threads, batch_size=opt.batchSize,
shuffle=True)``, ``MSELoss``, ``Adam``, ``train`` with its printed lines, ``test`` with the
PSNR ``10 * log10(1 / mse.item())``, ``checkpoint``, and ``super_resolve``'s
``out[0].detach().numpy()`` scaled to 0..255 and clipped. It runs step for step next to
PyTorch (float64) on scikit-learn's 8x8 digits (their 4x4 averages as the low-resolution
input) from the same weights and shuffled order: the printed lines, every step's gradients
and parameters and the super-resolved image agree. (``DataLoader(dataset=...)`` was a
TypeError: fixed.)

Lines written differently here:
- ``device = torch.device(opt.device)`` is ``device = opt.device`` ("cpu"), and the
  ``torch.backends.mps.is_available()`` test is dropped (``autograd.backends``' error says
  so);
- ``get_training_set(opt.upscale_factor)`` (PIL images of BSDS300 cropped and resized) is
  ``Digits`` of (4x4 input, 8x8 target) pairs, and the channels are 16, 16, 8 for 64, 64, 32;
- ``torch.save(model, model_out_path)`` pickles the module; here it is
  ``nn.save(model_out_path, model=model)`` (its state dict: never pickle), and
  ``super_resolve.py``'s ``model = torch.load(opt.model)`` is ``Net(upscale_factor)`` with
  ``load_state_dict(nn.load(opt.model)['model'])`` (PyTorch's side saves the state dict
  too: the test's ``Net`` is a local class, which pickle cannot save); PIL's
  ``Image.open(...).convert('YCbCr')`` and ``ToTensor`` are a NumPy image of the Y channel;
- the test's glue: PyTorch's initial weights (after its ``_initialize_weights``) in both,
  our shuffled order replayed on PyTorch's side, hooks recording each optimizer step.
"""

import argparse
import contextlib
import io
from math import log10

import numpy as np

import autograd as ag
import nn
from pytorch_examples_helpers import (Digits, assert_printed, assert_steps, digits, libraries,
                                      record_steps)


def model_py(torch, nn):
    """model.py for the library ``torch``."""
    init = nn.init

    class Net(nn.Module):
        def __init__(self, upscale_factor):
            super(Net, self).__init__()

            self.relu = nn.ReLU()
            self.conv1 = nn.Conv2d(1, 16, (5, 5), (1, 1), (2, 2))
            self.conv2 = nn.Conv2d(16, 16, (3, 3), (1, 1), (1, 1))
            self.conv3 = nn.Conv2d(16, 8, (3, 3), (1, 1), (1, 1))
            self.conv4 = nn.Conv2d(8, upscale_factor ** 2, (3, 3), (1, 1), (1, 1))
            self.pixel_shuffle = nn.PixelShuffle(upscale_factor)

            self._initialize_weights()

        def forward(self, x):
            x = self.relu(self.conv1(x))
            x = self.relu(self.conv2(x))
            x = self.relu(self.conv3(x))
            x = self.pixel_shuffle(self.conv4(x))
            return x

        def _initialize_weights(self):
            init.orthogonal_(self.conv1.weight, init.calculate_gain('relu'))
            init.orthogonal_(self.conv2.weight, init.calculate_gain('relu'))
            init.orthogonal_(self.conv3.weight, init.calculate_gain('relu'))
            init.orthogonal_(self.conv4.weight)

    return Net


def main_py(torch, nn, optim, DataLoader, argv, glue):
    """main.py (its module-level lines in a function) for the library ``torch``."""
    Net = model_py(torch, nn)
    get_training_set, get_test_set = glue["train"], glue["test"]
    # Training settings
    parser = argparse.ArgumentParser(description='PyTorch Super Res Example')
    parser.add_argument('--upscale_factor', type=int, required=True,
                        help="super resolution upscale factor")
    parser.add_argument('--batchSize', type=int, default=64, help='training batch size')
    parser.add_argument('--testBatchSize', type=int, default=10, help='testing batch size')
    parser.add_argument('--nEpochs', type=int, default=2, help='number of epochs to train for')
    parser.add_argument('--lr', type=float, default=0.01, help='Learning Rate. Default=0.01')
    parser.add_argument('--cuda', action='store_true', help='use cuda?')
    parser.add_argument('--mps', action='store_true', default=False,
                        help='enables macOS GPU training')
    parser.add_argument('--device', type=str, default='cpu', help='backend device')
    parser.add_argument('--threads', type=int, default=4,
                        help='number of threads for data loader to use')
    parser.add_argument('--seed', type=int, default=123, help='random seed to use. Default=123')
    opt = parser.parse_args(argv)

    print(opt)

    if opt.cuda and not torch.cuda.is_available():
        raise Exception("No GPU found, please run without --cuda")

    torch.manual_seed(opt.seed)

    if opt.cuda:
        device = "cuda"  # torch.device("cuda")
    else:
        device = opt.device  # torch.device(opt.device)

    print('===> Loading datasets')
    train_set = get_training_set(opt.upscale_factor)
    test_set = get_test_set(opt.upscale_factor)
    training_data_loader = DataLoader(dataset=train_set, num_workers=opt.threads,
                                      batch_size=opt.batchSize, shuffle=True)
    testing_data_loader = DataLoader(dataset=test_set, num_workers=opt.threads,
                                     batch_size=opt.testBatchSize, shuffle=False)

    print('===> Building model')
    model = Net(upscale_factor=opt.upscale_factor).to(device)
    glue["model"](model)  # the test's glue: the same start
    criterion = nn.MSELoss()

    optimizer = optim.Adam(model.parameters(), lr=opt.lr)
    record_steps(optimizer, glue["steps"])  # the test's glue

    def train(epoch):
        epoch_loss = 0
        for iteration, batch in enumerate(training_data_loader, 1):
            input, target = batch[0].to(device), batch[1].to(device)

            optimizer.zero_grad()
            loss = criterion(model(input), target)
            epoch_loss += loss.item()
            loss.backward()
            optimizer.step()

            print("===> Epoch[{}]({}/{}): Loss: {:.4f}".format(
                epoch, iteration, len(training_data_loader), loss.item()))

        print("===> Epoch {} Complete: Avg. Loss: {:.4f}".format(
            epoch, epoch_loss / len(training_data_loader)))

    def test():
        avg_psnr = 0
        with torch.no_grad():
            for batch in testing_data_loader:
                input, target = batch[0].to(device), batch[1].to(device)

                prediction = model(input)
                mse = criterion(prediction, target)
                psnr = 10 * log10(1 / mse.item())
                avg_psnr += psnr
        print("===> Avg. PSNR: {:.4f} dB".format(avg_psnr / len(testing_data_loader)))

    def checkpoint(epoch):
        model_out_path = "model_epoch_{}.pth".format(epoch)
        if not hasattr(torch, 'save'):  # here: torch.save(model, model_out_path)
            nn.save(model_out_path, model=model)
        else:
            torch.save(model.state_dict(), model_out_path)
        print("Checkpoint saved to {}".format(model_out_path))

    for epoch in range(1, opt.nEpochs + 1):
        train(epoch)
        test()
        checkpoint(epoch)
    return model


def super_resolve(torch, nn, model_path, y):
    """super_resolve.py on the Y channel ``y`` (an (H, W) array in [0, 255])."""
    Net = model_py(torch, nn)
    if not hasattr(torch, 'save'):  # here: model = torch.load(opt.model)
        model = Net(2)
        model.load_state_dict(nn.load(model_path)['model'])
    else:
        model = Net(2)
        model.load_state_dict(torch.load(model_path))
    input = torch.tensor(y / 255.0).view(1, -1, y.shape[1], y.shape[0])  # ToTensor()(y)

    out = model(input)
    out = out.cpu()
    out_img_y = out[0].detach().numpy()
    out_img_y *= 255.0
    out_img_y = out_img_y.clip(0, 255)
    return np.uint8(out_img_y[0])  # Image.fromarray(np.uint8(out_img_y[0]), mode='L')


def _pairs(T, images, order=None, replay=None):
    """(4x4 input, 8x8 target) pairs: each input pixel the mean of a 2x2 block."""
    low = images.reshape(-1, 1, 4, 2, 4, 2).mean(axis=(3, 5))
    return lambda upscale_factor: Digits(T, low, images, order=order, replay=replay)


def _run(torch, argv, images, start, orders, steps):
    T, lib, optim, data = libraries(torch)
    n = len(images) * 4 // 5
    if torch is None:
        sets = [_pairs(T, images[:n], order=orders), _pairs(T, images[n:])]
        start = {k: T.tensor(v.numpy()) for k, v in start.items()}
    else:
        sets = [_pairs(T, images[:n], replay=orders), _pairs(T, images[n:])]
    glue = {"train": sets[0], "test": sets[1], "steps": steps,
            "model": lambda model: model.load_state_dict(start)}
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        model = main_py(T, lib, optim, data.DataLoader, argv, glue)
    return printed.getvalue(), model


def _orthogonal_rows(weight: np.ndarray, gain: float) -> bool:
    rows = weight.reshape(len(weight), -1)
    return np.allclose(rows @ rows.T, gain ** 2 * np.eye(len(rows)))


def test_super_resolution_runs_step_for_step_as_torch(torch, tmp_path, monkeypatch):
    images, _ = digits(100, lambda a: a)
    ours = model_py(ag, nn)(2)
    assert all(_orthogonal_rows(m.weight.detach().numpy(), g) for m, g in [
        (ours.conv1, 2 ** 0.5), (ours.conv2, 2 ** 0.5), (ours.conv3, 2 ** 0.5),
        (ours.conv4, 1.0)])
    start = model_py(torch, torch.nn)(2).state_dict()
    argv = ['--upscale_factor', '2', '--batchSize', '16', '--testBatchSize', '10',
            '--nEpochs', '2', '--lr', '0.01', '--threads', '0']
    orders, got_steps, want_steps = [], [], []
    (tmp_path / "ours").mkdir(), (tmp_path / "theirs").mkdir()
    monkeypatch.chdir(tmp_path / "ours")
    got, ours = _run(None, argv, images, start, orders, got_steps)
    assert sorted(orders[:80]) == list(range(80)) and orders[:80] != orders[80:]
    monkeypatch.chdir(tmp_path / "theirs")
    want, theirs = _run(torch, argv, images, start, orders, want_steps)
    assert orders == []
    assert_printed(got, want)
    assert "===> Epoch[2](5/5): Loss: " in got and got.count("===> Avg. PSNR: ") == 2
    assert "Checkpoint saved to model_epoch_2.pth" in got
    assert_steps(got_steps, want_steps)
    y = images[0, 0] * 255.0
    image = super_resolve(ag, nn, tmp_path / "ours" / "model_epoch_2.pth", y[::2, ::2])
    their_image = super_resolve(torch, torch.nn, tmp_path / "theirs" / "model_epoch_2.pth",
                                y[::2, ::2])
    assert image.dtype == np.uint8 and image.shape == (8, 8)
    assert np.abs(image.astype(int) - their_image).max() <= 1  # rounding of 1e-12 apart
