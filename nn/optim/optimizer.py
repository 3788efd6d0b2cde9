"""Base class shared by every optimizer: parameter groups, state, (de)serialisation.

An optimizer only ever touches ``p.data`` (the live NumPy array of a parameter) and
``p.grad.data``; nothing it does is recorded in an autograd graph.
"""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from typing import Any

import numpy as np

from autograd import Tensor, enable_grad
from .._checks import flag, real_number
from ..errors import ArgumentTypeError, ConfigError, StateDictError
from ..parameter import forget_grad
from .flat_params import memory_order
from .hyper_parameters import plain_hyper_parameters
from .optimizer_hooks import (OptimizerHooks, hooked, register_optimizer_step_post_hook,
                              register_optimizer_step_pre_hook)
from .param_names import check_naming_agrees, split_names
from .required import fill_defaults, required
from .state_dict_checks import (SCHEDULER_KEYS, TORCH_FLAGS, accepted_torch_flags,
                                checked_entry, checked_groups, checked_state,
                                library_hyper_parameters, param_index as _param_index,
                                validate_loaded_group)
from .state_tensors import restored_value, saved_value
from .torch_flags import drop_torch_flags

__all__ = ["Optimizer", "ParamsT", "required", "register_optimizer_step_pre_hook",
           "register_optimizer_step_post_hook"]

ParamsT = Iterable[Tensor] | Iterable[dict[str, Any]] | Iterable[tuple[str, Tensor]]


class Optimizer(OptimizerHooks):
    """Holds ``param_groups`` (list of dicts with a ``"params"`` list plus
    hyper-parameters) and per-parameter ``state`` (``optimizer.state[p]``, a dict of
    Tensors with PyTorch's keys, ``state_tensors.py``; empty for a parameter that has
    none, e.g. under plain SGD).

    Subclasses implement ``_validate_group(group)`` and ``_update(param, grad, state,
    group)``, which updates the array ``param`` (``p.data``) in place (and the arrays of
    the state's Tensors, ``state_array``). A group with
    ``maximize=True`` hands ``_update`` the negated gradient (gradient ascent).
    ``needs_closure``: ``step`` must be given a closure that re-evaluates the loss
    (L-BFGS); ``nn.train.fit`` then passes one.
    """

    needs_closure: bool = False
    # hyper-parameters added in a later version: an older state dict may lack them
    later_keys: frozenset[str] = frozenset()
    # state entries kept as 0-d Tensors (``step``): an older state dict's number is wrapped
    scalar_state: frozenset[str] = frozenset()

    def __init_subclass__(cls, **kwargs: Any) -> None:
        """A subclass's own ``step``, ``state_dict`` and ``load_state_dict`` are wrapped
        to run the hooks (``optimizer_hooks.py``); ``step`` also records that the
        optimizer has stepped (schedulers warn when they are stepped before it)."""
        super().__init_subclass__(**kwargs)
        for name in ("step", "state_dict", "load_state_dict"):
            method = cls.__dict__.get(name)
            if method is not None and not getattr(method, "_hooked", False):
                setattr(cls, name, hooked(method))

    def __init__(self, params: ParamsT, defaults: dict[str, Any]) -> None:
        self.defaults = dict(defaults)
        plain_hyper_parameters(self, self.defaults)  # a 0-d tensor lr... becomes its value
        self.param_groups: list[dict[str, Any]] = []
        # keyed by identity; a parameter without state reads as {} (as in PyTorch)
        self.state: defaultdict[Tensor, dict[str, Any]] = defaultdict(dict)
        self._work: dict[tuple[np.dtype, int], np.ndarray] = {}  # scratch, never saved
        self._views: dict[tuple[tuple[int, ...], np.dtype, int], np.ndarray] = {}
        self._stepped = False  # has step() been called (read by the schedulers)
        if callable(getattr(params, "parameters", None)) and not hasattr(params, "__iter__"):
            raise ArgumentTypeError(  # a Module: SGD(model, lr=...) (a ParameterList iterates)
                f"optimizer params must be an iterable of Tensors or of param-group dicts; got "
                f"the module {type(params).__name__} itself. Pass model.parameters().")
        if _is_tensor(params):
            raise ArgumentTypeError(
                "optimizer params must be an iterable of Tensors or of param-group "
                f"dicts, got a single {type(params).__name__}; wrap it in a list")
        groups = list(params)
        if not groups:
            raise ConfigError("optimizer got an empty parameter list")
        if not isinstance(groups[0], Mapping):
            groups = [{"params": groups}]
        for group in groups:
            self.add_param_group(group)

    # ----------------------------------------------------------------- groups
    def add_param_group(self, param_group: Mapping[str, Any]) -> None:
        """Add a group ``{"params": [...], **hyper_parameters}``; missing
        hyper-parameters take the optimizer's defaults; other keys (``"name"``) are kept.
        ``"params"`` may hold ``(name, tensor)`` pairs (``named_parameters()``): the names
        go to ``"param_names"``. PyTorch's ``foreach``/``fused``/``capturable``/
        ``differentiable`` are checked as the constructor checks them, and not kept."""
        if not isinstance(param_group, Mapping):
            raise ArgumentTypeError(f"a param group must be a dict, got "
                                    f"{type(param_group).__name__}")
        if "params" not in param_group:
            raise ConfigError("a param group must have a 'params' entry")
        group = dict(param_group)
        drop_torch_flags(self, group)
        params = group["params"]
        if isinstance(params, (set, frozenset)):  # PyTorch's TypeError
            raise ArgumentTypeError("a param group's 'params' must be ordered (a list): a "
                                    "set's order changes between runs, and so would the "
                                    "optimizer state's. Write list(...) of parameters.")
        group["params"] = [params] if _is_tensor(params) else list(params)
        group["params"], names = split_names(type(self).__name__, group["params"])
        if names is not None:
            group["param_names"] = names
        check_naming_agrees(type(self).__name__, self.param_groups, group)
        for p in group["params"]:
            if not _is_tensor(p):
                raise ArgumentTypeError(
                    "optimizer can only optimize Tensors (objects with .data and .grad), "
                    f"got {type(p).__name__}")
            if getattr(p, "is_leaf", True) is False:  # as PyTorch: it would never get a .grad
                raise ConfigError(
                    f"optimizer can only optimize leaf tensors; got a tensor computed by "
                    f"{type(p.grad_fn).__name__} (shape {p.shape}), which never receives a "
                    ".grad, so step() would leave it unchanged. Make the leaf the result: "
                    "w = ag.Tensor(w.data, requires_grad=True) (or compute w under "
                    "ag.no_grad() and then call w.requires_grad_())")
        fill_defaults(type(self).__name__, group, self.defaults)
        plain_hyper_parameters(self, group)
        seen = {id(p) for g in self.param_groups for p in g["params"]}
        ids = [id(p) for p in group["params"]]
        if len(set(ids)) != len(ids) or seen.intersection(ids):
            raise ConfigError("some parameters appear more than once (within a group or "
                              "in several groups); each parameter may appear only once")
        self._validate_group(group)
        if "maximize" in group:
            flag(type(self).__name__, "maximize", group["maximize"])
        self.param_groups.append(group)

    def _validate_group(self, group: dict[str, Any]) -> None:
        """Raise ``ConfigError`` (a ValueError) for an invalid hyper-parameter (overridden)."""

    # ------------------------------------------------------------------- step
    @hooked
    def step(self, closure: Callable[[], Any] | None = None) -> Any:
        """Apply one update to every parameter that has a gradient.

        If ``closure`` is given it is called first (it should zero the gradients,
        recompute the loss, call ``backward()`` and return the loss) and its result
        is returned. As in PyTorch it runs with gradients enabled, also when ``step``
        is called under ``no_grad()``.
        """
        self._stepped = True
        loss = call_closure(closure)
        for group in self.param_groups:
            self._step_group(group)
        return loss

    def _step_group(self, group: dict[str, Any]) -> None:
        """Update the parameters of one group (an optimizer may override this with a
        faster loop for the cases that need no state). ``maximize``: the update
        sees -g, in a scratch array (the stored gradient is never modified)."""
        states, update = self.state, self._update
        maximize = group.get("maximize", False)
        for p in group["params"]:
            grad = p.grad
            if grad is None:
                continue
            state = states.get(p)
            if state is None:
                state = states[p] = {}
            g = grad.data
            if maximize:
                g = np.negative(g, out=self._scratch(g, 2))
            update(p.data, g, state, group)
            _count_write(p)

    def _update(self, param: np.ndarray, grad: np.ndarray, state: dict[str, Any],
                group: dict[str, Any]) -> None:
        """Update the parameter array ``param`` in place (never rebind it)."""
        raise NotImplementedError

    def zero_grad(self, set_to_none: bool = True) -> None:
        """Forget the gradients: ``p.grad = None`` (default) or fill them with zeros (a
        gradient from ``backward(create_graph=True)`` is detached first, as in PyTorch, so
        its graph is freed)."""
        for group in self.param_groups:
            for p in group["params"]:
                forget_grad(p, set_to_none)

    def _scratch(self, arr: np.ndarray, slot: int = 0) -> np.ndarray:
        """A reusable work array shaped like ``arr`` and in its memory order (C, or F as
        ``Linear``'s weights: mixed orders make every update strided); contents undefined.

        One flat buffer per (dtype, slot), grown to the largest parameter, and a cached
        view of it per shape: after the first step the hot path allocates nothing.
        """
        order = memory_order(arr)
        key = (arr.shape, arr.dtype, slot, order)
        view = self._views.get(key)
        if view is None:
            buf = self._work.get((arr.dtype, slot))
            if buf is None or buf.size < arr.size:
                buf = self._work[(arr.dtype, slot)] = np.empty(arr.size, dtype=arr.dtype)
                self._views = {k: v for k, v in self._views.items()
                               if k[1:3] != (arr.dtype, slot)}  # drop views of the old one
            view = self._views[key] = buf[:arr.size].reshape(arr.shape, order=order)
        return view

    def _with_weight_decay(self, param: np.ndarray, grad: np.ndarray,
                           weight_decay: float) -> np.ndarray:
        """g + wd * p in a scratch array (the stored gradient is never modified)."""
        if weight_decay == 0:
            return grad
        out = self._scratch(param, 0)
        np.multiply(param, weight_decay, out=out)
        out += grad
        return out

    def _decayed_gradient(self, param: np.ndarray, grad: np.ndarray, group: dict[str, Any],
                          decoupled: bool) -> np.ndarray:
        """The gradient after weight decay: ``decoupled`` (AdamW's) shrinks the parameter,
        ``p = p * (1 - lr * weight_decay)``, and keeps g; else ``g + weight_decay * p``."""
        if not decoupled:
            return self._with_weight_decay(param, grad, group["weight_decay"])
        if group["weight_decay"] != 0:
            param *= 1 - group["lr"] * group["weight_decay"]
        return grad

    # ------------------------------------------------------------- state dict
    @hooked
    def state_dict(self) -> dict[str, Any]:
        """``{"state": {0: {...}, ...}, "param_groups": [{..., "params": [0, 1]}]}``.

        Parameters are numbered across groups in order, and ``"state"`` is keyed by
        that int, as in PyTorch (``sd["state"][0]["exp_avg"]``, a Tensor); a parameter
        without state has no entry. The entries come in the order the parameters got their
        state (their first step, or the loaded state dict's order), as PyTorch's. Tensors
        are copies, so the result is a snapshot that later steps do not change.
        """
        index_of: dict[int, int] = {}  # id(parameter) -> its number
        groups: list[dict[str, Any]] = []
        for group in self.param_groups:
            saved = {k: v for k, v in group.items() if k != "params"}
            if "param_names" in saved:
                saved["param_names"] = list(saved["param_names"])
            saved["params"] = list(range(len(index_of), len(index_of) + len(group["params"])))
            index_of.update((id(p), i) for p, i in zip(group["params"], saved["params"]))
            groups.append(saved)
        state = {index_of[id(p)]: {k: saved_value(v) for k, v in entry.items()}
                 for p, entry in self.state.items() if entry and id(p) in index_of}
        return {"state": state, "param_groups": groups}

    @hooked
    def load_state_dict(self, state_dict: Mapping[str, Any]) -> None:
        """Restore hyper-parameters and per-parameter state saved by ``state_dict``.

        Groups and parameters are matched by position; shapes are checked and Tensors
        (or the arrays of older state dicts) are copied, floating ones cast to the
        parameter's dtype (``step`` keeps its own), as in PyTorch. ``"state"`` may be
        keyed by int (as ``state_dict`` writes it) or by the same numbers as str (``"0"``,
        as state dicts of earlier versions were). PyTorch's ``foreach``/``fused``/
        ``capturable``/``differentiable`` in a group are checked and dropped where the
        constructor takes them. A group's keys of the user's own (``"name"``) are restored,
        as in PyTorch. A malformed state dict, or one saved by another kind of optimizer
        (``_check_group_keys``), raises ``StateDictError`` naming the entry
        (``state_dict_checks.py``), and leaves the optimizer as it was.
        """
        owner = type(self).__name__
        if not isinstance(state_dict, Mapping) or set(state_dict) != {"state", "param_groups"}:
            raise StateDictError("optimizer state dict must have exactly the keys "
                                 "'state' and 'param_groups'")
        saved_groups = checked_groups(owner, state_dict["param_groups"], len(self.param_groups))
        by_index: dict[int, Tensor] = {}
        dropped: list[frozenset[str]] = []  # PyTorch's switches, per group
        for i, (group, saved) in enumerate(zip(self.param_groups, saved_groups)):
            dropped.append(self._check_group_keys(i, group, saved))
            if len(saved["params"]) != len(group["params"]):
                raise StateDictError(f"parameter group {i}: loaded state dict has "
                                     f"{len(saved['params'])} parameters, this optimizer has "
                                     f"{len(group['params'])}")
            by_index.update((_param_index(k), p) for k, p in zip(saved["params"], group["params"]))
        new_state: defaultdict[Tensor, dict[str, Any]] = defaultdict(dict)
        for key, entry in checked_state(owner, state_dict["state"]).items():
            index = _param_index(key)
            if index is None or index not in by_index:
                raise StateDictError(f"loaded state dict has state for parameter {key}, "
                                     "which is in no parameter group")
            p = by_index[index]
            if p in new_state:
                raise StateDictError(f"loaded state dict has state for parameter {index} "
                                     "twice (under an int and a str key); keep one")
            new_state[p] = {name: restored_value(value, p.data, key, name, self.scalar_state)
                            for name, value in checked_entry(owner, key, entry).items()}
        new_groups = []
        for group, saved, flags in zip(self.param_groups, saved_groups, dropped):
            merged = dict(group)
            for k, v in saved.items():
                if k == "param_names":  # a list, as PyTorch's
                    merged[k] = list(v)
                elif k != "params" and k not in flags:  # a user's own list stays one
                    merged[k] = tuple(v) if isinstance(v, list) and k in self.defaults else v
            plain_hyper_parameters(self, merged)
            validate_loaded_group(self, merged, saved)  # a scheduler's lr < 0 loads
            if "maximize" in merged:
                flag(owner, "maximize", merged["maximize"])
            new_groups.append(merged)
        self.param_groups[:] = new_groups
        self.state = new_state

    def _check_group_keys(self, index: int, group: Mapping[str, Any],
                          saved: Mapping[str, Any]) -> frozenset[str]:
        """``StateDictError`` when the saved group was saved by another kind of optimizer
        (an Adam state loaded into SGD would merge silently): it lacks one of this
        optimizer's hyper-parameters (``missing``; those of ``later_keys`` may be absent),
        or it has, and this group has not, another library optimizer's hyper-parameter
        (``library_hyper_parameters``: Adam's ``amsgrad`` loaded into Adamax) or a PyTorch
        switch this constructor does not take (``unexpected``). Any other key is the
        user's own (``"name"``, ``"lr_scale"``) or a scheduler's (``SCHEDULER_KEYS``) and
        loads, as in PyTorch. Returns PyTorch's switches (``foreach``...) the saved group
        has and the constructor takes, checked, for the caller to drop."""
        keys = set(saved) - {"params"}
        flags = accepted_torch_flags(self, group, saved)
        missing = sorted(set(self.defaults) - keys - self.later_keys)
        foreign = (library_hyper_parameters(Optimizer) | TORCH_FLAGS) - SCHEDULER_KEYS
        unexpected = sorted(keys.intersection(foreign) - set(group) - flags)
        if missing or unexpected:
            name = type(self).__name__
            raise StateDictError(
                f"{name}.load_state_dict: parameter group {index} of the state dict has "
                f"hyper-parameters {sorted(keys)}; a {name} expects {sorted(self.defaults)} "
                f"(missing: {missing or 'none'}; unexpected: {unexpected or 'none'}). It was "
                f"saved from another kind of optimizer: load it into that kind, or start "
                f"this {name} afresh.")
        return flags

    def __repr__(self) -> str:
        """PyTorch's text: per group a ``Parameter Group i`` line, then ``    key: value``
        for each hyper-parameter, sorted by name (a blank line between groups, as there)."""
        text = f"{type(self).__name__} ("
        for i, group in enumerate(self.param_groups):
            text += f"\nParameter Group {i}\n" + "".join(
                f"    {k}: {group[k]}\n" for k in sorted(group) if k != "params")
        return text + ")"


# ------------------------------------------------------------------ helpers
def _is_tensor(obj: Any) -> bool:  # (a Tensor's .grad is not read: a non-leaf's warns)
    return isinstance(obj, Tensor) or (hasattr(obj, "data") and hasattr(obj, "grad")
                                       and not isinstance(obj, Mapping))


def call_closure(closure: Callable[[], Any] | None) -> Any:
    """``closure()`` with gradients enabled (None without a closure), as PyTorch's
    optimizers call it: it records the loss and runs its backward."""
    if closure is None:
        return None
    if not callable(closure):
        raise ArgumentTypeError(f"step(closure): closure must be a function that computes "
                                f"the loss and calls backward (or None); got {closure!r:.40}")
    with enable_grad():
        return closure()


def check(condition: bool, name: str, value: Any, expected: str) -> None:
    """Raise ``ConfigError("Invalid <name>: <value> (expected <expected>)")`` unless
    ``condition`` holds."""
    if not condition:
        raise ConfigError(f"Invalid {name}: {value!r} (expected {expected})")


def check_pair(owner: str, group: dict[str, Any], name: str, example: str) -> tuple[Any, Any]:
    """``group[name]`` as a tuple of two (stored back into the group): a tuple or list,
    else ``ArgumentTypeError``; of length 2, else ``ConfigError``. ``example`` shows one,
    e.g. ``"betas=(0.9, 0.999)"``."""
    pair = group[name]
    if not isinstance(pair, (tuple, list)):
        raise ArgumentTypeError(f"{owner}: {name} must be a pair, e.g. {example}; got "
                                f"{pair!r} ({type(pair).__name__})")
    check(len(pair) == 2, name, pair, f"a pair, e.g. {example}")
    group[name] = tuple(pair)
    return group[name]


def check_nonneg(owner: str, group: Mapping[str, Any], *names: str) -> None:
    """Every named hyper-parameter must be a finite number >= 0 (``nn._checks``' rule:
    ``ArgumentTypeError`` for another type, ``ConfigError`` out of range)."""
    for name in names:
        real_number(owner, name, group[name], minimum=0)


def _count_write(p: Any) -> None:
    """An update writes the parameter's array in place: tell autograd (its version), so a
    backward through a graph that saved the old values refuses instead of mixing them."""
    if isinstance(p, Tensor):
        p.bump_version()
