"""load_mnist and read_idx on small IDX files written here (plain and gzip): the
values round-trip, and broken files are named errors. Nothing touches the network."""
from __future__ import annotations

import gzip
import struct
import urllib.error
import urllib.request
from pathlib import Path

import numpy as np
import pytest

from autograd.errors import AutogradError
from nn.data import DownloadError, IDXFormatError, load_mnist, read_idx


def _idx(array: np.ndarray) -> bytes:
    header = struct.pack(">HBB", 0, 0x08, array.ndim)
    header += b"".join(struct.pack(">I", n) for n in array.shape)
    return header + array.astype(np.uint8).tobytes()


def _write(folder: Path, train: bool, images: np.ndarray, labels: np.ndarray,
           compress: bool) -> None:
    prefix = "train" if train else "t10k"
    for stem, array in ((f"{prefix}-images-idx3-ubyte", images),
                        (f"{prefix}-labels-idx1-ubyte", labels)):
        data = _idx(array)
        if compress:
            (folder / f"{stem}.gz").write_bytes(gzip.compress(data))
        else:
            (folder / stem).write_bytes(data)


@pytest.fixture
def data() -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(0)
    return rng.integers(0, 256, (5, 4, 3), dtype=np.uint8), rng.integers(0, 10, 5)


@pytest.mark.parametrize("compress", [False, True])
@pytest.mark.parametrize("train", [True, False])
def test_round_trip(tmp_path: Path, data: tuple, compress: bool, train: bool) -> None:
    images, labels = data
    _write(tmp_path, train, images, labels, compress)
    got_images, got_labels = load_mnist(tmp_path, train=train)
    np.testing.assert_array_equal(got_images, images)
    np.testing.assert_array_equal(got_labels, labels)
    assert got_images.dtype == np.uint8 and got_labels.dtype == np.int64


def test_wrong_magic_number(tmp_path: Path, data: tuple) -> None:
    images, labels = data
    _write(tmp_path, True, images, labels, compress=False)
    # the label file where the images should be: a valid IDX file with magic 2049
    stem = tmp_path / "train-images-idx3-ubyte"
    stem.write_bytes(_idx(labels))
    with pytest.raises(IDXFormatError, match="wrong magic number 2049"):
        load_mnist(tmp_path)
    assert issubclass(IDXFormatError, AutogradError) and issubclass(IDXFormatError, ValueError)


def test_corrupt_header(tmp_path: Path) -> None:
    path = tmp_path / "bad"
    path.write_bytes(b"\x01\x02\x08\x01" + struct.pack(">I", 2) + b"ab")
    with pytest.raises(IDXFormatError, match="corrupt IDX header"):
        read_idx(path)
    path.write_bytes(b"\x00\x00")
    with pytest.raises(IDXFormatError, match="too short"):
        read_idx(path)


@pytest.mark.parametrize("compress", [False, True])
def test_truncated_file(tmp_path: Path, data: tuple, compress: bool) -> None:
    images, labels = data
    raw = _idx(images)
    path = tmp_path / ("x.gz" if compress else "x")
    if compress:
        path.write_bytes(gzip.compress(raw)[:-12])  # the gzip stream itself is cut
    else:
        path.write_bytes(raw[:-7])
    with pytest.raises(IDXFormatError, match="truncated"):
        read_idx(path, 2051)
    path.write_bytes(raw[:10])  # inside the shape header
    with pytest.raises(IDXFormatError, match="truncated"):
        read_idx(path, 2051)


def test_missing_files_say_what_to_do(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match="download=True"):
        load_mnist(tmp_path)


def test_download_offline_is_a_clear_error(tmp_path: Path,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    def offline(*args: object, **kwargs: object) -> None:
        raise urllib.error.URLError("no network")

    monkeypatch.setattr(urllib.request, "urlopen", offline)
    with pytest.raises(DownloadError, match="copy the four MNIST IDX files") as info:
        load_mnist(tmp_path / "cache", download=True)
    assert isinstance(info.value, OSError)
    assert not list((tmp_path / "cache").iterdir())  # no partial file left behind


def test_a_path_starting_with_a_tilde_is_in_the_home_folder(
        tmp_path: Path, data: tuple, monkeypatch: pytest.MonkeyPatch) -> None:
    """torchvision's MNIST(root="~/data") expands the tilde; so do load_mnist and
    read_idx (pathlib alone looks for a folder named "~")."""
    monkeypatch.setenv("HOME", str(tmp_path))
    (tmp_path / "mnist").mkdir()
    _write(tmp_path / "mnist", True, *data, compress=True)
    images, labels = load_mnist("~/mnist")
    np.testing.assert_array_equal(images, data[0])
    np.testing.assert_array_equal(read_idx("~/mnist/train-labels-idx1-ubyte.gz"), data[1])


@pytest.mark.parametrize("compress", [False, True])
def test_the_content_not_the_name_tells_a_gzip_file(tmp_path: Path, data: tuple,
                                                    compress: bool) -> None:
    """Browsers unpack a downloaded train-images-idx3-ubyte.gz and keep the name; the
    plain IDX file behind a .gz name (and a gzip file without one) must still load."""
    images, labels = data
    for stem, array in (("train-images-idx3-ubyte", images),
                        ("train-labels-idx1-ubyte", labels)):
        raw = _idx(array)
        name = stem if compress else f"{stem}.gz"
        (tmp_path / name).write_bytes(gzip.compress(raw) if compress else raw)
    got_images, got_labels = load_mnist(tmp_path)
    np.testing.assert_array_equal(got_images, images)
    np.testing.assert_array_equal(got_labels, labels)
