"""scikit-learn estimators around ``nn`` modules: ``NeuralNetClassifier`` and
``NeuralNetRegressor`` (skorch's names). They fit with ``nn.train.fit`` and follow
scikit-learn's estimator contract, so ``cross_val_score``, ``GridSearchCV``,
``StratifiedKFold`` and ``make_pipeline(StandardScaler(), clf)`` work on them.

scikit-learn is an optional extra: importing this module without it raises
``MissingDependencyError`` (an ImportError) saying how to install it.
"""
from __future__ import annotations

import copy
import numbers
import warnings
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from ._optional import require

require("sklearn", "nn.sklearn (NeuralNetClassifier, NeuralNetRegressor)")

from sklearn.base import BaseEstimator, ClassifierMixin, RegressorMixin  # noqa: E402
from sklearn.model_selection import train_test_split  # noqa: E402
from sklearn.utils.multiclass import check_classification_targets  # noqa: E402
from sklearn.utils.validation import check_is_fitted, validate_data  # noqa: E402

import autograd  # noqa: E402
from autograd import Tensor, no_grad  # noqa: E402
from autograd.errors import DataError, ShapeError, UsageError  # noqa: E402
from autograd.random import fork_rng  # noqa: E402

from . import functional as F  # noqa: E402
from .models import MLP  # noqa: E402
from .module import Module  # noqa: E402
from .train import fit  # noqa: E402
from ._checks import flag  # noqa: E402
from .train.trainer import as_model_dtype  # noqa: E402
from .errors import ArgumentTypeError, ConfigError  # noqa: E402
from .sklearn_guards import (architecture, check_architecture,  # noqa: E402
                             check_finite_weights, snapshot)
from .sklearn_params import (FlatParams, MetricView, bind_callbacks,  # noqa: E402
                             check_monitors, fit_callbacks, fit_metrics, hidden_sizes,
                             kept_if_failed, make_optimizer, random_generator,
                             seed_default_generator, verbosity)
from .sklearn_targets import (class_losses, given_classes, numeric_targets,  # noqa: E402
                              sample_weights, squared_errors, two_or_more_classes,
                              weighted_loss)

__all__ = ["NeuralNetClassifier", "NeuralNetRegressor"]

_FLOATS = (np.float64, np.float32)  # X's dtype is kept (others become float64), as sklearn's MLPs


class _NeuralNet(FlatParams, BaseEstimator):
    """Shared fitting machinery; see the two public classes."""

    _output: str | None = None

    def __init__(self, module: Module | Callable[[int, int], Module] | None = None, *,
                 hidden_layer_sizes: Sequence[int] = (64,), activation: str = "relu",
                 dropout: float = 0.0, optimizer: str | type = "adam", lr: float = 1e-2,
                 weight_decay: float = 0.0, epochs: int = 50, batch_size: int = 32,
                 callbacks: Sequence[Any] = (), metrics: Any = None,
                 validation_fraction: float = 0.0, warm_start: bool = False,
                 random_state: Any = None, verbose: bool = False,
                 blas_threads: int | str | None = "auto") -> None:
        self.module = module
        self.hidden_layer_sizes = hidden_layer_sizes
        self.activation = activation
        self.dropout = dropout
        self.optimizer = optimizer
        self.lr = lr
        self.weight_decay = weight_decay
        self.epochs = epochs
        self.batch_size = batch_size
        self.callbacks = callbacks
        self.metrics = metrics
        self.validation_fraction = validation_fraction
        self.warm_start = warm_start
        self.random_state = random_state
        self.verbose = verbose
        self.blas_threads = blas_threads

    def _build(self, n_features: int, n_outputs: int, rng: np.random.Generator,
               dtype: np.dtype) -> Module:
        if self.module is None:  # in X's dtype, as MLPClassifier's weights
            # "logistic" is scikit-learn's MLPClassifier name for the sigmoid
            activation = "sigmoid" if self.activation == "logistic" else self.activation
            hidden = hidden_sizes(type(self).__name__, self.hidden_layer_sizes)
            return MLP([n_features, *hidden, n_outputs], activation,
                       output=self._output, dropout=self.dropout, rng=rng, dtype=dtype)
        if isinstance(self.module, Module):  # each fit trains its own copy, whose layers
            # with rng=None draw from the default generator, as the original's do
            shared = autograd.default_generator
            return copy.deepcopy(self.module, memo={id(shared): shared})
        if callable(self.module):
            built = self.module(n_features, n_outputs)
            if isinstance(built, Module):
                return built
        raise ArgumentTypeError(f"{type(self).__name__}: module must be None (an MLP), an "
                                f"nn.Module or a function (n_features, n_outputs) -> "
                                f"nn.Module; got {self.module!r}")

    def _continues(self, incremental: bool) -> bool:
        """Whether this fit trains the fitted module further (``partial_fit``, or ``fit``
        with ``warm_start=True``) rather than a new one, as in MLPClassifier."""
        warm = flag(type(self).__name__, "warm_start", self.warm_start) or incremental
        return warm and hasattr(self, "module_")

    def _fit(self, X: np.ndarray, target: np.ndarray, n_outputs: int, loss_fn: Any,
             sample_weight: Any, per_sample: Any, incremental: bool = False) -> Any:
        """``epochs`` epochs (``partial_fit``: one) of a new module unless :meth:`_continues`;
        ``partial_fit`` on a fitted estimator also keeps the optimizer and random stream.
        Weights that end NaN or inf are a ``DataError``, with what the fit changed in
        place put back (scikit-learn's MLPs: "Solver produced non-finite parameter weights").
        With a ``random_state``, ``autograd.default_generator`` (a callable module's
        layers, ``F.dropout`` in a forward) is seeded from it inside a ``fork_rng``."""
        owner = type(self).__name__
        if sample_weight is not None:  # packed as the target's last column
            weight = sample_weights(sample_weight, len(X), owner)
            target = np.column_stack([target.reshape(len(X), -1), weight])
            loss_fn = weighted_loss(per_sample)
        warm = self._continues(incremental)
        keep = warm and incremental and hasattr(self, "_optimizer")
        rng = self._rng if keep else random_generator(self.random_state)
        callbacks = fit_callbacks(self.callbacks)
        metrics = fit_metrics(self.metrics, self._metric_view(sample_weight is not None))
        train, val = self._split(X, target, rng, incremental)
        seeded = self.random_state is not None
        with fork_rng(enabled=seeded):
            if seeded:  # a partial_fit that continues resumes the previous one's state
                seed_default_generator(rng, getattr(self, "_default_rng_state", None)
                                       if keep else None)
            self._build_or_continue(X, n_outputs, rng, warm, incremental)
            optimizer = self._optimizer if keep else make_optimizer(
                owner, self.optimizer, self.module_.parameters(), self.lr, self.weight_decay)
            bind_callbacks(callbacks, optimizer)
            check_monitors(owner, callbacks, metrics, val is not None, incremental)
            in_place = (optimizer, rng) if keep else ()  # what this fit changes in place
            restore = snapshot(self.module_, *in_place) if warm else None
            self._optimizer, self._rng = optimizer, rng
            epochs = 1 if incremental else self.epochs
            self.history_ = fit(self.module_, loss_fn, optimizer, train, val=val,
                                epochs=epochs, batch_size=self.batch_size, callbacks=callbacks,
                                metrics=metrics, progress=verbosity(owner, self.verbose),
                                generator=rng, blas_threads=self.blas_threads)
            check_finite_weights(owner, self.module_, restore, len(self.history_), self.lr,
                                 kept_optimizer=keep)
            if seeded:  # where a partial_fit that continues this one starts drawing
                self._default_rng_state = autograd.get_rng_state()
        self.n_iter_ = len(self.history_)
        if self.history_.interrupted:
            warnings.warn(f"{owner}: Ctrl-C stopped this fit after {self.n_iter_} complete "
                          f"epoch(s) of {epochs}; the estimator keeps the model trained so far "
                          f"(a search or cross-validation goes on and scores it)", stacklevel=3)
        return self

    def _build_or_continue(self, X: np.ndarray, n_outputs: int, rng: np.random.Generator,
                           warm: bool, incremental: bool) -> None:
        """A new ``module_`` for this fit, or (``warm``) checks that the fitted one can go
        on: the same number of outputs, and the parameters it was built from unchanged."""
        owner = type(self).__name__
        built_from = architecture(owner, self.get_params(deep=False))
        if not warm:
            self.module_ = self._build(X.shape[1], n_outputs, rng, X.dtype)
            self._n_outputs, self._architecture = n_outputs, built_from
            self._output_of(X[:1])  # a module of the wrong output width fails here
            return
        check_architecture(owner, getattr(self, "_architecture", None), built_from,
                           incremental)
        if n_outputs != self._n_outputs:
            raise ShapeError(f"{owner}: y has {n_outputs} target column(s); the fitted "
                             f"model this fit continues predicts {self._n_outputs}. Pass "
                             f"that many, or set warm_start=False to start afresh")

    def _metric_view(self, weighted: bool) -> MetricView | None:
        """How ``metrics`` see (scores, targets): None when as ``fit`` gives them."""
        return None

    def _split(self, X: np.ndarray, target: np.ndarray, rng: np.random.Generator,
               incremental: bool = False) -> tuple[tuple, tuple | None]:
        """(train, val): ``validation_fraction`` of the samples held out for the
        validation loss that ``EarlyStopping`` and co. monitor (stratified by class for
        a classifier, as MLPClassifier's early stopping), or all of them and None.
        ``partial_fit`` holds out nothing (MLPClassifier's refuses early stopping)."""
        fraction, owner = self.validation_fraction, type(self).__name__
        if isinstance(fraction, bool) or not isinstance(fraction, numbers.Real) or not (
                0 <= fraction < 1):
            raise ConfigError(f"{owner}: validation_fraction must be a number in [0, 1); "
                              f"got {fraction!r}")
        if incremental and fraction != 0:
            raise ConfigError(f"{owner}: partial_fit trains one pass over the data it is "
                              f"given and holds none out; set validation_fraction=0 (it is "
                              f"{fraction}) and keep your own validation data")
        if fraction == 0:
            return (X, target), None
        labels = target.reshape(len(X), -1)[:, 0] if isinstance(self, ClassifierMixin) else None
        try:
            fit_part, val_part = train_test_split(
                np.arange(len(X)), test_size=fraction, stratify=labels,
                random_state=int(rng.integers(2**31)))
        except ValueError as exc:  # too few samples (per class) to split
            raise ConfigError(f"{owner}: cannot hold out validation_fraction={fraction} of "
                              f"{len(X)} samples: {exc}") from None
        return (X[fit_part], target[fit_part]), (X[val_part], target[val_part])

    def _forward(self, X: Any) -> np.ndarray:
        """The module's raw output for ``X`` (cast to the module's float dtype, as ``fit``
        casts the training data), in evaluation mode without a graph."""
        check_is_fitted(self, "module_")
        return self._output_of(validate_data(self, X, reset=False, dtype=_FLOATS))

    def _output_of(self, X: np.ndarray) -> np.ndarray:
        """The module's output for the validated ``X``; ``ShapeError`` unless it is
        (N, n_outputs): one column per class or per target."""
        model = self.module_
        X = as_model_dtype(X, model)
        was_training = model.training
        model.eval()
        try:
            with no_grad():
                out = model(Tensor(X))
        finally:
            model.train(was_training)
        if not isinstance(out, (Tensor, np.ndarray)):
            raise ArgumentTypeError(f"{type(self).__name__}: the module must return one "
                                    f"(N, n_outputs) Tensor of scores; it returned a "
                                    f"{type(out).__name__}. Wrap it in a Module whose forward "
                                    f"returns that Tensor (an LSTM's: its output's last step, "
                                    f"through a Linear layer)")
        out = np.asarray(out.data if isinstance(out, Tensor) else out)
        expected = (len(X), self._n_outputs)
        if out.shape != expected:
            per = "class" if isinstance(self, ClassifierMixin) else "target"
            raise ShapeError(f"{type(self).__name__}: the module maps {len(X)} sample(s) to "
                             f"shape {out.shape}; expected {expected}, one output column per "
                             f"{per}. Build the module with the n_outputs it is given "
                             f"(module=lambda n_features, n_outputs: ...).")
        return out


class NeuralNetClassifier(ClassifierMixin, _NeuralNet):
    """A classifier trained with softmax cross-entropy on the module's scores.

    ``module``: None builds ``MLP([n_features, *hidden_layer_sizes, n_classes])`` (an int
    ``hidden_layer_sizes`` is one hidden layer and ``activation="logistic"`` the sigmoid,
    as in MLPClassifier); an ``nn.Module`` (copied at each fit) or a function
    ``(n_features, n_classes) -> Module`` must output (N, n_classes) scores (logits).
    ``optimizer`` is a name (``"adam"``, ``"sgd"``, ...) or an ``nn.optim`` class, built
    with ``lr`` and ``weight_decay``; ``epochs``, ``batch_size``, ``callbacks``,
    ``blas_threads`` go to ``nn.train.fit``; ``validation_fraction`` (as MLPClassifier's;
    0: none) holds out that share of the samples, stratified, as ``fit``'s ``val`` for
    callbacks such as ``EarlyStopping()`` that monitor ``val_loss``. ``metrics``: as
    ``fit``'s, called with the scores and the class indices (N,):
    ``metrics=[nn.train.accuracy]`` logs ``accuracy`` and ``val_accuracy``, which
    ``EarlyStopping(monitor="val_accuracy")`` can watch (a monitored name that is not
    logged is a ``ConfigError`` before training). The optimizer is made in ``fit``: to
    schedule its rate, give ``LRScheduler`` a function, ``LRScheduler(lambda optimizer:
    StepLR(optimizer, step_size=10))``, or use ``LearningRateScheduler``. ``random_state``
    seeds the weights, the split, shuffling and dropout, and, inside the fit only,
    ``autograd.default_generator`` (a callable module's layers, ``F.dropout``).
    ``warm_start=True``: a second ``fit`` trains the fitted module further (with a new
    optimizer, on the same classes), as MLPClassifier; ``partial_fit`` trains one epoch
    on the data given. Both refuse (``ConfigError``) parameters that build another model
    than the fitted one (``hidden_layer_sizes``, ``activation``, ``dropout``, ``module``).
    Fitted attributes: ``module_``, ``classes_``, ``history_`` and ``n_iter_`` (of the
    last fit), ``n_features_in_``; a fit that raises leaves them as they were. ``fit``
    raises ``DataError`` (a ValueError) on a single class, and when training ends with
    NaN or inf weights (scale X or lower ``lr``).
    """

    _output = "softmax"

    def fit(self, X: Any, y: Any, sample_weight: Any = None) -> NeuralNetClassifier:
        """Train on ``X`` and labels ``y``; ``sample_weight`` (one number >= 0 per sample)
        weights each sample's loss in its mini-batch's mean, as in MLPClassifier."""
        with kept_if_failed(self):
            warm = self._continues(incremental=False)
            X, y = validate_data(self, X, y, dtype=_FLOATS, reset=not warm)
            check_classification_targets(y)
            classes, encoded = np.unique(y, return_inverse=True)
            if warm and not np.array_equal(classes, self.classes_):
                raise DataError(f"NeuralNetClassifier: warm_start=True continues the fitted "
                                f"model, whose classes are {self.classes_.tolist()}; y has "
                                f"{classes.tolist()}. Fit on the same classes, or set "
                                f"warm_start=False to start afresh.")
            self.classes_ = two_or_more_classes(classes)
            return self._fit(X, encoded.astype(np.int64), len(self.classes_), F.cross_entropy,
                             sample_weight, class_losses)

    def partial_fit(self, X: Any, y: Any, sample_weight: Any = None,
                    classes: Any = None) -> NeuralNetClassifier:
        """One epoch on ``X``, ``y`` from the current weights and optimizer state, as
        MLPClassifier's. The first call needs ``classes``, every label any call's ``y``
        will hold (``np.unique(y_all)``); later calls may omit it."""
        with kept_if_failed(self):
            first = not hasattr(self, "module_")
            X, y = validate_data(self, X, y, dtype=_FLOATS, reset=first)
            check_classification_targets(y)
            if classes is None and first:
                raise UsageError("NeuralNetClassifier.partial_fit: pass classes= on the first "
                                 "call, every label the calls' y will hold (e.g. classes="
                                 "np.unique(y_all)): the model needs one output per class")
            given = None if classes is None else given_classes(classes)
            if first:
                self.classes_ = two_or_more_classes(given)
            elif given is not None and not np.array_equal(given, self.classes_):
                raise DataError(f"NeuralNetClassifier.partial_fit: classes={classes!r:.80} "
                                f"differs from the classes of the fitted model, "
                                f"{self.classes_.tolist()}; pass the same, or none")
            unknown = np.setdiff1d(y, self.classes_)
            if unknown.size:
                raise DataError(f"NeuralNetClassifier.partial_fit: y has labels "
                                f"{unknown.tolist()}, not among the classes "
                                f"{self.classes_.tolist()}; pass every label on the first "
                                f"call (classes=np.unique(y_all))")
            encoded = np.searchsorted(self.classes_, y).astype(np.int64)
            return self._fit(X, encoded, len(self.classes_), F.cross_entropy, sample_weight,
                             class_losses, incremental=True)

    def _metric_view(self, weighted: bool) -> MetricView | None:
        """Metrics see the scores and the class indices (N,), with sample weights too."""
        if not weighted:
            return None
        return lambda scores, packed: (scores, packed[:, 0].astype(np.int64))

    def predict_proba(self, X: Any) -> np.ndarray:
        """Class probabilities softmax(scores), shape (N, n_classes)."""
        scores = self._forward(X)
        scores = scores - scores.max(axis=1, keepdims=True)
        p = np.exp(scores)
        return p / p.sum(axis=1, keepdims=True)

    def predict_log_proba(self, X: Any) -> np.ndarray:
        """Log class probabilities log_softmax(scores), finite where predict_proba
        underflows to 0 (MLPClassifier has this method too)."""
        scores = self._forward(X)
        scores = scores - scores.max(axis=1, keepdims=True)
        return scores - np.log(np.exp(scores).sum(axis=1, keepdims=True))

    def predict(self, X: Any) -> np.ndarray:
        """The most probable class of each sample (one of ``classes_``)."""
        scores = self._forward(X)  # checks that the model is fitted
        return self.classes_[np.argmax(scores, axis=1)]


class NeuralNetRegressor(RegressorMixin, _NeuralNet):
    """A regressor trained with mean squared error; one output unit per target column
    (y of shape (N,) or (N, k)). ``module`` and the other parameters as for
    :class:`NeuralNetClassifier`; the module outputs (N, k) values. ``metrics`` are
    called with the outputs and targets shaped as y, as ``predict`` returns them."""

    def __sklearn_tags__(self) -> Any:
        tags = super().__sklearn_tags__()
        tags.target_tags.multi_output = True
        return tags

    def fit(self, X: Any, y: Any, sample_weight: Any = None) -> NeuralNetRegressor:
        """Train on ``X`` and targets ``y``; ``sample_weight`` and ``warm_start`` as for
        the classifier."""
        return self._fit_targets(X, y, sample_weight, incremental=False)

    def partial_fit(self, X: Any, y: Any, sample_weight: Any = None) -> NeuralNetRegressor:
        """One epoch on ``X``, ``y``, continuing from the current weights and optimizer
        state (MLPRegressor's ``partial_fit``)."""
        return self._fit_targets(X, y, sample_weight, incremental=True)

    def _fit_targets(self, X: Any, y: Any, sample_weight: Any,
                     incremental: bool) -> NeuralNetRegressor:
        with kept_if_failed(self):
            warm = self._continues(incremental)
            y = numeric_targets(y, type(self).__name__)
            X, y = validate_data(self, X, y, dtype=_FLOATS, multi_output=True, y_numeric=True,
                                 reset=not warm)
            self._y_ndim = y.ndim
            target = y.reshape(len(y), -1).astype(np.float64)
            return self._fit(X, target, target.shape[1], F.mse_loss, sample_weight,
                             squared_errors, incremental)

    def _metric_view(self, weighted: bool) -> MetricView | None:
        """Metrics see outputs and targets shaped as ``y`` ((N,) or (N, k)), as
        ``predict`` gives them."""
        def view(output: np.ndarray, packed: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
            target = packed[:, :-1] if weighted else packed
            return (output[:, 0], target[:, 0]) if self._y_ndim == 1 else (output, target)
        return view

    def predict(self, X: Any) -> np.ndarray:
        """Predicted values, shaped like the training targets ((N,) or (N, k))."""
        out = self._forward(X)
        return out[:, 0] if self._y_ndim == 1 else out
