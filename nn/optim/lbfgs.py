"""L-BFGS: a quasi-Newton method that re-evaluates the loss through a closure, as
``torch.optim.LBFGS``."""
from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import numpy as np

from autograd import Tensor
from autograd.errors import UsageError
from .._checks import integer, is_real
from ..errors import ArgumentTypeError, ConfigError, StateDictError
from .line_search import strong_wolfe
from .optimizer import (Optimizer, ParamsT, _count_write, _param_index, call_closure,
                        check_nonneg)
from .state_tensors import copied_state, state_array

__all__ = ["LBFGS"]

LINE_SEARCHES = (None, "strong_wolfe")
CLOSURE_EXAMPLE = ("def closure():\n    opt.zero_grad()\n    loss = loss_fn(model(x), y)\n"
                   "    loss.backward()\n    return loss\nopt.step(closure)")
# state entries that are flat vectors over all parameters (lists of them), not one's shape
VECTORS, VECTOR_LISTS = ("d", "prev_flat_grad"), ("old_dirs", "old_stps")
HISTORY = (*VECTORS, *VECTOR_LISTS, "ro")  # restored by LBFGS itself, as copies


class LBFGS(Optimizer):
    """L-BFGS, following PyTorch's algorithm; ``step(closure)`` runs up to ``max_iter``
    iterations, and the closure (required) re-evaluates the loss and its gradients.

    All parameters form one flat vector x with gradient g. Each iteration moves
    ``x = x + t d`` along the direction d = -H g, where H, an approximate inverse Hessian,
    is built by the two-loop recursion from the last ``history_size`` pairs
    ``s = t d`` (step) and ``y = g_new - g_old`` (gradient change), kept when ``y.s >
    1e-10``, and scaled by ``H_diag = y.s / y.y`` of the newest pair. The very first
    iteration takes steepest descent, d = -g, with ``t = min(1, 1 / |g|_1) * lr``; later
    ones ``t = lr``, or the step that ``line_search_fn="strong_wolfe"`` finds (strong Wolfe
    conditions with c1 = 1e-4, c2 = 0.9, cubic interpolation; ``nn/optim/line_search.py``).

    A step stops early when ``max|g| <= tolerance_grad`` (also before the first move),
    ``g.d > -tolerance_change``, ``max|t d| <= tolerance_change``, the loss changed by
    less than ``tolerance_change``, or the closure ran ``max_eval`` times (default
    ``max_iter * 5 // 4``). ``maximize=True`` maximises the loss instead.

    As PyTorch's: one parameter group only (a second raises ``ConfigError``); the state
    lives under the first parameter (``state_dict()["state"][0]``) with keys
    ``func_evals``, ``n_iter``, ``d``, ``t``, ``old_dirs``, ``old_stps``, ``ro``,
    ``H_diag``, ``prev_flat_grad`` and ``prev_loss`` (not torch's scratch list ``al``); as
    in PyTorch the vectors are Tensors (``ro`` and ``H_diag`` 0-d ones; ``H_diag`` the int
    1 until a pair is kept) and the counts, ``t`` and ``prev_loss`` numbers. Saving copies
    the lists (``Optimizer.state_dict``).
    ``step`` returns the closure's first loss (before the update).
    """

    needs_closure = True

    def __init__(self, params: ParamsT, lr: float = 1, max_iter: int = 20,
                 max_eval: int | None = None, tolerance_grad: float = 1e-7,
                 tolerance_change: float = 1e-9, history_size: int = 100,
                 line_search_fn: str | None = None, *, maximize: bool = False) -> None:
        if max_eval is None:
            max_eval = integer("LBFGS", "max_iter", max_iter, minimum=1) * 5 // 4
        defaults = dict(lr=lr, max_iter=max_iter, max_eval=max_eval,
                        tolerance_grad=tolerance_grad, tolerance_change=tolerance_change,
                        history_size=history_size, line_search_fn=line_search_fn,
                        maximize=maximize)
        super().__init__(params, defaults)

    def add_param_group(self, param_group: Mapping[str, Any]) -> None:
        """The one group of parameters (a second raises ``ConfigError``, as in PyTorch)."""
        if self.param_groups:
            raise ConfigError(
                "LBFGS doesn't support per-parameter options (parameter groups): it "
                "optimizes all parameters as one vector with one set of hyper-parameters. "
                "Pass them in one list, e.g. LBFGS(model.parameters(), lr=1).")
        super().add_param_group(param_group)

    def _validate_group(self, group: dict[str, Any]) -> None:
        check_nonneg("LBFGS", group, "lr", "tolerance_grad", "tolerance_change")
        for name in ("max_iter", "max_eval", "history_size"):
            integer("LBFGS", name, group[name], minimum=1)
        search = group["line_search_fn"]
        if search is not None and not isinstance(search, str):
            raise ArgumentTypeError(f"LBFGS: line_search_fn must be None or 'strong_wolfe'; "
                                    f"got {search!r} ({type(search).__name__})")
        if search not in LINE_SEARCHES:
            raise ConfigError(f"LBFGS: line_search_fn must be None or 'strong_wolfe' (the "
                              f"only line search PyTorch has); got {search!r}")

    # ------------------------------------------------------------------- step
    def step(self, closure: Callable[[], Any] | None = None) -> Any:
        """Run up to ``max_iter`` L-BFGS iterations; ``closure`` (required) clears the
        gradients, computes the loss, calls ``backward()`` and returns the loss. Returns
        the loss of the first call."""
        _check_closure(closure)
        self._check_not_empty()
        group = self.param_groups[0]
        lr, max_iter, max_eval = group["lr"], group["max_iter"], group["max_eval"]
        tolerance_grad, tolerance_change = group["tolerance_grad"], group["tolerance_change"]
        state = self.state[self._params[0]]
        state.setdefault("func_evals", 0)
        state.setdefault("n_iter", 0)

        first_loss, loss, flat_grad = self._evaluate(closure)
        current_evals = 1
        state["func_evals"] += 1
        if np.abs(flat_grad).max() <= tolerance_grad:
            return first_loss  # already optimal

        d, t, prev_flat_grad = (state_array(state.get(k)) for k in ("d", "t", "prev_flat_grad"))
        old_dirs, old_stps = _arrays(state.get("old_dirs")), _arrays(state.get("old_stps"))
        ro, h_diag = _floats(state.get("ro")), _number(state.get("H_diag"))
        prev_loss = state.get("prev_loss")
        n_iter = 0
        while n_iter < max_iter:
            n_iter += 1
            state["n_iter"] += 1
            if state["n_iter"] == 1:  # the very first iteration: steepest descent
                d = -flat_grad
                old_dirs, old_stps, ro, h_diag = [], [], [], 1  # an int, as PyTorch's
            else:
                y = flat_grad - prev_flat_grad
                s = d * t
                ys = y.dot(s)
                if ys > 1e-10:  # keep the pair only where the curvature is positive
                    if len(old_dirs) == group["history_size"]:
                        del old_dirs[0], old_stps[0], ro[0]
                    old_dirs.append(y)
                    old_stps.append(s)
                    ro.append(float(1.0 / ys))
                    h_diag = float(ys / y.dot(y))
                d = two_loop(flat_grad, old_dirs, old_stps, ro, h_diag)
            prev_flat_grad, prev_loss = flat_grad.copy(), loss

            if state["n_iter"] == 1:
                t = min(1.0, 1.0 / np.abs(flat_grad).sum()) * lr
            else:
                t = lr
            gtd = flat_grad.dot(d)  # the slope along d
            if gtd > -tolerance_change:
                break  # d is no descent direction (any more)

            evals, optimal = 0, False
            if group["line_search_fn"] == "strong_wolfe":
                start = [p.data.copy() for p in self._params]
                loss, flat_grad, t, evals = strong_wolfe(
                    lambda step: self._evaluate_at(closure, start, step, d),
                    t, d, loss, flat_grad, gtd, max_ls=max_eval - current_evals)
                self._move(t, d)
                optimal = np.abs(flat_grad).max() <= tolerance_grad
            else:
                self._move(t, d)
                if n_iter != max_iter:  # the last iteration's loss is never used
                    _, loss, flat_grad = self._evaluate(closure)
                    optimal = np.abs(flat_grad).max() <= tolerance_grad
                    evals = 1
            current_evals += evals
            state["func_evals"] += evals

            if (n_iter == max_iter or current_evals >= max_eval or optimal
                    or np.abs(d * t).max() <= tolerance_change  # hardly moves
                    or abs(loss - prev_loss) < tolerance_change):  # hardly improves
                break

        dtype = flat_grad.dtype  # the state as PyTorch's: Tensors (ro, H_diag 0-d ones)
        state.update(d=_tensor(d), t=_number(t), old_dirs=[_tensor(v) for v in old_dirs],
                     old_stps=[_tensor(v) for v in old_stps],
                     ro=[_tensor(np.array(r, dtype)) for r in ro],
                     H_diag=h_diag if isinstance(h_diag, int) else _tensor(np.array(h_diag, dtype)),
                     prev_flat_grad=_tensor(prev_flat_grad), prev_loss=prev_loss)
        return first_loss

    @property
    def _params(self) -> list[Any]:
        return self.param_groups[0]["params"]

    def _check_not_empty(self) -> None:
        """A ``UsageError`` (a RuntimeError, as PyTorch's) when the parameters hold no
        numbers: the flat vector x would be empty. Checked at ``step``, not in the
        constructor: a lazy module's parameters get their shape at its first call."""
        if sum(p.data.size for p in self._params) == 0:
            shapes = ", ".join(str(tuple(p.data.shape)) for p in self._params)
            raise UsageError(
                f"LBFGS.step: the parameters hold no numbers (shapes {shapes}), so there is "
                f"nothing to optimize; L-BFGS needs at least one. Pass parameters with at "
                f"least one element (a lazy module's parameters get their shape at its "
                f"first call: run a forward pass before step).")

    def _evaluate(self, closure: Callable[[], Any]) -> tuple[Any, float, np.ndarray]:
        """Call the closure: (what it returned, the loss as a float, the flat gradient);
        under ``maximize`` the loss and gradient are negated (minimise -loss)."""
        returned = call_closure(closure)
        loss = _loss_value(returned)
        flat_grad = np.concatenate([
            np.zeros(p.data.size, p.data.dtype) if p.grad is None else p.grad.data.reshape(-1)
            for p in self._params])  # a new array, C order within each parameter
        if self.param_groups[0]["maximize"]:
            return returned, -loss, np.negative(flat_grad, out=flat_grad)
        return returned, loss, flat_grad

    def _evaluate_at(self, closure: Callable[[], Any], start: list[np.ndarray], t: Any,
                     d: np.ndarray) -> tuple[float, np.ndarray]:
        """Loss and flat gradient at x + t d; the parameters go back to ``start`` (x)."""
        self._move(t, d)
        _, loss, flat_grad = self._evaluate(closure)
        for p, x in zip(self._params, start):
            np.copyto(p.data, x)
            _count_write(p)
        return loss, flat_grad

    def _move(self, t: Any, d: np.ndarray) -> None:
        """x = x + t d, parameter by parameter, in place."""
        offset = 0
        for p in self._params:
            param = p.data
            param += t * d[offset:offset + param.size].reshape(param.shape)
            offset += param.size
            _count_write(p)

    # ------------------------------------------------------------- state dict
    def load_state_dict(self, state_dict: Mapping[str, Any]) -> None:
        """As ``Optimizer.load_state_dict``; the flat vectors (``d``, ``old_dirs``, ...)
        must have as many numbers as all parameters together, and are cast to their dtype."""
        saved = state_dict.get("state") if isinstance(state_dict, Mapping) else None
        if not isinstance(saved, Mapping):
            super().load_state_dict(state_dict)  # it names the fault
            return
        kept, vectors = {}, {}
        for key, entry in saved.items():
            if _param_index(key) != 0 or not isinstance(entry, Mapping):
                raise StateDictError(f"LBFGS keeps its state in a dict under parameter 0 "
                                     f"(as PyTorch's); this state dict has a "
                                     f"{type(entry).__name__} under {key!r}. Was it saved "
                                     f"from an LBFGS?")
            _check_numbers(entry)
            kept[key] = {k: v for k, v in entry.items() if k not in HISTORY}
            vectors = self._restore_vectors(entry)
        super().load_state_dict({**state_dict, "state": kept})
        if vectors:
            self.state[self._params[0]].update(vectors)

    def _restore_vectors(self, entry: Mapping[str, Any]) -> dict[str, Any]:
        """Copies of the saved flat vectors in the parameters' dtype; ``StateDictError``
        for one of another size, or a history whose lists differ in length."""
        size = sum(p.data.size for p in self._params)
        dtype = np.result_type(*(p.data for p in self._params))

        def vector(value: Any, name: str) -> Tensor:
            array = np.asarray(state_array(value))
            if array.dtype.kind not in "biuf" or array.shape != (size,):
                raise StateDictError(
                    f"LBFGS state '{name}' must be a vector of {size} numbers (all "
                    f"parameters, flattened); got {array.dtype} data of shape {array.shape}")
            return copied_state(array, dtype)

        restored: dict[str, Any] = {}
        for name in VECTORS:
            if name in entry:
                value = entry[name]
                restored[name] = None if value is None else vector(value, name)
        for name in VECTOR_LISTS:
            if name in entry:
                if not isinstance(entry[name], (list, tuple)):
                    raise StateDictError(f"LBFGS state '{name}' must be a list of vectors; "
                                         f"got {type(entry[name]).__name__}")
                restored[name] = [vector(v, f"{name}[{i}]") for i, v in enumerate(entry[name])]
        if "ro" in entry:
            ro = entry["ro"]
            if not isinstance(ro, (list, tuple)) or not all(
                    is_real(v) or _is_number_tensor(v) for v in ro):
                raise StateDictError(f"LBFGS state 'ro' must be a list of numbers; got {ro!r:.80}")
            restored["ro"] = [copied_state(np.array(float(v)), dtype) for v in ro]
        lengths = {len(restored[n]) for n in (*VECTOR_LISTS, "ro") if n in restored}
        if len(lengths) > 1:
            raise StateDictError("LBFGS state 'old_dirs', 'old_stps' and 'ro' must have the "
                                 f"same length (one entry per stored pair); got {lengths}")
        return restored


def two_loop(grad: np.ndarray, old_dirs: list[np.ndarray], old_stps: list[np.ndarray],
             ro: list[float], h_diag: float) -> np.ndarray:
    """The L-BFGS direction -H g by the two-loop recursion over the pairs (y_i, s_i) =
    (old_dirs[i], old_stps[i]), oldest first, with rho_i = ro[i] = 1 / y_i.s_i::

        q = -g;        newest to oldest: a_i = rho_i s_i.q,   q = q - a_i y_i
        r = h_diag q;  oldest to newest: b_i = rho_i y_i.r,   r = r + (a_i - b_i) s_i
    """
    q = -grad
    alphas = [0.0] * len(old_dirs)
    for i in reversed(range(len(old_dirs))):
        alphas[i] = old_stps[i].dot(q) * ro[i]
        q -= alphas[i] * old_dirs[i]
    r = q * h_diag
    for i in range(len(old_dirs)):
        beta = old_dirs[i].dot(r) * ro[i]
        r += (alphas[i] - beta) * old_stps[i]
    return r


def _check_closure(closure: Any) -> None:
    if closure is None or not callable(closure):
        given = "no closure" if closure is None else f"a {type(closure).__name__}"
        raise ArgumentTypeError(
            f"LBFGS.step(closure) needs a closure, got {given}: L-BFGS evaluates the loss "
            f"several times per step. Pass a function that clears the gradients, computes "
            f"the loss, calls backward() and returns the loss:\n{CLOSURE_EXAMPLE}")


def _loss_value(returned: Any) -> float:
    """The loss the closure returned, as a float (a named error if it is none)."""
    try:
        return float(returned)
    except (TypeError, ValueError) as exc:
        raise ArgumentTypeError(
            f"LBFGS: the closure must return the loss (a scalar Tensor or number); it "
            f"returned {returned!r}. End it with 'return loss':\n{CLOSURE_EXAMPLE}") from exc


def _number(value: Any) -> Any:
    """A NumPy scalar or 0-d Tensor as a Python float; else unchanged."""
    return float(value) if isinstance(value, (np.generic, Tensor)) else value


def _arrays(values: Any) -> Any:
    return None if values is None else [state_array(v) for v in values]


def _floats(values: Any) -> Any:
    return None if values is None else [float(v) for v in values]


def _tensor(value: Any) -> Any:
    """An array wrapped (not copied) in a Tensor, as PyTorch keeps its state; None kept."""
    return None if value is None else Tensor(value)


def _check_numbers(entry: Mapping[str, Any]) -> None:
    """``StateDictError`` unless the saved counts (``func_evals``, ``n_iter``) are whole
    numbers >= 0 and ``t``, ``H_diag`` and ``prev_loss`` finite numbers (or None, before
    the first iteration)."""
    for name in ("func_evals", "n_iter"):
        value = entry.get(name, 0)
        if not (is_real(value) or _is_number_tensor(value)) or not (
                0 <= float(value) < np.inf and float(value) == int(float(value))):
            raise StateDictError(f"LBFGS state '{name}' must be a whole number >= 0; got "
                                 f"{value!r:.40}")
    for name in ("d", "t", "H_diag", "prev_flat_grad"):  # set by the first iteration
        if name in entry and entry[name] is None and float(entry.get("n_iter", 0)) >= 1:
            raise StateDictError(f"LBFGS state '{name}' is None after {entry['n_iter']} "
                                 f"iterations; a state saved by LBFGS has it set")
    for name in ("t", "H_diag", "prev_loss"):
        value = entry.get(name)
        if value is not None and not ((is_real(value) or _is_number_tensor(value))
                                      and np.isfinite(float(value))):
            raise StateDictError(f"LBFGS state '{name}' must be a finite number; got "
                                 f"{value!r:.40}")


def _is_number_tensor(value: Any) -> bool:
    return isinstance(value, Tensor) and value.ndim == 0 and value.dtype.kind in "biuf"
