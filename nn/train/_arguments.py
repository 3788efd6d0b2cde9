"""The checks ``fit`` runs on its arguments, and on what the user's functions return,
so that a wrong argument is a named error before training (or at the first batch) that
says what was expected, what was given and what to do."""
from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np

from autograd import Tensor

from .._checks import is_real
from ..errors import ArgumentTypeError, ConfigError, NameNotFoundError
from ..module import Module
from .callbacks import Callback

__all__ = ["callback_list", "named_metrics", "check_part_names", "metric_value",
           "check_loss_fn", "loss_tensor", "check_optimizer", "check_field_count",
           "check_validation_monitors", "monitored"]

RESERVED_NAMES = ("loss", "lr")  # what fit logs itself, next to the metrics


def callback_list(callbacks: Any) -> list[Callback]:
    """``callbacks`` as a list of ``Callback`` instances. As Keras 3's ``fit``: None is
    no callback, and one callback given alone is a list of one."""
    if callbacks is None:
        return []
    if isinstance(callbacks, Callback):
        return [callbacks]
    try:
        found = list(callbacks)
    except TypeError:
        raise ArgumentTypeError(f"fit: callbacks must be a list of nn.train.Callback "
                                f"instances (or None); got {callbacks!r} "
                                f"({type(callbacks).__name__})") from None
    for cb in found:
        if not isinstance(cb, Callback):
            advice = (f"; build one: {cb.__name__}(...)" if isinstance(cb, type)
                      and issubclass(cb, Callback) else "")
            raise ArgumentTypeError(f"callbacks must be nn.train.Callback instances; got "
                                    f"{type(cb).__name__}{advice}")
    return found


def named_metrics(metrics: Any) -> dict[str, Callable[[Any, Any], Any]]:
    """``metrics`` by name: a list or tuple of functions (named by ``__name__``) or a
    dict name -> function; None is none. As Keras 3's ``compile``, anything else (one
    function given alone, too) is refused. Two metrics of one name (two lambdas), or one
    named ``loss``, ``lr`` or ``val_...`` (fit's own names), are a ``ConfigError``: one
    value would silently replace another in the History."""
    if metrics is None:
        return {}
    if isinstance(metrics, Mapping):
        items = list(metrics.items())
    elif isinstance(metrics, (list, tuple)):
        items = [(getattr(m, "__name__", type(m).__name__), m) for m in metrics]
    else:
        advice = (f" Put it in a list: metrics=[{getattr(metrics, '__name__', 'fn')}]."
                  if callable(metrics) else "")
        raise ArgumentTypeError(f"fit: metrics must be a list (or tuple) of functions "
                                f"fn(scores, target) -> float, or a dict name -> function, "
                                f"or None; got {metrics!r} ({type(metrics).__name__})."
                                f"{advice}")
    named: dict[str, Callable[[Any, Any], Any]] = {}
    for name, fn in items:
        if not callable(fn):
            raise ArgumentTypeError(f"fit: metric {name!r} must be a function fn(scores, "
                                    f"target) -> float; got {fn!r} ({type(fn).__name__}). "
                                    f"Names are not looked up: pass nn.train.accuracy, say")
        name = str(name)
        if name in named:
            raise ConfigError(f"fit: two metrics are named {name!r} (a list names each by "
                              f"its __name__; lambdas and functools.partial objects share "
                              f"one), so one would overwrite the other. Name them with a "
                              f"dict: metrics={{'first': ..., 'second': ...}}")
        _check_free_name(name, "metric", f"name it with a dict: metrics={{'my_{name}': "
                                         f"{getattr(fn, '__name__', 'fn')}}}")
        named[name] = fn
    return named


def _check_free_name(name: str, what: str, advice: str) -> None:
    """A logged name that is not fit's own (``loss``, ``lr``, or ``val_...``)."""
    if name in RESERVED_NAMES or name.startswith("val_"):
        raise ConfigError(f"fit: a {what} is named {name!r}, but fit logs 'loss', 'lr' and "
                          f"'val_<name>' (the validation values) itself, so one would "
                          f"replace the other in the History; {advice}")


def check_part_names(parts: Sequence[str], metrics: Mapping[str, Any]) -> None:
    """The loss parts (the fields after the first of the named tuple the loss function
    returned) are logged next to the metrics: a name taken twice is a ``ConfigError``
    (their values would be summed into one entry)."""
    for name in parts:
        _check_free_name(name, "loss part", "rename that field of the named tuple")
        if name in metrics:
            raise ConfigError(f"fit: the loss returns a part named {name!r}, and a metric "
                              f"has that name too; both would be logged as {name!r}. "
                              f"Rename the metric (metrics={{'{name}_metric': fn}}, say)")


def metric_value(name: str, value: Any) -> float:
    """A metric's result as a float: a real number, or a 0-d array or Tensor of
    integers or floats; anything else is an ``ArgumentTypeError`` naming the metric."""
    data = value.data if isinstance(value, Tensor) else value
    if is_real(data) or (isinstance(data, np.ndarray) and data.ndim == 0
                         and data.dtype.kind in "iuf"):
        return float(data)
    shape = f" of shape {data.shape}" if isinstance(data, np.ndarray) else ""
    raise ArgumentTypeError(f"fit: metric {name!r} must return a number; it returned "
                            f"{type(value).__name__}{shape} ({value!r:.60}). Return one "
                            f"float per batch, e.g. float(np.mean(...))")


def check_loss_fn(model: Module, loss_fn: Any) -> None:
    """``loss_fn``: a function ``fn(output, target)`` or a loss instance, or None for
    ``model.loss`` (which the model must then have)."""
    if loss_fn is None and not callable(getattr(model, "loss", None)):
        raise ArgumentTypeError(f"loss_fn=None trains with model.loss(...), but "
                                f"{type(model).__name__} has no loss method; pass a loss "
                                f"such as nn.functional.cross_entropy")
    if isinstance(loss_fn, type):
        raise ArgumentTypeError(f"fit: loss_fn is the class {loss_fn.__name__}; pass an "
                                f"instance, {loss_fn.__name__}() (its options go there), or "
                                f"a function such as nn.functional.cross_entropy")
    if loss_fn is not None and not callable(loss_fn):
        raise ArgumentTypeError(f"fit needs a loss function fn(output, target), such as "
                                f"nn.functional.cross_entropy or nn.MSELoss(), or None "
                                f"for model.loss; got {loss_fn!r} (names are not looked up)")


def loss_tensor(result: Any, source: str) -> Tensor:
    """The loss Tensor in what ``source`` (``loss_fn`` or ``model.loss``) returned: the
    Tensor itself, or the first item of a tuple or list (a named tuple of loss parts,
    the VAE's). Anything else is an ``ArgumentTypeError``: backward needs a Tensor."""
    loss = result[0] if isinstance(result, (tuple, list)) and len(result) > 0 else result
    if isinstance(loss, Tensor):
        return loss
    got = type(result).__name__ if loss is result else (
        f"a {type(result).__name__} whose first item is a {type(loss).__name__}")
    raise ArgumentTypeError(f"fit: {source} must return the loss as a Tensor (or a tuple "
                            f"whose first item is that Tensor); it returned {got} "
                            f"({result!r:.60}). Compute it from the model's output with "
                            f"Tensor operations (e.g. F.mse_loss(output, target)), not "
                            f"with NumPy, float() or .item(), which cut the graph")


def check_optimizer(optimizer: Any, model: Module) -> None:
    """An ``nn.optim`` optimizer (``param_groups`` and ``step``) over at least one of the
    model's parameters, when the model has any: one over other parameters only (another
    model's) would train nothing, silently. Over part of them (the rest frozen) is fine."""
    if not (hasattr(optimizer, "param_groups") and callable(getattr(optimizer, "step", None))):
        raise ArgumentTypeError(f"fit needs an nn.optim optimizer, e.g. nn.optim.Adam("
                                f"model.parameters(), lr=1e-3); got {optimizer!r}")
    model_params = {id(p) for p in model.parameters()}
    optimized = {id(p) for group in optimizer.param_groups for p in group.get("params", ())}
    if model_params and not model_params & optimized:
        raise ConfigError(f"fit: the optimizer updates none of the parameters of the model "
                          f"({type(model).__name__}), so training would change nothing; "
                          f"build it over this model's: {type(optimizer).__name__}("
                          f"model.parameters(), ...). (A tensor that loss_fn trains, such "
                          f"as a temperature, belongs in the model: an nn.Parameter of it)")


def check_field_count(count: int, loss_fn: Any, what: str) -> None:
    """With a ``loss_fn``, the data gives inputs and at most targets: ``loss_fn(output,
    target)`` would never see a third array (sample weights...), so one is refused rather
    than dropped; ``model.loss(X, *rest)`` (``loss_fn=None``) takes them all."""
    if loss_fn is not None and count > 2:
        raise ConfigError(f"fit: the {what} data gives {count} arrays per batch, but "
                          f"loss_fn(output, target) takes only the inputs and targets; the "
                          f"arrays after the second would be ignored. Pass (X, y), or pass "
                          f"loss_fn=None to train with model.loss(X, *others), which "
                          f"receives them")


def monitored(callback: Any) -> Any:
    """The name a callback watches (``EarlyStopping(monitor="val_loss")``), or None when
    it has no ``monitor`` or does not read it (``uses_monitor``: ``ModelCheckpoint``
    without ``save_best_only``, an ``LRScheduler`` of another kind than
    ``ReduceLROnPlateau``)."""
    return getattr(callback, "monitor", None) if getattr(callback, "uses_monitor",
                                                         True) else None


def check_validation_monitors(callbacks: Sequence[Callback], validating: bool) -> None:
    """Without validation data, a callback that reads a ``val_...`` value (its
    ``monitor``, when its ``uses_monitor`` says it reads it) could never find it: the
    ``NameNotFoundError`` it would raise after the first epoch is raised before training
    (``nn.sklearn``'s estimators check this too). Other names are checked at each epoch's
    end (the loss parts are known only then). An ``LRScheduler`` given a function learns
    at ``on_train_begin`` whether it builds a ``ReduceLROnPlateau``: checked again then."""
    if validating:
        return
    for callback in callbacks:
        name = monitored(callback)
        if isinstance(name, str) and name.startswith("val_"):
            raise NameNotFoundError(f"fit: {type(callback).__name__} monitors {name!r}, a "
                                    f"value fit logs only with validation data, and none "
                                    f"was given; pass val=(X_val, y_val) (or a DataLoader) "
                                    f"to fit, or monitor the training value {name[4:]!r}")
