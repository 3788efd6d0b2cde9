"""fit's arguments (callbacks, metrics, data, optimizer, loss, flags) and the reuse of
EarlyStopping / ModelCheckpoint, against the README's promises, Keras 3's rules where
the README says fit follows Keras, and named errors for bad input."""
from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import nn
import nn.functional as F
from autograd.errors import ShapeError
from nn.data import DataLoader
from nn.errors import ArgumentTypeError, ConfigError
from nn.train import (CSVLogger, EarlyStopping, LRScheduler, ModelCheckpoint, accuracy,
                      fit)

RNG = np.random.default_rng(0)
X, Y = RNG.standard_normal((30, 3)), RNG.integers(0, 3, 30)
X_VAL, Y_VAL = RNG.standard_normal((20, 3)), RNG.integers(0, 3, 20)


def _model(seed: int) -> nn.Linear:
    model = nn.Linear(3, 3)
    model.load_state_dict({"weight": np.random.default_rng(seed).standard_normal((3, 3)),
                           "bias": np.zeros(3)})
    return model


def _fit(model: nn.Module, lr: float = 0.5, epochs: int = 15, **kwargs: Any) -> Any:
    kwargs = {"val": (X_VAL, Y_VAL), "progress": False, "generator": 0, **kwargs}
    return fit(model, F.cross_entropy, nn.optim.SGD(model.parameters(), lr=lr), (X, Y),
               epochs=epochs, **kwargs)


def _weights(model: nn.Module) -> dict[str, np.ndarray]:
    return {k: np.array(v) for k, v in model.state_dict().items()}


def _same_weights(a: nn.Module, b: nn.Module) -> None:
    wa, wb = _weights(a), _weights(b)
    assert wa.keys() == wb.keys()
    for key in wa:
        np.testing.assert_array_equal(wa[key], wb[key], err_msg=key)


# ---------------------------------------------------------------- reused callbacks
def test_a_reused_early_stopping_acts_as_a_fresh_one_and_a_resume_keeps_its_state(
        tmp_path: Path) -> None:
    """Keras 3 resets EarlyStopping in on_train_begin ("allow instances to be re-used"):
    a second fit with the same instance must stop where a fresh one stops and must not
    load the first model's best weights. A resumed run keeps the restored count."""
    reused = EarlyStopping(patience=1)
    _fit(_model(1), lr=3.0, callbacks=[reused])
    second, fresh = _model(2), _model(2)
    h_second = _fit(second, lr=0.05, callbacks=[reused])
    h_fresh = _fit(fresh, lr=0.05, callbacks=[EarlyStopping(patience=1)])
    assert h_second.history == h_fresh.history
    _same_weights(second, fresh)

    # the resume: the uninterrupted run, then the same run from one of its checkpoints
    # with the stale `reused` instance, whose state the checkpoint must replace
    full_model = _model(4)
    full = _fit(full_model, lr=1.0, epochs=30, callbacks=[
        EarlyStopping(patience=3), ModelCheckpoint(tmp_path / "c-{epoch}.npz")])
    checkpoint = tmp_path / f"c-{len(full) - 1}.npz"  # the epoch before the stop
    assert nn.load(checkpoint)["trainer"]["callbacks"][0]["state"]["wait"] > 0
    resumed_model = _model(9)  # everything must come from the checkpoint
    resumed = _fit(resumed_model, lr=1.0, epochs=30, callbacks=[
        reused, ModelCheckpoint(tmp_path / "r-{epoch}.npz")], resume_from=checkpoint)
    assert resumed.history == full.history
    _same_weights(resumed_model, full_model)


def test_a_reused_model_checkpoint_saves_the_new_runs_best(tmp_path: Path) -> None:
    """A second run with the same ModelCheckpoint(save_best_only=True) writes the files a
    fresh instance writes, not only once it beats the first run's best."""
    reused = ModelCheckpoint(tmp_path / "reused" / "c-{epoch}.npz", save_best_only=True)
    _fit(_model(1), lr=0.5, callbacks=[reused])
    for file in (tmp_path / "reused").iterdir():
        file.unlink()
    fresh = ModelCheckpoint(tmp_path / "fresh" / "c-{epoch}.npz", save_best_only=True)
    _fit(_model(5), lr=0.001, epochs=3, callbacks=[reused])
    _fit(_model(5), lr=0.001, epochs=3, callbacks=[fresh])
    written = {d: sorted(p.name for p in (tmp_path / d).iterdir())
               for d in ("reused", "fresh")}
    assert written["reused"] == written["fresh"] != []
    assert (reused.best, reused.best_epoch) == (fresh.best, fresh.best_epoch)


def keras3_epochs_run(values: list[float], patience: int) -> int:
    """How many epochs Keras 3's EarlyStopping lets run on the monitored ``values``
    (its on_train_begin and on_epoch_end, mode "min", min_delta 0)."""
    wait, best = 0, None
    for epoch, current in enumerate(values):
        wait += 1
        if best is None or current < best:  # _is_improvement
            best, wait = current, 0
            continue
        if wait >= patience and epoch > 0:
            return epoch + 1
    return len(values)


@pytest.mark.parametrize("patience", [0, 1])
def test_early_stopping_on_a_nan_first_epoch_runs_as_keras(patience: int) -> None:
    def nan_loss(output: Any, target: Any) -> Any:
        return F.cross_entropy(output, target) * math.nan

    model = _model(0)
    history = fit(model, nan_loss, nn.optim.SGD(model.parameters(), lr=0.1), (X, Y),
                  epochs=4, progress=False, generator=0,
                  callbacks=[EarlyStopping(monitor="loss", patience=patience)])
    assert all(math.isnan(v) for v in history["loss"])
    assert len(history) == keras3_epochs_run([math.nan] * 4, patience)


# ---------------------------------------------------------------- callbacks, metrics
def test_callbacks_none_is_no_callback_and_one_callback_a_list_of_one() -> None:
    """Keras 3's CallbackList: None is none, a lone callback is flattened to [it]."""
    base = _fit(_model(0), epochs=3, callbacks=())
    assert _fit(_model(0), epochs=3, callbacks=None).history == base.history
    alone = _fit(_model(0), lr=3.0, callbacks=EarlyStopping(patience=1))
    listed = _fit(_model(0), lr=3.0, callbacks=[EarlyStopping(patience=1)])
    assert alone.history == listed.history
    with pytest.raises(ArgumentTypeError, match="callbacks"):
        _fit(_model(0), callbacks=3)
    with pytest.raises(ArgumentTypeError, match=r"EarlyStopping\(\.\.\.\)"):
        _fit(_model(0), callbacks=[EarlyStopping])


def test_metrics_none_is_none_and_a_lone_function_is_refused_as_keras() -> None:
    """Keras 3's compile: metrics must be a list, tuple or dict (or empty)."""
    base = _fit(_model(0), epochs=3)
    assert _fit(_model(0), epochs=3, metrics=None).history == base.history
    with pytest.raises(ArgumentTypeError, match=r"metrics=\[accuracy\]"):
        _fit(_model(0), epochs=1, metrics=accuracy)


@pytest.mark.parametrize("value", ["x", np.ones(3), None])
def test_a_metric_that_returns_no_number_is_named(value: Any) -> None:
    def odd(scores: Any, target: Any) -> Any:
        return value

    with pytest.raises(ArgumentTypeError, match="metric 'odd' must return a number"):
        _fit(_model(0), epochs=1, metrics=[odd])


# ---------------------------------------------------------------- loss
@pytest.mark.parametrize("value", [1.0, None, np.float64(2.0), np.ones(2)])
def test_a_loss_fn_that_returns_no_tensor_is_named(value: Any) -> None:
    model = _model(0)
    with pytest.raises(ArgumentTypeError, match="loss_fn must return the loss as a Tensor"):
        fit(model, lambda output, target: value, nn.optim.SGD(model.parameters(), lr=0.1),
            (X, Y), epochs=1, progress=False)


def test_a_loss_class_is_refused_with_the_instance_to_pass() -> None:
    model = _model(0)
    with pytest.raises(ArgumentTypeError, match=r"MSELoss\(\)"):
        fit(model, nn.MSELoss, nn.optim.SGD(model.parameters(), lr=0.1), (X, X),
            epochs=1, progress=False)


# ---------------------------------------------------------------- data
@pytest.mark.parametrize("train", [None, {"X": X}, 3.0, np.float64(1.0), (np.float64(1.0), Y)])
def test_data_that_is_not_arrays_gets_the_loaders_named_error(train: Any) -> None:
    """The README: train is (X, y), X alone or a DataLoader; the DataLoader's ShapeError,
    not TypeError: len() of unsized object."""
    model = _model(0)
    with pytest.raises(ShapeError, match="DataLoader"):
        fit(model, F.cross_entropy, nn.optim.SGD(model.parameters(), lr=0.1), train,
            epochs=1, progress=False)


def test_validation_given_as_a_dict_is_called_a_dict() -> None:
    with pytest.raises(ShapeError, match="is a dict"):
        _fit(_model(0), epochs=1, val={"X": X_VAL, "y": Y_VAL})


@pytest.mark.parametrize("where", ["train", "val", "loader"])
def test_arrays_beyond_inputs_and_targets_are_refused_with_a_loss_fn(where: str) -> None:
    """loss_fn(output, target) never sees a third array: refused, not dropped."""
    model = _model(0)
    opt = nn.optim.SGD(model.parameters(), lr=0.1)
    weights = np.ones(len(X))
    train = {"train": (X, Y, weights), "val": (X, Y),
             "loader": DataLoader(X, Y, weights, batch_size=8)}[where]
    val = (X_VAL, Y_VAL, np.ones(len(X_VAL))) if where == "val" else None
    before = _weights(model)
    with pytest.raises(ConfigError, match="3 arrays"):
        fit(model, F.cross_entropy, opt, train, val=val, epochs=1, progress=False)
    after = _weights(model)
    if where != "loader":  # refused before training
        for key in before:
            np.testing.assert_array_equal(before[key], after[key])


@pytest.mark.parametrize("batch_size", [0, -2, False, 2.5, "8"])
def test_an_invalid_batch_size_is_refused_with_a_data_loader_too(batch_size: Any) -> None:
    model = _model(0)
    with pytest.raises((ArgumentTypeError, ConfigError), match="fit: batch_size"):
        fit(model, F.cross_entropy, nn.optim.SGD(model.parameters(), lr=0.1),
            DataLoader(X, Y, batch_size=8), epochs=1, batch_size=batch_size, progress=False)


# ---------------------------------------------------------------- optimizer
def test_an_optimizer_over_none_of_the_models_parameters_is_refused() -> None:
    model, other = _model(0), _model(1)
    with pytest.raises(ConfigError, match="none of the parameters"):
        fit(model, F.cross_entropy, nn.optim.SGD(other.parameters(), lr=0.1), (X, Y),
            epochs=1, progress=False)
    frozen_bias = nn.optim.SGD([model.weight], lr=0.1)  # part of the model: accepted
    assert len(fit(model, F.cross_entropy, frozen_bias, (X, Y), epochs=1,
                   progress=False)) == 1


# ---------------------------------------------------------------- names and flags
@pytest.mark.parametrize("build", [
    lambda path: EarlyStopping(monitor=3),
    lambda path: ModelCheckpoint(path, monitor=None),
    lambda path: LRScheduler(nn.optim.ReduceLROnPlateau(
        nn.optim.SGD(_model(0).parameters(), lr=0.1)), monitor=["val_loss"]),
])
def test_a_monitor_that_is_not_a_name_is_refused(build: Any, tmp_path: Path) -> None:
    with pytest.raises(ArgumentTypeError, match="monitor must be the name"):
        build(tmp_path / "c.npz")


@pytest.mark.parametrize("build", [
    lambda path: EarlyStopping(restore_best_weights="False"),
    lambda path: ModelCheckpoint(path, save_best_only="False"),
    lambda path: ModelCheckpoint(path, save_weights_only="no"),
    lambda path: CSVLogger(path, append="no"),
    lambda path: _fit(_model(0), epochs=1, progress="yes"),
])
def test_flags_given_as_strings_are_refused(build: Any, tmp_path: Path) -> None:
    """As DataLoader's shuffle: True or False, not a string that bool() reads as True."""
    with pytest.raises(ArgumentTypeError, match="must be True or False"):
        build(tmp_path / "c.npz")

