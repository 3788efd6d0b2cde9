"""Keras's callbacks in nn.train.more_callbacks: TerminateOnNaN, CSVLogger, LambdaCallback,
LearningRateScheduler; and a callback's stop_training ending the epoch, as in Keras."""
from __future__ import annotations

import csv
import math
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import nn
import nn.functional as F
from autograd import is_grad_enabled
from nn.models import MLP
from nn.errors import ArgumentTypeError, ConfigError
from autograd.errors import UsageError
from nn.train import (CSVLogger, Callback, EarlyStopping, History, LambdaCallback,
                      LearningRateScheduler, LRScheduler, TerminateOnNaN, accuracy, fit)

RNG = np.random.default_rng(4)
X = RNG.normal(size=(40, 4))
Y = (X[:, 0] > 0).astype(np.int64)


def _model() -> MLP:
    return MLP([4, 8, 2], output="softmax", rng=0)


class CountBatches(Callback):
    def __init__(self) -> None:
        self.per_epoch: list[int] = []

    def on_epoch_begin(self, trainer: Any, epoch: int) -> None:
        self.per_epoch.append(0)

    def on_batch_end(self, trainer: Any, loss: float) -> None:
        self.per_epoch[-1] += 1


def _loss_poisoned_at(call: int, poison: float) -> Any:
    """cross_entropy, times ``poison`` (nan or inf) at the ``call``-th training batch
    (from 0; validation batches, without gradients, are not counted)."""
    calls = []

    def loss_fn(output: Any, target: Any) -> Any:
        calls.append(is_grad_enabled())
        loss = F.cross_entropy(output, target)
        return loss * poison if calls[-1] and sum(calls) == call + 1 else loss
    return loss_fn


@pytest.mark.filterwarnings("ignore::RuntimeWarning")  # the NaN flows into the step
@pytest.mark.parametrize("poison", [math.nan, math.inf])
def test_terminate_on_nan_stops_after_the_batch_and_marks_the_history(
        poison: float, capsys: pytest.CaptureFixture) -> None:
    counter, model = CountBatches(), _model()
    history = fit(model, _loss_poisoned_at(6, poison), nn.optim.SGD(model.parameters(), lr=0.1),
                  (X, Y), val=(X, Y), epochs=5, batch_size=10, progress=False, generator=0,
                  callbacks=[TerminateOnNaN(), counter])
    assert counter.per_epoch == [4, 3]  # batch 6 is the 3rd of epoch 2: the epoch ends there
    assert history.terminated_on_nan and not history.interrupted
    assert len(history) == 2 and not math.isfinite(history["loss"][1])
    assert len(history["val_loss"]) == 2  # the cut epoch is still validated and recorded
    assert "TerminateOnNaN" in capsys.readouterr().err


def test_without_terminate_on_nan_every_epoch_runs() -> None:
    model = _model()
    history = fit(model, _loss_poisoned_at(6, math.nan), nn.optim.SGD(model.parameters(),
                  lr=0.1), (X, Y), epochs=5, batch_size=10, progress=False)
    assert len(history) == 5 and not history.terminated_on_nan


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
def test_terminate_on_nan_with_early_stopping_restores_the_best_weights() -> None:
    model = _model()
    opt = nn.optim.SGD(model.parameters(), lr=0.1)
    history = fit(model, _loss_poisoned_at(9, math.nan), opt, (X, Y), val=(X, Y), epochs=5,
                  batch_size=10, progress=False, generator=0,
                  callbacks=[TerminateOnNaN(), EarlyStopping(patience=3)])
    assert history.terminated_on_nan and len(history) == 3
    assert all(np.isfinite(p.data).all() for p in model.parameters())


def test_stop_training_set_in_a_batch_hook_ends_the_epoch_as_in_keras() -> None:
    class StopAtThirdBatch(CountBatches):
        def on_batch_end(self, trainer: Any, loss: float) -> None:
            super().on_batch_end(trainer, loss)
            if sum(self.per_epoch) == 3:
                trainer.stop_training = True

    counter, model = StopAtThirdBatch(), _model()
    history = fit(model, F.cross_entropy, nn.optim.SGD(model.parameters(), lr=0.1), (X, Y),
                  epochs=4, batch_size=10, progress=False, callbacks=[counter])
    assert counter.per_epoch == [3] and len(history) == 1


def test_history_keeps_terminated_on_nan_and_reads_older_states() -> None:
    history = History()
    history.terminated_on_nan = True
    copy = History()
    copy.load_state_dict(history.state_dict())
    assert copy.terminated_on_nan
    older = history.state_dict()
    del older["terminated_on_nan"]  # written before the flag existed
    copy.load_state_dict(older)
    assert not copy.terminated_on_nan


def _fit(epochs: int, callbacks: list, val: Any = (X, Y), batch_size: int = 10,
         **kwargs: Any) -> History:
    model = _model()
    return fit(model, F.cross_entropy, nn.optim.SGD(model.parameters(), lr=0.1), (X, Y),
               val=val, epochs=epochs, batch_size=batch_size, progress=False, generator=0,
               metrics=[accuracy], callbacks=callbacks, **kwargs)


def _rows(path: Path, separator: str = ",") -> list[list[str]]:
    with open(path, newline="") as file:
        return list(csv.reader(file, delimiter=separator))


@pytest.mark.parametrize("separator", [",", ";", "\t"])
def test_csv_logger_writes_the_history_one_row_per_epoch(tmp_path: Path,
                                                         separator: str) -> None:
    path = tmp_path / "logs" / "run.csv"  # a missing folder is created
    history = _fit(3, [CSVLogger(path, separator=separator)])
    header, *rows = _rows(path, separator)
    assert header == ["epoch", *sorted(history.history)]  # Keras: epoch, then sorted names
    assert [int(row[0]) for row in rows] == history.epoch == [0, 1, 2]
    for i, row in enumerate(rows):  # every value read back exactly
        assert [float(v) for v in row[1:]] == [history[k][i] for k in header[1:]]


def test_csv_logger_appends_under_one_header_or_overwrites(tmp_path: Path) -> None:
    path = tmp_path / "run.csv"
    _fit(2, [CSVLogger(path)])
    _fit(3, [CSVLogger(path, append=True)])
    rows = _rows(path)
    assert rows[0][0] == "epoch" and [r[0] for r in rows[1:]] == ["0", "1", "0", "1", "2"]
    _fit(1, [CSVLogger(path)])  # append=False: a new file
    assert [r[0] for r in _rows(path)] == ["epoch", "0"]


def test_csv_logger_appends_a_header_to_an_empty_file(tmp_path: Path) -> None:
    path = tmp_path / "run.csv"
    path.write_text("")
    _fit(1, [CSVLogger(path, append=True)], val=None)
    assert _rows(path)[0] == ["epoch", "accuracy", "loss", "lr"]


def test_csv_logger_separator_errors() -> None:
    with pytest.raises(ArgumentTypeError, match="separator must be a str"):
        CSVLogger("a.csv", separator=0)  # type: ignore[arg-type]
    with pytest.raises(ConfigError, match="one character.*';;'"):
        CSVLogger("a.csv", separator=";;")


class BatchLosses(Callback):
    def __init__(self) -> None:
        self.losses: list[float] = []

    def on_batch_end(self, trainer: Any, loss: float) -> None:
        self.losses.append(loss)


@pytest.mark.parametrize("keras3_names", [False, True])
def test_lambda_callback_calls_with_keras_arguments(keras3_names: bool) -> None:
    events: list[tuple] = []
    batch_hooks = {"on_train_batch_begin" if keras3_names else "on_batch_begin":
                   lambda batch, logs: events.append(("batch_begin", batch, logs)),
                   "on_train_batch_end" if keras3_names else "on_batch_end":
                   lambda batch, logs: events.append(("batch_end", batch, logs))}
    spy = LambdaCallback(
        on_train_begin=lambda logs: events.append(("train_begin", logs)),
        on_epoch_begin=lambda epoch, logs: events.append(("epoch_begin", epoch, logs)),
        on_epoch_end=lambda epoch, logs: events.append(("epoch_end", epoch, logs)),
        on_train_end=lambda logs: events.append(("train_end", logs)), **batch_hooks)
    losses = BatchLosses()
    history = _fit(2, [spy, losses], val=None, batch_size=20)
    batch_losses = iter(losses.losses)
    expected: list[tuple] = [("train_begin", {})]
    for epoch in range(2):
        expected.append(("epoch_begin", epoch, {}))
        for batch in range(2):  # 40 rows in batches of 20
            expected += [("batch_begin", batch, {}),
                         ("batch_end", batch, {"loss": next(batch_losses)})]
        expected.append(("epoch_end", epoch, {k: v[epoch] for k, v in
                                              history.history.items()}))
    expected.append(("train_end", {k: v[-1] for k, v in history.history.items()}))
    assert events == expected


def test_lambda_callback_without_functions_and_its_errors() -> None:
    assert len(_fit(1, [LambdaCallback()])) == 1
    with pytest.raises(ArgumentTypeError, match="on_epoch_end must be a function.*'print'"):
        LambdaCallback(on_epoch_end="print")  # type: ignore[arg-type]
    with pytest.raises(UsageError, match="on_batch_end and on_train_batch_end are the same"):
        LambdaCallback(on_batch_end=print, on_train_batch_end=print)


def test_learning_rate_scheduler_calls_schedule_with_epoch_and_lr_as_keras() -> None:
    def schedule(epoch: int, lr: float) -> float:  # the Keras tutorial's
        return lr if epoch < 2 else lr * math.exp(-0.1)

    history = _fit(5, [LearningRateScheduler(schedule)])
    expected, lr = [], 0.1
    for epoch in range(5):
        lr = schedule(epoch, lr)
        expected.append(lr)
    assert history["lr"] == expected


def test_learning_rate_scheduler_of_the_epoch_alone_equals_lambda_lr() -> None:
    """Keras's older one-argument form; the same rates as nn.optim.LambdaLR give the
    same weights, bit for bit."""
    def run(make_callback: Any) -> tuple[History, MLP]:
        model = _model()
        opt = nn.optim.SGD(model.parameters(), lr=0.1)
        history = fit(model, F.cross_entropy, opt, (X, Y), epochs=4, batch_size=10,
                      progress=False, generator=0, callbacks=[make_callback(opt)])
        return history, model

    ours, model = run(lambda opt: LearningRateScheduler(lambda epoch: 0.1 * 0.5 ** epoch))
    reference, reference_model = run(
        lambda opt: LRScheduler(nn.optim.LambdaLR(opt, lambda epoch: 0.5 ** epoch)))
    assert ours["lr"] == reference["lr"]
    for key, value in model.state_dict().items():
        np.testing.assert_array_equal(value, reference_model.state_dict()[key])


def test_learning_rate_scheduler_sets_every_group_from_its_own_rate() -> None:
    model = _model()
    params = list(model.parameters())
    opt = nn.optim.SGD([{"params": params[:2], "lr": 0.1}, {"params": params[2:], "lr": 0.02}])
    fit(model, F.cross_entropy, opt, (X, Y), epochs=3, progress=False,
        callbacks=[LearningRateScheduler(lambda epoch, lr: lr * 0.5)])
    assert [g["lr"] for g in opt.param_groups] == [0.1 * 0.5 ** 3, 0.02 * 0.5 ** 3]


def test_learning_rate_scheduler_errors() -> None:
    with pytest.raises(ArgumentTypeError, match="needs a function schedule"):
        LearningRateScheduler(0.1)  # type: ignore[arg-type]
    with pytest.raises(ConfigError, match=r"schedule\(0, ...\) must be a finite number >= 0; "
                                          r"got -0.1"):
        _fit(1, [LearningRateScheduler(lambda epoch, lr: -0.1)])
    with pytest.raises(ArgumentTypeError, match="must return the new learning rate"):
        _fit(1, [LearningRateScheduler(lambda epoch, lr: None)])
