"""Callbacks, History and accuracy driven directly: which weights EarlyStopping leaves,
what its and ModelCheckpoint's state carries over a resume, which epochs save_best_only
writes, norm_type and every parameter in GradientClipping, History's padding."""
from __future__ import annotations

import copy
import math
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import nn
import nn.functional as F
from autograd import Tensor
from nn.models import MLP
from nn.train import (EarlyStopping, GradientClipping, History, ModelCheckpoint, Trainer,
                      accuracy, fit)

RNG = np.random.default_rng(3)
X = RNG.normal(size=(12, 3))
Y = RNG.integers(0, 2, size=12)


def _trainer() -> Trainer:
    model = MLP([3, 4, 2], output="softmax", rng=0)
    return Trainer(model, F.cross_entropy, nn.optim.SGD(model.parameters(), lr=0.1))


def _weights(model: nn.Module) -> dict[str, np.ndarray]:
    return {k: np.array(v) for k, v in model.state_dict().items()}


@pytest.mark.parametrize("restore", [True, False])
def test_early_stopping_leaves_the_best_or_the_last_weights(restore: bool) -> None:
    """The optimizer writes the weights in place after the best epoch: restoring must
    bring back a copy taken then, and restore_best_weights=False keeps the last ones."""
    trainer = _trainer()
    stopper = EarlyStopping(patience=5, restore_best_weights=restore)
    stopper.on_epoch_end(trainer, 0, {"val_loss": 1.0})
    best = _weights(trainer.model)
    for p in trainer.model.parameters():
        p.data += 1.0  # in place, as an optimizer step
    last = _weights(trainer.model)
    stopper.on_epoch_end(trainer, 1, {"val_loss": 2.0})
    stopper.on_train_end(trainer)
    expected = best if restore else last
    for name, value in _weights(trainer.model).items():
        np.testing.assert_array_equal(value, expected[name], err_msg=name)


def test_early_stopping_patience_counts_across_a_resume() -> None:
    trainer = _trainer()
    first = EarlyStopping(patience=2)
    for epoch, value in enumerate([1.0, 2.0]):  # one epoch without improvement
        first.on_epoch_end(trainer, epoch, {"val_loss": value})
    second = EarlyStopping(patience=2)
    second.load_state_dict(copy.deepcopy(first.state_dict()))
    second.on_epoch_end(trainer, 2, {"val_loss": 2.0})  # the second one: stop
    assert trainer.stop_training and second.stopped_epoch == 2


def test_early_stopping_patience_restarts_after_each_improvement() -> None:
    trainer = _trainer()
    stopper = EarlyStopping(patience=2)
    values = [1.0, 2.0, 0.5, 0.7]  # one miss, a gain, one miss: never 2 in a row
    for epoch, value in enumerate(values):
        stopper.on_epoch_end(trainer, epoch, {"val_loss": value})
    assert not trainer.stop_training and stopper.wait == 1 and stopper.best_epoch == 2


def test_model_checkpoint_best_survives_a_resume_and_save_best_only_saves_gains(
        tmp_path: Path) -> None:
    trainer = _trainer()
    saved: list[str] = []
    trainer.save_checkpoint = saved.append  # type: ignore[method-assign]
    values = [3.0, 2.0, 4.0, 2.5, 1.0, 1.5]  # 2.5 is no gain on the best before the resume
    first = ModelCheckpoint(str(tmp_path / "e{epoch}.npz"), save_best_only=True)
    for epoch, value in enumerate(values[:3]):
        first.on_checkpoint(trainer, epoch, {"val_loss": value})
    second = ModelCheckpoint(str(tmp_path / "e{epoch}.npz"), save_best_only=True)
    second.load_state_dict(copy.deepcopy(first.state_dict()))
    for epoch, value in enumerate(values[3:], start=3):
        second.on_checkpoint(trainer, epoch, {"val_loss": value})
    best_so_far = np.minimum.accumulate(values)
    gains = [e for e, v in enumerate(values) if e == 0 or v < best_so_far[e - 1]]
    assert saved == [str(tmp_path / f"e{e + 1}.npz") for e in gains]
    assert (second.best, second.best_epoch) == (min(values), int(np.argmin(values)))


def test_monitor_mode_auto_maximises_scores_accuracies_and_auc() -> None:
    for name in ("val_auc", "roc_auc", "val_accuracy", "f1_score"):
        assert EarlyStopping(name).mode == ModelCheckpoint("c.npz", name).mode == "max", name
    assert EarlyStopping("val_loss").mode == "min"


@pytest.mark.parametrize("kwargs", [{"max_norm": 0.05, "norm_type": 1.0},
                                    {"max_norm": 0.05, "norm_type": "inf"},
                                    {"clip_value": 1e-3}])
def test_gradient_clipping_equals_the_clip_function_on_every_parameter(kwargs: dict) -> None:
    """One full batch of SGD with clipping equals: backward, clip the gradients of every
    parameter with nn.clip_grad_norm_ / nn.clip_grad_value_, step."""
    model = MLP([3, 6, 2], output="softmax", rng=0)
    reference = copy.deepcopy(model)
    fit(model, F.cross_entropy, nn.optim.SGD(model.parameters(), lr=0.5), (X, Y), epochs=1,
        batch_size=len(X), callbacks=[GradientClipping(**kwargs)], progress=False,
        generator=0)
    params = list(reference.parameters())
    F.cross_entropy(reference(Tensor(X)), Y).backward()
    if "clip_value" in kwargs:
        nn.clip_grad_value_(params, kwargs["clip_value"])
    else:
        nn.clip_grad_norm_(params, kwargs["max_norm"], kwargs["norm_type"])
    for p in params:
        p.data = p.data - 0.5 * p.grad.data
    for (name, a), (_, b) in zip(model.state_dict().items(), reference.state_dict().items()):
        np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-15, err_msg=name)


def test_history_pads_names_seen_late_or_missing_with_nan() -> None:
    history = History()
    history.append(0, {"loss": 1.0}, {})
    history.append(1, {"loss": 2.0, "val_loss": 3.0}, {})
    history.append(2, {"loss": 4.0}, {})
    assert history["loss"] == [1.0, 2.0, 4.0]
    val = history["val_loss"]
    assert len(val) == 3 and math.isnan(val[0]) and val[1] == 3.0 and math.isnan(val[2])


def test_history_round_trips_interrupted() -> None:
    history = History()
    history.append(0, {"loss": 1.0}, {"w": 0.5})
    history.interrupted = True
    copy_ = History()
    copy_.load_state_dict(history.state_dict())
    assert copy_.interrupted and copy_.epoch == [0] and copy_.grad_norms == [{"w": 0.5}]


def test_accuracy_of_a_zero_logit_is_p_above_one_half_and_empty_is_nan() -> None:
    scores = np.array([[0.0], [1.0], [-1.0], [0.0]])
    target = np.array([0, 1, 0, 0])
    p = 1.0 / (1.0 + np.exp(-scores[:, 0]))
    assert accuracy(scores, target) == np.mean((p > 0.5) == target)
    assert math.isnan(accuracy(np.zeros((0, 3)), np.zeros(0, dtype=np.int64)))


def test_resuming_a_run_that_early_stopping_ended_trains_no_more(tmp_path: Path) -> None:
    def run(resume_from: Any = None) -> Any:
        model = MLP([3, 4, 2], output="softmax", rng=0)
        callbacks = [EarlyStopping("loss", patience=1, min_delta=1e9),  # stops at once
                     ModelCheckpoint(tmp_path / "last.npz", monitor="loss")]
        return fit(model, F.cross_entropy, nn.optim.SGD(model.parameters(), lr=0.1), (X, Y),
                   epochs=10, callbacks=callbacks, progress=False, generator=0,
                   resume_from=resume_from)

    stopped = run()
    resumed = run(tmp_path / "last.npz")
    assert len(stopped) < 10 and resumed.history == stopped.history
