"""Text for the drawing: tensor values or summary statistics, gradients, op arguments.

Labels are Graphviz HTML-like labels (bold names, monospace values) written on one
line, so one node is one line of DOT source.
"""

from __future__ import annotations

import html
import inspect
import re
from typing import Any

import numpy as np

from ..tensor import Tensor

__all__ = ["format_shape", "format_values", "format_grad", "format_state", "html_label",
           "is_finite", "short"]


def format_shape(shape: tuple[int, ...]) -> str:
    """``(2, 3)``; a scalar is ``()``."""
    return "(" + ", ".join(str(n) for n in shape) + ("," if len(shape) == 1 else "") + ")"


def short(x: Any) -> str:
    """A number in at most about 6 significant digits."""
    if isinstance(x, (bool, np.bool_)):
        return str(bool(x))
    if isinstance(x, (int, np.integer)):
        return str(int(x))
    return f"{float(x):.4g}"


def _array_lines(a: np.ndarray, prefix: str) -> list[str]:
    """``prefix`` and the array, continuation lines indented under the first. Three
    decimals, unless a nonzero value would show as ``0.``: then every value in three
    significant digits (a vanishing gradient must not read as zero)."""
    if a.size == 1:
        return [prefix + short(a.reshape(()).item())]
    options: dict[str, Any] = {"precision": 3, "suppress": True, "floatmode": "maxprec"}
    if a.dtype.kind == "f":
        a = a + 0.0  # -0.0 becomes 0.0: no "-0." in the picture
        finite = np.abs(a[np.isfinite(a)])
        if np.any((finite > 0) & (finite < 5e-4)):  # would be rounded to 0. or -0.
            width = max(len(f"{v:.3g}") for v in a.ravel().tolist())
            options["formatter"] = {"float_kind": lambda v: f"{v:.3g}".rjust(width)}
    with np.printoptions(**options):
        text = np.array2string(a, separator=", ", max_line_width=64, prefix=prefix)
    return (prefix + text).splitlines()


def format_values(a: np.ndarray, max_values: int, prefix: str = "data ") -> list[str]:
    """The values when there are at most ``max_values`` of them, else mean/min/max."""
    if a.size <= max_values:
        return _array_lines(a, prefix)
    if a.dtype.kind == "b":
        return [f"{int(a.sum())} of {a.size} true"]
    with np.errstate(all="ignore"):
        data = a.astype(np.float64, copy=False)
        return [f"mean {short(data.mean())}", f"min {short(data.min())}  "
                f"max {short(data.max())}"]


def format_grad(g: np.ndarray, max_values: int, name: str = "grad",
                sep: str = " ") -> list[str]:
    """A small gradient in full (``grad [1, 2]``), a large one by its Euclidean norm
    (``|grad| 3.2``). Without a name: ``= [1, 2]`` or ``norm 3.2``."""
    if g.size <= max_values:
        return _array_lines(g, name + sep)
    with np.errstate(all="ignore"):
        norm = short(np.linalg.norm(g.astype(np.float64, copy=False).ravel()))
    return [f"|{name}|{sep}{norm}" if name else f"norm {norm}"]


def html_label(blocks: list[tuple[str, list[str]]]) -> str:
    """A Graphviz HTML-like label from ``(kind, lines)`` blocks. Kinds: ``title`` (bold),
    ``meta`` (small grey), ``mono`` (values, monospace; a block of several lines is
    left-aligned so arrays keep their columns), ``stats`` (monospace, centred),
    ``rule`` (italic), ``warn`` (bold red). A line break in a line (a name such as
    ``"conv\\nout"``) starts a new line of the label (Graphviz would drop it); other
    control characters, which Graphviz refuses, are written as ``\\x1b``."""
    text = ""
    broken = True  # the text so far ends with a line break
    for kind, lines in blocks:
        lines = [part.expandtabs(4) for line in lines for part in line.splitlines() or [""]]
        if not lines:
            continue
        escaped = [_CONTROL.sub(_visible, html.escape(line, quote=False)) for line in lines]
        if not broken:
            text += "<BR/>"
        if kind == "mono" and len(lines) > 1:  # <BR ALIGN="LEFT"/> ends a left-aligned line
            body, broken = "".join(line + '<BR ALIGN="LEFT"/>' for line in escaped), True
        else:
            body, broken = "<BR/>".join(escaped), False
        text += _WRAP[kind].format(body)
    return "<" + text + ">"


_CONTROL = re.compile("[\x00-\x08\x0e-\x1f]")  # the ones splitlines() leaves


def _visible(match: re.Match) -> str:
    return f"\\x{ord(match[0]):02x}"


_WRAP = {
    "title": "<B>{}</B>",
    "meta": '<FONT POINT-SIZE="9" COLOR="#555555">{}</FONT>',
    "mono": '<FONT FACE="Courier" POINT-SIZE="9">{}</FONT>',
    "stats": '<FONT FACE="Courier" POINT-SIZE="9">{}</FONT>',
    "rule": "<I>{}</I>",
    "warn": '<FONT COLOR="#b00000"><B>{}</B></FONT>',
    "plain": "{}",
}


def is_finite(a: np.ndarray | None) -> bool:
    """False when a floating array holds NaN or Inf."""
    if a is None or a.dtype.kind not in "fc":
        return True
    return bool(np.isfinite(a).all())


def format_state(op: Any, max_chars: int = 32) -> list[str]:
    """The op's non-tensor arguments, one ``key=value`` per line.

    Only arguments of the op's constructor are shown (``axis``, ``keepdims``, ``p``...);
    what an op records for itself during the forward pass (the input shape it must
    restore, ...) is bookkeeping and stays out of the picture."""
    try:
        state = op.state()
    except Exception:  # a user op with an unusual state(): draw it without arguments
        return []
    arguments = _constructor_arguments(type(op))
    if arguments is not None and not arguments & set(state):
        arguments = None  # the constructor names its arguments differently: show all
    lines = []
    for key, value in state.items():
        if arguments is not None and key not in arguments or isinstance(value, Tensor):
            continue  # bookkeeping, or a tensor (the graph draws it as a node)
        text = f"{key}={_format_argument(value)}"
        lines.append(text if len(text) <= max_chars else text[:max_chars - 3] + "...")
    return lines


def _constructor_arguments(cls: type) -> set[str] | None:
    """Names of ``cls.__init__``'s parameters, or None when it defines none of its own."""
    init = cls.__init__
    if init is object.__init__:
        return None
    try:
        parameters = inspect.signature(init).parameters
    except (TypeError, ValueError):
        return None
    return {name for name, p in parameters.items()
            if name != "self" and p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)}


def _format_argument(value: Any) -> str:
    if isinstance(value, np.ndarray):
        return f"{value.dtype}[{', '.join(str(n) for n in value.shape)}]"
    if isinstance(value, (float, np.floating)):  # the constant itself: c=1.0001, not c=1
        return f"{float(value):.6g}"
    if isinstance(value, (int, np.integer, bool, np.bool_)):
        return short(value)
    if isinstance(value, np.dtype):
        return str(value)
    if isinstance(value, slice):
        parts = ["" if v is None else str(v) for v in (value.start, value.stop, value.step)]
        return ":".join(parts[:2] if value.step is None else parts)
    if isinstance(value, tuple):
        inner = ", ".join(_format_argument(v) for v in value)
        return f"({inner},)" if len(value) == 1 else f"({inner})"
    return repr(value)
