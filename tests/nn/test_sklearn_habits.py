"""nn.sklearn used as scikit-learn users use MLPClassifier / MLPRegressor: the same
parameter values, the same fit arguments, the same expectations on the results."""
from __future__ import annotations

import numpy as np
import pytest

pytest.importorskip("sklearn")
from sklearn.datasets import make_moons  # noqa: E402
from sklearn.neural_network import MLPClassifier  # noqa: E402
from sklearn.pipeline import make_pipeline  # noqa: E402
from sklearn.preprocessing import StandardScaler  # noqa: E402

import nn  # noqa: E402
from autograd import Tensor  # noqa: E402
from autograd.errors import AutogradError, ShapeError  # noqa: E402
from nn.sklearn import NeuralNetClassifier, NeuralNetRegressor  # noqa: E402


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


@pytest.mark.parametrize("estimator, width", [(NeuralNetClassifier, 3), (NeuralNetClassifier, 1),
                                              (NeuralNetRegressor, 2)])
def test_a_module_of_the_wrong_output_width_is_a_named_error_before_training(
        moons: tuple, estimator: type, width: int) -> None:
    """A classifier's module with more columns than classes used to train and give
    predict_proba 3 columns for 2 classes (and predict an IndexError)."""
    X, y = moons
    est = estimator(lambda n_in, n_out: nn.Linear(n_in, width, rng=0), epochs=1)
    with pytest.raises(ValueError, match=rf"maps 1 sample\(s\) to shape \(1, {width}\); "
                                         rf"expected \(1, (2|1)\)") as info:
        est.fit(X, y)
    assert isinstance(info.value, ShapeError) and not hasattr(est, "history_")


def test_a_regressor_module_giving_a_flat_output_is_a_named_error(moons: tuple) -> None:
    class Flat(nn.Module):
        def __init__(self, n_in: int) -> None:
            super().__init__()
            self.linear = nn.Linear(n_in, 1, rng=0)

        def forward(self, x: Tensor) -> Tensor:
            return self.linear(x).reshape(-1)

    X, y = moons
    with pytest.raises(ShapeError, match=r"shape \(1,\); expected \(1, 1\), one output "
                                         r"column per target"):
        NeuralNetRegressor(lambda n_in, n_out: Flat(n_in), epochs=1).fit(X, y * 1.0)


@pytest.mark.parametrize("estimator", [NeuralNetClassifier, NeuralNetRegressor])
def test_sample_weight_of_k_equals_repeating_the_sample_k_times(moons: tuple,
                                                                estimator: type) -> None:
    """fit(X, y, sample_weight=w), as MLPClassifier takes it: with one batch per epoch
    (the weighted mean loss is then the mean over the repeated rows) it trains exactly
    as on the data with row i repeated w_i times."""
    X, y = moons
    y = y if estimator is NeuralNetClassifier else X @ np.array([1.0, -0.5])
    w = np.random.default_rng(0).integers(0, 4, len(X))
    kwargs = dict(epochs=10, batch_size=1000, random_state=0)
    weighted = estimator(**kwargs).fit(X, y, sample_weight=w)
    repeated = estimator(**kwargs).fit(np.repeat(X, w, axis=0), np.repeat(y, w))
    np.testing.assert_allclose(weighted.history_["loss"], repeated.history_["loss"],
                               rtol=1e-9)
    ones = estimator(**kwargs).fit(X, y, sample_weight=np.ones(len(X)))
    np.testing.assert_allclose(ones.history_["loss"], estimator(**kwargs).fit(X, y)
                               .history_["loss"], rtol=1e-9)


def test_sample_weight_goes_through_a_pipeline_and_bad_weights_are_named(moons: tuple
                                                                         ) -> None:
    X, y = moons
    pipe = make_pipeline(StandardScaler(), NeuralNetClassifier(epochs=2, random_state=0))
    pipe.fit(X, y, neuralnetclassifier__sample_weight=np.where(y == 1, 2.0, 1.0))
    clf = NeuralNetClassifier(epochs=1)
    with pytest.raises(ShapeError, match=r"sample_weight has shape \(3,\); expected \(80,\)"):
        clf.fit(X, y, sample_weight=[1, 2, 3])
    for bad in (-np.ones(len(X)), np.zeros(len(X))):
        with pytest.raises(ValueError, match=r"finite and >= 0, not all zero") as info:
            clf.fit(X, y, sample_weight=bad)
        assert isinstance(info.value, AutogradError)


def test_predict_log_proba_is_the_log_of_predict_proba_and_stays_finite(moons: tuple
                                                                        ) -> None:
    """MLPClassifier has predict_log_proba; here it raised AttributeError."""
    X, y = moons
    clf = NeuralNetClassifier(epochs=3, random_state=0).fit(X, y)
    np.testing.assert_allclose(clf.predict_log_proba(X), np.log(clf.predict_proba(X)),
                               rtol=1e-12, atol=1e-12)
    far = X * 1e4  # scores so large that one probability underflows to 0
    assert (clf.predict_proba(far) == 0).any() and np.isfinite(clf.predict_log_proba(far)).all()


def test_early_stopping_through_the_estimator_uses_a_held_out_stratified_share(
        moons: tuple) -> None:
    """EarlyStopping() (monitor 'val_loss') could not be used through the wrapper: fit
    said 'pass val=... to fit', which a wrapper user cannot do. validation_fraction
    (MLPClassifier's name) holds out that share, stratified, as fit's val."""
    X, y = moons
    clf = NeuralNetClassifier(hidden_layer_sizes=(16,), epochs=60, lr=0.05, random_state=0,
                              validation_fraction=0.25,
                              callbacks=[nn.train.EarlyStopping(patience=2)])
    clf.fit(X, y)
    assert "val_loss" in clf.history_.history and clf.n_iter_ < 60  # stopped early
    again = NeuralNetClassifier(**clf.get_params()).fit(X, y)  # clone-able, reproducible
    assert again.history_.history == clf.history_.history
    (_, y_fit), (_, y_val) = clf._split(X, y, np.random.default_rng(0))
    assert len(y_val) == 20 and np.bincount(y_val).tolist() == [10, 10]  # stratified
    assert len(y_fit) == 60 and np.bincount(y_fit).tolist() == [30, 30]


def test_a_val_monitor_without_validation_fraction_and_bad_fractions_are_named(
        moons: tuple) -> None:
    X, y = moons
    with pytest.raises(nn.errors.ConfigError, match="monitors 'val_loss'.*validation_fraction"):
        NeuralNetClassifier(epochs=2, callbacks=[nn.train.EarlyStopping()]).fit(X, y)
    for bad in (1.0, -0.1, True, "0.1"):
        with pytest.raises(nn.errors.ConfigError, match="validation_fraction must be"):
            NeuralNetRegressor(epochs=1, validation_fraction=bad).fit(X, y)
    with pytest.raises(nn.errors.ConfigError, match="cannot hold out"):
        NeuralNetClassifier(epochs=1, validation_fraction=0.01).fit(X, y)  # < 1 per class
