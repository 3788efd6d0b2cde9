"""The callbacks of nn.train.more_callbacks over fit(..., resume_from=...): a run stopped
and resumed equals the uninterrupted run bit for bit (model, optimizer, history, files)."""
from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest

import nn
import nn.functional as F
from nn.models import MLP
from nn.train import (CSVLogger, EarlyStopping, GradientClipping, LambdaCallback,
                      LearningRateScheduler, ModelCheckpoint, TerminateOnNaN, accuracy, fit)
from train_helpers import StopAt

RNG = np.random.default_rng(5)
X = RNG.normal(size=(50, 4))
Y = (X[:, 0] + X[:, 1] > 0).astype(np.int64)


def _run(folder: Path, stop_at: int, seed: int, callbacks: list,
         resume_from: Path | None = None) -> tuple[nn.Module, Any, Any]:
    model = MLP([4, 8, 2], output="softmax", dropout=0.2, rng=seed)
    opt = nn.optim.Adam(model.parameters(), lr=0.01)
    history = fit(model, F.cross_entropy, opt, (X, Y), val=(X[:20], Y[:20]), epochs=5,
                  batch_size=16, progress=False, generator=seed, metrics=[accuracy],
                  callbacks=[ModelCheckpoint(folder / "ckpt-{epoch}.npz"), *callbacks,
                             StopAt(stop_at)], resume_from=resume_from)
    return model, opt, history


def _same_run(a: tuple, b: tuple) -> None:
    (model_a, opt_a, history_a), (model_b, opt_b, history_b) = a, b
    assert history_a.history == history_b.history and history_a.epoch == history_b.epoch
    for key, value in model_a.state_dict().items():
        np.testing.assert_array_equal(value, model_b.state_dict()[key], err_msg=key)
    assert str(opt_a.state_dict()) == str(opt_b.state_dict())


@pytest.mark.parametrize("resume_epoch, remove_log", [(3, False), (2, False), (3, True)])
def test_csv_logger_resumed_writes_the_uninterrupted_file(tmp_path: Path, resume_epoch: int,
                                                          remove_log: bool) -> None:
    """From the last checkpoint, from an older one (the log holds a row too many, which
    is cut), and with the log removed (written again from the History)."""
    full_dir, cut_dir = tmp_path / "full", tmp_path / "cut"
    full = _run(full_dir, 99, seed=1, callbacks=[CSVLogger(full_dir / "log.csv")])
    _run(cut_dir, 3, seed=1, callbacks=[CSVLogger(cut_dir / "log.csv")])
    if remove_log:
        (cut_dir / "log.csv").unlink()
    resumed = _run(cut_dir, 99, seed=8, callbacks=[CSVLogger(cut_dir / "log.csv")],
                   resume_from=cut_dir / f"ckpt-{resume_epoch}.npz")
    _same_run(resumed, full)
    assert (cut_dir / "log.csv").read_bytes() == (full_dir / "log.csv").read_bytes()


def test_csv_logger_resumed_keeps_what_an_appended_file_held_before(tmp_path: Path) -> None:
    for folder in ("full", "cut"):
        (tmp_path / folder).mkdir()
        (tmp_path / folder / "log.csv").write_text("an earlier run\n")
    full = _run(tmp_path / "full", 99, seed=1,
                callbacks=[CSVLogger(tmp_path / "full" / "log.csv", append=True)])
    _run(tmp_path / "cut", 3, seed=1,
         callbacks=[CSVLogger(tmp_path / "cut" / "log.csv", append=True)])
    resumed = _run(tmp_path / "cut", 99, seed=8,
                   callbacks=[CSVLogger(tmp_path / "cut" / "log.csv", append=True)],
                   resume_from=tmp_path / "cut" / "ckpt-2.npz")
    _same_run(resumed, full)
    text = (tmp_path / "cut" / "log.csv").read_text()
    assert text == (tmp_path / "full" / "log.csv").read_text()
    assert text.startswith("an earlier run\n")


CALLBACKS = {
    "terminate-on-nan": lambda: [TerminateOnNaN()],
    "lambda": lambda: [LambdaCallback(on_epoch_end=lambda epoch, logs: None)],
    "lr-scheduler": lambda: [LearningRateScheduler(lambda epoch, lr: lr * 0.7 ** (epoch % 2))],
    "early-stopping-keras": lambda: [EarlyStopping(patience=50, baseline=0.3,
                                                   start_from_epoch=2)],
    "best-accuracy": lambda: [ModelCheckpoint("unused-{epoch}.npz", monitor="val_accuracy",
                                              save_best_only=True, save_weights_only=True)],
    "clipping": lambda: [GradientClipping(max_norm=0.1)],
}


@pytest.mark.parametrize("name", sorted(CALLBACKS))
def test_each_callback_resumes_bit_for_bit(tmp_path: Path, name: str,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)  # where "unused-{epoch}.npz" goes
    full_dir, cut_dir = tmp_path / "full", tmp_path / "cut"
    full = _run(full_dir, 99, seed=1, callbacks=CALLBACKS[name]())
    _run(cut_dir, 3, seed=1, callbacks=CALLBACKS[name]())
    resumed = _run(cut_dir, 99, seed=8, callbacks=CALLBACKS[name](),
                   resume_from=cut_dir / "ckpt-3.npz")
    _same_run(resumed, full)
    last_cut, last_full = nn.load(cut_dir / "ckpt-5.npz"), nn.load(full_dir / "ckpt-5.npz")
    assert str(last_cut["trainer"]) == str(last_full["trainer"])  # callbacks' states too


@pytest.mark.filterwarnings("ignore::RuntimeWarning")  # the NaN flows into the step
def test_a_run_ended_by_terminate_on_nan_resumes_to_no_more_training(tmp_path: Path) -> None:
    def loss_fn(output: Any, target: Any) -> Any:
        loss = F.cross_entropy(output, target)
        return loss * np.nan if len(seen) == 7 else loss

    seen: list[float] = []
    spy = LambdaCallback(on_batch_end=lambda batch, logs: seen.append(logs["loss"]))

    def run(resume_from: Path | None = None) -> Any:
        model = MLP([4, 8, 2], output="softmax", rng=0)
        return fit(model, loss_fn, nn.optim.SGD(model.parameters(), lr=0.1), (X, Y),
                   epochs=5, batch_size=16, progress=False, generator=0,
                   callbacks=[ModelCheckpoint(tmp_path / "last.npz", monitor="loss"),
                              TerminateOnNaN(), spy], resume_from=resume_from)

    history = run()
    assert history.terminated_on_nan and len(history) == 2 and len(seen) == 8
    resumed = run(tmp_path / "last.npz")
    assert resumed.terminated_on_nan and len(resumed) == 2 and len(seen) == 8
