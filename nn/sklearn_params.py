"""The ``nn.sklearn`` estimators' parameters. ``set_params``: skorch's nested names
(``module__hidden_units``, ``optimizer__momentum``) name a part with no parameters of its
own here, so they are refused by name before anything is set (scikit-learn's own
``set_params`` sets the flat names first, then fails with a bare ``AttributeError``).
``fit_callbacks`` and ``verbosity``: what ``fit`` makes of ``callbacks`` and ``verbose``."""
from __future__ import annotations

import copy
import numbers
from typing import Any

from .errors import ArgumentTypeError, ConfigError
from .train._arguments import callback_list

__all__ = ["FlatParams", "fit_callbacks", "monitored", "verbosity"]


def fit_callbacks(callbacks: Any) -> list:
    """Fresh copies of the estimator's ``callbacks`` for one fit (a list, one callback or
    None, as ``nn.train.fit`` takes them), so the estimator's own stay untouched."""
    return copy.deepcopy(callback_list(callbacks))


def monitored(callback: Any) -> Any:
    """The metric a callback watches (``EarlyStopping(monitor="val_loss")``), or None."""
    return getattr(callback, "monitor", None)


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
