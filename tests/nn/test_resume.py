"""Checkpoints of fit: resume equals the uninterrupted run bit for bit (dropout, VAE
noise, Adam, a scheduler, early stopping), and Ctrl-C leaves a loadable checkpoint."""
from __future__ import annotations

import os
import signal
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import autograd as ag
import nn
import nn.functional as F
from nn.models import MLP, VAE
from nn.errors import CheckpointError
from nn.train import (Callback, EarlyStopping, LRScheduler, ModelCheckpoint, ResumeError,
                      fit)
from train_helpers import StopAt

RNG = np.random.default_rng(0)
X = RNG.uniform(size=(90, 6))
Y = (X[:, 0] + X[:, 1] > 1).astype(np.int64) + (X[:, 2] > 0.5)
X_VAL, Y_VAL = X[:30], Y[:30]


class FunctionalDropout(nn.Module):
    """PyTorch's habit: F.dropout in forward, on the package's default generator, which
    no module holds."""

    def __init__(self, seed: int) -> None:
        super().__init__()
        self.hidden, self.out = nn.Linear(6, 16, rng=seed), nn.Linear(16, 3, rng=seed + 1)

    def forward(self, x: Any) -> Any:
        return self.out(F.dropout(F.relu(self.hidden(x)), 0.3, training=self.training))


class RandnNoise(nn.Module):
    """PyTorch's habit: ``x + 0.1 * torch.randn_like(x)`` in forward, drawing from the
    process-wide default generator (autograd.randn_like without generator=)."""

    def __init__(self, seed: int) -> None:
        super().__init__()
        self.hidden, self.out = nn.Linear(6, 16, rng=seed), nn.Linear(16, 3, rng=seed + 1)

    def forward(self, x: Any) -> Any:
        h = F.relu(self.hidden(x))
        return self.out(h + 0.1 * ag.randn_like(h) if self.training else h)


def _setup(kind: str, seed: int) -> tuple[nn.Module, Any, Any, tuple, tuple]:
    if kind == "mlp":
        model = MLP([6, 16, 3], output="softmax", dropout=0.3, rng=seed)
        return model, F.cross_entropy, (X, Y), (X_VAL, Y_VAL)
    if kind == "default-dropout":  # Dropout on the package's default generator
        nn.manual_seed(seed)
        model = nn.Sequential(nn.Linear(6, 16, rng=seed), nn.ReLU(), nn.Dropout(0.3),
                              nn.Linear(16, 3, rng=seed))
        return model, F.cross_entropy, (X, Y), (X_VAL, Y_VAL)
    if kind == "functional-dropout":
        nn.manual_seed(seed)
        return FunctionalDropout(seed), F.cross_entropy, (X, Y), (X_VAL, Y_VAL)
    if kind == "randn-noise":
        ag.manual_seed(seed)
        return RandnNoise(seed), F.cross_entropy, (X, Y), (X_VAL, Y_VAL)
    model = VAE(6, 5, 2, rng=seed)
    return model, None, X, X_VAL


def _run(kind: str, folder: Path, epochs: int, seed: int, extra: tuple = (),
         resume_from: Path | None = None) -> tuple[nn.Module, Any, Any]:
    model, loss_fn, train, val = _setup(kind, seed)
    opt = nn.optim.Adam(model.parameters(), lr=0.01)
    sched = nn.optim.StepLR(opt, step_size=2, gamma=0.5)
    callbacks = [LRScheduler(sched), EarlyStopping(patience=50),
                 ModelCheckpoint(folder / "ckpt-{epoch}.npz"), *extra]
    history = fit(model, loss_fn, opt, train, val=val, epochs=epochs, batch_size=16,
                  callbacks=callbacks, progress=False, generator=seed,
                  resume_from=resume_from)
    return model, opt, history


def _same_state(a: Any, b: Any) -> None:
    flat_a, flat_b = _flatten(a), _flatten(b)
    assert flat_a.keys() == flat_b.keys()
    for key, value in flat_a.items():
        np.testing.assert_array_equal(value, flat_b[key], err_msg=key)


def _flatten(value: Any, prefix: str = "") -> dict[str, Any]:
    if isinstance(value, dict):
        out: dict[str, Any] = {}
        for k, v in value.items():
            out.update(_flatten(v, f"{prefix}/{k}"))
        return out
    if isinstance(value, (list, tuple)):
        return _flatten(dict(enumerate(value)), prefix)
    return {prefix: value}


@pytest.mark.parametrize("kind", ["mlp", "default-dropout", "functional-dropout",
                                  "randn-noise", "vae"])
def test_resume_equals_the_uninterrupted_run_bit_for_bit(kind: str, tmp_path: Path) -> None:
    (tmp_path / "full").mkdir()
    (tmp_path / "cut").mkdir()
    full_model, full_opt, full = _run(kind, tmp_path / "full", 5, seed=1,
                                      extra=(StopAt(99),))
    _, _, cut = _run(kind, tmp_path / "cut", 5, seed=1, extra=(StopAt(3),))
    assert cut.interrupted and len(cut) == 3
    # a fresh model built from another seed: everything must come from the checkpoint
    model, opt, resumed = _run(kind, tmp_path / "cut", 5, seed=7, extra=(StopAt(99),),
                               resume_from=tmp_path / "cut" / "ckpt-3.npz")
    assert not resumed.interrupted
    assert resumed.history == full.history and resumed.epoch == full.epoch
    _same_state(model.state_dict(), full_model.state_dict())
    _same_state(opt.state_dict(), full_opt.state_dict())
    assert resumed.history["lr"] == [0.01, 0.01, 0.005, 0.005, 0.0025]
    _same_state(nn.load(tmp_path / "cut" / "ckpt-5.npz")["trainer"],
                nn.load(tmp_path / "full" / "ckpt-5.npz")["trainer"])


def test_a_checkpoint_without_the_default_generator_still_resumes(tmp_path: Path) -> None:
    """Checkpoints of older versions did not hold nn's default generator."""
    (tmp_path / "a").mkdir()
    _run("mlp", tmp_path / "a", 2, seed=0)
    path = tmp_path / "a" / "ckpt-2.npz"
    saved = nn.load(path)
    del saved["trainer"]["generators"]["nn.default_generator"]
    model = _setup("mlp", 0)[0]
    opt = nn.optim.Adam(model.parameters(), lr=0.01)
    model.load_state_dict(saved["model"])
    opt.load_state_dict(saved["optimizer"])
    nn.save(path, model=model, optimizer=opt, trainer=saved["trainer"])
    _, _, history = _run("mlp", tmp_path / "a", 3, seed=0, resume_from=path)
    assert len(history) == 3


def test_resume_restores_the_generator_of_a_given_data_loader(tmp_path: Path) -> None:
    def run(seed: int, epochs: int, resume: bool) -> nn.Module:
        model = MLP([6, 8, 3], output="softmax", rng=0)
        loader = nn.data.DataLoader(X, Y, batch_size=16, shuffle=True, generator=seed)
        fit(model, F.cross_entropy, nn.optim.SGD(model.parameters(), lr=0.1), loader,
            epochs=epochs, progress=False, callbacks=[ModelCheckpoint(tmp_path / "c.npz",
                                                                      monitor="loss")],
            resume_from=tmp_path / "c.npz" if resume else None)
        return model

    full = run(1, 4, resume=False)
    run(1, 2, resume=False)
    resumed = run(9, 4, resume=True)  # another shuffling seed: the checkpoint's wins
    _same_state(resumed.state_dict(), full.state_dict())


def test_resume_with_other_callbacks_is_a_named_error(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    _run("mlp", tmp_path / "a", 2, seed=0)
    model, loss_fn, train, _ = _setup("mlp", 5)
    before = model.state_dict()
    with pytest.raises(ResumeError, match="callbacks"):
        fit(model, loss_fn, nn.optim.Adam(model.parameters(), lr=0.01), train, epochs=3,
            progress=False, resume_from=tmp_path / "a" / "ckpt-2.npz")
    _same_state(model.state_dict(), before)  # a failed resume leaves the model as it was


def test_resume_with_another_optimizer_type_is_a_named_error(tmp_path: Path) -> None:
    """The checkpoint holds Adam's state: an SGD must not absorb it silently."""
    (tmp_path / "a").mkdir()
    _run("mlp", tmp_path / "a", 2, seed=0)
    model, loss_fn, train, _ = _setup("mlp", 5)
    before = model.state_dict()
    with pytest.raises(CheckpointError, match=r"entry 'optimizer' holds the state of an "
                                              r"optimizer of class Adam; cannot load it "
                                              r"into one of class SGD"):
        opt = nn.optim.SGD(model.parameters(), lr=0.1)
        callbacks = [LRScheduler(nn.optim.StepLR(opt, step_size=2)), EarlyStopping(),
                     ModelCheckpoint(tmp_path / "b.npz")]  # the run's callbacks
        fit(model, loss_fn, opt, train, epochs=3, progress=False, callbacks=callbacks,
            generator=0, resume_from=tmp_path / "a" / "ckpt-2.npz")
    _same_state(model.state_dict(), before)


def test_keyboard_interrupt_from_a_callback_leaves_a_loadable_checkpoint(
        tmp_path: Path) -> None:
    class InterruptMidEpoch(Callback):
        def on_batch_end(self, trainer: Any, loss: float) -> None:
            if trainer.epoch == 2:
                raise KeyboardInterrupt

    model = MLP([6, 8, 3], output="softmax", rng=0)
    opt = nn.optim.SGD(model.parameters(), lr=0.1)
    path = tmp_path / "last.npz"
    history = fit(model, F.cross_entropy, opt, (X, Y), epochs=10, progress=False,
                  callbacks=[ModelCheckpoint(path, monitor="loss"), InterruptMidEpoch()])
    assert history.interrupted and len(history) == 2
    saved = nn.load(path)
    assert saved["trainer"]["epoch"] == 2
    fresh = MLP([6, 8, 3], output="softmax", rng=5)
    fresh.load_state_dict(saved["model"])


def test_ctrl_c_signal_stops_at_the_end_of_the_batch(tmp_path: Path) -> None:
    batches = []

    class SendSigint(Callback):
        def on_batch_end(self, trainer: Any, loss: float) -> None:
            batches.append(trainer.epoch)
            if trainer.epoch == 1 and batches.count(1) == 2:
                os.kill(os.getpid(), signal.SIGINT)

    model = MLP([6, 8, 3], output="softmax", rng=0)
    handler = signal.getsignal(signal.SIGINT)
    history = fit(model, F.cross_entropy, nn.optim.SGD(model.parameters(), lr=0.1), (X, Y),
                  epochs=5, batch_size=10, progress=False, callbacks=[SendSigint()])
    assert history.interrupted and len(history) == 1  # the cut epoch is not recorded
    assert batches.count(1) == 2  # stopped right after the batch that got Ctrl-C
    assert signal.getsignal(signal.SIGINT) is handler  # the user's handler is back
