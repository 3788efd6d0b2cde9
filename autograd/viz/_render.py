"""The optional ``graphviz`` package and the ``dot`` program: importing, rendering, and
errors that say what to install."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from ..errors import GraphvizNotFoundError, MissingDependencyError, UsageError

__all__ = ["GraphvizNotFoundError", "require_graphviz", "save_graph", "INSTALL_HINT"]

PIP_HINT = ('pip install -e ".[viz]" (in a checkout of this repository: it is not on '
            'PyPI yet)')

INSTALL_HINT = (
    "Install Graphviz (the program, not only the Python package):\n"
    "  Debian/Ubuntu:     sudo apt-get install graphviz\n"
    "  macOS (Homebrew):  brew install graphviz\n"
    "  conda:             conda install -c conda-forge graphviz\n"
    "  Windows:           winget install graphviz (or https://graphviz.org/download/)\n"
    "then check that `dot -V` works in a new terminal.")

FORMATS = ("svg", "png", "pdf", "jpg", "jpeg", "dot", "gv")

#: Pixels per side of the largest PNG/JPEG: Graphviz's cairo renderer takes at most
#: 32767 and scales a larger picture down itself, printing a warning.
BITMAP_LIMIT = 32000


def require_graphviz() -> Any:
    """The ``graphviz`` module, or a MissingDependencyError (an ImportError) that says how
    to install it."""
    try:
        import graphviz
    except ImportError as exc:
        raise MissingDependencyError(
            f"autograd.viz draws graphs with the 'graphviz' Python package, which is not "
            f"installed. Install it with:  {PIP_HINT}  (or: pip install graphviz). "
            f"Rendering to files also needs the Graphviz program. {INSTALL_HINT}",
            name="graphviz") from exc
    return graphviz


def save_graph(graph: Any, path: str | os.PathLike, format: str | None = None,
               dpi: int | None = 144) -> Path:
    """Render ``graph`` (a ``graphviz.Digraph`` from ``draw_graph``) to ``path``.

    ``format`` is ``"svg"``, ``"png"``, ``"pdf"``, ``"jpg"`` (rendered by ``dot``) or
    ``"dot"``/``"gv"`` (the DOT source, no program needed); by default it is taken from
    the file's extension, else svg. The file is written exactly at ``path`` (an
    extension is added only when ``path`` has none); a directory, or an extension that
    names another format than ``format``, is a ``UsageError``. ``dpi`` sets the resolution of a
    PNG or JPEG (Graphviz's default, 96, makes small text blurry); a picture that would
    be wider or taller than 32000 pixels is scaled down to fit (SVG and PDF never are).
    Returns the path written.

    Raises ``GraphvizNotFoundError`` (a RuntimeError) when ``dot`` is missing; the DOT
    source is then saved next to ``path`` with the extension ``.gv`` so nothing is lost.
    """
    graphviz = require_graphviz()
    if not isinstance(graph, graphviz.Digraph):
        raise UsageError(f"save_graph needs the graphviz.Digraph returned by draw_graph; "
                        f"got {type(graph).__name__}")
    path = _file_path(path)
    fmt = (format or path.suffix.lstrip(".") or "svg").lower()
    if fmt not in FORMATS:
        raise UsageError(f"save_graph: format {fmt!r} is not supported; use one of "
                         f"{', '.join(FORMATS)}")
    _check_suffix(path, fmt)
    if not path.suffix:
        path = path.with_suffix("." + fmt)
    path.parent.mkdir(parents=True, exist_ok=True)
    if fmt in ("dot", "gv"):
        path.write_text(graph.source, encoding="utf-8")
        return path
    if fmt in ("png", "jpg", "jpeg") and dpi:
        graph = graph.copy()
        graph.attr(dpi=str(dpi))
        if "size" not in graph.graph_attr:  # shrink to fit instead of dot's warning
            inches = BITMAP_LIMIT / float(dpi)
            graph.attr(size=f"{inches:.6g},{inches:.6g}")
    try:
        data = graph.pipe(format=fmt)
    except graphviz.ExecutableNotFound:
        source = path.with_suffix(".gv")
        source.write_text(graph.source, encoding="utf-8")
        raise GraphvizNotFoundError(
            f"cannot render {path.name}: Graphviz's `dot` program was not found on PATH. "
            f"The DOT source was saved to {source} (render it later with "
            f"`dot -T{fmt} {source} -o {path}`). {INSTALL_HINT}") from None
    path.write_bytes(data)
    return path


def _file_path(path: str | os.PathLike) -> Path:
    """``path`` as a Path to a file: a directory (one that exists, or a path written with
    a trailing separator, which ``Path`` would drop) is a UsageError, not a sibling file
    ``dir.svg`` written next to it."""
    try:
        text = os.fspath(path)
    except TypeError:
        text = None
    if not isinstance(text, str):
        raise UsageError(f"save_graph: path must be a str or a path; got "
                         f"{type(path).__name__} {path!r:.40}")
    separators = tuple(s for s in (os.sep, os.altsep, "/") if s)
    if text.endswith(separators) or Path(text).is_dir():
        raise UsageError(f"save_graph: {text!r} names a directory; give a file name in it, "
                         f"e.g. {os.path.join(text, 'graph.svg')!r}")
    return Path(text)


_SAME_FORMAT = {"jpeg": "jpg", "gv": "dot"}


def _check_suffix(path: Path, fmt: str) -> None:
    """UsageError when the file's extension names another format than ``fmt`` (PNG
    bytes in ``x.svg``); an extension that is no format (``run.v2``) is left alone."""
    suffix = path.suffix.lstrip(".").lower()
    if suffix in FORMATS and _SAME_FORMAT.get(suffix, suffix) != _SAME_FORMAT.get(fmt, fmt):
        raise UsageError(f"save_graph: format={fmt!r} but the file name {path.name!r} says "
                         f"{suffix}; name the file .{fmt}, or leave format out to take it "
                         f"from the extension")
