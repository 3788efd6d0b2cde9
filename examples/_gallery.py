"""Rebuild the pictures of examples/README.md and of the README from the real programs:
``python -m examples._gallery`` runs every example with its default settings into
``out/gallery/<name>`` and writes small copies of the chosen figures to
``docs/images/examples/`` (thumbnails, at most 640 px wide) and ``docs/images/`` (the VAE demo).

Takes a few minutes (each program runs its full default training).
"""

from __future__ import annotations

import importlib
import sys
from pathlib import Path

from ._common import require

__all__ = ["THUMBNAILS", "README_IMAGES", "shrink", "main"]

ROOT = Path(__file__).resolve().parent.parent
# program -> the figure its gallery row shows (the VAE's row shows the README's manifold)
THUMBNAILS: dict[str, str | None] = {
    "perceptron": "learned", "backprop_by_hand": "gradient_check", "regression": "linear",
    "losses": "sigmoid_mse_vs_ce", "optimizers": "trajectories", "gradients": "grad_norms",
    "regularization": "weights", "digits": "confusion", "autoencoders": "denoising",
    "vae": None}
# the README's main demo: figures of `python -m examples.vae`, at their own size
README_IMAGES = ("manifold", "latent", "interpolation")


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
    print(f"  {target.relative_to(ROOT)}: {target.stat().st_size // 1024} KB")
    return target


def main(argv: list[str] | None = None) -> None:
    """``--no-run`` reuses the figures already in out/gallery; other arguments name
    the programs to run (default: all)."""
    args = list(argv or [])
    run = "--no-run" not in args
    names = [a for a in args if a != "--no-run"] or list(THUMBNAILS)
    out = ROOT / "out" / "gallery"
    for name in names:
        print(f"== {name}", flush=True)
        if run:
            importlib.import_module(f"examples.{name}").main(["--out", str(out / name)])
        if THUMBNAILS[name]:
            shrink(out / name / f"{THUMBNAILS[name]}.png",
                   ROOT / "docs" / "images" / "examples" / f"{name}.png", 640)
        if name == "vae":
            for figure in README_IMAGES:
                shrink(out / name / f"{figure}.png",
                       ROOT / "docs" / "images" / f"vae_{figure}.png", None)


if __name__ == "__main__":
    main(sys.argv[1:])
