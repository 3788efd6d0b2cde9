"""fit's loop, re-computed by hand: one optimizer step per batch, clipping before the step,
evaluation in eval mode, training in train mode, the learning rate each epoch used, loss
parts weighted by batch size, shuffled training data, epochs counted from 0."""
from __future__ import annotations

import copy
from typing import Any, NamedTuple

import numpy as np
import pytest

import nn
import nn.functional as F
from autograd import Tensor, no_grad
from nn.data import DataLoader
from nn.models import MLP
from nn.train import Callback, GradientClipping, LRScheduler, Trainer, fit

RNG = np.random.default_rng(7)
X = RNG.normal(size=(10, 3))
Y = RNG.integers(0, 2, size=10)


def _by_hand(model: MLP, loader: DataLoader, lr: float, epochs: int,
             clip_value: float | None = None) -> list[float]:
    """Plain SGD on ``model`` over the loader's batches; the mean batch loss per epoch."""
    params = list(model.parameters())
    losses = []
    for _ in range(epochs):
        total = 0.0
        for xb, yb in loader:
            for p in params:
                p.grad = None
            loss = F.cross_entropy(model(Tensor(xb)), yb)
            loss.backward()
            for p in params:
                g = p.grad.data if isinstance(p.grad, Tensor) else np.asarray(p.grad)
                if clip_value is not None:
                    g = np.clip(g, -clip_value, clip_value)
                p.data = p.data - lr * g
            total += loss.item() * len(xb)
        losses.append(total / len(loader.arrays[0]))
    return losses


@pytest.mark.parametrize("clip_value", [None, 1e-3])
def test_fit_takes_one_sgd_step_per_batch_after_clipping(clip_value: float | None) -> None:
    model = MLP([3, 5, 2], output="softmax", rng=0)
    reference = copy.deepcopy(model)
    loader = DataLoader(X, Y, batch_size=4)  # 3 batches, the last one of 2 rows
    callbacks = [] if clip_value is None else [GradientClipping(clip_value=clip_value)]
    history = fit(model, F.cross_entropy, nn.optim.SGD(model.parameters(), lr=0.5), loader,
                  epochs=2, callbacks=callbacks, progress=False)
    expected = _by_hand(reference, loader, 0.5, 2, clip_value)
    np.testing.assert_allclose(history["loss"], expected, rtol=1e-12)
    for (name, a), (_, b) in zip(model.state_dict().items(), reference.state_dict().items()):
        np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-15, err_msg=name)


def test_evaluate_runs_in_eval_mode_and_restores_the_mode() -> None:
    model = MLP([3, 16, 2], output="softmax", dropout=0.5, rng=0)
    trainer = Trainer(model, F.cross_entropy, None, progress=False)
    model.eval()
    with no_grad():
        expected = F.cross_entropy(model(Tensor(X)), Y).item()
    model.train()
    assert trainer.evaluate((X, Y))["val_loss"] == pytest.approx(expected, rel=1e-12)
    assert model.training
    model.eval()
    trainer.evaluate((X, Y))
    assert not model.training  # as it was before


class _Spy(Callback):
    def __init__(self) -> None:
        self.training: list[bool] = []

    def on_epoch_begin(self, trainer: Any, epoch: int) -> None:
        self.training.append(trainer.model.training)


def test_fit_trains_in_train_mode_after_predict_left_eval_mode() -> None:
    model = MLP([3, 8, 2], output="softmax", dropout=0.5, rng=0)
    model.eval()  # as a predict before fit might leave it
    spy = _Spy()
    fit(model, F.cross_entropy, nn.optim.SGD(model.parameters(), lr=0.1), (X, Y), epochs=2,
        callbacks=[spy], progress=False, generator=0)
    assert spy.training == [True, True]


def test_history_lr_is_the_rate_at_the_start_of_each_epoch_with_per_batch_steps() -> None:
    model = MLP([3, 4, 2], output="softmax", rng=0)
    opt = nn.optim.SGD(model.parameters(), lr=0.1)
    schedule = nn.optim.StepLR(opt, step_size=1, gamma=0.5)
    history = fit(model, F.cross_entropy, opt, (X, Y), epochs=3, batch_size=4,
                  callbacks=[LRScheduler(schedule, step_every="batch")], progress=False,
                  generator=0)
    ref_opt = nn.optim.SGD([nn.Parameter(np.zeros(1))], lr=0.1)
    ref = nn.optim.StepLR(ref_opt, step_size=1, gamma=0.5)
    expected = []
    for _ in range(3):
        expected.append(ref_opt.param_groups[0]["lr"])
        for _ in range(3):  # three batches of 4, 4 and 2 rows
            ref_opt.step()
            ref.step()
    assert history["lr"] == expected


class _Parts(NamedTuple):
    loss: Any
    target_mean: Any


def test_loss_parts_are_averaged_over_samples_not_batches() -> None:
    """With batches of 4, 4 and 2 rows, the epoch's value of a loss part is the mean
    over the samples, as the loss's own value is."""
    y = np.arange(10, dtype=np.float64)

    def loss_fn(output: Tensor, target: np.ndarray) -> _Parts:
        part = Tensor(np.asarray(target.mean()))
        return _Parts((output * 0.0).sum() + part, part)

    model = nn.Linear(3, 1, rng=0)
    history = fit(model, loss_fn, nn.optim.SGD(model.parameters(), lr=0.0), (X, y), epochs=1,
                  batch_size=4, progress=False, generator=0)
    assert history["target_mean"] == [pytest.approx(y.mean(), rel=1e-12)]
    assert history["loss"] == [pytest.approx(y.mean(), rel=1e-12)]


def test_training_arrays_are_shuffled_every_epoch() -> None:
    y = np.arange(10, dtype=np.float64)
    seen: list[np.ndarray] = []

    def loss_fn(output: Tensor, target: np.ndarray) -> Tensor:
        seen.append(np.array(target))
        return (output * 0.0).sum()

    model = nn.Linear(3, 1, rng=0)
    fit(model, loss_fn, nn.optim.SGD(model.parameters(), lr=0.0), (X, y), epochs=2,
        batch_size=4, progress=False, generator=0)
    first, second = np.concatenate(seen[:3]), np.concatenate(seen[3:])
    reference = DataLoader(X, y, batch_size=4, shuffle=True, generator=0)
    expected = [np.concatenate([b[1] for b in reference]) for _ in range(2)]
    np.testing.assert_array_equal(first, expected[0])
    np.testing.assert_array_equal(second, expected[1])
    assert not np.array_equal(first, y) and not np.array_equal(first, second)


def test_history_counts_epochs_from_zero() -> None:
    model = MLP([3, 4, 2], output="softmax", rng=0)
    history = fit(model, F.cross_entropy, nn.optim.SGD(model.parameters(), lr=0.1), (X, Y),
                  epochs=3, progress=False, generator=0)
    assert history.epoch == [0, 1, 2]
