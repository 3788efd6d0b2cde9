"""Training on Tensor batches: PyTorch's loop idiom, ``fit`` and ``nn.sklearn`` give the
same losses on autograd Tensors as on the NumPy arrays holding the same values."""
from __future__ import annotations

import numpy as np
import pytest

import nn
import nn.functional as F
from autograd import Tensor
from nn.data import DataLoader, TensorDataset
from nn.train import accuracy, fit


def _data(n: int = 20) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(1)
    return rng.standard_normal((n, 3)), rng.integers(0, 3, n)


def _model() -> nn.Module:
    return nn.Sequential(nn.Linear(3, 4, rng=0), nn.ReLU(), nn.Linear(4, 3, rng=1))


def _torch_loop(loader: DataLoader) -> tuple[list[float], list[float]]:
    """PyTorch's training loop, written as PyTorch users write it, on Tensor batches:
    (each batch's loss, each epoch's accuracy)."""
    model = _model().float()
    optimizer = nn.optim.SGD(model.parameters(), lr=0.1)
    losses, accuracies = [], []
    for _ in range(2):
        correct, total = 0, 0
        for xb, yb in loader:
            optimizer.zero_grad()
            pred = model(xb.float())
            loss = F.cross_entropy(pred, yb.view(-1))
            loss.backward()
            optimizer.step()
            losses.append(loss.item())
            correct += (pred.argmax(1) == yb).sum().item()
            total += yb.size(0)
        accuracies.append(correct / total)
    return losses, accuracies


def _numpy_loop(loader: DataLoader) -> tuple[list[float], list[float]]:
    """The same loop on NumPy batches, in NumPy's spellings."""
    model = _model().float()
    optimizer = nn.optim.SGD(model.parameters(), lr=0.1)
    losses, accuracies = [], []
    for _ in range(2):
        correct, total = 0, 0
        for xb, yb in loader:
            optimizer.zero_grad()
            pred = model(xb.astype(np.float32))
            loss = F.cross_entropy(pred, yb.reshape(-1))
            loss.backward()
            optimizer.step()
            losses.append(loss.item())
            correct += int((pred.data.argmax(1) == yb).sum())
            total += len(yb)
        accuracies.append(correct / total)
    return losses, accuracies


@pytest.mark.parametrize("shuffle", [False, True])
def test_pytorchs_loop_idiom_on_tensors_gives_the_losses_of_arrays(shuffle: bool) -> None:
    X, y = _data()
    expected = _numpy_loop(DataLoader(X, y, batch_size=8, shuffle=shuffle, generator=0))
    for loader in (DataLoader(TensorDataset(Tensor(X), Tensor(y)), batch_size=8,
                              shuffle=shuffle, generator=0),
                   DataLoader(Tensor(X), Tensor(y), batch_size=8, shuffle=shuffle,
                              generator=0)):
        assert _torch_loop(loader) == expected


class _Rows:
    """A PyTorch-style dataset: ``(Tensor x_i, int label_i)``."""

    def __init__(self, X: np.ndarray, y: np.ndarray) -> None:
        self.X, self.y = Tensor(X), y

    def __len__(self) -> int:
        return len(self.y)

    def __getitem__(self, i: int) -> tuple[Tensor, int]:
        return self.X[i], int(self.y[i])


def test_pytorchs_loop_idiom_on_a_dataset_of_tensor_and_int() -> None:
    X, y = _data()
    labels = next(iter(DataLoader(_Rows(X, y), batch_size=8)))[1]
    assert type(labels) is Tensor and labels.dtype == np.int64  # as torch's int64 tensor
    assert _torch_loop(DataLoader(_Rows(X, y), batch_size=8)) == \
        _numpy_loop(DataLoader(X, y, batch_size=8))


def _fit(train: object, val: object) -> tuple[list[np.ndarray], dict]:
    model = _model()
    history = fit(model, F.cross_entropy, nn.optim.SGD(model.parameters(), lr=0.1), train,
                  val=val, epochs=2, metrics=[accuracy], progress=False, generator=0)
    keys = ["loss", "accuracy", "val_loss", "val_accuracy"]
    return [p.data.copy() for p in model.parameters()], {k: history[k] for k in keys}


def test_fit_trains_on_tensor_loaders_as_on_array_loaders() -> None:
    X, y = _data()
    weights, logs = _fit(DataLoader(X, y, batch_size=8, shuffle=True, generator=2),
                         DataLoader(X, y, batch_size=8))
    tensors = (Tensor(X), Tensor(y))
    for train, val in [(DataLoader(TensorDataset(*tensors), batch_size=8, shuffle=True,
                                   generator=2), DataLoader(*tensors, batch_size=8)),
                       (DataLoader(_Rows(X, y), batch_size=8, shuffle=True, generator=2),
                        DataLoader(_Rows(X, y), batch_size=8))]:
        got_weights, got_logs = _fit(train, val)
        assert got_logs == logs
        for p, q in zip(got_weights, weights, strict=True):
            np.testing.assert_array_equal(p, q)
    (got_weights, got_logs), (weights, logs) = _fit(tensors, tensors), _fit((X, y), (X, y))
    assert got_logs == logs  # fit's own loader of the arrays given as Tensors
    for p, q in zip(got_weights, weights, strict=True):
        np.testing.assert_array_equal(p, q)


def test_fit_reads_a_loader_of_one_tensor_as_the_inputs() -> None:
    """An autoencoder on ``DataLoader(Tensor(X))``: bare Tensor batches are the inputs
    (and targets), as bare arrays are."""
    X, _ = _data(12)

    def train(data: DataLoader) -> list[np.ndarray]:
        model = nn.Sequential(nn.Linear(3, 2, rng=0), nn.Linear(2, 3, rng=1))
        history = fit(model, F.mse_loss, nn.optim.SGD(model.parameters(), lr=0.1), data,
                      val=data, epochs=2, progress=False)
        return [p.data.copy() for p in model.parameters()] + [np.array(history["val_loss"])]
    for p, q in zip(train(DataLoader(Tensor(X), batch_size=4)),
                    train(DataLoader(X, batch_size=4)), strict=True):
        np.testing.assert_array_equal(p, q)


def test_sklearn_estimators_take_tensors_as_arrays() -> None:
    pytest.importorskip("sklearn")
    from nn.sklearn import NeuralNetClassifier
    X, y = _data()

    def run(X: object, y: object) -> tuple[list[float], np.ndarray]:
        net = NeuralNetClassifier(hidden_layer_sizes=(4,), epochs=2, random_state=0)
        net.fit(X, y)
        return net.history_["loss"], net.predict_proba(X)
    ours, arrays = run(Tensor(X), Tensor(y)), run(X, y)
    assert ours[0] == arrays[0]
    np.testing.assert_array_equal(ours[1], arrays[1])
