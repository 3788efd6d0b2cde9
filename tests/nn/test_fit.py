"""nn.train.fit on the digits data: MLP accuracy, history, early stopping, seeds."""
from __future__ import annotations

import numpy as np
import pytest

import nn
import nn.functional as F
from nn.models import MLP
from nn.train import EarlyStopping, History, accuracy, fit

sklearn = pytest.importorskip("sklearn")
from sklearn.datasets import load_digits  # noqa: E402
from sklearn.model_selection import train_test_split  # noqa: E402


@pytest.fixture(scope="module")
def digits() -> tuple[np.ndarray, ...]:
    X, y = load_digits(return_X_y=True)
    X = X / 16.0
    X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.25, stratify=y,
                                                        random_state=0)
    X_train, X_val, y_train, y_val = train_test_split(X_train, y_train, test_size=0.2,
                                                      stratify=y_train, random_state=0)
    return X_train, y_train, X_val, y_val, X_test, y_test


def test_mlp_reaches_97_percent_on_digits(digits: tuple[np.ndarray, ...]) -> None:
    X_train, y_train, X_val, y_val, X_test, y_test = digits
    model = MLP([64, 64, 10], output="softmax", rng=0)
    opt = nn.optim.Adam(model.parameters(), lr=3e-3)
    history = fit(model, F.cross_entropy, opt, (X_train, y_train), val=(X_val, y_val),
                  epochs=30, metrics=[accuracy], progress=False, generator=0)
    assert isinstance(history, History) and len(history) == 30
    assert history["loss"][-1] < history["loss"][0] / 5
    assert set(history.history) >= {"loss", "val_loss", "accuracy", "val_accuracy", "lr"}
    assert np.mean(model.predict(X_test) == y_test) >= 0.97
    assert set(history.grad_norms[-1]) == {name for name, _ in model.named_parameters()}


def _run(digits: tuple[np.ndarray, ...], seed: int, epochs: int = 3) -> tuple[History, MLP]:
    X_train, y_train, X_val, y_val = digits[:4]
    model = MLP([64, 32, 10], output="softmax", dropout=0.2, rng=seed)
    opt = nn.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    history = fit(model, F.cross_entropy, opt, (X_train, y_train), val=(X_val, y_val),
                  epochs=epochs, progress=False, generator=seed)
    return history, model


def test_same_seed_gives_identical_runs(digits: tuple[np.ndarray, ...]) -> None:
    h1, m1 = _run(digits, 3)
    h2, m2 = _run(digits, 3)
    h3, _ = _run(digits, 4)
    assert h1.history == h2.history
    for (k, a), (_, b) in zip(m1.state_dict().items(), m2.state_dict().items()):
        np.testing.assert_array_equal(a, b, err_msg=k)
    assert h1.history["loss"] != h3.history["loss"]


def test_early_stopping_restores_the_best_epoch(digits: tuple[np.ndarray, ...]) -> None:
    X_train, y_train, X_val, y_val = digits[:4]
    model = MLP([64, 64, 10], output="softmax", rng=1)
    # a large learning rate makes the validation loss bounce, so stopping happens
    opt = nn.optim.SGD(model.parameters(), lr=2.0)
    stopper = EarlyStopping(patience=2)
    history = fit(model, F.cross_entropy, opt, (X_train, y_train), val=(X_val, y_val),
                  epochs=40, callbacks=[stopper], progress=False, generator=1)
    losses = history["val_loss"]
    best = int(np.argmin(losses))
    # patience 2: the second epoch without improvement is the last (Keras, skorch)
    assert stopper.best_epoch == best and len(losses) == best + 1 + 2
    trainer = nn.train.Trainer(model, F.cross_entropy, opt, progress=False)
    assert trainer.evaluate((X_val, y_val))["val_loss"] == pytest.approx(losses[best],
                                                                         rel=1e-12)


def test_grad_norms_are_the_last_batchs_also_for_a_lazy_layer() -> None:
    """History's gradient norms (their parameters named once per fit call) are those of
    each epoch's last batch, by name; a LazyLinear, shaped by the first batch, keeps its
    Parameter objects, so its norms are there too."""
    rng = np.random.default_rng(0)
    X, y = rng.standard_normal((40, 5)), rng.integers(0, 3, 40)
    model = nn.Sequential(nn.LazyLinear(8), nn.Tanh(), nn.Linear(8, 3, rng=1))
    opt = nn.optim.SGD(model.parameters(), lr=0.1)
    history = fit(model, F.cross_entropy, opt, (X, y), epochs=2, batch_size=16,
                  progress=False, generator=0)
    names = [name for name, _ in model.named_parameters()]
    assert [list(norms) for norms in history.grad_norms] == [names, names]
    last = {name: float(np.linalg.norm(p.grad.data)) for name, p in model.named_parameters()}
    assert history.grad_norms[-1] == pytest.approx(last, rel=1e-12)
