"""PyTorch's "Learn the Basics" tutorials, ported as a PyTorch user writes them (``import
autograd as ag`` for ``torch``, ``import nn``), on FashionMNIST-shaped synthetic images
(1x28x28, nothing is downloaded):

(d) "Quickstart" and "Optimizing model parameters": ``NeuralNetwork`` with ``nn.Flatten``
    and ``nn.Sequential``, ``model.to(device)``, ``train``/``test`` with ``model.train()``/
    ``model.eval()``, ``size = len(dataloader.dataset)``, ``loss, current = loss.item(),
    batch * batch_size + len(X)``, ``(pred.argmax(1) == y).type(torch.float).sum().item()``,
    saving and loading the state dict, and predicting ``classes[pred[0].argmax(0)]`` for
    one unbatched image; "Build the model"'s ``nn.Softmax(dim=1)(logits).argmax(1)`` and
    ``named_parameters()`` loop;
(e) "Saving and loading a general checkpoint": ``{'epoch', 'model_state_dict',
    'optimizer_state_dict', 'loss'}`` saved, loaded into a new model and optimizer, and
    training resumed exactly where it stopped.

Each runs step for step as PyTorch's from the same weights and batches. Spellings that
differ here (documented choices), each marked where it is written:
- ``torch.save(obj, PATH)`` / ``torch.load(PATH)`` are ``nn.save(obj, PATH)`` /
  ``nn.load(PATH)`` (files of data, never pickles).
"""

import numpy as np
import pytest

import autograd as ag
import nn
import nn.data
from test_pytorch_ports import _to_numpy
from test_pytorch_ports_seq import _assert_same_state

CLASSES = ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
           "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"]


def _fashion_like(n: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """n 1x28x28 images in [0, 1] (ToTensor's range): a blocky pattern per class, plus
    noise; labels int64, as FashionMNIST's targets."""
    patterns = np.random.default_rng(7).integers(0, 2, (10, 1, 4, 4)).repeat(7, 2).repeat(7, 3)
    rng = np.random.default_rng(seed)
    labels = rng.integers(0, 10, n)
    return 0.6 * patterns[labels] + 0.4 * rng.random((n, 1, 28, 28)), labels


def _neural_network(lib, hidden: int = 64):
    """The Quickstart's model (its 512 hidden units made 64, for speed)."""
    class NeuralNetwork(lib.Module):
        def __init__(self) -> None:
            super().__init__()
            self.flatten = lib.Flatten()
            self.linear_relu_stack = lib.Sequential(
                lib.Linear(28 * 28, hidden), lib.ReLU(),
                lib.Linear(hidden, hidden), lib.ReLU(),
                lib.Linear(hidden, 10))

        def forward(self, x):
            x = self.flatten(x)
            logits = self.linear_relu_stack(x)
            return logits

    return NeuralNetwork()


def _train_loop(dataloader, model, loss_fn, optimizer, batch_size, device, log) -> None:
    size = len(dataloader.dataset)
    model.train()  # important for batch normalization and dropout, good practice
    for batch, (X, y) in enumerate(dataloader):
        X, y = X.to(device), y.to(device)
        pred = model(X)
        loss = loss_fn(pred, y)
        loss.backward()
        optimizer.step()
        optimizer.zero_grad()
        log["losses"].append(loss.item())
        if batch % 2 == 0:  # the tutorial's every 100 batches
            loss, current = loss.item(), batch * batch_size + len(X)
            log["printed"].append(f"loss: {loss:>7f}  [{current:>5d}/{size:>5d}]")


def _test_loop(T, dataloader, model, loss_fn, device, log) -> None:
    model.eval()
    size = len(dataloader.dataset)
    num_batches = len(dataloader)
    test_loss, correct = 0, 0
    with T.no_grad():
        for X, y in dataloader:
            X, y = X.to(device), y.to(device)
            pred = model(X)
            test_loss += loss_fn(pred, y).item()
            correct += (pred.argmax(1) == y).type(T.float).sum().item()
    test_loss /= num_batches
    correct /= size
    log["printed"].append(f"Test Error: \n Accuracy: {(100 * correct):>0.1f}%, "
                          f"Avg loss: {test_loss:>8f} \n")
    log["test"].append((test_loss, correct))


def _save(T, obj, path) -> None:
    (nn.save if T is ag else T.save)(obj, path)  # torch.save(obj, path)


def _load(T, path):
    return (nn.load if T is ag else T.load)(path, weights_only=True)


def _quickstart(T, lib, optim, data, model, new_model, path, train, test, order) -> dict:
    device = "cpu"  # torch.accelerator.current_accelerator().type if available
    training_data = data.TensorDataset(T.tensor(train[0]), T.tensor(train[1]))
    test_data = data.TensorDataset(T.tensor(test[0]), T.tensor(test[1]))
    batch_size = 16
    train_dataloader = data.DataLoader(training_data, batch_size=batch_size,
                                       sampler=order)  # the same shuffled order for both
    test_dataloader = data.DataLoader(test_data, batch_size=batch_size)
    X, y = next(iter(test_dataloader))
    log = {"losses": [], "printed": [], "test": [],
           "shapes": [tuple(X.shape), tuple(y.shape), str(y.dtype).split(".")[-1]]}

    model = model.to(device)
    log["parameters"] = [(name, tuple(param.size())) for name, param in
                         model.named_parameters()]
    X = T.tensor(np.full((1, 28, 28), 0.5))  # "Build the model": one unbatched image
    logits = model(X)
    pred_probab = lib.Softmax(dim=1)(logits)
    log["y_pred"] = pred_probab.argmax(1).tolist()

    loss_fn = lib.CrossEntropyLoss()
    optimizer = optim.SGD(model.parameters(), lr=0.1)  # the tutorial's 1e-3
    epochs = 5
    for t in range(epochs):
        log["printed"].append(f"Epoch {t + 1}\n-------------------------------")
        _train_loop(train_dataloader, model, loss_fn, optimizer, batch_size, device, log)
        _test_loop(T, test_dataloader, model, loss_fn, device, log)

    _save(T, model.state_dict(), path)
    model = new_model.to(device)
    model.load_state_dict(_load(T, path))
    model.eval()
    x, y = test_data[0][0], test_data[0][1]
    with T.no_grad():
        x = x.to(device)
        pred = model(x)
        predicted, actual = CLASSES[pred[0].argmax(0)], CLASSES[y]
        log["printed"].append(f'Predicted: "{predicted}", Actual: "{actual}"')
    return log


def test_quickstart_as_torch(tmp_path):
    torch = pytest.importorskip("torch")
    train, test = _fashion_like(160, seed=1), _fashion_like(40, seed=2)
    order = np.random.default_rng(0).permutation(160).tolist()
    torch.manual_seed(0)
    theirs, their_new = _neural_network(torch.nn).double(), _neural_network(torch.nn).double()
    ours, our_new = _neural_network(nn), _neural_network(nn)
    ours.load_state_dict(_to_numpy(theirs.state_dict()))
    got = _quickstart(ag, nn, nn.optim, nn.data, ours, our_new, tmp_path / "ours.pth",
                      train, test, order)
    want = _quickstart(torch, torch.nn, torch.optim, torch.utils.data, theirs, their_new,
                       tmp_path / "model.pth", train, test, order)
    np.testing.assert_allclose(got.pop("losses"), want.pop("losses"), rtol=1e-10)
    np.testing.assert_allclose(got.pop("test"), want.pop("test"), rtol=1e-10)
    assert got == want  # shapes, parameter names and sizes, everything printed
    assert got["shapes"] == [(16, 1, 28, 28), (16,), "int64"]
    _assert_same_state(our_new, their_new, atol=1e-12)
    accuracy = float(got["printed"][-2].split("Accuracy: ")[1].split("%")[0])
    assert accuracy > 80  # it learns the classes' patterns


# ------------------------------------------------------------------ (e) checkpoints
def _steps(T, lib, model, optimizer, scheduler, train, batches) -> list[float]:
    losses = []
    for i in batches:
        X, y = T.tensor(train[0][i:i + 16]), T.tensor(train[1][i:i + 16])
        loss = lib.functional.cross_entropy(model(X), y)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        scheduler.step()
        losses.append(loss.item())
    return losses


def _checkpoint(T, lib, optim, net, new_net, path, train) -> dict:
    """Train, save the recipe's checkpoint dict, load it into a new model and optimizer
    (and scheduler), and train on."""
    optimizer = optim.Adam(net.parameters(), lr=0.01)
    scheduler = optim.lr_scheduler.StepLR(optimizer, step_size=2, gamma=0.5)
    log = {"losses": _steps(T, lib, net, optimizer, scheduler, train, [0, 16, 32])}
    log["sizes"] = [(param_tensor, tuple(net.state_dict()[param_tensor].shape))
                    for param_tensor in net.state_dict()]  # the tutorial's .size(): ndarrays
    log["optimizer_keys"] = [(var_name, sorted(optimizer.state_dict()[var_name][0]))
                             for var_name in optimizer.state_dict()]
    EPOCH, LOSS = 5, log["losses"][-1]
    checkpoint = {"epoch": EPOCH, "model_state_dict": net.state_dict(),
                  "optimizer_state_dict": optimizer.state_dict(),
                  "scheduler_state_dict": scheduler.state_dict(), "loss": LOSS}
    _save(T, checkpoint, path)
    checkpoint = _load(T, path)

    model = new_net
    optimizer = optim.Adam(model.parameters(), lr=0.5)  # overwritten by the checkpoint
    scheduler = optim.lr_scheduler.StepLR(optimizer, step_size=2, gamma=0.5)
    model.load_state_dict(checkpoint["model_state_dict"])
    optimizer.load_state_dict(checkpoint["optimizer_state_dict"])
    scheduler.load_state_dict(checkpoint["scheduler_state_dict"])
    epoch = checkpoint["epoch"]
    loss = checkpoint["loss"]
    log["restored"] = [epoch, loss, optimizer.param_groups[0]["lr"]]
    model.train()
    log["losses"] += _steps(T, lib, model, optimizer, scheduler, train, [48, 64, 80])
    return log


def test_general_checkpoint_resumes_as_torch(tmp_path):
    torch = pytest.importorskip("torch")
    train = _fashion_like(96, seed=3)
    torch.manual_seed(0)
    theirs, their_new = _neural_network(torch.nn).double(), _neural_network(torch.nn).double()
    ours, our_new = _neural_network(nn), _neural_network(nn)
    ours.load_state_dict(_to_numpy(theirs.state_dict()))
    start = {k: v.copy() for k, v in _to_numpy(theirs.state_dict()).items()}
    got = _checkpoint(ag, nn, nn.optim, ours, our_new, tmp_path / "ours.pt", train)
    want = _checkpoint(torch, torch.nn, torch.optim, theirs, their_new, tmp_path / "model.pt",
                       train)
    np.testing.assert_allclose(got.pop("losses"), want.pop("losses"), rtol=1e-10)
    assert got.pop("optimizer_keys")[0] == want.pop("optimizer_keys")[0]  # state's indices
    assert got["sizes"] == want["sizes"]
    assert got["restored"] == pytest.approx(want["restored"], rel=1e-12)
    assert got["restored"][2] == 0.005  # Adam's lr, halved by StepLR after two steps
    _assert_same_state(our_new, their_new, atol=1e-12)

    uninterrupted = _neural_network(nn)  # resuming is exact: the same as never stopping
    uninterrupted.load_state_dict(start)
    optimizer = nn.optim.Adam(uninterrupted.parameters(), lr=0.01)
    scheduler = nn.optim.lr_scheduler.StepLR(optimizer, step_size=2, gamma=0.5)
    _steps(ag, nn, uninterrupted, optimizer, scheduler, train, [0, 16, 32, 48, 64, 80])
    for name, value in uninterrupted.state_dict().items():
        np.testing.assert_array_equal(our_new.state_dict()[name], value)


def test_warmstart_loads_a_different_model_with_strict_false(tmp_path):
    """The recipe's ``modelB.load_state_dict(torch.load(PATH), strict=False)``: the keys
    that match load, the rest are reported, as PyTorch's."""
    torch = pytest.importorskip("torch")
    results = []
    for T, lib in ((ag, nn), (torch, torch.nn)):
        model_a = _neural_network(lib)
        model_b = lib.Sequential()
        model_b.flatten = lib.Flatten()
        model_b.linear_relu_stack = lib.Sequential(lib.Linear(28 * 28, 64), lib.ReLU())
        model_b.head = lib.Linear(64, 2)
        _save(T, model_a.state_dict(), tmp_path / "a.pt")
        result = model_b.load_state_dict(_load(T, tmp_path / "a.pt"), strict=False)
        assert np.array_equal(np.asarray(model_b.linear_relu_stack[0].weight.detach()),
                              np.asarray(model_a.linear_relu_stack[0].weight.detach()))
        results.append((sorted(result.missing_keys), sorted(result.unexpected_keys)))
    assert results[0] == results[1] == (
        ["head.bias", "head.weight"],
        ["linear_relu_stack.2.bias", "linear_relu_stack.2.weight",
         "linear_relu_stack.4.bias", "linear_relu_stack.4.weight"])
