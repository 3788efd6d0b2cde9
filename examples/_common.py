"""What every example program shares: its command line (``--seed``, ``--out``,
``--quick``), the output folder, the optional packages (with the install command when
one is missing), the figure style, progress bars, the digits data and ``summary.json``
(also printed as a short table).

The optional packages (matplotlib, tqdm, scikit-learn) are imported only when a
function here needs them, so ``python -m examples`` and ``--help`` work without them.
"""

from __future__ import annotations

import argparse
import importlib
import json
import math
import os
import sys
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator, Mapping, Sequence

import numpy as np

from autograd.errors import AutogradError

__all__ = ["MissingExtraError", "INSTALL_HINT", "MAX_SEED", "run", "make_parser",
           "positive_int", "random_seed", "positive_float", "folder_path",
           "output_folder", "require", "pyplot", "save_figure", "progress", "write_summary",
           "format_value", "load_digits", "split", "show_images"]

INSTALL_HINT = 'pip install -e ".[examples]"'
MAX_SEED = 2**32 - 1  # scikit-learn's random_state and NumPy's legacy seeds stop here
FIGURE_DPI = 100  # small, sharp PNGs: the README and the gallery show them at this size


class MissingExtraError(AutogradError, ImportError):
    """An optional package the examples need is not installed."""


def require(module: str, package: str | None = None) -> Any:
    """Import ``module`` or raise ``MissingExtraError`` naming the install command."""
    try:
        return importlib.import_module(module)
    except ImportError:
        raise MissingExtraError(
            f"the examples need the optional package {package or module!r}, which is not "
            f"installed; from a checkout of this project run: {INSTALL_HINT}") from None


def run(main: Callable[[], Any]) -> None:
    """Call ``main()`` and end with one line instead of a traceback when it fails in a
    way the user can fix: a missing optional package (exit status 1, with the install
    command) or a library error, an ``AutogradError`` such as ``ConfigError`` for a
    value the model cannot use (exit status 2, as argparse for a bad option)."""
    try:
        main()
    except ImportError as exc:
        hint = "" if INSTALL_HINT in str(exc) else f" (from a checkout: {INSTALL_HINT})"
        raise SystemExit(f"error: {exc}{hint}") from None
    except AutogradError as exc:
        print(f"error: {type(exc).__name__}: {' '.join(str(exc).split())}", file=sys.stderr)
        raise SystemExit(2) from None


def positive_int(text: str) -> int:
    """argparse type: a whole number >= 1 (steps, epochs, sizes)."""
    return _number(text, int, 1, "a whole number >= 1")


def random_seed(text: str) -> int:
    """argparse type: a random seed, a whole number from 0 to 2**32 - 1 (every program
    can pass it on, scikit-learn's ``random_state`` included)."""
    return _number(text, int, 0, f"a whole number from 0 to {MAX_SEED} (2**32 - 1)",
                   maximum=MAX_SEED)


def positive_float(text: str) -> float:
    """argparse type: a finite number > 0 (a learning rate)."""
    return _number(text, float, 0, "a finite number > 0", strict=True)


def _number(text: str, kind: type, minimum: float, wanted: str, strict: bool = False,
            maximum: float = math.inf) -> Any:
    """``kind(text)`` if it is finite, >= ``minimum`` (> with ``strict``) and <=
    ``maximum``, else the argparse error that says what was expected."""
    try:
        value = kind(text)
    except ValueError:
        value = math.nan
    if (not math.isfinite(value) or value < minimum or value > maximum
            or (strict and value == minimum)):
        raise argparse.ArgumentTypeError(f"expected {wanted}; got {text!r}")
    return value


def folder_path(text: str) -> Path:
    """argparse type: a folder to write into. It need not exist yet, but neither it nor
    the nearest part of it that exists may be a file (``mkdir`` would fail there)."""
    path = Path(text)
    # os.path's tests answer False where they cannot look (no permission) instead of raising
    existing = next((p for p in (path, *path.parents) if os.path.exists(p)), None)
    if existing is not None and not os.path.isdir(existing):
        where = "is" if existing == path else f"lies inside {str(existing)!r}, which is"
        raise argparse.ArgumentTypeError(
            f"expected a folder for the results; got {text!r}, which {where} a file, not a "
            f"folder: name a new or existing folder")
    return path


def make_parser(doc: str, name: str, default_help: str = "") -> argparse.ArgumentParser:
    """The shared command line: ``--seed``, ``--out`` (default ``out/<name>``) and
    ``--quick`` (a few seconds; what the tests run). ``doc`` is the module docstring:
    its first paragraph becomes the description, the rest the epilog."""
    head, _, tail = doc.strip().partition("\n\n")
    parser = argparse.ArgumentParser(prog=f"python -m examples.{name}", description=head,
                                     epilog=tail or None,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seed", type=random_seed, default=0,
                        help=f"random seed, 0 to {MAX_SEED} (default 0)")
    # a string default goes through type= as well, so out/<name> is checked too
    parser.add_argument("--out", type=folder_path, default=str(Path("out") / name),
                        help=f"folder for the PNGs and summary.json (default out/{name})")
    parser.add_argument("--quick", action="store_true",
                        help="a short run (what the tests run) instead of the full training "
                             f"{default_help}".rstrip())
    return parser


def output_folder(path: Path) -> Path:
    """Create ``path`` (and its parents) and say where the results go. A folder that
    cannot be made (a file in the way, no permission) ends the program with a one-line
    error and exit status 2, as argparse does for a bad ``--out``."""
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        print(f"error: argument --out: cannot create the folder {str(path)!r} "
              f"({exc.strerror or exc}): name a folder you can write to", file=sys.stderr)
        raise SystemExit(2) from None
    print(f"writing results to {path.resolve()}")
    return path


def pyplot() -> Any:
    """matplotlib.pyplot on the Agg backend (no display), with the examples' style."""
    matplotlib = require("matplotlib")
    matplotlib.use("Agg")
    plt = importlib.import_module("matplotlib.pyplot")
    plt.rcParams.update({"figure.dpi": FIGURE_DPI, "savefig.dpi": FIGURE_DPI,
                         "font.size": 9, "axes.titlesize": 10, "axes.labelsize": 9,
                         "legend.fontsize": 8, "axes.grid": True, "grid.alpha": 0.3,
                         "axes.spines.top": False, "axes.spines.right": False,
                         "image.cmap": "viridis"})
    return plt


def save_figure(fig: Any, out: Path, name: str) -> Path:
    """Save ``fig`` as ``out/name.png`` (tight layout), close it, return the path."""
    plt = pyplot()
    path = out / f"{name}.png"
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)
    print(f"  saved {path.name}")
    return path


def progress(iterable: Iterable[Any], desc: str, total: int | None = None) -> Iterator[Any]:
    """A tqdm progress bar over ``iterable`` (on stderr)."""
    tqdm = require("tqdm").tqdm
    return iter(tqdm(iterable, desc=desc, total=total, leave=False, mininterval=0.5,
                     dynamic_ncols=True))


def _plain(value: Any) -> Any:
    """NumPy scalars and arrays as JSON-friendly Python numbers and lists."""
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, np.ndarray)):
        return [_plain(v) for v in value]
    if isinstance(value, (np.integer, np.bool_)):
        return value.item()
    if isinstance(value, (float, np.floating)):
        value = float(value)
        return value if math.isfinite(value) else str(value)
    return value


def format_value(value: Any) -> str:
    """A short printed form: 4 significant digits for numbers, lists in brackets."""
    if isinstance(value, float):
        return f"{value:.4g}"
    if isinstance(value, list):
        return "[" + ", ".join(format_value(v) for v in value) + "]"
    return str(value)


def write_summary(out: Path, summary: Mapping[str, Any]) -> Path:
    """Write ``out/summary.json`` and print the same numbers as a two-column table
    (nested dictionaries become ``key.sub`` rows)."""
    plain = _plain(summary)
    path = out / "summary.json"
    path.write_text(json.dumps(plain, indent=2) + "\n", encoding="utf-8")
    rows: list[tuple[str, str]] = []

    def flatten(prefix: str, value: Any) -> None:
        if isinstance(value, dict):
            for k, v in value.items():
                flatten(f"{prefix}.{k}" if prefix else k, v)
        else:
            rows.append((prefix, format_value(value)))

    flatten("", plain)
    width = max(len(key) for key, _ in rows)
    print(f"\n{'summary':<{width}} | value")
    print("-" * width + "-+-" + "-" * 20)
    for key, text in rows:
        print(f"{key:<{width}} | {text}")
    print(f"(also in {path})")
    return path


def load_digits() -> tuple[np.ndarray, np.ndarray]:
    """scikit-learn's 8x8 digits (1,797 images): pixels scaled to [0, 1], shape (N, 64),
    and the labels 0-9."""
    datasets = require("sklearn.datasets", "scikit-learn")
    x, y = datasets.load_digits(return_X_y=True)
    return (x / 16.0).astype(np.float64), y.astype(np.int64)


def split(x: np.ndarray, y: np.ndarray, fractions: Sequence[float],
          rng: np.random.Generator) -> list[tuple[np.ndarray, np.ndarray]]:
    """Shuffle once and cut into parts of the given fractions (the last part takes the
    rest), e.g. (0.6, 0.2, 0.2) for train / validation / test."""
    order = rng.permutation(len(x))
    bounds = np.cumsum([int(round(f * len(x))) for f in fractions[:-1]])
    return [(x[part], y[part]) for part in np.split(order, bounds)]


def show_images(ax: Any, images: np.ndarray, rows: int, title: str = "",
                side: int = 8) -> None:
    """Tile ``images`` (N, side*side) into a grid with ``rows`` rows on one axis."""
    n = len(images)
    cols = math.ceil(n / rows)
    canvas = np.zeros((rows * (side + 1) - 1, cols * (side + 1) - 1))  # white gaps
    for i, image in enumerate(images):
        r, c = divmod(i, cols)
        canvas[r * (side + 1):r * (side + 1) + side,
               c * (side + 1):c * (side + 1) + side] = image.reshape(side, side)
    ax.imshow(canvas, cmap="gray_r", vmin=0.0, vmax=1.0, interpolation="nearest")
    ax.set_xticks([])
    ax.set_yticks([])
    ax.grid(False)
    for spine in ax.spines.values():
        spine.set_visible(False)
    if title:
        ax.set_title(title)
