"""Check analytic gradients against central finite differences.

For ``y = fn(*inputs)`` and a random upstream gradient ``v``, the analytic side is the
vector-Jacobian product ``v^T J`` from ``backward``; the numeric side perturbs each input
element by +-eps: ``v . (fn(x + eps e_k) - fn(x - eps e_k)) / (2 eps)``. Both must
agree within ``atol + rtol * |numeric|`` everywhere; where the estimate is not finite (the
step crosses a pole or overflows), only the same infinity passes. Work in float64: with
eps = 1e-6 the truncation error is about eps^2 and the rounding error about 1e-16 / eps.
"""

from __future__ import annotations

from typing import Any, Callable, Sequence

import numpy as np

from .differentiate import grad
from .errors import GradcheckError
from .forward_ad import dual_level, make_dual, unpack_dual
from .gradcheck_arguments import (check_arguments, outputs_of, prepare_inputs,
                                  upstream_gradients, wants_grad)
from .grad_mode import enable_grad
from .tensor_math import concatenate
from .tensor import Tensor

__all__ = ["gradcheck", "gradgradcheck", "numerical_grad"]


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
            ys = outputs_of(fn(*copies))
        return [np.array(y.data, dtype=np.float64) for y in ys]

    def directional(upper: list[np.ndarray], lower: list[np.ndarray]) -> float:
        """v . (f(x + eps e_k) - f(x - eps e_k)) / (2 eps), differenced elementwise
        first: an output element the step does not move cancels exactly, so a large
        one (exp(10)) does not drown a small derivative in its rounding error. An element
        with v = 0 adds 0, even where it is infinite (as a row of PyTorch's Jacobian):
        gradcheck checks one output alone with the others' v zero."""
        with np.errstate(invalid="ignore", over="ignore"):
            return sum(float(np.sum(np.where(v == 0, 0.0, v * (u - lo)))) for u, lo, v in
                       zip(upper, lower, grad_outputs)) / (2 * eps)

    estimates: list = []
    for x in copies:
        if not wants_grad(x):
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


def _compared_outputs(outputs: list[Tensor]) -> list[bool]:
    """Which outputs gradcheck compares: those that require grad (PyTorch's
    ``_differentiable_outputs``: a detached or ``mark_non_differentiable`` output is left
    out); all of them when none does, so that their numerical gradient must be zero."""
    requiring = [y.requires_grad for y in outputs]
    return requiring if any(requiring) else [True] * len(outputs)


def _analytic(fn: Callable[..., Any], inputs: list[Any], seed: int,
              grad_outputs: Any) -> tuple[list, list[np.ndarray], list[np.ndarray]]:
    """Two backward passes through one forward (to compare), the upstream gradients
    (zero for an output left out, see ``_compared_outputs``) and the outputs' values at x.
    ``fn`` runs with grad mode on, as the numerical side does: under the caller's
    ``no_grad()`` it would record nothing, and a correct gradient would be reported as
    zero."""
    with enable_grad():
        ys = outputs_of(fn(*inputs))
    vs = [v if compared else np.zeros_like(v) for v, compared in
          zip(upstream_gradients(ys, seed, grad_outputs), _compared_outputs(ys))]
    wanted = [x for x in inputs if wants_grad(x)]
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
            if wants_grad(x):
                g = next(it)
                analytic.append(np.zeros(x.shape) if g is None else np.asarray(g.data))
            else:
                analytic.append(None)
        passes.append(analytic)
    return passes, vs, [np.asarray(y.data) for y in ys]


def gradcheck(fn: Callable[..., Any], inputs: Tensor | Sequence[Any], eps: float = 1e-6,
              atol: float = 1e-7, rtol: float = 1e-5, seed: int = 0,
              grad_outputs: Any = None, raise_exception: bool = True, *,
              nondet_tol: float = 0.0, **pytorch_flags: Any) -> bool:
    """True if ``fn``'s analytic gradients match central differences, else GradcheckError
    (or False with ``raise_exception=False``, as PyTorch's).

    ``inputs`` are float64 Tensors; those with ``requires_grad=True`` are checked. The
    upstream gradient is random (seeded), so a VJP that is right only for ones is caught;
    ``grad_outputs`` (one per output, None for a random one) replaces it. The error names
    the input (and the output, if there are several), the worst element's index, both
    values and the errors. Outputs that do not require grad (detached, integer,
    ``mark_non_differentiable``) are left out, as in PyTorch, unless none requires grad:
    then their numerical gradient must be zero. An output element that is NaN or inf at
    x itself is named. Where the numerical estimate is not finite (the step crosses
    a pole or overflows), only the same infinity passes, as in PyTorch. As PyTorch's, two
    backward passes through one forward must agree within ``nondet_tol``; PyTorch's other
    flags (``check_forward_ad``, ``check_undefined_grad``, ``fast_mode``, ...) are
    accepted where what they check holds here (see ``gradcheck_arguments.PYTORCH_FLAGS``).
    """
    flags = check_arguments("gradcheck", eps, atol, rtol, seed, nondet_tol, pytorch_flags)
    inputs = prepare_inputs(fn, inputs, "gradcheck")
    try:
        if flags["check_backward_ad"]:
            _check(fn, inputs, eps, atol, rtol, seed, grad_outputs, lambda i, a: "",
                   nondet_tol)
        if flags["check_forward_ad"]:
            _check_forward(fn, inputs, eps, atol, rtol, seed)
    except GradcheckError:
        if raise_exception:
            raise
        return False
    return True


def _check(fn: Callable[..., Any], inputs: list[Any], eps: float, atol: float,
           rtol: float, seed: int, grad_outputs: Any,
           note: Callable[[int, np.ndarray], str], nondet_tol: float = 0.0,
           what: str = "gradcheck") -> None:
    """GradcheckError at the first input whose gradient is off (``note(i, analytic)``
    appended, ``analytic`` that input's analytic ``v^T J``).
    With several outputs, each is then checked alone (the others' upstream gradients
    zero) to name the one that is off."""
    (analytic, again), vs, values = _analytic(fn, inputs, seed, grad_outputs)
    _check_repeatable(analytic, again, nondet_tol, what)
    _check_finite_at_x(values, vs, what)

    def notes(i: int, analytic_i: np.ndarray) -> str:
        return _precision_note([y.dtype for y in values], eps) + note(i, analytic_i)

    failure = _mismatch(fn, inputs, analytic, vs, eps, atol, rtol, notes, what)
    if failure is None:
        return
    for k in range(len(vs)) if len(vs) > 1 else ():
        if not vs[k].any():  # an output left out (or given a zero upstream gradient)
            continue
        alone = [v if j == k else np.zeros_like(v) for j, v in enumerate(vs)]
        (analytic, _), _, _ = _analytic(fn, inputs, seed, alone)
        found = _mismatch(fn, inputs, analytic, alone, eps, atol, rtol, notes, what, output=k)
        if found is not None:
            raise found
    raise failure


def _check_finite_at_x(values: list[np.ndarray], vs: list[np.ndarray], what: str) -> None:
    """GradcheckError naming the first compared output element (``v != 0``) that is NaN
    or infinite at x itself: no derivative exists there, and its NaN would enter every
    input element's central difference (PyTorch's gradcheck fails there too)."""
    for k, (y, v) in enumerate(zip(values, vs)):
        if y.dtype.kind not in "fc":
            continue
        bad = ~np.isfinite(y) & (v != 0)
        if bad.any():
            index = tuple(int(n) for n in np.argwhere(bad)[0])
            raise GradcheckError(
                f"{what}: output {k} of fn is {y[index]} at index {index} at the given "
                f"point itself ({int(bad.sum())} of {y.size} elements are not finite): it "
                f"has no derivative there, and the numerical estimate is NaN (or "
                f"meaningless) for every input element, not only one. Move the point into "
                f"fn's domain (e.g. log of a positive number); no smaller eps can help.")


def _check_repeatable(analytic: list, again: list, nondet_tol: float, what: str) -> None:
    for i, (a, b) in enumerate(zip(analytic, again)):
        if a is None:
            continue
        with np.errstate(invalid="ignore"):  # inf - inf
            apart = np.where((a == b) | (np.isnan(a) & np.isnan(b)), 0.0, np.abs(a - b))
        if not np.all(apart <= nondet_tol):
            raise GradcheckError(
                f"{what}: two backward passes through one forward gave different "
                f"gradients for input {i} (largest difference {np.nanmax(apart):.3g}, "
                f"nondet_tol={nondet_tol:g}): the VJP is not deterministic. Make it so, "
                f"or pass a larger nondet_tol.")


def _mismatch(fn: Callable[..., Any], inputs: list[Any], analytic: list,
              vs: list[np.ndarray], eps: float, atol: float, rtol: float,
              note: Callable[[int, np.ndarray], str], what: str,
              output: int | None = None) -> GradcheckError | None:
    """The GradcheckError for the first input whose analytic ``v^T J`` is off, or None."""
    numeric = numerical_grad(fn, inputs, vs, eps)
    for i, (a, n) in enumerate(zip(analytic, numeric)):
        if a is None:
            continue
        x = inputs[i]
        label = f"input {i}" + (f" ({x.name})" if x.name else "")
        if output is not None:
            label = f"output {output} with respect to {label}"
        try:
            _compare(x.shape, a, n, atol, rtol, note(i, a), label, what)
        except GradcheckError as failure:
            return failure
    return None


def _check_forward(fn: Callable[..., Any], inputs: list[Any], eps: float, atol: float,
                   rtol: float, seed: int, what: str = "gradcheck",
                   label: str = "the forward-mode tangent of output {k}") -> None:
    """The tangent of each output (``forward_ad``, a random direction v per input) against
    ``(fn(x + eps v) - fn(x - eps v)) / (2 eps)``: GradcheckError at the first that is off
    (``label`` names output ``k``)."""
    rng = np.random.default_rng(seed + 2)
    wanted = {id(x): x for x in inputs if wants_grad(x)}  # a Tensor passed twice is one
    directions = {i: rng.standard_normal(x.shape) for i, x in wanted.items()}
    with dual_level():
        duals = {i: make_dual(wanted[i].detach(), Tensor(v)) for i, v in directions.items()}
        ys = outputs_of(fn(*(duals.get(id(x), x) for x in inputs)))
        tangents = [unpack_dual(y).tangent for y in ys]

    def moved(step: float) -> list[Tensor]:
        with enable_grad():  # the copies require grad, as numerical_grad's do
            return outputs_of(fn(*(
                Tensor(x.data + step * directions[id(x)], requires_grad=True)
                if id(x) in directions else x for x in inputs)))

    upper, lower = moved(eps), moved(-eps)
    compared = _compared_outputs(upper)  # as the reverse check: PyTorch's rule
    _check_finite_at_x([np.asarray(y.data) for y in ys],
                       [np.full(y.shape, float(c)) for y, c in zip(ys, compared)], what)
    with np.errstate(invalid="ignore", over="ignore"):  # inf - inf: NaN, reported
        numeric = [(np.asarray(u.data, dtype=np.float64) - np.asarray(lo.data, np.float64))
                   / (2 * eps) for u, lo in zip(upper, lower)]
    note = (" forward-mode AD here differentiates each VJP in its upstream gradient g: "
            "one that reads g's array (np.asarray(g), g.data) gives wrong tangents.")
    for k, (y, t, n) in enumerate(zip(ys, tangents, numeric)):
        if not compared[k]:  # a detached or non-differentiable output: not checked
            continue
        analytic = np.zeros(y.shape) if t is None else np.asarray(t.data, dtype=np.float64)
        _compare(y.shape, analytic, n, atol, rtol, note, label.format(k=k), what)


def _compare(shape: tuple[int, ...], analytic: np.ndarray, numeric: np.ndarray,
             atol: float, rtol: float, note: str, label: str, what: str) -> None:
    """GradcheckError unless ``|analytic - numeric| <= atol + rtol * |numeric|`` everywhere;
    where ``numeric`` is not finite, only ``analytic == numeric`` (the same infinity; NaN
    never) passes, as PyTorch's ``allclose``: any value is within ``inf`` of ``inf``."""
    with np.errstate(invalid="ignore", over="ignore"):
        error = np.abs(analytic - numeric)
        allowed = atol + rtol * np.abs(numeric)
        bad = ~((analytic == numeric) | (np.isfinite(numeric) & (error <= allowed)))
        if not bad.any():
            return
        excess = np.where(np.isfinite(numeric) & ~np.isnan(error), error - allowed, np.inf)
        excess = np.where(bad, excess, -np.inf)
        worst = np.unravel_index(int(np.argmax(excess)), error.shape) if error.ndim else ()
        a, n, e = analytic[worst], numeric[worst], error[worst]
        relative = e / abs(n) if n != 0 else np.inf
    raise GradcheckError(
        f"{what} failed for {label} of shape {shape}: {int(bad.sum())} of "
        f"{bad.size} elements out of tolerance. Worst at index {tuple(int(k) for k in worst)}:"
        f" analytic {a:.10g}, numeric {n:.10g}, absolute error {e:.3g}, relative error "
        f"{relative:.3g} (allowed {atol:g} + {rtol:g} * |numeric|).{_nonfinite_note(n)}{note}")


def _nonfinite_note(numeric: float) -> str:
    if np.isinf(numeric):
        return (" The numerical estimate is infinite there: fn(x +- eps) overflows or the "
                "step crosses a pole, so no gradient can be checked. Move the point away "
                "from it, or pass a smaller eps.")
    if np.isnan(numeric):
        return (" The numerical estimate is NaN there: fn is NaN at x +- eps (outside its "
                "domain?). Move the point, or pass a smaller eps.")
    return ""


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
    ``check_fwd_over_rev=True`` also checks the forward-mode tangents of ``v^T J``
    (``check_rev_over_rev=False`` skips the reverse check, as PyTorch; then pass
    ``check_undefined_grad=False`` too, as there). ``grad_outputs`` (one per output, None
    for a random one, as PyTorch's) replaces the random ``v``;
    ``gen_non_contig_grad_outputs=True`` passes it as a strided view. ``nondet_tol``
    and PyTorch's other flags as in ``gradcheck``."""
    flags = check_arguments("gradgradcheck", eps, atol, rtol, seed, nondet_tol, pytorch_flags)
    inputs = prepare_inputs(fn, inputs, "gradgradcheck")
    with enable_grad():
        outputs = outputs_of(fn(*inputs))
    live = [k for k, y in enumerate(outputs) if y.requires_grad]
    vs = upstream_gradients(outputs, seed + 1, grad_outputs, "gradgradcheck")
    if gen_non_contig_grad_outputs:  # every other element of a larger array
        vs = [np.stack([v, v], axis=-1)[..., 0] for v in vs]
    upstream = [Tensor(vs[k], requires_grad=True, name=f"upstream gradient of output {k}")
                for k in live]
    first_order = _first_order(fn, len(inputs), live)
    # does the first derivative have a graph back to the inputs (v held constant)?
    has_graph = first_order(*inputs, *[v.detach() for v in upstream]).requires_grad
    lost = ("" if has_graph else
            " The first derivative has no graph of its own: a VJP that leaves the graph "
            "(np.asarray(x), x.data, float(x), a new ndarray) gives no second derivative. "
            "Write vjp with operators, np.* or autograd.extend's helpers on its arguments.")
    what = "gradgradcheck (of the first derivative v^T J)"

    def note(i: int, analytic: np.ndarray) -> str:
        return lost if i < len(inputs) else _upstream_note(analytic)

    try:
        if flags["check_rev_over_rev"]:
            _check(first_order, inputs + upstream, eps, atol, rtol, seed, None, note,
                   nondet_tol, what)
        if flags["check_fwd_over_rev"]:
            _check_forward(first_order, inputs + upstream, eps, atol, rtol, seed, what,
                           "its forward-mode tangent (forward over reverse)")
    except GradcheckError:
        if raise_exception:
            raise
        return False
    return True


def _upstream_note(analytic: np.ndarray) -> str:
    """A hint for a mismatch in an upstream gradient g. ``v^T J`` is linear in g, so its
    derivative in g is J itself: an analytic one that is zero everywhere means the VJP
    used g as a constant; a nonzero one that is a little off, rounding in the finite
    differences of large first derivatives."""
    if not np.any(analytic):
        return (" The VJP is not differentiable in its upstream gradient g (used through "
                "constant(g), np.asarray(g) or g.data?): jvp and second derivatives of "
                "compositions through it are wrong. Compute with g itself.")
    return (" The derivative in g is not zero, so the VJP does use g. v^T J is linear in g, "
            "so if the two values nearly agree, the gap is rounding in the finite "
            "differences (large outputs or first derivatives next to eps): check at a "
            "point where they are smaller, or pass a larger atol or rtol.")


def _first_order(fn: Callable[..., Any], count: int,
                 live: list[int]) -> Callable[..., Tensor]:
    """``(x..., v...) -> v^T J`` flattened, for ``fn``'s outputs ``live`` (that require
    grad), built with ``create_graph=True``: what gradgradcheck differentiates."""

    def first_order(*args: Tensor) -> Tensor:
        xs, vs = args[:count], args[count:]
        with enable_grad():
            ys = outputs_of(fn(*xs))
            wanted = [x for x in xs if wants_grad(x)]
            pairs = [(ys[k], v if v.dtype == ys[k].dtype else v.astype(ys[k].dtype))
                     for k, v in zip(live, vs) if ys[k].requires_grad]
            if not pairs:
                return Tensor(np.zeros(sum(x.size for x in wanted)))
            gs = grad([y for y, _ in pairs], wanted, grad_outputs=[v for _, v in pairs],
                      create_graph=True, allow_unused=True)
            return concatenate([Tensor(np.zeros(x.size)) if g is None else g.reshape(-1)
                                for g, x in zip(gs, wanted)])

    return first_order
