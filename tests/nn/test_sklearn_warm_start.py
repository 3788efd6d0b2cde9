"""scikit-learn's MLPClassifier/MLPRegressor habits on the nn.sklearn estimators:
``warm_start=True`` (a second fit continues from the fitted weights) and
``partial_fit`` (one epoch on the data given; the classifier needs ``classes=`` first)."""
import copy
import warnings

import numpy as np
import pytest

pytest.importorskip("sklearn")

from sklearn.base import clone  # noqa: E402
from sklearn.datasets import load_iris, make_regression  # noqa: E402
from sklearn.neural_network import MLPClassifier, MLPRegressor  # noqa: E402

from nn.sklearn import NeuralNetClassifier, NeuralNetRegressor  # noqa: E402

X, Y = load_iris(return_X_y=True)
XR, YR = make_regression(80, 3, n_targets=2, random_state=0)


def weights(est):
    return [p.data.copy() for p in est.module_.parameters()]


def same(a, b):
    return all(np.array_equal(x, y) for x, y in zip(a, b))


@pytest.mark.parametrize("dropout", [0.0, 0.2])
def test_partial_fit_calls_equal_one_fit_of_as_many_epochs(dropout):
    """Each call is one epoch that keeps the weights, the optimizer state and the random
    stream: three calls are fit(epochs=3), also after a first fit(epochs=1)."""
    full = NeuralNetClassifier(epochs=3, dropout=dropout, random_state=0).fit(X, Y)
    parts = NeuralNetClassifier(dropout=dropout, random_state=0)
    for _ in range(3):
        assert parts.partial_fit(X, Y, classes=[0, 1, 2]) is parts
        assert parts.n_iter_ == 1 and len(parts.history_) == 1  # this call's (as sklearn)
    after_fit = NeuralNetClassifier(epochs=1, dropout=dropout, random_state=0).fit(X, Y)
    after_fit.partial_fit(X, Y)
    after_fit.partial_fit(X, Y)
    for est in (parts, after_fit):
        assert same(weights(est), weights(full))
        np.testing.assert_array_equal(est.predict_proba(X), full.predict_proba(X))


def test_regressor_partial_fit_equals_fit():
    full = NeuralNetRegressor(epochs=2, random_state=0).fit(XR, YR)
    parts = NeuralNetRegressor(random_state=0)
    parts.partial_fit(XR, YR).partial_fit(XR, YR)
    np.testing.assert_array_equal(parts.predict(XR), full.predict(XR))


@pytest.mark.parametrize("cls, X_, y_", [(NeuralNetClassifier, X, Y),
                                         (NeuralNetRegressor, XR, YR)])
def test_warm_start_fit_continues_from_the_fitted_weights(cls, X_, y_):
    """The second fit trains the fitted module further with a new optimizer, as
    MLPClassifier: the same as fitting a copy of the fitted module."""
    warm = cls(epochs=2, random_state=0, warm_start=True).fit(X_, y_)
    first = copy.deepcopy(warm.module_)
    warm.fit(X_, y_)
    from_copy = cls(first, epochs=2, random_state=0).fit(X_, y_)
    assert same(weights(warm), weights(from_copy))
    cold = cls(epochs=2, random_state=0).fit(X_, y_)
    cold.fit(X_, y_)  # warm_start=False: starts afresh, so repeats itself
    assert same(weights(cold), [p.data for p in first.parameters()])
    assert "warm_start" in clone(warm).get_params() and not hasattr(clone(warm), "module_")


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_repeated_warm_fits_and_partial_fits_improve_as_sklearns_do():
    for est in (NeuralNetClassifier(epochs=5, random_state=0, warm_start=True),
                MLPClassifier(max_iter=5, random_state=0, warm_start=True)):
        before = est.fit(X, Y).score(X, Y)
        for _ in range(4):
            est.fit(X, Y)
        assert est.score(X, Y) > before, type(est).__name__
    for est in (NeuralNetRegressor(random_state=0, lr=0.05), MLPRegressor(random_state=0,
                                                                          learning_rate_init=0.05)):
        before = est.partial_fit(XR, YR).score(XR, YR)
        for _ in range(20):
            est.partial_fit(XR, YR)
        assert est.score(XR, YR) > max(before, 0.5), type(est).__name__


def test_partial_fit_classes_as_sklearn():
    """classes= is required on the first call, may be omitted later, must not change, and
    y need not hold every class but may hold no other."""
    for est in (NeuralNetClassifier(random_state=0), MLPClassifier()):
        with pytest.raises(ValueError, match="classes"):
            est.partial_fit(X, Y)
    est = NeuralNetClassifier(random_state=0).partial_fit(X[Y == 0], Y[Y == 0],
                                                          classes=[2, 0, 1])
    np.testing.assert_array_equal(est.classes_, [0, 1, 2])
    assert est.predict_proba(X).shape == (150, 3)
    est.partial_fit(X, Y)
    est.partial_fit(X, Y, classes=np.array([0, 1, 2]))
    with pytest.raises(ValueError, match=r"classes=\[0, 1\] differs .*\[0, 1, 2\]"):
        est.partial_fit(X, Y, classes=[0, 1])
    with pytest.raises(ValueError, match=r"y has labels \[7\], not among the classes"):
        est.partial_fit(X, np.where(Y == 2, 7, Y))
    with pytest.raises(ValueError, match="a single class"):
        NeuralNetClassifier().partial_fit(X, Y * 0, classes=[0])


def test_warm_start_refuses_other_classes_features_or_targets():
    clf = NeuralNetClassifier(epochs=1, random_state=0, warm_start=True).fit(X, Y)
    with pytest.raises(ValueError, match=r"classes are \[0, 1, 2\]; y has \[0, 1\]"):
        clf.fit(X[Y < 2], Y[Y < 2])
    with pytest.raises(ValueError, match="3 features, but NeuralNetClassifier is expecting 4"):
        clf.fit(X[:, :3], Y)
    with pytest.raises(ValueError, match="3 features"):
        clf.partial_fit(X[:, :3], Y)
    clf.set_params(warm_start=False).fit(X[Y < 2, :3], Y[Y < 2])  # afresh: anything goes
    reg = NeuralNetRegressor(epochs=1, random_state=0, warm_start=True).fit(XR, YR)
    with pytest.raises(ValueError, match=r"y has 1 target column\(s\); the fitted model"):
        reg.fit(XR, YR[:, 0])
    with pytest.raises(TypeError, match="warm_start"):
        NeuralNetRegressor(warm_start="yes").fit(XR, YR)


def test_partial_fit_holds_out_nothing():
    from nn.train import EarlyStopping
    with pytest.raises(ValueError, match="partial_fit .* holds none out; set "
                                         "validation_fraction=0"):
        NeuralNetClassifier(validation_fraction=0.2).partial_fit(X, Y, classes=[0, 1, 2])
    with pytest.raises(ValueError, match="monitors 'val_loss', but partial_fit holds out"):
        NeuralNetClassifier(callbacks=[EarlyStopping()]).partial_fit(X, Y, classes=[0, 1, 2])


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
@pytest.mark.parametrize("fit_dtype, predict_dtype", [(np.float32, np.float32),
                                                      (np.float64, np.float32),
                                                      (np.float64, np.float64),
                                                      (np.int64, np.float32)])
def test_prediction_dtypes_follow_sklearns_mlps(fit_dtype, predict_dtype):
    """float32 X trains a float32 MLP and predicts float32, as MLPClassifier's weights
    take X's dtype; other X trains in float64."""
    pairs = [(NeuralNetClassifier(epochs=1, random_state=0), MLPClassifier(max_iter=1)),
             (NeuralNetRegressor(epochs=1, random_state=0), MLPRegressor(max_iter=1))]
    for ours, theirs in pairs:
        for est in (ours, theirs):
            est.fit(X.astype(fit_dtype), Y.astype(np.float32))
        assert next(ours.module_.parameters()).dtype == theirs.coefs_[0].dtype
        Xp = X.astype(predict_dtype)
        methods = ["predict_proba", "predict_log_proba"] if hasattr(ours, "classes_") else [
            "predict"]
        for method in methods:
            assert getattr(ours, method)(Xp).dtype == getattr(theirs, method)(Xp).dtype
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # float64 weights and targets meet a float32 model
        NeuralNetRegressor(epochs=1).fit(X.astype(fit_dtype), Y, sample_weight=np.ones(150))
