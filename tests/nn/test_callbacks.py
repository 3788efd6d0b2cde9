"""Callbacks and the other switches of fit: schedulers, clipping, checkpoints, metrics,
progress output, BLAS threads, History."""
from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import nn
import nn.functional as F
from autograd.errors import ShapeError
from nn.data import DataLoader
from nn.models import MLP
from nn.train import (Callback, EarlyStopping, GradientClipping, History, LRScheduler,
                      ModelCheckpoint, Trainer, accuracy, fit)

_find_spec = importlib.util.find_spec  # the real one (a test replaces it)

RNG = np.random.default_rng(0)
X = RNG.normal(size=(64, 4))
Y = (X[:, 0] > 0).astype(np.int64)


def _model() -> MLP:
    return MLP([4, 8, 2], output="softmax", rng=0)


def test_reduce_lr_on_plateau_is_fed_the_monitored_value() -> None:
    model = _model()
    opt = nn.optim.SGD(model.parameters(), lr=1e-9)  # too small to improve: lr drops
    plateau = nn.optim.ReduceLROnPlateau(opt, factor=0.5, patience=1, eps=0.0)
    seen = []

    class Spy(Callback):
        def on_epoch_end(self, trainer: Any, epoch: int, logs: dict) -> None:
            seen.append(logs["val_loss"])

    history = fit(model, F.cross_entropy, opt, (X, Y), val=(X, Y), epochs=6,
                  callbacks=[Spy(), LRScheduler(plateau)], progress=False, generator=0)
    reference = nn.optim.ReduceLROnPlateau(nn.optim.SGD([nn.Parameter(np.zeros(1))],
                                                        lr=1e-9), factor=0.5, patience=1, eps=0.0)
    expected = []
    for value in seen:
        expected.append(reference.optimizer.param_groups[0]["lr"])
        reference.step(value)
    assert history["lr"] == expected and expected[-1] < 1e-9


@pytest.mark.parametrize("patience", [0, 1, 2, 5])
def test_early_stopping_counts_patience_as_keras_does(patience: int) -> None:
    """Keras and skorch stop at the patience-th epoch in a row without improvement (0
    and 1 both at the first); the model is never consulted for it."""
    model = _model()
    trainer = Trainer(model, F.cross_entropy, nn.optim.SGD(model.parameters(), lr=0.1))
    stopper = EarlyStopping(monitor="val_loss", patience=patience)
    values = [3.0, 2.0, 1.5, 1.0] + [1.5] * 10  # the best is epoch 3, never beaten
    for epoch, value in enumerate(values):
        stopper.on_epoch_end(trainer, epoch, {"val_loss": value})
        if trainer.stop_training:
            break
    assert stopper.best_epoch == 3
    assert stopper.stopped_epoch == epoch == 3 + max(patience, 1)


@pytest.mark.parametrize("mode, sign", [("min", 1.0), ("max", -1.0)])
@pytest.mark.parametrize("min_delta, values", [
    (0.0, [2.0, 1.0, 1.0, 1.0, 0.5]),       # a tie is no improvement (Keras: strictly less)
    (0.1, [2.0, 1.0, 0.95, 0.92, 0.5])])    # nor is a gain of less than min_delta
def test_best_epoch_needs_a_gain_of_more_than_min_delta(tmp_path: Path, mode: str,
                                                        sign: float, min_delta: float,
                                                        values: list) -> None:
    """EarlyStopping and ModelCheckpoint(save_best_only) in both modes (in mode "max"
    the values are mirrored): the best stays epoch 1, and patience=2 stops at epoch 3."""
    model = _model()
    trainer = Trainer(model, F.cross_entropy, nn.optim.SGD(model.parameters(), lr=0.1))
    stopper = EarlyStopping("score", patience=2, min_delta=min_delta, mode=mode)
    checkpoint = ModelCheckpoint(tmp_path / "e{epoch}.npz", "score", save_best_only=True,
                                 mode=mode, min_delta=min_delta)
    for epoch, value in enumerate(values):
        stopper.on_epoch_end(trainer, epoch, {"score": sign * value})
        checkpoint.on_checkpoint(trainer, epoch, {"score": sign * value})
        if trainer.stop_training:
            break
    assert (stopper.best_epoch, stopper.stopped_epoch, epoch) == (1, 3, 3)
    assert stopper.best == checkpoint.best == sign * 1.0
    assert sorted(p.name for p in tmp_path.iterdir()) == ["e1.npz", "e2.npz"]


def test_data_without_a_batch_is_refused_before_training() -> None:
    """No rows (or drop_last with fewer rows than a batch) trained nothing and logged a
    loss of 0.0; now fit says so before the first epoch."""
    model = _model()
    opt = nn.optim.SGD(model.parameters(), lr=0.1)
    before = [p.data.copy() for p in model.parameters()]
    for train, val, what in [((X[:0], Y[:0]), None, "train"),
                             (DataLoader(X, Y, batch_size=65, drop_last=True), None, "train"),
                             ((X, Y), (X[:0], Y[:0]), "validation")]:
        with pytest.raises(ValueError, match=f"fit: the {what} data gives no batch"):
            fit(model, F.cross_entropy, opt, train, val=val, epochs=2, progress=False)
    assert all(np.array_equal(a, p.data) for a, p in zip(before, model.parameters()))


def test_numpy_integer_counts_are_accepted_as_ints() -> None:
    stopper = EarlyStopping(patience=np.int64(3))
    annealing = nn.train.KLAnnealing(np.int32(4))
    assert type(stopper.patience) is type(annealing.warmup) is int
    assert annealing.beta(2) == nn.train.KLAnnealing(4).beta(2)
    with pytest.raises(TypeError, match="patience must be an int >= 0; got 1.5"):  # a type
        EarlyStopping(patience=1.5)
    with pytest.raises(ValueError, match="patience must be an int >= 0; got -1"):
        EarlyStopping(patience=-1)


def test_accuracy_on_one_hot_targets_and_mismatched_shapes() -> None:
    """One-hot targets count as their argmax (Keras's categorical accuracy); a target
    shape that does not fit raises instead of broadcasting into a wrong share (labels
    of shape (N, 1) against (N,) predictions compared every sample with every label)."""
    scores = RNG.normal(size=(6, 3))
    labels = RNG.integers(0, 3, 6)
    by_hand = np.mean(scores.argmax(axis=1) == labels)
    assert accuracy(scores, labels) == accuracy(scores, np.eye(3)[labels]) == by_hand
    logits = RNG.normal(size=(6, 1))
    hits = np.mean((logits[:, 0] > 0) == (labels > 0))
    assert accuracy(logits, labels > 0) == accuracy(logits, (labels > 0)[:, None]) == hits
    for bad in (labels[:, None], labels[:4], np.eye(6)[labels]):
        with pytest.raises(ShapeError, match=r"accuracy: scores of shape \(6, 3\)"):
            accuracy(scores, bad)
    model = _model()
    history = fit(model, F.cross_entropy, nn.optim.SGD(model.parameters(), lr=0.1),
                  (X, np.eye(2)[Y]), epochs=1, metrics=[accuracy], progress=False)
    assert 0.0 <= history["accuracy"][0] <= 1.0


def test_step_lr_per_batch() -> None:
    model = _model()
    opt = nn.optim.SGD(model.parameters(), lr=1.0)
    sched = nn.optim.ExponentialLR(opt, gamma=0.9)
    fit(model, F.cross_entropy, opt, (X, Y), epochs=2, batch_size=16,
        callbacks=[LRScheduler(sched, step_every="batch")], progress=False)
    assert opt.param_groups[0]["lr"] == pytest.approx(0.9 ** 8, rel=1e-12)  # 4 batches x 2


@pytest.mark.parametrize("kwargs", [{"max_norm": 0.01}, {"clip_value": 0.001}])
def test_gradient_clipping_runs_before_the_step(kwargs: dict) -> None:
    norms = []

    class Spy(Callback):
        def on_batch_end(self, trainer: Any, loss: float) -> None:
            grads = [p.grad.data for p in trainer.model.parameters()]
            if "max_norm" in kwargs:
                norms.append(np.sqrt(sum(float(np.sum(g * g)) for g in grads)))
            else:
                norms.append(max(float(np.abs(g).max()) for g in grads))

    model = _model()
    fit(model, F.cross_entropy, nn.optim.SGD(model.parameters(), lr=0.1), (X, Y), epochs=1,
        callbacks=[GradientClipping(**kwargs), Spy()], progress=False)
    assert max(norms) <= next(iter(kwargs.values())) * (1 + 1e-9)
    with pytest.raises(ValueError, match="exactly one"):
        GradientClipping()


def test_model_checkpoint_best_only_and_epoch_in_the_name(tmp_path: Path) -> None:
    model = _model()
    checkpoint = ModelCheckpoint(tmp_path / "best.npz", monitor="val_accuracy",
                                 save_best_only=True)
    every = ModelCheckpoint(tmp_path / "e{epoch:02d}.npz")
    history = fit(model, F.cross_entropy, nn.optim.SGD(model.parameters(), lr=0.5), (X, Y),
                  val=(X, Y), epochs=4, metrics=[accuracy], callbacks=[checkpoint, every],
                  progress=False)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["best.npz", "e01.npz", "e02.npz",
                                                          "e03.npz", "e04.npz"]
    best = int(np.argmax(history["val_accuracy"]))
    assert checkpoint.best_epoch == best and checkpoint.mode == "max"
    assert nn.load(tmp_path / "best.npz")["trainer"]["epoch"] == best + 1


def test_model_checkpoint_creates_missing_folders_as_keras_does(tmp_path: Path) -> None:
    """The first epoch's checkpoint failed (FileNotFoundError on a temporary) and ended fit."""
    model = _model()
    path = tmp_path / "runs" / "{epoch}" / "ckpt.npz"
    fit(model, F.cross_entropy, nn.optim.SGD(model.parameters(), lr=0.5), (X, Y), epochs=2,
        callbacks=[ModelCheckpoint(path, monitor="loss")], progress=False)
    assert nn.load(tmp_path / "runs" / "2" / "ckpt.npz")["trainer"]["epoch"] == 2


def test_unknown_monitor_names_the_logged_values() -> None:
    model = _model()
    with pytest.raises(KeyError, match="val_loss.*pass val="):
        fit(model, F.cross_entropy, nn.optim.SGD(model.parameters(), lr=0.1), (X, Y),
            epochs=1, callbacks=[nn.train.EarlyStopping()], progress=False)


def test_metrics_as_a_dict_and_a_data_loader() -> None:
    model = _model()
    loader = DataLoader(X, Y, batch_size=10, shuffle=True, generator=1)
    history = fit(model, F.cross_entropy, nn.optim.SGD(model.parameters(), lr=0.5), loader,
                  val=(X, Y), epochs=3, metrics={"acc": accuracy}, progress=False)
    trainer = Trainer(model, F.cross_entropy, None, metrics={"acc": accuracy})
    final = trainer.evaluate((X, Y))
    assert history["val_acc"][-1] == pytest.approx(final["val_acc"], abs=0)
    assert final["val_acc"] == np.mean(model.predict(X) == Y)


def test_progress_prints_one_line_per_epoch(capsys: pytest.CaptureFixture) -> None:
    model = _model()
    opt = nn.optim.SGD(model.parameters(), lr=0.1)
    fit(model, F.cross_entropy, opt, (X, Y), epochs=3, progress=True)
    lines = capsys.readouterr().out.strip().splitlines()
    assert len(lines) == 3 and lines[0].startswith("epoch 1/3: loss=")
    fit(model, F.cross_entropy, opt, (X, Y), epochs=2, progress=False)
    assert capsys.readouterr().out == ""


def _blas_threads() -> list[int]:
    """The thread count of every loaded BLAS library, now."""
    threadpoolctl = pytest.importorskip("threadpoolctl")
    return [p["num_threads"] for p in threadpoolctl.threadpool_info()
            if p["user_api"] == "blas"]


class _ThreadSpy(Callback):
    """Records the BLAS thread counts at the end of every epoch."""

    def __init__(self) -> None:
        self.seen: list[list[int]] = []

    def on_epoch_end(self, trainer: Any, epoch: int, logs: dict) -> None:
        self.seen.append(_blas_threads())


def test_blas_threads_are_limited_during_fit_only() -> None:
    before, spy = _blas_threads(), _ThreadSpy()
    model = _model()
    fit(model, F.cross_entropy, nn.optim.SGD(model.parameters(), lr=0.1), (X, Y), epochs=1,
        callbacks=[spy], progress=False, blas_threads=1)
    assert all(n == 1 for n in spy.seen[0])
    assert _blas_threads() == before
    with pytest.raises(ValueError, match="blas_threads"):
        fit(model, F.cross_entropy, nn.optim.SGD(model.parameters(), lr=0.1), (X, Y),
            epochs=1, progress=False, blas_threads=0)


def test_blas_threads_default_to_one_with_threadpoolctl_and_none_leaves_them(monkeypatch) -> None:
    before, spy = _blas_threads(), _ThreadSpy()
    model = _model()
    fit(model, F.cross_entropy, nn.optim.SGD(model.parameters(), lr=0.1), (X, Y), epochs=1,
        callbacks=[spy], progress=False)  # the default, "auto"
    fit(model, F.cross_entropy, nn.optim.SGD(model.parameters(), lr=0.1), (X, Y), epochs=1,
        callbacks=[spy], progress=False, blas_threads=None)
    assert all(n == 1 for n in spy.seen[0]) and spy.seen[1] == before
    monkeypatch.setitem(sys.modules, "threadpoolctl", None)  # not installed: auto is a no-op
    monkeypatch.setattr(importlib.util, "find_spec",
                        lambda name, *a: None if name == "threadpoolctl" else _find_spec(name))
    fit(model, F.cross_entropy, nn.optim.SGD(model.parameters(), lr=0.1), (X, Y), epochs=1,
        progress=False)


def test_history_records_and_round_trips() -> None:
    model = _model()
    history = fit(model, F.cross_entropy, nn.optim.SGD(model.parameters(), lr=0.1), (X, Y),
                  epochs=2, progress=False)
    copy = History()
    copy.load_state_dict(history.state_dict())
    assert copy.history == history.history and copy.grad_norms == history.grad_norms
    assert "loss" in history and len(history["lr"]) == 2
    with pytest.raises(KeyError, match="records"):
        history["val_loss"]
    expected = {name: float(np.linalg.norm(p.grad.data)) for name, p in
                model.named_parameters()}
    assert history.grad_norms[-1] == pytest.approx(expected, rel=1e-12)


def test_history_plot() -> None:
    matplotlib = pytest.importorskip("matplotlib")
    matplotlib.use("Agg")
    model = _model()
    history = fit(model, F.cross_entropy, nn.optim.SGD(model.parameters(), lr=0.1), (X, Y),
                  val=(X, Y), epochs=2, progress=False)
    figure = history.plot()
    assert len(figure.axes) == 2  # loss (with val_loss) and lr
    import matplotlib.pyplot as plt
    plt.close(figure)


def test_loss_fn_none_needs_a_model_loss() -> None:
    with pytest.raises(TypeError, match="no loss method"):
        fit(nn.Linear(4, 2), None, nn.optim.SGD(nn.Linear(4, 2).parameters(), lr=0.1), X)


def test_keras_style_fit_arguments_are_named_errors_before_training() -> None:
    """Keras habits (a loss or optimizer by name, the parameters instead of an
    optimizer, a float or str epoch count) fail at once with a named error, not with
    "'str' object is not callable" at the first batch or a silent third epoch."""
    model = _model()
    opt = nn.optim.SGD(model.parameters(), lr=0.1)
    before = [p.data.copy() for p in model.parameters()]
    with pytest.raises(TypeError, match="fit needs a loss function .* got 'cross_entropy'"):
        fit(model, "cross_entropy", opt, (X, Y), progress=False)
    for bad in ("adam", model.parameters()):
        with pytest.raises(TypeError, match=r"fit needs an nn.optim optimizer, e.g. nn.optim"):
            fit(model, F.cross_entropy, bad, (X, Y), progress=False)
    for epochs, error in ((2.5, TypeError), ("3", TypeError), (-1, ValueError),
                          (True, TypeError)):  # a wrong type is a TypeError (nn._checks)
        with pytest.raises(error, match="fit: epochs must be an int >= 0"):
            fit(model, F.cross_entropy, opt, (X, Y), epochs=epochs, progress=False)
    assert all(np.array_equal(a, p.data) for a, p in zip(before, model.parameters()))
    assert len(fit(model, F.cross_entropy, opt, (X, Y), epochs=np.int64(1), progress=False)) == 1


@pytest.mark.parametrize("output, target", [(None, X[:, :1] * 2), ("sigmoid", Y),
                                            ("softmax", Y)])
def test_mlp_losses_and_predictions(output: str | None, target: np.ndarray) -> None:
    model = MLP([4, 6, 1 if output != "softmax" else 2], output=output, batchnorm=True,
                dropout=0.1, rng=0)
    history = fit(model, None, nn.optim.Adam(model.parameters(), lr=0.03), (X, target),
                  epochs=30, batch_size=16, progress=False, generator=0)
    assert history["loss"][-1] < 0.5 * history["loss"][0]
    predicted = model.predict(X)
    if output is None:
        assert predicted.shape == (64, 1)
    else:
        assert predicted.shape == (64,) and np.mean(predicted == Y) > 0.9
    assert model.training


def test_float64_data_trains_a_float32_model_without_warnings() -> None:
    import warnings
    model = _model().astype(np.float32)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        history = fit(model, F.cross_entropy, nn.optim.SGD(model.parameters(), lr=0.1),
                      (X, Y), val=(X, Y), epochs=2, progress=False)
    assert all(p.dtype == np.float32 for p in model.parameters())
    assert all(g.dtype == np.float32 for g in (p.grad for p in model.parameters()))
    assert np.isfinite(history["val_loss"]).all()
