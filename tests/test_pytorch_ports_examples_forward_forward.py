"""pytorch/examples' ``mnist_forward_forward/main.py`` (Hinton's forward-forward training),
ported as written: ``get_y_neg`` (a loop over ``y``, ``allowed_indices.remove(y_samp.item())``,
``y_neg[idx] = torch.tensor(allowed_indices)[torch.randint(...)].item()``),
``overlay_y_on_x`` (``x_[:, :classes] *= 0.0``, ``x_[range(x.shape[0]), y] = x.max()``),
``Net`` keeping its layers in a plain list and overriding ``train``, ``Layer(nn.Linear)``
with ``super().__init__(in_features, out_features, bias, device, dtype)``, its own
``Adam`` and ``train``, ``x.norm(2, 1, keepdim=True)``, ``torch.mm(x_direction,
self.weight.T) + self.bias.unsqueeze(0)``, the softplus loss ``torch.log1p(torch.exp(
torch.cat([...]))).mean()``, ``predict`` with ``sum(goodness).unsqueeze(1)``, and the
errors. It runs step for step next to PyTorch (float64) on scikit-learn's 8x8 digits from
the same weights and negative labels: the printed lines and every step agree.
(``Layer``'s ``super().__init__(in_features, out_features, bias, device, dtype)`` was a
TypeError, and ``torch.xpu``'s error listed ``__all__``: fixed.)

Lines written differently here:
- ``device = torch.device("cuda")``... ``torch.device("cpu")`` is ``device = "cpu"``;
  ``use_xpu = not args.no_xpu and torch.xpu.is_available()`` is ``False``
  (``autograd.xpu`` is a ``MissingNameError`` saying so); ``use_mps`` is as written
  (``autograd.backends.mps.is_available()`` is False);
- ``MNIST("./data/", train=True, download=True, transform=transform)`` (``ToTensor``,
  ``Normalize``, ``Lambda(torch.flatten)``) is ``Digits`` on flattened 8x8 digits, and
  ``Net([784, 500, 500])`` is ``Net([64, 32, 32])``;
- ``torch.save(net.state_dict(), "mnist_ff.pt")``: ``nn.save("mnist_ff.pt",
  net=net.state_dict())``. PyTorch's dict is empty: ``self.layers = [...]`` is a plain
  list it does not register; a module here finds the modules in its lists (a deliberate
  difference: ``net.parameters()`` and the saved dict hold the two layers);
- the test's glue: PyTorch's initial weights loaded into both, our ``randint`` draws
  replayed on PyTorch's side, hooks recording each optimizer step.
"""

import argparse
import contextlib
import io

import numpy as np

import autograd as ag
import nn
from pytorch_examples_helpers import (Digits, Draws, assert_printed, assert_steps, digits,
                                      libraries, record_steps)


def forward_forward(torch, nn, Adam, DataLoader, argv, glue):
    """The script (its functions, classes and ``__main__`` block) for ``torch``."""

    def get_y_neg(y):
        y_neg = y.clone()
        for idx, y_samp in enumerate(y):
            allowed_indices = list(range(10))
            allowed_indices.remove(y_samp.item())
            y_neg[idx] = torch.tensor(allowed_indices)[
                torch.randint(len(allowed_indices), size=(1,))
            ].item()
        return y_neg.to(device)

    def overlay_y_on_x(x, y, classes=10):
        x_ = x.clone()
        x_[:, :classes] *= 0.0
        x_[range(x.shape[0]), y] = x.max()
        return x_

    class Net(nn.Module):
        def __init__(self, dims):

            super().__init__()
            self.layers = []
            for d in range(len(dims) - 1):
                self.layers = self.layers + [Layer(dims[d], dims[d + 1]).to(device)]

        def predict(self, x):
            goodness_per_label = []
            for label in range(10):
                h = overlay_y_on_x(x, label)
                goodness = []
                for layer in self.layers:
                    h = layer(h)
                    goodness = goodness + [h.pow(2).mean(1)]
                goodness_per_label += [sum(goodness).unsqueeze(1)]
            goodness_per_label = torch.cat(goodness_per_label, 1)
            return goodness_per_label.argmax(1)

        def train(self, x_pos, x_neg):
            h_pos, h_neg = x_pos, x_neg
            for i, layer in enumerate(self.layers):
                print("training layer: ", i)
                h_pos, h_neg = layer.train(h_pos, h_neg)

    class Layer(nn.Linear):
        def __init__(self, in_features, out_features, bias=True, device=None, dtype=None):
            super().__init__(in_features, out_features, bias, device, dtype)
            self.relu = nn.ReLU()
            self.opt = Adam(self.parameters(), lr=args.lr)
            self.threshold = args.threshold
            self.num_epochs = args.epochs

        def forward(self, x):
            x_direction = x / (x.norm(2, 1, keepdim=True) + 1e-4)
            return self.relu(torch.mm(x_direction, self.weight.T) + self.bias.unsqueeze(0))

        def train(self, x_pos, x_neg):
            for i in range(self.num_epochs):
                g_pos = self.forward(x_pos).pow(2).mean(1)
                g_neg = self.forward(x_neg).pow(2).mean(1)
                loss = torch.log1p(
                    torch.exp(
                        torch.cat([-g_pos + self.threshold, g_neg - self.threshold])
                    )
                ).mean()
                self.opt.zero_grad()
                loss.backward()
                self.opt.step()
                if i % args.log_interval == 0:
                    print("Loss: ", loss.item())
            return self.forward(x_pos).detach(), self.forward(x_neg).detach()

    parser = argparse.ArgumentParser()
    parser.add_argument("--epochs", type=int, default=1000, metavar="N",
                        help="number of epochs to train (default: 1000)")
    parser.add_argument("--lr", type=float, default=0.03, metavar="LR",
                        help="learning rate (default: 0.03)")
    parser.add_argument("--no_cuda", action="store_true", default=False,
                        help="disables CUDA training")
    parser.add_argument("--no_xpu", action="store_true", default=False,
                        help="disables XPU training")
    parser.add_argument("--no_mps", action="store_true", default=False,
                        help="disables MPS training")
    parser.add_argument("--seed", type=int, default=1, metavar="S",
                        help="random seed (default: 1)")
    parser.add_argument("--save_model", action="store_true", default=False,
                        help="For saving the current Model")
    parser.add_argument("--train_size", type=int, default=50000, help="size of training set")
    parser.add_argument("--threshold", type=float, default=2, help="threshold for training")
    parser.add_argument("--test_size", type=int, default=10000, help="size of test set")
    parser.add_argument("--save-model", action="store_true", default=False,
                        help="For Saving the current Model")
    parser.add_argument("--log-interval", type=int, default=10, metavar="N",
                        help="how many batches to wait before logging training status")
    args = parser.parse_args(argv)
    use_cuda = not args.no_cuda and torch.cuda.is_available()
    use_xpu = False  # not args.no_xpu and torch.xpu.is_available()
    use_mps = not args.no_mps and torch.backends.mps.is_available()
    if use_cuda or use_xpu or use_mps:
        raise AssertionError("the test runs on the CPU")
    else:
        device = "cpu"  # torch.device("cpu")

    train_kwargs = {"batch_size": args.train_size}
    test_kwargs = {"batch_size": args.test_size}

    if use_cuda:
        cuda_kwargs = {"num_workers": 1, "pin_memory": True, "shuffle": True}
        train_kwargs.update(cuda_kwargs)
        test_kwargs.update(cuda_kwargs)

    train_loader = DataLoader(
        glue["train"], **train_kwargs  # MNIST("./data/", train=True, ...)
    )
    test_loader = DataLoader(
        glue["test"], **test_kwargs  # MNIST("./data/", train=False, ...)
    )
    net = Net([64, 32, 32])
    glue["net"](net)  # the test's glue: the same start, steps recorded
    x, y = next(iter(train_loader))
    x, y = x.to(device), y.to(device)
    x_pos = overlay_y_on_x(x, y)
    y_neg = get_y_neg(y)
    x_neg = overlay_y_on_x(x, y_neg)
    net.train(x_pos, x_neg)
    print("train error:", 1.0 - net.predict(x).eq(y).float().mean().item())
    x_te, y_te = next(iter(test_loader))
    x_te, y_te = x_te.to(device), y_te.to(device)
    if args.save_model:
        if not hasattr(torch, 'save'):  # here: torch.save(...) is nn.save(path, **objects)
            nn.save("mnist_ff.pt", net=net.state_dict())
        else:
            torch.save(net.state_dict(), "mnist_ff.pt")
    print("test error:", 1.0 - net.predict(x_te).eq(y_te).float().mean().item())
    return net, y_neg


def _run(torch, argv, images, labels, start, draws, steps):
    T, lib, optim, data = libraries(torch)
    sets = {"train": Digits(T, images[:100], labels[:100]),
            "test": Digits(T, images[100:], labels[100:])}
    T = Draws(T, draws=draws) if torch is None else Draws(T, replay=draws)

    def net_glue(net):
        for layer, state in zip(net.layers, start, strict=True):
            layer.load_state_dict({k: T.tensor(v.numpy()) for k, v in state.items()})
            record_steps(layer.opt, steps)

    glue = {"train": sets["train"], "test": sets["test"], "net": net_glue}
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        net, y_neg = forward_forward(T, lib, optim.Adam, data.DataLoader, argv, glue)
    return printed.getvalue(), net, y_neg


def test_forward_forward_runs_step_for_step_as_torch(torch, tmp_path, monkeypatch):
    images, labels = digits(150, lambda a: ((a - 0.1307) / 0.3081).reshape(len(a), 64))
    torch.manual_seed(0)
    start = [torch.nn.Linear(64, 32).state_dict(), torch.nn.Linear(32, 32).state_dict()]
    argv = ["--epochs", "40", "--lr", "0.2", "--train_size", "100", "--test_size", "50",
            "--save-model"]
    draws, got_steps, want_steps = [], [], []
    (tmp_path / "ours").mkdir(), (tmp_path / "theirs").mkdir()
    monkeypatch.chdir(tmp_path / "ours")
    ag.manual_seed(1)  # the script never seeds (its --seed is unused): get_y_neg's draws
    got, ours, y_neg = _run(None, argv, images, labels, start, draws, got_steps)
    assert len(draws) == 100 and not (y_neg.numpy() == labels[:100]).any()
    monkeypatch.chdir(tmp_path / "theirs")
    want, theirs, _ = _run(torch, argv, images, labels, start, draws, want_steps)
    assert draws == []
    assert_printed(got, want)
    assert got.startswith("training layer:  0\nLoss:  ") and got.count("Loss: ") == 8
    assert len(got_steps) == 2 * 2 * 40
    assert_steps(got_steps, want_steps)
    assert float(got.split("train error: ")[1].split()[0]) < 0.6  # it learned (chance: 0.9)
    # the layers sit in a plain list: found here, not registered in PyTorch
    saved = nn.load(tmp_path / "ours" / "mnist_ff.pt")["net"]
    assert list(saved) == ["layers.0.weight", "layers.0.bias", "layers.1.weight",
                           "layers.1.bias"]
    assert torch.load(tmp_path / "theirs" / "mnist_ff.pt") == {}
    assert len(list(ours.parameters())) == 4 and list(theirs.parameters()) == []
    for i, (a, b) in enumerate(zip(ours.layers, theirs.layers, strict=True)):
        np.testing.assert_allclose(a.weight.detach().numpy(), b.weight.detach().numpy(),
                                   rtol=1e-10, atol=1e-12)
        np.testing.assert_array_equal(saved[f"layers.{i}.bias"], a.bias.detach().numpy())
