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
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from ._optional import require

require("sklearn", "nn.sklearn (NeuralNetClassifier, NeuralNetRegressor)")

from sklearn.base import BaseEstimator, ClassifierMixin, RegressorMixin  # noqa: E402
from sklearn.utils.multiclass import check_classification_targets  # noqa: E402
from sklearn.utils.validation import check_is_fitted, validate_data  # noqa: E402

from autograd import Tensor, no_grad  # noqa: E402
from autograd.errors import DataError, ShapeError  # noqa: E402

from . import functional as F  # noqa: E402
from . import optim  # noqa: E402
from .models import MLP  # noqa: E402
from .module import Module  # noqa: E402
from .train import fit  # noqa: E402
from .train.trainer import as_model_dtype  # noqa: E402
from .errors import ArgumentTypeError, ConfigError  # noqa: E402

__all__ = ["NeuralNetClassifier", "NeuralNetRegressor"]

OPTIMIZERS = {"adam": optim.Adam, "adamw": optim.AdamW, "sgd": optim.SGD,
              "rmsprop": optim.RMSprop, "adagrad": optim.Adagrad}


def _generator(random_state: Any) -> np.random.Generator:
    """A fresh Generator for each fit: None (unseeded), an int seed, a RandomState or a
    Generator (copied, so fitting twice repeats itself)."""
    if random_state is None:
        return np.random.default_rng()
    if isinstance(random_state, np.random.Generator):
        return copy.deepcopy(random_state)
    if isinstance(random_state, np.random.RandomState):
        return np.random.default_rng(random_state.randint(2 ** 31))
    if isinstance(random_state, numbers.Integral) and not isinstance(random_state, bool):
        return np.random.default_rng(int(random_state))
    raise ConfigError(f"random_state must be None, an int, a numpy RandomState or Generator; "
                      f"got {random_state!r}")


class _NeuralNet(BaseEstimator):
    """Shared fitting machinery; see the two public classes."""

    _output: str | None = None

    def __init__(self, module: Module | Callable[[int, int], Module] | None = None, *,
                 hidden_layer_sizes: Sequence[int] = (64,), activation: str = "relu",
                 dropout: float = 0.0, optimizer: str | type = "adam", lr: float = 1e-2,
                 weight_decay: float = 0.0, epochs: int = 50, batch_size: int = 32,
                 callbacks: Sequence[Any] = (), random_state: Any = None,
                 verbose: bool = False, blas_threads: int | str | None = "auto") -> None:
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
        self.random_state = random_state
        self.verbose = verbose
        self.blas_threads = blas_threads

    def _build(self, n_features: int, n_outputs: int, rng: np.random.Generator) -> Module:
        if self.module is None:
            # "logistic" is scikit-learn's MLPClassifier name for the sigmoid
            activation = "sigmoid" if self.activation == "logistic" else self.activation
            return MLP([n_features, *self._hidden_sizes(), n_outputs], activation,
                       output=self._output, dropout=self.dropout, rng=rng)
        if isinstance(self.module, Module):
            return copy.deepcopy(self.module)  # each fit trains its own copy
        if callable(self.module):
            built = self.module(n_features, n_outputs)
            if isinstance(built, Module):
                return built
        raise ArgumentTypeError(f"{type(self).__name__}: module must be None (an MLP), an "
                                f"nn.Module or a function (n_features, n_outputs) -> "
                                f"nn.Module; got {self.module!r}")

    def _hidden_sizes(self) -> list[Any]:
        """``hidden_layer_sizes`` as a list; an int is one hidden layer, as in
        scikit-learn's MLPClassifier."""
        sizes = self.hidden_layer_sizes
        if isinstance(sizes, numbers.Integral):
            return [sizes]
        try:
            return list(sizes)
        except TypeError:
            raise ConfigError(f"{type(self).__name__}: hidden_layer_sizes must be a sequence "
                              f"of layer widths such as (64,) or (32, 16), or an int for one "
                              f"hidden layer; got {sizes!r}") from None

    def _make_optimizer(self, model: Module) -> Any:
        cls = OPTIMIZERS.get(self.optimizer) if isinstance(self.optimizer, str) else (
            self.optimizer)
        if cls is None or not callable(cls):
            raise ConfigError(f"optimizer must be one of {sorted(OPTIMIZERS)} or an nn.optim "
                              f"class; got {self.optimizer!r}")
        kwargs = {"weight_decay": self.weight_decay} if self.weight_decay else {}
        return cls(model.parameters(), lr=self.lr, **kwargs)

    def _fit(self, X: np.ndarray, target: np.ndarray, n_outputs: int, loss_fn: Any) -> Any:
        rng = _generator(self.random_state)
        self.module_ = self._build(X.shape[1], n_outputs, rng)
        self._n_outputs = n_outputs
        self._output_of(X[:1])  # a module of the wrong output width fails before training
        self.history_ = fit(self.module_, loss_fn, self._make_optimizer(self.module_),
                            (X, target), epochs=self.epochs, batch_size=self.batch_size,
                            callbacks=copy.deepcopy(list(self.callbacks)),
                            progress=self.verbose, generator=rng,
                            blas_threads=self.blas_threads)
        self.n_iter_ = len(self.history_)
        return self

    def _forward(self, X: Any) -> np.ndarray:
        """The module's raw output for ``X`` (cast to the module's float dtype, as ``fit``
        casts the training data), in evaluation mode without a graph."""
        check_is_fitted(self, "module_")
        return self._output_of(validate_data(self, X, reset=False, dtype=np.float64))

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

    ``module``: None builds ``MLP([n_features, *hidden_layer_sizes, n_classes])`` (an
    int ``hidden_layer_sizes`` is one hidden layer and ``activation="logistic"`` the
    sigmoid, as in MLPClassifier); an
    ``nn.Module`` (copied at each fit) or a function ``(n_features, n_classes) ->
    Module`` must output (N, n_classes) scores (logits). ``optimizer`` is a name
    (``"adam"``, ``"sgd"``, ...) or an ``nn.optim`` class, built with ``lr`` and
    ``weight_decay``; ``epochs``, ``batch_size``, ``callbacks``, ``blas_threads`` go to
    ``nn.train.fit``; ``random_state`` seeds the weights, shuffling and dropout.
    Fitted attributes: ``module_``, ``classes_``, ``history_``, ``n_features_in_``.
    ``fit`` raises ``DataError`` (a ValueError) on a single class.
    """

    _output = "softmax"

    def fit(self, X: Any, y: Any) -> NeuralNetClassifier:
        X, y = validate_data(self, X, y, dtype=np.float64)
        check_classification_targets(y)
        self.classes_, encoded = np.unique(y, return_inverse=True)
        if len(self.classes_) < 2:
            only = self.classes_[0].tolist()
            raise DataError(
                f"NeuralNetClassifier: y holds a single class ({only!r}); a classifier "
                f"needs at least 2 classes to learn from (softmax over one class has loss 0 "
                f"and no gradient), as scikit-learn's LogisticRegression and SVC say. Check "
                f"the labels, or split with StratifiedKFold / stratify=y.")
        return self._fit(X, encoded.astype(np.int64), len(self.classes_), F.cross_entropy)

    def predict_proba(self, X: Any) -> np.ndarray:
        """Class probabilities softmax(scores), shape (N, n_classes)."""
        scores = self._forward(X)
        scores = scores - scores.max(axis=1, keepdims=True)
        p = np.exp(scores)
        return p / p.sum(axis=1, keepdims=True)

    def predict(self, X: Any) -> np.ndarray:
        """The most probable class of each sample (one of ``classes_``)."""
        scores = self._forward(X)  # checks that the model is fitted
        return self.classes_[np.argmax(scores, axis=1)]


class NeuralNetRegressor(RegressorMixin, _NeuralNet):
    """A regressor trained with mean squared error; one output unit per target column
    (y of shape (N,) or (N, k)). ``module`` and the other parameters as for
    :class:`NeuralNetClassifier`; the module outputs (N, k) values."""

    def __sklearn_tags__(self) -> Any:
        tags = super().__sklearn_tags__()
        tags.target_tags.multi_output = True
        return tags

    def fit(self, X: Any, y: Any) -> NeuralNetRegressor:
        X, y = validate_data(self, X, y, dtype=np.float64, multi_output=True, y_numeric=True)
        self._y_ndim = y.ndim
        target = y.reshape(len(y), -1).astype(np.float64)
        return self._fit(X, target, target.shape[1], F.mse_loss)

    def predict(self, X: Any) -> np.ndarray:
        """Predicted values, shaped like the training targets ((N,) or (N, k))."""
        out = self._forward(X)
        return out[:, 0] if self._y_ndim == 1 else out
