"""EarlyStopping's and ModelCheckpoint's Keras arguments (baseline, start_from_epoch,
save_weights_only) and mode="auto", against Keras 3's rules written out here (Keras is
not installed: ``keras/src/callbacks/early_stopping.py`` is the source of the rules)."""
from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest

import nn
import nn.functional as F
from nn.errors import ArgumentTypeError, ConfigError, NameNotFoundError
from nn.models import MLP
from nn.train import EarlyStopping, ModelCheckpoint, ResumeError, Trainer, fit


def _trainer() -> Trainer:
    model = MLP([3, 4, 2], output="softmax", rng=0)
    return Trainer(model, F.cross_entropy, nn.optim.SGD(model.parameters(), lr=0.1))


def keras_early_stopping(values: list[float], patience: int, baseline: float | None,
                         start_from_epoch: int, min_delta: float) -> tuple[int, int]:
    """(the epoch Keras 3 stops at or -1, its best epoch) for val_loss ``values``."""
    wait, best, best_epoch = 0, math.inf, -1
    for epoch, current in enumerate(values):
        if epoch < start_from_epoch:
            continue
        wait += 1
        if current - (-min_delta) < best:  # monitor_op(current - min_delta, best), "min"
            best, best_epoch = current, epoch
            if baseline is None or current + min_delta < baseline:
                wait = 0
            continue
        if wait >= patience and epoch > 0:
            return epoch, best_epoch
    return -1, best_epoch


def ours(values: list[float], **kwargs: float | int | None) -> tuple[int, int]:
    trainer, stopper = _trainer(), EarlyStopping(**kwargs)  # type: ignore[arg-type]
    for epoch, value in enumerate(values):
        stopper.on_epoch_end(trainer, epoch, {"val_loss": value})
        if trainer.stop_training:
            return epoch, stopper.best_epoch
    return -1, stopper.best_epoch


@pytest.mark.parametrize("seed", range(40))
def test_early_stopping_stops_where_keras_does(seed: int) -> None:
    rng = np.random.default_rng(seed)
    values = list(np.round(rng.uniform(0, 1, size=12), 1))  # ties and plateaus happen
    if seed % 3 == 0:  # mostly improving, to reach the baseline rules
        values = sorted(values, reverse=True)[:8] + values[8:]
    patience = int(rng.integers(1, 4))
    baseline = [None, 0.5, 0.2][seed % 3]
    start = int(rng.integers(0, 4))
    min_delta = [0.0, 0.05][seed % 2]
    assert ours(values, patience=patience, baseline=baseline, start_from_epoch=start,
                min_delta=min_delta) == keras_early_stopping(values, patience, baseline,
                                                             start, min_delta)


def test_baseline_never_reached_stops_after_patience_epochs() -> None:
    """Keras's docs: "If no epoch improves on baseline, training will run for patience
    epochs" (epoch 0 counts: it is the best, but not below the baseline)."""
    values = [0.9, 0.95, 0.97, 0.99]
    assert ours(values, patience=2, baseline=0.5) == (1, 0)
    assert ours(values, patience=2) == (2, 0)  # without a baseline: two misses after 0


def test_start_from_epoch_ignores_the_warm_up() -> None:
    values = [0.1, 0.9, 0.8, 0.85, 0.86]  # epoch 0 would be the best, but is warm-up
    assert ours(values, patience=2, start_from_epoch=1) == (4, 2)
    assert ours(values, patience=2) == (2, 0)


def test_early_stopping_argument_errors() -> None:
    with pytest.raises(ArgumentTypeError, match="baseline must be a finite number"):
        EarlyStopping(baseline="0.5")  # type: ignore[arg-type]
    with pytest.raises(ConfigError, match="start_from_epoch must be an int >= 0"):
        EarlyStopping(start_from_epoch=-1)


def _fit(model: MLP, callbacks: list, epochs: int, **kwargs: object) -> None:
    rng = np.random.default_rng(1)
    x, y = rng.normal(size=(30, 3)), rng.integers(0, 2, size=30)
    fit(model, F.cross_entropy, nn.optim.SGD(model.parameters(), lr=0.1), (x, y), val=(x, y),
        epochs=epochs, progress=False, generator=0, callbacks=callbacks, **kwargs)


def test_model_checkpoint_save_weights_only_writes_the_model_alone(tmp_path: Path) -> None:
    model = MLP([3, 4, 2], output="softmax", rng=0)
    _fit(model, [ModelCheckpoint(tmp_path / "w.npz", save_weights_only=True)], epochs=2)
    assert sorted(nn.load(tmp_path / "w.npz")) == ["model"]
    fresh = MLP([3, 4, 2], output="softmax", rng=9)
    nn.load_into(tmp_path / "w.npz", model=fresh)  # as Keras's model.load_weights(path)
    for key, value in model.state_dict().items():
        np.testing.assert_array_equal(fresh.state_dict()[key], value)
    with pytest.raises(ResumeError, match="not a training checkpoint.*save_weights_only"):
        _fit(fresh, [ModelCheckpoint(tmp_path / "w.npz", save_weights_only=True)], epochs=3,
             resume_from=tmp_path / "w.npz")


@pytest.mark.parametrize("name", ["accuracy", "auc", "precision", "recall", "f1", "f1_score",
                                  "mean_iou", "r2_score", "top_k_categorical_accuracy"])
def test_mode_auto_maximises_what_keras_maximises(name: str) -> None:
    """Keras's metrics of direction "up"; ours go by the name, with or without val_."""
    for monitor in (name, f"val_{name}"):
        assert EarlyStopping(monitor).mode == ModelCheckpoint("c.npz", monitor).mode == "max"


@pytest.mark.parametrize("name", ["loss", "mse", "mae", "kl", "crossentropy", "hinge"])
def test_mode_auto_minimises_losses_and_errors(name: str) -> None:
    for monitor in (name, f"val_{name}"):
        assert EarlyStopping(monitor).mode == ModelCheckpoint("c.npz", monitor).mode == "min"


def test_mode_min_and_max_override_the_name_and_others_are_named_errors() -> None:
    assert EarlyStopping("val_accuracy", mode="min").mode == "min"
    assert EarlyStopping("val_loss", mode="max").mode == "max"
    with pytest.raises(ConfigError, match="mode must be 'auto', 'min' or 'max'; got 'minimum'"):
        EarlyStopping(mode="minimum")


@pytest.mark.parametrize("path", ["c-{val_acc}.npz", "c-{0}.npz"])
def test_model_checkpoint_path_with_an_unknown_name_is_a_named_error(tmp_path: Path,
                                                                     path: str) -> None:
    model = MLP([3, 4, 2], output="softmax", rng=0)
    with pytest.raises(NameNotFoundError,
                       match=r"cannot fill in the path .*'epoch' or among .*'val_loss'"):
        _fit(model, [ModelCheckpoint(tmp_path / path)], epochs=1)
