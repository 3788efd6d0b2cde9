"""``set_params`` of the ``nn.sklearn`` estimators: skorch's nested names
(``module__hidden_units``, ``optimizer__momentum``) name a part with no parameters of its
own here, so they are refused by name before anything is set (scikit-learn's own
``set_params`` sets the flat names first, then fails with a bare ``AttributeError``)."""
from __future__ import annotations

from typing import Any

from .errors import ConfigError

__all__ = ["FlatParams"]


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
