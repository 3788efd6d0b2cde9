"""The notes' worked numbers on training (docs/curriculum.md sections 5, 6 and 10) that
tests/test_curriculum.py does not hold: the learning-rate step examples (notes 002),
the gradient shrinking through a chain of sigmoids and the activations' largest slopes
(004 Q11), the train / validation / test proportions and the early-stopping and
best-checkpoint logs (004 Q28), each recomputed with the engine, nn.optim, nn.data and
nn.train's callbacks."""

from types import SimpleNamespace

import numpy as np
import pytest

import autograd as ag
import nn
import nn.functional as F
from nn.train import EarlyStopping, ModelCheckpoint


# ------------------------------------------------------------------ 5. learning rate
def sgd_step(loss_fn, start: float, lr: float) -> float:
    """One nn.optim.SGD step on loss_fn from w = start; returns the new w."""
    w = ag.Tensor(np.array([start]), requires_grad=True)
    optimizer = nn.optim.SGD([w], lr=lr)
    loss_fn(w).sum().backward()
    optimizer.step()
    return float(w.data[0])


def test_a_step_is_the_learning_rate_times_the_gradient():
    # notes 002: eta = 0.1 and a gradient of 5 change the weight by 0.1 * 5 = 0.5
    change = sgd_step(lambda w: 5.0 * w, start=2.0, lr=0.1) - 2.0
    assert change == pytest.approx(-0.5, rel=1e-15)


def test_too_large_a_learning_rate_jumps_over_the_minimum():
    # notes 002: minimum at x = 0; from x = -1 a too large step lands on x = 3 instead of
    # x = -0.5 (on f = x^2, whose gradient at -1 is -2: eta = 2 against eta = 0.25)
    assert sgd_step(lambda x: x * x, start=-1.0, lr=2.0) == 3.0
    assert sgd_step(lambda x: x * x, start=-1.0, lr=0.25) == -0.5


# ------------------------------------------------------------------ 6. vanishing gradients
def test_gradient_through_a_chain_of_sigmoids():
    """notes 004 Q11: at the sigmoid's steepest point each layer multiplies the gradient
    by 0.25: 1.0 -> 0.25 -> 0.0625 -> 0.0156 -> 0.0039."""
    x = ag.Tensor(0.0, requires_grad=True)
    layers = [x]
    for _ in range(4):                      # sigmoid(0) - 1/2 = 0: every layer sits at z = 0
        layers.append(layers[-1].sigmoid() - 0.5)
    for layer in layers[1:]:
        layer.retain_grad()
    layers[-1].backward()
    grads = [layer.grad.item() for layer in reversed(layers)]   # output side first
    assert [round(g, 4) for g in grads] == [1.0, 0.25, 0.0625, 0.0156, 0.0039]


def test_largest_slopes_of_sigmoid_tanh_and_relu():
    # notes 004 Q10 table, "max derivative": sigmoid 0.25, tanh 1.0, ReLU 1.0
    for fn, slope in ((F.sigmoid, 0.25), (F.tanh, 1.0), (F.relu, 1.0)):
        x = ag.Tensor(np.linspace(-5, 5, 1001), requires_grad=True)
        fn(x).sum().backward()
        assert x.grad.numpy().max() == pytest.approx(slope, rel=1e-12)


# ------------------------------------------------------------------ 10. the pipeline
@pytest.mark.parametrize("fractions, sizes", [((0.6, 0.2, 0.2), [6000, 2000, 2000]),
                                              ((0.7, 0.15, 0.15), [7000, 1500, 1500]),
                                              ((0.8, 0.1, 0.1), [8000, 1000, 1000])])
def test_the_notes_train_validation_test_proportions(fractions, sizes):
    """notes 004 Q28: the typical splits 60/20/20, 70/15/15, 80/10/10; 10,000 samples
    give 6,000 / 2,000 / 2,000 at 60/20/20. Every sample lands in exactly one part."""
    samples = nn.data.TensorDataset(np.arange(10_000.0))
    parts = nn.data.random_split(samples, list(fractions), generator=0)
    assert [len(part) for part in parts] == sizes
    chosen = np.concatenate([part.indices for part in parts])
    assert np.array_equal(np.sort(chosen), np.arange(10_000))


def test_early_stopping_on_the_notes_log():
    """notes 004 Q28: val_loss 0.52, 0.35, 0.25, 0.30, 0.35: the validation loss got
    worse twice, training stops after epoch 5 and keeps the model of epoch 3."""
    model = nn.Linear(1, 1, rng=0)
    trainer = SimpleNamespace(model=model, stop_training=False)
    stopper = EarlyStopping(monitor="val_loss", patience=2, restore_best_weights=True)
    epochs_run = 0
    for epoch, val_loss in enumerate([0.52, 0.35, 0.25, 0.30, 0.35, 0.40]):
        if trainer.stop_training:
            break
        model.weight.data[...] = epoch + 1          # the weights of epoch k are k
        stopper.on_epoch_end(trainer, epoch, {"val_loss": val_loss})
        epochs_run += 1
    stopper.on_train_end(trainer)
    assert epochs_run == 5 and stopper.best_epoch + 1 == 3
    assert model.weight.item() == 3.0                # the model of epoch 3


def test_the_best_checkpoint_on_the_notes_log(tmp_path):
    """notes 004 Q28: val_loss 0.5 at epoch 10, 0.3 at 20 (better: saved), 0.4 at 30
    (worse: not saved); the model of epoch 20 is used."""
    saved = []
    trainer = SimpleNamespace(save_checkpoint=saved.append)
    checkpoint = ModelCheckpoint(tmp_path / "epoch-{epoch}.npz", save_best_only=True)
    for epoch, val_loss in ((9, 0.5), (19, 0.3), (29, 0.4)):   # counted from 0
        checkpoint.on_checkpoint(trainer, epoch, {"val_loss": val_loss})
    assert [p.rsplit("/", 1)[-1] for p in map(str, saved)] == ["epoch-10.npz", "epoch-20.npz"]
    assert checkpoint.best == 0.3 and checkpoint.best_epoch + 1 == 20
