"""Rebuild the pictures of examples/README.md and of the README from the real programs:
``python -m examples._gallery`` runs every example (all twelve) with its default settings
into ``out/gallery/<name>`` and writes small copies of the chosen figures to
``docs/images/examples/`` (the gallery thumbnails, at most 640 px wide) and
``docs/images/`` (the README's VAE demo and the visualize_graph row's backward graph, at
their own size). ``--out`` and ``--images`` choose other folders; ``--no-run`` reuses
the figures already in the ``--out`` folder.

Takes a few minutes (each program runs its full default training).
"""

from __future__ import annotations

import argparse
import importlib
import sys
from pathlib import Path

from ._common import require

__all__ = ["GALLERY", "shrink", "main"]

ROOT = Path(__file__).resolve().parent.parent
THUMBNAIL_WIDTH = 640
# program -> (figure, file under docs/images, width or None for the figure's own size);
# xor has no picture in the gallery but runs too, so every program is checked
GALLERY: dict[str, tuple[tuple[str, str, int | None], ...]] = {
    **{program: ((figure, f"examples/{program}.png", THUMBNAIL_WIDTH),) for program, figure in (
        ("perceptron", "learned"), ("backprop_by_hand", "gradient_check"),
        ("regression", "linear"), ("losses", "sigmoid_mse_vs_ce"),
        ("optimizers", "trajectories"), ("gradients", "grad_norms"),
        ("regularization", "weights"), ("digits", "confusion"),
        ("autoencoders", "denoising"))},
    "vae": tuple((figure, f"vae_{figure}.png", None)
                 for figure in ("manifold", "latent", "interpolation")),
    "visualize_graph": (("scalar_expression_backward", "scalar_expression_backward.png", None),),
    "xor": (),
}


def _shown(path: Path) -> str:
    """``path`` relative to the checkout when it is inside it."""
    return str(path.relative_to(ROOT)) if path.is_relative_to(ROOT) else str(path)


def shrink(source: Path, target: Path, width: int | None) -> Path:
    """Copy a PNG, scaled down to ``width`` pixels (None: keep the size), optimised."""
    image_module = require("PIL.Image", "pillow")
    with image_module.open(source) as image:
        image = image.convert("RGB")
        if width is not None and image.width > width:
            height = round(image.height * width / image.width)
            image = image.resize((width, height), image_module.Resampling.LANCZOS)
        target.parent.mkdir(parents=True, exist_ok=True)
        image.save(target, optimize=True)
    print(f"  {_shown(target)}: {target.stat().st_size // 1024} KB")
    return target


def make_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m examples._gallery", description=__doc__.strip().split("\n\n")[0])
    parser.add_argument("programs", nargs="*", metavar="PROGRAM",
                        help=f"programs to run (default: all): {', '.join(GALLERY)}")
    parser.add_argument("--no-run", action="store_true",
                        help="reuse the figures already in the --out folder")
    parser.add_argument("--out", type=Path, default=ROOT / "out" / "gallery",
                        help="folder for the programs' results (default out/gallery)")
    parser.add_argument("--images", type=Path, default=ROOT / "docs" / "images",
                        help="folder for the pictures (default docs/images)")
    return parser


def main(argv: list[str] | None = None) -> list[Path]:
    """Run the programs, copy their chosen figures and return the pictures written. A
    figure the program did not make (visualize_graph without Graphviz's ``dot``) is
    named and its picture left as it was."""
    parser = make_parser()
    args = parser.parse_args(argv)
    unknown = [name for name in args.programs if name not in GALLERY]
    if unknown:  # checked here: argparse's choices= rejects an empty list in Python 3.11
        parser.error(f"unknown program {', '.join(map(repr, unknown))}; choose from "
                     f"{', '.join(GALLERY)}")
    written = []
    for name in args.programs or list(GALLERY):
        print(f"== {name}", flush=True)
        results = args.out / name
        if not args.no_run:
            importlib.import_module(f"examples.{name}").main(["--out", str(results)])
        for figure, picture, width in GALLERY[name]:
            source = results / f"{figure}.png"
            if not source.exists():
                print(f"  {_shown(source)} was not made: {_shown(args.images / picture)} "
                      f"is left as it was")
                continue
            written.append(shrink(source, args.images / picture, width))
    return written


if __name__ == "__main__":
    main(sys.argv[1:])
