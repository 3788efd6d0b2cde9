"""Check analytic gradients against central finite differences.

For ``y = fn(*inputs)`` and a random upstream gradient ``v``, the analytic side is the
vector-Jacobian product ``v^T J`` from ``backward``; the numeric side perturbs each input
element by +-eps: ``v . (fn(x + eps e_k) - fn(x - eps e_k)) / (2 eps)``. Both must
agree within ``atol + rtol * |numeric|`` everywhere. Work in float64: with eps = 1e-6 the
truncation error is about eps^2 and the rounding error about 1e-16 / eps.
"""

from __future__ import annotations

from typing import Any, Callable, Sequence

import numbers

import numpy as np

from .differentiate import grad
from .errors import DTypeError, GradcheckError, ShapeError, UsageError
from .forward_ad import dual_level, make_dual, unpack_dual
from .grad_mode import enable_grad
from .tensor_math import concatenate
from .tensor import Tensor

__all__ = ["gradcheck", "gradgradcheck", "numerical_grad"]


def _outputs(result: Any) -> list[Tensor]:
    items = list(result) if isinstance(result, (tuple, list)) else [result]
    for i, y in enumerate(items):
        if not isinstance(y, Tensor):
            raise UsageError(f"gradcheck: fn must return a Tensor (or a tuple of them); "
                            f"output {i} is {type(y).__name__}")
    return items


def _wants(x: Any) -> bool:
    """Is ``x`` an input to check (a Tensor that requires grad)?"""
    return isinstance(x, Tensor) and x.requires_grad


def _is_torch(x: Any) -> bool:
    return type(x).__module__.split(".")[0] == "torch"


def _prepare(fn: Any, inputs: Any, what: str) -> list[Any]:
    """The inputs as a list; one bare Tensor (or array, or number) is one input, not a
    sequence of rows. Arrays become constant Tensors; anything else that is no Tensor (an
    axis, an exponent, a shape) reaches ``fn`` unchanged, as in PyTorch's gradcheck."""
    if not callable(fn):
        raise UsageError(f"{what}(fn, inputs): fn must be the function to check, called as "
                         f"fn(*inputs); got {type(fn).__name__} {fn!r:.40}")
    if isinstance(inputs, (Tensor, np.ndarray, numbers.Number)) or _is_torch(inputs):
        inputs = [inputs]
    tensors = [Tensor(x) if isinstance(x, np.ndarray) else x for x in inputs]
    for i, t in enumerate(tensors):
        if _is_torch(t) and getattr(t, "requires_grad", False):
            raise UsageError(f"gradcheck: input {i} is a {type(t).__module__}."
                             f"{type(t).__name__}; this gradcheck checks autograd Tensors: "
                             f"pass Tensor(x.detach().numpy(), requires_grad=True), or use "
                             f"torch.autograd.gradcheck")
    if not any(_wants(t) for t in tensors):
        raise UsageError("gradcheck: no input requires grad; create the inputs to check "
                         "with requires_grad=True")
    for i, t in enumerate(tensors):
        if _wants(t) and t.dtype != np.float64:
            raise DTypeError(
                f"gradcheck: input {i} is {t.dtype}; finite differences need float64 (in "
                f"float32 eps=1e-6 is below the rounding error). Check a float64 copy: "
                f"Tensor(x.numpy().astype(np.float64), requires_grad=True).")
    return tensors


def _upstream(outputs: list[Tensor], seed: int) -> list[np.ndarray]:
    rng = np.random.default_rng(seed)
    return [rng.standard_normal(y.shape) for y in outputs]


def _upstream_for(outputs: list[Tensor], seed: int, grad_outputs: Any) -> list[np.ndarray]:
    """The upstream gradients: random (seeded), or the given ones, one per output."""
    if grad_outputs is None:
        return _upstream(outputs, seed)
    given = list(grad_outputs) if isinstance(grad_outputs, (list, tuple)) else [grad_outputs]
    if len(given) != len(outputs):
        raise UsageError(f"gradcheck: {len(given)} grad_outputs for {len(outputs)} outputs "
                         f"of fn; give one per output")
    vs = [np.asarray(v.data if isinstance(v, Tensor) else v, dtype=np.float64) for v in given]
    for k, (v, y) in enumerate(zip(vs, outputs)):
        if v.shape != y.shape:
            raise ShapeError(f"gradcheck: grad_outputs[{k}] has shape {v.shape}; output {k} "
                             f"of fn has shape {y.shape}")
    return vs


def _check_eps(eps: Any) -> None:
    """A named error for a misplaced argument (PyTorch's gradgradcheck takes grad_outputs
    third, where ours takes eps)."""
    if isinstance(eps, bool) or not isinstance(eps, numbers.Real) or not eps > 0:
        raise UsageError(f"gradcheck: eps must be a positive number; got {eps!r:.60}. "
                         f"Pass grad_outputs by name (grad_outputs=...).")


#: PyTorch's other gradcheck / gradgradcheck flags and the values accepted here. What
#: they ask for holds by construction (no undefined gradients: a missing one is zeros;
#: the engine checks every gradient's dtype; ``is_grads_batched`` is one pass per vector;
#: the check is always the full one, which ``fast_mode`` only shortens; no sparse
#: tensors for ``masked``). ``check_forward_ad`` checks ``forward_ad``'s tangents;
#: there is no batched forward mode, nor forward over reverse (gradgradcheck's check of
#: the VJPs' derivatives in the upstream gradient covers what it would).
_PYTORCH_FLAGS: dict[str, tuple[Any, ...]] = {
    "check_undefined_grad": (True, False), "check_grad_dtypes": (True, False),
    "check_batched_grad": (True, False), "fast_mode": (True, False),
    "masked": (None, True, False), "check_backward_ad": (True, False),
    "check_forward_ad": (True, False), "check_batched_forward_grad": (False,)}
_PYTORCH_GRADGRAD_FLAGS: dict[str, tuple[Any, ...]] = {
    "check_undefined_grad": (True, False), "check_grad_dtypes": (True, False),
    "check_batched_grad": (True, False), "fast_mode": (True, False),
    "masked": (None, True, False), "check_rev_over_rev": (True,),
    "check_fwd_over_rev": (False,)}


def _check_flags(what: str, flags: dict[str, Any], known: dict[str, tuple[Any, ...]],
                 nondet_tol: Any) -> None:
    """UsageError for a keyword PyTorch's ``what`` does not take, or a value whose check
    cannot run here."""
    for name, value in flags.items():
        if name not in known:
            raise UsageError(f"{what}() got an unexpected keyword argument {name!r}; it "
                             f"takes eps, atol, rtol, seed, grad_outputs, raise_exception, "
                             f"nondet_tol and PyTorch's {', '.join(known)}")
        if value not in known[name]:
            allowed = " or ".join(repr(v) for v in known[name])
            raise UsageError(f"{what}: {name}={value!r:.40} is not supported (forward "
                             f"mode here is autograd.forward_ad, computed from the VJPs, "
                             f"unbatched; gradgradcheck covers their derivatives); pass "
                             f"{allowed} or leave it out")
    if isinstance(nondet_tol, bool) or not isinstance(nondet_tol, numbers.Real) \
            or not nondet_tol >= 0:
        raise UsageError(f"{what}: nondet_tol must be a number >= 0; got {nondet_tol!r:.60}")


def numerical_grad(fn: Callable[..., Any], inputs: Tensor | Sequence[Any],
                   grad_outputs: Sequence[np.ndarray], eps: float = 1e-6) -> list:
    """Central-difference estimate of ``v^T J`` for every input that requires grad
    (``None`` for the others; one bare Tensor is one input). ``fn`` is evaluated on
    float64 copies, never in place; a Tensor passed twice (``(x, x)``) is one copy, so
    a step moves both places, as it moves ``x`` in PyTorch's gradcheck."""
    if isinstance(inputs, Tensor):
        inputs = [inputs]
    copy_of = {id(x): Tensor(np.array(x.data, dtype=np.float64 if x.requires_grad else None,
                                      copy=True), requires_grad=x.requires_grad)
               for x in inputs if isinstance(x, Tensor)}
    copies = [copy_of[id(x)] if isinstance(x, Tensor) else x for x in inputs]

    def evaluate() -> list[np.ndarray]:
        with enable_grad():  # fn may call grad() itself, e.g. for a gradient penalty
            ys = _outputs(fn(*copies))
        return [np.array(y.data, dtype=np.float64) for y in ys]

    def directional(upper: list[np.ndarray], lower: list[np.ndarray]) -> float:
        """v . (f(x + eps e_k) - f(x - eps e_k)) / (2 eps), differenced elementwise
        first: an output element the step does not move cancels exactly, so a large
        one (exp(10)) does not drown a small derivative in its rounding error."""
        return sum(float(np.sum(v * (u - lo))) for u, lo, v in
                   zip(upper, lower, grad_outputs)) / (2 * eps)

    estimates: list = []
    for x in copies:
        if not _wants(x):
            estimates.append(None)
            continue
        data, estimate = x.data, np.zeros(x.shape)
        for index in np.ndindex(*x.shape):
            original = data[index]
            data[index] = original + eps
            upper = evaluate()
            data[index] = original - eps
            lower = evaluate()
            data[index] = original
            estimate[index] = directional(upper, lower)
        estimates.append(estimate)
    return estimates


def _precision_note(dtypes: list[np.dtype], eps: float) -> str:
    """A hint for a failure when ``fn`` computes in less than float64."""
    low = [f"output {k} is {d}" for k, d in enumerate(dtypes)
           if d.kind == "f" and d.itemsize < 8]
    return "" if not low else (
        f" Note: {', '.join(low)}: fn computes in lower precision (e.g. an "
        f"astype(np.float32) inside it), so finite differences with eps={eps:g} are "
        f"mostly rounding error. Compute in float64 to check the gradient.")


def _analytic(fn: Callable[..., Any], inputs: list[Any], seed: int,
              grad_outputs: Any) -> tuple[list, list[np.ndarray], list[np.dtype]]:
    """Two backward passes through one forward (to compare), the upstream gradients
    and the outputs' dtypes."""
    ys = _outputs(fn(*inputs))
    vs = _upstream_for(ys, seed, grad_outputs)
    wanted = [x for x in inputs if _wants(x)]
    live = [(y, v) for y, v in zip(ys, vs) if y.requires_grad]
    passes = []
    for retain in (True, False):  # twice on one graph: a backward must be repeatable
        if live:
            found = list(grad([y for y, _ in live], wanted,
                              grad_outputs=[Tensor(v.astype(y.dtype)) for y, v in live],
                              retain_graph=retain, allow_unused=True))
        else:  # outputs do not depend on any input: the true gradient is zero
            found = [None] * len(wanted)
        analytic, it = [], iter(found)
        for x in inputs:
            if _wants(x):
                g = next(it)
                analytic.append(np.zeros(x.shape) if g is None else np.asarray(g.data))
            else:
                analytic.append(None)
        passes.append(analytic)
    return passes, vs, [y.dtype for y in ys]


def gradcheck(fn: Callable[..., Any], inputs: Tensor | Sequence[Any], eps: float = 1e-6,
              atol: float = 1e-7, rtol: float = 1e-5, seed: int = 0,
              grad_outputs: Any = None, raise_exception: bool = True, *,
              nondet_tol: float = 0.0, **pytorch_flags: Any) -> bool:
    """True if ``fn``'s analytic gradients match central differences, else GradcheckError
    (or False with ``raise_exception=False``, as PyTorch's).

    ``inputs`` are float64 Tensors; those with ``requires_grad=True`` are checked. The
    upstream gradient is random (seeded), so a VJP that is right only for ones is caught.
    The error names the input, the worst element's index, both values and the errors.
    As PyTorch's, two backward passes through one forward must agree within
    ``nondet_tol``; PyTorch's other flags (``check_undefined_grad``, ``fast_mode``, ...)
    are accepted where what they check holds here (see ``_PYTORCH_FLAGS``).
    """
    _check_eps(eps)
    _check_flags("gradcheck", pytorch_flags, _PYTORCH_FLAGS, nondet_tol)
    inputs = _prepare(fn, inputs, "gradcheck")
    try:
        if pytorch_flags.get("check_backward_ad", True):
            _check(fn, inputs, eps, atol, rtol, seed, grad_outputs, lambda i: "", nondet_tol)
        if pytorch_flags.get("check_forward_ad", False):
            _check_forward(fn, inputs, eps, atol, rtol, seed)
    except GradcheckError:
        if raise_exception:
            raise
        return False
    return True


def _check(fn: Callable[..., Any], inputs: list[Any], eps: float, atol: float,
           rtol: float, seed: int, grad_outputs: Any, note: Callable[[int], str],
           nondet_tol: float = 0.0) -> None:
    """GradcheckError at the first input whose gradient is off (``note(i)`` appended)."""
    (analytic, again), vs, dtypes = _analytic(fn, inputs, seed, grad_outputs)
    for i, (a, b) in enumerate(zip(analytic, again)):
        if a is None:
            continue
        with np.errstate(invalid="ignore"):  # inf - inf
            apart = np.where((a == b) | (np.isnan(a) & np.isnan(b)), 0.0, np.abs(a - b))
        if not np.all(apart <= nondet_tol):
            raise GradcheckError(
                f"gradcheck: two backward passes through one forward gave different "
                f"gradients for input {i} (largest difference {np.nanmax(apart):.3g}, "
                f"nondet_tol={nondet_tol:g}): the VJP is not deterministic. Make it so, "
                f"or pass a larger nondet_tol.")
    numeric = numerical_grad(fn, inputs, vs, eps)
    for i, (a, n) in enumerate(zip(analytic, numeric)):
        if a is not None:
            _compare(i, inputs[i], a, n, atol, rtol, _precision_note(dtypes, eps) + note(i))


def _check_forward(fn: Callable[..., Any], inputs: list[Any], eps: float, atol: float,
                   rtol: float, seed: int) -> None:
    """The tangent of each output (``forward_ad``, a random direction v per input) against
    ``(fn(x + eps v) - fn(x - eps v)) / (2 eps)``: GradcheckError at the first that is off."""
    rng = np.random.default_rng(seed + 2)
    wanted = {id(x): x for x in inputs if _wants(x)}  # a Tensor passed twice is one
    directions = {i: rng.standard_normal(x.shape) for i, x in wanted.items()}
    with dual_level():
        duals = {i: make_dual(wanted[i].detach(), Tensor(v)) for i, v in directions.items()}
        ys = _outputs(fn(*(duals.get(id(x), x) for x in inputs)))
        tangents = [unpack_dual(y).tangent for y in ys]

    def moved(step: float) -> list[np.ndarray]:
        with enable_grad():
            return [np.array(y.data, dtype=np.float64) for y in _outputs(fn(*(
                Tensor(x.data + step * directions[id(x)]) if id(x) in directions else x
                for x in inputs)))]

    numeric = [(u - lo) / (2 * eps) for u, lo in zip(moved(eps), moved(-eps))]
    note = (" forward-mode AD here differentiates each VJP in its upstream gradient g: "
            "one that reads g's array (np.asarray(g), g.data) gives wrong tangents.")
    for k, (y, t, n) in enumerate(zip(ys, tangents, numeric)):
        analytic = np.zeros(y.shape) if t is None else np.asarray(t.data, dtype=np.float64)
        _compare(k, y, analytic, n, atol, rtol, note,
                 label=f"the forward-mode tangent of output {k}")


def _compare(i: int, x: Tensor, analytic: np.ndarray, numeric: np.ndarray,
             atol: float, rtol: float, note: str = "", label: str | None = None) -> None:
    error = np.abs(analytic - numeric)
    allowed = atol + rtol * np.abs(numeric)
    bad = ~(error <= allowed)  # NaN counts as bad
    if not bad.any():
        return
    excess = np.where(np.isnan(error), np.inf, error - allowed)
    worst = np.unravel_index(int(np.argmax(excess)), error.shape) if error.ndim else ()
    a, n, e = analytic[worst], numeric[worst], error[worst]
    relative = e / abs(n) if n != 0 else np.inf
    label = label or f"input {i}" + (f" ({x.name})" if x.name else "")
    raise GradcheckError(
        f"gradcheck failed for {label} of shape {x.shape}: {int(bad.sum())} of "
        f"{bad.size} elements out of tolerance. Worst at index {tuple(int(k) for k in worst)}:"
        f" analytic {a:.10g}, numeric {n:.10g}, absolute error {e:.3g}, relative error "
        f"{relative:.3g} (allowed {atol:g} + {rtol:g} * |numeric|).{note}")


def gradgradcheck(fn: Callable[..., Any], inputs: Tensor | Sequence[Any], eps: float = 1e-6,
                  atol: float = 1e-7, rtol: float = 1e-5, seed: int = 0,
                  raise_exception: bool = True, grad_outputs: Any = None, *,
                  nondet_tol: float = 0.0, gen_non_contig_grad_outputs: bool = False,
                  **pytorch_flags: Any) -> bool:
    """Check second derivatives: the gradients of ``v^T J`` (built with
    ``create_graph=True``) with respect to the inputs and to the upstream gradient ``v``
    (as PyTorch's: a VJP must be differentiable in ``v`` too, or ``jvp`` and Hessians of
    compositions go wrong) against central differences of first-order gradients
    (``raise_exception=False``: False instead of GradcheckError on a mismatch).
    ``grad_outputs`` (one per output, as PyTorch's) replaces the random ``v``;
    ``gen_non_contig_grad_outputs=True`` passes it as a strided view. ``nondet_tol``
    and PyTorch's other flags as in ``gradcheck``."""
    _check_eps(eps)
    _check_flags("gradgradcheck", pytorch_flags, _PYTORCH_GRADGRAD_FLAGS, nondet_tol)
    inputs = _prepare(fn, inputs, "gradgradcheck")
    with enable_grad():
        outputs = _outputs(fn(*inputs))
    live = [k for k, y in enumerate(outputs) if y.requires_grad]
    vs = _upstream_for(outputs, seed + 1, grad_outputs)
    if gen_non_contig_grad_outputs:  # every other element of a larger array
        vs = [np.stack([v, v], axis=-1)[..., 0] for v in vs]
    upstream = [Tensor(vs[k], requires_grad=True, name=f"upstream gradient of output {k}")
                for k in live]
    count = len(inputs)

    def first_order(*args: Tensor) -> Tensor:
        xs, vs = args[:count], args[count:]
        with enable_grad():
            ys = _outputs(fn(*xs))
            wanted = [x for x in xs if _wants(x)]
            pairs = [(ys[k], v if v.dtype == ys[k].dtype else v.astype(ys[k].dtype))
                     for k, v in zip(live, vs) if ys[k].requires_grad]
            if not pairs:
                return Tensor(np.zeros(sum(x.size for x in wanted)))
            gs = grad([y for y, _ in pairs], wanted, grad_outputs=[v for _, v in pairs],
                      create_graph=True, allow_unused=True)
            return concatenate([Tensor(np.zeros(x.size)) if g is None else g.reshape(-1)
                                for g, x in zip(gs, wanted)])

    # does the first derivative have a graph back to the inputs (v held constant)?
    has_graph = first_order(*inputs, *[v.detach() for v in upstream]).requires_grad
    lost = ("" if has_graph else
            " The first derivative has no graph of its own: a VJP that leaves the graph "
            "(np.asarray(x), x.data, float(x), a new ndarray) gives no second derivative. "
            "Write vjp with operators, np.* or autograd.extend's helpers on its arguments.")
    in_g = (" The VJP is not differentiable in its upstream gradient g (used through "
            "constant(g), np.asarray(g) or g.data?): jvp and second derivatives of "
            "compositions through it are wrong. Compute with g itself.")
    try:
        _check(first_order, inputs + upstream, eps, atol, rtol, seed, None,
               lambda i: lost if i < count else in_g, nondet_tol)
    except GradcheckError:
        if raise_exception:
            raise
        return False
    return True
