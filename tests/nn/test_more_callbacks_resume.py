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
from nn.train import CSVLogger, Callback, ModelCheckpoint, accuracy, fit

RNG = np.random.default_rng(5)
X = RNG.normal(size=(50, 4))
Y = (X[:, 0] + X[:, 1] > 0).astype(np.int64)


class StopAt(Callback):
    """Raises KeyboardInterrupt (what Ctrl-C raises) at the start of an epoch."""

    def __init__(self, epoch: int) -> None:
        self.epoch = epoch

    def on_epoch_begin(self, trainer: Any, epoch: int) -> None:
        if epoch == self.epoch:
            raise KeyboardInterrupt


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
