"""What the ``nn.sklearn`` estimators check around the model a fit trains: that a fit
which continues the fitted model (``warm_start=True``, ``partial_fit``) still asks for the
model it was built as, and that training ended with finite weights. scikit-learn's
MLPs raise ``ValueError: Solver produced non-finite parameter weights`` there; these
estimators also put back what a diverged fit changed in place, so that a fit that raises
leaves the estimator as it was."""
from __future__ import annotations

import itertools
from collections.abc import Callable, Mapping
from typing import Any

import numpy as np

from autograd.errors import DataError

from .errors import ConfigError
from .module import Module
from .sklearn_params import hidden_sizes

__all__ = ["architecture", "check_architecture", "snapshot", "non_finite_entries",
           "check_finite_weights"]

_BUILT_MLP_FROM = ("module", "hidden_layer_sizes", "activation", "dropout")


def architecture(owner: str, params: Mapping[str, Any]) -> dict[str, Any]:
    """The parameters (of ``get_params()``) that the fitted module was built from:
    ``module``, and for the default MLP (``module=None``) ``hidden_layer_sizes`` (as a
    tuple of widths), ``activation`` and ``dropout``."""
    if params["module"] is not None:
        return {"module": params["module"]}
    built = {name: params[name] for name in _BUILT_MLP_FROM}
    built["hidden_layer_sizes"] = tuple(hidden_sizes(owner, built["hidden_layer_sizes"]))
    return built


def _same(name: str, built: Any, now: Any) -> bool:
    """Whether parameter ``name`` still asks for what it did: the same object for
    ``module`` (a Module or a function), an equal value for the others."""
    if built is now or name == "module":
        return built is now
    try:
        return bool(built == now)
    except (TypeError, ValueError):  # an array-like compared element by element
        return False


def check_architecture(owner: str, built: Mapping[str, Any] | None,
                       now: Mapping[str, Any], incremental: bool) -> None:
    """``ConfigError`` when a fit would continue a module built from ``built`` while the
    parameters now ask for ``now`` (``set_params`` in between): its weights do not take
    the new layers, and training the old model instead would ignore them silently.
    ``built`` None (an estimator fitted before this was recorded): nothing to compare."""
    if built is None:
        return
    changed = [n for n in built if not _same(n, built[n], now.get(n))]
    if "module" in changed:  # the other parameters build only the default MLP
        changed = ["module"]
    if not changed:
        return
    was = ", ".join(f"{n}={built[n]!r:.60}" for n in changed)
    asked = ", ".join(f"{n}={now.get(n)!r:.60}" for n in changed)
    how = ("partial_fit trains the fitted model further" if incremental else
           "warm_start=True makes fit train the fitted model further")
    raise ConfigError(f"{owner}: {how}, which was built with {was}; the parameters now ask "
                      f"for {asked}, another model. Set them back to continue training it, "
                      f"or start afresh with the new ones: set warm_start=False and call "
                      f"fit, or call fit on sklearn.base.clone(estimator)")


def snapshot(module: Module, optimizer: Any = None,
             rng: np.random.Generator | None = None) -> Callable[[], None]:
    """A function that puts back, in place, ``module``'s parameters and buffers,
    ``optimizer``'s state and ``rng``'s state as they are now (copies: training does
    not change them). None: that part is not kept."""
    module_state = module.state_dict()
    optimizer_state = None if optimizer is None else optimizer.state_dict()
    rng_state = None if rng is None else rng.bit_generator.state

    def restore() -> None:
        module.load_state_dict(module_state)
        if optimizer_state is not None:
            optimizer.load_state_dict(optimizer_state)
        if rng_state is not None:
            rng.bit_generator.state = rng_state
    return restore


def non_finite_entries(module: Module) -> list[str]:
    """The names of ``module``'s parameters and floating buffers holding NaN or inf."""
    entries = itertools.chain(module.named_parameters(), module.named_buffers())
    return [name for name, tensor in entries
            if np.asarray(tensor.data).dtype.kind in "fc"
            and not np.isfinite(tensor.data).all()]


def check_finite_weights(owner: str, module: Module, restore: Callable[[], None] | None,
                         epochs: int, lr: Any, kept_optimizer: bool) -> None:
    """A ``DataError`` (a ValueError) when training left NaN or inf in ``module``'s
    parameters or buffers, as scikit-learn's MLPs raise ``Solver produced non-finite
    parameter weights``; first ``restore()`` puts back what the fit changed in place (a
    :func:`snapshot`; None for a new module, which the estimator's ``kept_if_failed``
    drops). ``kept_optimizer``: a ``partial_fit`` that reused its optimizer (and lr)."""
    bad = non_finite_entries(module)
    if not bad:
        return
    if restore is not None:
        restore()
    raise _diverged_error(owner, bad, epochs, lr, kept_optimizer)


def _diverged_error(owner: str, bad: list[str], epochs: int, lr: Any,
                    kept_optimizer: bool) -> DataError:
    """The error of a fit whose weights ``bad`` ended NaN or inf after ``epochs`` epochs,
    saying what to change."""
    names = ", ".join(bad[:3]) + (f" and {len(bad) - 3} more" if len(bad) > 3 else "")
    lower = ("lower lr and start again from sklearn.base.clone(estimator) (partial_fit keeps "
             "the optimizer, and lr, of its first call)" if kept_optimizer else
             "lower lr (set_params(lr=...))")
    return DataError(f"{owner}: training diverged: the solver produced non-finite parameter "
                     f"weights (NaN or inf in {names}) after {epochs} epoch(s) with lr={lr!r}. "
                     f"Scale the inputs (e.g. make_pipeline(StandardScaler(), {owner}(...)); "
                     f"a regressor's targets too), or {lower}. The estimator is left as it "
                     f"was before this call (unfitted if it was)")
