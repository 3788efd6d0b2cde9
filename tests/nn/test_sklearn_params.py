"""set_params of the nn.sklearn estimators as skorch and scikit-learn users call it: flat
names and nested names of estimator parts work; skorch's module__x / optimizer__x, whose
parts have no parameters here, are named errors that set nothing."""
from __future__ import annotations

import functools

import numpy as np

import pytest

pytest.importorskip("sklearn")
from sklearn.base import clone  # noqa: E402
from sklearn.datasets import make_moons  # noqa: E402
from sklearn.model_selection import GridSearchCV  # noqa: E402
from sklearn.pipeline import make_pipeline  # noqa: E402
from sklearn.preprocessing import StandardScaler  # noqa: E402

import nn  # noqa: E402
from nn.errors import ConfigError  # noqa: E402
from nn.sklearn import NeuralNetClassifier, NeuralNetRegressor  # noqa: E402


@pytest.mark.parametrize("estimator", [NeuralNetClassifier, NeuralNetRegressor])
@pytest.mark.parametrize("key, part", [("module__hidden_units", "module=None"),
                                       ("optimizer__momentum", "optimizer='adam'")])
def test_skorch_nested_names_are_a_named_error_that_sets_nothing(
        estimator: type, key: str, part: str) -> None:
    est = estimator(epochs=3)
    with pytest.raises(ConfigError, match=rf"set_params\({key}=...\): {part} has no "
                                          rf"parameters to set; skorch's .* nothing was set"):
        est.set_params(epochs=7, **{key: 0.9})  # was: AttributeError on None / 'adam'
    assert est.epochs == 3
    with pytest.raises(ConfigError, match="module=Linear"):
        estimator(nn.Linear(2, 2)).set_params(module__in_features=3)


def test_flat_and_pipeline_names_still_set_and_a_ready_optimizer_is_the_way() -> None:
    X, y = make_moons(60, noise=0.2, random_state=0)
    est = NeuralNetClassifier(epochs=2, random_state=0).set_params(lr=0.05, epochs=3)
    assert (est.lr, est.epochs) == (0.05, 3)
    with pytest.raises(ValueError, match="Invalid parameter 'nope'"):
        est.set_params(nope__x=1)  # scikit-learn's own error for an unknown name
    sgd = functools.partial(nn.optim.SGD, momentum=0.9)
    pipe = make_pipeline(StandardScaler(), NeuralNetClassifier(epochs=2, random_state=0))
    search = GridSearchCV(pipe, {"neuralnetclassifier__optimizer": [sgd, "adam"],
                                 "standardscaler__with_mean": [True]}, cv=2).fit(X, y)
    assert search.best_params_["standardscaler__with_mean"] is True
    fitted = clone(pipe).set_params(neuralnetclassifier__optimizer=sgd).fit(X, y)
    assert fitted[-1]._optimizer.param_groups[0]["momentum"] == 0.9


def test_callbacks_none_or_one_and_an_integer_verbose_as_scikit_learn() -> None:
    """callbacks=None or one callback alone, as fit takes them; verbose=1, scikit-learn's
    habit, shows progress; a verbose that is no count is a named error."""
    from nn.errors import ArgumentTypeError
    from nn.train import EarlyStopping
    rng = np.random.default_rng(0)
    X = rng.normal(size=(40, 3))
    y = (X[:, 0] > 0).astype(int)
    assert NeuralNetClassifier(epochs=2, callbacks=None, random_state=0).fit(X, y).n_iter_ == 2
    alone = NeuralNetClassifier(epochs=30, callbacks=EarlyStopping(patience=1),
                                validation_fraction=0.25, random_state=0)
    assert alone.fit(X, y).n_iter_ <= 30
    assert NeuralNetClassifier(epochs=1, verbose=0, random_state=0).fit(X, y).n_iter_ == 1
    with pytest.raises(ArgumentTypeError, match="verbose"):
        NeuralNetClassifier(epochs=1, verbose="yes").fit(X, y)
