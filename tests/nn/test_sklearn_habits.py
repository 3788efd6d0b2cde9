"""nn.sklearn used as scikit-learn users use MLPClassifier / MLPRegressor: the same
parameter values, the same fit arguments, the same expectations on the results."""
from __future__ import annotations

import numpy as np
import pytest

pytest.importorskip("sklearn")
from sklearn.datasets import make_moons  # noqa: E402
from sklearn.neural_network import MLPClassifier  # noqa: E402

from autograd.errors import AutogradError  # noqa: E402
from nn.sklearn import NeuralNetClassifier  # noqa: E402


@pytest.fixture
def moons() -> tuple[np.ndarray, np.ndarray]:
    return make_moons(80, noise=0.2, random_state=0)


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_an_int_hidden_layer_sizes_is_one_hidden_layer_as_in_mlp_classifier(moons: tuple
                                                                            ) -> None:
    X, y = moons
    theirs = MLPClassifier(hidden_layer_sizes=7, max_iter=5).fit(X, y)
    ours = NeuralNetClassifier(hidden_layer_sizes=7, epochs=3, random_state=0).fit(X, y)
    hidden = [c.shape[1] for c in theirs.coefs_[:-1]]
    assert ours.module_.sizes == [2, *hidden, 2]
    as_tuple = NeuralNetClassifier(hidden_layer_sizes=(7,), epochs=3, random_state=0)
    np.testing.assert_array_equal(ours.predict_proba(X), as_tuple.fit(X, y).predict_proba(X))


def test_a_hidden_layer_sizes_that_is_no_sequence_is_a_named_error(moons: tuple) -> None:
    with pytest.raises(ValueError, match=r"hidden_layer_sizes must be a sequence.*got 7\.5"
                       ) as info:
        NeuralNetClassifier(hidden_layer_sizes=7.5, epochs=1).fit(*moons)
    assert isinstance(info.value, AutogradError)


@pytest.mark.parametrize("name", ["identity", "logistic", "tanh", "relu"])
def test_every_activation_name_of_mlp_classifier_is_accepted(moons: tuple, name: str) -> None:
    X, y = moons
    MLPClassifier(activation=name)._validate_params()  # scikit-learn's own list of names
    clf = NeuralNetClassifier(activation=name, epochs=2, random_state=0).fit(X, y)
    if name == "logistic":
        sigmoid = NeuralNetClassifier(activation="sigmoid", epochs=2, random_state=0)
        np.testing.assert_array_equal(clf.predict_proba(X),
                                      sigmoid.fit(X, y).predict_proba(X))
