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
    extension is added only when ``path`` has none). ``dpi`` sets the resolution of a
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
    path = Path(path)
    fmt = (format or path.suffix.lstrip(".") or "svg").lower()
    if fmt not in FORMATS:
        raise UsageError(f"save_graph: format {fmt!r} is not supported; use one of "
                         f"{', '.join(FORMATS)}")
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
