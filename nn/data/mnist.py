"""MNIST from its four IDX files (gzip-compressed or not), with an opt-in download.

IDX layout: a 4-byte magic number (two zero bytes, a type code, the number of axes),
one big-endian uint32 per axis, then the values row-major. MNIST uses type 0x08
(unsigned bytes): images have magic 2051 (3 axes: N, 28, 28), labels 2049 (1 axis).
"""
from __future__ import annotations

import gzip
import os
import shutil
import urllib.error
import urllib.request
import zlib
from pathlib import Path

import numpy as np

from autograd.errors import UsageError
from .._checks import flag
from ..errors import ArgumentTypeError, DownloadError, IDXFormatError

__all__ = ["load_mnist", "read_idx", "IDXFormatError", "DownloadError", "MNIST_FILES",
           "MNIST_URL"]

MNIST_URL = "https://ossci-datasets.s3.amazonaws.com/mnist/"
MNIST_FILES = {
    True: ("train-images-idx3-ubyte", "train-labels-idx1-ubyte"),
    False: ("t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"),
}
_DTYPES = {0x08: np.uint8, 0x09: np.int8, 0x0B: np.dtype(">i2"), 0x0C: np.dtype(">i4"),
           0x0D: np.dtype(">f4"), 0x0E: np.dtype(">f8")}
_MAGIC = {"images": 2051, "labels": 2049}


def read_idx(path: str | os.PathLike, expected_magic: int | None = None) -> np.ndarray:
    """The array stored in one IDX file (gzip-compressed files are decompressed, told
    by their content, not their name); ``~`` in the path is the home folder. A missing
    file is Python's FileNotFoundError."""
    path = _as_path("read_idx", "path", path)
    raw = path.read_bytes()
    # An IDX file starts with two zero bytes, gzip with 1f 8b. Browsers often unpack a
    # downloaded .gz file but keep its name, so the name cannot be trusted.
    if raw[:2] == b"\x1f\x8b":
        try:
            raw = gzip.decompress(raw)
        except (gzip.BadGzipFile, EOFError, zlib.error) as exc:
            raise IDXFormatError(f"{path}: not a readable gzip file (truncated or corrupt): "
                                 f"{exc}. Download it again.") from exc
    if len(raw) < 4:
        raise IDXFormatError(f"{path}: {len(raw)} bytes is too short for an IDX header "
                             f"(at least 4 bytes); the file is truncated or empty")
    magic = int.from_bytes(raw[:4], "big")
    if expected_magic is not None and magic != expected_magic:
        raise IDXFormatError(f"{path}: wrong magic number {magic} (expected "
                             f"{expected_magic}); is this the right file (images 2051, "
                             f"labels 2049)?")
    zeros, code, ndim = int.from_bytes(raw[:2], "big"), raw[2], raw[3]
    if zeros != 0 or code not in _DTYPES or ndim == 0:
        raise IDXFormatError(f"{path}: corrupt IDX header {raw[:4].hex()} (expected two zero "
                             f"bytes, a type code in {sorted(_DTYPES)} and at least one "
                             f"axis)")
    header = 4 + 4 * ndim
    if len(raw) < header:
        raise IDXFormatError(f"{path}: the header announces {ndim} axes but the file ends "
                             f"after {len(raw)} bytes (truncated file)")
    shape = tuple(int.from_bytes(raw[4 + 4 * i:8 + 4 * i], "big") for i in range(ndim))
    dtype = np.dtype(_DTYPES[code])
    expected = header + int(np.prod(shape, dtype=np.int64)) * dtype.itemsize
    if len(raw) != expected:
        state = "truncated" if len(raw) < expected else "longer than its header says"
        raise IDXFormatError(f"{path}: shape {shape} needs {expected} bytes but the file has "
                             f"{len(raw)} ({state}); download it again")
    data = np.frombuffer(raw, dtype=dtype, offset=header).reshape(shape)
    return data.astype(dtype.newbyteorder("="))


def _as_path(owner: str, name: str, path: object) -> Path:
    """``path`` (a str or ``os.PathLike``; ``~`` is the home folder) as a Path, else
    ArgumentTypeError."""
    if not isinstance(path, (str, os.PathLike)):
        raise ArgumentTypeError(f"{owner}: {name} must be a str or os.PathLike naming a "
                                f"file or folder, e.g. '~/data/mnist'; got "
                                f"{type(path).__name__} {path!r}")
    return Path(path).expanduser()


def _find(folder: Path, stem: str) -> Path | None:
    for name in (stem, stem + ".gz", stem.replace("-idx", ".idx")):
        if (folder / name).is_file():
            return folder / name
    return None


def _download(folder: Path, stem: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    url, target = f"{MNIST_URL}{stem}.gz", folder / f"{stem}.gz"
    partial = target.with_name(target.name + ".part")
    try:
        with urllib.request.urlopen(url, timeout=30) as response, open(partial, "wb") as f:
            shutil.copyfileobj(response, f)
        os.replace(partial, target)
    except (urllib.error.URLError, OSError) as exc:
        partial.unlink(missing_ok=True)
        raise DownloadError(f"cannot download {url} ({exc}). Without internet, copy the four "
                            f"MNIST IDX files (gzip or not) into {folder} and call "
                            f"load_mnist({str(folder)!r}) without download=True.") from exc
    return target


def load_mnist(path: str | os.PathLike | None = None, train: bool = True,
               download: bool = False) -> tuple[np.ndarray, np.ndarray]:
    """MNIST images (uint8, shape (N, 28, 28)) and labels (int64, shape (N,)) from the
    IDX files in the folder ``path`` (``~`` is the home folder; the training set, or
    the test set for ``train=False``).

    ``download=True`` fetches missing files into ``path`` (default
    ``~/.cache/autograd-nn/mnist``); it needs internet and raises :class:`DownloadError`
    otherwise. Nothing is downloaded unless asked. Scale the images before training,
    e.g. ``X = images.reshape(len(images), -1) / 255.0``.
    """
    train = flag("load_mnist", "train", train, advice="train=False loads the test set.")
    download = flag("load_mnist", "download", download)
    if path is None:
        if not download:
            raise UsageError("load_mnist: give the folder holding the MNIST IDX files, or "
                             "pass download=True to fetch them into a cache folder")
        path = Path.home() / ".cache" / "autograd-nn" / "mnist"
    folder = _as_path("load_mnist", "path", path)  # "~/data/mnist", as torchvision's root=
    arrays = []
    for stem, kind in zip(MNIST_FILES[train], ("images", "labels")):
        found = _find(folder, stem)
        if found is None:
            if not download:
                where = ("is a file, not the folder holding the files" if folder.is_file()
                         else f"has no {stem} (or {stem}.gz)")
                raise FileNotFoundError(
                    f"load_mnist: {folder} {where}; copy the MNIST IDX files there, or "
                    f"pass download=True to fetch them (needs internet)")
            found = _download(folder, stem)
        arrays.append(read_idx(found, _MAGIC[kind]))
    images, labels = arrays
    if len(images) != len(labels):
        raise IDXFormatError(f"{folder}: {len(images)} images but {len(labels)} labels; the "
                             f"files do not belong together")
    return images, labels.astype(np.int64)
