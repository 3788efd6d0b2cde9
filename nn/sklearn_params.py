"""The ``nn.sklearn`` estimators' parameters. ``set_params``: skorch's nested names
(``module__hidden_units``, ``optimizer__momentum``) name a part with no parameters of its
own here, so they are refused by name before anything is set (scikit-learn's own
``set_params`` sets the flat names first, then fails with a bare ``AttributeError``).
The functions say what ``fit`` makes of ``hidden_layer_sizes``, ``optimizer``,
``callbacks``, ``metrics``, ``random_state`` and ``verbose``, and check before training
that what the callbacks monitor is logged."""
from __future__ import annotations

import contextlib
import copy
import numbers
from collections.abc import Callable, Iterable, Iterator
from typing import Any

import numpy as np

import autograd

from . import optim
from .errors import ArgumentTypeError, ConfigError
from .train._arguments import callback_list, monitored, named_metrics
from .train.callbacks import LRScheduler

__all__ = ["FlatParams", "OPTIMIZERS", "hidden_sizes", "make_optimizer", "fit_callbacks",
           "bind_callbacks", "fit_metrics", "monitored",
           "check_monitors", "random_generator", "seed_default_generator", "kept_if_failed",
           "verbosity"]

MetricView = Callable[[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]

OPTIMIZERS = {"adam": optim.Adam, "adamw": optim.AdamW, "sgd": optim.SGD,
              "rmsprop": optim.RMSprop, "adagrad": optim.Adagrad}


def hidden_sizes(owner: str, sizes: Any) -> list[int]:
    """``hidden_layer_sizes`` as a list of widths, each an int >= 1; an int is one hidden
    layer and ``()`` none, as in scikit-learn's MLPClassifier. Anything else is a
    ``ConfigError`` naming the parameter."""
    if isinstance(sizes, numbers.Integral):
        widths = [sizes]
    else:
        try:
            widths = list(sizes)
        except TypeError:
            raise ConfigError(f"{owner}: hidden_layer_sizes must be a sequence of layer "
                              f"widths such as (64,) or (32, 16), or an int for one hidden "
                              f"layer; got {sizes!r}") from None
    if any(isinstance(w, bool) or not isinstance(w, numbers.Integral) or w < 1
           for w in widths):
        raise ConfigError(f"{owner}: hidden_layer_sizes must hold layer widths, each an int "
                          f">= 1, such as (64,) or (32, 16), or be () for no hidden layer; "
                          f"got {sizes!r}")
    return [int(w) for w in widths]


def make_optimizer(owner: str, optimizer: Any, parameters: Any, lr: float,
                   weight_decay: float) -> Any:
    """The optimizer ``optimizer`` names (a key of ``OPTIMIZERS``, lower case) or builds
    (an ``nn.optim`` class or a ``functools.partial`` of one), on ``parameters`` with
    ``lr`` and, when not 0, ``weight_decay``."""
    cls = OPTIMIZERS.get(optimizer) if isinstance(optimizer, str) else optimizer
    if cls is None or not callable(cls):
        hint = (f" (the names are lower case: optimizer={optimizer.lower()!r})"
                if isinstance(optimizer, str) and optimizer.lower() in OPTIMIZERS else "")
        raise ConfigError(f"{owner}: optimizer must be one of {sorted(OPTIMIZERS)} or an "
                          f"nn.optim class (or a functools.partial of one); got "
                          f"{optimizer!r}{hint}")
    kwargs = {"weight_decay": weight_decay} if weight_decay else {}
    return cls(parameters, lr=lr, **kwargs)


def fit_callbacks(callbacks: Any) -> list:
    """Fresh copies of the estimator's ``callbacks`` for one fit (a list, one callback or
    None, as ``nn.train.fit`` takes them), so the estimator's own stay untouched."""
    return copy.deepcopy(callback_list(callbacks))


def bind_callbacks(callbacks: Iterable[Any], optimizer: Any) -> None:
    """Each ``LRScheduler`` bound to the estimator's ``optimizer`` now (a function
    builds its scheduler on it), so that its ``monitor`` is known before training."""
    for callback in callbacks:
        if isinstance(callback, LRScheduler):
            callback.bind(optimizer)


def fit_metrics(metrics: Any, view: MetricView | None) -> dict[str, Callable]:
    """``metrics`` named as ``nn.train.fit`` names them, each called on what ``view``
    makes of the module's scores and the packed targets (None: given as they are)."""
    named = named_metrics(metrics)
    if view is None:
        return named
    return {name: _viewed(fn, view) for name, fn in named.items()}


def _viewed(fn: Callable, view: MetricView) -> Callable:
    def metric(scores: np.ndarray, target: np.ndarray) -> Any:
        return fn(*view(scores, target))
    return metric


def check_monitors(owner: str, callbacks: Iterable[Any], metrics: Iterable[str],
                   validating: bool, incremental: bool) -> None:
    """Every monitored name among those the estimator's fit logs (``loss``, ``lr``, the
    metrics, and their ``val_`` values when ``validating``), else a ``ConfigError`` with
    what to change, before any training."""
    logged = {"loss", "lr", *metrics}
    if validating:
        logged |= {f"val_{name}" for name in logged - {"lr"}}
    for callback in callbacks:
        name = monitored(callback)
        if not isinstance(name, str) or name in logged:
            continue
        if name.startswith("val_") and not validating and incremental:
            raise ConfigError(f"{owner}: a callback monitors {name!r}, but partial_fit holds "
                              f"out no data; use fit with validation_fraction=0.1 (for "
                              f"example) for it")
        if name.startswith("val_") and not validating and name[4:] in logged:
            raise ConfigError(f"{owner}: a callback monitors {name!r}, which needs held-out "
                              f"data: pass validation_fraction=0.1 (for example) to hold out "
                              f"that share of the training samples")
        base = name[4:] if name.startswith("val_") else name
        raise ConfigError(
            f"{owner}: {type(callback).__name__} monitors {name!r}, which this estimator "
            f"does not log; it logs {sorted(logged)}. Pass metrics=[fn] with a function named "
            f"{base!r} (metrics=[nn.train.accuracy] logs 'accuracy', and 'val_accuracy' with "
            f"validation_fraction > 0), or monitor one of those")


def random_generator(random_state: Any) -> np.random.Generator:
    """A fresh Generator for each fit: None (unseeded), an int seed >= 0, a RandomState
    or a Generator (copied, so fitting twice repeats itself)."""
    if random_state is None:
        return np.random.default_rng()
    if isinstance(random_state, np.random.Generator):
        return copy.deepcopy(random_state)
    if isinstance(random_state, np.random.RandomState):
        return np.random.default_rng(random_state.randint(2 ** 31))
    if isinstance(random_state, numbers.Integral) and not isinstance(random_state, bool):
        if random_state < 0:
            raise ConfigError(f"random_state must be an int >= 0 (a seed), None, or a numpy "
                              f"RandomState or Generator; got {random_state}")
        return np.random.default_rng(int(random_state))
    raise ConfigError(f"random_state must be None, an int, a numpy RandomState or Generator; "
                      f"got {random_state!r}")


def seed_default_generator(rng: np.random.Generator, state: Any = None) -> None:
    """Seed ``autograd.default_generator`` (which a callable module's layers and
    ``F.dropout`` in a forward draw from) from ``rng`` without drawing from ``rng`` (the
    default MLP's weights, the split and the shuffling draw from it as without this
    seeding), or give it ``state`` (``autograd.get_rng_state()``) when not None."""
    if state is not None:
        autograd.set_rng_state(state)
    else:
        autograd.manual_seed(int(copy.deepcopy(rng).integers(2 ** 63)))


@contextlib.contextmanager
def kept_if_failed(estimator: Any) -> Iterator[None]:
    """A fit that raises leaves the estimator's attributes as they were (no
    ``classes_`` of new labels next to the old ``module_``); a module it trained in place
    (``warm_start``, ``partial_fit``) keeps the updates made before the error, unless the
    fit put them back itself (``sklearn_guards.check_finite_weights``)."""
    saved = dict(vars(estimator))
    try:
        yield
    except BaseException:
        vars(estimator).clear()
        vars(estimator).update(saved)
        raise


def verbosity(owner: str, verbose: Any) -> bool:
    """Whether to show progress: ``verbose`` a bool or an int >= 0 (scikit-learn's
    ``verbose=1``); anything else an ``ArgumentTypeError``."""
    if isinstance(verbose, numbers.Integral) and verbose >= 0:
        return bool(verbose)
    raise ArgumentTypeError(f"{owner}: verbose must be True/False or an int >= 0 (as "
                            f"scikit-learn's); got {verbose!r}")


class FlatParams:
    """A base class (before ``BaseEstimator``) whose ``set_params`` refuses nested names
    under a parameter that is no estimator."""

    def set_params(self, **params: Any) -> Any:
        """scikit-learn's ``set_params``; ``<part>__<name>`` only where ``part`` is an
        estimator, else ``ConfigError`` (a ValueError, as scikit-learn's invalid names)."""
        own = self.get_params(deep=False)  # type: ignore[attr-defined]
        for key in params:
            part, nested, _ = key.partition("__")
            if nested and part in own and not hasattr(own[part], "set_params"):
                owner = type(self).__name__
                raise ConfigError(
                    f"{owner}.set_params({key}=...): {part}={own[part]!r:.60} has no "
                    f"parameters to set; skorch's '{part}__<name>' spelling is not taken "
                    f"here, nothing was set. Set {owner}'s own parameters ({sorted(own)}), "
                    f"or pass the part built as you want it, e.g. module=lambda n_features, "
                    f"n_outputs: YourNet(...) or optimizer=functools.partial(nn.optim.SGD, "
                    f"momentum=0.9).")
        return super().set_params(**params)  # type: ignore[misc]
