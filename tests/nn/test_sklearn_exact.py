"""Parameters of the scikit-learn estimators reaching what they train: random_state as a
RandomState, a module instance left untouched, weight_decay, activation="logistic",
dropout, per-target mean squared error, n_iter_ with early stopping."""
from __future__ import annotations

import numpy as np
import pytest

pytest.importorskip("sklearn")

import nn  # noqa: E402
from autograd import Tensor  # noqa: E402
from nn.sklearn import NeuralNetClassifier, NeuralNetRegressor  # noqa: E402
from nn.train import EarlyStopping  # noqa: E402

RNG = np.random.default_rng(5)
X = RNG.normal(size=(40, 3))
Y = (X[:, 0] + X[:, 1] > 0).astype(np.int64)
Y2 = np.column_stack([X[:, 0] * 2.0, X[:, 1] - X[:, 2]])


def _clf(**kwargs: object) -> NeuralNetClassifier:
    return NeuralNetClassifier(**{"hidden_layer_sizes": (5,), "epochs": 3, "batch_size": 8,
                                  **kwargs})


def test_a_random_state_given_as_a_numpy_random_state_repeats_the_fit() -> None:
    a = _clf(random_state=np.random.RandomState(0)).fit(X, Y)
    b = _clf(random_state=np.random.RandomState(0)).fit(X, Y)
    np.testing.assert_array_equal(a.predict_proba(X), b.predict_proba(X))


def test_a_module_instance_is_copied_not_trained() -> None:
    module = nn.Sequential(nn.Linear(3, 4, rng=0), nn.Tanh(), nn.Linear(4, 2, rng=1))
    before = {k: v.copy() for k, v in module.state_dict().items()}
    clf = _clf(module=module, random_state=0).fit(X, Y)
    assert clf.module_ is not module
    for name, value in module.state_dict().items():
        np.testing.assert_array_equal(value, before[name], err_msg=name)


def test_weight_decay_reaches_the_optimizer() -> None:
    plain = _clf(random_state=0, optimizer="sgd", lr=0.1).fit(X, Y)
    decayed = _clf(random_state=0, optimizer="sgd", lr=0.1).set_params(weight_decay=0.5)
    decayed.fit(X, Y)
    norm = {name: sum(float(np.sum(v ** 2)) for v in m.module_.state_dict().values())
            for name, m in (("plain", plain), ("decayed", decayed))}
    assert norm["decayed"] < norm["plain"]


def test_logistic_activation_and_dropout_build_the_layers_they_name() -> None:
    clf = _clf(activation="logistic", dropout=0.25, random_state=0).fit(X, Y)
    layers = list(clf.module_)
    assert any(isinstance(m, nn.Sigmoid) for m in layers)
    assert not any(isinstance(m, nn.ReLU) for m in layers)
    dropouts = [m for m in layers if isinstance(m, nn.Dropout)]
    assert len(dropouts) == 1 and dropouts[0].p == 0.25


def test_unit_sample_weights_train_as_no_weights_on_several_targets() -> None:
    """The weighted loss is the mean squared error over the target columns, as the
    unweighted one is (not their sum)."""
    def reg() -> NeuralNetRegressor:
        return NeuralNetRegressor(hidden_layer_sizes=(5,), epochs=3, batch_size=8,
                                  optimizer="sgd", lr=0.05, random_state=0)

    plain = reg().fit(X, Y2)
    weighted = reg().fit(X, Y2, sample_weight=np.ones(len(X)))
    np.testing.assert_allclose(weighted.predict(X), plain.predict(X), rtol=1e-10, atol=1e-12)


def test_n_iter_counts_the_epochs_early_stopping_let_run() -> None:
    clf = _clf(epochs=50, validation_fraction=0.25, random_state=0,
               callbacks=[EarlyStopping(patience=1, min_delta=1e9)])
    clf.fit(X, Y)
    assert clf.n_iter_ == len(clf.history_) < 50


def test_predict_proba_is_the_softmax_of_the_module_scores_per_sample() -> None:
    clf = _clf(random_state=0).fit(X, Y)
    clf.module_.eval()
    scores = clf.module_(Tensor(X)).data
    expected = np.exp(scores) / np.exp(scores).sum(axis=1, keepdims=True)
    np.testing.assert_allclose(clf.predict_proba(X), expected, rtol=1e-12)
