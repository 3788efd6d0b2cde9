"""Session 35's findings on ``nn.train.fit`` and the scikit-learn estimators: metric names
that would overwrite the loss, lr or each other; ``LRScheduler`` on another optimizer (and
a function that builds it, for the estimators); callbacks that carry a ``monitor`` they do
not read; ``random_state`` seeding a callable module; a failed fit leaving mixed state;
``metrics`` in the estimators; named errors for bad ``classes``, ``random_state``, module
outputs and checkpoint paths; a warning when Ctrl-C ends an estimator's fit."""
from __future__ import annotations

import functools
import os
import signal
from collections import namedtuple
from pathlib import Path
from typing import Any

import numpy as np
import pytest

pytest.importorskip("sklearn")

import autograd  # noqa: E402
import nn  # noqa: E402
import nn.functional as F  # noqa: E402
from nn.errors import ArgumentTypeError, ConfigError  # noqa: E402
from nn.models import MLP  # noqa: E402
from nn.optim.lr_scheduler import ReduceLROnPlateau, StepLR  # noqa: E402
from nn.sklearn import NeuralNetClassifier, NeuralNetRegressor  # noqa: E402
from nn.train import (Callback, EarlyStopping, LambdaCallback, LRScheduler,  # noqa: E402
                      ModelCheckpoint, accuracy, fit)

X = np.random.default_rng(0).normal(size=(64, 3))
Y = (X[:, 0] > 0).astype(np.int64)
Y3 = np.digitize(X[:, 0], [-0.5, 0.5])


def _fit(metrics: Any = (), callbacks: Any = (), epochs: int = 2, loss_fn: Any = None,
         optimizer: Any = None, **kwargs: Any) -> nn.train.History:
    model = MLP([3, 8, 2], rng=0)
    optimizer = optimizer or nn.optim.SGD(model.parameters(), lr=0.1)
    return fit(model, loss_fn or F.cross_entropy, optimizer, (X, Y), epochs=epochs,
               metrics=metrics, callbacks=callbacks, progress=False, generator=0, **kwargs)


def _callable_net(n_features: int, n_outputs: int) -> nn.Module:
    return nn.Sequential(nn.Linear(n_features, 8), nn.ReLU(), nn.Dropout(0.3),
                         nn.Linear(8, n_outputs))


class _FunctionalDropout(nn.Module):
    """A forward that draws its mask from the default generator (F.dropout)."""

    def __init__(self, n_features: int, n_outputs: int) -> None:
        super().__init__()
        self.hidden, self.out = nn.Linear(n_features, 8), nn.Linear(8, n_outputs)

    def forward(self, x: Any) -> Any:
        return self.out(F.dropout(F.relu(self.hidden(x)), 0.3, self.training))


# ---------------------------------------------------------------- 1. metric names
@pytest.mark.parametrize("metrics", [{"loss": accuracy}, {"lr": accuracy},
                                     {"val_accuracy": accuracy}],
                         ids=["loss", "lr", "val_"])
def test_a_metric_named_as_what_fit_logs_itself_is_refused(metrics: dict) -> None:
    name = next(iter(metrics))
    with pytest.raises(ConfigError, match=f"metric is named '{name}'"):
        _fit(metrics)


@pytest.mark.parametrize("metrics", [
    [lambda s, t: 1.0, lambda s, t: 2.0],
    [functools.partial(accuracy), functools.partial(accuracy)]], ids=["lambdas", "partials"])
def test_two_metrics_of_one_name_are_refused_and_a_dict_names_them(metrics: list) -> None:
    with pytest.raises(ConfigError, match="two metrics are named"):
        _fit(metrics)
    history = _fit({"first": metrics[0], "second": metrics[1]})
    assert {"first", "second", "loss", "lr"} <= set(history.history)
    np.testing.assert_array_equal(history["loss"], _fit()["loss"])  # the loss, untouched


def test_a_loss_part_named_as_a_metric_or_as_lr_is_refused() -> None:
    def loss_with(part: str) -> Any:
        parts = namedtuple("Parts", ["loss", part])

        def loss(output: Any, target: Any) -> Any:
            value = F.cross_entropy(output, target)
            return parts(value, value * 0.5)
        return loss
    with pytest.raises(ConfigError, match="part named 'accuracy'"):
        _fit([accuracy], loss_fn=loss_with("accuracy"))
    with pytest.raises(ConfigError, match="loss part is named 'lr'"):
        _fit(loss_fn=loss_with("lr"))
    assert "half" in _fit([accuracy], loss_fn=loss_with("half")).history


# ---------------------------------------------------------------- 2. LRScheduler
def _torch_step_lrs(torch: Any, epochs: int, lr: float, step_size: int, gamma: float) -> list:
    opt = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=lr)
    sched = torch.optim.lr_scheduler.StepLR(opt, step_size=step_size, gamma=gamma)
    lrs = []
    for _ in range(epochs):
        lrs.append(opt.param_groups[0]["lr"])
        opt.step()
        sched.step()
    return lrs


def test_a_scheduler_built_on_another_optimizer_is_refused_before_training() -> None:
    model = MLP([3, 8, 2], rng=0)
    other = StepLR(nn.optim.SGD(model.parameters(), lr=0.1), step_size=1, gamma=0.1)
    before = {k: v.copy() for k, v in model.state_dict().items()}
    with pytest.raises(ConfigError, match="built on another optimizer"):
        fit(model, F.cross_entropy, nn.optim.SGD(model.parameters(), lr=0.1), (X, Y),
            epochs=2, callbacks=[LRScheduler(other)], progress=False)
    for name, value in model.state_dict().items():
        np.testing.assert_array_equal(value, before[name], err_msg=name)


def test_a_function_builds_the_scheduler_on_fits_optimizer(torch: Any) -> None:
    factory = LRScheduler(lambda optimizer: StepLR(optimizer, step_size=1, gamma=0.1))
    history = _fit(callbacks=[factory], epochs=3)
    np.testing.assert_allclose(history["lr"], _torch_step_lrs(torch, 3, 0.1, 1, 0.1))
    with pytest.raises(ArgumentTypeError, match="must return an nn.optim scheduler"):
        _fit(callbacks=[LRScheduler(lambda optimizer: None)])
    with pytest.raises(ArgumentTypeError, match="function optimizer -> scheduler"):
        LRScheduler(StepLR)  # the class, not a scheduler nor a function of the optimizer


def test_the_estimators_schedule_with_a_function_and_refuse_a_built_scheduler(
        torch: Any) -> None:
    step = LRScheduler(functools.partial(StepLR, step_size=2, gamma=0.5))
    clf = NeuralNetClassifier(epochs=5, lr=0.1, callbacks=[step], random_state=0).fit(X, Y)
    np.testing.assert_allclose(clf.history_["lr"], _torch_step_lrs(torch, 5, 0.1, 2, 0.5))
    assert step.scheduler is None  # the estimator's own callback stays unbuilt (copied)
    dummy = nn.optim.SGD([nn.Parameter(np.zeros(1))], lr=0.1)
    with pytest.raises(ConfigError, match="built on another optimizer"):
        NeuralNetClassifier(epochs=2, callbacks=[LRScheduler(StepLR(dummy, 1))]).fit(X, Y)


def test_a_run_with_a_scheduler_function_resumes_exactly(tmp_path: Path) -> None:
    def callbacks() -> list:
        return [LRScheduler(lambda opt: StepLR(opt, step_size=1, gamma=0.5)),
                ModelCheckpoint(tmp_path / "ck-{epoch}.npz")]

    def run(**kwargs: Any) -> tuple[Any, Any]:
        model = MLP([3, 8, 2], rng=0)
        history = fit(model, F.cross_entropy, nn.optim.SGD(model.parameters(), lr=0.1),
                      (X, Y), epochs=4, callbacks=callbacks(), progress=False, generator=0,
                      **kwargs)
        return model, history
    whole, whole_history = run()
    resumed, resumed_history = run(resume_from=tmp_path / "ck-2.npz")
    assert resumed_history["lr"] == whole_history["lr"]
    for name, value in whole.state_dict().items():
        np.testing.assert_array_equal(resumed.state_dict()[name], value, err_msg=name)


# ---------------------------------------------------------------- 3. unused monitors
def test_callbacks_that_do_not_read_their_monitor_need_no_validation_data(
        tmp_path: Path) -> None:
    for callback in (ModelCheckpoint(tmp_path / "every.npz"),
                     ModelCheckpoint(tmp_path / "w.npz", save_weights_only=True),
                     LRScheduler(lambda opt: StepLR(opt, step_size=1))):
        assert NeuralNetClassifier(epochs=2, callbacks=[callback]).fit(X, Y).n_iter_ == 2
    for callback in (ModelCheckpoint(tmp_path / "best.npz", save_best_only=True),
                     LRScheduler(lambda opt: ReduceLROnPlateau(opt))):
        with pytest.raises(ConfigError, match="monitors 'val_loss'.*validation_fraction"):
            NeuralNetClassifier(epochs=2, callbacks=[callback]).fit(X, Y)


# ---------------------------------------------------------------- 4. random_state
@pytest.mark.parametrize("module", [_callable_net, _FunctionalDropout,
                                    _callable_net(3, 2)], ids=["callable", "F.dropout",
                                                               "instance with Dropout"])
def test_random_state_makes_the_fit_of_any_module_repeat(module: Any) -> None:
    clf = NeuralNetClassifier(module=module, epochs=2, random_state=0)
    state = autograd.get_rng_state()
    first = clf.fit(X, Y).predict_proba(X)
    autograd.randn(3)  # the user's script draws from the default generator in between
    second = clf.fit(X, Y).predict_proba(X)
    np.testing.assert_array_equal(first, second)
    autograd.set_rng_state(state)
    autograd.randn(3)
    expected = autograd.get_rng_state()  # the fits draw from a fork of the default generator
    clf.fit(X, Y)
    assert autograd.get_rng_state()["state"] == expected["state"]


def test_two_partial_fits_of_a_callable_module_equal_a_fit_of_two_epochs() -> None:
    kwargs = dict(module=_FunctionalDropout, random_state=3)
    whole = NeuralNetClassifier(epochs=2, **kwargs).fit(X, Y)
    steps = NeuralNetClassifier(**kwargs).partial_fit(X, Y, classes=[0, 1]).partial_fit(X, Y)
    np.testing.assert_array_equal(steps.predict_proba(X), whole.predict_proba(X))


def test_the_default_mlp_still_trains_from_random_state_alone() -> None:
    """The seeding of the default generator draws nothing from the estimator's generator:
    the default MLP trains as fit does with that generator (weights, split, shuffling)."""
    clf = NeuralNetClassifier(hidden_layer_sizes=(6,), dropout=0.2, epochs=3,
                              random_state=7).fit(X, Y)
    rng = np.random.default_rng(7)  # what random_state=7 gives
    model = MLP([3, 6, 2], "relu", output="softmax", dropout=0.2, rng=rng)
    fit(model, F.cross_entropy, nn.optim.Adam(model.parameters(), lr=1e-2), (X, Y),
        epochs=3, progress=False, generator=rng)
    model.eval()
    scores = model(autograd.Tensor(X)).detach().numpy()
    np.testing.assert_allclose(clf.predict_proba(X), F.softmax(autograd.Tensor(scores), -1)
                               .numpy(), rtol=1e-12, atol=1e-15)


# ---------------------------------------------------------------- 5. failed fit
def test_a_fit_that_fails_leaves_the_fitted_estimator_as_it_was() -> None:
    clf = NeuralNetClassifier(epochs=3, random_state=0).fit(X, Y3)
    before = clf.predict_proba(X), clf.classes_.copy(), clf.history_
    labels = np.array(["a", "b", "c", "d"])[np.digitize(X[:, 1], [-1, 0, 1])]
    with pytest.raises(ConfigError):
        clf.set_params(validation_fraction=0.999).fit(X, labels)
    with pytest.raises(ConfigError, match="monitors 'val_loss'"):
        clf.set_params(validation_fraction=0.0, callbacks=[EarlyStopping()]).fit(
            np.column_stack([X, X]), labels)
    np.testing.assert_array_equal(clf.classes_, before[1])
    np.testing.assert_array_equal(clf.predict_proba(X), before[0])
    assert clf.n_features_in_ == 3 and clf.history_ is before[2]


# ---------------------------------------------------------------- 6. metrics
def test_the_classifier_logs_metrics_and_early_stops_on_validation_accuracy() -> None:
    clf = NeuralNetClassifier(epochs=4, validation_fraction=0.25, metrics=[accuracy],
                              random_state=0).fit(X, Y)
    assert {"accuracy", "val_accuracy"} <= set(clf.history_.history)
    _, (X_val, y_val) = clf._split(X, Y, np.random.default_rng(0))
    assert clf.history_["val_accuracy"][-1] == np.mean(clf.predict(X_val) == y_val)
    stop = EarlyStopping(monitor="val_accuracy", patience=1)
    clf.set_params(epochs=30, callbacks=[stop]).fit(X, Y)
    assert clf.n_iter_ <= 30 and "val_accuracy" in clf.history_
    assert clf.get_params()["metrics"] == [accuracy]


def test_an_unlogged_monitor_is_refused_before_any_epoch_with_the_estimators_advice() -> None:
    epochs: list[int] = []
    seen = LambdaCallback(on_epoch_begin=lambda epoch, logs: epochs.append(epoch))
    with pytest.raises(ConfigError, match=r"'val_accuracy'.*metrics=\[nn.train.accuracy\]"):
        NeuralNetClassifier(epochs=3, validation_fraction=0.2, callbacks=[
            seen, EarlyStopping(monitor="val_accuracy")]).fit(X, Y)
    with pytest.raises(ConfigError, match="held-out data"):
        NeuralNetClassifier(epochs=3, metrics=[accuracy], callbacks=[
            seen, EarlyStopping(monitor="val_accuracy")]).fit(X, Y)
    assert epochs == []
    with pytest.raises(ConfigError, match="metric is named 'loss'"):
        NeuralNetClassifier(epochs=1, metrics={"loss": accuracy}).fit(X, Y)


def test_metrics_see_class_indices_and_targets_shaped_as_y_with_sample_weights() -> None:
    shapes: list[tuple] = []

    def spy(scores: np.ndarray, target: np.ndarray) -> float:
        shapes.append((scores.shape, target.shape, target.dtype.kind))
        return 0.0
    weights = np.linspace(0.5, 1.5, len(X))
    NeuralNetClassifier(epochs=1, batch_size=64, metrics=[spy]).fit(X, Y, weights)
    NeuralNetRegressor(epochs=1, batch_size=64, metrics=[spy]).fit(X, X[:, 0], weights)
    NeuralNetRegressor(epochs=1, batch_size=64, metrics=[spy]).fit(X, X[:, :2])
    assert shapes == [((64, 2), (64,), "i"), ((64,), (64,), "f"), ((64, 2), (64, 2), "f")]


# ---------------------------------------------------------------- 7. named errors
def test_bad_classes_random_state_module_output_and_path_are_named_errors() -> None:
    with pytest.raises(ArgumentTypeError, match=r"sorted\(\{0, 1, 2\}\)"):
        NeuralNetClassifier().partial_fit(X, Y3, classes={0, 1, 2})
    with pytest.raises(ConfigError, match="int >= 0"):
        NeuralNetClassifier(epochs=1, random_state=-1).fit(X, Y3)
    with pytest.raises(ArgumentTypeError, match="returned a tuple"):
        NeuralNetClassifier(epochs=1, module=lambda i, o: nn.LSTM(i, o)).fit(X, Y3)
    for path in ("ck-{epoch.npz", "ck-{loss:02d}.npz", "ck}.npz"):
        with pytest.raises(ConfigError, match="not a valid template"):
            ModelCheckpoint(path)
    assert NeuralNetClassifier(epochs=1).partial_fit(X, Y3, classes=[2, 0, 1]).classes_.tolist() \
        == [0, 1, 2]


# ---------------------------------------------------------------- 8. Ctrl-C
class _CtrlC(Callback):
    """Stands for a user pressing Ctrl-C once, at the first batch."""

    def on_batch_end(self, trainer: Any, loss: float) -> None:
        if trainer.epoch == 0:
            os.kill(os.getpid(), signal.SIGINT)


def test_an_estimator_fit_ended_by_ctrl_c_warns() -> None:
    with pytest.warns(UserWarning, match="Ctrl-C stopped this fit after 0 complete epoch"):
        clf = NeuralNetClassifier(epochs=5, callbacks=[_CtrlC()]).fit(X, Y)
    assert clf.history_.interrupted
