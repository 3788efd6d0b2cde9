"""nn.sklearn against scikit-learn's MLP contract (session 37): a diverged fit raises and
leaves the estimator as it was; a fit that continues the fitted model refuses changed
architecture parameters; a regressor refuses text targets; partial_fit refuses NaN as a
class; messages name the parameter and the estimator."""
from __future__ import annotations

import functools
import warnings

import numpy as np
import pytest
from sklearn.exceptions import NotFittedError
from sklearn.neural_network import MLPClassifier, MLPRegressor
from sklearn.utils.validation import check_is_fitted

from autograd.errors import AutogradError, DataError
from nn import optim
from nn.errors import ConfigError
from nn.models import MLP
from nn.sklearn import NeuralNetClassifier, NeuralNetRegressor

RNG = np.random.default_rng(0)
X = RNG.normal(size=(60, 4))
Y = (X[:, 0] > 0).astype(int)
Y_REG = X @ RNG.normal(size=4)
BLOW_UP = 1e200  # inputs this large make SGD's first steps' weights overflow

pytestmark = pytest.mark.filterwarnings("ignore::RuntimeWarning",  # NumPy's overflow
                                        "ignore::sklearn.exceptions.ConvergenceWarning")


def small(cls=NeuralNetClassifier, **params):
    defaults = dict(hidden_layer_sizes=(8,), epochs=3, batch_size=16, random_state=0)
    return cls(**{**defaults, **params})


def weights(est) -> dict[str, np.ndarray]:
    return {name: t.data.copy() for name, t in est.module_.state_dict().items()}


def assert_same_weights(before: dict, after: dict) -> None:
    assert before.keys() == after.keys()
    for name in before:
        np.testing.assert_array_equal(before[name], after[name], err_msg=name)


# ------------------------------------------------------------ 1: diverged fits
def test_a_diverged_fit_raises_a_value_error_as_mlp_and_leaves_the_estimator_unfitted():
    diverging = dict(optimizer="sgd", lr=1e8, epochs=20)
    clf = small(**diverging)
    with pytest.raises(DataError, match=r"NeuralNetClassifier: training diverged: the solver "
                       r"produced non-finite parameter weights.*Scale the inputs.*lower lr"):
        clf.fit(X * 1e6, Y)
    assert not hasattr(clf, "module_") and not hasattr(clf, "classes_")
    with pytest.raises(NotFittedError):
        clf.predict(X)


def test_a_diverged_regressor_fit_raises_a_value_error_as_mlp_regressor():
    y = Y_REG * 1e3
    with pytest.raises(ValueError, match="non-finite parameter weights"):
        MLPRegressor(hidden_layer_sizes=(8,), solver="sgd", learning_rate_init=1e3,
                     max_iter=5, random_state=0).fit(X, y)
    reg = small(NeuralNetRegressor, optimizer="sgd", lr=1e3, epochs=5)
    with pytest.raises(ValueError, match="NeuralNetRegressor: .*non-finite parameter weights"
                       ) as raised:
        reg.fit(X, y)
    assert isinstance(raised.value, AutogradError)
    with pytest.raises(NotFittedError):
        check_is_fitted(reg)


def test_a_diverged_refit_keeps_the_previous_model():
    clf = small().fit(X, Y)
    proba, before, history = clf.predict_proba(X), weights(clf), clf.history_
    clf.set_params(optimizer="sgd", lr=1e8, epochs=20)
    with pytest.raises(DataError, match="non-finite"):
        clf.fit(X * 1e6, Y)
    assert clf.history_ is history
    assert_same_weights(before, weights(clf))
    np.testing.assert_array_equal(clf.predict_proba(X), proba)


def test_a_diverged_warm_start_fit_puts_the_fitted_weights_back():
    clf = small(warm_start=True).fit(X, Y)
    module, before, n_iter = clf.module_, weights(clf), clf.n_iter_
    clf.set_params(optimizer="sgd", lr=1e8, epochs=20)
    with pytest.raises(DataError, match=r"lower lr \(set_params"):
        clf.fit(X * 1e6, Y)
    assert clf.module_ is module and clf.n_iter_ == n_iter
    assert_same_weights(before, weights(clf))
    clf.set_params(lr=1e-2, optimizer="adam")
    assert np.isfinite(clf.fit(X, Y).predict_proba(X)).all()  # and it goes on from there


@pytest.mark.parametrize("cls, y", [(NeuralNetClassifier, Y), (NeuralNetRegressor, Y_REG)])
def test_a_diverged_partial_fit_leaves_the_estimator_as_if_it_had_not_been_called(cls, y):
    """Weights, optimizer state and random stream are put back: the next partial_fit
    gives what it gives on an estimator that never saw the diverging call."""
    extra = {"classes": [0, 1]} if cls is NeuralNetClassifier else {}
    momentum = functools.partial(optim.SGD, momentum=0.9)  # an optimizer with state
    seen, unseen = small(cls, optimizer=momentum), small(cls, optimizer=momentum)
    for est in (seen, unseen):
        est.partial_fit(X, y, **extra)
    before = weights(seen)
    with pytest.raises(DataError, match=r"non-finite.*clone\(estimator\)"):
        seen.partial_fit(X * BLOW_UP, y)
    assert_same_weights(before, weights(seen))
    assert seen.n_iter_ == 1
    for est in (seen, unseen):
        est.partial_fit(X[::-1], y[::-1])
    assert_same_weights(weights(unseen), weights(seen))


def test_a_first_partial_fit_that_diverges_leaves_the_estimator_unfitted():
    clf = small(optimizer="sgd")
    with pytest.raises(DataError, match="non-finite"):
        clf.partial_fit(X * BLOW_UP, Y, classes=[0, 1])
    assert not hasattr(clf, "module_")
    clf.partial_fit(X, Y, classes=[0, 1])  # a later first call starts cleanly
    assert np.isfinite(clf.predict_proba(X)).all()


# ------------------------------------------------ 2: warm_start and architecture
@pytest.mark.parametrize("change", [dict(hidden_layer_sizes=(20, 5)), dict(activation="tanh"),
                                   dict(dropout=0.5), dict(hidden_layer_sizes=16),
                                   dict(module=lambda n_in, n_out: MLP([n_in, 3, n_out]))])
def test_warm_start_refuses_parameters_that_build_another_model(change):
    clf = small(warm_start=True).fit(X, Y)
    module, before = clf.module_, weights(clf)
    name = next(iter(change))
    with pytest.raises(ConfigError, match=rf"NeuralNetClassifier: warm_start=True .*built "
                       rf"with {name}=.*set warm_start=False"):
        clf.set_params(**change).fit(X, Y)
    assert clf.module_ is module
    assert_same_weights(before, weights(clf))
    clf.set_params(warm_start=False).fit(X, Y)  # the way out the message names
    assert clf.module_ is not module


def test_partial_fit_refuses_parameters_that_build_another_model():
    reg = small(NeuralNetRegressor).partial_fit(X, Y_REG)
    with pytest.raises(ConfigError, match=r"partial_fit trains the fitted model further, "
                                          r"which was built with activation='relu'"):
        reg.set_params(activation="tanh").partial_fit(X, Y_REG)


def test_warm_start_goes_on_when_only_the_training_parameters_changed():
    clf = small(warm_start=True).fit(X, Y)
    module = clf.module_
    clf.set_params(lr=1e-3, epochs=2, optimizer="sgd", hidden_layer_sizes=[8])  # same widths
    clf.fit(X, Y)
    assert clf.module_ is module and clf.n_iter_ == 2


def test_warm_start_with_a_module_only_compares_the_module():
    """hidden_layer_sizes & co. build only the default MLP: with module= they are unused."""
    def build(n_in, n_out):
        return MLP([n_in, 3, n_out], rng=0)
    clf = small(module=build, warm_start=True).fit(X, Y)
    module = clf.module_
    clf.set_params(hidden_layer_sizes=(50,), activation="tanh").fit(X, Y)
    assert clf.module_ is module


# ------------------------------------------------------- 3: text targets, regressor
@pytest.mark.parametrize("y", [np.array(["a", "b"])[Y], np.array(["1", "2"])[Y],
                               np.array([b"1", b"2"])[Y], [["1", "2"][i] for i in Y]],
                         ids=["text", "numeric text", "bytes", "list of str"])
def test_the_regressor_refuses_text_targets_as_mlp_regressor_does(y):
    with pytest.raises(Exception):  # scikit-learn's MLPRegressor fails on them (bare NumPy)
        MLPRegressor(max_iter=1).fit(X, y)
    reg = small(NeuralNetRegressor)
    with pytest.raises(DataError, match=r"NeuralNetRegressor: y must hold numbers.*got text.*"
                                        r"y\.astype\(float\).*NeuralNetClassifier"):
        reg.fit(X, y)
    assert not hasattr(reg, "module_")


def test_an_object_target_array_becomes_numbers_as_scikit_learns_y_numeric():
    as_float = small(NeuralNetRegressor).fit(X, Y.astype(float)).predict(X)
    for y in (Y.astype(float).astype(object), np.array(["0", "1"], dtype=object)[Y]):
        np.testing.assert_array_equal(small(NeuralNetRegressor).fit(X, y).predict(X),
                                      as_float)
    assert np.isfinite(MLPRegressor(max_iter=1).fit(X, Y.astype(object)).predict(X)).all()
    with pytest.raises(DataError, match=r"NeuralNetRegressor: y must hold numbers.*object"):
        small(NeuralNetRegressor).fit(X, np.array(["a", 1.0], dtype=object)[Y])


# ----------------------------------------------------- 4: NaN as a partial_fit class
@pytest.mark.parametrize("classes", [[0, 1, np.nan], np.array([0.0, 1.0, np.inf]),
                                     np.array([0, 1, float("nan")], dtype=object)])
def test_partial_fit_refuses_nan_or_inf_among_the_classes(classes):
    with pytest.raises(ValueError):  # MLPClassifier: "Input contains NaN" (inf: refused)
        MLPClassifier().partial_fit(X, Y, classes=[0, 1, np.nan])
    clf = small()
    with pytest.raises(DataError, match=r"classes must be labels.*NaN or inf"):
        clf.partial_fit(X, Y, classes=classes)
    assert not hasattr(clf, "classes_")


# ------------------------------------------------------------------ 6: messages
@pytest.mark.parametrize("sizes", [0, (0,), (-3,), (8, 2.5), True, "64"])
def test_bad_hidden_layer_sizes_are_named_before_any_model_is_built(sizes):
    with pytest.raises(ConfigError, match=r"NeuralNetClassifier: hidden_layer_sizes must "
                                          r"hold layer widths, each an int >= 1"):
        small(hidden_layer_sizes=sizes).fit(X, Y)


def test_no_hidden_layer_and_numpy_widths_still_build():
    assert small(hidden_layer_sizes=()).fit(X, Y).predict(X).shape == (60,)
    assert small(hidden_layer_sizes=np.array([3, 2])).fit(X, Y).predict(X).shape == (60,)


def test_an_unknown_optimizer_names_the_estimator_and_suggests_the_lower_case_name():
    with pytest.raises(ConfigError, match=r"NeuralNetRegressor: optimizer must be one of "
                                          r"\['adagrad', 'adam', .*got 'foo'$"):
        small(NeuralNetRegressor, optimizer="foo").fit(X, Y_REG)
    with pytest.raises(ConfigError, match=r"got 'SGD' \(the names are lower case: "
                                          r"optimizer='sgd'\)"):
        small(optimizer="SGD").fit(X, Y)


@pytest.mark.parametrize("bad, said", [(np.nan, r"holds 1 NaN value\(s\), the first at "
                                                r"index 3 \(nan\)"),
                                       (np.inf, r"holds 1 infinite value\(s\), the first at "
                                                r"index 3"),
                                       (-2.0, r"holds 1 negative value\(s\), the first at "
                                              r"index 3 \(-2\.0\)")])
def test_a_bad_sample_weight_says_which_value_is_wrong(bad, said):
    weight = np.ones(len(X))
    weight[3] = bad
    with pytest.raises(DataError, match="NeuralNetClassifier: sample_weight must be finite "
                                        "and >= 0.*" + said):
        small().fit(X, Y, sample_weight=weight)
    with pytest.raises(DataError, match="it is all zero"):
        small().fit(X, Y, sample_weight=np.zeros(len(X)))


def test_a_fine_fit_raises_no_divergence_and_warns_nothing():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        clf = small().fit(X, Y)
    assert np.isfinite(clf.predict_proba(X)).all()
