"""The strong-Wolfe line search that ``LBFGS(line_search_fn="strong_wolfe")`` runs, with
PyTorch's steps and defaults (its port of minFunc's ``lswolfe``).

Along a direction d from the point x, with phi(t) = f(x + t d) and phi'(t) = g(x + t d).d,
a step t satisfies the strong Wolfe conditions when::

    phi(t) <= phi(0) + c1 t phi'(0)        (sufficient decrease, "Armijo")
    |phi'(t)| <= c2 |phi'(0)|              (curvature: the slope has flattened)

The search first grows t until an interval is known to hold such a step (a bracket), then
shrinks that interval, each new trial at the minimum of the cubic fitted to the ends' values
and slopes.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

__all__ = ["cubic_minimum", "strong_wolfe"]

# one trial point: (step t, value phi(t), gradient g(x + t d), slope phi'(t))
Point = tuple[Any, float, np.ndarray, Any]


def cubic_minimum(t1: Any, f1: Any, g1: Any, t2: Any, f2: Any, g2: Any,
                  bounds: tuple[Any, Any] | None = None) -> Any:
    """The minimiser of the cubic through (t1, f1) and (t2, f2) with slopes g1 and g2,
    clipped to ``bounds`` (by default the interval between t1 and t2); the middle of the
    bounds when the cubic has no minimum there, or when t1 = t2 (no interval to fit a
    cubic over; by default that middle is t1 itself)::

        d1 = g1 + g2 - 3 (f1 - f2) / (t1 - t2),   d2 = sqrt(d1^2 - g1 g2)
        t = t2 - (t2 - t1) (g2 + d2 - d1) / (g2 - g1 + 2 d2)      (t1 <= t2)
    """
    low, high = bounds if bounds is not None else (min(t1, t2), max(t1, t2))
    if t1 == t2:  # a degenerate bracket (e.g. LBFGS with lr=0)
        return (low + high) / 2.0
    with np.errstate(divide="ignore", invalid="ignore"):  # as PyTorch: inf/nan, no warning
        d1 = g1 + g2 - 3 * (f1 - f2) / (t1 - t2)
        d2_square = d1 * d1 - g1 * g2
        if not d2_square >= 0:  # also NaN: no real minimum
            return (low + high) / 2.0
        d2 = np.sqrt(d2_square)
        if t1 <= t2:
            t = t2 - (t2 - t1) * ((g2 + d2 - d1) / (g2 - g1 + 2 * d2))
        else:
            t = t1 - (t1 - t2) * ((g1 + d2 - d1) / (g1 - g2 + 2 * d2))
    return min(max(t, low), high)


def strong_wolfe(evaluate: Callable[[Any], tuple[float, np.ndarray]], t: Any, d: np.ndarray,
                 f: float, g: np.ndarray, gtd: Any, c1: float = 1e-4, c2: float = 0.9,
                 tolerance_change: float = 1e-9, max_ls: int = 25
                 ) -> tuple[float, np.ndarray, Any, int]:
    """Search for a step along ``d`` from the current point (value ``f``, gradient ``g``,
    slope ``gtd = g.d < 0``) that satisfies the strong Wolfe conditions, starting at ``t``.

    ``evaluate(t)`` returns the loss and flat gradient at x + t d (and puts the parameters
    back at x). At most ``max_ls`` evaluations after the first. Returns (loss, gradient,
    step, number of evaluations) of the best point found.
    """
    f_new, g_new = evaluate(t)
    evals, tries = 1, 0
    new: Point = (t, f_new, g_new, g_new.dot(d))
    previous: Point = (0, f, g, gtd)
    bracket: list[Point] = []
    done = False
    while tries < max_ls:  # grow t until a bracket holds an acceptable step
        t, f_new, _, gtd_new = new
        if f_new > f + c1 * t * gtd or (tries > 1 and f_new >= previous[1]):
            bracket = [previous, new]  # gone uphill: the step lies before t
            break
        if abs(gtd_new) <= -c2 * gtd:
            bracket, done = [new], True  # t itself satisfies both conditions
            break
        if gtd_new >= 0:
            bracket = [previous, new]  # the slope turned: a minimum lies before t
            break
        t_next = cubic_minimum(previous[0], previous[1], previous[3], t, f_new, gtd_new,
                               bounds=(t + 0.01 * (t - previous[0]), t * 10))
        previous = new
        f_next, g_next = evaluate(t_next)
        evals, tries = evals + 1, tries + 1
        new = (t_next, f_next, g_next, g_next.dot(d))
    if tries == max_ls:  # out of evaluations: choose between x and the last point
        bracket = [(0, f, g, None), new]
    low = 0 if bracket[0][1] <= bracket[-1][1] else 1
    if not done:
        bracket, low, evals = _zoom(evaluate, bracket, low, d, f, gtd, c1, c2,
                                    tolerance_change, max_ls - tries, evals)
    t, f_new, g_new, _ = bracket[low]
    return f_new, g_new, t, evals


def _zoom(evaluate: Callable[[Any], tuple[float, np.ndarray]], bracket: list[Point],
          low: int, d: np.ndarray, f: float, gtd: Any, c1: float, c2: float,
          tolerance_change: float, tries_left: int, evals: int
          ) -> tuple[list[Point], int, int]:
    """Shrink ``bracket`` (two points; ``bracket[low]`` has the lower value) until its
    low point satisfies the strong Wolfe conditions, the bracket is shorter than
    ``tolerance_change`` (in the largest coordinate of ``t d``) or the evaluations run out.
    Returns the bracket, the position of its low end and the evaluations counted."""
    d_norm = np.abs(d).max()
    stuck = False  # the previous trial also fell next to an end of the bracket
    while tries_left > 0:
        (t_a, f_a, _, gtd_a), (t_b, f_b, _, gtd_b) = bracket
        if abs(t_b - t_a) * d_norm < tolerance_change:
            break
        t = cubic_minimum(t_a, f_a, gtd_a, t_b, f_b, gtd_b)
        left, right = min(t_a, t_b), max(t_a, t_b)
        margin = 0.1 * (right - left)
        if min(right - t, t - left) < margin:  # the trial hugs an end: little progress
            if stuck or t >= right or t <= left:
                t = right - margin if abs(t - right) < abs(t - left) else left + margin
                stuck = False
            else:
                stuck = True
        else:
            stuck = False
        f_new, g_new = evaluate(t)
        evals, tries_left = evals + 1, tries_left - 1
        new: Point = (t, f_new, g_new, g_new.dot(d))
        high = 1 - low
        if f_new > f + c1 * t * gtd or f_new >= bracket[low][1]:
            bracket[high] = new  # not low enough: it becomes the high end
            low = 0 if bracket[0][1] <= bracket[1][1] else 1
            continue
        if abs(new[3]) <= -c2 * gtd:
            bracket[low] = new
            break  # the strong Wolfe conditions hold
        if new[3] * (bracket[high][0] - bracket[low][0]) >= 0:
            bracket[high] = bracket[low]  # the minimum lies on the other side of t
        bracket[low] = new
    return bracket, low, evals
