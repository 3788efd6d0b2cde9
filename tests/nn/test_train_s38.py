"""Session 38 fixes in nn.train / nn.models: metrics read the forward the loss ran on
(no second training forward with ``loss_fn=None``; a tuple output's first item), the
direction of a monitored name, multi-hot targets refused by ``accuracy``, ``val_``
monitors without validation data refused before training, files closed when fit
raises, ``VAE.interpolate``'s shapes, ``History`` iteration, single-size wording."""
from __future__ import annotations

import copy
import os
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import nn
import nn.functional as F
from autograd import Tensor
from autograd.errors import DataError, ShapeError
from nn.errors import ArgumentTypeError, ConfigError, NameNotFoundError
from nn.models import MLP, VAE, Autoencoder
from nn.train import (CSVLogger, EarlyStopping, History, LambdaCallback, LRScheduler,
                      ModelCheckpoint, accuracy, fit)
from nn.train.callbacks import monitor_mode

RNG = np.random.default_rng(3)
X = RNG.normal(size=(64, 4))
Y = np.random.default_rng(4).integers(0, 3, 64)
X01 = np.random.default_rng(0).uniform(size=(40, 6))


def _train_mlp(metrics: Any, **options: Any) -> tuple[MLP, History]:
    model = MLP([4, 8, 3], output="softmax", rng=0, **options)
    optimizer = nn.optim.SGD(model.parameters(), lr=0.1)
    history = fit(model, None, optimizer, (X, Y), epochs=2, batch_size=16, metrics=metrics,
                  progress=False, generator=0)
    return model, history


def _same_state(first: nn.Module, second: nn.Module) -> bool:
    a, b = first.state_dict(), second.state_dict()
    return a.keys() == b.keys() and all(np.array_equal(np.asarray(getattr(a[k], "data", a[k])),
                                                       np.asarray(getattr(b[k], "data", b[k])))
                                        for k in a)


def _numpy_cross_entropy(scores: np.ndarray, labels: np.ndarray) -> float:
    """Mean of logsumexp(s) - s[label], in NumPy."""
    top = scores.max(axis=-1, keepdims=True)
    log_z = np.log(np.exp(scores - top).sum(axis=-1)) + top[:, 0]
    return float(np.mean(log_z - scores[np.arange(len(labels)), labels]))


# ---------------------------------------------------------------- 1: no second forward
def test_a_metric_with_model_loss_does_not_change_dropout_training() -> None:
    plain, _ = _train_mlp([], dropout=0.5)
    measured, _ = _train_mlp([accuracy], dropout=0.5)
    assert _same_state(plain, measured)


def test_a_metric_with_model_loss_does_not_update_batchnorm_twice() -> None:
    model, _ = _train_mlp([accuracy], batchnorm=True)
    assert int(model.state_dict()["1.num_batches_tracked"].data) == 2 * (64 // 16)
    plain, _ = _train_mlp([], batchnorm=True)
    assert _same_state(plain, model)


def test_the_train_metric_sees_the_forward_the_loss_ran_on() -> None:
    """A metric computing the cross-entropy of the scores it gets equals the logged loss:
    same dropout mask, same (pre-step) weights."""
    _, history = _train_mlp({"ce": _numpy_cross_entropy}, dropout=0.5)
    np.testing.assert_allclose(history["ce"], history["loss"], rtol=1e-12)


def test_the_train_metric_uses_the_weights_before_the_step() -> None:
    model = MLP([4, 3], output="softmax", rng=1)
    before = copy.deepcopy(model)
    history = fit(model, None, nn.optim.SGD(model.parameters(), lr=5.0), (X, Y), epochs=1,
                  batch_size=len(X), metrics={"mean": lambda s, t: float(s[:, 0].mean())},
                  progress=False, generator=0)
    assert not _same_state(before, model)
    assert history["mean"][0] == pytest.approx(float(before(Tensor(X)).data[:, 0].mean()),
                                                rel=1e-12)


class _LossWithoutCall(nn.Module):
    """A model whose loss uses its layers directly, never ``self(x)``."""

    def __init__(self) -> None:
        super().__init__()
        self.linear = nn.Linear(4, 3, rng=0)
        self.norm = nn.BatchNorm1d(3)
        self.drop = nn.Dropout(0.5, rng=1)

    def forward(self, x: Any) -> Tensor:
        return self.drop(self.norm(self.linear(x)))

    def loss(self, x: Any, target: Any) -> Tensor:
        return F.cross_entropy(self.drop(self.norm(self.linear(x))), target)


def _train_without_call(metrics: Any) -> tuple[_LossWithoutCall, History]:
    model = _LossWithoutCall()
    history = fit(model, None, nn.optim.SGD(model.parameters(), lr=0.1), (X, Y), epochs=2,
                  batch_size=16, metrics=metrics, progress=False, generator=0)
    return model, history


def test_a_loss_that_never_calls_the_model_gets_an_evaluation_forward() -> None:
    seen: list[np.ndarray] = []

    def keep(scores: np.ndarray, target: np.ndarray) -> float:
        seen.append(scores.copy())
        return 0.0

    model = _LossWithoutCall()
    fit(model, None, nn.optim.SGD(model.parameters(), lr=0.1), (X, Y), epochs=1,
        batch_size=16, metrics=[keep], progress=False, generator=0)
    assert model.training and model.drop.training
    assert len(seen) == 4 and all(np.all(s != 0) for s in seen)  # no dropout zeros: eval
    plain, _ = _train_without_call([])
    measured, _ = _train_without_call([accuracy])
    assert _same_state(plain, measured)  # no dropout draw, no running statistics
    assert int(measured.state_dict()["norm.num_batches_tracked"].data) == 2 * (64 // 16)


# ---------------------------------------------------------------- 4: VAE + metrics
def _train_vae(metrics: Any) -> tuple[VAE, History]:
    vae = VAE(6, [8], 2, rng=0)
    history = fit(vae, None, nn.optim.Adam(vae.parameters()), X01, epochs=2, batch_size=8,
                  metrics=metrics, progress=False, generator=0)
    return vae, history


def test_vae_metrics_read_the_logits_of_the_loss_forward() -> None:
    def reconstruction(logits: np.ndarray, target: np.ndarray) -> float:
        """BCE with logits summed over the features, averaged over the samples."""
        per = np.maximum(logits, 0) - logits * target + np.log1p(np.exp(-np.abs(logits)))
        assert logits.shape == target.shape
        return float(per.sum(axis=-1).mean())

    vae, history = _train_vae({"bce": reconstruction})
    np.testing.assert_allclose(history["bce"], history["reconstruction"], rtol=1e-10)
    plain, _ = _train_vae([])
    assert _same_state(plain, vae)  # the metric drew no extra noise


def test_vae_loss_with_eps_still_matches_the_formula() -> None:
    vae = VAE(6, [8], 2, rng=0, decoder="gaussian")
    eps = np.random.default_rng(5).standard_normal((40, 2))
    mu, logvar = (t.data for t in vae.encode(Tensor(X01)))
    out = vae.decode(Tensor(mu + np.exp(logvar / 2) * eps)).data
    kl = float(np.mean(-0.5 * (1 + logvar - mu ** 2 - np.exp(logvar)).sum(axis=-1)))
    parts = vae.loss(X01, eps=Tensor(eps))
    assert float(parts.reconstruction.data) == pytest.approx(
        float(((out - X01) ** 2).sum() / 40), rel=1e-12)
    assert float(parts.kl.data) == pytest.approx(kl, rel=1e-12)


class _DictOutput(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.linear = nn.Linear(4, 3, rng=0)

    def forward(self, x: Any) -> dict[str, Tensor]:
        return {"scores": self.linear(x)}


def test_an_output_metrics_cannot_read_is_a_named_error() -> None:
    model = _DictOutput()
    with pytest.raises(ArgumentTypeError, match="metrics receive the model's output"):
        fit(model, lambda out, y: F.cross_entropy(out["scores"], y),
            nn.optim.SGD(model.parameters(), lr=0.1), (X, Y), epochs=1, metrics=[accuracy],
            progress=False)


# ---------------------------------------------------------------- 2: monitor direction
@pytest.mark.parametrize("name, mode", [
    ("val_cauchy_loss", "min"), ("val_iou_loss", "min"), ("val_f1_loss", "min"),
    ("val_brier_score", "min"), ("val_log_loss_score", "min"), ("val_loss", "min"),
    ("val_mean_squared_error", "min"), ("val_kl", "min"), ("reconstruction", "min"),
    ("val_accuracy", "max"), ("val_acc", "max"), ("roc_auc", "max"), ("f1_score", "max"),
    ("val_mean_iou", "max"), ("val_precision", "max"), ("recall", "max"),
    ("val_r2_score", "max")])
def test_auto_mode_decides_on_whole_words(name: str, mode: str) -> None:
    assert monitor_mode(name, "auto") == mode
    assert EarlyStopping(name).mode == ModelCheckpoint("c.npz", name).mode == mode


# ---------------------------------------------------------------- 3: multi-hot targets
def test_accuracy_refuses_multi_hot_targets_and_names_the_alternative() -> None:
    scores = np.array([[2.0, -1, -1], [-1, 3, 2]])
    multi_hot = np.array([[1, 0, 1], [0, 1, 1]])
    with pytest.raises(DataError, match=r"multi-hot.*\(s > 0\) == t"):
        accuracy(scores, multi_hot)
    with pytest.raises(DataError, match="row 0 has 0 ones"):
        accuracy(scores, np.zeros((2, 3)))
    suggested = float(((scores > 0) == multi_hot).mean())
    assert suggested == pytest.approx(5 / 6)


def test_accuracy_keeps_one_hot_and_soft_label_targets() -> None:
    scores = np.array([[2.0, -1, -1], [-1, 3, 2], [0.1, 0.2, 0.3]])
    one_hot = np.eye(3)[[0, 2, 2]]
    soft = np.array([[0.7, 0.2, 0.1], [0.1, 0.8, 0.1], [0.2, 0.2, 0.6]])
    labels = scores.argmax(axis=-1)
    assert accuracy(scores, one_hot) == pytest.approx(np.mean(labels == [0, 2, 2]))
    assert accuracy(scores, soft) == 1.0
    assert accuracy(scores, one_hot.astype(bool)) == accuracy(scores, one_hot)


# ---------------------------------------------------------------- 5: monitors, cleanup
@pytest.mark.parametrize("make", [
    lambda opt, d: EarlyStopping(),
    lambda opt, d: LRScheduler(nn.optim.ReduceLROnPlateau(opt)),
    lambda opt, d: ModelCheckpoint(os.path.join(d, "c.npz"), save_best_only=True)])
def test_a_val_monitor_without_val_data_is_refused_before_training(make: Any,
                                                                  tmp_path: Path) -> None:
    model = MLP([4, 3], output="softmax", rng=0)
    optimizer = nn.optim.SGD(model.parameters(), lr=0.1)
    began: list[int] = []
    log = tmp_path / "log.csv"
    callbacks = [LambdaCallback(on_train_begin=lambda logs: began.append(1)), CSVLogger(log),
                 make(optimizer, str(tmp_path))]
    before = copy.deepcopy(model)
    with pytest.raises(NameNotFoundError, match=r"'val_loss'.*val=\(X_val, y_val\)"):
        fit(model, None, optimizer, (X, Y), epochs=1, callbacks=callbacks, progress=False)
    assert began == [] and not log.exists() and _same_state(before, model)


def test_a_plateau_built_by_a_function_is_refused_when_it_is_built(tmp_path: Path) -> None:
    model = MLP([4, 3], output="softmax", rng=0)
    logger = CSVLogger(tmp_path / "log.csv")
    epochs: list[int] = []
    callbacks = [logger, LambdaCallback(on_epoch_begin=lambda e, logs: epochs.append(e)),
                 LRScheduler(lambda opt: nn.optim.ReduceLROnPlateau(opt))]
    with pytest.raises(NameNotFoundError, match="LRScheduler monitors 'val_loss'"):
        fit(model, None, nn.optim.SGD(model.parameters(), lr=0.1), (X, Y), epochs=1,
            callbacks=callbacks, progress=False)
    assert epochs == [] and logger._file is None


def test_an_error_during_fit_closes_the_csv_file_and_restores_nothing(tmp_path: Path) -> None:
    model = MLP([4, 3], output="softmax", rng=0)
    logger = CSVLogger(tmp_path / "log.csv")
    stopper = EarlyStopping(monitor="loss", mode="max", restore_best_weights=True)

    def fail_at_second_epoch(epoch: int, logs: dict) -> None:
        if epoch == 1:
            raise RuntimeError("boom")

    callbacks = [logger, stopper, LambdaCallback(on_epoch_end=fail_at_second_epoch)]
    with pytest.raises(RuntimeError, match="boom"):
        fit(model, None, nn.optim.SGD(model.parameters(), lr=0.5), (X, Y), epochs=3,
            batch_size=64, callbacks=callbacks, progress=False)
    assert logger._file is None
    assert len((tmp_path / "log.csv").read_text().splitlines()) == 3  # header, 2 epochs
    best = stopper.best_weights  # epoch 0's (the loss falls): not put back in the model
    assert best is not None and stopper.best_epoch == 0
    state = model.state_dict()
    assert not np.array_equal(np.asarray(getattr(state["0.weight"], "data", state["0.weight"])),
                              np.asarray(getattr(best["0.weight"], "data", best["0.weight"])))


# ---------------------------------------------------------------- 6: VAE.interpolate
def test_interpolate_names_inputs_that_are_not_one_sample() -> None:
    vae = VAE(6, [8], 2, rng=0)
    with pytest.raises(ShapeError, match=r"x1 must be one sample.*\(5,\)"):
        vae.interpolate(X01[0, :5], X01[1])
    with pytest.raises(ShapeError, match=r"x2 must be one sample.*\(2, 6\)"):
        vae.interpolate(X01[0], X01[2:4])
    np.testing.assert_array_equal(vae.interpolate(X01[0:1], X01[1:2], steps=3),
                                  vae.interpolate(X01[0], X01[1], steps=3))
    ends = vae.interpolate(X01[0], X01[1], steps=2)
    np.testing.assert_allclose(ends, vae.reconstruct(X01[:2]), rtol=1e-12)


# ---------------------------------------------------------------- 7: History
def test_history_is_not_iterable_and_takes_names_only() -> None:
    history = History()
    history.append(0, {"loss": 1.0}, {})
    with pytest.raises(TypeError, match="iterate history.history"):
        list(history)
    with pytest.raises(ArgumentTypeError, match=r"indexed by a logged name"):
        history[0:1]
    with pytest.raises(ArgumentTypeError, match=r"indexed by a logged name"):
        history[0]
    assert "loss" in history and history["loss"] == [1.0] and len(history) == 1


# ---------------------------------------------------------------- 8: single sizes
def test_a_single_size_is_worded_as_one_int() -> None:
    with pytest.raises(ConfigError, match=r"code must be a positive int; got 0") as info:
        Autoencoder(5, [4], code=0)
    assert "list" not in str(info.value)
    with pytest.raises(ConfigError, match="latent is one size"):
        VAE(6, [8], [2, 3])
    with pytest.raises(ConfigError, match="at least 2 positive ints"):
        MLP([5])
