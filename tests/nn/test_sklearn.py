"""nn.sklearn: scikit-learn's estimator checks, cross-validation, pipelines, grid search.

Checks scikit-learn itself skips say why in their skip message (no pandas installed, the
array-API environment variable unset); none is skipped by this project.
"""
from __future__ import annotations

import importlib
import sys
import warnings

import numpy as np
import pytest

pytest.importorskip("sklearn")
from sklearn.datasets import load_digits, make_moons  # noqa: E402
from sklearn.model_selection import (GridSearchCV, StratifiedKFold,  # noqa: E402
                                     cross_val_score)
from sklearn.pipeline import make_pipeline  # noqa: E402
from sklearn.preprocessing import StandardScaler  # noqa: E402
from sklearn.utils.estimator_checks import parametrize_with_checks  # noqa: E402

import nn  # noqa: E402
from nn._optional import MissingDependencyError  # noqa: E402
from nn.sklearn import NeuralNetClassifier, NeuralNetRegressor  # noqa: E402


@parametrize_with_checks([NeuralNetClassifier(epochs=30, random_state=0),
                          NeuralNetRegressor(epochs=30, random_state=0)],
                         expected_failed_checks=lambda est: {})
def test_scikit_learn_estimator_checks(estimator: object, check: object) -> None:
    check(estimator)


def test_cross_val_score_with_stratified_k_fold_in_a_pipeline() -> None:
    X, y = load_digits(return_X_y=True)
    X, y = X[:600], y[:600]
    clf = make_pipeline(StandardScaler(), NeuralNetClassifier(epochs=15, random_state=0))
    scores = cross_val_score(clf, X, y, cv=StratifiedKFold(5, shuffle=True, random_state=0))
    assert scores.shape == (5,) and scores.min() > 0.85


def test_grid_search_over_the_wrapper_and_clone_keep_parameters() -> None:
    X, y = make_moons(200, noise=0.2, random_state=0)
    search = GridSearchCV(NeuralNetClassifier(epochs=20, random_state=0),
                          {"lr": [1e-3, 3e-2], "hidden_layer_sizes": [(8,), (16, 16)]}, cv=3)
    search.fit(X, y)
    assert set(search.best_params_) == {"lr", "hidden_layer_sizes"}
    assert search.best_estimator_.get_params()["epochs"] == 20
    assert search.score(X, y) > 0.85


def test_custom_module_builder_and_regression() -> None:
    X = np.random.default_rng(0).uniform(-1, 1, (200, 3))
    y = X @ np.array([1.0, -2.0, 0.5]) + 0.3
    reg = NeuralNetRegressor(lambda n_in, n_out: nn.Linear(n_in, n_out, rng=0), lr=0.05,
                             epochs=40, random_state=0).fit(X, y)
    assert reg.predict(X).shape == (200,) and reg.score(X, y) > 0.99
    Y2 = np.stack([y, -y], axis=1)
    assert NeuralNetRegressor(epochs=40, random_state=0).fit(X, Y2).predict(X).shape == (200, 2)
    template = nn.models.MLP([3, 4, 2], output="softmax", rng=0)
    clf = NeuralNetClassifier(template, epochs=5, random_state=0).fit(X, y > 0)
    assert clf.module_ is not template and set(clf.predict(X)) <= {False, True}


def test_a_float32_module_predicts_float32_data_without_warnings() -> None:
    """fit casts scikit-learn's float64 data to the module's dtype; predict and
    predict_proba must too, else every call warns with advice the user cannot follow."""
    X, y = make_moons(60, noise=0.2, random_state=0)
    template = nn.models.MLP([2, 4, 2], output="softmax", rng=0).astype(np.float32)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        clf = NeuralNetClassifier(template, epochs=2, random_state=0).fit(X, y)
        proba = clf.predict_proba(X)
        reg = NeuralNetRegressor(lambda n_in, n_out: nn.Linear(n_in, n_out, dtype=np.float32),
                                 epochs=2, random_state=0).fit(X, X[:, 0])
        values = reg.predict(X)
    assert proba.dtype == values.dtype == np.float32
    np.testing.assert_allclose(proba, clf.module_.predict_proba(X.astype(np.float32)),
                               rtol=1e-6)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0, rtol=1e-6)


def test_predict_casts_with_the_trainers_rule(monkeypatch: pytest.MonkeyPatch) -> None:
    """One cast for fit and predict: the estimators call the trainer's as_model_dtype."""
    import nn.sklearn as wrapper
    from nn.train.trainer import as_model_dtype
    seen = []

    def spy(array, model):
        seen.append(array.dtype)
        return as_model_dtype(array, model)

    X, y = make_moons(40, noise=0.2, random_state=0)
    template = nn.models.MLP([2, 3, 2], output="softmax", rng=0).astype(np.float32)
    clf = NeuralNetClassifier(template, epochs=1, random_state=0).fit(X, y)
    monkeypatch.setattr(wrapper, "as_model_dtype", spy)
    assert clf.predict_proba(X).dtype == np.float32 and seen == [np.float64]


def test_importing_without_scikit_learn_names_the_extra(monkeypatch: pytest.MonkeyPatch
                                                       ) -> None:
    monkeypatch.setitem(sys.modules, "sklearn", None)  # makes `import sklearn` fail
    monkeypatch.delitem(sys.modules, "nn.sklearn")
    with pytest.raises(ImportError, match=r'pip install -e "\.\[examples\]"') as info:
        importlib.import_module("nn.sklearn")
    assert isinstance(info.value, MissingDependencyError) and "scikit-learn" in str(info.value)


def test_classifier_on_a_single_class_raises_a_value_error_naming_classes() -> None:
    """As LogisticRegression, SVC and SGDClassifier (scikit-learn's one-label estimator
    check accepts a ValueError mentioning 'class'): one class leaves nothing to learn."""
    X = np.random.default_rng(0).uniform(size=(10, 3))
    with pytest.raises(ValueError, match=r"y holds a single class \('a'\).*at least 2 "
                                         r"classes.*StratifiedKFold"):
        NeuralNetClassifier(epochs=1).fit(X, np.array(["a"] * 10))
